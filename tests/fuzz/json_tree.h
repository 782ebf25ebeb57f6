// tests/fuzz/json_tree.h — a tiny JSON tree for the structure-aware mutator:
// parse, mutate, write back. Keeps duplicate keys and key order (both matter
// to the loader), bounds nesting, and writes strings byte for byte (escaping
// only what JSON requires), so invalid UTF-8 and control characters survive a
// round trip.
#ifndef ROLEGATE_TESTS_FUZZ_JSON_TREE_H_
#define ROLEGATE_TESTS_FUZZ_JSON_TREE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rolegate_fuzz {

// Object fields are a struct of their own, not std::pair<std::string, JVal>:
// clang with libstdc++ rejects a pair of a still-incomplete type here.
struct JField;

struct JVal {
  enum Kind { kNull, kBool, kNum, kStr, kArr, kObj } kind = kNull;
  bool b = false;
  std::string s;  // number text or string bytes
  std::vector<JVal> arr;
  std::vector<JField> obj;
};

struct JField {
  std::string first;  // the key
  JVal second;        // the value
};

class JParser {
 public:
  explicit JParser(std::string_view t) : t_(t) {}

  bool Parse(JVal* out) {
    if (!Value(out, 0)) return false;
    Ws();
    return i_ == t_.size();
  }

 private:
  void Ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\r' || t_[i_] == '\t')) ++i_;
  }
  bool Lit(std::string_view w) {
    if (t_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  static void PutUtf8(uint32_t cp, std::string* o) {
    if (cp < 0x80) {
      o->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      o->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      o->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      o->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      o->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      o->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      o->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      o->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  bool Hex4(uint32_t* v) {
    if (i_ + 4 > t_.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = t_[i_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') *v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') *v |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    return true;
  }
  bool Str(std::string* o) {
    if (i_ >= t_.size() || t_[i_] != '"') return false;
    ++i_;
    while (i_ < t_.size()) {
      char c = t_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        o->push_back(c);
        continue;
      }
      if (i_ >= t_.size()) return false;
      char e = t_[i_++];
      switch (e) {
        case '"': o->push_back('"'); break;
        case '\\': o->push_back('\\'); break;
        case '/': o->push_back('/'); break;
        case 'b': o->push_back('\b'); break;
        case 'f': o->push_back('\f'); break;
        case 'n': o->push_back('\n'); break;
        case 'r': o->push_back('\r'); break;
        case 't': o->push_back('\t'); break;
        case 'u': {
          uint32_t v;
          if (!Hex4(&v)) return false;
          if (v >= 0xD800 && v < 0xDC00 && Lit("\\u")) {
            uint32_t lo;
            if (!Hex4(&lo)) return false;
            v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
          }
          PutUtf8(v, o);
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool Value(JVal* v, int depth) {
    if (depth > 48) return false;
    Ws();
    if (i_ >= t_.size()) return false;
    char c = t_[i_];
    if (c == '{') {
      ++i_;
      v->kind = JVal::kObj;
      Ws();
      if (i_ < t_.size() && t_[i_] == '}') { ++i_; return true; }
      for (;;) {
        Ws();
        std::string k;
        if (!Str(&k)) return false;
        Ws();
        if (!Lit(":")) return false;
        JVal child;
        if (!Value(&child, depth + 1)) return false;
        v->obj.push_back(JField{std::move(k), std::move(child)});
        Ws();
        if (Lit(",")) continue;
        return Lit("}");
      }
    }
    if (c == '[') {
      ++i_;
      v->kind = JVal::kArr;
      Ws();
      if (i_ < t_.size() && t_[i_] == ']') { ++i_; return true; }
      for (;;) {
        JVal child;
        if (!Value(&child, depth + 1)) return false;
        v->arr.push_back(std::move(child));
        Ws();
        if (Lit(",")) continue;
        return Lit("]");
      }
    }
    if (c == '"') {
      v->kind = JVal::kStr;
      return Str(&v->s);
    }
    if (Lit("true")) { v->kind = JVal::kBool; v->b = true; return true; }
    if (Lit("false")) { v->kind = JVal::kBool; v->b = false; return true; }
    if (Lit("null")) { v->kind = JVal::kNull; return true; }
    size_t start = i_;
    while (i_ < t_.size() && std::string_view("+-0123456789.eE").find(t_[i_]) != std::string_view::npos) ++i_;
    if (i_ == start) return false;
    v->kind = JVal::kNum;
    v->s.assign(t_.substr(start, i_ - start));
    return true;
  }

  std::string_view t_;
  size_t i_ = 0;
};

inline void WriteString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (unsigned char c : s) {
    if (c == '"') *out += "\\\"";
    else if (c == '\\') *out += "\\\\";
    else if (c < 0x20) {
      *out += "\\u00";
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

inline void Write(const JVal& v, std::string* out) {
  switch (v.kind) {
    case JVal::kNull: *out += "null"; break;
    case JVal::kBool: *out += v.b ? "true" : "false"; break;
    case JVal::kNum: *out += v.s; break;
    case JVal::kStr: WriteString(v.s, out); break;
    case JVal::kArr:
      out->push_back('[');
      for (size_t i = 0; i < v.arr.size(); ++i) {
        if (i) out->push_back(',');
        Write(v.arr[i], out);
      }
      out->push_back(']');
      break;
    case JVal::kObj:
      out->push_back('{');
      for (size_t i = 0; i < v.obj.size(); ++i) {
        if (i) out->push_back(',');
        WriteString(v.obj[i].first, out);
        out->push_back(':');
        Write(v.obj[i].second, out);
      }
      out->push_back('}');
      break;
  }
}

}  // namespace rolegate_fuzz

#endif  // ROLEGATE_TESTS_FUZZ_JSON_TREE_H_
