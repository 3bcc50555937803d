// StringColumnCheck finds the first row whose string is not valid UTF-8 or holds a NUL byte,
// from whole buffers, in every layout Arrow reads strings into.

#include "ocpagg/source/string_check.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ocpagg {
namespace {

// nullopt appends a null.
std::shared_ptr<arrow::Array> Strings(const std::vector<std::optional<std::string>>& values) {
  arrow::StringBuilder b;
  for (const auto& v : values) {
    EXPECT_TRUE((v ? b.Append(*v) : b.AppendNull()).ok());
  }
  return b.Finish().ValueOrDie();
}

std::shared_ptr<arrow::Array> Dictionary(const std::vector<int32_t>& indices,
                                         const std::shared_ptr<arrow::Array>& entries) {
  arrow::Int32Builder b;
  for (int32_t i : indices) EXPECT_TRUE((i < 0 ? b.AppendNull() : b.Append(i)).ok());
  auto index_array = b.Finish().ValueOrDie();
  return arrow::DictionaryArray::FromArrays(arrow::dictionary(arrow::int32(), arrow::utf8()),
                                            index_array, entries)
      .ValueOrDie();
}

std::optional<int64_t> BadRow(const std::shared_ptr<arrow::Array>& array) {
  auto bad = StringColumnCheck().Check(*array);
  return bad ? std::optional<int64_t>(bad->row) : std::nullopt;
}

TEST(StringCheck, GoodTextPasses) {
  EXPECT_EQ(BadRow(Strings({"kube-system", "", std::nullopt, "caf\xc3\xa9", "\xe2\x82\xac"})),
            std::nullopt);
}

TEST(StringCheck, FindsTheRowWithInvalidUtf8) {
  const auto array = Strings({"a", "b", "c\xff", "d\xfe"});
  auto bad = StringColumnCheck().Check(*array);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 2);
  EXPECT_EQ(bad->fault, StringFault::kInvalidUtf8);
  EXPECT_EQ(bad->value, "c\xff");
  EXPECT_EQ(DescribeBadString(*bad), "invalid UTF-8 in \"c\\xff\"");
}

TEST(StringCheck, FindsTheRowWithANulByte) {
  const auto array = Strings({"a", std::string("b\0c", 3)});
  auto bad = StringColumnCheck().Check(*array);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 1);
  EXPECT_EQ(bad->fault, StringFault::kNulByte);
  EXPECT_EQ(DescribeBadString(*bad), "NUL byte in \"b\\x00c\"");
}

// Buffers are scanned 8 bytes at a time, then byte by byte: a bad byte is found at every place.
TEST(StringCheck, ABadByteIsFoundAtAnyPlaceInTheBuffer) {
  for (size_t at = 0; at < 24; ++at) {
    for (char bad : {'\0', '\xff'}) {
      std::string value(24, 'x');
      value[at] = bad;
      EXPECT_EQ(BadRow(Strings({"kube-system", value, "y"})), 1) << at << " " << int(bad);
    }
    std::string accented(24, 'x');
    accented.replace(at, 2, "\xc3\xa9");
    EXPECT_EQ(BadRow(Strings({"kube-system", accented.substr(0, 24), "y"})),
              at == 23 ? std::optional<int64_t>(1) : std::nullopt)
        << at;
  }
}

// "\xc3\xa9" is valid when the two bytes stay together; split over two values, neither is.
TEST(StringCheck, ACharacterSplitBetweenTwoValuesIsInvalid) {
  EXPECT_EQ(BadRow(Strings({"ok", "caf\xc3", "\xa9t"})), 1);
}

TEST(StringCheck, BytesBehindANullSlotAreNotARow) {
  // Offsets give the null slot 1 byte, 0xff; no row reads it.
  auto offsets = arrow::Buffer::FromVector<int32_t>({0, 1, 2, 3});
  auto values = arrow::Buffer::FromString(
      "a\xff"
      "b");
  auto validity = arrow::Buffer::FromVector<uint8_t>({0b101});
  auto array = std::make_shared<arrow::StringArray>(3, offsets, values, validity, 1);
  EXPECT_EQ(BadRow(array), std::nullopt);
}

TEST(StringCheck, ASlicedArrayCountsRowsFromItsStart) {
  auto array = Strings({"\xff", "a", "b", "c\xff"})->Slice(1);
  EXPECT_EQ(BadRow(array), 2);
  EXPECT_EQ(BadRow(Strings({"a", "b\xff", "c"})->Slice(0, 1)), std::nullopt);
}

TEST(StringCheck, LargeStringsAndBinaryAreChecked) {
  arrow::LargeStringBuilder large;
  ASSERT_TRUE(large.Append("a").ok());
  ASSERT_TRUE(large.Append(std::string("\0", 1)).ok());
  EXPECT_EQ(BadRow(large.Finish().ValueOrDie()), 1);
  arrow::BinaryBuilder binary;
  ASSERT_TRUE(binary.Append("\xc0\x80").ok());
  EXPECT_EQ(BadRow(binary.Finish().ValueOrDie()), 0);
}

TEST(StringCheck, ADictionaryEntryIsWrongOnlyForTheRowsThatUseIt) {
  auto entries = Strings({"a", "b\xff", "c"});
  EXPECT_EQ(BadRow(Dictionary({0, 2, -1, 0}, entries)), std::nullopt);
  EXPECT_EQ(BadRow(Dictionary({0, 2, 1, 1}, entries)), 2);
}

TEST(StringCheck, ABadDictionaryEntryIsFoundInLaterBatchesToo) {
  StringColumnCheck check;
  auto entries = Strings({"a", std::string("b\0", 2)});
  EXPECT_FALSE(check.Check(*Dictionary({0, 0}, entries)));
  auto bad = check.Check(*Dictionary({0, 1}, entries));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 1);
  EXPECT_EQ(bad->fault, StringFault::kNulByte);
}

// Arrow hands each batch the column chunk's dictionary so far: entries appended since the last
// batch are checked, the others were checked already.
TEST(StringCheck, EntriesAddedToTheDictionaryAreChecked) {
  StringColumnCheck check;
  EXPECT_FALSE(check.Check(*Dictionary({0, 1}, Strings({"a", "b"}))));
  auto bad = check.Check(*Dictionary({2, 0}, Strings({"a", "b", "\xff"})));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 0);
}

TEST(StringCheck, ADifferentDictionaryIsCheckedFromTheStart) {
  StringColumnCheck shorter;
  EXPECT_FALSE(shorter.Check(*Dictionary({0, 1}, Strings({"aa", "bb"}))));
  auto bad = shorter.Check(*Dictionary({0}, Strings({"\xff"})));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 0);
  StringColumnCheck other_bytes;
  EXPECT_FALSE(other_bytes.Check(*Dictionary({0}, Strings({"aa"}))));
  bad = other_bytes.Check(*Dictionary({1, 0}, Strings({"\xff", "c"})));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->row, 1);
}

TEST(StringCheck, ValuesShownInMessagesArePrintableAndShort) {
  BadString bad{0, StringFault::kInvalidUtf8, "tab\there\\ \xe2\x82"};
  EXPECT_EQ(DescribeBadString(bad), "invalid UTF-8 in \"tab\\x09here\\\\ \\xe2\\x82\"");
  const std::string long_value = std::string(100, 'x') + "\xff";
  bad.value = long_value;
  EXPECT_EQ(DescribeBadString(bad), "invalid UTF-8 in \"" + std::string(60, 'x') + "...\"");
}

}  // namespace
}  // namespace ocpagg
