// Settings from the YAML file and OCPAGG_* variables (engine/config.h): the file's values, the
// environment over the file, and errors that name the setting.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "ocpagg/engine/config.h"
#include "support/process.h"

namespace ocpagg::testing {
namespace {

std::string WriteConfig(const TempDir& dir, const std::string& text) {
  const std::string path = dir.path() + "/ocpagg.yaml";
  std::ofstream(path) << text;
  return path;
}

TEST(EngineConfig, PerformanceSectionFillsTheOptions) {
  TempDir tmp;
  auto config = LoadConfigFile(WriteConfig(tmp, R"(performance:
  threads: 3
  memory_limit: 128MB
  mode: serial
  batch_rows: 8192
  spill: false
  spill_dir: /var/tmp/ocpagg
  max_state_memory: 32MB
)"));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  PerformanceOptions perf;
  ApplyPerformance(*config, perf);
  EXPECT_EQ(perf.threads, 3);
  EXPECT_EQ(perf.memory_limit_bytes, int64_t{128} << 20);
  EXPECT_EQ(perf.mode, ExecutionMode::kSerial);
  EXPECT_EQ(perf.batch_rows, 8192);
  EXPECT_FALSE(perf.spill);
  EXPECT_EQ(perf.spill_dir, "/var/tmp/ocpagg");
  EXPECT_EQ(perf.max_state_bytes, int64_t{32} << 20);
}

TEST(EngineConfig, EnvironmentOverridesTheFile) {
  TempDir tmp;
  auto config =
      LoadConfigFile(WriteConfig(tmp, "performance:\n  spill: false\n  batch_rows: 10\n"));
  ASSERT_TRUE(config.ok());
  setenv("OCPAGG_SPILL", "true", 1);
  setenv("OCPAGG_BATCH_ROWS", "4096", 1);
  setenv("OCPAGG_MAX_STATE_MEMORY", "1GB", 1);
  Status st = ApplyEnvironment(*config);
  unsetenv("OCPAGG_SPILL");
  unsetenv("OCPAGG_BATCH_ROWS");
  unsetenv("OCPAGG_MAX_STATE_MEMORY");
  ASSERT_TRUE(st.ok()) << st.ToString();
  PerformanceOptions perf;
  ApplyPerformance(*config, perf);
  EXPECT_TRUE(perf.spill);
  EXPECT_EQ(perf.batch_rows, 4096);
  EXPECT_EQ(perf.max_state_bytes, int64_t{1} << 30);
}

TEST(EngineConfig, UnknownSettingIsAUsageErrorNamingIt) {
  TempDir tmp;
  auto config = LoadConfigFile(WriteConfig(tmp, "performance:\n  spil: false\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(KindOf(config.status()), ErrorKind::kUsage);
  EXPECT_NE(config.status().message().find("spil"), std::string::npos);
}

TEST(EngineConfig, MalformedSpillSwitchInTheEnvironmentIsAUsageError) {
  Config config;
  setenv("OCPAGG_SPILL", "maybe", 1);
  Status st = ApplyEnvironment(config);
  unsetenv("OCPAGG_SPILL");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(KindOf(st), ErrorKind::kUsage);
  EXPECT_NE(st.message().find("OCPAGG_SPILL"), std::string::npos);
}

}  // namespace
}  // namespace ocpagg::testing
