#pragma once
// The SummaryTarget used when no database is given: settings from files, rows to
// SummaryFilesWriter, node roles kept in an optional YAML state file that plays the part of
// reporting_ocp_nodes (so roles stay sticky across runs, docs/semantics.md "Node roles").

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/engine/summary_target.h"
#include "ocpagg/sink/summary_files.h"

namespace ocpagg {

struct FilesTargetOptions {
  SummaryFilesOptions files;
  std::vector<std::string> enabled_keys;
  std::optional<std::vector<CostCategoryPattern>> cost_categories;  // default: koku's
  int32_t report_period_id = 0;                                     // 0: NULL in the output
  std::string cluster_id;        // the cluster whose node rows the state file updates
  std::string nodes_state_file;  // empty: roles computed from this run's data only
};

class FilesTarget : public SummaryTarget {
 public:
  explicit FilesTarget(FilesTargetOptions options);
  ~FilesTarget() override;

  Result<SummarySettings> LoadSettings(Compat compat) override;
  Result<int32_t> ReportPeriodId(Date month_start) override;
  Result<NodeRoleTable> ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) override;
  Status BeginRows(const RunIdentity& identity, Date start, Date end) override;
  Status WriteRows(Date day, std::span<const SummaryRow> rows) override;
  Status EndDay(Date day) override;
  bool IndependentDays() const override { return true; }  // one file per day
  Status Commit() override;

  const SummaryFilesWriter* writer() const { return writer_.get(); }

 private:
  struct StateRow {
    std::string cluster_id;
    StoredNode node;
  };
  Status LoadState();
  Status SaveState() const;

  FilesTargetOptions options_;
  std::vector<StateRow> state_;
  bool state_dirty_ = false;
  std::unique_ptr<SummaryFilesWriter> writer_;
};

// Reads enabled tag keys: one per line, '#' starts a comment, blank lines ignored.
Result<std::vector<std::string>> ReadEnabledKeysFile(const std::string& path);
// Reads cost-category patterns: lines "ID,PATTERN" ('#' comments); the pattern is the rest of
// the line after the first comma (it may contain spaces).
Result<std::vector<CostCategoryPattern>> ReadCostCategoriesFile(const std::string& path);

}  // namespace ocpagg
