#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "ocpagg/generate/dataset_generator.h"

namespace ocpagg::cli {

void AddGenerateCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<GenerateOptions>();
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "generate",
      "Write synthetic koku-layout Parquet (hourly and daily pod usage, storage, node and "
      "namespace labels) at a chosen scale, for benchmarks and tests");
  cmd->add_option("--output", o->output_dir, "Directory that receives data/parquet/...")
      ->required();
  cmd->add_option("--pod-hour-rows", o->pod_hour_rows,
                  "Hourly pod-usage rows to write (rounded to whole pods x hours)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->seed, "Seed: the same seed gives the same files")
      ->capture_default_str();
  cmd->add_option("--source", o->source_uuid, "Source UUID of the data")->capture_default_str();
  cmd->add_option("--account", o->account, "Account folder under data/parquet")
      ->capture_default_str();
  cmd->add_option("--year", o->year, "Year")->capture_default_str();
  cmd->add_option("--month", o->month, "Month (1-12)")
      ->capture_default_str()
      ->check(CLI::Range(1, 12));
  cmd->add_option("--days", o->days, "Days of the month to cover (default: all)");
  cmd->add_option("--chunk-rows", o->chunk_rows,
                  "Rows per hourly file; each hourly file gets a daily partial-aggregate twin")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--scramble-rows", o->scramble_rows,
                "Write the hourly rows in a scrambled order, so that every file holds rows of "
                "many days in no order (input not split by day)");
  cmd->add_option("--pods-per-node", o->pods_per_node, "Pods per node")->capture_default_str();
  cmd->add_option("--pods-per-namespace", o->pods_per_namespace, "Pods per namespace")
      ->capture_default_str();
  cmd->add_option("--label-sets", o->label_sets, "Distinct pod label sets")->capture_default_str();
  cmd->add_option("--pods-per-claim", o->pods_per_claim,
                  "One storage claim per this many pods (every 10th claim shared by two pods)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--quiet,-q", *quiet, "Print nothing on success");
  cmd->callback([o, quiet, exit_code] {
    auto t0 = std::chrono::steady_clock::now();
    auto r = GenerateDataset(*o);
    if (!r.ok()) {
      *exit_code = ReportError(r.status());
      return;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!*quiet) {
      fmt::print(
          "generated {} pod-hour rows ({} daily pod rows, {} daily storage rows) for {} pods on {} "
          "nodes in {} namespaces, {} claims\n  {} files, {:.1f} MB under {}/data in {:.1f}s "
          "({:.0f} rows/s)\n",
          r->pod_hour_rows, r->pod_daily_rows, r->storage_daily_rows, r->pods, r->nodes,
          r->namespaces, r->claims, r->files, r->bytes / 1e6, o->output_dir, s,
          r->pod_hour_rows / s);
    }
    *exit_code = 0;
  });
}

}  // namespace ocpagg::cli
