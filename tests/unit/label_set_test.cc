// Label sets: filterK, right-wins merge and canonical JSON text (docs/semantics.md "Enabled keys",
// "Pod rows", "PostgreSQL and Trino differences").

#include "ocpagg/koku/label_set.h"

#include <gtest/gtest.h>

namespace ocpagg {
namespace {

LabelSetTable Table(std::vector<std::string> enabled, Compat compat = Compat::kPostgres) {
  SummarySettings settings;
  settings.compat = compat;
  settings.enabled_keys = std::move(enabled);
  return LabelSetTable(EnabledLabelKeys::FromSettings(settings), compat);
}

std::string JsonOf(LabelSetTable& t, std::optional<std::string_view> text) {
  auto id = t.Filter(text);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  if (!id.ok()) return "<error>";
  return std::string(t.Json(*id).value_or("NULL"));
}

TEST(LabelSetTest, FilterKeepsOnlyEnabledKeysCaseSensitively) {
  auto t = Table({"app", "team"});
  EXPECT_EQ(JsonOf(t, R"({"app": "web", "App": "Web", "tier": "front", "team": "a"})"),
            R"({"app":"web","team":"a"})");
}

TEST(LabelSetTest, FilterAlwaysKeepsVmKubevirtName) {
  auto t = Table({"app"});
  EXPECT_EQ(JsonOf(t, R"({"vm_kubevirt_io_name": "vm1", "zone": "z"})"),
            R"({"vm_kubevirt_io_name":"vm1"})");
}

TEST(LabelSetTest, PostgresWithNoEnabledKeyStillKeepsVmKubevirtName) {
  auto t = Table({}, Compat::kPostgres);
  EXPECT_EQ(JsonOf(t, R"({"vm_kubevirt_io_name": "vm1", "app": "x"})"),
            R"({"vm_kubevirt_io_name":"vm1"})");
}

TEST(LabelSetTest, TrinoWithNoEnabledKeyKeepsNoLabelAtAll) {
  auto t = Table({}, Compat::kTrino);
  EXPECT_EQ(JsonOf(t, R"({"vm_kubevirt_io_name": "vm1", "app": "x"})"), "{}");
}

TEST(LabelSetTest, OutputKeysAreSortedAndCompact) {
  auto t = Table({"b", "a", "c"});
  EXPECT_EQ(JsonOf(t, R"({"c": "3", "a": "1", "b": "2"})"), R"({"a":"1","b":"2","c":"3"})");
}

TEST(LabelSetTest, SameFilteredLabelsFromDifferentTextsShareOneId) {
  auto t = Table({"app"});
  auto a = t.Filter(R"({"app": "web", "pod-template-hash": "123"})");
  auto b = t.Filter(R"({"pod-template-hash": "456", "app": "web"})");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(LabelSetTest, EachDistinctTextIsParsedOnceAndCached) {
  auto t = Table({"app"});
  const std::string text = R"({"app": "web"})";
  auto first = t.Filter(text);
  const size_t sets = t.size();
  auto second = t.Filter(std::string(text));  // another buffer, same bytes
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(t.size(), sets);
}

TEST(LabelSetTest, PostgresTreatsNullAndBlankTextAsEmpty) {
  auto t = Table({"app"}, Compat::kPostgres);
  EXPECT_EQ(*t.Filter(std::nullopt), kEmptyLabelSet);
  EXPECT_EQ(*t.Filter(""), kEmptyLabelSet);
  EXPECT_EQ(*t.Filter("   "), kEmptyLabelSet);
}

TEST(LabelSetTest, TrinoKeepsNullTextAsNullAndRejectsBlankText) {
  auto t = Table({"app"}, Compat::kTrino);
  EXPECT_EQ(*t.Filter(std::nullopt), kNullLabelSet);
  EXPECT_FALSE(t.Json(kNullLabelSet).has_value());
  EXPECT_FALSE(t.Filter("").ok());
}

TEST(LabelSetTest, TextThatIsNotAJsonObjectIsRejected) {
  auto t = Table({"app"});
  EXPECT_FALSE(t.Filter(R"({"app": )").ok());
  EXPECT_FALSE(t.Filter(R"(["app"])").ok());
  EXPECT_FALSE(t.Filter("app:web").ok());
}

TEST(LabelSetTest, NestedValueOfAKeptKeyIsRejectedButOfADroppedKeyIgnored) {
  auto t = Table({"app"});
  EXPECT_FALSE(t.Filter(R"({"app": {"x": "y"}})").ok());
  EXPECT_EQ(JsonOf(t, R"({"other": ["x"], "app": "web"})"), R"({"app":"web"})");
}

// jsonb cannot hold U+0000 (PostgreSQL rejects the escape \u0000): a kept label that holds it
// is rejected; a dropped one never reaches the output.
TEST(LabelSetTest, EscapedNulInAKeptLabelIsRejectedButInADroppedOneIgnored) {
  auto t = Table({"app", std::string("a\0b", 3)});
  auto value = t.Filter(R"({"app": "a\u0000b"})");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(KindOf(value.status()), ErrorKind::kBadInput);
  EXPECT_NE(value.status().message().find(R"(label 'app' holds the escape \u0000)"),
            std::string::npos)
      << value.status().message();
  auto key = t.Filter(R"({"a\u0000b": "x"})");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(KindOf(key.status()), ErrorKind::kBadInput);
  EXPECT_EQ(JsonOf(t, R"({"other": "x\u0000", "app": "web"})"), R"({"app":"web"})");
}

TEST(LabelSetTest, DuplicateKeyKeepsTheLastValue) {
  auto t = Table({"app"});
  EXPECT_EQ(JsonOf(t, R"({"app": "first", "app": "last"})"), R"({"app":"last"})");
}

TEST(LabelSetTest, NonStringScalarsBecomeStringsAndNullStaysNull) {
  auto t = Table({"n", "b", "z"});
  EXPECT_EQ(JsonOf(t, R"({"n": 7, "b": true, "z": null})"), R"({"b":"true","n":"7","z":null})");
}

TEST(LabelSetTest, EscapesAreDecodedForMatchingAndReencodedOnOutput) {
  auto t = Table({"app"});
  EXPECT_EQ(JsonOf(t, R"({"\u0061pp": "a \"quoted\" \\ value\n"})"),
            R"({"app":"a \"quoted\" \\ value\u000a"})");
}

TEST(LabelSetTest, MergeIsRightWinsUnion) {
  auto t = Table({"env", "app", "team"});
  const LabelSetId node = *t.Filter(R"({"env": "node", "team": "n"})");
  const LabelSetId pod = *t.Filter(R"({"env": "pod", "app": "web"})");
  EXPECT_EQ(t.Json(t.Merge(node, pod)), R"({"app":"web","env":"pod","team":"n"})");
  EXPECT_EQ(t.Json(t.Merge(pod, node)), R"({"app":"web","env":"node","team":"n"})");
}

TEST(LabelSetTest, MergeWithNullIsNull) {
  auto t = Table({"app"}, Compat::kTrino);
  const LabelSetId pod = *t.Filter(R"({"app": "web"})");
  EXPECT_EQ(t.Merge(pod, kNullLabelSet), kNullLabelSet);
  EXPECT_EQ(t.Merge(kNullLabelSet, kEmptyLabelSet), kNullLabelSet);
}

TEST(LabelSetTest, ImportMapsASetOfAnotherTableToTheSameJson) {
  auto a = Table({"app", "team"});
  auto b = Table({"app", "team"});
  b.Filter(R"({"team": "x"})").ValueOrDie();
  const LabelSetId in_a = *a.Filter(R"({"app": "web", "team": "y"})");
  const LabelSetId in_b = b.Import(a, in_a);
  EXPECT_EQ(b.Json(in_b), a.Json(in_a));
  EXPECT_EQ(b.Import(a, kNullLabelSet), kNullLabelSet);
}

TEST(LabelSetTest, EntriesGiveKeysUnescapedAndValuesAsJson) {
  auto t = Table({"a\"b", "plain"});
  const LabelSetId id = *t.Filter(R"({"plain": "x\"y", "a\"b": "v"})");
  EXPECT_EQ(t.Json(id), R"({"a\"b":"v","plain":"x\"y"})");
  const auto entries = t.Entries(id);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].key, "a\"b");  // escaped in the JSON text, so held apart from it
  EXPECT_EQ(entries[0].value_json, R"("v")");
  EXPECT_EQ(entries[1].key, "plain");
  EXPECT_EQ(entries[1].value_json, R"("x\"y")");
  // Merging reads the entries: the escaped key must still match and be written escaped once.
  const LabelSetId other = *t.Filter(R"({"a\"b": "w"})");
  EXPECT_EQ(t.Json(t.Merge(id, other)), R"({"a\"b":"w","plain":"x\"y"})");
}

TEST(LabelSetTest, SetsKeepTheirTextAndEntriesWhenTheTableMovesAndGrows) {
  auto t = Table({"app"});
  const LabelSetId first = *t.Filter(R"({"app": "first"})");
  const std::string_view json = *t.Json(first);
  const auto entries = t.Entries(first);
  LabelSetTable moved = std::move(t);
  for (int i = 0; i < 20000; ++i) {  // many more sets than one block of the table's texts holds
    moved.Filter("{\"app\": \"" + std::to_string(i) + "\"}").ValueOrDie();
  }
  EXPECT_EQ(moved.Json(first), R"({"app":"first"})");
  EXPECT_EQ(json, R"({"app":"first"})");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].value_json, R"("first")");
  EXPECT_EQ(moved.size(), 20003u);  // {}, NULL, "first" and the 20,000
}

}  // namespace
}  // namespace ocpagg
