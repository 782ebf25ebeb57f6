// tests/support/reference.cc — see reference.h. Every rule below cites the
// SPEC section it implements. Nothing here is optimised on purpose.
#include "support/reference.h"

#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <utility>

namespace rolegate_ref {

// =============================================================================
// Text helpers
// =============================================================================

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLowerString(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}

namespace {

// Decodes UTF-8 into code points. A byte that does not start a well-formed
// sequence becomes its own "code point" 0x110000 + byte, so nothing is lost
// and it never equals a real character.
std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      cp = c & 0x1F;
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      cp = c & 0x0F;
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      cp = c & 0x07;
      len = 4;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok) {
      // Reject overlongs, surrogates and values past U+10FFFF.
      if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
          (cp >= 0xD800 && cp <= 0xDFFF))
        ok = false;
    }
    if (!ok) {
      out.push_back(0x110000u + c);
      i += 1;
    } else {
      out.push_back(cp);
      i += len;
    }
  }
  return out;
}

uint32_t FoldCp(uint32_t cp) { return (cp >= 'A' && cp <= 'Z') ? cp - 'A' + 'a' : cp; }

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (uint32_t cp : CodePoints(s))
    if (cp >= 0x110000u) return false;
  return true;
}

bool HasControlChar(std::string_view s) {
  // SPEC §9: control characters are U+0000–U+001F and U+007F–U+009F.
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size()) {
      unsigned char n = static_cast<unsigned char>(s[i + 1]);
      if (n >= 0x80 && n <= 0x9F) return true;
    }
  }
  return false;
}

bool GlobMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  // Two quick answers that follow directly from the definition (they only
  // save time on catalogs with tens of thousands of actions):
  // - no wildcard: the pattern matches exactly the equal string;
  // - the literal text before the first wildcard must begin `text`.
  const size_t first_wild = pattern.find_first_of("*?");
  auto eq = [&](std::string_view a, std::string_view b) {
    return ignore_case ? EqualsIgnoreAsciiCase(a, b) : a == b;
  };
  if (first_wild == std::string_view::npos) return eq(pattern, text);
  if (text.size() < first_wild || !eq(pattern.substr(0, first_wild), text.substr(0, first_wild)))
    return false;
  // Classic dynamic programming over code points:
  // m[i][j] = pattern[0..i) matches text[0..j).
  std::vector<uint32_t> p = CodePoints(pattern), t = CodePoints(text);
  if (ignore_case) {
    for (auto& c : p) c = FoldCp(c);
    for (auto& c : t) c = FoldCp(c);
  }
  std::vector<std::vector<char>> m(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  m[0][0] = 1;
  for (size_t i = 1; i <= p.size(); ++i) {
    for (size_t j = 0; j <= t.size(); ++j) {
      if (p[i - 1] == '*') {
        // `*` matches the empty run, or one more character.
        m[i][j] = m[i - 1][j] || (j > 0 && m[i][j - 1]);
      } else if (p[i - 1] == '?') {
        m[i][j] = j > 0 && m[i - 1][j - 1];
      } else {
        m[i][j] = j > 0 && m[i - 1][j - 1] && p[i - 1] == t[j - 1];
      }
    }
  }
  return m[p.size()][t.size()];
}

std::vector<std::string> ScopeSegments(std::string_view scope) {
  std::vector<std::string> segs;
  if (scope == "/") return segs;
  size_t i = 1;  // skip the leading '/'
  while (true) {
    size_t slash = scope.find('/', i);
    if (slash == std::string_view::npos) {
      segs.emplace_back(scope.substr(i));
      break;
    }
    segs.emplace_back(scope.substr(i, slash - i));
    i = slash + 1;
  }
  return segs;
}

std::string ScopeProblem(std::string_view s) {
  // SPEC §3.1, the scope half.
  if (s.empty()) return "empty";
  if (s.size() > 4096) return "over 4096 bytes";
  if (HasControlChar(s)) return "control character";
  if (s[0] != '/') return "does not start with /";
  if (s == "/") return "";
  std::vector<std::string> segs = ScopeSegments(s);
  if (segs.size() > 64) return "more than 64 segments";
  for (const std::string& seg : segs) {
    if (seg.empty()) return "empty segment";
    if (seg == "." || seg == "..") return "dot segment";
  }
  return "";
}

bool IsAncestorOrSelf(std::string_view a, std::string_view b) {
  std::vector<std::string> sa = ScopeSegments(a), sb = ScopeSegments(b);
  if (sa.size() > sb.size()) return false;
  for (size_t i = 0; i < sa.size(); ++i)
    if (!EqualsIgnoreAsciiCase(sa[i], sb[i])) return false;
  return true;
}

bool ScopeEquals(std::string_view a, std::string_view b) {
  return ScopeSegments(a).size() == ScopeSegments(b).size() && IsAncestorOrSelf(a, b);
}

// =============================================================================
// Loading (SPEC §2, the parts the reference needs to trust its answers)
// =============================================================================

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool HasWildcard(std::string_view s) {
  return s.find('*') != std::string_view::npos || s.find('?') != std::string_view::npos;
}

class Loader {
 public:
  std::vector<std::string> errors;

  void Err(const std::string& where, const std::string& why) {
    errors.push_back(where + ": " + why);
  }

  // Unknown and duplicate keys are errors (SPEC §2).
  bool Keys(element e, const std::string& where, const std::set<std::string>& allowed,
            const std::set<std::string>& required, object* out) {
    if (e.type() != element_type::OBJECT) {
      Err(where, "not an object");
      return false;
    }
    object o = e.get_object().value();
    std::set<std::string> seen;
    bool ok = true;
    for (simdjson::dom::key_value_pair kv : o) {
      std::string k(kv.key);
      if (!allowed.count(k)) {
        Err(where + "/" + k, "unknown key");
        ok = false;
      }
      if (!seen.insert(k).second) {
        Err(where + "/" + k, "duplicate key");
        ok = false;
      }
    }
    for (const std::string& r : required)
      if (!seen.count(r)) {
        Err(where + "/" + r, "missing required field");
        ok = false;
      }
    *out = o;
    return ok;
  }

  bool Str(element e, const std::string& where, std::string* out, bool allow_empty = false) {
    std::string_view sv;
    if (e.get_string().get(sv) != simdjson::SUCCESS) {
      Err(where, "not a string");
      return false;
    }
    if (sv.empty() && !allow_empty) {
      Err(where, "empty string");
      return false;
    }
    if (sv.size() > 4096) {
      Err(where, "string over 4096 bytes");
      return false;
    }
    *out = std::string(sv);
    return true;
  }

  bool StrList(element e, const std::string& where, std::vector<std::string>* out) {
    if (e.type() != element_type::ARRAY) {
      Err(where, "not an array");
      return false;
    }
    size_t i = 0;
    bool ok = true;
    array items = e.get_array().value();
    for (element x : items) {
      std::string s;
      if (Str(x, where + "/" + std::to_string(i), &s))
        out->push_back(s);
      else
        ok = false;
      ++i;
    }
    return ok;
  }

  bool Bool(element e, const std::string& where, bool* out) {
    if (e.get_bool().get(*out) != simdjson::SUCCESS) {
      Err(where, "not a boolean");
      return false;
    }
    return true;
  }

  bool List(element root, const char* key, array* out) {
    element e;
    if (root.at_key(key).get(e) != simdjson::SUCCESS) return false;  // absent
    if (e.type() != element_type::ARRAY) {
      Err(std::string("/") + key, "not an array");
      return false;
    }
    *out = e.get_array().value();
    return true;
  }
};

}  // namespace

Reference::Reference() = default;
Reference::~Reference() = default;

std::unique_ptr<Reference> Reference::Load(std::string_view json, std::string* error) {
  LoadOptions v1;
  v1.v1_arn_patterns = true;
  return Load(json, error, v1);
}

std::unique_ptr<Reference> Reference::Load(std::string_view json, std::string* error,
                                           const LoadOptions& options) {
  std::unique_ptr<Reference> ref(new Reference());
  Bundle& b = ref->b_;
  Loader L;

  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS) {
    *error = std::string("malformed JSON: ") + simdjson::error_message(err);
    return nullptr;
  }
  object top;
  L.Keys(doc, "",
         {"version", "actions", "roles", "groups", "assignments", "deny_assignments",
          "statements", "clouds", "routes", "scope_parents"},
         {"version", "actions"}, &top);
  if (doc.type() != element_type::OBJECT) {
    *error = "top level is not an object";
    return nullptr;
  }
  {
    element v;
    int64_t n = 0;
    if (doc.at_key("version").get(v) == simdjson::SUCCESS &&
        (v.get_int64().get(n) != simdjson::SUCCESS || n != 1))
      L.Err("/version", "must be the integer 1");
  }

  // ---- actions ----
  array arr;
  if (L.List(doc, "actions", &arr)) {
    size_t i = 0;
    std::set<std::string> names;
    for (element e : arr) {
      std::string where = "/actions/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where, {"name", "data", "effective_only_at"}, {"name"}, &o)) continue;
      Action a;
      if (!L.Str(o["name"].value(), where + "/name", &a.name)) continue;
      if (HasWildcard(a.name)) L.Err(where + "/name", "catalog names hold no * or ?");
      if (!names.insert(AsciiLowerString(a.name)).second)
        L.Err(where + "/name", "duplicate action (case-insensitively)");
      element x;
      if (o["data"].get(x) == simdjson::SUCCESS) L.Bool(x, where + "/data", &a.data);
      if (o["effective_only_at"].get(x) == simdjson::SUCCESS) {
        a.has_effective_only_at = true;
        if (L.StrList(x, where + "/effective_only_at", &a.effective_only_at)) {
          for (const std::string& p : a.effective_only_at) {
            std::string prob = ScopeProblem(p);
            if (!prob.empty()) L.Err(where + "/effective_only_at", "bad pattern: " + prob);
            if (p.find('?') != std::string::npos) L.Err(where, "? in effective_only_at");
            for (const std::string& seg : ScopeSegments(p))
              if (seg != "*" && seg.find('*') != std::string::npos)
                L.Err(where + "/effective_only_at", "partial * segment");
          }
        }
      }
      ref->action_index_.emplace(AsciiLowerString(a.name), b.actions.size());
      b.actions.push_back(std::move(a));
    }
  } else {
    L.Err("/actions", "missing or not an array");
  }

  // A pattern list of a role, deny assignment or statement: literals must be
  // in the catalog (SPEC §2 "The action catalog is closed").
  auto patterns = [&](object o, const char* key, const std::string& where,
                      std::vector<std::string>* out) {
    element x;
    if (o[key].get(x) != simdjson::SUCCESS) return;
    std::string w = where + "/" + key;
    if (!L.StrList(x, w, out)) return;
    for (size_t k = 0; k < out->size(); ++k) {
      const std::string& p = (*out)[k];
      if (!HasWildcard(p) && ref->FindAction(p) == nullptr)
        L.Err(w + "/" + std::to_string(k), "literal action not in the catalog");
    }
  };
  auto bundle_scope = [&](element e, const std::string& where, std::string* out) {
    if (!L.Str(e, where, out)) return false;
    std::string prob = ScopeProblem(*out);
    if (!prob.empty() || out->find('*') != std::string::npos) {
      L.Err(where, "bad scope: " + (prob.empty() ? std::string("holds *") : prob));
      return false;
    }
    return true;
  };
  auto principal = [&](element e, const std::string& where, std::string* out) {
    if (!L.Str(e, where, out)) return false;
    if (*out == "*") {
      L.Err(where, "* is only allowed in deny_assignments[].principals");
      return false;
    }
    return true;
  };
  auto principal_list = [&](element e, const std::string& where, std::vector<std::string>* out) {
    if (!L.StrList(e, where, out)) return;
    for (const std::string& p : *out)
      if (p == "*") L.Err(where, "* is only allowed in deny_assignments[].principals");
  };

  // An Azure-form condition (SPEC §10): a non-empty string that parses.
  auto azure_condition = [&](object o, const std::string& where, std::string* text,
                             std::shared_ptr<const AzureCondition>* out) {
    element x;
    if (o["condition"].get(x) != simdjson::SUCCESS) return;
    if (!L.Str(x, where + "/condition", text)) return;
    std::string why;
    std::unique_ptr<AzureCondition> c = AzureCondition::Parse(*text, &why);
    if (!c) {
      L.Err(where + "/condition", why);
      return;
    }
    *out = std::move(c);
  };

  // ---- scope parents (SPEC §12), before anything that asks about ancestry ----
  if (L.List(doc, "scope_parents", &arr)) {
    size_t i = 0;
    for (element e : arr) {
      std::string where = "/scope_parents/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where, {"scope", "parent"}, {"scope", "parent"}, &o)) continue;
      ScopeParent sp;
      bool ok = bundle_scope(o["scope"].value(), where + "/scope", &sp.scope);
      ok &= bundle_scope(o["parent"].value(), where + "/parent", &sp.parent);
      if (!ok) continue;
      if (IsAncestorOrSelf(sp.scope, sp.parent)) {
        L.Err(where + "/parent", "the parent is the scope itself or one of its descendants");
        continue;
      }
      if (!ref->parent_of_.emplace(AsciiLowerString(sp.scope), sp.parent).second) {
        L.Err(where + "/scope", "a scope has at most one explicit parent");
        continue;
      }
      b.scope_parents.push_back(std::move(sp));
    }
    // Cycles: walk each chain; a scope met twice closes a cycle. The walk is
    // bounded by the number of explicit parents plus 64 path steps each.
    bool cycle = false;
    for (const ScopeParent& sp : b.scope_parents) {
      if (cycle) break;
      std::set<std::string> seen;
      std::string cur = AsciiLowerString(sp.scope);
      size_t steps = 0, bound = (b.scope_parents.size() + 1) * 66;
      while (cur != "/" && steps++ < bound) {
        if (!seen.insert(cur).second) {
          L.Err("/scope_parents", "scope parent cycle through " + cur);
          cycle = true;
          break;
        }
        cur = AsciiLowerString(ref->ParentOf(cur));
      }
    }
  }
  const bool scope_parents_ok = L.errors.empty();

  // A statement's actions/not_actions, resources/not_resources,
  // policy_version and condition (SPEC §11).
  auto statement_body = [&](object o, const std::string& where, Statement* s) {
    bool ok = true;
    element x;
    const bool a = o["actions"].error() == simdjson::SUCCESS;
    const bool na = o["not_actions"].error() == simdjson::SUCCESS;
    const bool r = o["resources"].error() == simdjson::SUCCESS;
    const bool nr = o["not_resources"].error() == simdjson::SUCCESS;
    if (a == na) {
      L.Err(where + "/actions", "exactly one of actions and not_actions");
      ok = false;
    }
    if (r == nr) {
      L.Err(where + "/resources", "exactly one of resources and not_resources");
      ok = false;
    }
    s->has_not_actions = na;
    s->has_not_resources = nr;
    patterns(o, "actions", where, &s->actions);
    patterns(o, "not_actions", where, &s->not_actions);
    if (o["policy_version"].get(x) == simdjson::SUCCESS &&
        L.Str(x, where + "/policy_version", &s->policy_version) &&
        s->policy_version != "2012-10-17" && s->policy_version != "2008-10-17") {
      L.Err(where + "/policy_version", "must be \"2012-10-17\" or \"2008-10-17\"");
      ok = false;
    }
    const bool variables = s->policy_version == "2012-10-17";
    const char* rkey = nr ? "not_resources" : "resources";
    std::vector<std::string>* list = nr ? &s->not_resources : &s->resources;
    if (o[rkey].get(x) == simdjson::SUCCESS && L.StrList(x, where + "/" + rkey, list)) {
      for (size_t k = 0; k < list->size(); ++k) {
        std::string why;
        std::unique_ptr<ResourcePattern> rp =
            ResourcePattern::Parse((*list)[k], variables, !options.v1_arn_patterns, &why);
        if (!rp) {
          L.Err(where + "/" + rkey + "/" + std::to_string(k), why);
          ok = false;
          continue;
        }
        s->patterns.push_back(std::move(rp));
      }
    }
    if (o["condition"].get(x) == simdjson::SUCCESS) {
      std::string why;
      std::unique_ptr<AwsCondition> c;
      if (x.type() == element_type::OBJECT)
        c = AwsCondition::Parse(simdjson::minify(x), variables, &why);
      else
        why = "not an object";
      if (!c) {
        L.Err(where + "/condition", why);
        ok = false;
      }
      s->cond = std::move(c);
    }
    return ok;
  };

  // ---- roles ----
  if (L.List(doc, "roles", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/roles/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where,
                  {"id", "name", "actions", "not_actions", "data_actions", "not_data_actions",
                   "assignable_scopes", "permissions"},
                  {"id"}, &o))
        continue;
      Role r;
      if (!L.Str(o["id"].value(), where + "/id", &r.id)) continue;
      if (!ids.insert(r.id).second) L.Err(where + "/id", "duplicate id");
      element x;
      if (o["name"].get(x) == simdjson::SUCCESS) L.Str(x, where + "/name", &r.name, true);
      patterns(o, "actions", where, &r.actions);
      patterns(o, "not_actions", where, &r.not_actions);
      patterns(o, "data_actions", where, &r.data_actions);
      patterns(o, "not_data_actions", where, &r.not_data_actions);
      if (o["permissions"].get(x) == simdjson::SUCCESS) {
        r.has_permissions = true;
        for (const char* k : {"actions", "not_actions", "data_actions", "not_data_actions"})
          if (o[k].error() == simdjson::SUCCESS)
            L.Err(where + "/" + k, "a role gives permissions or the four lists, not both");
        if (x.type() != element_type::ARRAY) {
          L.Err(where + "/permissions", "not an array");
        } else {
          size_t k = 0;
          array items = x.get_array().value();
          for (element pb : items) {
            std::string pw = where + "/permissions/" + std::to_string(k++);
            object po;
            if (!L.Keys(pb, pw,
                        {"actions", "not_actions", "data_actions", "not_data_actions", "condition"},
                        {}, &po))
              continue;
            PermissionBlock blk;
            patterns(po, "actions", pw, &blk.actions);
            patterns(po, "not_actions", pw, &blk.not_actions);
            patterns(po, "data_actions", pw, &blk.data_actions);
            patterns(po, "not_data_actions", pw, &blk.not_data_actions);
            azure_condition(po, pw, &blk.condition, &blk.cond);
            r.blocks.push_back(std::move(blk));
          }
        }
      } else {
        PermissionBlock blk;
        blk.actions = r.actions;
        blk.not_actions = r.not_actions;
        blk.data_actions = r.data_actions;
        blk.not_data_actions = r.not_data_actions;
        r.blocks.push_back(std::move(blk));
      }
      if (o["assignable_scopes"].get(x) == simdjson::SUCCESS) {
        r.has_assignable_scopes = true;
        if (x.type() != element_type::ARRAY) {
          L.Err(where + "/assignable_scopes", "not an array");
        } else {
          size_t k = 0;
          array items = x.get_array().value();
          for (element s : items) {
            std::string sc;
            if (bundle_scope(s, where + "/assignable_scopes/" + std::to_string(k++), &sc))
              r.assignable_scopes.push_back(sc);
          }
        }
      }
      ref->role_index_[r.id] = b.roles.size();
      b.roles.push_back(std::move(r));
    }
  }

  // ---- groups ----
  if (L.List(doc, "groups", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/groups/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where, {"id", "members"}, {"id"}, &o)) continue;
      Group g;
      if (!principal(o["id"].value(), where + "/id", &g.id)) continue;
      if (!ids.insert(g.id).second) L.Err(where + "/id", "duplicate id");
      element x;
      if (o["members"].get(x) == simdjson::SUCCESS)
        principal_list(x, where + "/members", &g.members);
      b.groups.push_back(std::move(g));
    }
    // Cycles and depth: DFS over group -> member groups.
    std::map<std::string, const Group*> by_id;
    for (const Group& g : b.groups) by_id[g.id] = &g;
    std::map<std::string, int> state;   // 0 new, 1 on stack, 2 done
    std::map<std::string, int> height;  // groups on the longest chain below, incl. self
    std::function<int(const std::string&)> dfs = [&](const std::string& id) -> int {
      if (state[id] == 1) {
        L.Err("/groups", "group cycle through " + id);
        return 0;
      }
      if (state[id] == 2) return height[id];
      state[id] = 1;
      int h = 1;
      for (const std::string& m : by_id[id]->members)
        if (by_id.count(m)) h = std::max(h, 1 + dfs(m));
      state[id] = 2;
      return height[id] = h;
    };
    for (const Group& g : b.groups)
      if (dfs(g.id) > 64) L.Err("/groups", "group nesting deeper than 64");
  }

  // ---- assignments ----
  if (L.List(doc, "assignments", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/assignments/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where, {"id", "principal", "role", "scope", "condition"},
                  {"id", "principal", "role", "scope"}, &o))
        continue;
      Assignment a;
      bool ok = L.Str(o["id"].value(), where + "/id", &a.id);
      ok &= principal(o["principal"].value(), where + "/principal", &a.principal);
      ok &= L.Str(o["role"].value(), where + "/role", &a.role);
      ok &= bundle_scope(o["scope"].value(), where + "/scope", &a.scope);
      azure_condition(o, where, &a.condition, &a.cond);
      if (!ok) continue;
      if (!ids.insert(a.id).second) L.Err(where + "/id", "duplicate id");
      auto it = ref->role_index_.find(a.role);
      if (it == ref->role_index_.end()) {
        L.Err(where + "/role", "unknown role");
      } else {
        const Role& r = b.roles[it->second];
        if (r.has_assignable_scopes) {
          bool inside = false;
          for (const std::string& s : r.assignable_scopes)
            if (ref->IsAncestorInHierarchy(s, a.scope)) inside = true;
          if (!inside) L.Err(where + "/scope", "outside the role's assignable_scopes");
        }
      }
      b.assignments.push_back(std::move(a));
    }
  }

  // ---- deny assignments ----
  if (L.List(doc, "deny_assignments", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/deny_assignments/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where,
                  {"id", "principals", "exclude_principals", "actions", "not_actions",
                   "data_actions", "not_data_actions", "scope", "apply_to_children", "condition"},
                  {"id", "principals", "scope"}, &o))
        continue;
      DenyAssignment d;
      bool ok = L.Str(o["id"].value(), where + "/id", &d.id);
      ok &= L.StrList(o["principals"].value(), where + "/principals", &d.principals);
      ok &= bundle_scope(o["scope"].value(), where + "/scope", &d.scope);
      element x;
      if (o["exclude_principals"].get(x) == simdjson::SUCCESS)
        principal_list(x, where + "/exclude_principals", &d.exclude_principals);
      patterns(o, "actions", where, &d.actions);
      patterns(o, "not_actions", where, &d.not_actions);
      patterns(o, "data_actions", where, &d.data_actions);
      patterns(o, "not_data_actions", where, &d.not_data_actions);
      if (o["apply_to_children"].get(x) == simdjson::SUCCESS)
        L.Bool(x, where + "/apply_to_children", &d.apply_to_children);
      azure_condition(o, where, &d.condition, &d.cond);
      if (!ok) continue;
      if (!ids.insert(d.id).second) L.Err(where + "/id", "duplicate id");
      b.deny_assignments.push_back(std::move(d));
    }
  }

  // ---- statements ----
  if (L.List(doc, "statements", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/statements/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where,
                  {"id", "principal", "effect", "actions", "resources", "not_actions",
                   "not_resources", "policy_version", "condition"},
                  {"id", "principal", "effect"}, &o))
        continue;
      Statement s;
      std::string effect;
      bool ok = L.Str(o["id"].value(), where + "/id", &s.id);
      ok &= principal(o["principal"].value(), where + "/principal", &s.principal);
      ok &= L.Str(o["effect"].value(), where + "/effect", &effect);
      if (ok && effect != "Allow" && effect != "Deny") {
        L.Err(where + "/effect", "must be Allow or Deny");
        ok = false;
      }
      s.allow = effect == "Allow";
      ok &= statement_body(o, where, &s);
      if (!ok) continue;
      if (!ids.insert(s.id).second) L.Err(where + "/id", "duplicate id");
      b.statements.push_back(std::move(s));
    }
  }

  // ---- clouds ----
  if (L.List(doc, "clouds", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/clouds/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where, {"id", "default_identity", "mappings"}, {"id"}, &o)) continue;
      Cloud c;
      if (!L.Str(o["id"].value(), where + "/id", &c.id)) continue;
      if (!ids.insert(c.id).second) L.Err(where + "/id", "duplicate id");
      element x;
      if (o["default_identity"].get(x) == simdjson::SUCCESS) {
        std::string di;
        if (principal(x, where + "/default_identity", &di)) c.default_identity = di;
      }
      if (o["mappings"].get(x) == simdjson::SUCCESS) {
        if (x.type() != element_type::ARRAY) {
          L.Err(where + "/mappings", "not an array");
        } else {
          size_t k = 0;
          std::set<std::string> rule_ids;
          std::set<std::string> keys;  // field set + values, for ambiguity
          array items = x.get_array().value();
          for (element m : items) {
            std::string mw = where + "/mappings/" + std::to_string(k++);
            object mo;
            if (!L.Keys(m, mw, {"id", "workload_type", "project", "user", "identity"},
                        {"id", "identity"}, &mo))
              continue;
            MappingRule r;
            bool ok = L.Str(mo["id"].value(), mw + "/id", &r.id);
            ok &= principal(mo["identity"].value(), mw + "/identity", &r.identity);
            element f;
            std::string v;
            if (mo["workload_type"].get(f) == simdjson::SUCCESS && L.Str(f, mw + "/workload_type", &v)) {
              if (v != "job" && v != "service" && v != "workspace")
                L.Err(mw + "/workload_type", "not job, service or workspace");
              r.workload_type = v;
            }
            if (mo["project"].get(f) == simdjson::SUCCESS && L.Str(f, mw + "/project", &v))
              r.project = v;
            if (mo["user"].get(f) == simdjson::SUCCESS && principal(f, mw + "/user", &v)) r.user = v;
            if (!ok) continue;
            if (r.id == "node_group" || r.id == "compute_config" || r.id == "cloud_default")
              L.Err(mw + "/id", "reserved mapping rule id");
            if (!rule_ids.insert(r.id).second) L.Err(mw + "/id", "duplicate id");
            std::string key = (r.workload_type ? "W" + *r.workload_type : "-") + '\x01' +
                              (r.project ? "P" + *r.project : "-") + '\x01' +
                              (r.user ? "U" + *r.user : "-");
            if (!keys.insert(key).second) L.Err(mw, "ambiguous mapping rule");
            c.mappings.push_back(std::move(r));
          }
        }
      }
      b.clouds.push_back(std::move(c));
    }
  }

  // ---- routes ----
  if (L.List(doc, "routes", &arr)) {
    size_t i = 0;
    std::set<std::string> ids;
    for (element e : arr) {
      std::string where = "/routes/" + std::to_string(i++);
      object o;
      if (!L.Keys(e, where, {"id", "method", "path", "action", "scope"},
                  {"id", "method", "path", "action", "scope"}, &o))
        continue;
      Route r;
      bool ok = L.Str(o["id"].value(), where + "/id", &r.id);
      ok &= L.Str(o["method"].value(), where + "/method", &r.method);
      ok &= L.Str(o["path"].value(), where + "/path", &r.path);
      ok &= L.Str(o["action"].value(), where + "/action", &r.action);
      ok &= L.Str(o["scope"].value(), where + "/scope", &r.scope);
      if (!ok) continue;
      if (!ids.insert(r.id).second) L.Err(where + "/id", "duplicate id");
      // An upper-case token: one or more of RFC 9110's tchar, lower-case
      // letters excepted.
      if (r.method != "*") {
        const std::string tchar_symbols = "!#$%&'*+-.^_`|~";
        bool token = !r.method.empty();
        for (char c : r.method)
          token &= (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   (c != '*' && tchar_symbols.find(c) != std::string::npos);
        if (!token) L.Err(where + "/method", "not * or an upper-case token");
      }
      if (ref->FindAction(r.action) == nullptr) L.Err(where + "/action", "not in the catalog");
      RE2::Options opts;
      opts.set_log_errors(false);
      auto re = std::make_unique<RE2>(r.path, opts);
      if (!re->ok()) {
        L.Err(where + "/path", "bad RE2 pattern: " + re->error());
      } else {
        // Placeholders must name captures; the template must yield a valid
        // scope (checked by filling every placeholder with "x").
        const std::map<std::string, int>& named = re->NamedCapturingGroups();
        if (re->CapturingGroupNames().size() != named.size())
          L.Err(where + "/path", "two capture groups share a name");
        std::string filled;
        size_t p = 0;
        while (p < r.scope.size()) {
          if (r.scope[p] == '{') {
            size_t close = r.scope.find('}', p);
            if (close == std::string::npos) {
              L.Err(where + "/scope", "unclosed {");
              break;
            }
            std::string name = r.scope.substr(p + 1, close - p - 1);
            if (!named.count(name)) L.Err(where + "/scope", "no capture named " + name);
            filled += "x";
            p = close + 1;
          } else {
            filled += r.scope[p++];
          }
        }
        if (!ScopeProblem(filled).empty() || filled.find('*') != std::string::npos)
          L.Err(where + "/scope", "template cannot yield a valid scope");
      }
      ref->route_res_.push_back(std::move(re));
      b.routes.push_back(std::move(r));
    }
  }

  // SPEC §12: no named scope more than 64 levels below "/" in the hierarchy.
  if (scope_parents_ok && !b.scope_parents.empty()) {
    std::vector<std::string> named;
    for (const ScopeParent& sp : b.scope_parents) {
      named.push_back(sp.scope);
      named.push_back(sp.parent);
    }
    for (const Assignment& a : b.assignments) named.push_back(a.scope);
    for (const DenyAssignment& d : b.deny_assignments) named.push_back(d.scope);
    for (const Role& r : b.roles)
      named.insert(named.end(), r.assignable_scopes.begin(), r.assignable_scopes.end());
    for (const std::string& sc : named)
      if (ref->Ancestors(sc).size() - 1 > 64) {
        L.Err("/scope_parents", "scope " + sc + " is more than 64 levels below /");
        break;
      }
  }

  if (!L.errors.empty()) {
    std::string all;
    for (const std::string& e : L.errors) all += e + "\n";
    *error = all;
    return nullptr;
  }
  return ref;
}

// =============================================================================
// Queries
// =============================================================================

const Action* Reference::FindAction(std::string_view action) const {
  // Catalog names are unique case-insensitively: index them by their
  // ASCII-lower-cased spelling.
  auto it = action_index_.find(AsciiLowerString(action));
  return it == action_index_.end() ? nullptr : &b_.actions[it->second];
}

std::vector<std::string> Reference::Closure(std::string_view principal,
                                           const std::vector<std::string>& groups) const {
  std::vector<std::string> P = Closure(principal);
  for (const std::string& g : groups)
    for (const std::string& m : Closure(g))
      if (std::find(P.begin(), P.end(), m) == P.end()) P.push_back(m);
  return P;
}

std::string Reference::ParentOf(std::string_view scope) const {
  auto it = parent_of_.find(AsciiLowerString(scope));
  if (it != parent_of_.end()) return it->second;
  if (scope == "/") return "/";
  size_t slash = scope.rfind('/');
  return slash == 0 ? std::string("/") : std::string(scope.substr(0, slash));
}

std::vector<std::string> Reference::Ancestors(std::string_view scope) const {
  // Self, then parent after parent up to "/". A repeated scope (possible only
  // while loading a bundle whose cycle is being reported) ends the walk.
  std::vector<std::string> chain{std::string(scope)};
  std::set<std::string> seen{AsciiLowerString(scope)};
  while (chain.back() != "/") {
    std::string up = ParentOf(chain.back());
    if (!seen.insert(AsciiLowerString(up)).second) break;
    chain.push_back(up);
  }
  return chain;
}

int Reference::Distance(std::string_view ancestor, std::string_view scope) const {
  std::vector<std::string> chain = Ancestors(scope);
  for (size_t k = 0; k < chain.size(); ++k)
    if (ScopeEquals(chain[k], ancestor)) return static_cast<int>(k);
  return -1;
}

bool Reference::IsAncestorInHierarchy(std::string_view a, std::string_view b) const {
  return Distance(a, b) >= 0;
}

std::vector<std::string> Reference::Closure(std::string_view principal) const {
  // BFS upwards: a group joins P when one of its members is in P.
  std::vector<std::string> P{std::string(principal)};
  std::deque<std::string> queue{std::string(principal)};
  while (!queue.empty()) {
    std::string cur = queue.front();
    queue.pop_front();
    for (const Group& g : b_.groups) {
      if (std::find(g.members.begin(), g.members.end(), cur) == g.members.end()) continue;
      if (std::find(P.begin(), P.end(), g.id) != P.end()) continue;
      P.push_back(g.id);
      queue.push_back(g.id);
    }
  }
  return P;
}

namespace {

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view name) {
  for (const std::string& p : patterns)
    if (GlobMatch(p, name, /*ignore_case=*/true)) return true;
  return false;
}

// The control/data split of roles and deny assignments (SPEC §2, §3 steps 4
// and 6): a control action is covered through actions minus not_actions, a data
// action through data_actions minus not_data_actions. A pattern in the list of
// the other kind never reaches it (a literal of the wrong kind "applies to
// nothing"; `*` in `actions` never reaches a data action).
bool Covers(const std::vector<std::string>& actions, const std::vector<std::string>& not_actions,
            const std::vector<std::string>& data_actions,
            const std::vector<std::string>& not_data_actions, const Action& a) {
  if (a.data) return AnyGlob(data_actions, a.name) && !AnyGlob(not_data_actions, a.name);
  return AnyGlob(actions, a.name) && !AnyGlob(not_actions, a.name);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool AnyIn(const std::vector<std::string>& v, const std::vector<std::string>& P) {
  for (const std::string& p : P)
    if (Contains(v, p)) return true;
  return false;
}

Answer Deny(std::string reason) {
  Answer a;
  a.allowed = false;
  a.reason = std::move(reason);
  return a;
}

}  // namespace

bool Reference::GroupsValid(const std::vector<std::string>& groups) {
  // SPEC §13: at most 1,024, none empty.
  if (groups.size() > 1024) return false;
  for (const std::string& g : groups)
    if (g.empty()) return false;
  return true;
}

bool Reference::RoleCovers(const Role& r, const Action& a) const {
  for (const PermissionBlock& blk : r.blocks)
    if (Covers(blk.actions, blk.not_actions, blk.data_actions, blk.not_data_actions, a)) return true;
  return false;
}

bool Reference::EffectiveAt(const Action& a, std::string_view scope) {
  if (!a.has_effective_only_at) return true;
  std::vector<std::string> s = ScopeSegments(scope);
  for (const std::string& pattern : a.effective_only_at) {
    std::vector<std::string> p = ScopeSegments(pattern);
    if (p.size() != s.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i] != "*" && !EqualsIgnoreAsciiCase(p[i], s[i])) ok = false;
    if (ok) return true;
  }
  return false;
}

Reference::GrantProbe Reference::ProbeAssignment(const Assignment& as, const Action& act,
                                                 const RefContext& ctx) const {
  // SPEC §10: an action is covered when some block covers it (each block's
  // not_ lists subtracting from that block only); the grant needs the
  // assignment's condition and that block's condition.
  GrantProbe g;
  auto it = role_index_.find(as.role);
  if (it == role_index_.end()) return g;
  const bool assignment_holds = !as.cond || as.cond->Holds(ctx, act.name);
  for (const PermissionBlock& blk : b_.roles[it->second].blocks) {
    if (!Covers(blk.actions, blk.not_actions, blk.data_actions, blk.not_data_actions, act))
      continue;
    g.covers = true;
    if (assignment_holds && (!blk.cond || blk.cond->Holds(ctx, act.name))) g.conditions_hold = true;
  }
  g.effective = EffectiveAt(act, as.scope);
  return g;
}

bool Reference::StatementTargets(const Statement& s, const std::vector<std::string>& P,
                                 const Action& act, std::string_view resource,
                                 const RefContext& ctx) const {
  // Principal, action and resource, ignoring the condition. The SPEC's
  // wrong-kind rule names roles and deny assignments only, so a statement's
  // action patterns cover catalog actions of either kind. `not_actions`:
  // every catalog action none of the patterns matches; `not_resources`
  // likewise (SPEC §11).
  if (!Contains(P, s.principal)) return false;
  const bool listed = AnyGlob(s.has_not_actions ? s.not_actions : s.actions, act.name);
  if (listed == s.has_not_actions) return false;
  bool any = false;
  for (const auto& rp : s.patterns) any = any || rp->Matches(resource, ctx);
  return any != s.has_not_resources;
}

Answer Reference::Check(std::string_view principal, std::string_view action,
                        std::string_view resource) const {
  return Check(principal, action, resource, RefQueryExtras{});
}

Answer Reference::Check(std::string_view principal, std::string_view action,
                        std::string_view resource, const RefQueryExtras& extras) const {
  // Step 1: bad input.
  if (principal.empty()) return Deny("invalid_input");
  if (resource.empty() || resource.size() > 4096 || HasControlChar(resource))
    return Deny("invalid_input");
  // Not in §3.1's list, but §2 makes every string valid UTF-8 and a lone
  // 0x80-0x9F byte may well be meant as a C1 control: the safer reading is
  // to reject a resource that is not valid UTF-8 as bad input (the engine
  // agrees).
  if (!IsValidUtf8(resource)) return Deny("invalid_input");
  const bool is_scope = resource[0] == '/';
  if (is_scope && !ScopeProblem(resource).empty()) return Deny("invalid_input");
  // §10 context limits and §13 asserted groups.
  RefContext ctx;
  if (!BuildContext(extras.context, &ctx) || !GroupsValid(extras.groups))
    return Deny("invalid_input");

  // Step 2: the closed catalog.
  const Action* act = FindAction(action);
  if (act == nullptr) return Deny("unknown_action");

  // Step 3: P, with the asserted groups.
  const std::vector<std::string> P = Closure(principal, extras.groups);

  // Scope resources only: the ancestors-or-self in the §12 hierarchy, the
  // resource first, so an index is the distance up from the resource.
  const std::vector<std::string> chain =
      is_scope ? Ancestors(resource) : std::vector<std::string>{};
  auto distance = [&](const std::string& scope) -> int {
    for (size_t k = 0; k < chain.size(); ++k)
      if (ScopeEquals(chain[k], scope)) return static_cast<int>(k);
    return -1;
  };

  // Step 4: deny assignments. Explain: the one closest to the resource
  // ("deepest", §12), ties by bundle order.
  const DenyAssignment* deny = nullptr;
  int deny_dist = 0;
  for (const DenyAssignment& d : b_.deny_assignments) {
    int dist = distance(d.scope);
    if (dist < 0 || (!d.apply_to_children && dist != 0)) continue;
    bool who = Contains(d.principals, "*") || AnyIn(d.principals, P);
    if (!who || AnyIn(d.exclude_principals, P)) continue;
    if (!Covers(d.actions, d.not_actions, d.data_actions, d.not_data_actions, *act)) continue;
    if (d.cond && !d.cond->Holds(ctx, act->name)) continue;  // falls through
    if (deny == nullptr || dist < deny_dist) {
      deny = &d;
      deny_dist = dist;
    }
  }
  if (deny != nullptr) {
    Answer a = Deny("deny_assignment");
    a.rule_kind = "deny_assignment";
    a.rule = deny->id;
    return a;
  }

  // Step 5: Deny statements, first in bundle order.
  for (const Statement& s : b_.statements) {
    if (!s.allow && StatementTargets(s, P, *act, resource, ctx) &&
        (!s.cond || s.cond->Holds(ctx))) {
      Answer a = Deny("deny_statement");
      a.rule_kind = "statement";
      a.rule = s.id;
      return a;
    }
  }

  // Step 6: grants from assignments, closest to the resource first.
  const Assignment* grant = nullptr;
  int grant_dist = 0;
  bool failed_effective = false;  // counted (conditions hold) but not effective here
  bool failed_condition = false;  // would grant here but for a condition
  for (const Assignment& as : b_.assignments) {
    if (!Contains(P, as.principal)) continue;
    int dist = distance(as.scope);
    if (dist < 0) continue;
    GrantProbe g = ProbeAssignment(as, *act, ctx);
    if (!g.covers) continue;
    if (!g.conditions_hold) {
      if (g.effective) failed_condition = true;
      continue;
    }
    if (!g.effective) {
      failed_effective = true;
      continue;
    }
    if (grant == nullptr || dist < grant_dist) {
      grant = &as;
      grant_dist = dist;
    }
  }
  if (grant != nullptr) {
    Answer a;
    a.allowed = true;
    a.reason = "grant";
    a.rule_kind = "assignment";
    a.rule = grant->id;
    return a;
  }

  // Step 7: Allow statements, never for an action with effective_only_at.
  if (!act->has_effective_only_at) {
    for (const Statement& s : b_.statements) {
      if (!s.allow || !StatementTargets(s, P, *act, resource, ctx)) continue;
      if (s.cond && !s.cond->Holds(ctx)) {
        failed_condition = true;
        continue;
      }
      Answer a;
      a.allowed = true;
      a.reason = "statement";
      a.rule_kind = "statement";
      a.rule = s.id;
      return a;
    }
  }

  // Step 8.
  if (failed_effective) return Deny("not_effective_at_scope");
  if (failed_condition) return Deny("condition_not_met");
  return Deny("no_grant");
}

Resolution Reference::Resolve(std::string_view cloud, std::string_view workload_type,
                              std::string_view project, std::string_view user,
                              std::string_view compute_config_identity,
                              std::string_view node_group_identity) const {
  Resolution r;
  const Cloud* c = nullptr;
  for (const Cloud& x : b_.clouds)
    if (x.id == cloud) c = &x;
  if (c == nullptr) {
    r.error = "unknown_cloud";  // overrides or not
    return r;
  }
  r.error = "none";
  if (!node_group_identity.empty()) {
    r.identity = std::string(node_group_identity);
    r.source = "node_group";
    return r;
  }
  if (!compute_config_identity.empty()) {
    r.identity = std::string(compute_config_identity);
    r.source = "compute_config";
    return r;
  }
  const MappingRule* best = nullptr;
  int best_spec = -1;
  for (const MappingRule& m : c->mappings) {
    if (m.workload_type && *m.workload_type != workload_type) continue;
    if (m.project && *m.project != project) continue;
    if (m.user && *m.user != user) continue;
    int spec = (m.user ? 4 : 0) + (m.project ? 2 : 0) + (m.workload_type ? 1 : 0);
    if (spec > best_spec) {  // equal specificity cannot happen in a valid bundle
      best = &m;
      best_spec = spec;
    }
  }
  if (best != nullptr) {
    r.identity = best->identity;
    r.source = best->id;
    return r;
  }
  if (c->default_identity) {
    r.identity = *c->default_identity;
    r.source = "cloud_default";
    return r;
  }
  r.error = "no_identity";
  return r;
}

WorkloadAnswer Reference::CheckWorkload(std::string_view cloud, std::string_view workload_type,
                                        std::string_view project, std::string_view user,
                                        std::string_view compute_config_identity,
                                        std::string_view node_group_identity,
                                        std::string_view action,
                                        std::string_view resource) const {
  return CheckWorkload(cloud, workload_type, project, user, compute_config_identity,
                       node_group_identity, action, resource, RefQueryExtras{});
}

WorkloadAnswer Reference::CheckWorkload(std::string_view cloud, std::string_view workload_type,
                                        std::string_view project, std::string_view user,
                                        std::string_view compute_config_identity,
                                        std::string_view node_group_identity,
                                        std::string_view action, std::string_view resource,
                                        const RefQueryExtras& extras) const {
  WorkloadAnswer w;
  w.resolution = Resolve(cloud, workload_type, project, user, compute_config_identity,
                         node_group_identity);
  // "makes the query invalid_input" (§10, §13): the whole query, before the
  // identity's own errors.
  RefContext ctx;
  if (!BuildContext(extras.context, &ctx) || !GroupsValid(extras.groups)) {
    w.check = Deny("invalid_input");
    return w;
  }
  if (w.resolution.error != "none") {
    w.check = Deny(w.resolution.error);
    return w;
  }
  w.check = Check(w.resolution.identity, action, resource, extras);
  return w;
}

RequestAnswer Reference::CheckRequest(std::string_view principal, std::string_view method,
                                      std::string_view target) const {
  return CheckRequest(principal, method, target, RefQueryExtras{});
}

RequestAnswer Reference::CheckRequest(std::string_view principal, std::string_view method,
                                      std::string_view target,
                                      const RefQueryExtras& extras) const {
  RequestAnswer out;
  // "makes the query invalid_input" (§10, §13): the whole query, before
  // routing.
  RefContext ctx;
  if (!BuildContext(extras.context, &ctx) || !GroupsValid(extras.groups)) {
    out.check = Deny("invalid_input");
    return out;
  }
  auto bad_path = [&]() {
    out.check = Deny("bad_path");
    return out;
  };

  // §5.1: the path is the target up to the first '?' or '#'.
  std::string_view path = target.substr(0, std::min(target.find('?'), target.find('#')));
  if (path.size() > 4096) return bad_path();

  // Decode percent-escapes once.
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      decoded += path[i];
      continue;
    }
    if (i + 2 >= path.size()) return bad_path();  // truncated escape
    int hi = hex(path[i + 1]), lo = hex(path[i + 2]);
    if (hi < 0 || lo < 0) return bad_path();
    unsigned char c = static_cast<unsigned char>(hi * 16 + lo);
    if (c == '/' || c == '\\' || c < 0x20 || c == 0x7F) return bad_path();
    decoded += static_cast<char>(c);
    i += 2;
  }

  // Checks on the decoded path.
  if (!IsValidUtf8(decoded)) return bad_path();
  if (decoded.empty() || decoded[0] != '/') return bad_path();
  if (decoded.find('\\') != std::string::npos) return bad_path();
  if (HasControlChar(decoded)) return bad_path();  // includes NUL
  {
    std::vector<std::string> segs = ScopeSegments(decoded);  // "/" -> {}
    for (size_t k = 0; k < segs.size(); ++k) {
      if (segs[k] == "." || segs[k] == "..") return bad_path();
      if (segs[k].empty() && k + 1 != segs.size()) return bad_path();  // only a final '/'
    }
  }

  // §5.2: the first route whose method and whole-path pattern match. An
  // empty method is no method at all (§9 makes it an invalid query line), so
  // not even a `*` route takes it: the safer reading, and the engine's.
  for (size_t ri = 0; ri < b_.routes.size(); ++ri) {
    const Route& r = b_.routes[ri];
    if (method.empty()) break;
    if (r.method != "*" && r.method != method) continue;
    const RE2& re = *route_res_[ri];
    int n = re.NumberOfCapturingGroups();
    std::vector<re2::StringPiece> sub(n + 1);
    if (!re.Match(decoded, 0, decoded.size(), RE2::ANCHOR_BOTH, sub.data(), n + 1)) continue;

    // The route is reached: report it (and its action as the bundle spells
    // it) even when a capture is bad below; the scope only once filled.
    out.route = r.id;
    out.action = r.action;
    // §5.3 and §9: every named capture non-empty and without '/'; one that did
    // not take part counts as empty.
    std::map<std::string, std::string> values;
    for (const auto& [name, idx] : re.NamedCapturingGroups()) {
      const re2::StringPiece& sp = sub[idx];
      if (sp.data() == nullptr || sp.empty()) return bad_path();
      std::string v(sp.data(), sp.size());
      if (v.find('/') != std::string::npos) return bad_path();
      values[name] = v;
    }
    std::string scope;
    for (size_t p = 0; p < r.scope.size();) {
      if (r.scope[p] == '{') {
        size_t close = r.scope.find('}', p);
        scope += values[r.scope.substr(p + 1, close - p - 1)];
        p = close + 1;
      } else {
        scope += r.scope[p++];
      }
    }
    out.resource = scope;
    // §5.4. A capture such as "." or ".." (possible when a capture is only
    // part of a segment) makes the filled scope invalid: §5.3 names only empty
    // captures and '/' as bad_path, so check() answers invalid_input.
    out.check = Check(principal, r.action, scope, extras);
    return out;
  }
  out.check = Deny("no_route");
  return out;
}

}  // namespace rolegate_ref
