// tests/fuzz/bundle_structured.cc — structure-aware mutations of valid
// bundles, compiled and compared with the reference evaluator.
//
// A custom mutator parses the input as JSON and changes its structure rather
// than its bytes: a string swapped for another string of the bundle, re-cased,
// cut, deepened into a child scope, made exactly as long as a limit; list
// entries duplicated, dropped, swapped or copied from another list; keys
// dropped, duplicated or renamed; values of the wrong type; version numbers
// and booleans flipped. A crossover merges the lists of two bundles. Most
// mutants stay well-formed JSON and many stay valid bundles, so the compiler's
// semantic checks and the decision table are exercised, not only the parser.
// One mutation in ten is left to libFuzzer's byte-level mutator.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>

#include "fuzz_common.h"
#include "json_tree.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

using rolegate_fuzz::JVal;

struct Node {
  JVal* v;
  std::string key;  // the key it sits under ("" for array elements and the root)
};

void Collect(JVal* v, const std::string& key, std::vector<Node>* nodes) {
  nodes->push_back({v, key});
  if (v->kind == JVal::kArr)
    for (JVal& c : v->arr) Collect(&c, key, nodes);
  if (v->kind == JVal::kObj)
    for (auto& [k, c] : v->obj) Collect(&c, k, nodes);
}

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> k = {
      "version", "actions", "roles", "groups", "assignments", "deny_assignments", "statements", "clouds",
      "routes", "name", "data", "effective_only_at", "id", "not_actions", "data_actions",
      "not_data_actions", "assignable_scopes", "members", "principal", "role", "scope", "principals",
      "exclude_principals", "apply_to_children", "effect", "resources", "default_identity", "mappings",
      "workload_type", "project", "user", "identity", "method", "path", "action", "bogus"};
  return k;
}

const std::vector<std::string>& Fragments() {
  static const std::vector<std::string> f = {
      "/", "*", "?", ".", "..", "//", "/.", "/..", "%2F", "%2e", "{", "}", "{x}", "(?P<x>[^/]+)", "(", "[",
      "\xc3\xa9", "\xc2\x85", std::string(1, '\0'), "\xff", " ", "x", "A", "\\", "\t", "~", "*/read",
      "Allow", "Deny", "job", "service", "workspace", "GET", "*", "node_group", "cloud_default"};
  return f;
}

const std::vector<std::string>& Numbers() {
  static const std::vector<std::string> n = {"0", "1", "2", "1.0", "-1", "1e0", "18446744073709551616",
                                             "9223372036854775807", "-0"};
  return n;
}

class Mutator {
 public:
  Mutator(JVal* root, unsigned seed) : root_(root), rng_(seed) {}

  void MutateOnce() {
    nodes_.clear();
    Collect(root_, "", &nodes_);
    strings_.clear();
    for (const Node& n : nodes_) {
      if (n.v->kind == JVal::kStr) strings_.push_back(n.v->s);
      if (n.v->kind == JVal::kObj)
        for (auto& [k, c] : n.v->obj) strings_.push_back(k);
    }
    switch (Pick(10)) {
      case 0: case 1: case 2: case 3: MutateString(); break;
      case 4: case 5: MutateArray(); break;
      case 6: case 7: MutateObject(); break;
      case 8: ChangeType(); break;
      default: MutateScalar(); break;
    }
  }

 private:
  size_t Pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  template <typename Pred>
  JVal* Any(Pred pred, std::string* key = nullptr) {
    std::vector<const Node*> c;
    for (const Node& n : nodes_)
      if (pred(*n.v)) c.push_back(&n);
    if (c.empty()) return nullptr;
    const Node* n = c[Pick(c.size())];
    if (key) *key = n->key;
    return n->v;
  }

  std::string Recase(std::string s) {
    for (char& ch : s)
      if (((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) && Pick(2)) ch ^= 0x20;
    return s;
  }

  std::string NewString(const std::string& old) {
    const std::string& other = strings_.empty() ? old : strings_[Pick(strings_.size())];
    switch (Pick(9)) {
      case 0: return other;
      case 1: return Recase(old);
      case 2: {
        std::string s = old;
        s.insert(Pick(s.size() + 1), Fragments()[Pick(Fragments().size())]);
        return s;
      }
      case 3: return old.substr(0, Pick(old.size() + 1));
      case 4: return (old == "/" ? "" : old) + "/" + (Pick(2) ? std::string("x") : Recase(other));
      case 5: {
        static const size_t lens[] = {24, 25, 4096, 4097};
        const size_t want = lens[Pick(4)];
        std::string s = old.empty() ? "x" : old;
        while (s.size() < want) s += s;
        s.resize(want);
        return s;
      }
      case 6: {
        std::string s = "/x";
        const size_t segs = Pick(2) ? 3 + Pick(2) : 64 + Pick(2);
        for (size_t i = 1; i < segs; ++i) s += "/s";
        return s;
      }
      case 7: return Fragments()[Pick(Fragments().size())];
      default: return other + old;
    }
  }

  void MutateString() {
    // Either a string value or an object key.
    if (Pick(5) == 0) {
      JVal* o = Any([](const JVal& v) { return v.kind == JVal::kObj && !v.obj.empty(); });
      if (!o) return;
      auto& field = o->obj[Pick(o->obj.size())];
      field.first = Pick(2) ? Keys()[Pick(Keys().size())] : NewString(field.first);
      return;
    }
    JVal* s = Any([](const JVal& v) { return v.kind == JVal::kStr; });
    if (s) s->s = NewString(s->s);
  }

  void MutateArray() {
    JVal* a = Any([](const JVal& v) { return v.kind == JVal::kArr; });
    if (!a) return;
    switch (Pick(5)) {
      case 0:
        if (!a->arr.empty()) a->arr.push_back(a->arr[Pick(a->arr.size())]);
        break;
      case 1:
        if (!a->arr.empty()) a->arr.erase(a->arr.begin() + static_cast<long>(Pick(a->arr.size())));
        break;
      case 2:
        if (a->arr.size() > 1) std::swap(a->arr[Pick(a->arr.size())], a->arr[Pick(a->arr.size())]);
        break;
      case 3: {  // copy an element of another list (same key: same kind of entry)
        JVal* b = Any([&](const JVal& v) { return v.kind == JVal::kArr && &v != a && !v.arr.empty(); });
        if (b) a->arr.insert(a->arr.begin() + static_cast<long>(Pick(a->arr.size() + 1)), b->arr[Pick(b->arr.size())]);
        break;
      }
      default: {  // a clone of a sibling with its id changed: a new rule of the same shape
        if (a->arr.empty()) break;
        JVal copy = a->arr[Pick(a->arr.size())];
        if (copy.kind == JVal::kObj)
          for (auto& [k, v] : copy.obj)
            if ((k == "id" || k == "name") && v.kind == JVal::kStr) v.s += std::to_string(Pick(100));
        a->arr.push_back(std::move(copy));
        break;
      }
    }
  }

  void MutateObject() {
    JVal* o = Any([](const JVal& v) { return v.kind == JVal::kObj; });
    if (!o) return;
    switch (Pick(4)) {
      case 0:
        if (!o->obj.empty()) o->obj.erase(o->obj.begin() + static_cast<long>(Pick(o->obj.size())));
        break;
      case 1:
        if (!o->obj.empty()) o->obj.push_back(o->obj[Pick(o->obj.size())]);
        break;
      case 2: {
        const Node& src = nodes_[Pick(nodes_.size())];
        if (src.v == root_) break;
        JVal copy = *src.v;
        o->obj.push_back(rolegate_fuzz::JField{Pick(3) ? src.key : Keys()[Pick(Keys().size())], std::move(copy)});
        break;
      }
      default:
        if (o->obj.size() > 1) std::swap(o->obj[Pick(o->obj.size())], o->obj[Pick(o->obj.size())]);
        break;
    }
  }

  void ChangeType() {
    const Node& n = nodes_[Pick(nodes_.size())];
    JVal v;
    switch (Pick(6)) {
      case 0: v.kind = JVal::kNull; break;
      case 1: v.kind = JVal::kBool; v.b = true; break;
      case 2: v.kind = JVal::kNum; v.s = "1"; break;
      case 3: v.kind = JVal::kStr; v.s = "x"; break;
      case 4: v.kind = JVal::kArr; break;
      default: v.kind = JVal::kObj; break;
    }
    *n.v = std::move(v);
  }

  void MutateScalar() {
    JVal* s = Any([](const JVal& v) { return v.kind == JVal::kBool || v.kind == JVal::kNum; });
    if (!s) return;
    if (s->kind == JVal::kBool) s->b = !s->b;
    else s->s = Numbers()[Pick(Numbers().size())];
  }

  JVal* root_;
  std::mt19937 rng_;
  std::vector<Node> nodes_;
  std::vector<std::string> strings_;
};

size_t Emit(const std::string& out, uint8_t* data, size_t max_size) {
  if (out.size() > max_size) return 0;
  std::memcpy(data, out.data(), out.size());
  return out.size();
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  std::minstd_rand r(seed);
  JVal root;
  if (r() % 10 != 0 && rolegate_fuzz::JParser(std::string_view(reinterpret_cast<char*>(data), size)).Parse(&root)) {
    Mutator m(&root, seed);
    const int rounds = 1 + static_cast<int>(r() % 3);
    for (int i = 0; i < rounds; ++i) m.MutateOnce();
    std::string out;
    rolegate_fuzz::Write(root, &out);
    if (size_t n = Emit(out, data, max_size)) return n;
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* d1, size_t s1, const uint8_t* d2, size_t s2,
                                            uint8_t* out, size_t max_out, unsigned int seed) {
  JVal a, b;
  if (!rolegate_fuzz::JParser(std::string_view(reinterpret_cast<const char*>(d1), s1)).Parse(&a) ||
      !rolegate_fuzz::JParser(std::string_view(reinterpret_cast<const char*>(d2), s2)).Parse(&b) ||
      a.kind != JVal::kObj || b.kind != JVal::kObj) {
    const size_t n = std::min(s1, max_out);
    std::memcpy(out, d1, n);
    return n;
  }
  std::minstd_rand r(seed);
  // For each list of b: append some of its entries to a's list of that name.
  for (auto& [kb, vb] : b.obj) {
    if (vb.kind != JVal::kArr || r() % 2) continue;
    JVal* va = nullptr;
    for (auto& [ka, v] : a.obj)
      if (ka == kb && v.kind == JVal::kArr) va = &v;
    if (!va) {
      a.obj.push_back(rolegate_fuzz::JField{kb, vb});
      continue;
    }
    for (const JVal& e : vb.arr)
      if (r() % 2) va->arr.push_back(e);
  }
  std::string s;
  rolegate_fuzz::Write(a, &s);
  if (s.size() > max_out) s.resize(max_out);
  std::memcpy(out, s.data(), s.size());
  return s.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rolegate_fuzz::FuzzBundle(std::string_view(reinterpret_cast<const char*>(data), size),
                            rolegate_fuzz::Seed(data, size), 48, 8, 16);
  return 0;
}
