// lib/model/json_syntax.cc — a strict RFC 8259 scanner that only locates the
// first syntax error (see json_syntax.h). It builds nothing: the loader still
// reads every value with simdjson; this runs only after simdjson refused the
// text, so its speed matters little and its job is to be right about where.
#include "model/json_syntax.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Length of the number starting at s[0], or 0 when none starts there. Stops
// at the first byte that cannot continue the grammar.
size_t NumberLength(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !IsDigit(s[i])) return 0;
  if (s[i] == '0') ++i;
  else while (i < s.size() && IsDigit(s[i])) ++i;
  if (i < s.size() && s[i] == '.') {
    if (++i >= s.size() || !IsDigit(s[i])) return 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i;
}

// Length of the valid UTF-8 sequence starting at s[0] (a non-ASCII lead
// byte), or 0 when it is not one: overlong forms, surrogates and code points
// past U+10FFFF are invalid (RFC 3629).
size_t Utf8Length(std::string_view s) {
  const auto b = [&](size_t i) { return i < s.size() ? static_cast<uint8_t>(s[i]) : 0; };
  const auto cont = [&](size_t i) { return (b(i) & 0xC0) == 0x80; };
  const uint8_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const uint8_t lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const uint8_t lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// The value of four hex digits at s[0..3], or -1.
int Hex4(std::string_view s) {
  if (s.size() < 4) return -1;
  int v = 0;
  for (size_t i = 0; i < 4; ++i) {
    const char c = s[i];
    int d = IsDigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// How a byte is named in a message: 'x' when printable ASCII, else its value.
std::string Show(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return absl::StrCat("'", std::string(1, c), "'");
  return absl::StrFormat("byte 0x%02X", u);
}

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}
  std::optional<JsonSyntaxError> Run();

 private:
  enum class State { kValue, kKey, kAfterValue, kDone };

  bool AtEnd() const { return i_ >= t_.size(); }
  void SkipSpace() {
    while (!AtEnd() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  void Fail(size_t at, std::string why) {
    if (!err_) err_ = JsonSyntaxError{at, std::move(why)};
  }
  State Value();
  State Key();
  State AfterValue();
  void String();
  size_t Escape(size_t at);  // length of the escape at t_[at] ('\\'), 0 after Fail
  void Number();
  void Word();

  std::string_view t_;
  size_t i_ = 0;
  std::vector<char> open_;    // '{' or '[' for each open container
  bool after_comma_ = false;  // the previous token was ',' (names trailing commas)
  std::optional<JsonSyntaxError> err_;
};

std::optional<JsonSyntaxError> Scanner::Run() {
  SkipSpace();
  if (AtEnd()) return JsonSyntaxError{i_, "the document is empty"};
  State s = State::kValue;
  while (s != State::kDone && !err_) {
    s = s == State::kValue ? Value() : s == State::kKey ? Key() : AfterValue();
  }
  return err_;
}

Scanner::State Scanner::Value() {
  SkipSpace();
  if (AtEnd()) {
    Fail(i_, "unexpected end of input: expected a value");
    return State::kDone;
  }
  const char c = t_[i_];
  const bool comma = after_comma_;
  after_comma_ = false;
  if (c == '{' || c == '[') {
    open_.push_back(c);
    ++i_;
    SkipSpace();
    if (!AtEnd() && t_[i_] == (c == '{' ? '}' : ']')) {
      open_.pop_back();
      ++i_;
      return State::kAfterValue;
    }
    return c == '{' ? State::kKey : State::kValue;
  }
  if (c == '"') String();
  else if (c == '-' || IsDigit(c)) Number();
  else if (IsWordChar(c)) Word();
  else if (comma && (c == ']' || c == '}')) Fail(i_, absl::StrCat("trailing comma: expected a value after ',', found ", Show(c)));
  else if (c == '\'') Fail(i_, "strings take double quotes, not '");
  else if (c == '/') Fail(i_, "comments are not allowed in JSON");
  else Fail(i_, absl::StrCat("expected a value, found ", Show(c)));
  return State::kAfterValue;
}

Scanner::State Scanner::Key() {
  SkipSpace();
  const bool comma = after_comma_;
  after_comma_ = false;
  if (AtEnd()) {
    Fail(i_, "unexpected end of input: expected a key");
    return State::kDone;
  }
  if (t_[i_] != '"') {
    if (comma && t_[i_] == '}') Fail(i_, "trailing comma: expected a key after ',', found '}'");
    else if (t_[i_] == '\'') Fail(i_, "keys take double quotes, not '");
    else Fail(i_, absl::StrCat("expected a key (a string in double quotes), found ", Show(t_[i_])));
    return State::kDone;
  }
  String();
  SkipSpace();
  if (err_) return State::kDone;
  if (AtEnd()) Fail(i_, "unexpected end of input: expected ':' after the key");
  else if (t_[i_] != ':') Fail(i_, absl::StrCat("expected ':' after the key, found ", Show(t_[i_])));
  ++i_;
  return State::kValue;
}

Scanner::State Scanner::AfterValue() {
  SkipSpace();
  if (open_.empty()) {
    if (!AtEnd()) Fail(i_, absl::StrCat("unexpected ", Show(t_[i_]), " after the end of the document"));
    return State::kDone;
  }
  const char close = open_.back() == '{' ? '}' : ']';
  if (AtEnd()) {
    Fail(i_, absl::StrCat("unexpected end of input: expected ',' or '", std::string(1, close), "'"));
    return State::kDone;
  }
  const char c = t_[i_];
  if (c == ',') {
    ++i_;
    after_comma_ = true;
    return open_.back() == '{' ? State::kKey : State::kValue;
  }
  if (c == close) {
    ++i_;
    open_.pop_back();
    return State::kAfterValue;
  }
  if (c == '/') Fail(i_, "comments are not allowed in JSON");
  else Fail(i_, absl::StrCat("expected ',' or '", std::string(1, close), "', found ", Show(c)));
  return State::kDone;
}

void Scanner::String() {
  const size_t start = i_++;
  while (!AtEnd()) {
    const char c = t_[i_];
    const auto u = static_cast<unsigned char>(c);
    if (c == '"') {
      ++i_;
      return;
    }
    if (c == '\\') {
      const size_t n = Escape(i_);
      if (n == 0) return;
      i_ += n;
    } else if (c == '\n' || c == '\r') {
      return Fail(i_, "line break inside a string (an unterminated string?)");
    } else if (u < 0x20) {
      return Fail(i_, absl::StrFormat("control character U+%04X inside a string (write it as an escape)", u));
    } else if (u >= 0x80) {
      const size_t n = Utf8Length(t_.substr(i_));
      if (n == 0) return Fail(i_, "invalid UTF-8 inside a string");
      i_ += n;
    } else {
      ++i_;
    }
  }
  Fail(start, "unterminated string");
}

size_t Scanner::Escape(size_t at) {
  if (at + 1 >= t_.size()) return Fail(at, "unterminated string"), 0;
  const char e = t_[at + 1];
  if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') return 2;
  if (e != 'u') return Fail(at, absl::StrCat("invalid escape \\", Show(e))), 0;
  const int cp = Hex4(t_.substr(at + 2));
  if (cp < 0) return Fail(at, "invalid \\u escape: four hex digits expected"), 0;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail(at, "lone low surrogate in a \\u escape"), 0;
  if (cp < 0xD800 || cp > 0xDBFF) return 6;
  // A high surrogate must be followed by an escaped low one.
  const int lo = t_.substr(at + 6, 2) == "\\u" ? Hex4(t_.substr(at + 8)) : -1;
  if (lo < 0xDC00 || lo > 0xDFFF) return Fail(at, "lone high surrogate in a \\u escape"), 0;
  return 12;
}

void Scanner::Number() {
  const size_t start = i_;
  size_t end = start;
  while (end < t_.size() && (IsWordChar(t_[end]) || t_[end] == '.' || t_[end] == '+' || t_[end] == '-')) ++end;
  const std::string_view token = t_.substr(start, end - start);
  if (!IsJsonNumber(token)) return Fail(start, absl::StrCat("invalid number '", AbslView(token), "'"));
  i_ = end;
}

void Scanner::Word() {
  const size_t start = i_;
  while (!AtEnd() && IsWordChar(t_[i_])) ++i_;
  const std::string_view w = t_.substr(start, i_ - start);
  if (w != "true" && w != "false" && w != "null") {
    Fail(start, absl::StrCat("invalid literal '", AbslView(w), "' (true, false and null are lower case; strings take quotes)"));
  }
}

}  // namespace

bool IsJsonNumber(std::string_view token) {
  return !token.empty() && NumberLength(token) == token.size();
}

std::optional<JsonSyntaxError> FindJsonSyntaxError(std::string_view text) { return Scanner(text).Run(); }

}  // namespace rolegate::internal
