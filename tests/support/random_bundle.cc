// tests/support/random_bundle.cc — see random_bundle.h.
#include "support/random_bundle.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

namespace rolegate_ref {
namespace {

// =============================================================================
// A tiny JSON tree that keeps key order (and allows duplicate keys, which the
// invalid-bundle mutations need).
// =============================================================================
struct J {
  enum Kind { kNull, kBool, kInt, kStr, kArr, kObj } kind = kNull;
  bool b = false;
  int64_t i = 0;
  std::string s;
  std::vector<J> items;
  std::vector<std::pair<std::string, J>> fields;

  // Special members and member functions are defined below the struct: J
  // must be complete before std::pair<std::string, J> is (clang insists).
  J();
  J(const J&);
  J(J&&) noexcept;
  J& operator=(const J&);
  J& operator=(J&&) noexcept;
  ~J();
  static J Str(std::string v);
  static J Int(int64_t v);
  static J Bool(bool v);
  static J Arr();
  static J Obj();
  static J StrList(const std::vector<std::string>& v);
  J& Push(J v);
  J& Set(std::string k, J v);
  J* Get(const std::string& k);
};

J::J() = default;
J::J(const J&) = default;
J::J(J&&) noexcept = default;
J& J::operator=(const J&) = default;
J& J::operator=(J&&) noexcept = default;
J::~J() = default;

J J::Str(std::string v) {
  J j;
  j.kind = kStr;
  j.s = std::move(v);
  return j;
}
J J::Int(int64_t v) {
  J j;
  j.kind = kInt;
  j.i = v;
  return j;
}
J J::Bool(bool v) {
  J j;
  j.kind = kBool;
  j.b = v;
  return j;
}
J J::Arr() {
  J j;
  j.kind = kArr;
  return j;
}
J J::Obj() {
  J j;
  j.kind = kObj;
  return j;
}
J J::StrList(const std::vector<std::string>& v) {
  J j = Arr();
  for (const std::string& x : v) j.items.push_back(Str(x));
  return j;
}
J& J::Push(J v) {
  items.push_back(std::move(v));
  return *this;
}
J& J::Set(std::string k, J v) {
  fields.emplace_back(std::move(k), std::move(v));
  return *this;
}
J* J::Get(const std::string& k) {
  for (auto& kv : fields)
    if (kv.first == k) return &kv.second;
  return nullptr;
}

// When set, non-ASCII characters are written as \uXXXX escapes (surrogate
// pairs above U+FFFF) and '/' as "\/", to exercise the engine's JSON parser.
bool g_escape_json = false;

void DumpString(const std::string& s, std::string* out) {
  *out += '"';
  for (size_t k = 0; k < s.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (g_escape_json && c >= 0xC0) {
      size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[k + i]) & 0x3F);
      auto u = [&](uint32_t v) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", v);
        *out += buf;
      };
      if (cp >= 0x10000) {
        u(0xD800 + ((cp - 0x10000) >> 10));
        u(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        u(cp);
      }
      k += len - 1;
      continue;
    }
    if (g_escape_json && c == '/') {
      *out += "\\/";
      continue;
    }
    if (c == '"') {
      *out += "\\\"";
    } else if (c == '\\') {
      *out += "\\\\";
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      *out += "\\u00";
      *out += hex[c >> 4];
      *out += hex[c & 15];
    } else {
      *out += static_cast<char>(c);
    }
  }
  *out += '"';
}

void Dump(const J& j, std::string* out, int depth) {
  switch (j.kind) {
    case J::kNull: *out += "null"; break;
    case J::kBool: *out += j.b ? "true" : "false"; break;
    case J::kInt: *out += std::to_string(j.i); break;
    case J::kStr: DumpString(j.s, out); break;
    case J::kArr: {
      // Top-level lists one entry per line, so a failing bundle stays readable.
      bool lines = depth == 1;
      *out += '[';
      for (size_t k = 0; k < j.items.size(); ++k) {
        if (k) *out += ',';
        if (lines) *out += "\n    ";
        Dump(j.items[k], out, depth + 1);
      }
      if (lines && !j.items.empty()) *out += "\n  ";
      *out += ']';
      break;
    }
    case J::kObj: {
      bool lines = depth == 0;
      *out += '{';
      for (size_t k = 0; k < j.fields.size(); ++k) {
        if (k) *out += ", ";
        if (lines) *out += "\n  ";
        DumpString(j.fields[k].first, out);
        *out += ": ";
        Dump(j.fields[k].second, out, depth + 1);
      }
      if (lines) *out += "\n";
      *out += '}';
      break;
    }
  }
}

std::string DumpJson(const J& j) {
  std::string out;
  Dump(j, &out, 0);
  out += '\n';
  return out;
}

// UTF-8 characters of a string, one string per code point (invalid bytes alone).
std::vector<std::string> Chars(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (i + len > s.size()) len = 1;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t k = 0; k < v.size(); ++k) {
    if (k) out += sep;
    out += v[k];
  }
  return out;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    if (p == std::string::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, p - start));
    start = p + 1;
  }
}

// Non-ASCII letters that ASCII case folding must NOT treat as equal.
const char* kUpperLower[][2] = {{"\xc3\x9c", "\xc3\xbc"},   // Ü ü
                                {"\xc3\x89", "\xc3\xa9"},   // É é
                                {"\xc3\x8f", "\xc3\xaf"}};  // Ï ï

std::string UnicodeRecase(const std::string& s) {
  std::string out;
  for (const std::string& ch : Chars(s)) {
    std::string c = ch;
    for (auto& ul : kUpperLower) {
      if (ch == ul[0]) c = ul[1];
      if (ch == ul[1]) c = ul[0];
    }
    out += c;
  }
  return out;
}

// =============================================================================
// The bundle generator
// =============================================================================

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed * 0x9E3779B97F4A7C15ull + 12345) {
    big_ = Chance(0.15);  // a larger bundle: over 64 actions, many rules
  }

  size_t Pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T>
  const T& One(const std::vector<T>& v) { return v[Pick(v.size())]; }

  std::string Recase(const std::string& s) {
    if (Chance(0.4)) return s;
    std::string out = s;
    int mode = static_cast<int>(Pick(3));
    for (char& c : out) {
      bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!letter) continue;
      bool up = mode == 0 ? true : mode == 1 ? false : Chance(0.5);
      if (mode == 2 && !Chance(0.4)) continue;
      c = up ? static_cast<char>(c & ~0x20) : static_cast<char>(c | 0x20);
    }
    return out;
  }

  J Build(std::vector<std::string>* sample_targets);

 private:
  void MakeScopes();
  void MakeCatalog(J* top);
  std::string ActionPattern(int kind);  // 0 control, 1 data, 2 any
  J PatternList(int kind, size_t max) {
    std::vector<std::string> v;
    size_t n = 1 + Pick(max);
    for (size_t k = 0; k < n; ++k) v.push_back(ActionPattern(kind));
    return J::StrList(v);
  }
  std::string ResourcePattern();
  std::string Scope() { return Recase(One(nodes_)); }
  std::string RulePrincipal() {
    if (Chance(0.05)) return "user:only-here";
    return One(pool_);
  }

  std::mt19937_64 rng_;
  bool big_ = false;
  // n scaled up for big bundles.
  size_t Size(size_t small, size_t big) { return big_ ? big : small; }
  std::vector<std::string> nodes_;  // scope tree, canonical spelling; [0] = "/"
  struct Act {
    std::string name;
    bool data;
  };
  std::vector<Act> acts_;
  std::vector<std::string> pool_;        // principals for rules
  std::vector<std::string> identities_;  // identities clouds resolve to
};

const std::vector<std::string> kSegments = {
    "subscriptions", "s1", "S2", "resourceGroups", "rg1", "Prod", "providers",
    "Anyscale.Platform", "clouds", "c1", "c10", "projects", "p1", "jobs", "j9",
    "\xc3\x9cn\xc3\xaf", "\xc3\xbcn\xc3\xaf", "x", "X1", "caf\xc3\xa9", "a.b", "..x", "-", "x\xf0\x9f\x98\x80"};

const std::vector<std::string> kResourceArns = {
    "arn:aws:secretsmanager:us-west-2:123:secret:gh-token-AbC",
    "arn:aws:secretsmanager:us-west-2:123:secret:prod-db-1",
    "arn:aws:s3:::bucket/Key/\xc3\xa9.txt", "arn:aws:s3:::Bucket/key", "arn:aws:s3:::bucket/a/b/c",
    "arn:aws:s3:::bucket/\xf0\x9f\x98\x80"};

void Gen::MakeScopes() {
  nodes_ = {"/"};
  std::set<std::string> seen{"/"};
  size_t want = 6 + Pick(Size(14, 50));
  for (int attempt = 0; attempt < 1000 && nodes_.size() < want; ++attempt) {
    const std::string parent = One(nodes_);
    if (ScopeSegments(parent).size() >= 7) continue;
    std::string child = parent == "/" ? "" : parent;
    size_t n = 1 + Pick(2);
    for (size_t k = 0; k < n; ++k) child += "/" + One(kSegments);
    if (seen.insert(AsciiLowerString(child)).second) nodes_.push_back(child);
  }
  if (Chance(0.05)) {  // a scope at the 64-segment limit
    std::string deep = nodes_.back() == "/" ? "" : nodes_.back();
    while (ScopeSegments(deep.empty() ? "/" : deep).size() < 64) deep += "/d";
    nodes_.push_back(deep);
  }
}

void Gen::MakeCatalog(J* top) {
  const std::vector<std::string> providers = {"Anyscale.Platform", "Microsoft.Compute",
                                              "Prov.\xc3\x9c", "prov.\xc3\xbc", "svc"};
  const std::vector<std::string> resources = {"clouds", "projects", "jobs", "vaults/keys",
                                              "secrets", "clouds/projects/jobs", "logs"};
  const std::vector<std::string> verbs = {"read", "write", "delete", "action", "list", "Read",
                                          "start", "stop"};
  const std::vector<std::string> aws = {"secretsmanager:GetSecretValue",
                                        "secretsmanager:DescribeSecret", "s3:GetObject",
                                        "s3:PutObject", "sts:AssumeRole"};
  size_t want = big_ ? 65 + Pick(150) : 5 + Pick(36);
  std::set<std::string> seen;
  J list = J::Arr();
  for (int attempt = 0; attempt < 3000 && acts_.size() < want; ++attempt) {
    std::string name = Chance(0.8) ? One(providers) + "/" + One(resources) + "/" + One(verbs)
                                   : One(aws);
    if (!seen.insert(AsciiLowerString(name)).second) continue;
    Act a{name, Chance(0.25)};
    J o = J::Obj();
    o.Set("name", J::Str(name));
    if (a.data)
      o.Set("data", J::Bool(true));
    else if (Chance(0.1))
      o.Set("data", J::Bool(false));
    if (Chance(0.12)) {
      std::vector<std::string> pats;
      if (!Chance(0.25)) {
        size_t n = 1 + Pick(2);
        for (size_t k = 0; k < n; ++k) {
          std::vector<std::string> segs = ScopeSegments(One(nodes_));
          for (std::string& s : segs)
            if (Chance(0.4)) s = "*";
          pats.push_back(Recase("/" + Join(segs, "/")));
        }
      }
      o.Set("effective_only_at", J::StrList(pats));
    }
    acts_.push_back(a);
    list.Push(std::move(o));
  }
  top->Set("actions", std::move(list));
}

std::string Gen::ActionPattern(int kind) {
  // Prefer actions of the wanted kind; sometimes take the other kind on purpose.
  std::vector<const Act*> same, any;
  for (const Act& a : acts_) {
    any.push_back(&a);
    if (kind == 2 || (kind == 1) == a.data) same.push_back(&a);
  }
  const Act* base = (!same.empty() && Chance(0.85)) ? One(same) : One(any);
  const std::string& n = base->name;
  std::vector<std::string> ch = Chars(n);
  size_t r = Pick(100);
  if (r < 35) return Chance(0.5) ? Recase(n) : n;  // literal, in the catalog
  std::string p;
  if (r < 42) {
    p = "*";
  } else if (r < 55) {  // prefix*
    size_t k = Pick(ch.size() + 1);
    p = Join(std::vector<std::string>(ch.begin(), ch.begin() + k), "") + "*";
  } else if (r < 65) {  // *suffix
    size_t slash = n.find_last_of("/:");
    p = "*" + (slash == std::string::npos ? n.substr(n.size() / 2) : n.substr(slash));
  } else if (r < 75) {  // one segment replaced by *
    std::vector<std::string> segs = Split(n, '/');
    segs[Pick(segs.size())] = "*";
    p = Join(segs, "/");
  } else if (r < 88) {  // one or two characters replaced by ?
    size_t times = 1 + Pick(2);
    for (size_t t = 0; t < times; ++t) ch[Pick(ch.size())] = "?";
    p = Join(ch, "");
  } else if (r < 94) {  // a run replaced by *, plus a ?
    size_t i = Pick(ch.size()), j = i + Pick(ch.size() - i + 1);
    std::vector<std::string> out(ch.begin(), ch.begin() + i);
    out.push_back("*");
    out.insert(out.end(), ch.begin() + j, ch.end());
    if (out.size() > 1 && Chance(0.5)) out[Pick(out.size())] = "?";
    p = Join(out, "");
  } else {  // matches nothing (a warning, never an error)
    p = Chance(0.5) ? "Nope.*" : "*/nothing?";
  }
  if (p.find('*') == std::string::npos && p.find('?') == std::string::npos) p += "*";
  return Chance(0.3) ? Recase(p) : p;
}

std::string Gen::ResourcePattern() {
  size_t r = Pick(100);
  if (r < 40) {
    std::string a = One(kResourceArns);
    std::vector<std::string> ch = Chars(a);
    size_t k = Pick(100);
    if (k < 25) return a;
    if (k < 50) return Join(std::vector<std::string>(ch.begin(), ch.begin() + Pick(ch.size() + 1)), "") + "*";
    if (k < 70) {
      for (int t = 0; t < 2; ++t) ch[Pick(ch.size())] = "?";
      return Join(ch, "");
    }
    if (k < 90) {
      size_t i = Pick(ch.size()), j = i + Pick(ch.size() - i + 1);
      std::vector<std::string> out(ch.begin(), ch.begin() + i);
      out.push_back("*");
      out.insert(out.end(), ch.begin() + j, ch.end());
      return Join(out, "");
    }
    return Chance(0.5) ? "*" : "arn:aws:s3:::bucket/*";
  }
  std::string s = Scope();
  size_t k = Pick(100);
  if (k < 25) return s;
  if (k < 55) return (s == "/" ? "" : s) + "/*";
  if (k < 65) return s + "*";
  if (k < 80) {
    std::vector<std::string> ch = Chars(s);
    if (ch.size() > 1) ch[1 + Pick(ch.size() - 1)] = "?";
    return Join(ch, "");
  }
  if (k < 85) return "/*";
  std::vector<std::string> segs = ScopeSegments(s);
  if (segs.empty()) return "/*";
  segs[Pick(segs.size())] = "*";
  return "/" + Join(segs, "/");
}

J Gen::Build(std::vector<std::string>* sample_targets) {
  J top = J::Obj();
  top.Set("version", J::Int(1));
  MakeScopes();
  MakeCatalog(&top);

  // ---- principals and groups ----
  const std::vector<std::string> users = {"user:alice", "user:Alice", "user:bob", "sa:launcher",
                                          "user:\xc3\xbcn\xc3\xaf", "user:carol"};
  const std::vector<std::string> arns = {"arn:aws:iam::1:role/r0", "arn:aws:iam::1:role/R0",
                                         "arn:aws:iam::1:role/r1", "arn:aws:iam::1:role/r2"};
  pool_ = users;
  pool_.insert(pool_.end(), arns.begin(), arns.end());
  identities_ = arns;
  identities_.push_back("user:alice");

  size_t ngroups = Pick(Size(7, 16));
  std::vector<int> height;
  J groups = J::Arr();
  for (size_t g = 0; g < ngroups; ++g) {
    std::string id = "grp:g" + std::to_string(g);
    std::vector<std::string> members;
    size_t n = Pick(4);
    for (size_t k = 0; k < n; ++k) members.push_back(Chance(0.5) ? One(users) : One(arns));
    if (g > 0 && Chance(0.1)) members.push_back("GRP:g0");  // not the group: case-sensitive
    int h = 1;
    for (size_t sub = 0; sub < g; ++sub) {
      if (!Chance(0.35) || height[sub] + 1 > 4) continue;
      members.push_back("grp:g" + std::to_string(sub));
      h = std::max(h, height[sub] + 1);
    }
    std::shuffle(members.begin(), members.end(), rng_);
    height.push_back(h);
    J o = J::Obj();
    o.Set("id", J::Str(id));
    if (!members.empty() || Chance(0.5)) o.Set("members", J::StrList(members));
    groups.Push(std::move(o));
    pool_.push_back(id);
  }
  // Declaration order is free: a group may name one declared after it.
  std::shuffle(groups.items.begin(), groups.items.end(), rng_);
  if (Chance(0.03)) {
    // Exactly 64 groups above user:deep: the deepest nesting the default
    // limit allows; the top of the chain holds assignments below.
    for (int k = 0; k < 64; ++k) {
      J gr = J::Obj();
      gr.Set("id", J::Str("chain:" + std::to_string(k)));
      gr.Set("members", J::StrList({k == 0 ? std::string("user:deep") : "chain:" + std::to_string(k - 1)}));
      groups.Push(std::move(gr));
    }
    pool_.push_back("chain:63");
    pool_.push_back("chain:63");
    ngroups += 64;
  }
  if (Chance(0.03)) pool_.push_back("user:" + std::string(4091, 'L'));  // a 4096-byte principal
  if (ngroups || Chance(0.3)) top.Set("groups", std::move(groups));

  // ---- roles ----
  struct RoleInfo {
    std::string id;
    bool has_scopes;
    std::vector<std::string> scopes;
  };
  std::vector<RoleInfo> roles;
  J rlist = J::Arr();
  size_t nroles = 1 + Pick(Size(8, 20));
  for (size_t r = 0; r < nroles; ++r) {
    RoleInfo info{"role-" + std::to_string(r), false, {}};
    J o = J::Obj();
    o.Set("id", J::Str(info.id));
    if (Chance(0.3)) o.Set("name", J::Str(Chance(0.3) ? "" : "Role " + std::to_string(r)));
    if (Chance(0.85)) o.Set("actions", PatternList(0, 3));
    if (Chance(0.3)) o.Set("not_actions", PatternList(0, 2));
    if (Chance(0.5)) o.Set("data_actions", PatternList(1, 2));
    if (Chance(0.2)) o.Set("not_data_actions", PatternList(1, 1));
    if (Chance(0.3)) {
      info.has_scopes = true;
      if (!Chance(0.15)) {
        size_t n = 1 + Pick(2);
        for (size_t k = 0; k < n; ++k) info.scopes.push_back(Scope());
      }
      o.Set("assignable_scopes", J::StrList(info.scopes));
    }
    roles.push_back(info);
    rlist.Push(std::move(o));
  }
  top.Set("roles", std::move(rlist));

  // ---- assignments ----
  J alist = J::Arr();
  size_t nassign = Pick(Size(26, 120));
  for (size_t a = 0; a < nassign; ++a) {
    const RoleInfo& role = One(roles);
    if (role.has_scopes && role.scopes.empty()) continue;  // assignable nowhere
    std::vector<std::string> candidates;
    for (const std::string& n : nodes_) {
      bool ok = !role.has_scopes;
      for (const std::string& s : role.scopes)
        if (IsAncestorOrSelf(s, n)) ok = true;
      if (ok) candidates.push_back(n);
    }
    if (candidates.empty()) continue;
    J o = J::Obj();
    o.Set("id", J::Str("a" + std::to_string(a)));
    o.Set("principal", J::Str(RulePrincipal()));
    o.Set("role", J::Str(role.id));
    o.Set("scope", J::Str(Recase(One(candidates))));
    alist.Push(std::move(o));
  }
  if (!alist.items.empty() || Chance(0.5)) top.Set("assignments", std::move(alist));

  // ---- deny assignments ----
  size_t ndeny = Pick(Size(6, 25));
  if (ndeny) {
    J dlist = J::Arr();
    for (size_t d = 0; d < ndeny; ++d) {
      J o = J::Obj();
      o.Set("id", J::Str("d" + std::to_string(d)));
      std::vector<std::string> who;
      size_t r = Pick(100);
      if (r < 40) {
        who = {"*"};
      } else if (r < 50) {
        who = {RulePrincipal(), "*"};
      } else {
        size_t n = 1 + Pick(3);
        for (size_t k = 0; k < n; ++k) who.push_back(RulePrincipal());
      }
      o.Set("principals", J::StrList(who));
      if (Chance(0.5)) {
        std::vector<std::string> ex;
        size_t n = Pick(3);
        for (size_t k = 0; k < n; ++k) ex.push_back(RulePrincipal());
        o.Set("exclude_principals", J::StrList(ex));
      }
      if (Chance(0.7)) o.Set("actions", PatternList(0, 2));
      if (Chance(0.25)) o.Set("not_actions", PatternList(0, 2));
      if (Chance(0.4)) o.Set("data_actions", PatternList(1, 2));
      if (Chance(0.15)) o.Set("not_data_actions", PatternList(1, 1));
      o.Set("scope", J::Str(Scope()));
      size_t c = Pick(10);
      if (c < 3) o.Set("apply_to_children", J::Bool(true));
      else if (c < 7) o.Set("apply_to_children", J::Bool(false));
      dlist.Push(std::move(o));
    }
    top.Set("deny_assignments", std::move(dlist));
  }

  // ---- statements ----
  size_t nstmt = Pick(Size(13, 40));
  if (nstmt) {
    J slist = J::Arr();
    for (size_t s = 0; s < nstmt; ++s) {
      J o = J::Obj();
      o.Set("id", J::Str("s" + std::to_string(s)));
      o.Set("principal", J::Str(Chance(0.5) ? One(arns) : RulePrincipal()));
      o.Set("effect", J::Str(Chance(0.65) ? "Allow" : "Deny"));
      o.Set("actions", PatternList(2, 3));
      std::vector<std::string> res;
      size_t n = 1 + Pick(3);
      for (size_t k = 0; k < n; ++k) res.push_back(ResourcePattern());
      o.Set("resources", J::StrList(res));
      slist.Push(std::move(o));
    }
    top.Set("statements", std::move(slist));
  }

  // ---- clouds ----
  size_t nclouds = Pick(4);
  if (nclouds) {
    const std::vector<std::string> ids = {"c0", "c1", "C0", "cloud-\xc3\xa9"};
    const std::vector<std::string> wts = {"job", "service", "workspace"};
    const std::vector<std::string> projects = {"prod", "Prod", "research", "p1"};
    const std::vector<std::string> musers = {"user:alice", "sa:launcher", "user:Alice"};
    J clist = J::Arr();
    for (size_t c = 0; c < nclouds; ++c) {
      J o = J::Obj();
      o.Set("id", J::Str(ids[c]));
      if (Chance(0.7)) o.Set("default_identity", J::Str(One(identities_)));
      size_t nm = Pick(6);
      std::set<std::string> keys;
      J mlist = J::Arr();
      for (size_t m = 0; m < nm; ++m) {
        J mo = J::Obj();
        std::string key;
        mo.Set("id", J::Str("m" + std::to_string(m)));
        if (Chance(0.5)) {
          std::string v = One(wts);
          mo.Set("workload_type", J::Str(v));
          key += "W" + v;
        }
        key += '\x01';
        if (Chance(0.5)) {
          std::string v = One(projects);
          mo.Set("project", J::Str(v));
          key += "P" + v;
        }
        key += '\x01';
        if (Chance(0.5)) {
          std::string v = One(musers);
          mo.Set("user", J::Str(v));
          key += "U" + v;
        }
        if (!keys.insert(key).second) continue;  // would be ambiguous
        mo.Set("identity", J::Str(One(identities_)));
        mlist.Push(std::move(mo));
      }
      if (!mlist.items.empty() || Chance(0.3)) o.Set("mappings", std::move(mlist));
      clist.Push(std::move(o));
    }
    top.Set("clouds", std::move(clist));
  }

  // ---- routes ----
  size_t nroutes = Pick(7);
  if (nroutes) {
    J rl = J::Arr();
    for (size_t r = 0; r < nroutes; ++r) {
      // A recipe: parts of the path, each literal or a capture of some kind.
      struct Part {
        int kind;  // -1 literal, 0 [^/]+, 1 .+, 2 [a-z0-9.%]*, 3 unnamed, 4 [^/]*\.json
        std::string text;  // literal text (regex) / capture name
        std::string sample;  // literal as it appears in a path
      };
      std::vector<Part> parts;
      parts.push_back({-1, "api", "api"});
      size_t n = 1 + Pick(4);
      int named = 0;
      for (size_t k = 0; k < n; ++k) {
        size_t c = Pick(100);
        if (c < 35) {
          static const std::vector<std::pair<std::string, std::string>> lits = {
              {"clouds", "clouds"}, {"projects", "projects"}, {"jobs", "jobs"},
              {"items", "items"}, {"v1\\.0", "v1.0"}, {"(?:jobs|Jobs)", "Jobs"}};
          const auto& l = lits[Pick(lits.size())];
          parts.push_back({-1, l.first, l.second});
        } else {
          int kind = c < 70 ? 0 : c < 78 ? 1 : c < 86 ? 2 : c < 93 ? 3 : 4;
          std::string name = kind == 3 ? "" : "v" + std::to_string(named++);
          parts.push_back({kind, name, ""});
        }
      }
      std::vector<std::string> re_parts;
      std::vector<std::string> names;
      for (const Part& p : parts) {
        switch (p.kind) {
          case -1: re_parts.push_back(p.text); break;
          case 0: re_parts.push_back("(?P<" + p.text + ">[^/]+)"); break;
          case 1: re_parts.push_back("(?P<" + p.text + ">.+)"); break;
          case 2: re_parts.push_back("(?P<" + p.text + ">[a-z0-9.%]*)"); break;
          case 3: re_parts.push_back("([^/]+)"); break;
          case 4: re_parts.push_back("(?P<" + p.text + ">[^/]*)\\.json"); break;
        }
        if (p.kind != -1 && p.kind != 3) names.push_back(p.text);
      }
      std::string path = "/" + Join(re_parts, "/");
      int tail = static_cast<int>(Pick(10));  // 0-1 optional capture, 2-3 "/?"
      std::string opt_name;
      if (tail < 2) {
        opt_name = "v" + std::to_string(named++);
        path += "(?:/(?P<" + opt_name + ">[^/]+))?";
        names.push_back(opt_name);
      } else if (tail < 4) {
        path += "/?";
      }

      // The scope template: a scope of the tree plus some placeholders.
      std::string tmpl = Scope();
      while (ScopeSegments(tmpl).size() > 40) tmpl = Scope();  // room for placeholders
      if (tmpl == "/") tmpl.clear();
      std::vector<std::string> used = names;
      std::shuffle(used.begin(), used.end(), rng_);
      used.resize(Pick(used.size() + 1));
      for (size_t k = 0; k < used.size(); ++k) {
        if (Chance(0.3)) tmpl += "/jobs";
        if (k + 1 < used.size() && Chance(0.2)) {
          tmpl += "/{" + used[k] + "}-{" + used[k + 1] + "}";
          ++k;
        } else {
          tmpl += "/{" + used[k] + "}";
        }
      }
      if (tmpl.empty()) tmpl = "/";

      J o = J::Obj();
      o.Set("id", J::Str("r" + std::to_string(r)));
      static const std::vector<std::string> methods = {"GET", "POST", "DELETE", "*"};
      o.Set("method", J::Str(One(methods)));
      o.Set("path", J::Str(path));
      o.Set("action", J::Str(Recase(One(acts_).name)));
      o.Set("scope", J::Str(tmpl));
      rl.Push(std::move(o));

      // Sample targets from the recipe.
      static const std::vector<std::string> values = {
          "c1", "C1", "p1", "x%41y", "caf%C3%A9", "\xc3\xa9", "a.b", "..x", ".x", "j9", "%2541"};
      for (int s = 0; s < 3; ++s) {
        std::vector<std::string> segs;
        for (const Part& p : parts) {
          switch (p.kind) {
            case -1: segs.push_back(p.sample); break;
            case 0: case 3: segs.push_back(values[Pick(values.size())]); break;
            case 1: segs.push_back(Chance(0.3) ? "a/b" : values[Pick(values.size())]); break;
            case 2: {
              static const std::vector<std::string> v2 = {"", "a.b", "x", "x%2541", "..y"};
              segs.push_back(v2[Pick(v2.size())]);
              break;
            }
            case 4: {
              static const std::vector<std::string> v4 = {"x.json", ".json", "..json", "...json",
                                                          "a.b.json"};
              segs.push_back(v4[Pick(v4.size())]);
              break;
            }
          }
        }
        std::string t = "/" + Join(segs, "/");
        if (tail < 2 && Chance(0.5)) t += "/" + values[Pick(values.size())];
        if (tail >= 2 && tail < 4 && Chance(0.5)) t += "/";
        sample_targets->push_back(t);
      }
    }
    top.Set("routes", std::move(rl));
  }
  return top;
}

// =============================================================================
// SPEC §10-§13 decorations (RandomBundleOptions::v2). Applied to a finished
// v1 bundle with their own generator, so that with the option off nothing
// drawn above changes.
// =============================================================================

// The context vocabulary: few keys and values, so that conditions are often
// true and often false. Shared with the query generator below.
const std::vector<std::string> kStrKeys = {"k1", "k2", "aws:username", "tags"};
const std::vector<std::string> kStrValues = {"a", "b", "A", "", "a*", "c"};
const std::vector<std::string> kIpValues = {"10.0.0.1", "10.1.2.3", "192.168.1.1", "2001:db8::1",
                                            "::1", "bad-ip"};
const std::vector<std::string> kArnValues = {"arn:aws:iam::1:role/r0", "arn:aws:iam::1:role/x",
                                             "ARN:AWS:IAM::1:role/r0", "not-an-arn"};
const std::vector<std::string> kGuids = {"49fc33c1-886f-4b21-a00e-1d9993234734",
                                         "49FC33C1886F4B21A00E1D9993234734",
                                         "ba92f5b4-2d11-453d-a403-e96b0029c9fe"};
const std::vector<std::string> kAzureStrAttrs = {"@Resource[k1]", "@Request[tags]",
                                                 "@Principal[k2]"};
const std::string kMg = "/providers/Microsoft.Management/managementGroups/mg";

class Decorator {
 public:
  explicit Decorator(uint64_t seed) : rng_(seed * 0xA24BAED4963EE407ull + 99) {}

  void Apply(J* top) {
    CollectCatalog(top);
    Roles(top);
    ForEach(top, "assignments", [&](J* o) {
      if (Chance(0.35)) o->Set("condition", J::Str(AzureExpr(2)));
    });
    ForEach(top, "deny_assignments", [&](J* o) {
      if (Chance(0.35)) o->Set("condition", J::Str(AzureExpr(2)));
    });
    ForEach(top, "statements", [&](J* o) { Statement(o); });
    ScopeParents(top);
  }

 private:
  size_t Pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T>
  const T& One(const std::vector<T>& v) { return v[Pick(v.size())]; }

  template <typename F>
  void ForEach(J* top, const char* list, F f) {
    if (J* l = top->Get(list))
      for (J& o : l->items) f(&o);
  }

  void CollectCatalog(J* top) {
    for (J& a : top->Get("actions")->items) names_.push_back(a.Get("name")->s);
  }

  std::string ActionGlob() {
    const std::string& n = One(names_);
    size_t r = Pick(4);
    if (r == 0) return n;
    if (r == 1) return n.substr(0, n.size() / 2) + "*";
    if (r == 2) return "*" + n.substr(n.find_last_of("/:") == std::string::npos ? 0 : n.find_last_of("/:"));
    return "*";
  }

  // ---- Azure form ----
  std::string Quote(const std::string& s) { return "'" + s + "'"; }

  std::string AzureValue(const std::string& fam) {
    if (fam == "str") return Quote(One(kStrValues));
    if (fam == "num") return One(std::vector<std::string>{"1", "5", "10", "-2"});
    if (fam == "date") return Quote(One(std::vector<std::string>{"2020-01-01T00:00:00Z", "2021-06-01"}));
    if (fam == "guid") return One(kGuids);
    return One(std::vector<std::string>{"true", "false", "TRUE"});
  }

  std::string AzureComparison() {
    static const std::vector<std::pair<std::string, std::string>> ops = {
        {"StringEquals", "str"}, {"StringNotEquals", "str"}, {"StringStartsWith", "str"},
        {"StringNotStartsWith", "str"}, {"StringLike", "str"}, {"StringNotLike", "str"},
        {"NumericEquals", "num"}, {"NumericNotEquals", "num"}, {"NumericLessThan", "num"},
        {"NumericLessThanEquals", "num"}, {"NumericGreaterThan", "num"},
        {"NumericGreaterThanEquals", "num"}, {"DateTimeEquals", "date"},
        {"DateTimeNotEquals", "date"}, {"DateTimeGreaterThan", "date"},
        {"DateTimeGreaterThanEquals", "date"}, {"DateTimeLessThan", "date"},
        {"DateTimeLessThanEquals", "date"}, {"GuidEquals", "guid"}, {"GuidNotEquals", "guid"},
        {"BoolEquals", "bool"}, {"BoolNotEquals", "bool"}};
    const auto& [op, fam] = One(ops);
    std::string attr = fam == "str"    ? One(kAzureStrAttrs)
                       : fam == "num"  ? One(std::vector<std::string>{"@Request[n]", "@Request[nums]"})
                       : fam == "date" ? std::string("@Environment[t]")
                       : fam == "guid" ? std::string("@Request[g]")
                                       : std::string("@Request[flag]");
    std::string name = op;
    if (fam == "str" && Chance(0.3)) name += "IgnoreCase";
    if (Chance(0.15)) name = AsciiLowerString(name);  // names compare case-insensitively
    static const std::vector<std::string> prefixes = {"ForAnyOfAnyValues:", "ForAllOfAnyValues:",
                                                      "ForAnyOfAllValues:", "ForAllOfAllValues:"};
    if (Chance(0.4)) {
      std::string set = "{" + AzureValue(fam);
      size_t n = Pick(3);
      for (size_t k = 0; k < n; ++k) set += ", " + AzureValue(fam);
      return attr + " " + One(prefixes) + name + (Chance(0.5) ? " " : "") + set + "}";
    }
    return attr + " " + name + " " + AzureValue(fam);
  }

  std::string AzureLeaf() {
    size_t r = Pick(100);
    if (r < 60) return AzureComparison();
    if (r < 72) return "Exists " + One(std::vector<std::string>{"@Resource[k1]", "@Request[n]", "@Request[tags]"});
    if (r < 88) return "ActionMatches{" + Quote(ActionGlob()) + "}";
    return "SubOperationMatches{" + Quote(One(std::vector<std::string>{"Blob.List", "blob.list", "Blob.Read"})) + "}";
  }

  std::string AzureExpr(int depth) {
    if (depth == 0 || Chance(0.45)) {
      std::string leaf = AzureLeaf();
      if (Chance(0.15)) return (Chance(0.5) ? "!(" : "NOT (") + leaf + ")";
      return leaf;
    }
    bool is_and = Chance(0.5);
    const char* conn = is_and ? (Chance(0.5) ? " AND " : " && ") : (Chance(0.5) ? " OR " : " || ");
    std::string out = "(" + AzureExpr(depth - 1) + ")";
    size_t n = 1 + Pick(2);
    for (size_t k = 0; k < n; ++k) out += conn + std::string("(") + AzureExpr(depth - 1) + ")";
    return out;
  }

  // ---- AWS form ----
  J AwsValue(const std::string& fam, bool variables) {
    using V = std::vector<std::string>;
    if (fam == "str") {
      if (variables && Chance(0.3)) return J::Str(One(V{"${aws:username}", "${k1, 'a'}", "x${*}", "${k2}*"}));
      return J::Str(One(kStrValues));
    }
    if (fam == "like") return J::Str(One(V{"a*", "?", "*", "A?", "b"}));
    if (fam == "num") return Chance(0.5) ? J::Int(static_cast<int64_t>(1 + Pick(10))) : J::Str("5");
    if (fam == "date")
      return Chance(0.3) ? J::Int(1600000000) : J::Str(One(V{"2020-01-01T00:00:00Z", "1577836800"}));
    if (fam == "bool") return Chance(0.5) ? J::Bool(Chance(0.5)) : J::Str(Chance(0.5) ? "true" : "False");
    if (fam == "bin") return J::Str(Chance(0.5) ? "QQ==" : "Qg==");
    if (fam == "ip") return J::Str(One(V{"10.0.0.0/8", "10.0.0.1", "0.0.0.0/0", "2001:db8::/32", "::/0"}));
    if (fam == "arn") return J::Str(One(V{"arn:aws:iam::1:role/*", "arn:aws:iam::*:role/r0", "arn:aws:*:*:*:*"}));
    return J::Str(Chance(0.5) ? "true" : "false");  // null
  }

  J AwsCondition(bool variables) {
    static const std::vector<std::pair<std::string, std::string>> ops = {
        {"StringEquals", "str"}, {"StringNotEquals", "str"}, {"StringEqualsIgnoreCase", "str"},
        {"StringNotEqualsIgnoreCase", "str"}, {"StringLike", "like"}, {"StringNotLike", "like"},
        {"NumericEquals", "num"}, {"NumericNotEquals", "num"}, {"NumericLessThan", "num"},
        {"NumericLessThanEquals", "num"}, {"NumericGreaterThan", "num"},
        {"NumericGreaterThanEquals", "num"}, {"DateEquals", "date"}, {"DateNotEquals", "date"},
        {"DateLessThan", "date"}, {"DateLessThanEquals", "date"}, {"DateGreaterThan", "date"},
        {"DateGreaterThanEquals", "date"}, {"Bool", "bool"}, {"BinaryEquals", "bin"},
        {"IpAddress", "ip"}, {"NotIpAddress", "ip"}, {"ArnEquals", "arn"}, {"ArnLike", "arn"},
        {"ArnNotEquals", "arn"}, {"ArnNotLike", "arn"}, {"Null", "null"}};
    J cond = J::Obj();
    std::set<std::string> used;
    size_t nops = 1 + Pick(2);
    for (size_t k = 0; k < nops; ++k) {
      const auto& [op, fam] = One(ops);
      std::string name = op;
      if (fam != "null") {
        if (Chance(0.25)) name = (Chance(0.5) ? "ForAnyValue:" : "ForAllValues:") + name;
        if (Chance(0.2)) name += "IfExists";
      }
      if (!used.insert(name).second) continue;
      const std::string key_fam = fam == "like" ? "str" : fam;
      J keys = J::Obj();
      std::set<std::string> seen;
      size_t nkeys = 1 + Pick(2);
      for (size_t i = 0; i < nkeys; ++i) {
        std::string key = key_fam == "str" || key_fam == "null" ? One(kStrKeys)
                          : key_fam == "num"                    ? std::string("n")
                          : key_fam == "date"                   ? std::string("t")
                          : key_fam == "bool"                   ? std::string("flag")
                          : key_fam == "bin"                    ? std::string("bin")
                          : key_fam == "ip"                     ? std::string("aws:SourceIp")
                                                                : std::string("arn");
        if (Chance(0.05)) key = "absent-key";
        if (!seen.insert(AsciiLowerString(key)).second) continue;
        size_t nv = 1 + Pick(2);
        if (nv == 1 && Chance(0.7)) {
          keys.Set(key, AwsValue(fam, variables));
        } else {
          J arr = J::Arr();
          for (size_t v = 0; v < nv; ++v) arr.Push(AwsValue(fam, variables));
          keys.Set(key, std::move(arr));
        }
      }
      cond.Set(name, std::move(keys));
    }
    return cond;
  }

  void Statement(J* o) {
    bool variables = false;
    if (Chance(0.35)) {
      variables = Chance(0.75);
      o->Set("policy_version", J::Str(variables ? "2012-10-17" : "2008-10-17"));
    }
    if (Chance(0.15))
      for (auto& f : o->fields)
        if (f.first == "actions") f.first = "not_actions";
    if (J* res = o->Get("resources")) {
      if (Chance(0.35)) {
        static const std::vector<std::string> with_vars = {
            "arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:s3:::bucket/${k1, 'a'}",
            "arn:aws:s3:::bucket/${*}", "/subscriptions/${k1}/*", "arn:aws:*:us-*:1:*"};
        res->Push(J::Str(One(with_vars)));
      }
      if (Chance(0.15))
        for (auto& f : o->fields)
          if (f.first == "resources") f.first = "not_resources";
    }
    if (Chance(0.45)) o->Set("condition", AwsCondition(variables));
  }

  // ---- permission blocks ----
  void Roles(J* top) {
    ForEach(top, "roles", [&](J* role) {
      if (!Chance(0.4)) return;
      J first = J::Obj();
      std::vector<std::pair<std::string, J>> kept;
      for (auto& f : role->fields) {
        if (f.first == "actions" || f.first == "not_actions" || f.first == "data_actions" ||
            f.first == "not_data_actions")
          first.Set(f.first, f.second);
        else
          kept.push_back(f);
      }
      role->fields = kept;
      J blocks = J::Arr();
      if (Chance(0.3)) first.Set("condition", J::Str(AzureExpr(1)));
      blocks.Push(std::move(first));
      size_t extra = Pick(3);
      for (size_t k = 0; k < extra; ++k) {
        J b = J::Obj();
        b.Set(Chance(0.7) ? "actions" : "data_actions", J::StrList({ActionGlob()}));
        if (Chance(0.4)) b.Set("not_actions", J::StrList({ActionGlob()}));
        if (Chance(0.5)) b.Set("condition", J::Str(AzureExpr(1)));
        blocks.Push(std::move(b));
      }
      role->Set("permissions", std::move(blocks));
    });
  }

  // ---- scope parents ----
  void ScopeParents(J* top) {
    std::vector<std::string> scopes;
    bool deep = false;
    auto note = [&](const std::string& s) {
      if (ScopeSegments(s).size() > 40) deep = true;
      scopes.push_back(s);
    };
    ForEach(top, "assignments", [&](J* o) { note(o->Get("scope")->s); });
    ForEach(top, "deny_assignments", [&](J* o) { note(o->Get("scope")->s); });
    if (deep || !Chance(0.6)) return;
    // Roles keep no assignable_scopes: an assignment valid along the path
    // could fall outside them once its subscription moves under a group.
    ForEach(top, "roles", [&](J* role) {
      std::vector<std::pair<std::string, J>> kept;
      for (auto& f : role->fields)
        if (f.first != "assignable_scopes") kept.push_back(f);
      role->fields = kept;
    });
    J list = J::Arr();
    const size_t nmg = 1 + Pick(3);
    for (size_t m = 0; m + 1 < nmg; ++m)
      if (Chance(0.6)) list.Push(Parent(kMg + std::to_string(m), kMg + std::to_string(m + 1)));
    std::set<std::string> done;
    size_t nchild = 1 + Pick(3);
    for (size_t k = 0; k < nchild && !scopes.empty(); ++k) {
      std::string s = One(scopes);
      std::vector<std::string> segs = ScopeSegments(s);
      if (segs.empty() || segs.size() > 3 || EqualsIgnoreAsciiCase(segs[0], "providers")) continue;
      if (!done.insert(AsciiLowerString(s)).second) continue;
      list.Push(Parent(s, kMg + std::to_string(Pick(nmg))));
    }
    if (list.items.empty()) return;
    top->Set("scope_parents", std::move(list));
    // Rules at the groups, so the new ancestry decides something.
    if (J* as = top->Get("assignments"); as && !as->items.empty()) {
      for (size_t k = 0; k < 2; ++k) {
        J a = as->items[Pick(as->items.size())];
        a.Get("id")->s += "-mg" + std::to_string(k);
        a.Get("scope")->s = kMg + std::to_string(Pick(nmg));
        as->Push(std::move(a));
      }
    }
    if (J* ds = top->Get("deny_assignments"); ds && !ds->items.empty() && Chance(0.5)) {
      J d = ds->items[Pick(ds->items.size())];
      d.Get("id")->s += "-mg";
      d.Get("scope")->s = kMg + std::to_string(Pick(nmg));
      ds->Push(std::move(d));
    }
  }

  J Parent(const std::string& s, const std::string& p) {
    J o = J::Obj();
    o.Set("scope", J::Str(s));
    o.Set("parent", J::Str(p));
    return o;
  }

  std::mt19937_64 rng_;
  std::vector<std::string> names_;
};

}  // namespace

GeneratedBundle RandomBundle(uint64_t seed) { return RandomBundle(seed, RandomBundleOptions{}); }

GeneratedBundle RandomBundle(uint64_t seed, const RandomBundleOptions& options) {
  Gen g(seed);
  GeneratedBundle out;
  J top = g.Build(&out.sample_targets);
  if (options.v2) Decorator(seed).Apply(&top);
  g_escape_json = seed % 5 == 0;
  out.json = DumpJson(top);
  g_escape_json = false;
  return out;
}

// =============================================================================
// Invalid bundles: a valid one with exactly one rule broken.
// =============================================================================

InvalidBundle RandomInvalidBundle(uint64_t seed) {
  Gen g(seed ^ 0xABCDEF);
  std::vector<std::string> unused;
  J top = g.Build(&unused);
  auto list = [&](const char* key) -> J& {
    if (!top.Get(key)) top.Set(key, J::Arr());
    return *top.Get(key);
  };
  auto first_action = [&]() { return list("actions").items[0].Get("name")->s; };
  auto assignment = [&](const std::string& role, const std::string& scope) {
    J o = J::Obj();
    o.Set("id", J::Str("bad-a")).Set("principal", J::Str("user:x")).Set("role", J::Str(role));
    o.Set("scope", J::Str(scope));
    return o;
  };
  InvalidBundle out;
  const int kCases = kInvalidBundleCases;
  int c = static_cast<int>(seed % kCases);
  switch (c) {
    case 0: top.Set("rolez", J::Arr()); out.what = "unknown top-level key"; break;
    case 1: list("roles").items[0].Set("principle", J::Str("x")); out.what = "unknown key in a role"; break;
    case 2: list("roles").items[0].Set("id", J::Str("dup")); out.what = "duplicate key"; break;
    case 3: list("roles").Push(list("roles").items[0]); out.what = "duplicate role id"; break;
    case 4: list("assignments").Push(assignment("no-such-role", "/")); out.what = "unknown role"; break;
    case 5: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-r")).Set("actions", J::StrList({"Nope.Literal/read"}));
      list("roles").Push(r);
      out.what = "literal action not in the catalog";
      break;
    }
    case 6: {
      static const std::vector<std::string> bad = {"/a//b", "/a/", "/a/./b", "/a/../b", "a/b",
                                                   "/a/*", "/a/b\x01", "/\xc2\x85"};
      std::string s = bad[(seed / kCases) % bad.size()];
      list("assignments").Push(assignment("role-0", s));
      list("roles").items[0].fields.erase(
          std::remove_if(list("roles").items[0].fields.begin(), list("roles").items[0].fields.end(),
                         [](auto& kv) { return kv.first == "assignable_scopes"; }),
          list("roles").items[0].fields.end());
      out.what = "bad assignment scope " + s;
      break;
    }
    case 7: {
      std::string s;
      for (int i = 0; i < 65; ++i) s += "/x";
      J d = J::Obj();
      d.Set("id", J::Str("bad-d")).Set("principals", J::StrList({"*"})).Set("scope", J::Str(s));
      list("deny_assignments").Push(d);
      out.what = "deny assignment scope with 65 segments";
      break;
    }
    case 8: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-r")).Set("assignable_scopes", J::StrList({"/only/here"}));
      list("roles").Push(r);
      list("assignments").Push(assignment("bad-r", "/only/hereafter"));
      out.what = "assignment outside assignable_scopes";
      break;
    }
    case 9: {
      J a = J::Obj(), b = J::Obj();
      a.Set("id", J::Str("cyc:a")).Set("members", J::StrList({"cyc:b"}));
      b.Set("id", J::Str("cyc:b")).Set("members", J::StrList({"user:x", "cyc:a"}));
      list("groups").Push(a).Push(b);
      out.what = "group cycle";
      if ((seed / kCases) % 2) {
        list("groups").items.pop_back();
        list("groups").items.back().Get("members")->items[0].s = "cyc:a";  // a member of itself
        out.what = "group that is its own member";
      }
      break;
    }
    case 10: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-route")).Set("method", J::Str("GET")).Set("path", J::Str("/x/(?P<a>[a-"));
      r.Set("action", J::Str(first_action())).Set("scope", J::Str("/x"));
      list("routes").Push(r);
      out.what = "RE2 pattern that does not compile";
      break;
    }
    case 11: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-route")).Set("method", J::Str("GET")).Set("path", J::Str("/x/(?P<a>[^/]+)"));
      r.Set("action", J::Str(first_action())).Set("scope", J::Str("/x/{b}"));
      list("routes").Push(r);
      out.what = "placeholder with no capture";
      break;
    }
    case 12: {
      J c1 = J::Obj(), m = J::Arr(), r1 = J::Obj(), r2 = J::Obj();
      r1.Set("id", J::Str("m-a")).Set("project", J::Str("p")).Set("user", J::Str("u")).Set("identity", J::Str("i1"));
      r2.Set("id", J::Str("m-b")).Set("user", J::Str("u")).Set("project", J::Str("p")).Set("identity", J::Str("i2"));
      m.Push(r1).Push(r2);
      c1.Set("id", J::Str("bad-cloud")).Set("mappings", m);
      list("clouds").Push(c1);
      out.what = "ambiguous mapping rules";
      break;
    }
    case 13: list("assignments").Push(assignment("role-0", "/")); list("assignments").items.back().Get("principal")->s = "*";
      list("roles").items[0].fields.erase(
          std::remove_if(list("roles").items[0].fields.begin(), list("roles").items[0].fields.end(),
                         [](auto& kv) { return kv.first == "assignable_scopes"; }),
          list("roles").items[0].fields.end());
      out.what = "* as an assignment principal";
      break;
    case 14: {
      J s = J::Obj();
      s.Set("id", J::Str("bad-s")).Set("principal", J::Str("*")).Set("effect", J::Str("Allow"));
      s.Set("actions", J::StrList({"*"})).Set("resources", J::StrList({"*"}));
      list("statements").Push(s);
      out.what = "* as a statement principal";
      break;
    }
    case 15: {
      J gr = J::Obj();
      gr.Set("id", J::Str("grp:star")).Set("members", J::StrList({"user:a", "*"}));
      list("groups").Push(gr);
      out.what = "* as a group member";
      break;
    }
    case 16: {
      J d = J::Obj();
      d.Set("id", J::Str("bad-d")).Set("principals", J::StrList({"*"}));
      d.Set("exclude_principals", J::StrList({"*"})).Set("scope", J::Str("/"));
      list("deny_assignments").Push(d);
      out.what = "* in exclude_principals";
      break;
    }
    case 17: {
      J c1 = J::Obj(), m = J::Arr(), r1 = J::Obj();
      static const char* reserved[] = {"node_group", "compute_config", "cloud_default"};
      r1.Set("id", J::Str(reserved[(seed / kCases) % 3])).Set("identity", J::Str("i1"));
      m.Push(r1);
      c1.Set("id", J::Str("bad-cloud")).Set("mappings", m);
      list("clouds").Push(c1);
      out.what = "reserved mapping rule id";
      break;
    }
    case 18: {
      J a = J::Obj();
      a.Set("name", J::Str("Bad/eoa")).Set("effective_only_at", J::StrList({"/s*"}));
      list("actions").Push(a);
      out.what = "effective_only_at with a partial * segment";
      break;
    }
    case 19: top.Get("version")->i = 2; out.what = "version 2"; break;
    case 20: *top.Get("version") = J::Str("1"); out.what = "version as a string"; break;
    case 21: {
      J s = J::Obj();
      s.Set("id", J::Str("bad-s")).Set("principal", J::Str("p")).Set("effect", J::Str("allow"));
      s.Set("actions", J::StrList({"*"})).Set("resources", J::StrList({"*"}));
      list("statements").Push(s);
      out.what = "effect spelled allow";
      break;
    }
    case 22: {
      std::string n = first_action();
      for (char& ch : n)
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
          ch = static_cast<char>(ch ^ 0x20);
          break;
        }
      J a = J::Obj();
      a.Set("name", J::Str(n));
      list("actions").Push(a);
      out.what = "duplicate action name (case-insensitively)";
      break;
    }
    case 23: {
      J a = J::Obj();
      a.Set("name", J::Str("Bad/*/read"));
      list("actions").Push(a);
      out.what = "catalog name with *";
      break;
    }
    case 24: {
      J a = J::Obj();
      a.Set("id", J::Str("bad-a")).Set("principal", J::Str("")).Set("role", J::Str("role-0")).Set("scope", J::Str("/"));
      list("assignments").Push(a);
      out.what = "empty principal";
      break;
    }
    case 25: {
      J a = J::Obj();
      a.Set("name", J::Str("Bad/data")).Set("data", J::Str("yes"));
      list("actions").Push(a);
      out.what = "data as a string";
      break;
    }
    case 26: {
      J a = J::Obj();
      a.Set("id", J::Str("bad-a")).Set("principal", J::Str("user:x")).Set("role", J::Str("role-0"));
      list("assignments").Push(a);
      out.what = "assignment without scope";
      break;
    }
    case 27: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-route")).Set("method", J::Str("GET")).Set("path", J::Str("/x"));
      r.Set("action", J::Str("Nope/not/in/catalog")).Set("scope", J::Str("/x"));
      list("routes").Push(r);
      out.what = "route action not in the catalog";
      break;
    }
    case 28: {
      J c1 = J::Obj(), m = J::Arr(), r1 = J::Obj();
      r1.Set("id", J::Str("m-x")).Set("workload_type", J::Str("batch")).Set("identity", J::Str("i1"));
      m.Push(r1);
      c1.Set("id", J::Str("bad-cloud")).Set("mappings", m);
      list("clouds").Push(c1);
      out.what = "workload_type not in job/service/workspace";
      break;
    }
    case 29: {
      // 66 groups on one chain: deeper than the default limit of 64.
      for (int k = 0; k < 66; ++k) {
        J gr = J::Obj();
        gr.Set("id", J::Str("chain:" + std::to_string(k)));
        gr.Set("members", J::StrList({k == 0 ? std::string("user:x") : "chain:" + std::to_string(k - 1)}));
        list("groups").Push(gr);
      }
      out.what = "group nesting deeper than 64";
      break;
    }
    case 30: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-route")).Set("method", J::Str("GET")).Set("path", J::Str("/x/(?P<a>[^/]+)"));
      r.Set("action", J::Str(first_action())).Set("scope", J::Str("{a}/x"));
      list("routes").Push(r);
      out.what = "scope template that cannot yield a valid scope";
      break;
    }
    case 31: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-r")).Set("assignable_scopes", J::Arr());
      list("roles").Push(r);
      list("assignments").Push(assignment("bad-r", "/"));
      out.what = "assignment of a role assignable nowhere";
      break;
    }
    case 32: {
      J c1 = J::Obj();
      c1.Set("id", J::Str("bad-cloud")).Set("default_identity", J::Str("*"));
      list("clouds").Push(c1);
      out.what = "* as a default identity";
      break;
    }
    case 33: {
      J c1 = J::Obj(), m = J::Arr(), r1 = J::Obj();
      r1.Set("id", J::Str("m-x")).Set("identity", J::Str("*"));
      m.Push(r1);
      c1.Set("id", J::Str("bad-cloud")).Set("mappings", m);
      list("clouds").Push(c1);
      out.what = "* as a mapping identity";
      break;
    }
    case 34: {
      J d = J::Obj();
      d.Set("id", J::Str("bad-d")).Set("principals", J::StrList({"*"})).Set("scope", J::Str("/"));
      d.Set((seed / kCases) % 2 ? "not_data_actions" : "actions", J::StrList({"Nope.Literal/read"}));
      list("deny_assignments").Push(d);
      out.what = "deny assignment literal not in the catalog";
      break;
    }
    case 35: {
      J st = J::Obj();
      st.Set("id", J::Str("bad-s")).Set("principal", J::Str("p")).Set("effect", J::Str("Deny"));
      st.Set("actions", J::StrList({"*", "Nope.Literal/read"})).Set("resources", J::StrList({"*"}));
      list("statements").Push(st);
      out.what = "statement literal not in the catalog";
      break;
    }
    case 36: {
      J st = J::Obj();
      st.Set("id", J::Str("bad-s")).Set("principal", J::Str("p")).Set("effect", J::Str("Allow"));
      st.Set("actions", J::StrList({"*"})).Set("resources", J::StrList({"arn:" + std::string(4093, 'x')}));
      list("statements").Push(st);
      out.what = "a string of 4097 bytes";
      break;
    }
    case 37: {
      *top.Get("version") = J::Str("@@VERSION@@");  // replaced below by a raw 1.0
      out.what = "version 1.0";
      break;
    }
    case 38: {
      for (int k = 0; k < 65; ++k) {  // 65 groups above user:x
        J gr = J::Obj();
        gr.Set("id", J::Str("chain:" + std::to_string(k)));
        gr.Set("members", J::StrList({k == 0 ? std::string("user:x") : "chain:" + std::to_string(k - 1)}));
        list("groups").Push(gr);
      }
      out.what = "group nesting of 65";
      break;
    }
    case 39: {
      J r = J::Obj();
      r.Set("id", J::Str("bad-r")).Set("assignable_scopes", J::StrList({"/a/", "/b"}));
      list("roles").Push(r);
      out.what = "assignable scope with a trailing /";
      break;
    }
  }
  out.json = DumpJson(top);
  if (size_t at = out.json.find("\"@@VERSION@@\""); at != std::string::npos)
    out.json.replace(at, 13, "1.0");
  return out;
}

// =============================================================================
// Queries
// =============================================================================

QueryGenerator::QueryGenerator(const Reference& ref, std::vector<std::string> sample_targets,
                               uint64_t seed)
    : QueryGenerator(ref, std::move(sample_targets), seed, RandomBundleOptions{}) {}

QueryGenerator::QueryGenerator(const Reference& ref, std::vector<std::string> sample_targets,
                               uint64_t seed, const RandomBundleOptions& options)
    : options_(options),
      rng2_(seed * 0x9FB21C651E98DF25ull + 3),
      ref_(ref),
      rng_(seed * 0xD1B54A32D192ED03ull + 7),
      targets_(std::move(sample_targets)) {
  const Bundle& b = ref_.bundle();
  std::set<std::string> ps, ss, ids, projects, users;
  for (const Group& g : b.groups) {
    ps.insert(g.id);
    ps.insert(g.members.begin(), g.members.end());
  }
  for (const Assignment& a : b.assignments) {
    ps.insert(a.principal);
    ss.insert(a.scope);
  }
  for (const DenyAssignment& d : b.deny_assignments) {
    for (const std::string& p : d.principals)
      if (p != "*") ps.insert(p);
    ps.insert(d.exclude_principals.begin(), d.exclude_principals.end());
    ss.insert(d.scope);
  }
  for (const Role& r : b.roles) ss.insert(r.assignable_scopes.begin(), r.assignable_scopes.end());
  for (const Action& a : b.actions)
    for (std::string p : a.effective_only_at) {
      for (size_t k; (k = p.find('*')) != std::string::npos;) p.replace(k, 1, "x");
      ss.insert(p);
    }
  for (const Statement& s : b.statements) ps.insert(s.principal);
  for (const Cloud& c : b.clouds) {
    if (c.default_identity) ids.insert(*c.default_identity);
    for (const MappingRule& m : c.mappings) {
      ids.insert(m.identity);
      if (m.project) projects.insert(*m.project);
      if (m.user) users.insert(*m.user);
    }
  }
  ps.insert(ids.begin(), ids.end());
  ss.insert("/");
  principals_.assign(ps.begin(), ps.end());
  scopes_.assign(ss.begin(), ss.end());
  identities_.assign(ids.begin(), ids.end());
  projects_.assign(projects.begin(), projects.end());
  projects_.push_back("other");
  projects_.push_back("");
  users_.assign(users.begin(), users.end());
  users_.push_back("user:other");
  users_.push_back("");
  if (targets_.empty()) targets_.push_back("/api/x");
}

size_t QueryGenerator::Pick(size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
}
bool QueryGenerator::Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

std::string QueryGenerator::Recase(const std::string& s) {
  std::string out = s;
  int mode = static_cast<int>(Pick(4));
  if (mode == 3) return UnicodeRecase(s);
  for (char& c : out) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter) continue;
    bool up = mode == 0 ? true : mode == 1 ? false : Chance(0.5);
    c = up ? static_cast<char>(c & ~0x20) : static_cast<char>(c | 0x20);
  }
  return out;
}

std::string QueryGenerator::Principal() {
  size_t r = Pick(100);
  if (r < 80 && !principals_.empty()) return principals_[Pick(principals_.size())];
  if (r < 88 && !principals_.empty()) return Recase(principals_[Pick(principals_.size())]);
  if (r < 96) return "user:nobody";
  if (r < 97) return "*";
  return "";
}

std::string QueryGenerator::MemberOf(const std::string& p) {
  std::string cur = p;
  for (int depth = 0; depth < 5; ++depth) {
    const Group* g = nullptr;
    for (const Group& x : ref_.bundle().groups)
      if (x.id == cur) g = &x;
    if (g == nullptr || g->members.empty() || !Chance(0.6)) break;
    cur = g->members[Pick(g->members.size())];
  }
  return cur;
}

std::string QueryGenerator::ScopeUnder(const std::string& scope) {
  // A backslash is an ordinary character in a check's scope (only request
  // paths reject it).
  static const std::vector<std::string> segs = {"x", "Y", "jobs", "j1", "\xc3\xa9", "c10",
                                                "..x", "a b", "C1", "%41", "a\\b", "..."};
  std::string s = Chance(0.3) ? Recase(scope) : scope;
  size_t extra = Chance(0.5) ? 0 : Chance(0.9) ? 1 + Pick(3) : 4 + Pick(30);
  for (size_t k = 0; k < extra; ++k) s = (s == "/" ? "" : s) + "/" + segs[Pick(segs.size())];
  return s;
}

std::string QueryGenerator::RandomScope() { return scopes_[Pick(scopes_.size())]; }

std::string QueryGenerator::Instantiate(const std::string& glob) {
  static const std::vector<std::string> star = {"", "x", "a/b", "\xc3\xa9", "Key", "/"};
  static const std::vector<std::string> q = {"a", "Z", "\xc3\xa9", "/", "1", "*"};
  std::string out;
  for (const std::string& ch : Chars(glob)) {
    if (ch == "*") out += star[Pick(star.size())];
    else if (ch == "?") out += q[Pick(q.size())];
    else out += ch;
  }
  if (Chance(0.2)) out = Recase(out);
  return out;
}

std::string QueryGenerator::InvalidResource() {
  std::string base = RandomScope();
  if (base == "/") base = "/x";
  switch (Pick(25)) {
    case 0: return "";
    case 1: return "//";
    case 2: return base + "/";
    case 3: return base + "//x";
    case 4: return base + "/.";
    case 5: return base + "/./x";
    case 6: return base + "/../x";
    case 7: return base + "/..";
    case 8: return base + "/x\x01";
    case 9: return base + "\x7f";
    case 10: return base + "/\xc2\x85";
    case 11: return base + std::string("/\0x", 3);
    case 12: return "arn:aws:s3:::bucket/\x1f";
    case 13: return "/" + std::string(4095, 'a');  // exactly 4096 bytes: valid
    case 14: return "/" + std::string(4096, 'a');  // 4097 bytes
    case 15: {
      std::string s;
      for (int i = 0; i < 64; ++i) s += "/x";  // 64 segments: valid
      return s;
    }
    case 16: {
      std::string s;
      for (int i = 0; i < 65; ++i) s += "/x";
      return s;
    }
    case 17: return base + "/\xc2\xa0";  // U+00A0 is not a control character
    case 18: return base + "/\xc2\x9f";  // U+009F is
    case 19: return "arn:" + std::string(4093, 'b');  // 4097 bytes, not a scope
    case 20: return "arn:aws:s3:::" + std::string(4083, 'b');  // 4096 bytes: valid
    case 21: return base + "/\xc0\xaf";          // overlong '/'
    case 22: return base + "/\xed\xa0\x80";      // a surrogate
    case 23: return "arn:\xf4\x90\x80\x80";      // past U+10FFFF
    default: return "\x85" + base;  // a lone continuation byte (not a scope)
  }
}

std::string QueryGenerator::RandomResource() {
  const Bundle& b = ref_.bundle();
  size_t r = Pick(100);
  if (r < 35) return ScopeUnder(RandomScope());
  if (r < 55 && !b.statements.empty()) {
    const Statement& s = b.statements[Pick(b.statements.size())];
    return Instantiate(StatementResource(s));
  }
  if (r < 62) return "/";
  if (r < 72) {
    std::string a = kResourceArns[Pick(kResourceArns.size())];
    return Chance(0.3) ? Recase(a) : a;
  }
  if (r < 85) {
    static const std::vector<std::string> odd = {"subscriptions/s1", "*", "x", "arn:aws:s3:::bucket/",
                                                 "/*", "/?"};
    return odd[Pick(odd.size())];
  }
  return InvalidResource();
}

std::string QueryGenerator::ActionFor(const std::vector<std::string>& all_patterns) {
  // A few of the patterns (real-data statements list thousands), expanded
  // over the catalog.
  std::vector<std::string> patterns;
  for (int k = 0; k < 4 && !all_patterns.empty(); ++k)
    patterns.push_back(all_patterns[Pick(all_patterns.size())]);
  std::vector<std::string> hits;
  for (const std::string& p : patterns) {
    if (p.find_first_of("*?") == std::string::npos) {
      if (const Action* a = ref_.FindAction(p)) hits.push_back(a->name);
      continue;
    }
    for (const Action& a : ref_.bundle().actions)
      if (GlobMatch(p, a.name, true)) hits.push_back(a.name);
  }
  if (hits.empty()) return RandomAction();
  std::string a = hits[Pick(hits.size())];
  return Chance(0.4) ? Recase(a) : a;
}

std::string QueryGenerator::RandomAction() {
  const Bundle& b = ref_.bundle();
  const std::string& a = b.actions[Pick(b.actions.size())].name;
  size_t r = Pick(100);
  if (r < 55) return a;
  if (r < 80) return Recase(a);
  if (r < 86) return a + "x";
  if (r < 90) return a.substr(0, a.size() / 2) + "*";
  if (r < 93) return "";
  if (r < 96) return a.substr(0, a.size() - 1) + "?";
  return "Nope/read";
}

CheckQuery QueryGenerator::NextCheck() {
  const Bundle& b = ref_.bundle();
  CheckQuery q;
  size_t r = Pick(100);
  if (r < 45 && !b.assignments.empty()) {
    // Toward a grant: a holder (or a member of the holding group), an action
    // the role covers, a resource at or under the assignment's scope.
    const Assignment& a = b.assignments[Pick(b.assignments.size())];
    q.principal = Chance(0.9) ? MemberOf(a.principal) : Principal();
    auto cached = covered_.find(a.role);
    if (cached == covered_.end()) {
      const Role* role = nullptr;
      for (const Role& x : b.roles)
        if (x.id == a.role) role = &x;
      std::vector<std::string> names;
      for (const Action& act : b.actions)
        if (role && ref_.RoleCovers(*role, act)) names.push_back(act.name);
      cached = covered_.emplace(a.role, std::move(names)).first;
    }
    const std::vector<std::string>& covered = cached->second;
    q.action = covered.empty() || Chance(0.1) ? RandomAction() : covered[Pick(covered.size())];
    if (Chance(0.3)) q.action = Recase(q.action);
    q.resource = Chance(0.9) ? ScopeUnder(a.scope) : RandomResource();
    if (options_.v2 && !b.scope_parents.empty() && Chance(0.3)) {
      // Below a scope that now sits under a management group.
      q.resource = ScopeUnder(b.scope_parents[Pick(b.scope_parents.size())].scope);
    }
  } else if (r < 62 && !b.statements.empty()) {
    const Statement& s = b.statements[Pick(b.statements.size())];
    q.principal = Chance(0.9) ? MemberOf(s.principal) : Principal();
    q.action = Chance(0.9) ? ActionFor(s.actions) : RandomAction();
    q.resource = Chance(0.9) ? Instantiate(StatementResource(s)) : RandomResource();
  } else if (r < 72 && !b.deny_assignments.empty()) {
    const DenyAssignment& d = b.deny_assignments[Pick(b.deny_assignments.size())];
    std::vector<std::string> who;
    for (const std::string& p : d.principals)
      if (p != "*") who.push_back(p);
    who.insert(who.end(), d.exclude_principals.begin(), d.exclude_principals.end());
    q.principal = !who.empty() && Chance(0.7) ? MemberOf(who[Pick(who.size())]) : Principal();
    std::vector<std::string> pats = d.actions;
    pats.insert(pats.end(), d.data_actions.begin(), d.data_actions.end());
    q.action = ActionFor(pats);
    q.resource = ScopeUnder(d.scope);
  } else if (r < 92) {
    q.principal = Principal();
    q.action = RandomAction();
    q.resource = RandomResource();
  } else {
    q.principal = Principal();
    q.action = RandomAction();
    q.resource = InvalidResource();
  }
  if (options_.v2) q.extras = NextExtras();
  return q;
}

WorkloadQueryArgs QueryGenerator::NextWorkload() {
  const Bundle& b = ref_.bundle();
  WorkloadQueryArgs w;
  static const std::vector<std::string> wts = {"job", "service", "workspace"};
  if (!b.clouds.empty() && Chance(0.85)) {
    w.cloud = b.clouds[Pick(b.clouds.size())].id;
    if (Chance(0.1)) w.cloud = Recase(w.cloud);
  } else {
    w.cloud = Chance(0.5) ? "nope" : "c9";
  }
  w.workload_type = wts[Pick(wts.size())];
  w.project = projects_[Pick(projects_.size())];
  if (Chance(0.1)) w.project = Recase(w.project);
  w.user = users_[Pick(users_.size())];
  if (Chance(0.15)) w.compute_config_identity = Chance(0.5) && !identities_.empty()
                                                    ? identities_[Pick(identities_.size())]
                                                    : "arn:aws:iam::1:role/cc";
  if (Chance(0.1)) w.node_group_identity = Chance(0.5) && !principals_.empty()
                                               ? principals_[Pick(principals_.size())]
                                               : "arn:aws:iam::1:role/ng";
  // Something the identities might be allowed to do.
  std::vector<const Statement*> stmts;
  for (const Statement& s : b.statements)
    if (std::find(identities_.begin(), identities_.end(), s.principal) != identities_.end())
      stmts.push_back(&s);
  if (!stmts.empty() && Chance(0.5)) {
    const Statement& s = *stmts[Pick(stmts.size())];
    w.action = ActionFor(s.actions);
    w.resource = Instantiate(StatementResource(s));
  } else {
    w.action = RandomAction();
    w.resource = RandomResource();
  }
  if (options_.v2) w.extras = NextExtras();
  return w;
}

std::string QueryGenerator::MutateTarget(std::string t) {
  size_t times = Chance(0.6) ? 0 : 1 + Pick(2);
  for (size_t k = 0; k < times; ++k) {
    size_t pos = t.empty() ? 0 : 1 + Pick(t.size());
    switch (Pick(14)) {
      case 0: {
        static const std::vector<std::string> tails = {"?q=%zz&x=/../", "#frag", "?", "#", "?a=1#b",
                                                       "?%2F"};
        t += tails[Pick(tails.size())];
        break;
      }
      case 1: {  // percent-encode one letter or digit
        std::vector<size_t> idx;
        for (size_t i = 0; i < t.size(); ++i)
          if (isalnum(static_cast<unsigned char>(t[i]))) idx.push_back(i);
        if (idx.empty()) break;
        size_t i = idx[Pick(idx.size())];
        static const char* up = "0123456789ABCDEF";
        static const char* lo = "0123456789abcdef";
        const char* hex = Chance(0.5) ? up : lo;
        unsigned char c = static_cast<unsigned char>(t[i]);
        t = t.substr(0, i) + "%" + hex[c >> 4] + hex[c & 15] + t.substr(i + 1);
        break;
      }
      case 2:
      case 3: {
        static const std::vector<std::string> ins = {
            "%2F", "%2f", "%5C", "%5c", "%00", "%7F", "%1f", "%C2%85", "%C2%A0", "%FF",
            "%zz", "%4", "%", "%25", "%2e", "%2E%2E", "\\", "\x01", "%C3%A9", "%3F", "%23",
            "%C0%AF", "%E0%80%AF", "%ED%A0%80", "%F4%90%80%80", "%F0%9F%98%80", "%e2%82%ac",
            "\xc0\xaf", "\xed\xa0\x80", "\xf0\x9f\x98\x80", std::string(1, '\0')};
        t.insert(std::min(pos, t.size()), ins[Pick(ins.size())]);
        break;
      }
      case 4: {
        size_t s = t.find('/', Pick(t.size() + 1));
        if (s != std::string::npos) t.insert(s, "/");
        break;
      }
      case 5: {
        static const std::vector<std::string> segs = {"/.", "/..", "/%2e", "/%2E%2e", "/.x", "/..."};
        size_t s = t.find('/', Pick(t.size() + 1));
        if (s == std::string::npos) s = t.size();
        t.insert(s, segs[Pick(segs.size())]);
        break;
      }
      case 6: t += Chance(0.5) ? "/" : "//"; break;
      case 7: t = Recase(t); break;
      case 8: if (!t.empty() && t[0] == '/') t = t.substr(1); break;
      case 9: {
        size_t want = Chance(0.5) ? 4096 : 4097;
        if (t.size() + 1 < want) t += "/" + std::string(want - t.size() - 1, 'a');
        if (Chance(0.3)) t += "?tail";
        if (Chance(0.3)) t = t.substr(0, 40) + "?" + std::string(5000, 'q');
        break;
      }
      case 10: {
        size_t q = t.find_first_of("?#");
        if (q == std::string::npos) t += "/";
        break;
      }
      default: break;
    }
  }
  return t;
}

RequestQuery QueryGenerator::NextRequest() {
  const Bundle& b = ref_.bundle();
  RequestQuery q;
  if (!b.assignments.empty() && Chance(0.7))
    q.principal = MemberOf(b.assignments[Pick(b.assignments.size())].principal);
  else
    q.principal = Principal();
  if (Chance(0.9)) {
    q.target = MutateTarget(targets_[Pick(targets_.size())]);
  } else {
    static const std::vector<std::string> junk = {"", "/", "?x", "#", "/api", "api/x", "//api",
                                                  "/api/%", "/\xc3\xa9", "/\xff"};
    q.target = junk[Pick(junk.size())];
  }
  static const std::vector<std::string> methods = {"GET", "POST", "DELETE", "PUT", "get", "PATCH", "*", ""};
  q.method = methods[Pick(methods.size())];
  if (!b.routes.empty() && Chance(0.7)) {
    // Prefer a method some route takes for this target, so that most
    // requests get past routing.
    std::vector<std::string> cands;
    for (const Route& r : b.routes) cands.push_back(r.method == "*" ? q.method : r.method);
    std::shuffle(cands.begin(), cands.end(), rng_);
    for (const std::string& m : cands)
      if (ref_.CheckRequest(q.principal, m, q.target).check.reason != "no_route") {
        q.method = m;
        break;
      }
  }
  if (Chance(0.6)) {
    // Prefer a principal holding an assignment above the scope it names.
    std::string scope = ref_.CheckRequest("p", q.method, q.target).resource;
    std::vector<std::string> holders;
    if (!scope.empty() && ScopeProblem(scope).empty())
      for (const Assignment& a : b.assignments)
        if (IsAncestorOrSelf(a.scope, scope)) holders.push_back(a.principal);
    if (!holders.empty()) q.principal = MemberOf(holders[Pick(holders.size())]);
  }
  if (options_.v2) q.extras = NextExtras();
  return q;
}

const std::string& QueryGenerator::StatementResource(const Statement& s) {
  const std::vector<std::string>& list = s.resources.empty() ? s.not_resources : s.resources;
  // A fuzzed bundle may give a statement no resource patterns at all.
  static const std::string kAny = "arn:aws:s3:::any";
  return list.empty() ? kAny : list[Pick(list.size())];
}

RefQueryExtras QueryGenerator::NextExtras() {
  auto pick = [&](size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng2_); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng2_) < p; };
  auto one = [&](const std::vector<std::string>& v) { return v[pick(v.size())]; };
  RefQueryExtras x;
  if (chance(0.1)) return x;  // no context, no groups
  auto list = [&](const std::vector<std::string>& vocab) {
    std::vector<std::string> l;
    size_t n = pick(4);  // 0..3 values: empty lists too
    for (size_t k = 0; k < n; ++k) l.push_back(one(vocab));
    return RefValue::List(std::move(l));
  };
  auto add = [&](const std::string& key, RefValue v) {
    // Keys compare case-insensitively: now and then spelt otherwise.
    std::string k = key;
    if (chance(0.2))
      for (char& c : k) c = static_cast<char>((c >= 'a' && c <= 'z') ? c - 32 : c);
    x.context.emplace_back(k, std::move(v));
  };
  const std::vector<std::string> strs = kStrValues;
  for (const std::string& key : kStrKeys) {
    if (!chance(0.6)) continue;
    add(key, chance(key == "tags" ? 0.7 : 0.2) ? list(strs) : RefValue::String(one(strs)));
  }
  for (const std::string& attr : kAzureStrAttrs)
    if (chance(0.5)) add(attr, chance(0.3) ? list(strs) : RefValue::String(one(strs)));
  const std::vector<std::string> nums = {"1", "5", "10", "-2", "x", "2.5"};
  const std::vector<std::string> dates = {"2020-01-01T00:00:00Z", "2019-06-01", "1600000000",
                                          "2021-06-01T00:00:00+02:00", "never"};
  for (const char* key : {"n", "@Request[n]", "@Request[nums]"}) {
    if (!chance(0.6)) continue;
    size_t r = pick(4);
    add(key, r == 0 ? RefValue::Number(static_cast<double>(pick(12)))
             : r == 1 ? list(nums) : RefValue::String(one(nums)));
  }
  for (const char* key : {"t", "@Environment[t]"})
    if (chance(0.6)) add(key, chance(0.3) ? RefValue::Number(1577836800 + 1e7 * pick(5)) : RefValue::String(one(dates)));
  for (const char* key : {"flag", "@Request[flag]"})
    if (chance(0.6)) add(key, chance(0.5) ? RefValue::Bool(chance(0.5)) : RefValue::String(one({"true", "FALSE", "x"})));
  if (chance(0.5)) add("@Request[g]", chance(0.3) ? list(kGuids) : RefValue::String(one(kGuids)));
  if (chance(0.5)) add("bin", RefValue::String(one({"QQ==", "Qg==", "!!"})));
  if (chance(0.6)) add("aws:SourceIp", RefValue::String(one(kIpValues)));
  if (chance(0.5)) add("arn", chance(0.2) ? list(kArnValues) : RefValue::String(one(kArnValues)));
  if (chance(0.4)) add("SubOperation", RefValue::String(one({"Blob.List", "Blob.Read"})));
  if (chance(0.01)) add("big", RefValue::List(std::vector<std::string>(257, "v")));  // over the limit
  if (chance(0.01)) add("k1", RefValue::String("dup"));  // maybe a key given twice

  // Asserted groups: groups of the bundle, now and then an unknown or empty one.
  std::vector<std::string> groups;
  for (const std::string& p : principals_)
    if (p.rfind("grp:", 0) == 0) groups.push_back(p);
  if (!groups.empty() && chance(0.35)) {
    size_t n = 1 + pick(2);
    for (size_t k = 0; k < n; ++k) x.groups.push_back(one(groups));
  }
  if (chance(0.05)) x.groups.push_back("grp:unknown");
  if (chance(0.01)) x.groups.push_back("");
  return x;
}

}  // namespace rolegate_ref
