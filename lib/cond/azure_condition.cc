// lib/cond/azure_condition.cc — compiler and evaluator of Azure ABAC
// conditions (see azure_condition.h and docs/conditions-azure.md).
//
// The parser is recursive descent whose depth is capped (kMaxAzureNesting
// counts every '(' and every NOT), so a hostile string cannot exhaust the
// stack. It emits code for a one-register machine: `A AND B AND C` becomes
// A, JF end, B, JF end, C — the accumulator at `end` is the conjunction — so
// evaluation needs no stack and every jump goes forward.
#include "cond/azure_condition.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include "cond/values.h"
#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

using Family = AzureTest::Family;
using Rel = AzureTest::Rel;
using Quant = AzureTest::Quant;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
// Characters of an unquoted value: numbers ("-5"), GUIDs, true/false.
bool IsBareChar(char c) { return IsWordChar(c) || c == '-' || c == '.' || c == '+'; }

struct OperatorName {
  std::string_view lower;
  Family family;
  Rel rel;
  bool negated;
};

constexpr OperatorName kOperators[] = {
    {"stringequals", AzureTest::kString, AzureTest::kEq, false},
    {"stringnotequals", AzureTest::kString, AzureTest::kEq, true},
    {"stringstartswith", AzureTest::kString, AzureTest::kStartsWith, false},
    {"stringnotstartswith", AzureTest::kString, AzureTest::kStartsWith, true},
    {"stringlike", AzureTest::kString, AzureTest::kLike, false},
    {"stringnotlike", AzureTest::kString, AzureTest::kLike, true},
    {"stringequalsignorecase", AzureTest::kStringIgnoreCase, AzureTest::kEq, false},
    {"stringnotequalsignorecase", AzureTest::kStringIgnoreCase, AzureTest::kEq, true},
    {"stringstartswithignorecase", AzureTest::kStringIgnoreCase, AzureTest::kStartsWith, false},
    {"stringnotstartswithignorecase", AzureTest::kStringIgnoreCase, AzureTest::kStartsWith, true},
    {"stringlikeignorecase", AzureTest::kStringIgnoreCase, AzureTest::kLike, false},
    {"stringnotlikeignorecase", AzureTest::kStringIgnoreCase, AzureTest::kLike, true},
    {"numericequals", AzureTest::kNumeric, AzureTest::kEq, false},
    {"numericnotequals", AzureTest::kNumeric, AzureTest::kEq, true},
    {"numericlessthan", AzureTest::kNumeric, AzureTest::kLt, false},
    {"numericlessthanequals", AzureTest::kNumeric, AzureTest::kLe, false},
    {"numericgreaterthan", AzureTest::kNumeric, AzureTest::kGt, false},
    {"numericgreaterthanequals", AzureTest::kNumeric, AzureTest::kGe, false},
    {"datetimeequals", AzureTest::kDateTime, AzureTest::kEq, false},
    {"datetimenotequals", AzureTest::kDateTime, AzureTest::kEq, true},
    {"datetimelessthan", AzureTest::kDateTime, AzureTest::kLt, false},
    {"datetimelessthanequals", AzureTest::kDateTime, AzureTest::kLe, false},
    {"datetimegreaterthan", AzureTest::kDateTime, AzureTest::kGt, false},
    {"datetimegreaterthanequals", AzureTest::kDateTime, AzureTest::kGe, false},
    {"guidequals", AzureTest::kGuid, AzureTest::kEq, false},
    {"guidnotequals", AzureTest::kGuid, AzureTest::kEq, true},
    {"boolequals", AzureTest::kBool, AzureTest::kEq, false},
    {"boolnotequals", AzureTest::kBool, AzureTest::kEq, true},
};

struct QuantName {
  std::string_view lower;
  Quant quant;
};
constexpr QuantName kQuantifiers[] = {
    {"foranyofanyvalues", AzureTest::kAnyOfAny},
    {"forallofanyvalues", AzureTest::kAllOfAny},
    {"foranyofallvalues", AzureTest::kAnyOfAll},
    {"forallofallvalues", AzureTest::kAllOfAll},
};

constexpr std::string_view kPrefixList =
    "ForAnyOfAnyValues:/ForAllOfAnyValues:/ForAnyOfAllValues:/ForAllOfAllValues:";
// Integers beyond 2^53 would not compare exactly against a context number.
constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

class Parser {
 public:
  Parser(std::string_view text, KeyTable* keys,
         absl::FunctionRef<std::vector<uint32_t>(std::string_view)> expand, AzureProgram* out)
      : text_(text), keys_(keys), expand_(expand), out_(out) {}

  bool Run(AzureError* err);

 private:
  enum Conj { kNoConj, kAnd, kOr };

  bool Fail(size_t at, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_at_ = at;
      error_ = std::move(message);
    }
    return false;
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }
  // The run of letters at pos_ (possibly empty); does not consume.
  std::string_view PeekLetters() const {
    size_t end = pos_;
    while (end < text_.size() && IsAlpha(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }
  // True when the keyword `lower` (a whole word) is at pos_.
  bool AtKeyword(std::string_view lower) const {
    if (text_.size() - pos_ < lower.size()) return false;
    if (!AsciiEqualsIgnoreCase(text_.substr(pos_, lower.size()), lower)) return false;
    const size_t end = pos_ + lower.size();
    return end == text_.size() || !IsWordChar(text_[end]);
  }
  Conj PeekConj(size_t* len) const;
  uint32_t Emit(AzureOp::Code code, uint32_t arg = 0) {
    out_->code.push_back({code, arg});
    return static_cast<uint32_t>(out_->code.size() - 1);
  }

  bool ParseExpr(uint32_t depth, bool in_parens);
  bool ParseUnary(uint32_t depth);
  bool ParsePrimary();
  bool ParseFunctionArg(std::string_view name, std::string_view* arg, size_t* arg_at);
  bool ParseActionMatches();
  bool ParseSubOperation();
  bool ParseAttribute(uint32_t* key);
  bool ParseComparison();
  bool ParseOperator(AzureTest* t, std::string_view* name);
  bool ParseRight(AzureTest* t, std::string_view op_name);
  bool ParseQuoted(std::string_view* body);
  bool ParseValue(const AzureTest& t, std::string_view op_name);
  uint32_t AddString(std::string_view s, bool lower);
  void AddTest(const AzureTest& t) {
    Emit(AzureOp::kTest, static_cast<uint32_t>(out_->tests.size()));
    out_->tests.push_back(t);
  }

  std::string_view text_;
  KeyTable* keys_;
  absl::FunctionRef<std::vector<uint32_t>(std::string_view)> expand_;
  AzureProgram* out_;
  size_t pos_ = 0;
  bool failed_ = false;
  size_t error_at_ = 0;
  std::string error_;
};

Parser::Conj Parser::PeekConj(size_t* len) const {
  if (text_.substr(pos_, 2) == "&&") return *len = 2, kAnd;
  if (text_.substr(pos_, 2) == "||") return *len = 2, kOr;
  if (AtKeyword("and")) return *len = 3, kAnd;
  if (AtKeyword("or")) return *len = 2, kOr;
  return kNoConj;
}

bool Parser::Run(AzureError* err) {
  *out_ = AzureProgram{};
  bool ok;
  if (text_.size() > kMaxAzureConditionBytes) {
    ok = Fail(kMaxAzureConditionBytes, "the condition is longer than " +
                                           std::to_string(kMaxAzureConditionBytes) + " bytes");
  } else {
    SkipSpace();
    ok = AtEnd() ? Fail(pos_, "the condition is empty") : ParseExpr(0, false);
  }
  if (ok) return true;
  if (err) {
    err->offset = static_cast<uint32_t>(std::min(error_at_, text_.size()));
    err->message = error_;
  }
  return false;
}

// A sequence of unary terms joined by one kind of conjunction.
bool Parser::ParseExpr(uint32_t depth, bool in_parens) {
  if (!ParseUnary(depth)) return false;
  Conj kind = kNoConj;
  std::vector<uint32_t> jumps;  // to patch to the end of the sequence
  for (;;) {
    SkipSpace();
    size_t len = 0;
    const Conj c = PeekConj(&len);
    if (c == kNoConj) break;
    if (kind != kNoConj && c != kind) return Fail(pos_, "mixing AND and OR needs parentheses");
    kind = c;
    pos_ += len;
    jumps.push_back(Emit(kind == kAnd ? AzureOp::kJumpIfFalse : AzureOp::kJumpIfTrue));
    SkipSpace();
    if (!ParseUnary(depth)) return false;
  }
  const uint32_t end = static_cast<uint32_t>(out_->code.size());
  for (uint32_t j : jumps) out_->code[j].arg = end;
  if (in_parens) {
    if (Peek() == ')') return true;
    return Fail(pos_, AtEnd() ? "expected ')'" : "expected AND, OR or ')'");
  }
  if (AtEnd()) return true;
  return Fail(pos_, Peek() == ')' ? "unexpected ')'" : "expected AND, OR or the end of the condition");
}

bool Parser::ParseUnary(uint32_t depth) {
  SkipSpace();
  const bool bang = Peek() == '!';
  if (bang || AtKeyword("not") || Peek() == '(') {
    if (depth + 1 > kMaxAzureNesting)
      return Fail(pos_, "nested deeper than " + std::to_string(kMaxAzureNesting) + " levels");
    if (Peek() == '(') {
      ++pos_;
      if (!ParseExpr(depth + 1, true)) return false;
      ++pos_;  // ParseExpr stopped at ')'
      return true;
    }
    pos_ += bang ? 1 : 3;
    if (!ParseUnary(depth + 1)) return false;
    Emit(AzureOp::kNot);
    return true;
  }
  return ParsePrimary();
}

bool Parser::ParsePrimary() {
  if (Peek() == '@') return ParseComparison();
  if (AtKeyword("exists")) {
    pos_ += 6;
    SkipSpace();
    if (Peek() != '@') return Fail(pos_, "expected an attribute after Exists");
    AzureTest t;
    t.kind = AzureTest::kExists;
    if (!ParseAttribute(&t.key)) return false;
    AddTest(t);
    return true;
  }
  if (AtKeyword("actionmatches")) return ParseActionMatches();
  if (AtKeyword("suboperationmatches")) return ParseSubOperation();
  if (AtEnd()) return Fail(pos_, "unexpected end of the condition: expected an expression");
  return Fail(pos_,
              "expected an attribute (@Resource[...], @Request[...], @Principal[...], @Environment[...]), "
              "Exists, ActionMatches{...}, SubOperationMatches{...}, NOT or '('");
}

// NAME{'ARG'}, pos_ at NAME. *arg is the text between the quotes.
bool Parser::ParseFunctionArg(std::string_view name, std::string_view* arg, size_t* arg_at) {
  pos_ += name.size();
  SkipSpace();
  if (Peek() != '{') return Fail(pos_, "expected '{' after " + std::string(name));
  ++pos_;
  SkipSpace();
  *arg_at = pos_;
  if (Peek() != '\'') return Fail(pos_, "expected a quoted string");
  if (!ParseQuoted(arg)) return false;
  SkipSpace();
  if (Peek() != '}') return Fail(pos_, "expected '}' (" + std::string(name) + " takes one string)");
  ++pos_;
  return true;
}

bool Parser::ParseActionMatches() {
  std::string_view pattern;
  size_t at = 0;
  if (!ParseFunctionArg("ActionMatches", &pattern, &at)) return false;
  if (pattern.empty()) return Fail(at, "the action pattern is empty");
  std::vector<uint32_t> ids = expand_(AsciiLowerCopy(pattern));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  AzureTest t;
  t.kind = AzureTest::kActionMatches;
  t.first = static_cast<uint32_t>(out_->action_ids.size());
  t.count = static_cast<uint32_t>(ids.size());
  out_->action_ids.insert(out_->action_ids.end(), ids.begin(), ids.end());
  AddTest(t);
  return true;
}

bool Parser::ParseSubOperation() {
  std::string_view name;
  size_t at = 0;
  if (!ParseFunctionArg("SubOperationMatches", &name, &at)) return false;
  if (name.empty()) return Fail(at, "the sub-operation name is empty");
  AzureTest t;
  t.kind = AzureTest::kSubOperation;
  t.key = keys_->Intern("SubOperation");
  t.first = static_cast<uint32_t>(out_->literals.size());
  t.count = 1;
  AzureLiteral lit;
  lit.len = static_cast<uint32_t>(name.size());
  lit.str = AddString(name, true);
  out_->literals.push_back(lit);
  AddTest(t);
  return true;
}

// @Source[NAME], pos_ at '@'. Interns the whole reference text.
bool Parser::ParseAttribute(uint32_t* key) {
  const size_t start = pos_;
  ++pos_;
  const std::string_view source = PeekLetters();
  if (!AsciiEqualsIgnoreCase(source, "resource") && !AsciiEqualsIgnoreCase(source, "request") &&
      !AsciiEqualsIgnoreCase(source, "principal") && !AsciiEqualsIgnoreCase(source, "environment"))
    return Fail(pos_, "expected Resource, Request, Principal or Environment after '@'");
  pos_ += source.size();
  if (Peek() != '[') return Fail(pos_, "expected '[' after @" + std::string(source));
  ++pos_;
  const size_t name_at = pos_;
  while (!AtEnd() && text_[pos_] != ']') {
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c <= 0x20 || c == 0x7F || c == '[')
      return Fail(pos_, "expected ']' (an attribute name has no spaces, control characters or '[')");
    ++pos_;
  }
  if (AtEnd()) return Fail(pos_, "expected ']'");
  if (pos_ == name_at) return Fail(pos_, "the attribute name is empty");
  ++pos_;
  *key = keys_->Intern(text_.substr(start, pos_ - start));
  return true;
}

bool Parser::ParseComparison() {
  AzureTest t;
  t.kind = AzureTest::kCompare;
  if (!ParseAttribute(&t.key)) return false;
  std::string_view op_name;
  if (!ParseOperator(&t, &op_name)) return false;
  return ParseRight(&t, op_name);
}

bool Parser::ParseOperator(AzureTest* t, std::string_view* name) {
  SkipSpace();
  const size_t start = pos_;
  std::string_view word = PeekLetters();
  size_t len = 0;
  if (AtEnd() || Peek() == ')' || PeekConj(&len) != kNoConj)
    return Fail(pos_, "expected an operator after the attribute (use Exists to test presence)");
  if (word.empty()) return Fail(pos_, "expected an operator");
  pos_ += word.size();
  t->quant = AzureTest::kSingle;
  if (Peek() == ':') {
    const auto q = std::find_if(std::begin(kQuantifiers), std::end(kQuantifiers),
                                [&](const QuantName& n) { return AsciiEqualsIgnoreCase(word, n.lower); });
    if (q == std::end(kQuantifiers))
      return Fail(start, "unknown prefix '" + std::string(word) + ":' (expected " + std::string(kPrefixList) + ")");
    t->quant = q->quant;
    ++pos_;
    word = PeekLetters();
    if (word.empty()) return Fail(pos_, "expected an operator after the prefix");
    pos_ += word.size();
  }
  if (pos_ < text_.size() && (IsWordChar(text_[pos_]) || text_[pos_] == ':'))
    return Fail(start, "unknown operator '" + std::string(text_.substr(start, pos_ + 1 - start)) + "'");
  const auto op = std::find_if(std::begin(kOperators), std::end(kOperators),
                               [&](const OperatorName& n) { return AsciiEqualsIgnoreCase(word, n.lower); });
  if (op == std::end(kOperators))
    return Fail(pos_ - word.size(), "unknown operator '" + std::string(word) + "'");
  t->family = op->family;
  t->rel = op->rel;
  t->negated = op->negated;
  *name = word;
  return true;
}

bool Parser::ParseRight(AzureTest* t, std::string_view op_name) {
  SkipSpace();
  t->first = static_cast<uint32_t>(out_->literals.size());
  if (Peek() != '{') {
    if (!ParseValue(*t, op_name)) return false;
    t->count = 1;
    AddTest(*t);
    return true;
  }
  if (t->quant == AzureTest::kSingle)
    return Fail(pos_, "a literal set needs a " + std::string(kPrefixList) + " prefix");
  ++pos_;
  for (;;) {
    SkipSpace();
    if (!ParseValue(*t, op_name)) return false;
    SkipSpace();
    if (Peek() == ',') {
      ++pos_;
      continue;
    }
    if (Peek() == '}') break;
    return Fail(pos_, "expected ',' or '}'");
  }
  ++pos_;
  t->count = static_cast<uint32_t>(out_->literals.size()) - t->first;
  AddTest(*t);
  return true;
}

// 'text', pos_ at the opening quote. No escapes: the next quote closes.
bool Parser::ParseQuoted(std::string_view* body) {
  const size_t open = pos_;
  const size_t close = text_.find('\'', open + 1);
  if (close == std::string_view::npos)
    return Fail(open, "unterminated string (strings are quoted with ' and have no escapes)");
  *body = text_.substr(open + 1, close - open - 1);
  pos_ = close + 1;
  return true;
}

uint32_t Parser::AddString(std::string_view s, bool lower) {
  const uint32_t at = static_cast<uint32_t>(out_->strings.size());
  out_->strings.append(s.data(), s.size());
  if (lower)
    for (size_t i = at; i < out_->strings.size(); ++i) out_->strings[i] = AsciiLower(out_->strings[i]);
  return at;
}

// One literal of the right-hand side, decoded for the operator's family.
bool Parser::ParseValue(const AzureTest& t, std::string_view op_name) {
  const size_t at = pos_;
  const std::string op(op_name);
  std::string_view body;
  bool quoted = false;
  if (Peek() == '@') return Fail(at, "comparing two attributes is not supported (the right side is a literal)");
  if (Peek() == '\'') {
    if (!ParseQuoted(&body)) return false;
    quoted = true;
  } else if (Peek() == '"') {
    return Fail(at, "strings are quoted with ' (single quotes)");
  } else if (IsBareChar(Peek())) {
    const size_t start = pos_;
    while (!AtEnd() && IsBareChar(text_[pos_])) ++pos_;
    body = text_.substr(start, pos_ - start);
  } else {
    return Fail(at, "expected a value");
  }
  AzureLiteral lit;
  switch (t.family) {
    case AzureTest::kString:
    case AzureTest::kStringIgnoreCase:
      if (!quoted) return Fail(at, op + " needs a quoted string");
      lit.len = static_cast<uint32_t>(body.size());
      lit.str = AddString(body, t.family == AzureTest::kStringIgnoreCase);
      break;
    case AzureTest::kNumeric: {
      const std::optional<int64_t> n = quoted ? std::nullopt : ParseInteger(body);
      if (!n || *n > kMaxExactInteger || *n < -kMaxExactInteger)
        return Fail(at, op + " needs an unquoted integer (at most 2^53 in magnitude)");
      lit.number = static_cast<double>(*n);
      break;
    }
    case AzureTest::kDateTime: {
      const std::optional<Timestamp> ts = quoted ? ParseIsoDateTime(body) : std::nullopt;
      if (!ts) return Fail(at, op + " needs a quoted ISO 8601 date-time ('2024-01-31T00:00:00Z')");
      lit.seconds = ts->seconds;
      lit.nanos = ts->nanos;
      break;
    }
    case AzureTest::kGuid: {
      char hex[32];
      if (!NormalizeGuid(body, hex)) return Fail(at, op + " needs a GUID (32 hex digits, dashes optional)");
      lit.len = 32;
      lit.str = AddString(std::string_view(hex, 32), false);
      break;
    }
    case AzureTest::kBool: {
      const std::optional<bool> b = quoted ? std::nullopt : ParseBoolText(body);
      if (!b) return Fail(at, op + " needs true or false (unquoted)");
      lit.boolean = *b;
      break;
    }
  }
  out_->literals.push_back(lit);
  return true;
}

// ---- Evaluation -------------------------------------------------------------

// One context value, decoded for an operator family once and then compared
// with every literal.
struct LeftValue {
  std::string_view str;
  int64_t integer = 0;  // Numeric: compared exactly against the literal
  Timestamp time;
  char guid[32];
  bool boolean = false;
};

// Decodes a string value (a single string or one element of a list).
bool DecodeString(Family family, std::string_view s, LeftValue* v) {
  switch (family) {
    case AzureTest::kString:
    case AzureTest::kStringIgnoreCase:
      v->str = s;
      return true;
    case AzureTest::kNumeric: {  // Azure numbers are integers
      // Read exactly (any int64), so 2^53 + 1 never rounds onto 2^53.
      const std::optional<int64_t> n = ParseInteger(s);
      if (n) v->integer = *n;
      return n.has_value();
    }
    case AzureTest::kDateTime: {  // ISO 8601 or epoch seconds, as AWS dates (SPEC §10)
      const std::optional<Timestamp> ts = ParseDateValue(s);
      if (ts) v->time = *ts;
      return ts.has_value();
    }
    case AzureTest::kGuid:
      return NormalizeGuid(s, v->guid);
    case AzureTest::kBool: {
      const std::optional<bool> b = ParseBoolText(s);
      if (b) v->boolean = *b;
      return b.has_value();
    }
  }
  return false;
}

// A JSON number as a timestamp of epoch seconds (NaN and out of range: no).
bool EpochTimestamp(double x, Timestamp* t) {
  if (!(x >= -1e15 && x <= 1e15)) return false;
  const double whole = std::floor(x);
  t->seconds = static_cast<int64_t>(whole);
  t->nanos = static_cast<uint32_t>((x - whole) * 1e9);
  return true;
}

// Decodes a scalar context entry. A JSON number is readable by Numeric (an
// integer) and DateTime (epoch seconds), a JSON bool by Bool only: anything
// else is the wrong type (not readable).
bool DecodeScalar(Family family, const ContextEntry& e, LeftValue* v) {
  switch (e.type) {
    case ValueType::kString:
      return DecodeString(family, e.str, v);
    case ValueType::kNumber:
      if (family == AzureTest::kDateTime) return EpochTimestamp(e.number, &v->time);
      // A JSON number of magnitude 2^53 or more may already have been
      // rounded on its way in (9007199254740993 arrives as 2^53): unreadable.
      if (family != AzureTest::kNumeric || e.number != std::floor(e.number) ||
          std::fabs(e.number) >= static_cast<double>(kMaxExactInteger))
        return false;
      v->integer = static_cast<int64_t>(e.number);
      return true;
    case ValueType::kBool:
      v->boolean = e.boolean;
      return family == AzureTest::kBool;
    case ValueType::kStringList:
      return false;
  }
  return false;
}

template <typename T>
bool Order(Rel rel, const T& a, const T& b) {
  switch (rel) {
    case AzureTest::kEq: return a == b;
    case AzureTest::kLt: return a < b;
    case AzureTest::kLe: return a <= b;
    case AzureTest::kGt: return a > b;
    case AzureTest::kGe: return a >= b;
    default: return false;
  }
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i)
    if (AsciiLower(s[i]) != lower_prefix[i]) return false;
  return true;
}

// The base comparison of one readable left value with one literal.
bool BasePair(const AzureTest& t, const LeftValue& v, const AzureLiteral& lit, std::string_view strings) {
  const std::string_view ls = strings.substr(lit.str, lit.len);
  switch (t.family) {
    case AzureTest::kString:
      if (t.rel == AzureTest::kEq) return v.str == ls;
      if (t.rel == AzureTest::kStartsWith) return v.str.substr(0, ls.size()) == ls;
      return GlobMatch(ls, v.str, false);
    case AzureTest::kStringIgnoreCase:
      if (t.rel == AzureTest::kEq) return AsciiEqualsIgnoreCase(v.str, ls);
      if (t.rel == AzureTest::kStartsWith) return StartsWithIgnoreCase(v.str, ls);
      return GlobMatch(ls, v.str, true);
    case AzureTest::kNumeric:
      return Order(t.rel, v.integer, static_cast<int64_t>(lit.number));  // |literal| <= 2^53: exact
    case AzureTest::kDateTime:
      return Order(t.rel, v.time, Timestamp{lit.seconds, lit.nanos});
    case AzureTest::kGuid:
      return std::memcmp(v.guid, ls.data(), 32) == 0;
    case AzureTest::kBool:
      return v.boolean == lit.boolean;
  }
  return false;
}

// One left value against the literals: some (any_right) or every one.
bool AgainstLiterals(const AzureTest& t, const LeftValue& v, const AzureProgram& p, bool any_right) {
  for (uint32_t i = 0; i < t.count; ++i) {
    const bool pair = BasePair(t, v, p.literals[t.first + i], p.strings) != t.negated;
    if (pair == any_right) return any_right;
  }
  return !any_right;
}

bool EvalCompare(const AzureTest& t, const ContextEntry* e, const AzureProgram& p) {
  if (e == nullptr || t.count == 0) return false;  // absent: false, negated or not
  LeftValue v;
  if (t.quant == AzureTest::kSingle) {
    // A multi-valued attribute without a prefix, or an unreadable value: false.
    return DecodeScalar(t.family, *e, &v) && AgainstLiterals(t, v, p, true);
  }
  const bool any_left = t.quant == AzureTest::kAnyOfAny || t.quant == AzureTest::kAnyOfAll;
  const bool any_right = t.quant == AzureTest::kAnyOfAny || t.quant == AzureTest::kAllOfAny;
  if (e->type != ValueType::kStringList) {  // a single value is a set of one
    return DecodeScalar(t.family, *e, &v) && AgainstLiterals(t, v, p, any_right);
  }
  // An empty list is present: ForAllOf...: true (every one of no values),
  // ForAnyOf...: false, as AWS's ForAllValues/ForAnyValue on an empty key.
  for (size_t i = 0; i < e->list_size; ++i) {
    // An unreadable value satisfies no pair, so it fails its left quantifier's "every".
    const bool holds = DecodeString(t.family, e->list[i], &v) && AgainstLiterals(t, v, p, any_right);
    if (holds == any_left) return any_left;
  }
  return !any_left;
}

bool EvalTest(const AzureTest& t, const AzureProgram& p, const CondEnv& env) {
  const ContextEntry* e = (t.kind != AzureTest::kActionMatches && env.ctx) ? env.ctx->Get(t.key) : nullptr;
  switch (t.kind) {
    case AzureTest::kExists:
      return e != nullptr;
    case AzureTest::kActionMatches: {
      const uint32_t* begin = p.action_ids.data() + t.first;
      return std::binary_search(begin, begin + t.count, env.action);
    }
    case AzureTest::kSubOperation: {
      if (e == nullptr || e->type != ValueType::kString || t.count != 1) return false;
      const AzureLiteral& lit = p.literals[t.first];
      return AsciiEqualsIgnoreCase(e->str, std::string_view(p.strings).substr(lit.str, lit.len));
    }
    case AzureTest::kCompare:
      return EvalCompare(t, e, p);
  }
  return false;
}

}  // namespace

bool CompileAzureCondition(std::string_view text, KeyTable* keys,
                           absl::FunctionRef<std::vector<uint32_t>(std::string_view lower_glob)> expand_actions,
                           AzureProgram* out, AzureError* err) {
  Parser parser(text, keys, expand_actions, out);
  return parser.Run(err);
}

bool EvalAzure(const AzureProgram& program, const CondEnv& env) {
  const std::vector<AzureOp>& code = program.code;
  if (code.empty()) return false;  // never compiled: deny
  bool acc = false;
  for (size_t pc = 0; pc < code.size();) {
    const AzureOp& op = code[pc];
    switch (op.code) {
      case AzureOp::kTest: acc = EvalTest(program.tests[op.arg], program, env); ++pc; break;
      case AzureOp::kJumpIfFalse: pc = acc ? pc + 1 : op.arg; break;
      case AzureOp::kJumpIfTrue: pc = acc ? op.arg : pc + 1; break;
      case AzureOp::kNot: acc = !acc; ++pc; break;
    }
  }
  return acc;
}

}  // namespace rolegate::internal
