#include "ocpagg/state/files_state.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>

namespace ocpagg {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

template <typename Fn>
Status ForEachLine(const std::string& path, Fn&& fn) {
  std::ifstream in(path);
  if (!in) return UsageError("cannot read {}", path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view s = Trim(line);
    if (s.empty() || s.front() == '#') continue;
    ARROW_RETURN_NOT_OK(fn(s, number));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<std::string>> ReadEnabledKeysFile(const std::string& path) {
  std::vector<std::string> keys;
  ARROW_RETURN_NOT_OK(ForEachLine(path, [&](std::string_view s, int) {
    keys.emplace_back(s);
    return Status::OK();
  }));
  return keys;
}

Result<std::vector<CostCategoryPattern>> ReadCostCategoriesFile(const std::string& path) {
  std::vector<CostCategoryPattern> out;
  ARROW_RETURN_NOT_OK(ForEachLine(path, [&](std::string_view s, int number) -> Status {
    auto comma = s.find(',');
    int32_t id = 0;
    std::string_view id_text = comma == std::string_view::npos ? s : Trim(s.substr(0, comma));
    auto [p, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (comma == std::string_view::npos || ec != std::errc() ||
        p != id_text.data() + id_text.size()) {
      return UsageError("{} line {}: expected 'ID,PATTERN', got '{}'", path, number, s);
    }
    out.push_back({std::string(s.substr(comma + 1)), id});
    return Status::OK();
  }));
  return out;
}

FilesState::FilesState(FilesStateOptions options) : options_(std::move(options)) {}
FilesState::~FilesState() = default;

Result<SummarySettings> FilesState::LoadSettings(Compat compat) {
  SummarySettings settings;
  settings.compat = compat;
  settings.enabled_keys = options_.enabled_keys;
  if (options_.cost_categories) settings.cost_categories = *options_.cost_categories;
  return settings;
}

Result<int32_t> FilesState::ReportPeriodId(Date) { return options_.report_period_id; }

Status FilesState::LoadState() {
  state_.clear();
  if (options_.nodes_state_file.empty() || !std::filesystem::exists(options_.nodes_state_file)) {
    return Status::OK();
  }
  try {
    YAML::Node root = YAML::LoadFile(options_.nodes_state_file);
    for (const auto& n : root["nodes"]) {
      StateRow row;
      row.cluster_id = n["cluster_id"].as<std::string>();
      row.node.node = n["node"].as<std::string>();
      row.node.resource_id = n["resource_id"].as<std::string>();
      if (n["node_capacity_cpu_cores"] && !n["node_capacity_cpu_cores"].IsNull()) {
        row.node.node_capacity_cpu_cores = n["node_capacity_cpu_cores"].as<double>();
      }
      if (n["node_role"] && !n["node_role"].IsNull()) {
        row.node.node_role = n["node_role"].as<std::string>();
      }
      if (n["architecture"] && !n["architecture"].IsNull()) {
        row.node.architecture = n["architecture"].as<std::string>();
      }
      state_.push_back(std::move(row));
    }
  } catch (const YAML::Exception& e) {
    return UsageError("{}: not a nodes state file ({})", options_.nodes_state_file, e.what());
  }
  return Status::OK();
}

Status FilesState::SaveState() const {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
  auto opt = [&](const auto& v) {
    if (v) {
      out << *v;
    } else {
      out << YAML::Null;
    }
  };
  for (const auto& row : state_) {
    out << YAML::BeginMap;
    out << YAML::Key << "cluster_id" << YAML::Value << row.cluster_id;
    out << YAML::Key << "node" << YAML::Value << row.node.node;
    out << YAML::Key << "resource_id" << YAML::Value << row.node.resource_id;
    out << YAML::Key << "node_capacity_cpu_cores" << YAML::Value;
    opt(row.node.node_capacity_cpu_cores);
    out << YAML::Key << "node_role" << YAML::Value;
    opt(row.node.node_role);
    out << YAML::Key << "architecture" << YAML::Value;
    opt(row.node.architecture);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  std::string tmp = options_.nodes_state_file + ".tmp";
  {
    std::ofstream f(tmp);
    f << "# reporting_ocp_nodes kept by ocpagg summarize (sticky node roles)\n"
      << out.c_str() << "\n";
    if (!f) return SinkError("cannot write {}", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options_.nodes_state_file, ec);
  if (ec) return SinkError("cannot write {}: {}", options_.nodes_state_file, ec.message());
  return Status::OK();
}

Result<NodeRoleTable> FilesState::ResolveNodeRoles(std::span<const NodeInventoryRow> inventory) {
  ARROW_RETURN_NOT_OK(LoadState());
  std::vector<StoredNode> cluster_nodes;
  std::vector<StateRow> others;
  for (auto& row : state_) {
    if (row.cluster_id == options_.cluster_id) {
      cluster_nodes.push_back(std::move(row.node));
    } else {
      others.push_back(std::move(row));
    }
  }
  ApplyNodeInventory(cluster_nodes, inventory);
  state_ = std::move(others);
  for (auto& n : cluster_nodes) {
    if (n.is_new || n.changed) state_dirty_ = true;
    n.is_new = n.changed = false;
    state_.push_back({options_.cluster_id, std::move(n)});
  }
  NodeRoleTable roles;
  for (const auto& row : state_) {
    roles.Add(NodeRoleRow{row.node.node, row.node.resource_id, row.node.node_role});
  }
  return roles;
}

Status FilesState::Commit() {
  if (state_dirty_ && !options_.nodes_state_file.empty()) ARROW_RETURN_NOT_OK(SaveState());
  state_dirty_ = false;
  return Status::OK();
}

}  // namespace ocpagg
