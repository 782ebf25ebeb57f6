// Statement resource patterns (SPEC §3, §10 policy variables, §11).
#include "cond/resource_pattern.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "rolegate/internal/glob.h"
#include "rolegate/internal/text.h"

namespace rolegate::internal {
namespace {

ContextEntry Str(std::string_view k, std::string_view v) {
  ContextEntry e;
  e.key = k;
  e.str = v;
  return e;
}

class ResourcePat : public ::testing::Test {
 protected:
  // Compiles (expecting success) and matches; is_scope as SPEC §3 classifies.
  bool Match(std::string_view pattern, std::string_view resource, const std::vector<ContextEntry>& ctx = {},
             bool policy_variables = false) {
    ResourcePattern p;
    std::string error;
    EXPECT_TRUE(CompileResourcePattern(pattern, policy_variables, &keys_, &p, &error)) << error;
    std::vector<const ContextEntry*> by_key(keys_.size(), nullptr);
    for (const ContextEntry& e : ctx) {
      const uint32_t id = keys_.FindLower(AsciiLowerCopy(e.key));
      if (id != KeyTable::kNoKey) by_key[id] = &e;
    }
    const ContextView view{by_key.data(), static_cast<uint32_t>(by_key.size())};
    return MatchResource(p, resource, !resource.empty() && resource[0] == '/', view);
  }
  bool MatchPv(std::string_view pattern, std::string_view resource, const std::vector<ContextEntry>& ctx) {
    return Match(pattern, resource, ctx, true);
  }
  std::string Error(std::string_view pattern, bool policy_variables = true) {
    ResourcePattern p;
    std::string error;
    EXPECT_FALSE(CompileResourcePattern(pattern, policy_variables, &keys_, &p, &error));
    EXPECT_FALSE(error.empty());
    return error;
  }
  KeyTable keys_;
};

TEST_F(ResourcePat, ArnFieldsOneToFiveAreSeparateCaseInsensitiveGlobs) {
  EXPECT_TRUE(Match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
  EXPECT_TRUE(Match("arn:AWS:S3:::bucket/*", "ARN:aws:s3:::bucket/a"));
  EXPECT_TRUE(Match("ARN:aws:secretsmanager:us-west-2:123:secret:gh-*", "arn:aws:secretsmanager:US-WEST-2:123:secret:gh-x"));
  EXPECT_TRUE(Match("arn:aws:ec2:us-?ast-1:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1"));
}

TEST_F(ResourcePat, ArnFieldStarDoesNotCrossColon) {
  // The region `*` cannot swallow "us-east-1:123" to line the rest up.
  EXPECT_FALSE(Match("arn:aws:s3:*:bucket:x", "arn:aws:s3:us-east-1:123:bucket:x"));
  EXPECT_TRUE(Match("arn:aws:s3:*:123:bucket:x", "arn:aws:s3:us-east-1:123:bucket:x"));
  EXPECT_FALSE(Match("arn:*:s3:::b", "arn:aws:x:s3:::b"));
  // A whole-string glob would have matched this: field by field it does not.
  EXPECT_FALSE(Match("arn:aws:*:*:123:role/x", "arn:aws:iam:us:9:123:role/x"));
}

TEST_F(ResourcePat, ArnFieldSixIsOneCaseSensitiveGlobCrossingColonAndSlash) {
  EXPECT_TRUE(Match("arn:aws:logs:us-east-1:1:log-group:*", "arn:aws:logs:us-east-1:1:log-group:a/b:log-stream:c"));
  EXPECT_FALSE(Match("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/a"));
  EXPECT_TRUE(Match("arn:aws:s3:::b/?", "arn:aws:s3:::b/\xE2\x82\xAC"));  // ? is one code point (€)
  EXPECT_FALSE(Match("arn:aws:s3:::b/?", "arn:aws:s3:::b/ab"));
  EXPECT_TRUE(Match("arn:aws:s3:::*", "arn:aws:s3:::"));
}

TEST_F(ResourcePat, NonArnPatternsKeepWholeStringRule) {
  // Fewer than six fields: not an ARN pattern, `*` crosses ':'.
  EXPECT_TRUE(Match("arn:aws:*", "arn:aws:s3:us-east-1:1:bucket/x"));
  EXPECT_FALSE(Match("arn:aws:*", "ARN:AWS:s3:us-east-1:1:bucket/x"));  // case-sensitive
  EXPECT_TRUE(Match("*", "arn:aws:s3:::b"));
  EXPECT_TRUE(Match("*", "anything at all"));
  EXPECT_TRUE(Match("my-*", "my-resource"));
  EXPECT_FALSE(Match("my-*", "My-resource"));
}

TEST_F(ResourcePat, ArnPatternAgainstNonArnResource) {
  EXPECT_FALSE(Match("arn:aws:s3:::b", "/subscriptions/s1"));
  EXPECT_FALSE(Match("arn:aws:s3:::*", "arn:aws:s3"));
  EXPECT_TRUE(Match("arn:*:*:*:*:*", "arn:a:b:c:d:e"));
}

TEST_F(ResourcePat, ScopesCompareCaseInsensitively) {
  EXPECT_TRUE(Match("/subscriptions/S1/*", "/subscriptions/s1/resourceGroups/x"));
  EXPECT_TRUE(Match("/SUBSCRIPTIONS/s1", "/subscriptions/S1"));
  EXPECT_FALSE(Match("/subscriptions/s1/?", "/subscriptions/s1/ab"));
  EXPECT_TRUE(Match("/subscriptions/*/resourceGroups/prod", "/subscriptions/a/b/resourceGroups/prod"));
}

TEST_F(ResourcePat, PolicyVariableAfterFifthColon) {
  const std::vector<ContextEntry> alice = {Str("aws:username", "alice")};
  EXPECT_TRUE(MatchPv("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", alice));
  EXPECT_FALSE(MatchPv("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/bob/x", alice));
  // Without policy variables the text is literal.
  EXPECT_FALSE(Match("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/alice/x", alice));
  EXPECT_TRUE(Match("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}/x", alice));
}

TEST_F(ResourcePat, PolicyVariableBeforeFifthColonIsLiteral) {
  const std::vector<ContextEntry> ctx = {Str("aws:PrincipalAccount", "123")};
  EXPECT_FALSE(MatchPv("arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:iam::123:role/x", ctx));
  // The ':' inside "${aws:PrincipalAccount}" is the fifth: the rest is field 6, case-sensitive.
  EXPECT_TRUE(MatchPv("arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:iam::${AWS:PrincipalAccount}:role/x", ctx));
  EXPECT_FALSE(MatchPv("arn:aws:iam::${aws:PrincipalAccount}:role/x", "arn:aws:iam::${aws:principalaccount}:role/x", ctx));
  const std::vector<ContextEntry> tag = {Str("aws:PrincipalAccount", "1"), Str("aws:PrincipalTag/Id", "p")};
  EXPECT_TRUE(MatchPv("arn:aws:bedrock:*:${aws:PrincipalAccount}:prompt/${aws:PrincipalTag/Id}",
                      "arn:aws:bedrock:us:${aws:PrincipalAccount}:prompt/p", tag));
  // A malformed `${` there is no error either: it is plain text.
  ResourcePattern p;
  std::string error;
  EXPECT_TRUE(CompileResourcePattern("arn:aws:${x:s3:::b", true, &keys_, &p, &error)) << error;
}

TEST_F(ResourcePat, PolicyVariableInNonArnPattern) {
  const std::vector<ContextEntry> ctx = {Str("project", "prod")};
  EXPECT_TRUE(MatchPv("/subscriptions/s1/resourceGroups/${project}/*", "/subscriptions/s1/resourceGroups/PROD/x", ctx));
  EXPECT_FALSE(MatchPv("/subscriptions/s1/resourceGroups/${project}/*", "/subscriptions/s1/resourceGroups/dev/x", ctx));
}

TEST_F(ResourcePat, SubstitutedTextIsLiteral) {
  const std::vector<ContextEntry> star = {Str("aws:username", "*")};
  EXPECT_TRUE(MatchPv("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/*", star));
  EXPECT_FALSE(MatchPv("arn:aws:s3:::home/${aws:username}", "arn:aws:s3:::home/alice", star));
  const std::vector<ContextEntry> colon = {Str("aws:username", "a:b")};
  EXPECT_TRUE(MatchPv("arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::a:b/c", colon));
}

TEST_F(ResourcePat, DefaultsLiteralsAndUnresolved) {
  EXPECT_TRUE(MatchPv("arn:aws:s3:::home/${aws:username, 'anon'}/*", "arn:aws:s3:::home/anon/x", {}));
  EXPECT_TRUE(MatchPv("arn:aws:s3:::home/${aws:username,'anon'}/*", "arn:aws:s3:::home/al/x", {Str("aws:username", "al")}));
  EXPECT_TRUE(MatchPv("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", {}));
  EXPECT_FALSE(MatchPv("arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", {}));
  EXPECT_TRUE(MatchPv("arn:aws:s3:::b/${?}${$}", "arn:aws:s3:::b/?$", {}));
  // No value and no default: the pattern matches nothing, not even "*"-like text.
  EXPECT_FALSE(MatchPv("arn:aws:s3:::home/${aws:username}*", "arn:aws:s3:::home/", {}));
  EXPECT_FALSE(MatchPv("${x}*", "anything", {}));
}

TEST_F(ResourcePat, VariablePatternsKeepFieldRules) {
  const std::vector<ContextEntry> alice = {Str("aws:username", "alice")};
  EXPECT_FALSE(MatchPv("arn:aws:s3:::home/${aws:username}/Docs", "arn:aws:s3:::home/alice/docs", alice));
  EXPECT_TRUE(MatchPv("ARN:AWS:S3:::home/${aws:username}/Docs", "arn:aws:s3:::home/alice/Docs", alice));
  EXPECT_FALSE(MatchPv("arn:aws:s3:*:${aws:username}", "arn:aws:s3:a:b:alice", alice));
}

// The segmented matcher (used with variables) agrees with the plain glob: an
// empty variable spliced anywhere into a pattern changes nothing.
TEST_F(ResourcePat, SegmentedMatcherAgreesWithGlob) {
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(seed >> 33);
  };
  const std::string pat_alpha = "ab*?/", text_alpha = "abAB/";
  const std::vector<ContextEntry> ctx = {Str("e", "")};
  for (int iter = 0; iter < 3000; ++iter) {
    std::string pat = "/", text = "/";
    for (uint32_t i = next() % 7; i > 0; --i) pat += pat_alpha[next() % pat_alpha.size()];
    for (uint32_t i = next() % 8; i > 0; --i) text += text_alpha[next() % text_alpha.size()];
    std::string spliced = pat;
    spliced.insert(next() % (pat.size() + 1), "${e}");
    EXPECT_EQ(MatchPv(spliced, text, ctx), GlobMatch(pat, text, /*fold_case=*/true)) << spliced << " vs " << text;
  }
}

TEST_F(ResourcePat, CompileErrors) {
  Error("");
  Error("arn:aws:s3:::b/${unterminated");
  Error("arn:aws:s3:::b/${}");
  Error("arn:aws:s3:::b/${a, 'x}");
  // Without policy variables none of these is special.
  ResourcePattern p;
  std::string error;
  EXPECT_TRUE(CompileResourcePattern("arn:aws:s3:::b/${unterminated", false, &keys_, &p, &error));
}

}  // namespace
}  // namespace rolegate::internal
