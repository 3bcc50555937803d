// Finding a month's files of the summary's input tables in koku's layout (src/ocpagg/source).

#include "ocpagg/source/koku_dataset.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ocpagg/koku/layout.h"
#include "support/process.h"

namespace ocpagg {
namespace {

const std::string kSource = "4dffa412-8024-5c69-9bd5-985d52df9f9b";

class KokuDatasetTest : public ::testing::Test {
 protected:
  // An (empty) file named `name` in the table's partition of October 2025.
  std::string Touch(InputTable t, const std::string& name, const std::string& account = "org1",
                    unsigned month = 10) {
    const KokuTable table = TableOf(t);
    const KokuPartition partition{account, table.type, kSource, 2025, month};
    const std::string dir = PartitionDir(dir_.path(), partition, table.daily);
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/" + name).put('x');
    return dir + "/" + name;
  }

  Result<DatasetFiles> Discover(const std::string& account = "") {
    return DiscoverDataset({dir_.path(), account, kSource, 2025, 10});
  }

  testing::TempDir dir_;
};

TEST_F(KokuDatasetTest, FindsEachTablesFilesOfTheMonthSortedByPath) {
  for (int t = 0; t < kInputTableCount; ++t) Touch(static_cast<InputTable>(t), "b_0.parquet");
  const std::string first = Touch(InputTable::kPodUsageDaily, "a_daily_0.parquet");
  Touch(InputTable::kPodUsageDaily, "notes.txt");
  Touch(InputTable::kPodUsageDaily, "c_daily_0.parquet", "org1", 11);

  auto files = Discover();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->account, "org1");
  for (int t = 0; t < kInputTableCount; ++t) {
    const auto table = static_cast<InputTable>(t);
    EXPECT_EQ(files->of(table).size(), table == InputTable::kPodUsageDaily ? 2u : 1u)
        << InputTableName(table);
  }
  EXPECT_EQ(files->of(InputTable::kPodUsageDaily)[0], first);
}

TEST_F(KokuDatasetTest, ATableWithoutFilesIsNoError) {
  Touch(InputTable::kPodUsageDaily, "a_daily_0.parquet");
  auto files = Discover();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_TRUE(files->of(InputTable::kStorageUsageDaily).empty());
}

TEST_F(KokuDatasetTest, SeveralAccountsNeedOneChosen) {
  Touch(InputTable::kPodUsageDaily, "a_daily_0.parquet", "org1");
  Touch(InputTable::kPodUsageDaily, "a_daily_0.parquet", "org2");
  auto files = Discover();
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(KindOf(files.status()), ErrorKind::kUsage);
  EXPECT_NE(files.status().message().find("several accounts under " +
                                          ParquetRoot(dir_.path(), /*daily=*/true) +
                                          " (org1, org2): choose one with --account"),
            std::string::npos)
      << files.status().ToString();

  auto chosen = Discover("org2");
  ASSERT_TRUE(chosen.ok()) << chosen.status().ToString();
  EXPECT_EQ(chosen->of(InputTable::kPodUsageDaily).size(), 1u);
}

TEST_F(KokuDatasetTest, ARootWithoutDailyDataIsAUsageError) {
  auto files = Discover();
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(KindOf(files.status()), ErrorKind::kUsage);
  EXPECT_NE(files.status().message().find("no koku data under"), std::string::npos);
}

}  // namespace
}  // namespace ocpagg
