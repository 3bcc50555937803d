// The engine's memory decisions (engine/memory_policy.h, engine/memory_budget.h), asked with
// made-up figures: when a state is kept, spilled or too large, into how many partitions a day
// spills, when a day goes to disk at Combine, when another day starts, and how one limit is
// shared out.

#include <gtest/gtest.h>

#include "ocpagg/engine/memory_policy.h"

namespace ocpagg::testing {
namespace {

constexpr int64_t kMiB = 1 << 20;

// 256 MiB, of which 100 MiB for the states, read in batches of 16,384 rows.
MemoryShares Shares() {
  MemoryShares s;
  s.limit_bytes = 256 * kMiB;
  s.state_bytes = 100 * kMiB;
  s.batch_rows = 16 * 1024;
  s.workers = 2;
  return s;
}

MemoryPolicy Policy(bool spill = true, int workers = 2, uint64_t open_files = 1024) {
  return MemoryPolicy(Shares(), workers, spill, open_files);
}

MemoryUse Use(int64_t states_bytes, int64_t process_bytes = 50 * kMiB) {
  return MemoryUse{states_bytes, process_bytes};
}

TEST(MemoryPolicy, StatesWithinTheirShareAreKept) {
  EXPECT_EQ(Policy().CheckState(Use(90 * kMiB), 10 * kMiB, 60 * kMiB, 60 * kMiB, true),
            StateVerdict::kKeep);
}

TEST(MemoryPolicy, AStateThatWouldOverrunTheShareSpills) {
  EXPECT_EQ(Policy().CheckState(Use(90 * kMiB), 11 * kMiB, 60 * kMiB, 60 * kMiB, true),
            StateVerdict::kSpill);
}

TEST(MemoryPolicy, SmallStatesAreKeptWhileLargerOnesCanSpill) {
  // Over the share, a state is worth spilling from a sixteenth of the share per worker
  // (100 MiB / 32 = 3.125 MiB) on.
  const MemoryPolicy policy = Policy();
  EXPECT_EQ(policy.CheckState(Use(101 * kMiB), 0, 3 * kMiB, 50 * kMiB, true), StateVerdict::kKeep);
  EXPECT_EQ(policy.CheckState(Use(101 * kMiB), 0, 4 * kMiB, 50 * kMiB, true), StateVerdict::kSpill);
}

TEST(MemoryPolicy, UnderASmallShareAQuarterMegabyteIsWorthSpilling) {
  MemoryShares shares = Shares();
  shares.state_bytes = 2 * kMiB;
  const MemoryPolicy policy(shares, 2, true, 1024);
  EXPECT_EQ(policy.CheckState(Use(3 * kMiB), 0, kMiB / 4 - 1, kMiB, true), StateVerdict::kKeep);
  EXPECT_EQ(policy.CheckState(Use(3 * kMiB), 0, kMiB / 4, kMiB, true), StateVerdict::kSpill);
}

TEST(MemoryPolicy, AProcessNearItsLimitSpillsOnlyStatesHoldingHalfAWorkersShare) {
  // 85% of 256 MiB is 217.6 MiB; the states are within their share.
  const MemoryPolicy policy = Policy();
  const MemoryUse near_limit = Use(60 * kMiB, 220 * kMiB);
  EXPECT_EQ(policy.CheckState(near_limit, 0, 24 * kMiB, 60 * kMiB, true), StateVerdict::kKeep);
  EXPECT_EQ(policy.CheckState(near_limit, 0, 25 * kMiB, 60 * kMiB, true), StateVerdict::kSpill);
  EXPECT_EQ(policy.CheckState(Use(60 * kMiB, 217 * kMiB), 0, 25 * kMiB, 60 * kMiB, true),
            StateVerdict::kKeep);
}

TEST(MemoryPolicy, AStateWithoutGroupsHasNothingToSpill) {
  EXPECT_EQ(Policy().CheckState(Use(101 * kMiB), 0, 60 * kMiB, 60 * kMiB, false),
            StateVerdict::kKeep);
}

TEST(MemoryPolicy, WithoutSpillingOtherDaysOnlySlowIntake) {
  // The states are over their share, but this day alone is within it and the process is not
  // at its limit.
  EXPECT_EQ(Policy(false).CheckState(Use(120 * kMiB), 0, 50 * kMiB, 100 * kMiB, true),
            StateVerdict::kKeep);
}

TEST(MemoryPolicy, WithoutSpillingADayOverTheShareIsTooLarge) {
  EXPECT_EQ(Policy(false).CheckState(Use(120 * kMiB), 0, 50 * kMiB, 101 * kMiB, true),
            StateVerdict::kTooLarge);
}

TEST(MemoryPolicy, WithoutSpillingAProcessOverTheLimitIsTooLarge) {
  EXPECT_EQ(Policy(false).CheckState(Use(50 * kMiB, 257 * kMiB), 0, 50 * kMiB, 50 * kMiB, true),
            StateVerdict::kTooLarge);
}

TEST(MemoryPolicy, SlicesAreWholeBatchesOfWhatHalfAWorkersShareHolds) {
  // 100 MiB / (2 x 2 workers x 200 bytes a row) = 131,072 rows: 8 batches.
  EXPECT_EQ(Policy().SliceRows(), 8 * 16 * 1024);
  EXPECT_EQ(Policy().RowsBetweenChecks(/*in_passes=*/true), 8 * 16 * 1024);
  EXPECT_EQ(Policy().RowsBetweenChecks(/*in_passes=*/false), 16 * 1024);
  MemoryShares tiny = Shares();
  tiny.state_bytes = kMiB;
  EXPECT_EQ(MemoryPolicy(tiny, 2, true, 1024).SliceRows(), 16 * 1024);  // at least a batch
}

TEST(MemoryPolicy, SpillPartitionsLetTheWorkersFinishTheirPartitionsWithinTheShare) {
  const MemoryPolicy policy = Policy();
  // A day of 100 MiB read whole: 2 workers x 2 (finishing doubles) x 100 / 100 = 4.
  EXPECT_EQ(policy.SpillPartitions(500'000, 1'000'000, 100 * kMiB), 4u);
  // Three times as large: 12, rounded up to a power of two.
  EXPECT_EQ(policy.SpillPartitions(500'000, 1'000'000, 300 * kMiB), 16u);
  // A quarter of the day read: its size is extrapolated (by at most four times).
  EXPECT_EQ(policy.SpillPartitions(125'000, 1'000'000, 100 * kMiB), 16u);
  EXPECT_EQ(policy.SpillPartitions(1'000, 1'000'000, 100 * kMiB), 16u);
}

TEST(MemoryPolicy, SpillPartitionsStayWithinBounds) {
  EXPECT_EQ(Policy().SpillPartitions(1'000'000, 1'000'000, 1), MemoryPolicy::kMinSpillPartitions);
  EXPECT_EQ(Policy().SpillPartitions(1'000'000, 1'000'000, 100'000 * kMiB),
            MemoryPolicy::kMaxSpillPartitions);
}

TEST(MemoryPolicy, FewOpenFilesMeanFewerPartitions) {
  // 2 workers keep 2 files per partition open, with room for 4 days spilling at once: 16 files
  // a partition. 1,024 files leave 768 usable: 48, so 32. 256 files leave 128: 8.
  EXPECT_EQ(Policy(true, 2, 1024).MaxSpillPartitions(), 32u);
  EXPECT_EQ(Policy(true, 2, 256).MaxSpillPartitions(), 8u);
  EXPECT_EQ(Policy(true, 2, 256).SpillPartitions(1'000'000, 1'000'000, 100'000 * kMiB), 8u);
  EXPECT_EQ(Policy(true, 2, 16).MaxSpillPartitions(), MemoryPolicy::kMinSpillPartitions);
}

TEST(MemoryPolicy, ADayGoesToDiskAtCombineWhenMergingWouldOverrunTheShare) {
  const MemoryPolicy policy = Policy();
  EXPECT_TRUE(policy.SpillsAtCombine(Use(80 * kMiB), 2, 30 * kMiB));
  EXPECT_FALSE(policy.SpillsAtCombine(Use(60 * kMiB), 2, 30 * kMiB));
  // One state needs no merging; without spilling there is no disk to go to.
  EXPECT_FALSE(policy.SpillsAtCombine(Use(80 * kMiB), 1, 30 * kMiB));
  EXPECT_FALSE(Policy(false).SpillsAtCombine(Use(80 * kMiB), 2, 30 * kMiB));
}

TEST(MemoryPolicy, FinalizingAnInMemoryDayHoldsTwiceItsState) {
  EXPECT_EQ(MemoryPolicy::FinalizingBytes(10 * kMiB, /*spilled=*/false), 20 * kMiB);
  EXPECT_EQ(MemoryPolicy::FinalizingBytes(10 * kMiB, /*spilled=*/true), 10 * kMiB);
  EXPECT_EQ(Policy().ExpectedDayBytes(10 * kMiB, /*spilled=*/false), 20 * kMiB);
  // A day that spilled wanted the whole share.
  EXPECT_EQ(Policy().ExpectedDayBytes(10 * kMiB, /*spilled=*/true), 100 * kMiB);
}

TEST(MemoryPolicy, TheFirstDayAlwaysStarts) {
  EXPECT_TRUE(Policy().AdmitsDay(Use(0, 300 * kMiB), 0, 1, 1000 * kMiB));
}

TEST(MemoryPolicy, AnotherDayStartsWhenEveryDayInFlightCanHaveWhatADayNeeded) {
  const MemoryPolicy policy = Policy();
  EXPECT_TRUE(policy.AdmitsDay(Use(10 * kMiB), 2, 3, 33 * kMiB));
  // Three days of 34 MiB overrun 100 MiB, however little the two in flight hold now.
  EXPECT_FALSE(policy.AdmitsDay(Use(10 * kMiB), 2, 3, 34 * kMiB));
  EXPECT_FALSE(policy.AdmitsDay(Use(10 * kMiB), 3, 3, kMiB));  // at most 3 in flight
  EXPECT_FALSE(policy.AdmitsDay(Use(90 * kMiB), 1, 3, 20 * kMiB));
  // The process above three quarters of the limit.
  EXPECT_FALSE(policy.AdmitsDay(Use(10 * kMiB, 193 * kMiB), 1, 3, kMiB));
}

TEST(MemoryPolicy, BeforeAnyDayTheGuessIsFromThePlansLargestDay) {
  RunPlan plan;
  plan.days.resize(2);
  plan.days[0].estimated_rows = 1000;
  plan.days[1].estimated_rows = 3000;
  EXPECT_EQ(MemoryPolicy::GuessedDayBytes(plan), 3000 * 64);
}

TEST(MemoryShares, AGenerousLimitKeepsTheDefaultBatchesAndEveryWorker) {
  const MemoryShares s = ShareMemory(1024 * kMiB, 100 * kMiB, 4, 4, 0, ReadCost{kMiB, 10});
  EXPECT_EQ(s.workers, 4);
  EXPECT_EQ(s.batch_rows, 16 * 1024);
  EXPECT_EQ(s.read_buffer_bytes, 256 * 1024);
  // An eighth of the limit stays free.
  EXPECT_EQ(s.state_bytes, 1024 * kMiB / 8 * 7 - 100 * kMiB - s.reading_bytes - s.writing_bytes);
  EXPECT_EQ(s.writing_bytes, 4 * kWritingBytesPerDay);
}

TEST(MemoryShares, UnderASmallLimitBatchesAndBuffersShrinkFirst) {
  const MemoryShares s = ShareMemory(64 * kMiB, 20 * kMiB, 2, 1, 0, ReadCost{4 * kMiB, 17});
  EXPECT_EQ(s.workers, 2);
  EXPECT_LT(s.batch_rows, 16 * 1024);
  EXPECT_LT(s.read_buffer_bytes, 256 * 1024);
  EXPECT_GE(s.state_bytes, kMinStateBytes);
}

TEST(MemoryShares, ThenFewerWorkersReadAtOnce) {
  const MemoryShares s = ShareMemory(64 * kMiB, 20 * kMiB, 8, 1, 0, ReadCost{8 * kMiB, 17});
  EXPECT_LT(s.workers, 8);
  EXPECT_EQ(s.batch_rows, 4 * 1024);
  EXPECT_EQ(s.read_buffer_bytes, 32 * 1024);
}

TEST(MemoryShares, APreferredBatchSizeIsKept) {
  const MemoryShares s = ShareMemory(64 * kMiB, 20 * kMiB, 2, 1, 50'000, ReadCost{4 * kMiB, 17});
  EXPECT_EQ(s.batch_rows, 50'000);
}

}  // namespace
}  // namespace ocpagg::testing
