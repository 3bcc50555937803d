#include "ocpagg/ingest/cell_converters.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "ocpagg/koku/date.h"

namespace ocpagg {
namespace {

int64_t Millis(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return (static_cast<int64_t>(MakeDate(y, m, d)) * 86400 + hh * 3600 + mm * 60 + ss) * 1000;
}

TEST(SafeFloatTest, ParsesWhatPythonFloatParses) {
  EXPECT_EQ(SafeFloat("3600"), 3600.0);
  EXPECT_EQ(SafeFloat("1800.0"), 1800.0);
  EXPECT_EQ(SafeFloat("2387.0263600000003"), 2387.0263600000003);
  EXPECT_EQ(SafeFloat("3.9e+16"), 3.9e16);
  EXPECT_EQ(SafeFloat(" 5 "), 5.0);
  EXPECT_EQ(SafeFloat("+3"), 3.0);
  EXPECT_EQ(SafeFloat("-2.5"), -2.5);
  EXPECT_EQ(SafeFloat("1."), 1.0);
  EXPECT_EQ(SafeFloat(".5"), 0.5);
  EXPECT_EQ(SafeFloat("1_000"), 1000.0);
  EXPECT_EQ(SafeFloat("1e1_0"), 1e10);
}

TEST(SafeFloatTest, PlainDecimalsRoundExactlyAsFromCharsDoes) {
  // Short digit strings take a shortcut; every one must give the correctly rounded double.
  std::mt19937_64 random(13);
  for (int i = 0; i < 200000; ++i) {
    const int digits = 1 + static_cast<int>(random() % 16);
    std::string cell;
    for (int d = 0; d < digits; ++d) cell.push_back(static_cast<char>('0' + random() % 10));
    if (random() % 4 != 0) cell.insert(random() % (cell.size() + 1), 1, '.');
    double expected = 0;
    std::from_chars(cell.data(), cell.data() + cell.size(), expected);
    ASSERT_EQ(SafeFloat(cell), expected) << cell;
  }
  EXPECT_EQ(SafeFloat("0.1"), 0.1);
  EXPECT_EQ(SafeFloat("999999999999999.9"), 999999999999999.9);
  EXPECT_EQ(SafeFloat("115964116992.0"), 115964116992.0);
}

TEST(SafeFloatTest, SpecialValuesParseAsPythonDoes) {
  EXPECT_EQ(SafeFloat("inf"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(SafeFloat("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(SafeFloat("nan")));
  EXPECT_TRUE(std::isnan(SafeFloat("NAN")));
  EXPECT_EQ(SafeFloat("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(SafeFloat("1e-400"), 0.0);
}

TEST(SafeFloatTest, AnythingElseIsZero) {
  for (const char* bad : {"", " ", "abc", "0x10", "--1", "1e", ".", "1__0", "_1", "1_", "1,5",
                          "nan(1)", "1.0.0", "infinityy"}) {
    EXPECT_EQ(SafeFloat(bad), 0.0) << bad;
  }
}

TEST(KokuNumericCellTest, PandasNaTokensAreZeroBecauseKokuEmptiesThem) {
  EXPECT_EQ(KokuNumericCell("nan"), 0.0);
  EXPECT_EQ(KokuNumericCell("NaN"), 0.0);
  EXPECT_EQ(KokuNumericCell("-nan"), 0.0);
  EXPECT_EQ(KokuNumericCell("NULL"), 0.0);
  EXPECT_TRUE(std::isnan(KokuNumericCell("NAN")));
  EXPECT_EQ(KokuNumericCell("42"), 42.0);
}

TEST(PandasNaTokenTest, MatchesPandasDefaultNaValuesExactly) {
  for (const char* na :
       {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}) {
    EXPECT_TRUE(IsPandasNaToken(na)) << na;
  }
  for (const char* value : {" ", "none", "Null", "NAN", "na", "nil", " NA"}) {
    EXPECT_FALSE(IsPandasNaToken(value)) << value;
  }
}

TEST(OperatorTimestampTest, OperatorFormatIsNaiveUtc) {
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 00:00:00 +0000 UTC"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2025-10-31 23:59:59 +0000 UTC"),
            Millis(2025, 10, 31, 23, 59, 59));
}

TEST(OperatorTimestampTest, OtherIsoFormatsParseAsCiso8601Does) {
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("20200701"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01T01:02:03"), Millis(2020, 7, 1, 1, 2, 3));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 01"), Millis(2020, 7, 1, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 01:02"), Millis(2020, 7, 1, 1, 2));
  EXPECT_EQ(ParseOperatorTimestampMillis("20200701T010203"), Millis(2020, 7, 1, 1, 2, 3));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 24:00:00"), Millis(2020, 7, 2));
  // Ordinal and week dates: day 183 of 2020, and the Wednesday of ISO week 27.
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-183 01:00:00"), Millis(2020, 7, 1, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-W27-3"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020W273"), Millis(2020, 7, 1));
}

TEST(OperatorTimestampTest, SubMillisecondDigitsAreTruncated) {
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 00:00:01.123999999 +0000 UTC"),
            Millis(2020, 7, 1, 0, 0, 1) + 123);
}

TEST(OperatorTimestampTest, OffsetsAreAppliedToReachUtc) {
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01T00:00:00Z"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01T02:00:00+02:00"), Millis(2020, 7, 1));
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-06-30T22:00:00-0200"), Millis(2020, 7, 1));
}

TEST(OperatorTimestampTest, EverySuffixOccurrenceIsRemoved) {
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 +0000 UTC00:00:00 +0000 UTC"), std::nullopt);
  EXPECT_EQ(ParseOperatorTimestampMillis("2020-07-01 +0000 UTC"), Millis(2020, 7, 1));
}

TEST(OperatorTimestampTest, GarbageAndImpossibleDatesFail) {
  for (const char* bad :
       {"", "yesterday", "2020-7-01", " 2020-07-01", "2020-07-01 ", "2020-02-30 00:00:00 +0000 UTC",
        "2020-13-01", "2020-07-01 24:00:01", "2020-07-01T010203", "2020-07-01 00:00:00 +0000 CET",
        "2021-W53", "2021-366"}) {
    EXPECT_EQ(ParseOperatorTimestampMillis(bad), std::nullopt) << bad;
  }
}

TEST(KokuSanitizerTest, HtmlEscapesWithQuotesAndDropsNul) {
  std::string out;
  AppendKokuSanitized(std::string_view("a&b<c>d\"e'f\0g", 13), &out);
  EXPECT_EQ(out, "a&amp;b&lt;c&gt;d&quot;e&#x27;fg");
  EXPECT_TRUE(NeedsKokuSanitizing("x'y"));
  EXPECT_FALSE(NeedsKokuSanitizing("plain-name_1.2"));
}

}  // namespace
}  // namespace ocpagg
