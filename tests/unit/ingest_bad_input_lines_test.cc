// How bad-input messages find the line they are about: the CSV reader numbers records rather
// than lines; the locator turns them into the line a user sees in an editor.

#include <arrow/buffer.h>
#include <arrow/io/memory.h>
#include <gtest/gtest.h>

#include "ocpagg/ingest/csv_locator.h"

namespace ocpagg {
namespace {

StreamOpener OpenText(std::string text) {
  return [text]() -> Result<std::shared_ptr<arrow::io::InputStream>> {
    return std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(text));
  };
}

// Records 1-4 in Arrow's numbering start on lines 1, 2, 5 and 6.
const std::string kText =
    "a,b,c\r\n"
    "1,\"two\r\nlines\",x\r\n"
    "\r\n"
    "2,3,4,5\r\n"
    "6,7,8\r\n";
const std::vector<std::string> kHeader = {"a", "b", "c"};

TEST(IngestBadInputLinesTest, RowWithTooFewFieldsNamesTheLineWhereItStarts) {
  Status st = LocateCsvRowProblem({.record = 4, .what = "2 fields where the header has 3"}, "f.csv",
                                  kHeader, OpenText(kText));
  EXPECT_EQ(KindOf(st), ErrorKind::kBadInput);
  EXPECT_EQ(st.message(), "f.csv: line 6: 2 fields where the header has 3");
}

TEST(IngestBadInputLinesTest, ProblemNamesTheLineWhereTheFieldStarts) {
  // No invalid byte in the file to show: the record's field names the line.
  Status st = LocateCsvRowProblem({.record = 2, .column = 2, .what = ""}, "f.csv", kHeader,
                                  OpenText(kText));
  EXPECT_EQ(st.message(), "f.csv: line 3, column c: invalid UTF-8");
}

TEST(IngestBadInputLinesTest, RecordNumbersCountRecordsNotBlankLines) {
  Status st = LocateCsvRowProblem({.record = 3, .what = "4 fields where the header has 3"}, "f.csv",
                                  kHeader, OpenText(kText));
  EXPECT_EQ(st.message(), "f.csv: line 5: 4 fields where the header has 3");
}

TEST(IngestBadInputLinesTest, InvalidUtf8NamesTheLineOfTheFirstBadByteInTheColumn) {
  const std::string text = "a,b\n1,ok\n2,\"fine\n\xF0\x9F\x98\x80 then \xED\xA0\x80 bad\"\n";
  Status st = LocateCsvRowProblem({.record = 3, .column = 1, .what = ""}, "f.csv", {"a", "b"},
                                  OpenText(text));
  EXPECT_EQ(st.message(),
            "f.csv: line 4, column b: invalid UTF-8 (byte 0xED in "
            "'fine\\n\xF0\x9F\x98\x80 then \\xED\\xA0\\x80 bad')");
}

TEST(IngestBadInputLinesTest, ProblemKeepsTheRecordNumberWhenTheFileCannotBeReadAgain) {
  StreamOpener gone = []() -> Result<std::shared_ptr<arrow::io::InputStream>> {
    return BadInput("cannot open f.csv: gone");
  };
  Status st = LocateCsvRowProblem({.record = 7, .column = 0, .what = ""}, "f.csv", kHeader, gone);
  EXPECT_EQ(st.message(),
            "f.csv: record 7 (the header is record 1), column a: invalid UTF-8 (line unknown: "
            "cannot open f.csv: gone)");
}

TEST(IngestBadInputLinesTest, DataRowsAreTheRecordsWithTheHeadersFieldCount) {
  CsvLocator locator(OpenText(kText), 3);
  EXPECT_EQ(*locator.LineOfRowField(0, 0), 2);
  EXPECT_EQ(*locator.LineOfRowField(0, 2), 3);
  EXPECT_EQ(*locator.LineOfRowField(1, 0), 6);  // the 4-field record is dropped by the reader
  EXPECT_EQ(*locator.LineOfRowField(2, 0), std::nullopt);
}

TEST(IngestBadInputLinesTest, LinesEndWithCrLfLfOrALoneCr) {
  CsvLocator locator(OpenText("\xEF\xBB\xBF"
                              "a\r\nb\nc\rd\r\r\ne"),
                     1);
  EXPECT_EQ(*locator.LineOfOffset(0), 1);
  EXPECT_EQ(*locator.LineOfOffset(5), 1);   // the LF of the first CRLF
  EXPECT_EQ(*locator.LineOfOffset(6), 2);   // b
  EXPECT_EQ(*locator.LineOfOffset(8), 3);   // c
  EXPECT_EQ(*locator.LineOfOffset(10), 4);  // d
  EXPECT_EQ(*locator.LineOfOffset(14), 6);  // e, after a lone CR and a CRLF
}

TEST(IngestBadInputLinesTest, Utf8SequencesAreCheckedAsArrowDoes) {
  EXPECT_EQ(Utf8SequenceLength("a"), 1);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9"), 2);
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC"), 3);
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF"), 4);  // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF"), 0);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\xAF"), 0);      // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80"), 0);      // a surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80"), 0);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82"), 0);          // cut short
  EXPECT_EQ(Utf8SequenceLength("\x80"), 0);
}

}  // namespace
}  // namespace ocpagg
