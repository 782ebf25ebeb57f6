// lib/model/writer.cc — model::Bundle -> bundle JSON.
//
// One small helper (Obj) writes the members of one JSON object; each bundle
// type has one function listing its fields in the order the schema lists
// them. What is omitted (defaults, absent optionals) is decided here, in one
// place a type, so that LoadBundle(WriteBundleJson(b)) gives b back.
#include "model/writer.h"

#include <cstdio>

namespace rolegate::internal {

void AppendJsonQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

namespace {

using model::Str;
using model::StrList;

// Writes `{"k": v, ...}` on one line: Begin, members, End.
class Obj {
 public:
  explicit Obj(std::string* out) : out_(out) { out_->push_back('{'); }
  void End() { out_->push_back('}'); }

  void Key(std::string_view k) {
    if (!first_) *out_ += ", ";
    first_ = false;
    AppendJsonQuoted(out_, k);
    *out_ += ": ";
  }
  void String(std::string_view k, const Str& v) {
    Key(k);
    AppendJsonQuoted(out_, v.s);
  }
  void Opt(std::string_view k, const std::optional<Str>& v) {
    if (v) String(k, *v);
  }
  void List(std::string_view k, const StrList& v) {
    Key(k);
    out_->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) *out_ += ", ";
      AppendJsonQuoted(out_, v[i].s);
    }
    out_->push_back(']');
  }
  // Omitted when empty: for lists whose absence means `[]`.
  void ListIfAny(std::string_view k, const StrList& v) {
    if (!v.empty()) List(k, v);
  }
  void Bool(std::string_view k, bool v) {
    Key(k);
    *out_ += v ? "true" : "false";
  }
  std::string* out() { return out_; }

 private:
  std::string* out_;
  bool first_ = true;
};

void WriteAction(std::string* out, const model::Action& a) {
  Obj o(out);
  o.String("name", a.name);
  if (a.data) o.Bool("data", true);
  if (a.has_effective_only_at) o.List("effective_only_at", a.effective_only_at);
  o.End();
}

// The four Azure lists shared by roles, blocks and deny assignments.
template <class T>
void WriteFourLists(Obj& o, const T& t) {
  o.ListIfAny("actions", t.actions);
  o.ListIfAny("not_actions", t.not_actions);
  o.ListIfAny("data_actions", t.data_actions);
  o.ListIfAny("not_data_actions", t.not_data_actions);
}

void WriteRole(std::string* out, const model::Role& r) {
  Obj o(out);
  o.String("id", r.id);
  if (!r.name.s.empty()) o.String("name", r.name);
  if (r.has_permissions) {
    o.Key("permissions");
    out->push_back('[');
    for (size_t i = 0; i < r.permissions.size(); ++i) {
      if (i) *out += ", ";
      Obj b(out);
      WriteFourLists(b, r.permissions[i]);
      b.Opt("condition", r.permissions[i].condition);
      b.End();
    }
    out->push_back(']');
  } else {
    WriteFourLists(o, r);
  }
  if (r.has_assignable_scopes) o.List("assignable_scopes", r.assignable_scopes);
  o.End();
}

void WriteGroup(std::string* out, const model::Group& g) {
  Obj o(out);
  o.String("id", g.id);
  o.ListIfAny("members", g.members);
  o.End();
}

void WriteAssignment(std::string* out, const model::Assignment& a) {
  Obj o(out);
  o.String("id", a.id);
  o.String("principal", a.principal);
  o.String("role", a.role);
  o.String("scope", a.scope);
  o.Opt("condition", a.condition);
  o.End();
}

void WriteDeny(std::string* out, const model::DenyAssignment& d) {
  Obj o(out);
  o.String("id", d.id);
  o.List("principals", d.principals);  // required, even when empty
  o.ListIfAny("exclude_principals", d.exclude_principals);
  WriteFourLists(o, d);
  o.String("scope", d.scope);
  if (!d.apply_to_children) o.Bool("apply_to_children", false);
  o.Opt("condition", d.condition);
  o.End();
}

void WriteConditionValue(std::string* out, const model::ConditionValue& v) {
  if (v.kind == model::ConditionValue::Kind::kString) AppendJsonQuoted(out, v.text);
  else *out += v.text;  // a number's token text, or true/false
}

// `{"OP": {"KEY": VALUE | [VALUES]}}`: a single value is written bare, as AWS
// writes it; the loader reads both forms into the same model.
void WriteAwsCondition(std::string* out, const model::AwsCondition& c) {
  Obj ops(out);
  for (const auto& op : c.operators) {
    ops.Key(op.op.s);
    Obj keys(out);
    for (const auto& k : op.keys) {
      keys.Key(k.key.s);
      if (k.values.size() == 1) {
        WriteConditionValue(out, k.values[0]);
        continue;
      }
      out->push_back('[');
      for (size_t i = 0; i < k.values.size(); ++i) {
        if (i) *out += ", ";
        WriteConditionValue(out, k.values[i]);
      }
      out->push_back(']');
    }
    keys.End();
  }
  ops.End();
}

void WriteStatement(std::string* out, const model::Statement& s) {
  Obj o(out);
  o.String("id", s.id);
  o.String("principal", s.principal);
  o.String("effect", s.effect);
  o.List(s.not_actions ? "not_actions" : "actions", s.actions);
  o.List(s.not_resources ? "not_resources" : "resources", s.resources);
  o.Opt("policy_version", s.policy_version);
  if (s.condition) {
    o.Key("condition");
    WriteAwsCondition(out, *s.condition);
  }
  o.End();
}

void WriteCloud(std::string* out, const model::Cloud& c) {
  Obj o(out);
  o.String("id", c.id);
  o.Opt("default_identity", c.default_identity);
  if (!c.mappings.empty()) {
    o.Key("mappings");
    out->push_back('[');
    for (size_t i = 0; i < c.mappings.size(); ++i) {
      const model::MappingRule& m = c.mappings[i];
      *out += i ? ",\n      " : "\n      ";
      Obj r(out);
      r.String("id", m.id);
      r.Opt("workload_type", m.workload_type);
      r.Opt("project", m.project);
      r.Opt("user", m.user);
      r.String("identity", m.identity);
      r.End();
    }
    *out += "\n    ]";
  }
  o.End();
}

void WriteRoute(std::string* out, const model::Route& r) {
  Obj o(out);
  o.String("id", r.id);
  o.String("method", r.method);
  o.String("path", r.path);
  o.String("action", r.action);
  o.String("scope", r.scope);
  o.End();
}

void WriteScopeParent(std::string* out, const model::ScopeParent& p) {
  Obj o(out);
  o.String("scope", p.scope);
  o.String("parent", p.parent);
  o.End();
}

// `,\n  "key": [\n    E,\n    E\n  ]`; nothing for an empty optional list.
template <class T, class Fn>
void WriteList(std::string* out, std::string_view key, const std::vector<T>& v, Fn&& write_one,
               bool required = false) {
  if (v.empty() && !required) return;
  *out += ",\n  ";
  AppendJsonQuoted(out, key);
  if (v.empty()) {
    *out += ": []";
    return;
  }
  *out += ": [";
  for (size_t i = 0; i < v.size(); ++i) {
    *out += i ? ",\n    " : "\n    ";
    write_one(out, v[i]);
  }
  *out += "\n  ]";
}

}  // namespace

std::string WriteBundleJson(const model::Bundle& b) {
  std::string out = "{\n  \"version\": 1";
  WriteList(&out, "actions", b.actions, WriteAction, /*required=*/true);
  WriteList(&out, "roles", b.roles, WriteRole);
  WriteList(&out, "groups", b.groups, WriteGroup);
  WriteList(&out, "assignments", b.assignments, WriteAssignment);
  WriteList(&out, "deny_assignments", b.deny_assignments, WriteDeny);
  WriteList(&out, "statements", b.statements, WriteStatement);
  WriteList(&out, "clouds", b.clouds, WriteCloud);
  WriteList(&out, "routes", b.routes, WriteRoute);
  WriteList(&out, "scope_parents", b.scope_parents, WriteScopeParent);
  out += "\n}\n";
  return out;
}

}  // namespace rolegate::internal
