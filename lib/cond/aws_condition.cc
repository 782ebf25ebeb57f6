// lib/cond/aws_condition.cc — compile and evaluate AWS condition elements
// (see aws_condition.h for the semantics decided here).
#include "aws_condition.h"

#include <cmath>
#include <iterator>
#include <optional>
#include <string_view>

#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

// What a value of an operator is read as, on both sides.
enum class Family : uint8_t { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };

struct OpInfo {
  std::string_view name;
  AwsOp op;
  Family family;
  bool negated;
};

constexpr OpInfo kOps[] = {
    {"StringEquals", AwsOp::kStringEquals, Family::kString, false},
    {"StringNotEquals", AwsOp::kStringNotEquals, Family::kString, true},
    {"StringEqualsIgnoreCase", AwsOp::kStringEqualsIgnoreCase, Family::kString, false},
    {"StringNotEqualsIgnoreCase", AwsOp::kStringNotEqualsIgnoreCase, Family::kString, true},
    {"StringLike", AwsOp::kStringLike, Family::kString, false},
    {"StringNotLike", AwsOp::kStringNotLike, Family::kString, true},
    {"NumericEquals", AwsOp::kNumericEquals, Family::kNumeric, false},
    {"NumericNotEquals", AwsOp::kNumericNotEquals, Family::kNumeric, true},
    {"NumericLessThan", AwsOp::kNumericLessThan, Family::kNumeric, false},
    {"NumericLessThanEquals", AwsOp::kNumericLessThanEquals, Family::kNumeric, false},
    {"NumericGreaterThan", AwsOp::kNumericGreaterThan, Family::kNumeric, false},
    {"NumericGreaterThanEquals", AwsOp::kNumericGreaterThanEquals, Family::kNumeric, false},
    {"DateEquals", AwsOp::kDateEquals, Family::kDate, false},
    {"DateNotEquals", AwsOp::kDateNotEquals, Family::kDate, true},
    {"DateLessThan", AwsOp::kDateLessThan, Family::kDate, false},
    {"DateLessThanEquals", AwsOp::kDateLessThanEquals, Family::kDate, false},
    {"DateGreaterThan", AwsOp::kDateGreaterThan, Family::kDate, false},
    {"DateGreaterThanEquals", AwsOp::kDateGreaterThanEquals, Family::kDate, false},
    {"Bool", AwsOp::kBool, Family::kBool, false},
    {"BinaryEquals", AwsOp::kBinaryEquals, Family::kBinary, false},
    {"IpAddress", AwsOp::kIpAddress, Family::kIp, false},
    {"NotIpAddress", AwsOp::kNotIpAddress, Family::kIp, true},
    {"ArnEquals", AwsOp::kArnEquals, Family::kArn, false},
    {"ArnLike", AwsOp::kArnLike, Family::kArn, false},
    {"ArnNotEquals", AwsOp::kArnNotEquals, Family::kArn, true},
    {"ArnNotLike", AwsOp::kArnNotLike, Family::kArn, true},
    {"Null", AwsOp::kNull, Family::kNull, false},
};

// Info() indexes kOps by the enum: keep the two in one order.
constexpr bool OpsInEnumOrder() {
  for (size_t i = 0; i < std::size(kOps); ++i)
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  return std::size(kOps) == static_cast<size_t>(AwsOp::kNull) + 1;
}
static_assert(OpsInEnumOrder());

const OpInfo& Info(AwsOp op) { return kOps[static_cast<size_t>(op)]; }

struct ParsedOp {
  const OpInfo* info = nullptr;
  AwsSetPrefix set = AwsSetPrefix::kNone;
  bool if_exists = false;
};

// "ForAnyValue:StringLikeIfExists" -> StringLike, kForAnyValue, IfExists.
std::optional<ParsedOp> ParseOperatorName(std::string_view name) {
  ParsedOp p;
  constexpr std::string_view kAny = "ForAnyValue:", kAll = "ForAllValues:", kIfExists = "IfExists";
  if (name.starts_with(kAny)) {
    p.set = AwsSetPrefix::kForAnyValue;
    name.remove_prefix(kAny.size());
  } else if (name.starts_with(kAll)) {
    p.set = AwsSetPrefix::kForAllValues;
    name.remove_prefix(kAll.size());
  }
  if (name.ends_with(kIfExists)) {
    p.if_exists = true;
    name.remove_suffix(kIfExists.size());
  }
  for (const OpInfo& info : kOps) {
    if (info.name != name) continue;
    // Null tests presence itself: IfExists or a set prefix would make it
    // meaningless, so such a name is no operator.
    if (info.op == AwsOp::kNull && (p.if_exists || p.set != AwsSetPrefix::kNone)) return std::nullopt;
    p.info = &info;
    return p;
  }
  return std::nullopt;
}

// RFC 6901: '~' -> "~0", '/' -> "~1".
std::string PointerToken(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 1);
  out.push_back('/');
  for (char c : s) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

using Kind = model::ConditionValue::Kind;

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kString: return "a string";
    case Kind::kNumber: return "a number";
    case Kind::kBool: return "a boolean";
  }
  return "a value";
}

// Parses one policy value for its operator; false with *msg on a bad value.
bool CompileValue(const OpInfo& info, const model::ConditionValue& v, bool policy_variables, KeyTable* keys,
                  AwsValue* out, std::string* msg) {
  const std::string op(info.name);
  auto wrong = [&](const char* wants) {
    *msg = op + " takes " + wants + ", not " + KindName(v.kind);
    return false;
  };
  auto bad = [&](const char* what) {
    *msg = op + ": \"" + v.text + "\" is not " + what;
    return false;
  };
  switch (info.family) {
    case Family::kString:
    case Family::kArn:
      if (v.kind != Kind::kString) return wrong("strings");
      return ParseSegPattern(v.text, policy_variables, 0, keys, &out->pattern, msg) ||
             (*msg = op + ": " + *msg, false);
    case Family::kNumeric: {
      if (v.kind == Kind::kBool) return wrong("numbers (or numeric strings)");
      const std::optional<double> n = ParseNumber(v.text);
      if (!n) return bad("a number");
      out->number = *n;
      return true;
    }
    case Family::kDate: {
      if (v.kind == Kind::kBool) return wrong("dates (ISO 8601 strings or epoch seconds)");
      const std::optional<Timestamp> t = ParseDateValue(v.text);
      if (!t) return bad("an ISO 8601 date or epoch seconds");
      out->time = *t;
      return true;
    }
    case Family::kBool:
    case Family::kNull: {
      if (v.kind == Kind::kNumber) return wrong("booleans (true/false)");
      const std::optional<bool> b = ParseBoolText(v.text);
      if (!b) return bad("true or false");
      out->boolean = *b;
      return true;
    }
    case Family::kBinary: {
      if (v.kind != Kind::kString) return wrong("base64 strings");
      std::optional<std::string> bytes = DecodeBase64String(v.text);
      if (!bytes) return bad("base64");
      out->bytes = std::move(*bytes);
      return true;
    }
    case Family::kIp: {
      if (v.kind != Kind::kString) return wrong("IP addresses or CIDRs as strings");
      const std::optional<Cidr> c = ParseCidr(v.text);
      if (!c) return bad("an IPv4 or IPv6 address or CIDR");
      out->cidr = *c;
      return true;
    }
  }
  return bad("a value");
}

void CompileKey(const ParsedOp& p, const model::ConditionKey& key, const std::string& op_ptr,
                bool policy_variables, KeyTable* keys, AwsProgram* out, std::vector<CondError>* errors) {
  const std::string ptr = op_ptr + PointerToken(key.key.s);
  if (key.key.s.empty()) {
    errors->push_back({ptr, key.key.off, "condition key is empty"});
    return;
  }
  if (key.values.empty()) {
    errors->push_back({ptr, key.key.off, "condition key \"" + key.key.s + "\" has no values"});
    return;
  }
  AwsClause c;
  c.op = p.info->op;
  c.set = p.set;
  c.if_exists = p.if_exists;
  c.negated = p.info->negated;
  c.key = keys->Intern(key.key.s);
  c.first = static_cast<uint32_t>(out->values.size());
  for (size_t i = 0; i < key.values.size(); ++i) {
    AwsValue v;
    std::string msg;
    if (!CompileValue(*p.info, key.values[i], policy_variables, keys, &v, &msg)) {
      const std::string vptr = key.values.size() > 1 ? ptr + "/" + std::to_string(i) : ptr;
      errors->push_back({vptr, key.values[i].off, std::move(msg)});
      continue;
    }
    out->values.push_back(std::move(v));
  }
  c.count = static_cast<uint32_t>(out->values.size()) - c.first;
  out->clauses.push_back(c);
}

}  // namespace

const char* AwsOpName(AwsOp op) { return Info(op).name.data(); }

bool CompileAwsCondition(const model::AwsCondition& cond, bool policy_variables, KeyTable* keys,
                         AwsProgram* out, std::vector<CondError>* errors) {
  const size_t errors_before = errors->size();
  out->clauses.clear();
  out->values.clear();
  if (cond.operators.empty())
    errors->push_back({"", cond.off, "condition has no operators (omit `condition` for none)"});
  for (const model::ConditionOperator& op : cond.operators) {
    const std::string ptr = PointerToken(op.op.s);
    const std::optional<ParsedOp> p = ParseOperatorName(op.op.s);
    if (!p) {
      errors->push_back({ptr, op.op.off, "unknown condition operator \"" + op.op.s + "\""});
      continue;
    }
    if (op.keys.empty()) {
      errors->push_back({ptr, op.op.off, "condition operator \"" + op.op.s + "\" has no keys"});
      continue;
    }
    for (const model::ConditionKey& key : op.keys) CompileKey(*p, key, ptr, policy_variables, keys, out, errors);
  }
  return errors->size() == errors_before;
}

}  // namespace rolegate::internal

// ---- Evaluation ------------------------------------------------------------

namespace rolegate::internal {
namespace {

// One request value read for an operator family. Lives on the stack; the
// byte buffer holds a decoded BinaryEquals value (context strings are at most
// kMaxContextStringBytes, so their base64 decodes to at most 3/4 of that).
struct RequestValue {
  std::string_view str;
  double number = 0;
  Timestamp time;
  bool boolean = false;
  IpAddress ip;
  size_t n_bytes = 0;
  char bytes[kMaxContextStringBytes / 4 * 3 + 3];
};

// A JSON number as epoch seconds; false outside +-1e12 s (not a date).
bool EpochFromDouble(double x, Timestamp* t) {
  if (!std::isfinite(x) || x > 1e12 || x < -1e12) return false;
  const double whole = std::floor(x);
  int64_t nanos = std::llround((x - whole) * 1e9);
  int64_t secs = static_cast<int64_t>(whole);
  if (nanos >= 1000000000) {
    nanos -= 1000000000;
    ++secs;
  }
  *t = Timestamp{secs, static_cast<uint32_t>(nanos)};
  return true;
}

// Reads a string request value for `family`; false when it cannot (SPEC §10:
// the value then counts as absent for this operator).
bool ReadString(Family family, std::string_view s, RequestValue* rv) {
  switch (family) {
    case Family::kString:
    case Family::kArn: rv->str = s; return true;
    case Family::kNumeric: {
      const std::optional<double> n = ParseNumber(s);
      return n && (rv->number = *n, true);
    }
    case Family::kDate: {
      const std::optional<Timestamp> t = ParseDateValue(s);
      return t && (rv->time = *t, true);
    }
    case Family::kBool: {
      const std::optional<bool> b = ParseBoolText(s);
      return b && (rv->boolean = *b, true);
    }
    case Family::kIp: {
      const std::optional<IpAddress> a = ParseIpAddress(s);
      return a && (rv->ip = *a, true);
    }
    case Family::kBinary: return DecodeBase64(s, rv->bytes, sizeof rv->bytes, &rv->n_bytes);
    case Family::kNull: return false;
  }
  return false;
}

// Reads a single-valued entry (string, number or boolean) for `family`.
bool ReadEntry(Family family, const ContextEntry& e, RequestValue* rv) {
  switch (e.type) {
    case ValueType::kString: return ReadString(family, e.str, rv);
    case ValueType::kNumber:
      if (family == Family::kNumeric) return std::isfinite(e.number) && (rv->number = e.number, true);
      if (family == Family::kDate) return EpochFromDouble(e.number, &rv->time);
      return false;
    case ValueType::kBool:
      return family == Family::kBool && (rv->boolean = e.boolean, true);
    case ValueType::kStringList: return false;
  }
  return false;
}

template <typename T>
bool Compare(AwsOp op, const T& req, const T& pol) {
  switch (op) {
    case AwsOp::kNumericLessThan:
    case AwsOp::kDateLessThan: return req < pol;
    case AwsOp::kNumericLessThanEquals:
    case AwsOp::kDateLessThanEquals: return req <= pol;
    case AwsOp::kNumericGreaterThan:
    case AwsOp::kDateGreaterThan: return req > pol;
    case AwsOp::kNumericGreaterThanEquals:
    case AwsOp::kDateGreaterThanEquals: return req >= pol;
    default: return req == pol;  // ...Equals and ...NotEquals (negation applied by the caller)
  }
}

bool MatchString(AwsOp op, const SegPattern& pat, std::string_view req, const ContextView& ctx) {
  ResolvedSegs r;
  if (!ResolveSegs(pat, ctx, &r)) return false;  // an unresolved variable: matches nothing
  if (op == AwsOp::kArnEquals || op == AwsOp::kArnLike || op == AwsOp::kArnNotEquals || op == AwsOp::kArnNotLike)
    return SegArnMatch(r, req);
  const bool fold = op == AwsOp::kStringEqualsIgnoreCase || op == AwsOp::kStringNotEqualsIgnoreCase;
  const bool wild = op == AwsOp::kStringLike || op == AwsOp::kStringNotLike;
  return SegMatch(r, SegBegin(r), SegEnd(r), req, fold, wild);
}

// Does the request value match policy value v (before negation)?
bool MatchOne(const AwsClause& c, Family family, const AwsValue& v, const RequestValue& rv, const ContextView& ctx) {
  switch (family) {
    case Family::kString:
    case Family::kArn: return MatchString(c.op, v.pattern, rv.str, ctx);
    case Family::kNumeric: return Compare(c.op, rv.number, v.number);
    case Family::kDate: return Compare(c.op, rv.time, v.time);
    case Family::kBool: return rv.boolean == v.boolean;
    case Family::kBinary: return std::string_view(rv.bytes, rv.n_bytes) == v.bytes;
    case Family::kIp: return CidrContains(v.cidr, rv.ip);
    case Family::kNull: return false;
  }
  return false;
}

// The values of one key OR; a negated operator needs none to match.
bool Satisfies(const AwsProgram& p, const AwsClause& c, Family family, const RequestValue& rv, const ContextView& ctx) {
  bool any = false;
  for (uint32_t i = 0; i < c.count && !any; ++i) any = MatchOne(c, family, p.values[c.first + i], rv, ctx);
  return c.negated ? !any : any;
}

// ForAnyValue:/ForAllValues: over the key's values (a single value is a set
// of one). An absent or empty key gives ForAllValues true and ForAnyValue
// false, whatever the operator; so does a single value OP cannot read (it
// counts as absent, SPEC §10). An unreadable element of a list is judged as
// an absent key is without a set prefix (false; true for a negated operator
// or IfExists) and still takes part: dropping it instead would let junk in
// the request (["10abc"]) empty the set and satisfy a ForAllValues that an
// Allow relies on.
bool EvalSet(const AwsProgram& p, const AwsClause& c, Family family, const ContextEntry* e, const ContextView& ctx) {
  const bool all = c.set == AwsSetPrefix::kForAllValues;
  if (e == nullptr) return all;
  RequestValue rv;
  auto one = [&](bool readable) { return readable ? Satisfies(p, c, family, rv, ctx) : c.if_exists || c.negated; };
  if (e->type != ValueType::kStringList) return ReadEntry(family, *e, &rv) ? one(true) : all;
  for (size_t i = 0; i < e->list_size; ++i)
    if (one(ReadString(family, e->list[i], &rv)) != all) return !all;
  return all;  // ForAny: nothing satisfied; ForAll: nothing failed (or the set was empty)
}

bool EvalClause(const AwsProgram& p, const AwsClause& c, const ContextView& ctx) {
  const ContextEntry* e = ctx.Get(c.key);
  const Family family = Info(c.op).family;
  if (family == Family::kNull) {
    const bool absent = e == nullptr;
    for (uint32_t i = 0; i < c.count; ++i)
      if (p.values[c.first + i].boolean == absent) return true;
    return false;
  }
  if (c.set != AwsSetPrefix::kNone) return EvalSet(p, c, family, e, ctx);
  // No set prefix: a multi-valued key fails, negated, IfExists or not.
  if (e != nullptr && e->type == ValueType::kStringList) return false;
  RequestValue rv;
  if (e == nullptr || !ReadEntry(family, *e, &rv)) return c.if_exists || c.negated;  // absent
  return Satisfies(p, c, family, rv, ctx);
}

}  // namespace

bool EvalAws(const AwsProgram& program, const CondEnv& env) {
  static const ContextView kEmpty;
  const ContextView& ctx = env.ctx != nullptr ? *env.ctx : kEmpty;
  for (const AwsClause& c : program.clauses)
    if (!EvalClause(program, c, ctx)) return false;
  return true;
}

}  // namespace rolegate::internal
