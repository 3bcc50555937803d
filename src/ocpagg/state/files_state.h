#pragma once
// koku's state without a database: enabled keys and cost categories as given (from the config
// or the files read below), a fixed report period id (0: NULL), and node roles kept in an
// optional YAML state file that plays the part of reporting_ocp_nodes, so that roles stay
// sticky across runs (docs/semantics.md "Node roles").

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ocpagg/engine/koku_state.h"

namespace ocpagg {

struct FilesStateOptions {
  std::vector<std::string> enabled_keys;
  std::optional<std::vector<CostCategoryPattern>> cost_categories;  // default: koku's
  int32_t report_period_id = 0;                                     // 0: NULL in the output
  std::string cluster_id;        // the cluster whose node rows the state file updates
  std::string nodes_state_file;  // empty: roles computed from this run's data only
};

class FilesState : public KokuState {
 public:
  explicit FilesState(FilesStateOptions options);
  ~FilesState() override;

  Result<SummarySettings> LoadSettings(Compat compat) override;
  Result<int32_t> ReportPeriodId(Date month_start) override;
  Result<NodeRoleTable> ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) override;
  // Writes the nodes state file when this run changed it.
  Status Commit() override;

 private:
  struct StateRow {
    std::string cluster_id;
    StoredNode node;
  };
  Status LoadState();
  Status SaveState() const;

  FilesStateOptions options_;
  std::vector<StateRow> state_;
  bool state_dirty_ = false;
};

// Reads enabled tag keys: one per line, '#' starts a comment, blank lines ignored.
Result<std::vector<std::string>> ReadEnabledKeysFile(const std::string& path);
// Reads cost-category patterns: lines "ID,PATTERN" ('#' comments); the pattern is the rest of
// the line after the first comma (it may contain spaces).
Result<std::vector<CostCategoryPattern>> ReadCostCategoriesFile(const std::string& path);

}  // namespace ocpagg
