// tests/azure_condition_test.cc — Azure ABAC conditions (SPEC §10, "Azure
// form"): lib/cond/azure_condition.h, sentence by sentence, and every
// condition of Azure's real built-in role definitions.
#include "cond/azure_condition.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <deque>
#include <set>
#include <string>
#include <vector>

#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"
#include "simdjson.h"

// Every allocation of this test binary is counted, so a test can show that
// evaluation allocates nothing.
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow and array forms too: every form a library (simdjson uses
// new (std::nothrow)) may pair with the replaced delete must come from malloc.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace rolegate::internal {
namespace {

// A condition as a failure message shows it: long ones cut.
std::string Shown(std::string_view text) {
  return text.size() <= 200 ? std::string(text) : std::string(text.substr(0, 200)) + "...";
}

// A small catalog for ActionMatches; ids are indices.
const std::vector<std::string>& Catalog() {
  static const std::vector<std::string> kCatalog = {
      "microsoft.authorization/roleassignments/write",   // 0
      "microsoft.authorization/roleassignments/delete",  // 1
      "microsoft.authorization/roleassignments/read",    // 2
      "microsoft.storage/storageaccounts/read",          // 3
      "microsoft.storage/storageaccounts/blobservices/containers/blobs/read",  // 4
      "microsoft.operationalinsights/workspaces/tables/data/read",             // 5
      "microsoft.insights/logs/data/read",                                     // 6
  };
  return kCatalog;
}
uint32_t ActionId(std::string_view lower) {
  const auto& c = Catalog();
  for (size_t i = 0; i < c.size(); ++i)
    if (c[i] == lower) return static_cast<uint32_t>(i);
  ADD_FAILURE() << "no action " << lower;
  return 0;
}

// A request context built by hand, viewed through a KeyTable as lib/eval does.
class Ctx {
 public:
  Ctx& Str(std::string key, std::string value) {
    ContextEntry& e = Add(std::move(key));
    e.type = ValueType::kString;
    e.str = strings_.emplace_back(std::move(value));
    return *this;
  }
  Ctx& Num(std::string key, double value) {
    ContextEntry& e = Add(std::move(key));
    e.type = ValueType::kNumber;
    e.number = value;
    return *this;
  }
  Ctx& Bool(std::string key, bool value) {
    ContextEntry& e = Add(std::move(key));
    e.type = ValueType::kBool;
    e.boolean = value;
    return *this;
  }
  Ctx& List(std::string key, std::vector<std::string> values) {
    auto& views = lists_.emplace_back();
    for (auto& v : values) views.push_back(strings_.emplace_back(std::move(v)));
    ContextEntry& e = Add(std::move(key));
    e.type = ValueType::kStringList;
    e.list = views.data();
    e.list_size = views.size();
    return *this;
  }
  // Indexes the entries by `keys` (keys no condition reads are dropped).
  const ContextView& View(const KeyTable& keys) {
    by_key_.assign(keys.size(), nullptr);
    for (const ContextEntry& e : entries_) {
      const uint32_t id = keys.FindLower(AsciiLowerCopy(e.key));
      if (id != KeyTable::kNoKey) by_key_[id] = &e;
    }
    view_ = ContextView{by_key_.data(), keys.size()};
    return view_;
  }

 private:
  ContextEntry& Add(std::string key) {
    ContextEntry& e = entries_.emplace_back();
    e.key = strings_.emplace_back(std::move(key));
    return e;
  }
  std::deque<std::string> strings_;
  std::deque<std::vector<std::string_view>> lists_;
  std::deque<ContextEntry> entries_;
  std::vector<const ContextEntry*> by_key_;
  ContextView view_;
};

class AzureConditionTest : public ::testing::Test {
 protected:
  // Compiles `text`; on failure returns false and fills err_.
  bool Compile(std::string_view text, AzureProgram* prog) {
    err_ = AzureError{};
    return CompileAzureCondition(
        text, &keys_,
        [](std::string_view glob) {
          std::vector<uint32_t> ids;
          for (size_t i = 0; i < Catalog().size(); ++i)
            if (GlobMatch(glob, Catalog()[i], false)) ids.push_back(static_cast<uint32_t>(i));
          return ids;
        },
        prog, &err_);
  }
  // Compiles (which must succeed) and evaluates against `ctx` and `action`.
  bool Eval(std::string_view text, Ctx& ctx, std::string_view action = "microsoft.storage/storageaccounts/read") {
    AzureProgram prog;
    EXPECT_TRUE(Compile(text, &prog)) << Shown(text) << "\n  error at " << err_.offset << ": " << err_.message;
    CondEnv env{&ctx.View(keys_), ActionId(action)};
    return EvalAzure(prog, env);
  }
  bool Eval(std::string_view text) {
    Ctx empty;
    return Eval(text, empty);
  }
  // Expects `text` to be rejected at `offset` with a message containing `needle`.
  void ExpectError(std::string_view text, uint32_t offset, std::string_view needle) {
    AzureProgram prog;
    ASSERT_FALSE(Compile(text, &prog)) << Shown(text);
    EXPECT_EQ(err_.offset, offset) << Shown(text) << ": " << err_.message;
    EXPECT_NE(err_.message.find(needle), std::string::npos) << Shown(text) << ": " << err_.message;
  }

  KeyTable keys_;
  AzureError err_;
};

constexpr const char* kA = "@Resource[a] StringEquals 'x'";  // holds when a = x

// ---- Grammar ------------------------------------------------------------------

TEST_F(AzureConditionTest, AndOrNotAndTheirSymbols) {
  Ctx c;
  c.Str("@Resource[a]", "x").Str("@Resource[b]", "y");
  const std::string a_true = "@Resource[a] StringEquals 'x'", a_false = "@Resource[a] StringEquals 'z'";
  const std::string b_true = "@Resource[b] StringEquals 'y'", b_false = "@Resource[b] StringEquals 'z'";
  EXPECT_TRUE(Eval(a_true + " AND " + b_true, c));
  EXPECT_FALSE(Eval(a_true + " AND " + b_false, c));
  EXPECT_FALSE(Eval(a_false + " && " + b_true, c));
  EXPECT_TRUE(Eval(a_false + " OR " + b_true, c));
  EXPECT_FALSE(Eval(a_false + " || " + b_false, c));
  EXPECT_TRUE(Eval(a_true + " or " + b_false, c));  // keywords in any case
  EXPECT_TRUE(Eval(a_true + " and " + b_true + " aNd " + a_true, c));
  EXPECT_FALSE(Eval("NOT " + a_true, c));
  EXPECT_TRUE(Eval("not " + a_false, c));
  EXPECT_TRUE(Eval("!(" + a_false + ")", c));
  EXPECT_TRUE(Eval("!!(" + a_true + ")", c));
  EXPECT_TRUE(Eval("NOT NOT " + a_true, c));
  // NOT binds to the next term only.
  EXPECT_TRUE(Eval("NOT " + a_false + " AND " + b_true, c));
  EXPECT_FALSE(Eval("NOT (" + a_true + " AND " + b_true + ")", c));
  EXPECT_TRUE(Eval("(" + a_false + " OR " + b_true + ") AND (" + a_true + " OR " + b_false + ")", c));
  EXPECT_FALSE(Eval("(" + a_false + " OR " + b_false + ") AND " + a_true, c));
  EXPECT_TRUE(Eval("((((" + a_true + "))))", c));
  EXPECT_TRUE(Eval("\n\t " + a_true + " \r\n", c));
}

TEST_F(AzureConditionTest, MixingAndOrWithoutParenthesesIsAnError) {
  const std::string a = kA;
  ExpectError(a + " AND " + a + " OR " + a, static_cast<uint32_t>(2 * a.size() + 6), "mixing AND and OR");
  ExpectError(a + " || " + a + " && " + a, static_cast<uint32_t>(2 * a.size() + 5), "mixing AND and OR");
  AzureProgram p;
  EXPECT_TRUE(Compile(a + " AND (" + a + " OR " + a + ")", &p)) << err_.message;
  EXPECT_TRUE(Compile("(" + a + " AND " + a + ") OR " + a, &p)) << err_.message;
  EXPECT_TRUE(Compile(a + " && " + a + " AND " + a, &p)) << err_.message;  // one kind, two spellings
}

TEST_F(AzureConditionTest, SyntaxErrorsSayWhatWasExpectedWhere) {
  ExpectError("(" + std::string(kA), 30, "expected ')'");
  ExpectError(std::string(kA) + ")", 29, "unexpected ')'");
  ExpectError(std::string(kA) + " x", 30, "expected AND, OR or the end");
  ExpectError("@Resource[a] StringEqualz 'x'", 13, "unknown operator 'StringEqualz'");
  ExpectError("@Resource[a] ForAnyValue:StringEquals {'x'}", 13, "unknown prefix 'ForAnyValue:'");
  ExpectError("@Resource[a] StringEquals 'x", 26, "unterminated string");
  ExpectError("@Resource[a] StringEquals \"x\"", 26, "single quotes");
  ExpectError("@Resource[a] StringEquals x", 26, "needs a quoted string");
  ExpectError("@Resource[a] StringEquals {'x', 'y'}", 26, "a literal set needs a ForAnyOfAnyValues:");
  ExpectError("@Resource[a] ForAnyOfAnyValues:StringEquals {'x' 'y'}", 49, "expected ',' or '}'");
  ExpectError("@Resource[a] ForAnyOfAnyValues:StringEquals {}", 45, "expected a value");
  ExpectError("@Resource[a] StringEquals @Request[b]", 26, "comparing two attributes is not supported");
  ExpectError("@Resource[a]", 12, "expected an operator");
  ExpectError("@Resource[a] AND " + std::string(kA), 13, "expected an operator");
  ExpectError("@Resource[a", 11, "expected ']'");
  ExpectError("@Resource[] StringEquals 'x'", 10, "attribute name is empty");
  ExpectError("@Resource[a b] StringEquals 'x'", 11, "expected ']'");
  ExpectError("@Tenant[a] StringEquals 'x'", 1, "expected Resource, Request, Principal or Environment");
  ExpectError("'x' StringEquals @Resource[a]", 0, "expected an attribute");
  ExpectError("", 0, "empty");
  ExpectError("   ", 3, "empty");
  ExpectError(std::string(kA) + " AND", 33, "unexpected end");
  ExpectError("NOT", 3, "unexpected end");
  ExpectError("ActionMatches 'x'", 14, "expected '{'");
  ExpectError("ActionMatches{'x'", 17, "expected '}'");
  ExpectError("ActionMatches{''}", 14, "empty");
  ExpectError("Exists 'x'", 7, "expected an attribute after Exists");
  ExpectError("@Resource[a] NumericEquals '5'", 27, "needs an unquoted integer");
  ExpectError("@Resource[a] NumericEquals 5.5", 27, "needs an unquoted integer");
  ExpectError("@Resource[a] NumericEquals 99999999999999999999", 27, "needs an unquoted integer");
  ExpectError("@Resource[a] DateTimeEquals '2024-13-01T00:00:00Z'", 28, "ISO 8601");
  ExpectError("@Resource[a] GuidEquals 1234", 24, "needs a GUID");
  ExpectError("@Resource[a] BoolEquals yes", 24, "needs true or false");
  ExpectError("@Resource[a] BoolEquals 'true'", 24, "needs true or false");
}

TEST_F(AzureConditionTest, OperatorAndFunctionNamesIgnoreCaseAndBraceNeedsNoSpace) {
  Ctx c;
  c.Str("@Resource[a]", "x").Bool("@Resource[HasObotoken]", true);
  EXPECT_TRUE(Eval("@Resource[a] stringequals 'x'", c));
  EXPECT_TRUE(Eval("@Resource[a] STRINGEQUALS'x'", c));
  EXPECT_TRUE(Eval("@Resource[HasObotoken] boolequals true", c));
  EXPECT_TRUE(Eval("@Resource[a] foranyofanyvalues:stringequals{'y','x'}", c));
  EXPECT_TRUE(Eval("actionmatches{'*'}", c));
  EXPECT_TRUE(Eval("EXISTS @resource[A]", c));  // sources and key names too
}

TEST_F(AzureConditionTest, NestingAndLengthAreBounded) {
  const std::string a = kA;
  AzureProgram p;
  EXPECT_TRUE(Compile(std::string(64, '(') + a + std::string(64, ')'), &p)) << err_.message;
  ExpectError(std::string(65, '(') + a + std::string(65, ')'), 64, "nested deeper than 64");
  ExpectError(std::string(60000, '!') + a, 64, "nested deeper than 64");
  ExpectError(std::string(60000, '('), 64, "nested deeper than 64");
  // A long flat chain is fine (no recursion per term) up to the length limit.
  std::string chain = a;
  while (chain.size() + a.size() + 5 < kMaxAzureConditionBytes) chain += " AND " + a;
  EXPECT_TRUE(Compile(chain, &p)) << err_.message;
  Ctx c;
  c.Str("@Resource[a]", "x");
  EXPECT_TRUE(EvalAzure(p, CondEnv{&c.View(keys_), 0}));
  ExpectError(chain + std::string(kMaxAzureConditionBytes, ' '), kMaxAzureConditionBytes, "longer than");
}

// ---- Functions and Exists -------------------------------------------------------

TEST_F(AzureConditionTest, ActionMatchesGlobsOverTheQueryAction) {
  Ctx c;
  const std::string write = "microsoft.authorization/roleassignments/write";
  EXPECT_TRUE(Eval("ActionMatches{'Microsoft.Authorization/roleAssignments/write'}", c, write));
  EXPECT_FALSE(Eval("ActionMatches{'Microsoft.Authorization/roleAssignments/write'}", c,
                    "microsoft.authorization/roleassignments/delete"));
  EXPECT_TRUE(Eval("ActionMatches{'Microsoft.Authorization/roleAssignments/*'}", c, write));
  EXPECT_TRUE(Eval("ActionMatches { 'microsoft.authorization/*/WRITE' }", c, write));
  EXPECT_FALSE(Eval("ActionMatches{'Microsoft.Storage/*'}", c, write));
  EXPECT_TRUE(Eval("ActionMatches{'Microsoft.Storage/*/read'}", c,
                   "microsoft.storage/storageaccounts/blobservices/containers/blobs/read"));
  EXPECT_FALSE(Eval("ActionMatches{'Microsoft.Nothing/*'}", c, write));  // matches no catalog action
  EXPECT_TRUE(Eval("!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})", c, write));
}

TEST_F(AzureConditionTest, SubOperationMatchesReadsTheSubOperationKeyIgnoringCase) {
  Ctx list, none, other, wrong_type;
  list.Str("SubOperation", "Blob.List");
  other.Str("suboperation", "Blob.Read");
  wrong_type.List("SubOperation", {"Blob.List"});
  EXPECT_TRUE(Eval("SubOperationMatches{'Blob.List'}", list));
  EXPECT_TRUE(Eval("SubOperationMatches{'blob.list'}", list));
  EXPECT_FALSE(Eval("SubOperationMatches{'Blob.List'}", other));
  EXPECT_FALSE(Eval("SubOperationMatches{'Blob.List'}", none));
  EXPECT_FALSE(Eval("SubOperationMatches{'Blob.List'}", wrong_type));
  EXPECT_TRUE(Eval("NOT SubOperationMatches{'Blob.List'}", none));
}

TEST_F(AzureConditionTest, ExistsTestsPresence) {
  Ctx c;
  c.Str("@Request[s]", "").Bool("@Request[b]", false).List("@Request[l]", {});
  EXPECT_TRUE(Eval("Exists @Request[s]", c));
  EXPECT_TRUE(Eval("Exists @Request[b]", c));
  EXPECT_TRUE(Eval("Exists @Request[l]", c));
  EXPECT_FALSE(Eval("Exists @Request[missing]", c));
  EXPECT_TRUE(Eval("NOT Exists @Request[missing]", c));
}

TEST_F(AzureConditionTest, AttributesAreTheWholeReferenceTextInterned) {
  AzureProgram p;
  ASSERT_TRUE(Compile("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] GuidEquals "
                      "49fc33c1886f4b21a00e1d9993234734 OR @REQUEST[microsoft.authorization/roleassignments:"
                      "roledefinitionid] GuidEquals 49fc33c1886f4b21a00e1d9993234734",
                      &p));
  EXPECT_EQ(keys_.size(), 1u);
  EXPECT_NE(keys_.FindLower("@request[microsoft.authorization/roleassignments:roledefinitionid]"),
            KeyTable::kNoKey);
  Ctx c;  // the same name under another source is another key
  c.Str("@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId]", "49fc33c1886f4b21a00e1d9993234734");
  EXPECT_FALSE(EvalAzure(p, CondEnv{&c.View(keys_), 0}));
  Ctx d;
  d.Str("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]", "49fc33c1886f4b21a00e1d9993234734");
  EXPECT_TRUE(EvalAzure(p, CondEnv{&d.View(keys_), 0}));
  EXPECT_FALSE(EvalAzure(p, CondEnv{nullptr, 0}));  // no context at all
}

// ---- Operators ----------------------------------------------------------------------

TEST_F(AzureConditionTest, StringOperators) {
  Ctx c;
  c.Str("@Resource[n]", "Blob-Container");
  EXPECT_TRUE(Eval("@Resource[n] StringEquals 'Blob-Container'", c));
  EXPECT_FALSE(Eval("@Resource[n] StringEquals 'blob-container'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringNotEquals 'blob-container'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringEqualsIgnoreCase 'blob-CONTAINER'", c));
  EXPECT_FALSE(Eval("@Resource[n] StringNotEqualsIgnoreCase 'blob-CONTAINER'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringStartsWith 'Blob-'", c));
  EXPECT_FALSE(Eval("@Resource[n] StringStartsWith 'blob-'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringNotStartsWith 'blob-'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringStartsWithIgnoreCase 'bLOB-'", c));
  EXPECT_FALSE(Eval("@Resource[n] StringNotStartsWithIgnoreCase 'bLOB-'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringStartsWith ''", c));
  EXPECT_TRUE(Eval("@Resource[n] StringLike 'Blob-*'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringLike 'B?ob-C*r'", c));
  EXPECT_FALSE(Eval("@Resource[n] StringLike 'blob-*'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringNotLike 'blob-*'", c));
  EXPECT_TRUE(Eval("@Resource[n] StringLikeIgnoreCase 'blob-*'", c));
  EXPECT_FALSE(Eval("@Resource[n] StringNotLikeIgnoreCase 'BLOB-*'", c));
  Ctx empty;
  empty.Str("@Resource[n]", "");
  EXPECT_TRUE(Eval("@Resource[n] StringEquals ''", empty));
}

TEST_F(AzureConditionTest, NumericOperatorsCompareIntegers) {
  Ctx c;
  c.Num("@Request[n]", 10).Str("@Request[s]", "10").Str("@Request[bad]", "ten");
  for (const char* key : {"@Request[n]", "@Request[s]"}) {
    const std::string k = key;
    EXPECT_TRUE(Eval(k + " NumericEquals 10", c));
    EXPECT_FALSE(Eval(k + " NumericNotEquals 10", c));
    EXPECT_TRUE(Eval(k + " NumericNotEquals 11", c));
    EXPECT_TRUE(Eval(k + " NumericLessThan 11", c));
    EXPECT_FALSE(Eval(k + " NumericLessThan 10", c));
    EXPECT_TRUE(Eval(k + " NumericLessThanEquals 10", c));
    EXPECT_TRUE(Eval(k + " NumericGreaterThan -3", c));
    EXPECT_FALSE(Eval(k + " NumericGreaterThan 10", c));
    EXPECT_TRUE(Eval(k + " NumericGreaterThanEquals 10", c));
  }
  EXPECT_FALSE(Eval("@Request[bad] NumericLessThan 100", c));  // unreadable: false, negated or not
  EXPECT_FALSE(Eval("@Request[bad] NumericNotEquals 100", c));
  // Request integers compare exactly: 2^53 + 1 as text is not 2^53 (a
  // double would round it onto 2^53). A JSON number from 2^53 up may have
  // been rounded before it arrived, so it is unreadable.
  Ctx big;
  big.Str("@Request[s]", "9007199254740993").Str("@Request[neg]", "-9007199254740993");
  big.Num("@Request[n]", 9007199254740993.0).Str("@Request[edge]", "9007199254740992");
  EXPECT_FALSE(Eval("@Request[s] NumericEquals 9007199254740992", big));
  EXPECT_TRUE(Eval("@Request[s] NumericNotEquals 9007199254740992", big));
  EXPECT_TRUE(Eval("@Request[s] NumericGreaterThan 9007199254740992", big));
  EXPECT_TRUE(Eval("@Request[neg] NumericLessThan -9007199254740992", big));
  EXPECT_FALSE(Eval("@Request[n] NumericEquals 9007199254740992", big));
  EXPECT_FALSE(Eval("@Request[n] NumericNotEquals 9007199254740992", big));
  EXPECT_TRUE(Eval("@Request[edge] NumericEquals 9007199254740992", big));
  big.Str("@Request[huge]", "99999999999999999999");  // beyond int64: unreadable
  EXPECT_FALSE(Eval("@Request[huge] NumericGreaterThan 0", big));
  EXPECT_FALSE(Eval("@Request[huge] NumericNotEquals 0", big));
}

TEST_F(AzureConditionTest, DateTimeOperators) {
  Ctx c;
  c.Str("@Environment[UtcNow]", "2024-05-01T12:00:00Z").Num("@Environment[num]", 1714564800);
  const std::string k = "@Environment[UtcNow] ";
  EXPECT_TRUE(Eval(k + "DateTimeEquals '2024-05-01T14:00:00+02:00'", c));
  EXPECT_FALSE(Eval(k + "DateTimeNotEquals '2024-05-01T12:00:00.000Z'", c));
  EXPECT_TRUE(Eval(k + "DateTimeGreaterThan '2024-05-01T11:59:59.999Z'", c));
  EXPECT_FALSE(Eval(k + "DateTimeGreaterThan '2024-05-01T12:00:00Z'", c));
  EXPECT_TRUE(Eval(k + "DateTimeGreaterThanEquals '2024-05-01T12:00:00Z'", c));
  EXPECT_TRUE(Eval(k + "DateTimeLessThan '2024-05-02'", c));
  EXPECT_FALSE(Eval(k + "DateTimeLessThan '2024-05-01T12:00:00Z'", c));
  EXPECT_TRUE(Eval(k + "DateTimeLessThanEquals '2024-05-01T12:00:00Z'", c));
  // A JSON number is epoch seconds, as SPEC §10 reads AWS dates "on both
  // sides"; text epoch seconds too.
  EXPECT_TRUE(Eval("@Environment[num] DateTimeGreaterThan '2000-01-01T00:00:00Z'", c));
  EXPECT_TRUE(Eval("@Environment[num] DateTimeEquals '2024-05-01T12:00:00Z'", c));
  c.Str("@Environment[epoch]", "1714564800");
  EXPECT_TRUE(Eval("@Environment[epoch] DateTimeEquals '2024-05-01T12:00:00Z'", c));
  c.Num("@Environment[frac]", 2.5);
  EXPECT_FALSE(Eval("@Environment[frac] NumericEquals 2", c));  // Azure numbers are integers
}

TEST_F(AzureConditionTest, GuidEqualsIgnoresCaseAndDashes) {
  Ctx c;
  c.Str("@Request[g]", "49FC33C1-886F-4B21-A00E-1D9993234734");
  EXPECT_TRUE(Eval("@Request[g] GuidEquals 49fc33c1886f4b21a00e1d9993234734", c));
  EXPECT_TRUE(Eval("@Request[g] GuidEquals '49fc33c1-886f-4b21-a00e-1d9993234734'", c));
  EXPECT_FALSE(Eval("@Request[g] GuidNotEquals 49fc33c1886f4b21a00e1d9993234734", c));
  EXPECT_TRUE(Eval("@Request[g] GuidNotEquals 49fc33c1886f4b21a00e1d9993234735", c));
  EXPECT_TRUE(Eval("@Request[g] ForAnyOfAnyValues:GuidEquals{D715FB95A0F04F1C8BE65AD2D2767F67, "
                   "49Fc33c1886F4b21a00E1d9993234734}",
                   c));
  Ctx bad;
  bad.Str("@Request[g]", "not-a-guid");
  EXPECT_FALSE(Eval("@Request[g] GuidNotEquals 49fc33c1886f4b21a00e1d9993234734", bad));
}

TEST_F(AzureConditionTest, BoolOperators) {
  Ctx c;
  c.Bool("@Resource[b]", true).Str("@Resource[s]", "False").Str("@Resource[x]", "yes").Num("@Resource[n]", 1);
  EXPECT_TRUE(Eval("@Resource[b] BoolEquals true", c));
  EXPECT_TRUE(Eval("@Resource[b] BoolEquals TRUE", c));
  EXPECT_FALSE(Eval("@Resource[b] BoolEquals false", c));
  EXPECT_TRUE(Eval("@Resource[b] BoolNotEquals false", c));
  EXPECT_TRUE(Eval("@Resource[s] boolequals false", c));  // a boolean's text, any case
  EXPECT_FALSE(Eval("@Resource[x] BoolNotEquals true", c));
  EXPECT_FALSE(Eval("@Resource[n] BoolEquals true", c));
}

TEST_F(AzureConditionTest, WrongValueTypesMakeTheComparisonFalse) {
  Ctx c;
  c.Bool("@Request[b]", true).Num("@Request[n]", 5);
  EXPECT_FALSE(Eval("@Request[b] StringEquals 'true'", c));
  EXPECT_FALSE(Eval("@Request[b] StringNotEquals 'x'", c));
  EXPECT_FALSE(Eval("@Request[n] StringEquals '5'", c));
  EXPECT_FALSE(Eval("@Request[n] GuidNotEquals 49fc33c1886f4b21a00e1d9993234734", c));
  EXPECT_FALSE(Eval("@Request[b] NumericEquals 1", c));
  EXPECT_FALSE(Eval("@Request[n] ForAnyOfAnyValues:StringNotEquals {'x'}", c));
}

TEST_F(AzureConditionTest, AbsentAttributeIsFalseNegatedOrNot) {
  for (const char* cond : {"@Request[x] StringEquals 'a'", "@Request[x] StringNotEquals 'a'",
                           "@Request[x] StringNotLike 'a*'", "@Request[x] NumericNotEquals 3",
                           "@Request[x] GuidNotEquals 49fc33c1886f4b21a00e1d9993234734",
                           "@Request[x] BoolNotEquals true", "@Request[x] DateTimeNotEquals '2024-01-01'",
                           "@Request[x] ForAllOfAllValues:StringNotEquals {'a'}",
                           "@Request[x] ForAllOfAnyValues:StringEquals {'a'}"}) {
    EXPECT_FALSE(Eval(cond)) << cond;
    EXPECT_TRUE(Eval(std::string("NOT ") + cond)) << cond;  // NOT of false is true
  }
}

// ---- Single and multi-valued sides ---------------------------------------------------

TEST_F(AzureConditionTest, WithoutPrefixAMultiValuedAttributeIsFalse) {
  Ctx c;
  c.List("@Resource[tags]", {"a"});
  EXPECT_FALSE(Eval("@Resource[tags] StringEquals 'a'", c));
  EXPECT_FALSE(Eval("@Resource[tags] StringNotEquals 'b'", c));
  EXPECT_TRUE(Eval("@Resource[tags] ForAnyOfAnyValues:StringEquals 'a'", c));  // one literal, no braces
}

TEST_F(AzureConditionTest, CrossProductsAsInTheSpec) {
  Ctx c;
  c.List("@Resource[n]", {"10", "20"});
  EXPECT_TRUE(Eval("@Resource[n] ForAnyOfAllValues:NumericLessThan {15, 18}", c));
  EXPECT_FALSE(Eval("@Resource[n] ForAllOfAllValues:NumericLessThan {15, 25, 30}", c));
  // ForAnyOfAny: some left against some right.
  EXPECT_TRUE(Eval("@Resource[n] ForAnyOfAnyValues:NumericEquals {20, 99}", c));
  EXPECT_FALSE(Eval("@Resource[n] ForAnyOfAnyValues:NumericEquals {30, 99}", c));
  // ForAllOfAny: every left against some right.
  EXPECT_TRUE(Eval("@Resource[n] ForAllOfAnyValues:NumericEquals {10, 20, 30}", c));
  EXPECT_FALSE(Eval("@Resource[n] ForAllOfAnyValues:NumericEquals {10, 30}", c));
  // ForAnyOfAll: some left against every right.
  EXPECT_FALSE(Eval("@Resource[n] ForAnyOfAllValues:NumericLessThan {5, 18}", c));
  EXPECT_TRUE(Eval("@Resource[n] ForAnyOfAllValues:NumericGreaterThan {5, 18}", c));
  // ForAllOfAll: every left against every right.
  EXPECT_TRUE(Eval("@Resource[n] ForAllOfAllValues:NumericLessThan {25, 30}", c));
}

TEST_F(AzureConditionTest, NegatedOperatorsApplyPerPairThenTheQuantifiers) {
  Ctx c;
  c.List("@Resource[t]", {"a", "b"});
  EXPECT_TRUE(Eval("@Resource[t] ForAnyOfAnyValues:StringNotEquals {'a'}", c));   // b != a
  EXPECT_TRUE(Eval("@Resource[t] ForAllOfAnyValues:StringNotEquals {'a', 'b'}", c));  // a != b, b != a
  EXPECT_FALSE(Eval("@Resource[t] ForAllOfAnyValues:StringNotEquals {'a'}", c));      // a
  EXPECT_FALSE(Eval("@Resource[t] ForAllOfAllValues:StringNotEquals {'a', 'c'}", c));  // a == a
  EXPECT_TRUE(Eval("@Resource[t] ForAllOfAllValues:StringNotEquals {'c', 'd'}", c));
  EXPECT_FALSE(Eval("@Resource[t] ForAnyOfAllValues:StringNotEquals {'a', 'b'}", c));
  EXPECT_TRUE(Eval("@Resource[t] ForAnyOfAllValues:StringNotEquals {'a', 'c'}", c));  // b
}

TEST_F(AzureConditionTest, SingleValuedAttributeIsASetOfOneUnderAPrefix) {
  Ctx c;
  c.Str("@Request[p]", "ServicePrincipal");
  EXPECT_TRUE(Eval("@Request[p] ForAnyOfAnyValues:StringEquals{'ServicePrincipal'}", c));
  EXPECT_TRUE(Eval("@Request[p] ForAllOfAnyValues:StringEquals{'User', 'ServicePrincipal'}", c));
  EXPECT_FALSE(Eval("@Request[p] ForAllOfAllValues:StringEquals{'User', 'ServicePrincipal'}", c));
}

TEST_F(AzureConditionTest, EmptyListsAreVacuousAndUnreadableValuesFailEvery) {
  Ctx c;
  c.List("@Resource[e]", {}).List("@Resource[mixed]", {"5", "five"});
  // An empty list is present (unlike an absent key): every one of no values
  // holds, as AWS's ForAllValues on an empty key; some one of them does not.
  EXPECT_TRUE(Eval("@Resource[e] ForAllOfAnyValues:StringEquals {'a'}", c));
  EXPECT_TRUE(Eval("@Resource[e] ForAllOfAllValues:StringNotEquals {'a'}", c));
  EXPECT_FALSE(Eval("@Resource[e] ForAnyOfAnyValues:StringNotEquals {'a'}", c));
  EXPECT_TRUE(Eval("@Resource[mixed] ForAnyOfAnyValues:NumericEquals {5}", c));
  EXPECT_FALSE(Eval("@Resource[mixed] ForAllOfAnyValues:NumericLessThan {100}", c));  // "five" fails
  EXPECT_FALSE(Eval("@Resource[mixed] ForAllOfAllValues:NumericNotEquals {7}", c));
}

TEST_F(AzureConditionTest, EvaluationAllocatesNothing) {
  AzureProgram p;
  ASSERT_TRUE(Compile("(ActionMatches{'Microsoft.Storage/*'} OR SubOperationMatches{'Blob.List'}) AND "
                      "@Request[g] ForAnyOfAnyValues:GuidEquals {49fc33c1886f4b21a00e1d9993234734} AND "
                      "@Request[t] ForAllOfAnyValues:StringLikeIgnoreCase {'a*', 'b?'} AND "
                      "@Request[n] ForAnyOfAllValues:NumericLessThan {15, 18} AND "
                      "@Environment[UtcNow] DateTimeGreaterThan '2024-01-01T00:00:00Z' AND "
                      "NOT @Request[b] BoolEquals false",
                      &p))
      << err_.message;
  Ctx c;
  c.Str("@Request[g]", "49FC33C1-886F-4B21-A00E-1D9993234734")
      .List("@Request[t]", {"abc", "BX"})
      .List("@Request[n]", {"10", "20"})
      .Str("@Environment[UtcNow]", "2024-05-01T00:00:00Z")
      .Str("@Request[b]", "TRUE");
  const CondEnv env{&c.View(keys_), ActionId("microsoft.storage/storageaccounts/read")};
  const uint64_t before = g_allocations.load();
  const bool holds = EvalAzure(p, env);
  EXPECT_EQ(g_allocations.load(), before);
  EXPECT_TRUE(holds);
}

// ---- Azure's built-in role definitions ------------------------------------------------

struct RealCondition {
  std::string role;
  std::string version;
  std::string text;
};

std::vector<RealCondition> LoadRealConditions(bool* present) {
  // ROLEGATE_SHARED_DIR in the environment wins (a git worktree has no ../shared).
  const char* env = std::getenv("ROLEGATE_SHARED_DIR");
  const std::string path =
      std::string(env && *env ? env : ROLEGATE_SHARED_DIR) + "/data/azure/raw/role-definitions.json";
  std::vector<RealCondition> out;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  *present = f != nullptr;
  if (!f) return out;
  std::fclose(f);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.load(path).get(doc)) {
    ADD_FAILURE() << "cannot parse " << path;
    return out;
  }
  for (simdjson::dom::element role : doc.get_array()) {
    std::string_view name;
    if (role["roleName"].get(name)) continue;
    for (simdjson::dom::element block : role["permissions"].get_array()) {
      std::string_view cond, version;
      if (block["condition"].get(cond) != simdjson::SUCCESS) continue;  // null
      if (block["conditionVersion"].get(version) != simdjson::SUCCESS) version = "";
      out.push_back({std::string(name), std::string(version), std::string(cond)});
    }
  }
  return out;
}

TEST_F(AzureConditionTest, EveryBuiltInRoleConditionCompiles) {
  bool present = false;
  const std::vector<RealCondition> conds = LoadRealConditions(&present);
  if (!present) GTEST_SKIP() << "no shared Azure data";
  EXPECT_EQ(conds.size(), 31u);
  std::set<std::string> versions;
  for (const RealCondition& c : conds) {
    AzureProgram p;
    EXPECT_TRUE(Compile(c.text, &p)) << c.role << ": at " << err_.offset << ": " << err_.message << "\n"
                                     << c.text;
    versions.insert(c.version);
  }
  EXPECT_EQ(versions, (std::set<std::string>{"1.0", "2.0"}));
}

TEST_F(AzureConditionTest, BuiltInDelegationConditionHoldsOnlyForItsRoles) {
  bool present = false;
  const std::vector<RealCondition> conds = LoadRealConditions(&present);
  if (!present) GTEST_SKIP() << "no shared Azure data";
  // The data's "Role Based Access Control Administrator" carries no condition;
  // "Key Vault Data Access Administrator" is the same delegation pattern:
  // write and delete of role assignments only for the roles it lists.
  const RealCondition* kv = nullptr;
  for (const RealCondition& c : conds)
    if (c.role == "Key Vault Data Access Administrator") kv = &c;
  ASSERT_NE(kv, nullptr);
  AzureProgram p;
  ASSERT_TRUE(Compile(kv->text, &p)) << err_.message;
  const uint32_t write = ActionId("microsoft.authorization/roleassignments/write");
  const uint32_t del = ActionId("microsoft.authorization/roleassignments/delete");
  const uint32_t read = ActionId("microsoft.authorization/roleassignments/read");
  const std::string req = "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]";
  const std::string res = "@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId]";
  auto holds = [&](uint32_t action, const std::string& key, const char* role_id) {
    Ctx c;
    if (role_id) c.Str(key, role_id);
    return EvalAzure(p, CondEnv{&c.View(keys_), action});
  };
  const char* listed = "00482a5a-887f-4fb3-b363-3b7fe8e74483";       // Key Vault Administrator
  const char* listed_other_form = "00482A5A887F4FB3B3633B7FE8E74483";  // same GUID
  const char* owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";          // not listed
  EXPECT_TRUE(holds(write, req, listed));
  EXPECT_TRUE(holds(write, req, listed_other_form));
  EXPECT_FALSE(holds(write, req, owner));
  EXPECT_FALSE(holds(write, req, nullptr));
  EXPECT_FALSE(holds(write, res, listed));  // the resource's role is not the request's
  EXPECT_TRUE(holds(del, res, listed));
  EXPECT_FALSE(holds(del, res, owner));
  EXPECT_FALSE(holds(del, req, listed));
  EXPECT_TRUE(holds(read, req, nullptr));  // neither clause concerns a read
}

TEST_F(AzureConditionTest, BuiltInForAllOfAnyValuesCondition) {
  bool present = false;
  const std::vector<RealCondition> conds = LoadRealConditions(&present);
  if (!present) GTEST_SKIP() << "no shared Azure data";
  const RealCondition* pm = nullptr;
  for (const RealCondition& c : conds)
    if (c.role == "Privileged Monitoring Data Reader") pm = &c;
  ASSERT_NE(pm, nullptr);
  AzureProgram p;
  ASSERT_TRUE(Compile(pm->text, &p)) << err_.message;
  const uint32_t tables = ActionId("microsoft.operationalinsights/workspaces/tables/data/read");
  const std::string level = "@Resource[Microsoft.OperationalInsights/workspaces/tables:protectionLevel]";
  auto holds = [&](uint32_t action, std::vector<std::string> levels, bool present) {
    Ctx c;
    if (present) c.List(level, std::move(levels));
    return EvalAzure(p, CondEnv{&c.View(keys_), action});
  };
  EXPECT_TRUE(holds(tables, {"General"}, true));
  EXPECT_TRUE(holds(tables, {"Protected", "General"}, true));
  EXPECT_FALSE(holds(tables, {"General", "Secret"}, true));  // every value must be listed
  // A present but empty list: every one of no values is listed (the
  // vacuous reading, as AWS ForAllValues); an absent attribute fails.
  EXPECT_TRUE(holds(tables, {}, true));
  EXPECT_FALSE(holds(tables, {}, false));
  EXPECT_TRUE(holds(ActionId("microsoft.storage/storageaccounts/read"), {}, false));  // other actions pass
}

}  // namespace
}  // namespace rolegate::internal
