// lib/import/aws.cc — `aws iam get-account-authorization-details` -> bundle
// model (see aws.h for the mapping and its documented decisions).
//
// Passes, in this order so that every lookup is ready when needed:
//   1. parse every file into a tree (aws_json.h);
//   2. the catalog from the CSV;
//   3. index the managed policies of every page (by ARN) and the groups (by
//      name), since a user on page 1 may name a group or policy of page 2;
//   4. users, then groups, then roles, each in input order: their inline and
//      attached policies become statements; policy documents are converted
//      once (managed ones on first attachment) and copied per principal.
// Output order is input order throughout; hash maps serve lookups only, so
// the same inputs give the same bundle byte for byte.
#include "import/aws.h"

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "import/aws_json.h"
#include "rolegate/internal/text.h"
#include "simdjson.h"

namespace rolegate::internal {
namespace {

using aws_json::Type;
using aws_json::Value;

// Where a value sits: its file and JSON pointer; inside a URL-encoded policy
// document (a JSON string holding JSON text) `ptr` names that string and
// `inner` the pointer within the decoded document.
struct Where {
  const std::string* file = nullptr;
  std::string ptr;
  bool decoded = false;
  std::string inner;

  Where At(std::string_view key) const {
    Where w = *this;
    (decoded ? w.inner : w.ptr) = aws_json::Join(decoded ? inner : ptr, key);
    return w;
  }
  Where At(size_t index) const {
    Where w = *this;
    (decoded ? w.inner : w.ptr) = aws_json::Join(decoded ? inner : ptr, index);
    return w;
  }
  // The pointer as messages print it.
  std::string Text() const {
    std::string p = ptr.empty() ? "\"\"" : ptr;
    if (decoded) absl::StrAppend(&p, " (URL-decoded document, at ", inner.empty() ? "\"\"" : inner, ")");
    return p;
  }
};

absl::Status Err(const Where& w, std::string_view msg) {
  return absl::InvalidArgumentError(absl::StrCat(AbslView(*w.file), ": ", w.Text(), ": ", AbslView(msg)));
}

absl::Status Expect(const Value& v, Type t, const Where& w) {
  if (v.type == t) return absl::OkStatus();
  return Err(w, absl::StrCat("expected ", aws_json::TypeName(t), ", found ", aws_json::TypeName(v.type)));
}

// A required (or optional: *out untouched when absent) non-empty string member.
absl::Status ReadString(const Value& obj, std::string_view key, const Where& w, bool required,
                        std::string* out) {
  const Value* v = obj.Find(key);
  if (v == nullptr) {
    if (!required) return absl::OkStatus();
    return Err(w, absl::StrCat("missing \"", AbslView(key), "\""));
  }
  if (absl::Status s = Expect(*v, Type::kString, w.At(key)); !s.ok()) return s;
  if (v->text.empty()) return Err(w.At(key), "empty string");
  *out = v->text;
  return absl::OkStatus();
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding as IAM encodes policy documents. '+' stays a
// plus: IAM encodes a space as %20, and '+' can appear literally in a policy
// (an ARN, a condition value), so reading it as a space would change it.
absl::Status UrlDecode(std::string_view in, const Where& w, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    const int hi = i + 2 < in.size() ? HexDigit(in[i + 1]) : -1;
    const int lo = i + 2 < in.size() ? HexDigit(in[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      return Err(w, absl::StrCat("bad URL-encoding at character ", i, ": '%' must be followed by two hex digits"));
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return absl::OkStatus();
}

bool IsGlob(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// A policy document converted once: its statements without principal and id,
// each with its index in the document and where it came from.
struct PolicyTemplate {
  std::vector<model::Statement> stmts;
  std::vector<size_t> index;
  std::vector<Where> where;
};

struct ManagedPolicy {
  std::string arn, name;
  Where where;             // the Policies entry
  const Value* document;   // the default version's Document
  Where doc_where;
  bool converted = false;
  PolicyTemplate tmpl;
  size_t attachments = 0;
};

// The three principal kinds of the export.
struct Kind {
  const char* kind;        // id prefix and report wording
  const char* list;        // top-level list
  const char* name_key;
  const char* inline_key;  // inline policy list
  bool boundary;           // may carry a PermissionsBoundary
};
constexpr Kind kUser{"user", "UserDetailList", "UserName", "UserPolicyList", true};
constexpr Kind kGroup{"group", "GroupDetailList", "GroupName", "GroupPolicyList", false};
constexpr Kind kRole{"role", "RoleDetailList", "RoleName", "RolePolicyList", true};

// Fields of a principal entry that carry nothing the bundle models and are
// dropped silently (identifiers, dates, last use, instance profiles).
bool IsMetadataField(std::string_view k) {
  static const char* const kFields[] = {"Path", "UserId", "GroupId", "RoleId", "CreateDate", "RoleLastUsed",
                                        "InstanceProfileList", "Description", "MaxSessionDuration"};
  for (const char* f : kFields)
    if (k == f) return true;
  return false;
}

class AwsImporter {
 public:
  AwsImporter(const AwsImportInputs& in, model::Bundle* out, ImportReport* report)
      : in_(in), out_(out), report_(report) {}

  absl::Status Run();

 private:
  absl::Status ParseFiles();
  absl::Status CheckPagesComplete() const;
  absl::Status ReadCatalog();
  absl::Status ReadCatalogRow(const std::vector<std::string>& fields, size_t prefix_col, size_t action_col,
                              size_t line);
  void AddCatalogName(std::string name, const Where* used_at, bool from_csv);
  absl::Status IndexPolicies(size_t file);
  absl::Status IndexPolicy(const Value& p, const Where& w);
  absl::Status IndexGroups(size_t file);
  absl::Status ImportList(const Kind& kind, size_t file);
  absl::Status ImportPrincipal(const Kind& kind, const Value& e, const Where& w);
  absl::Status CheckPrincipalFields(const Kind& kind, const Value& e, const Where& w, const std::string& name);
  absl::Status ReadGroupList(const Value& e, const Where& w, const std::string& user_arn);
  absl::Status ImportInline(const Kind& kind, const Value& e, const Where& w, const std::string& name,
                            const std::string& arn);
  absl::Status ImportAttached(const Kind& kind, const Value& e, const Where& w, const std::string& name,
                              const std::string& arn);
  absl::Status ImportAttachment(const Kind& kind, const Value& a, const Where& w, const std::string& name,
                                const std::string& arn, absl::flat_hash_set<std::string>* seen);
  absl::Status ConvertDocument(const Value& doc, const Where& w, PolicyTemplate* out);
  absl::Status ConvertStatements(const Value& doc, const Where& w, PolicyTemplate* out);
  absl::Status ConvertStatement(const Value& st, const Where& w, size_t index,
                                const std::optional<std::string>& version, PolicyTemplate* out);
  absl::Status ReadStatementBody(const Value& st, const Where& w, model::Statement* out);
  absl::Status ReadPatterns(const Value& v, const Where& w, model::StrList* out);
  absl::Status ReadCondition(const Value& v, const Where& w, model::AwsCondition* out, bool* had_empty);
  absl::Status ReadConditionValue(const Value& v, const Where& w, std::vector<model::ConditionValue>* out);
  void NoteLiterals(const PolicyTemplate& t);
  void Emit(const Kind& kind, const std::string& name, const std::string& arn, std::string_view policy_kind,
            std::string_view policy_name, const PolicyTemplate& t);
  std::string UniqueId(std::string base);
  void ReportUnattached();

  const std::string& FileName(size_t i) const { return in_.authorization_details[i].first; }
  Where FileRoot(size_t i) const { return Where{&in_.authorization_details[i].first, "", false, ""}; }

  const AwsImportInputs& in_;
  model::Bundle* out_;
  ImportReport* report_;
  std::vector<Value> roots_;
  std::vector<ManagedPolicy> policies_;
  absl::flat_hash_map<std::string, size_t> policy_by_arn_;
  absl::flat_hash_map<std::string, size_t> group_by_name_;  // -> out_->groups index
  absl::flat_hash_set<std::string> principal_arns_;
  absl::flat_hash_set<std::string> catalog_lower_;
  absl::flat_hash_set<std::string> catalog_exact_;  // as spelled in the CSV
  absl::flat_hash_set<std::string> ids_;
  const std::string kNoFile;
};

absl::Status AwsImporter::ParseFiles() {
  roots_.resize(in_.authorization_details.size());
  for (size_t i = 0; i < roots_.size(); ++i) {
    const auto& [name, text] = in_.authorization_details[i];
    if (absl::Status s = aws_json::Parse(text, name, &roots_[i]); !s.ok()) return s;
    const Value& root = roots_[i];
    static const char* const kTop[] = {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies",
                                       "IsTruncated", "Marker"};
    for (size_t k = 0; k < root.keys.size(); ++k) {
      bool known = false;
      for (const char* t : kTop) known = known || root.keys[k] == t;
      if (!known)
        report_->Add("unknown_field", name, aws_json::Join("", root.keys[k]), root.keys[k],
                     "not part of the authorization-details format; ignored");
    }
  }
  return CheckPagesComplete();
}

// get-account-authorization-details pages its output (IsTruncated, Marker):
// a missing page would drop group memberships, and with them the Denies of
// those groups, so the import would allow more than the account does. Every
// truncated page needs a later one and the set must hold a last page. (A
// page missing from the middle of several given cannot be told apart.)
absl::Status AwsImporter::CheckPagesComplete() const {
  size_t truncated = 0;
  std::string first;
  for (size_t i = 0; i < roots_.size(); ++i) {
    const Value* t = roots_[i].Find("IsTruncated");
    if (t != nullptr && t->type == aws_json::Type::kBool && t->text == "true") {
      ++truncated;
      if (first.empty()) first = in_.authorization_details[i].first;
    }
  }
  if (truncated == 0 || truncated < roots_.size()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(first, ": /IsTruncated: this is one page of a longer listing (IsTruncated true, Marker): "
                          "give every page, the last one has IsTruncated false"));
}

// ---- The action catalog ---------------------------------------------------------

// One CSV line (RFC 4180 quoting; a quoted field may not span lines).
bool SplitCsv(std::string_view line, std::vector<std::string>* fields) {
  fields->assign(1, "");
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields->back().push_back('"'), ++i;
      else if (c == '"') quoted = false;
      else fields->back().push_back(c);
    } else if (c == '"' && fields->back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields->emplace_back();
    } else {
      fields->back().push_back(c);
    }
  }
  return !quoted;
}

void AwsImporter::AddCatalogName(std::string name, const Where* used_at, bool from_csv) {
  std::string lower = absl::AsciiStrToLower(name);
  if (!catalog_lower_.insert(lower).second) return;
  catalog_exact_.insert(name);
  if (!from_csv && in_.actions_csv) {
    report_->Add("action_not_in_catalog", *used_at->file, used_at->ptr, name,
                 used_at->decoded ? absl::StrCat("(document pointer ", used_at->inner,
                                                 ") a literal action the CSV lacks; added to the catalog")
                                  : "a literal action the CSV lacks; added to the catalog");
  }
  report_->Imported(from_csv ? "actions_from_csv" : "actions_added_from_policies");
  model::Action a;
  a.name.s = std::move(name);
  out_->actions.push_back(std::move(a));
}

absl::Status AwsImporter::ReadCatalogRow(const std::vector<std::string>& fields, size_t prefix_col,
                                         size_t action_col, size_t line) {
  const std::string& file = in_.actions_csv->first;
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(AbslView(file), ":", line, ": ", AbslView(why)));
  };
  if (fields.size() <= std::max(prefix_col, action_col)) return bad("too few columns");
  const std::string& prefix = fields[prefix_col];
  const std::string& action = fields[action_col];
  if (prefix.empty() || action.empty()) return bad("empty service_prefix or action");
  for (const std::string* f : {&prefix, &action})
    for (unsigned char c : *f)
      if (c <= ' ' || c == 0x7f || c == '*' || c == '?' || (f == &prefix && c == ':'))
        return bad(absl::StrCat("\"", *f, "\" is not an action name (blank, control character, '*', '?' or ':')"));
  std::string name = absl::StrCat(prefix, ":", action);
  const std::string lower = absl::AsciiStrToLower(name);
  if (catalog_lower_.contains(lower)) {
    // The reference lists some actions on two pages of one service: an exact
    // repeat is silent, a repeat differing in case is folded and reported.
    if (!catalog_exact_.contains(name))
      report_->Add("action_case_duplicate", file, absl::StrCat("line ", line), name,
                   "differs from a catalog action only in case (IAM compares actions case-insensitively); folded");
    return absl::OkStatus();
  }
  AddCatalogName(std::move(name), nullptr, true);
  return absl::OkStatus();
}

absl::Status AwsImporter::ReadCatalog() {
  if (!in_.actions_csv) {
    report_->Add("no_catalog", kNoFile, "", "action catalog",
                 "no actions CSV given: the catalog is the literal actions the policies name, so wildcard "
                 "patterns expand over those only");
    return absl::OkStatus();
  }
  const auto& [file, text] = *in_.actions_csv;
  if (!simdjson::validate_utf8(text.data(), text.size()))
    return absl::InvalidArgumentError(absl::StrCat(AbslView(file), ": not valid UTF-8"));
  std::vector<std::string> fields;
  size_t prefix_col = SIZE_MAX, action_col = SIZE_MAX, line = 0;
  // A spreadsheet-saved CSV may start with a UTF-8 byte order mark.
  const size_t start = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  for (size_t pos = start; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view row(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (row.empty()) continue;
    if (!SplitCsv(row, &fields))
      return absl::InvalidArgumentError(absl::StrCat(AbslView(file), ":", line, ": unterminated quoted field"));
    if (prefix_col == SIZE_MAX) {  // the header
      for (size_t c = 0; c < fields.size(); ++c) {
        if (fields[c] == "service_prefix") prefix_col = c;
        if (fields[c] == "action") action_col = c;
      }
      if (prefix_col == SIZE_MAX || action_col == SIZE_MAX)
        return absl::InvalidArgumentError(absl::StrCat(
            AbslView(file), ":", line, ": the header must name the columns service_prefix and action"));
      continue;
    }
    if (absl::Status s = ReadCatalogRow(fields, prefix_col, action_col, line); !s.ok()) return s;
  }
  if (prefix_col == SIZE_MAX)
    return absl::InvalidArgumentError(absl::StrCat(AbslView(file), ": empty (no header row)"));
  return absl::OkStatus();
}

// Literal actions (no '*' or '?') the catalog lacks are added, reported at
// their first use: IAM accepts any action name, and a bundle must declare
// every literal (SPEC §2).
void AwsImporter::NoteLiterals(const PolicyTemplate& t) {
  for (size_t i = 0; i < t.stmts.size(); ++i) {
    for (const model::Str& a : t.stmts[i].actions) {
      if (IsGlob(a.s) || catalog_lower_.contains(absl::AsciiStrToLower(a.s))) continue;
      AddCatalogName(a.s, &t.where[i], false);
    }
  }
}

// ---- Managed policies and groups ------------------------------------------------

absl::Status AwsImporter::IndexPolicy(const Value& p, const Where& w) {
  if (absl::Status s = Expect(p, Type::kObject, w); !s.ok()) return s;
  ManagedPolicy mp;
  mp.where = w;
  std::string default_id;
  if (absl::Status s = ReadString(p, "Arn", w, true, &mp.arn); !s.ok()) return s;
  if (absl::Status s = ReadString(p, "PolicyName", w, false, &mp.name); !s.ok()) return s;
  if (mp.name.empty()) mp.name = mp.arn.substr(mp.arn.rfind('/') + 1);
  if (absl::Status s = ReadString(p, "DefaultVersionId", w, false, &default_id); !s.ok()) return s;
  const Value* versions = p.Find("PolicyVersionList");
  if (versions == nullptr) return Err(w, "missing \"PolicyVersionList\"");
  const Where vw = w.At("PolicyVersionList");
  if (absl::Status s = Expect(*versions, Type::kArray, vw); !s.ok()) return s;
  const Value* chosen = nullptr;
  for (size_t i = 0; i < versions->items.size(); ++i) {
    const Value& v = versions->items[i];
    if (absl::Status s = Expect(v, Type::kObject, vw.At(i)); !s.ok()) return s;
    std::string id;
    if (absl::Status s = ReadString(v, "VersionId", vw.At(i), false, &id); !s.ok()) return s;
    const Value* is_default = v.Find("IsDefaultVersion");
    if (is_default != nullptr && is_default->type != Type::kBool)
      return Expect(*is_default, Type::kBool, vw.At(i).At("IsDefaultVersion"));
    const bool flagged = is_default != nullptr && is_default->text == "true";
    const bool by_id = !default_id.empty() && id == default_id;
    if (by_id && is_default != nullptr && !flagged)
      return Err(vw.At(i), "the DefaultVersionId names this version but IsDefaultVersion is false");
    if (!(by_id || (default_id.empty() && flagged))) continue;
    if (chosen != nullptr) return Err(vw.At(i), "more than one default version");
    chosen = &v;
    mp.doc_where = vw.At(i).At("Document");
  }
  if (chosen == nullptr) return Err(vw, "no default version (DefaultVersionId / IsDefaultVersion)");
  mp.document = chosen->Find("Document");
  if (mp.document == nullptr) return Err(mp.doc_where, "missing");
  report_->Imported("managed_policy_versions_not_default", versions->items.size() - 1);
  if (!policy_by_arn_.emplace(mp.arn, policies_.size()).second)
    return Err(w.At("Arn"), absl::StrCat("managed policy ", mp.arn, " listed twice"));
  policies_.push_back(std::move(mp));
  return absl::OkStatus();
}

absl::Status AwsImporter::IndexPolicies(size_t file) {
  const Value* list = roots_[file].Find("Policies");
  if (list == nullptr) return absl::OkStatus();
  const Where w = FileRoot(file).At("Policies");
  if (absl::Status s = Expect(*list, Type::kArray, w); !s.ok()) return s;
  for (size_t i = 0; i < list->items.size(); ++i)
    if (absl::Status s = IndexPolicy(list->items[i], w.At(i)); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status AwsImporter::IndexGroups(size_t file) {
  const Value* list = roots_[file].Find("GroupDetailList");
  if (list == nullptr) return absl::OkStatus();
  const Where w = FileRoot(file).At("GroupDetailList");
  if (absl::Status s = Expect(*list, Type::kArray, w); !s.ok()) return s;
  for (size_t i = 0; i < list->items.size(); ++i) {
    const Value& g = list->items[i];
    if (absl::Status s = Expect(g, Type::kObject, w.At(i)); !s.ok()) return s;
    std::string name, arn;
    if (absl::Status s = ReadString(g, "GroupName", w.At(i), true, &name); !s.ok()) return s;
    if (absl::Status s = ReadString(g, "Arn", w.At(i), true, &arn); !s.ok()) return s;
    if (!group_by_name_.emplace(name, out_->groups.size()).second)
      return Err(w.At(i).At("GroupName"), absl::StrCat("group name ", name, " listed twice"));
    model::Group group;
    group.id.s = arn;
    out_->groups.push_back(std::move(group));
  }
  return absl::OkStatus();
}

void AwsImporter::ReportUnattached() {
  for (const ManagedPolicy& p : policies_) {
    if (p.attachments > 0) {
      report_->Imported("managed_policies");
      continue;
    }
    report_->Add("unattached_policy", *p.where.file, p.where.ptr, p.arn,
                 "attached to no user, group or role of the input; nothing to import");
  }
}


// ---- Policy documents -----------------------------------------------------------

absl::Status AwsImporter::ReadPatterns(const Value& v, const Where& w, model::StrList* out) {
  auto one = [&](const Value& s, const Where& sw) {
    if (absl::Status st = Expect(s, Type::kString, sw); !st.ok()) return st;
    if (s.text.empty()) return Err(sw, "empty string");
    model::Str str;
    str.s = s.text;
    out->push_back(std::move(str));
    return absl::OkStatus();
  };
  if (v.type == Type::kString) return one(v, w);
  if (v.type != Type::kArray) return Err(w, absl::StrCat("expected a string or an array of strings, found ",
                                                         aws_json::TypeName(v.type)));
  if (v.items.empty()) return Err(w, "empty list");
  for (size_t i = 0; i < v.items.size(); ++i)
    if (absl::Status s = one(v.items[i], w.At(i)); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status AwsImporter::ReadConditionValue(const Value& v, const Where& w,
                                             std::vector<model::ConditionValue>* out) {
  model::ConditionValue cv;
  switch (v.type) {
    case Type::kString: cv.kind = model::ConditionValue::Kind::kString; break;
    case Type::kNumber: cv.kind = model::ConditionValue::Kind::kNumber; break;
    case Type::kBool: cv.kind = model::ConditionValue::Kind::kBool; break;
    default:
      return Err(w, absl::StrCat("a condition value must be a string, number or boolean, found ",
                                 aws_json::TypeName(v.type)));
  }
  cv.text = v.text;
  out->push_back(std::move(cv));
  return absl::OkStatus();
}

// The Condition element, kept as written (SPEC §10 "AWS form"); operator
// names and value types are checked by the compiler. Empty parts (`{}`, an
// operator with no keys, a key with no values) have no exact bundle form:
// they are left out and *had_empty set (the caller decides what that means).
absl::Status AwsImporter::ReadCondition(const Value& v, const Where& w, model::AwsCondition* out,
                                        bool* had_empty) {
  if (absl::Status s = Expect(v, Type::kObject, w); !s.ok()) return s;
  *had_empty = v.keys.empty();
  for (size_t i = 0; i < v.keys.size(); ++i) {
    const Where ow = w.At(v.keys[i]);
    const Value& keys = v.items[i];
    if (v.keys[i].empty()) return Err(ow, "empty condition operator");
    if (absl::Status s = Expect(keys, Type::kObject, ow); !s.ok()) return s;
    model::ConditionOperator op;
    op.op.s = v.keys[i];
    for (size_t k = 0; k < keys.keys.size(); ++k) {
      const Where kw = ow.At(keys.keys[k]);
      if (keys.keys[k].empty()) return Err(kw, "empty condition key");
      model::ConditionKey key;
      key.key.s = keys.keys[k];
      const Value& val = keys.items[k];
      if (val.type != Type::kArray) {
        if (absl::Status s = ReadConditionValue(val, kw, &key.values); !s.ok()) return s;
      } else {
        for (size_t j = 0; j < val.items.size(); ++j)
          if (absl::Status s = ReadConditionValue(val.items[j], kw.At(j), &key.values); !s.ok()) return s;
      }
      if (key.values.empty()) *had_empty = true;
      else op.keys.push_back(std::move(key));
    }
    if (op.keys.empty()) *had_empty = true;
    else out->operators.push_back(std::move(op));
  }
  return absl::OkStatus();
}

// Effect, Action/NotAction and Resource/NotResource of one statement; every
// element name checked (IAM rejects a policy with an unknown one, so such an
// input is not an IAM export).
absl::Status AwsImporter::ReadStatementBody(const Value& st, const Where& w, model::Statement* out) {
  if (absl::Status s = Expect(st, Type::kObject, w); !s.ok()) return s;
  static const char* const kKeys[] = {"Sid",         "Effect",    "Action",    "NotAction",   "Resource",
                                      "NotResource", "Condition", "Principal", "NotPrincipal"};
  for (const std::string& k : st.keys) {
    bool known = false;
    for (const char* e : kKeys) known = known || k == e;
    if (!known) return Err(w.At(k), "unknown policy element (IAM would reject the policy)");
  }
  if (const Value* sid = st.Find("Sid"); sid != nullptr)
    if (absl::Status s = Expect(*sid, Type::kString, w.At("Sid")); !s.ok()) return s;
  if (absl::Status e = ReadString(st, "Effect", w, true, &out->effect.s); !e.ok()) return e;
  if (out->effect.s != "Allow" && out->effect.s != "Deny")
    return Err(w.At("Effect"), "must be \"Allow\" or \"Deny\"");
  const Value* action = st.Find("Action");
  const Value* not_action = st.Find("NotAction");
  const Value* resource = st.Find("Resource");
  const Value* not_resource = st.Find("NotResource");
  if ((action == nullptr) == (not_action == nullptr)) return Err(w, "needs exactly one of Action and NotAction");
  if ((resource == nullptr) == (not_resource == nullptr))
    return Err(w, "needs exactly one of Resource and NotResource");
  out->not_actions = action == nullptr;
  out->not_resources = resource == nullptr;
  if (absl::Status e = ReadPatterns(action ? *action : *not_action, w.At(action ? "Action" : "NotAction"),
                                    &out->actions); !e.ok())
    return e;
  return ReadPatterns(resource ? *resource : *not_resource, w.At(resource ? "Resource" : "NotResource"),
                      &out->resources);
}

absl::Status AwsImporter::ConvertStatement(const Value& st, const Where& w, size_t index,
                                           const std::optional<std::string>& version, PolicyTemplate* out) {
  model::Statement s;
  if (absl::Status e = ReadStatementBody(st, w, &s); !e.ok()) return e;
  if (const Value* c = st.Find("Condition"); c != nullptr) {
    s.condition.emplace();
    bool had_empty = false;
    if (absl::Status e = ReadCondition(*c, w.At("Condition"), &*s.condition, &had_empty); !e.ok()) return e;
    if (s.condition->operators.empty()) s.condition.reset();
    // Leaving an empty part out of a Deny's condition can only make it hold
    // more often (over-deny); an Allow is skipped rather than guessed at.
    if (had_empty) {
      const bool deny = s.effect.s == "Deny";
      report_->Add("empty_condition_part", *w.file, w.At("Condition").ptr,
                   w.decoded ? "condition " + w.At("Condition").inner : "condition",
                   deny ? "an empty operator, key or value list; left out of the Deny's condition (over-denies)"
                        : "an empty operator, key or value list, which the bundle cannot express; the Allow is "
                          "skipped (never over-allows)");
      if (!deny) return absl::OkStatus();
    }
  }
  if (version) s.policy_version = model::Str{*version};
  const bool has_principal = st.Find("Principal") != nullptr || st.Find("NotPrincipal") != nullptr;
  if (has_principal) {
    const bool deny = s.effect.s == "Deny";
    report_->Add("resource_policy_statement", *w.file, w.ptr, w.decoded ? "statement " + w.inner : "statement",
                 deny ? "a Principal/NotPrincipal in an identity policy; kept as a Deny of the identity without "
                        "it (over-denies, never over-allows)"
                      : "a Principal/NotPrincipal in an identity policy (a resource-policy statement); the Allow "
                        "is skipped");
    if (!deny) return absl::OkStatus();
  }
  out->stmts.push_back(std::move(s));
  out->index.push_back(index);
  out->where.push_back(w);
  return absl::OkStatus();
}

absl::Status AwsImporter::ConvertStatements(const Value& doc, const Where& w, PolicyTemplate* out) {
  if (absl::Status s = Expect(doc, Type::kObject, w); !s.ok()) return s;
  for (const std::string& k : doc.keys)
    if (k != "Version" && k != "Id" && k != "Statement")
      return Err(w.At(k), "unknown policy element (IAM would reject the policy)");
  std::optional<std::string> version;
  if (const Value* v = doc.Find("Version"); v != nullptr) {
    if (absl::Status s = Expect(*v, Type::kString, w.At("Version")); !s.ok()) return s;
    if (v->text != "2012-10-17" && v->text != "2008-10-17")
      return Err(w.At("Version"), "must be \"2012-10-17\" or \"2008-10-17\"");
    version = v->text;
  }
  if (const Value* id = doc.Find("Id"); id != nullptr)
    if (absl::Status s = Expect(*id, Type::kString, w.At("Id")); !s.ok()) return s;
  const Value* st = doc.Find("Statement");
  if (st == nullptr) return Err(w, "missing \"Statement\"");
  if (st->type == Type::kObject) return ConvertStatement(*st, w.At("Statement"), 0, version, out);
  if (st->type != Type::kArray)
    return Err(w.At("Statement"), absl::StrCat("expected an object or an array, found ", aws_json::TypeName(st->type)));
  for (size_t i = 0; i < st->items.size(); ++i)
    if (absl::Status s = ConvertStatement(st->items[i], w.At("Statement").At(i), i, version, out); !s.ok())
      return s;
  return absl::OkStatus();
}

// A policy document: a JSON object (CLI output) or URL-encoded JSON text
// (the raw API). A decoded document's tree lives only for this call: the
// template keeps copies of what it needs.
absl::Status AwsImporter::ConvertDocument(const Value& doc, const Where& w, PolicyTemplate* out) {
  if (doc.type == Type::kString) {
    std::string text;
    if (absl::Status s = UrlDecode(doc.text, w, &text); !s.ok()) return s;
    Value tree;
    const std::string where = absl::StrCat(AbslView(*w.file), ": ", w.ptr, " (URL-decoded document)");
    if (absl::Status s = aws_json::Parse(text, where, &tree); !s.ok()) return s;
    Where dw = w;
    dw.decoded = true;
    if (absl::Status s = ConvertStatements(tree, dw, out); !s.ok()) return s;
  } else {
    if (absl::Status s = Expect(doc, Type::kObject, w); !s.ok()) return s;
    if (absl::Status s = ConvertStatements(doc, w, out); !s.ok()) return s;
  }
  NoteLiterals(*out);
  return absl::OkStatus();
}

// ---- Principals -----------------------------------------------------------------

std::string AwsImporter::UniqueId(std::string base) {
  if (ids_.insert(base).second) return base;
  for (size_t n = 2;; ++n) {
    std::string id = absl::StrCat(base, "#", n);
    if (ids_.insert(id).second) return id;
  }
}

void AwsImporter::Emit(const Kind& kind, const std::string& name, const std::string& arn,
                       std::string_view policy_kind, std::string_view policy_name, const PolicyTemplate& t) {
  for (size_t i = 0; i < t.stmts.size(); ++i) {
    model::Statement s = t.stmts[i];
    s.principal.s = arn;
    s.id.s = UniqueId(absl::StrCat(kind.kind, "/", name, "/", AbslView(policy_kind), "/", AbslView(policy_name),
                                   "/", t.index[i]));
    report_->Imported("statements");
    if (s.condition) report_->Imported("statements_with_condition");
    if (s.not_actions) report_->Imported("statements_with_not_action");
    if (s.not_resources) report_->Imported("statements_with_not_resource");
    out_->statements.push_back(std::move(s));
  }
}

absl::Status AwsImporter::ImportInline(const Kind& kind, const Value& e, const Where& w, const std::string& name,
                                       const std::string& arn) {
  const Value* list = e.Find(kind.inline_key);
  if (list == nullptr) return absl::OkStatus();
  const Where lw = w.At(kind.inline_key);
  if (absl::Status s = Expect(*list, Type::kArray, lw); !s.ok()) return s;
  for (size_t i = 0; i < list->items.size(); ++i) {
    const Value& p = list->items[i];
    if (absl::Status s = Expect(p, Type::kObject, lw.At(i)); !s.ok()) return s;
    std::string policy_name;
    if (absl::Status s = ReadString(p, "PolicyName", lw.At(i), true, &policy_name); !s.ok()) return s;
    const Value* doc = p.Find("PolicyDocument");
    if (doc == nullptr) return Err(lw.At(i), "missing \"PolicyDocument\"");
    PolicyTemplate t;
    if (absl::Status s = ConvertDocument(*doc, lw.At(i).At("PolicyDocument"), &t); !s.ok()) return s;
    report_->Imported("inline_policies");
    Emit(kind, name, arn, "inline", policy_name, t);
  }
  return absl::OkStatus();
}

absl::Status AwsImporter::ImportAttachment(const Kind& kind, const Value& a, const Where& w,
                                           const std::string& name, const std::string& arn,
                                           absl::flat_hash_set<std::string>* seen) {
  if (absl::Status s = Expect(a, Type::kObject, w); !s.ok()) return s;
  std::string policy_arn;
  if (absl::Status s = ReadString(a, "PolicyArn", w, true, &policy_arn); !s.ok()) return s;
  if (const Value* n = a.Find("PolicyName"); n != nullptr)
    if (absl::Status s = Expect(*n, Type::kString, w.At("PolicyName")); !s.ok()) return s;
  auto it = policy_by_arn_.find(policy_arn);
  if (it == policy_by_arn_.end())
    return Err(w.At("PolicyArn"), absl::StrCat("managed policy ", policy_arn,
                                               " is not in the Policies list of any input file"));
  if (!seen->insert(policy_arn).second) return absl::OkStatus();  // attached twice: once is enough
  ManagedPolicy& mp = policies_[it->second];
  if (!mp.converted) {
    if (absl::Status s = ConvertDocument(*mp.document, mp.doc_where, &mp.tmpl); !s.ok()) return s;
    mp.converted = true;
  }
  ++mp.attachments;
  report_->Imported("managed_policy_attachments");
  Emit(kind, name, arn, "managed", mp.name, mp.tmpl);
  return absl::OkStatus();
}

absl::Status AwsImporter::ImportAttached(const Kind& kind, const Value& e, const Where& w, const std::string& name,
                                         const std::string& arn) {
  const Value* list = e.Find("AttachedManagedPolicies");
  if (list == nullptr) return absl::OkStatus();
  const Where lw = w.At("AttachedManagedPolicies");
  absl::flat_hash_set<std::string> seen;
  // A single attachment is sometimes written as an object instead of a list.
  if (list->type == Type::kObject) return ImportAttachment(kind, *list, lw, name, arn, &seen);
  if (absl::Status s = Expect(*list, Type::kArray, lw); !s.ok()) return s;
  for (size_t i = 0; i < list->items.size(); ++i)
    if (absl::Status s = ImportAttachment(kind, list->items[i], lw.At(i), name, arn, &seen); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status AwsImporter::ReadGroupList(const Value& e, const Where& w, const std::string& user_arn) {
  const Value* list = e.Find("GroupList");
  if (list == nullptr) return absl::OkStatus();
  const Where lw = w.At("GroupList");
  if (absl::Status s = Expect(*list, Type::kArray, lw); !s.ok()) return s;
  absl::flat_hash_set<size_t> seen;
  for (size_t i = 0; i < list->items.size(); ++i) {
    const Value& g = list->items[i];
    if (absl::Status s = Expect(g, Type::kString, lw.At(i)); !s.ok()) return s;
    auto it = group_by_name_.find(g.text);
    if (it == group_by_name_.end()) {
      report_->Add("unknown_group", *w.file, lw.At(i).ptr, g.text,
                   "no group of this name in GroupDetailList: its policies are unknown; membership dropped");
      continue;
    }
    if (!seen.insert(it->second).second) continue;
    model::Str member;
    member.s = user_arn;
    out_->groups[it->second].members.push_back(std::move(member));
    report_->Imported("group_memberships");
  }
  return absl::OkStatus();
}

// Boundaries, trust policies, tags and unknown fields of one principal entry.
absl::Status AwsImporter::CheckPrincipalFields(const Kind& kind, const Value& e, const Where& w,
                                               const std::string& name) {
  for (size_t i = 0; i < e.keys.size(); ++i) {
    const std::string& k = e.keys[i];
    const Value& v = e.items[i];
    if (k == kind.name_key || k == "Arn" || k == kind.inline_key || k == "AttachedManagedPolicies" ||
        (k == "GroupList" && &kind == &kUser) || IsMetadataField(k))
      continue;
    const std::string what = absl::StrCat(kind.kind, " ", name);
    if (k == "PermissionsBoundary" && kind.boundary && v.type != Type::kNull) {
      std::string boundary;
      if (v.type == Type::kObject) (void)ReadString(v, "PermissionsBoundaryArn", w.At(k), false, &boundary);
      if (!in_.ignore_permission_boundaries)
        return Err(w.At(k), absl::StrCat(what, " has a permissions boundary (", boundary.empty() ? "?" : boundary,
                                         "): it limits what the identity's policies allow, and the bundle cannot "
                                         "apply it, so importing would over-allow; use "
                                         "--ignore-permission-boundaries to import without it"));
      report_->Add("permissions_boundary_ignored", *w.file, w.At(k).ptr, what,
                   absl::StrCat("permissions boundary ", boundary, " not applied (--ignore-permission-boundaries): "
                                "the bundle may allow more than AWS does"));
    } else if (k == "AssumeRolePolicyDocument" && &kind == &kRole) {
      report_->Add("trust_policy", *w.file, w.At(k).ptr, what,
                   "the role's trust policy (who may assume it) is a resource policy; not imported");
    } else if (k == "Tags") {
      if (v.type == Type::kArray && v.items.empty()) continue;
      report_->Add("principal_tags", *w.file, w.At(k).ptr, what,
                   "tags are not bundle data; conditions on aws:PrincipalTag read the query's context");
    } else if (!(k == "PermissionsBoundary" && v.type == Type::kNull)) {
      report_->Add("unknown_field", *w.file, w.At(k).ptr, absl::StrCat(what, ": ", k), "not imported");
    }
  }
  return absl::OkStatus();
}

absl::Status AwsImporter::ImportPrincipal(const Kind& kind, const Value& e, const Where& w) {
  if (absl::Status s = Expect(e, Type::kObject, w); !s.ok()) return s;
  std::string name, arn;
  if (absl::Status s = ReadString(e, kind.name_key, w, true, &name); !s.ok()) return s;
  if (absl::Status s = ReadString(e, "Arn", w, true, &arn); !s.ok()) return s;
  if (!principal_arns_.insert(arn).second) return Err(w.At("Arn"), absl::StrCat(arn, " listed twice"));
  if (absl::Status s = CheckPrincipalFields(kind, e, w, name); !s.ok()) return s;
  if (&kind == &kUser)
    if (absl::Status s = ReadGroupList(e, w, arn); !s.ok()) return s;
  if (absl::Status s = ImportInline(kind, e, w, name, arn); !s.ok()) return s;
  if (absl::Status s = ImportAttached(kind, e, w, name, arn); !s.ok()) return s;
  report_->Imported(absl::StrCat(kind.kind, "s"));
  return absl::OkStatus();
}

absl::Status AwsImporter::ImportList(const Kind& kind, size_t file) {
  const Value* list = roots_[file].Find(kind.list);
  if (list == nullptr) return absl::OkStatus();
  const Where w = FileRoot(file).At(kind.list);
  if (absl::Status s = Expect(*list, Type::kArray, w); !s.ok()) return s;
  for (size_t i = 0; i < list->items.size(); ++i)
    if (absl::Status s = ImportPrincipal(kind, list->items[i], w.At(i)); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status AwsImporter::Run() {
  *out_ = model::Bundle{};
  if (in_.authorization_details.empty()) return absl::InvalidArgumentError("no authorization-details file given");
  if (absl::Status s = ParseFiles(); !s.ok()) return s;
  if (absl::Status s = ReadCatalog(); !s.ok()) return s;
  for (size_t f = 0; f < roots_.size(); ++f) {
    if (absl::Status s = IndexPolicies(f); !s.ok()) return s;
    if (absl::Status s = IndexGroups(f); !s.ok()) return s;
  }
  for (const Kind* kind : {&kUser, &kGroup, &kRole})
    for (size_t f = 0; f < roots_.size(); ++f)
      if (absl::Status s = ImportList(*kind, f); !s.ok()) return s;
  ReportUnattached();
  report_->Add("not_in_input", kNoFile, "", "SCPs, resource control policies, session policies",
               "not part of get-account-authorization-details: the bundle does not apply their limits");
  report_->Imported("actions", out_->actions.size());
  return absl::OkStatus();
}

}  // namespace

absl::Status ImportAws(const AwsImportInputs& in, model::Bundle* out, ImportReport* report) {
  AwsImporter importer(in, out, report);
  return importer.Run();
}

}  // namespace rolegate::internal
