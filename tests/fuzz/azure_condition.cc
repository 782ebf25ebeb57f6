// tests/fuzz/azure_condition.cc — the Azure ABAC condition compiler (SPEC §10,
// lib/cond/azure_condition.h) on arbitrary strings, and the evaluator on what
// compiles, against a small context chosen from a hash of the input.
//
// What must hold:
//  - a rejected condition has an error offset inside the text and a message;
//  - an accepted one is a well-formed program: jumps go forward and stay in
//    the code, every test, literal range and action-id range is in bounds;
//  - evaluation is deterministic, and `NOT (C)` (when it compiles) is its
//    negation, for every catalog action.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cond/azure_condition.h"
#include "fuzz_common.h"
#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"

namespace {

using rolegate::ContextEntry;
using rolegate::ValueType;
using namespace rolegate::internal;

constexpr const char* kCatalog[] = {
    "microsoft.authorization/roleassignments/write",
    "microsoft.authorization/roleassignments/delete",
    "microsoft.storage/storageaccounts/read",
    "microsoft.storage/storageaccounts/blobservices/containers/blobs/read",
};
constexpr uint32_t kCatalogSize = sizeof(kCatalog) / sizeof(kCatalog[0]);

std::vector<uint32_t> Expand(std::string_view glob) {
  std::vector<uint32_t> ids;
  for (uint32_t i = 0; i < kCatalogSize; ++i)
    if (GlobMatch(glob, kCatalog[i], false)) ids.push_back(i);
  return ids;
}

void CheckProgram(const AzureProgram& p, const KeyTable& keys, const std::string& text) {
  if (p.code.empty()) rolegate_fuzz::Die("empty program for " + rolegate_fuzz::Q(text));
  for (size_t pc = 0; pc < p.code.size(); ++pc) {
    const AzureOp& op = p.code[pc];
    const bool jump = op.code == AzureOp::kJumpIfFalse || op.code == AzureOp::kJumpIfTrue;
    if (jump && (op.arg <= pc || op.arg > p.code.size()))
      rolegate_fuzz::Die("bad jump in " + rolegate_fuzz::Q(text));
    if (op.code == AzureOp::kTest && op.arg >= p.tests.size())
      rolegate_fuzz::Die("bad test index in " + rolegate_fuzz::Q(text));
  }
  for (const AzureTest& t : p.tests) {
    const uint64_t end = uint64_t{t.first} + t.count;
    if (t.kind == AzureTest::kActionMatches) {
      if (end > p.action_ids.size()) rolegate_fuzz::Die("bad action range in " + rolegate_fuzz::Q(text));
      continue;
    }
    if (t.key >= keys.size()) rolegate_fuzz::Die("bad key in " + rolegate_fuzz::Q(text));
    if (t.kind != AzureTest::kExists && (t.count == 0 || end > p.literals.size()))
      rolegate_fuzz::Die("bad literal range in " + rolegate_fuzz::Q(text));
  }
  for (const AzureLiteral& lit : p.literals)
    if (uint64_t{lit.str} + lit.len > p.strings.size())
      rolegate_fuzz::Die("bad string literal in " + rolegate_fuzz::Q(text));
}

bool IsBareChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

uint64_t Hash(std::string_view s) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: any spread will do
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Values a context may hold: some typed texts, plus the condition's own
// quoted strings and bare words, so comparisons can come out true.
std::vector<std::string> ValuePool(std::string_view text) {
  std::vector<std::string> pool = {"",   "x",     "10", "-3", "2024-05-01T12:00:00Z", "true", "False",
                                   "49fc33c1-886f-4b21-a00e-1d9993234734", "ServicePrincipal"};
  for (size_t i = 0; i < text.size() && pool.size() < 64; ++i) {
    if (text[i] == '\'') {
      const size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) break;
      pool.emplace_back(text.substr(i + 1, close - i - 1));
      i = close;
    } else if (text[i] == '{' || text[i] == ',' || text[i] == ' ') {
      size_t j = i + 1;
      while (j < text.size() && IsBareChar(text[j])) ++j;
      if (j > i + 1) pool.emplace_back(text.substr(i + 1, j - i - 1));
    }
  }
  return pool;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  KeyTable keys;
  AzureProgram prog;
  AzureError err;
  if (!CompileAzureCondition(text, &keys, Expand, &prog, &err)) {
    if (err.offset > text.size() || err.message.empty())
      rolegate_fuzz::Die("bad error (offset " + std::to_string(err.offset) + ") for " + rolegate_fuzz::Q(text));
    return 0;
  }
  CheckProgram(prog, keys, text);
  AzureProgram negated;
  const bool has_negation = CompileAzureCondition("NOT (" + text + ")", &keys, Expand, &negated, &err);

  // A context over every interned key, each absent or of some type.
  const std::vector<std::string> pool = ValuePool(text);
  uint64_t h = Hash(text);
  auto next = [&h] { return h = h * 6364136223846793005ull + 1442695040888963407ull, h >> 33; };
  std::vector<ContextEntry> entries(keys.size());
  std::vector<const ContextEntry*> by_key(keys.size(), nullptr);
  std::vector<std::string_view> list_values;
  list_values.reserve(keys.size() * 3);
  for (uint32_t k = 0; k < keys.size(); ++k) {
    ContextEntry& e = entries[k];
    switch (next() % 5) {
      case 0: continue;  // absent
      case 1: e.type = ValueType::kString; e.str = pool[next() % pool.size()]; break;
      case 2: e.type = ValueType::kNumber; e.number = static_cast<double>(next() % 41) - 10; break;
      case 3: e.type = ValueType::kBool; e.boolean = next() % 2; break;
      default: {
        e.type = ValueType::kStringList;
        e.list = list_values.data() + list_values.size();
        e.list_size = next() % 4;
        for (size_t i = 0; i < e.list_size; ++i) list_values.push_back(pool[next() % pool.size()]);
      }
    }
    by_key[k] = &e;
  }
  const ContextView view{by_key.data(), keys.size()};
  for (uint32_t action = 0; action <= kCatalogSize; ++action) {
    const CondEnv env{&view, action};
    const bool a = EvalAzure(prog, env);
    if (EvalAzure(prog, env) != a) rolegate_fuzz::Die("nondeterministic: " + rolegate_fuzz::Q(text));
    if (has_negation && EvalAzure(negated, env) == a)
      rolegate_fuzz::Die("NOT (C) is not the negation of C: " + rolegate_fuzz::Q(text));
  }
  return 0;
}
