#include "ocpagg/common/status.h"

#include <gtest/gtest.h>

namespace ocpagg {
namespace {

TEST(Status, BadInputCarriesItsKindThroughContext) {
  Status s = WithContext(BadInput("column {} missing", "pod"), "report.0.csv");
  EXPECT_EQ(KindOf(s), ErrorKind::kBadInput);
  EXPECT_EQ(s.message(), "report.0.csv: column pod missing");
}

TEST(Status, PlainArrowIoErrorCountsAsBadInput) {
  EXPECT_EQ(KindOf(Status::IOError("truncated")), ErrorKind::kBadInput);
  EXPECT_EQ(KindOf(SinkError("copy failed")), ErrorKind::kSink);
}

}  // namespace
}  // namespace ocpagg
