// SQL LIKE as the cost-category join uses it (docs/semantics.md "Multiplicity traps", "PostgreSQL
// and Trino differences": LIKE escape).

#include "ocpagg/koku/like_pattern.h"

#include <gtest/gtest.h>

namespace ocpagg {
namespace {

bool Like(std::string_view text, std::string_view pattern, Compat compat = Compat::kPostgres) {
  auto p = LikePattern::Compile(pattern, compat);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() && p->Matches(text);
}

TEST(LikePatternTest, PercentMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(Like("openshift-monitoring", "openshift-%"));
  EXPECT_TRUE(Like("openshift-", "openshift-%"));
  EXPECT_FALSE(Like("openshift", "openshift-%"));
  EXPECT_TRUE(Like("a-b-c", "%-%-%"));
  EXPECT_TRUE(Like("", "%"));
}

TEST(LikePatternTest, PatternWithoutWildcardsMatchesOnlyTheWholeText) {
  EXPECT_TRUE(Like("openshift", "openshift"));
  EXPECT_FALSE(Like("openshiftish", "openshift"));
  EXPECT_FALSE(Like("my-openshift", "openshift"));
  EXPECT_TRUE(Like("Platform unallocated", "Platform unallocated"));
}

TEST(LikePatternTest, MatchingIsCaseSensitive) {
  EXPECT_FALSE(Like("OpenShift-console", "openshift-%"));
  EXPECT_FALSE(Like("platform unallocated", "Platform unallocated"));
}

TEST(LikePatternTest, UnderscoreMatchesExactlyOneCharacter) {
  EXPECT_TRUE(Like("kube-a", "kube-_"));
  EXPECT_FALSE(Like("kube-", "kube-_"));
  EXPECT_FALSE(Like("kube-ab", "kube-_"));
  // A character, not a byte: 'é' is two bytes in UTF-8.
  EXPECT_TRUE(Like("caf\xC3\xA9", "caf_"));
}

TEST(LikePatternTest, PercentBacktracksToFindALaterMatch) {
  EXPECT_TRUE(Like("team-a-prod-b-prod", "team-%-prod"));
  EXPECT_TRUE(Like("abcabcabd", "%abd"));
  EXPECT_FALSE(Like("abcabcabe", "%abd"));
  EXPECT_TRUE(Like("xaybzc", "%a%b%c"));
}

TEST(LikePatternTest, PostgresBackslashEscapesWildcards) {
  EXPECT_TRUE(Like("a%b", R"(a\%b)", Compat::kPostgres));
  EXPECT_FALSE(Like("axb", R"(a\%b)", Compat::kPostgres));
  EXPECT_TRUE(Like("a_b", R"(a\_b)", Compat::kPostgres));
  EXPECT_FALSE(Like("axb", R"(a\_b)", Compat::kPostgres));
  EXPECT_TRUE(Like(R"(a\b)", R"(a\\b)", Compat::kPostgres));
}

TEST(LikePatternTest, TrinoHasNoEscapeCharacter) {
  EXPECT_TRUE(Like(R"(a\xb)", R"(a\%b)", Compat::kTrino));
  EXPECT_FALSE(Like("a%b", R"(a\%b)", Compat::kTrino));
  EXPECT_TRUE(Like(R"(a\)", R"(a\)", Compat::kTrino));
}

TEST(LikePatternTest, PostgresRejectsPatternEndingWithEscape) {
  auto p = LikePattern::Compile(R"(team\)", Compat::kPostgres);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("escape"), std::string::npos);
}

}  // namespace
}  // namespace ocpagg
