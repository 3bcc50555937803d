// The CSV reader's blocks are cut after whole records, so a line may be longer
// than a block: reading in small blocks gives what Arrow reads from the whole text at once, and
// only a line longer than the limit fails.

#include <arrow/buffer.h>
#include <arrow/csv/api.h>
#include <arrow/io/memory.h>
#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <gtest/gtest.h>

#include <random>

#include "ocpagg/ingest/csv_blocks.h"
#include "ocpagg/ingest/operator_csv.h"

namespace ocpagg {
namespace {

std::shared_ptr<arrow::io::InputStream> TextStream(const std::string& text) {
  return std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(text));
}

// Every block `stream` returns, as text.
std::vector<std::string> Blocks(CsvBlockStream* stream) {
  std::vector<std::string> blocks;
  while (true) {
    auto block = stream->Read(stream->max_block_bytes());
    EXPECT_TRUE(block.ok()) << block.status().ToString();
    if (!block.ok() || (*block)->size() == 0) return blocks;
    blocks.push_back((*block)->ToString());
  }
}

TEST(IngestCsvBlocksTest, ABlockEndsAfterItsLastWholeRecord) {
  CsvBlockStream stream(TextStream("a,b\n1,2\n3,4\n5,6"), 14, 100);
  EXPECT_EQ(Blocks(&stream), (std::vector<std::string>{"a,b\n1,2\n3,4\n", "5,6"}));
}

TEST(IngestCsvBlocksTest, ABlockNeverEndsInsideABlankLine) {
  CsvBlockStream stream(TextStream("a,b\r\n1,2\r\n\r\n3,4"), 12, 100);
  EXPECT_EQ(Blocks(&stream), (std::vector<std::string>{"a,b\r\n1,2\r\n\r\n", "3,4"}));
}

TEST(IngestCsvBlocksTest, LongRecordsMakeLongBlocks) {
  const std::string text = "a,b\r\n1,22\r\n333,4444444444444444\r\n5,6\r\n";
  CsvBlockStream stream(TextStream(text), 8, 100);
  EXPECT_EQ(Blocks(&stream), (std::vector<std::string>{"a,b\r\n", "1,22\r\n",
                                                       "333,4444444444444444\r\n", "5,6\r\n"}));
}

TEST(IngestCsvBlocksTest, QuotedLineBreaksQuotesAndCommasDoNotEndARecord) {
  const std::string text = "a,b\n\"x\ny\",\"p,\"\"q\r\n\"\nc\"d,\"e\"f\n1,2";
  CsvBlockStream stream(TextStream(text), 2, 100);
  EXPECT_EQ(Blocks(&stream), (std::vector<std::string>{"a,b\n", "\"x\ny\",\"p,\"\"q\r\n\"\n",
                                                       "c\"d,\"e\"f\n", "1,2"}));
}

TEST(IngestCsvBlocksTest, LoneCrEndsARecordAndACrLfIsNeverSplit) {
  CsvBlockStream stream(TextStream("a\rbb\r\ncc\rd"), 2, 100);
  EXPECT_EQ(Blocks(&stream), (std::vector<std::string>{"a\r", "bb\r\n", "cc\r", "d"}));
}

TEST(IngestCsvBlocksTest, AQuoteAfterTheByteOrderMarkStartsAQuotedField) {
  const std::string text = "\xEF\xBB\xBF\"a\nb\",c\n1,2\n";
  CsvBlockStream stream(TextStream(text), 5, 100);
  auto blocks = Blocks(&stream);
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks[0].substr(0, 12), text.substr(0, 12));  // not cut after "a\n"
}

TEST(IngestCsvBlocksTest, ARecordLongerThanTheLimitFailsWithItsOffset) {
  const std::string text = "a,b\n1,2\n" + std::string(101, 'x') + ",y\n3,4\n";
  CsvBlockStream stream(TextStream(text), 4, 100);
  EXPECT_EQ((*stream.Read(stream.max_block_bytes()))->ToString(), "a,b\n");
  EXPECT_EQ((*stream.Read(stream.max_block_bytes()))->ToString(), "1,2\n");
  auto failed = stream.Read(stream.max_block_bytes());
  ASSERT_FALSE(failed.ok());
  ASSERT_TRUE(stream.too_long());
  EXPECT_EQ(stream.too_long()->second, 8);
  EXPECT_EQ(failed.status().detail(), stream.too_long()->first.detail());
}

TEST(IngestCsvBlocksTest, ARecordAsLongAsTheLimitIsRead) {
  const std::string text = "a,b\n" + std::string(98, 'x') + ",y\r\n3,4\n";
  CsvBlockStream stream(TextStream(text), 4, 100);
  EXPECT_EQ(Blocks(&stream).size(), 3u);
}

// Rows whose cells hold what operator CSVs may: quoted commas, quotes and line breaks, a quote
// inside an unquoted cell or after a closing one, empty cells, UTF-8, blank lines, LF, CRLF and
// lone CR line ends, a byte order mark, and a last line with or without its line end.
std::string RandomCsv(std::mt19937* random, int rows) {
  const std::vector<std::string> cells = {"plain",
                                          "",
                                          "\"with,comma\"",
                                          "\"with \"\"quote\"\"\"",
                                          "\"two\nlines\"",
                                          "\"crlf\r\ninside\"",
                                          "un\"quoted",
                                          "\"\"",
                                          "\"\"\"\"",
                                          "\"closed\"then text",
                                          "caf\xc3\xa9 \xe2\x82\xac",
                                          std::string(300, 'w'),
                                          "label_a:1|label_b:2"};
  const std::vector<std::string> line_ends = {"\n", "\r\n", "\r"};
  std::string text = (*random)() % 4 == 0 ? "\xEF\xBB\xBF" : "";
  text += "a,b,c\r\n";
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < 3; ++c) {
      text += (c ? "," : "") + cells[(*random)() % cells.size()];
    }
    if (r + 1 < rows || (*random)() % 2) text += line_ends[(*random)() % line_ends.size()];
    if (r + 1 < rows && (*random)() % 10 == 0) text += "\r\n";
  }
  return text;
}

std::shared_ptr<arrow::Table> ReadWhole(const std::string& text) {
  auto read = arrow::csv::ReadOptions::Defaults();
  read.use_threads = false;
  auto parse = arrow::csv::ParseOptions::Defaults();
  parse.newlines_in_values = true;
  auto convert = arrow::csv::ConvertOptions::Defaults();
  for (const char* name : {"a", "b", "c"}) convert.column_types[name] = arrow::utf8();
  convert.strings_can_be_null = false;
  convert.quoted_strings_can_be_null = false;
  auto reader = arrow::csv::TableReader::Make(arrow::io::default_io_context(), TextStream(text),
                                              read, parse, convert);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  auto table = (*reader)->Read();
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return *table;
}

std::shared_ptr<arrow::Table> ReadInBlocks(const std::string& text, int64_t block_bytes) {
  OperatorCsvOptions options;
  options.block_bytes = block_bytes;
  options.max_line_bytes = 4096;
  auto reader = OperatorCsvReader::Open(TextStream(text), {"a", "b", "c"}, "t.csv", options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  while (true) {
    auto batch = (*reader)->Next();
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok() || !*batch) break;
    batches.push_back(*batch);
  }
  return *arrow::Table::FromRecordBatches(batches);
}

TEST(IngestCsvBlocksTest, ReadingInSmallBlocksGivesWhatArrowReadsAtOnce) {
  std::mt19937 random(20251206);
  for (int round = 0; round < 20; ++round) {
    const std::string text = RandomCsv(&random, 200);
    auto whole = ReadWhole(text);
    ASSERT_TRUE(whole);
    for (int64_t block_bytes : {1, 7, 64, 1000}) {
      auto blocks = ReadInBlocks(text, block_bytes);
      ASSERT_TRUE(blocks);
      EXPECT_TRUE(blocks->Equals(*whole, /*check_metadata=*/false))
          << "round " << round << ", blocks of " << block_bytes;
    }
  }
}

}  // namespace
}  // namespace ocpagg
