#include "ocpagg/koku/operator_labels.h"

#include <gtest/gtest.h>

namespace ocpagg {
namespace {

TEST(OperatorLabelsTest, KokuTestExampleKeepsInsertionOrder) {
  EXPECT_EQ(OperatorLabelsToJson("label_environment:ruby|label_app:fall|label_version:red"),
            R"({"environment": "ruby", "app": "fall", "version": "red"})");
}

TEST(OperatorLabelsTest, StringWithoutPipeOrColonIsEmptyObject) {
  EXPECT_EQ(OperatorLabelsToJson("nolabels"), "{}");
  EXPECT_EQ(OperatorLabelsToJson(""), "{}");
  EXPECT_EQ(OperatorLabelsToJson("|||"), "{}");
}

TEST(OperatorLabelsTest, EveryLabelPrefixOccurrenceIsRemovedInOnePass) {
  EXPECT_EQ(OperatorLabelsToJson("label_label_app:x"), R"({"app": "x"})");
  EXPECT_EQ(OperatorLabelsToJson("my_label_key:x"), R"({"my_key": "x"})");
  // str.replace does not rescan what it produced: "la" + "bel_x" stays "label_x".
  EXPECT_EQ(OperatorLabelsToJson("lalabel_bel_x:y"), R"({"label_x": "y"})");
}

TEST(OperatorLabelsTest, PartWithSecondColonIsSkipped) {
  EXPECT_EQ(OperatorLabelsToJson("label_url:http://x|label_app:web"), R"({"app": "web"})");
}

TEST(OperatorLabelsTest, LaterDuplicateWinsButKeepsFirstPosition) {
  EXPECT_EQ(OperatorLabelsToJson("label_a:1|label_b:2|label_a:3"), R"({"a": "3", "b": "2"})");
  // "label_a" and "a" are the same key once the prefix is gone.
  EXPECT_EQ(OperatorLabelsToJson("a:1|label_a:2"), R"({"a": "2"})");
}

TEST(OperatorLabelsTest, EmptyKeysAndValuesAreKept) {
  EXPECT_EQ(OperatorLabelsToJson("label_:v|label_app:"), R"({"": "v", "app": ""})");
  EXPECT_EQ(OperatorLabelsToJson(":"), R"({"": ""})");
}

TEST(OperatorLabelsTest, NonAsciiIsEscapedLikePythonEnsureAscii) {
  EXPECT_EQ(OperatorLabelsToJson("caf\xC3\xA9:\xE2\x98\x83"), R"({"caf\u00e9": "\u2603"})");
  // Above U+FFFF: a UTF-16 surrogate pair, lowercase hex.
  EXPECT_EQ(OperatorLabelsToJson("k:\xF0\x9F\x98\x80"), R"({"k": "\ud83d\ude00"})");
}

TEST(OperatorLabelsTest, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(OperatorLabelsToJson("k:\"q\\"), R"({"k": "\"q\\"})");
  EXPECT_EQ(OperatorLabelsToJson("k:a\tb\nc\x01\x7f"), R"({"k": "a\tb\nc\u0001\u007f"})");
}

TEST(OperatorLabelsTest, ParseGivesKeysAndValuesInOrder) {
  auto labels = ParseOperatorLabels("label_app:web|bad|label_tier:db");
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0], (OperatorLabel{"app", "web"}));
  EXPECT_EQ(labels[1], (OperatorLabel{"tier", "db"}));
}

TEST(OperatorLabelsTest, InvalidUtf8BytesBecomeReplacementCharacter) {
  std::string out;
  AppendPythonJsonString("a\xFF", &out);
  EXPECT_EQ(out, R"("a\ufffd")");
}

}  // namespace
}  // namespace ocpagg
