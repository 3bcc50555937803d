// How the CSV tokenizer splits operator CSV text: quoting, line ends, blank lines, the last
// record, rows with too many or too few fields and invalid UTF-8, each on a small block.

#include <arrow/array.h>
#include <arrow/record_batch.h>
#include <gtest/gtest.h>

#include "ocpagg/ingest/csv_tokenizer.h"

namespace ocpagg {
namespace {

using Rows = std::vector<std::vector<std::string>>;

Rows RowsOf(const arrow::RecordBatch& batch) {
  Rows rows(static_cast<size_t>(batch.num_rows()));
  for (int c = 0; c < batch.num_columns(); ++c) {
    EXPECT_EQ(batch.column(c)->type_id(), arrow::Type::STRING);
    EXPECT_EQ(batch.column(c)->null_count(), 0);
    const auto& cells = static_cast<const arrow::StringArray&>(*batch.column(c));
    for (int64_t r = 0; r < batch.num_rows(); ++r) rows[r].emplace_back(cells.GetView(r));
  }
  return rows;
}

// The rows of one block of a file whose header is "a,b".
Rows Tokenize(const std::string& block, CsvTokenizer* tokenizer) {
  auto batch = tokenizer->Tokenize(block);
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? RowsOf(**batch) : Rows{};
}

Rows Tokenize(const std::string& block) {
  CsvTokenizer tokenizer({"a", "b"});
  return Tokenize(block, &tokenizer);
}

TEST(IngestCsvTokenizerTest, QuotedFieldsLoseTheirQuotesAndKeepDoubledOnes) {
  EXPECT_EQ(Tokenize("\"x,y\",\"say \"\"hi\"\"\"\r\n\"\",\"\"\"\"\r\n"),
            (Rows{{"x,y", "say \"hi\""}, {"", "\""}}));
}

TEST(IngestCsvTokenizerTest, TextAfterAClosingQuoteGoesOnUnquoted) {
  EXPECT_EQ(Tokenize("\"e\"f,\"g\"\"h\"i\"j\n"), (Rows{{"ef", "g\"hi\"j"}}));
}

TEST(IngestCsvTokenizerTest, AQuoteInsideAnUnquotedFieldIsText) {
  EXPECT_EQ(Tokenize("un\"quoted,x\"\r\n"), (Rows{{"un\"quoted", "x\""}}));
}

TEST(IngestCsvTokenizerTest, QuotedLineBreaksAreTextAndCrLfLfOrALoneCrEndARecord) {
  EXPECT_EQ(Tokenize("\"two\r\nlines\",\"and\nmore\"\r\n1,2\n3,4\r5,6\r\n"),
            (Rows{{"two\r\nlines", "and\nmore"}, {"1", "2"}, {"3", "4"}, {"5", "6"}}));
}

TEST(IngestCsvTokenizerTest, BlankLinesAreSkipped) {
  EXPECT_EQ(Tokenize("\r\n1,2\r\n\r\n\n\r3,4\r\n\r\n"), (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(IngestCsvTokenizerTest, TheLastRecordNeedsNoLineEnd) {
  EXPECT_EQ(Tokenize("1,2\r\n3,4"), (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(Tokenize("1,"), (Rows{{"1", ""}}));  // a ',' at the end starts an empty field
  EXPECT_EQ(Tokenize("1,\"open\r\nto the end"), (Rows{{"1", "open\r\nto the end"}}));
}

TEST(IngestCsvTokenizerTest, LongFieldsAndFieldsAtTheEndOfTheBlockAreCopiedWhole) {
  const std::string long_a(1000, 'a'), long_b(37, 'b');
  EXPECT_EQ(Tokenize(long_a + "," + long_b + "\r\n\"" + long_b + "\"," + long_a),
            (Rows{{long_a, long_b}, {long_b, long_a}}));
}

TEST(IngestCsvTokenizerTest, RowsWithMoreFieldsAreDroppedAndCounted) {
  CsvTokenizer tokenizer({"a", "b"});
  EXPECT_EQ(Tokenize("1,2,3\r\n4,5\r\n6,7,\r\n", &tokenizer), (Rows{{"4", "5"}}));
  EXPECT_EQ(tokenizer.rows_with_extra_fields(), 2);
  EXPECT_FALSE(tokenizer.problem());
}

TEST(IngestCsvTokenizerTest, ARowWithFewerFieldsFailsWithItsRecordNumber) {
  // Records count from the header (1) on, across blocks; blank lines do not count, dropped
  // rows do.
  CsvTokenizer tokenizer({"a", "b"});
  EXPECT_EQ(Tokenize("1,2\r\n\r\n", &tokenizer), (Rows{{"1", "2"}}));
  auto failed = tokenizer.Tokenize("3,4,5\r\n\"x\ny\"\r\n6,7\r\n");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(KindOf(failed.status()), ErrorKind::kBadInput);
  ASSERT_TRUE(tokenizer.problem());
  EXPECT_EQ(tokenizer.problem()->record, 4);
  EXPECT_EQ(tokenizer.problem()->column, -1);
  EXPECT_EQ(tokenizer.problem()->what, "1 fields where the header has 2");
}

TEST(IngestCsvTokenizerTest, InvalidUtf8NamesTheFirstColumnWithABadCellAndItsRecord) {
  CsvTokenizer tokenizer({"a", "b"});
  auto failed = tokenizer.Tokenize("1,2\r\n3,bad\xff\r\nbad\xc3(,4\r\n");
  ASSERT_FALSE(failed.ok());
  ASSERT_TRUE(tokenizer.problem());
  EXPECT_EQ(tokenizer.problem()->record, 4);
  EXPECT_EQ(tokenizer.problem()->column, 0);
}

TEST(IngestCsvTokenizerTest, InvalidUtf8InADroppedRowIsNoError) {
  CsvTokenizer tokenizer({"a", "b"});
  EXPECT_EQ(Tokenize("1,2,bad\xff\r\n3,\"ok\"\"\xc3\xa9\"\r\n", &tokenizer),
            (Rows{{"3", "ok\"\xc3\xa9"}}));
  EXPECT_FALSE(tokenizer.problem());
}

TEST(IngestCsvTokenizerTest, TheHeaderRecordFollowsAByteOrderMarkAndBlankLines) {
  std::string_view block = "\xEF\xBB\xBF\r\n\"a,1\",b\r\n1,2\r\n";
  EXPECT_EQ(CsvTokenizer::ReadHeaderRecord(&block), (std::vector<std::string>{"a,1", "b"}));
  EXPECT_EQ(block, "1,2\r\n");
  std::string_view blank = "\r\n\n";
  EXPECT_EQ(CsvTokenizer::ReadHeaderRecord(&blank), std::vector<std::string>{});
}

}  // namespace
}  // namespace ocpagg
