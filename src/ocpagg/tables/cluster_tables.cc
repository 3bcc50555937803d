#include "ocpagg/tables/cluster_tables.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>

namespace ocpagg {

TableRow ClusterRow::ToTableRow() const {
  return {TextCell(uuid), cluster_id, TextCell(cluster_alias), provider_id};
}

Result<ClusterRow> ClusterRow::FromTableRow(const TableRow& row) {
  ARROW_RETURN_NOT_OK(CheckRowShape(row, ReportingTable::kClusters));
  return ClusterRow{CellText(row[0]), CellText(row[1]).value_or(""), CellText(row[2]),
                    CellText(row[3]).value_or("")};
}

ClusterUpsert UpsertCluster(std::vector<ClusterRow>& rows, std::string_view cluster_id,
                            const std::optional<std::string>& cluster_alias,
                            std::string_view provider_id) {
  ClusterUpsert result;
  if (rows.size() > 1) {
    // clusters.exclude(cluster_alias=alias).delete(): a NULL alias differs from any text.
    std::vector<ClusterRow> kept;
    for (ClusterRow& r : rows) {
      if (r.cluster_alias == cluster_alias) {
        kept.push_back(std::move(r));
      } else if (r.uuid) {
        result.deleted.push_back(*r.uuid);
      }
    }
    rows = std::move(kept);
  }
  if (rows.empty()) {
    rows.push_back(
        ClusterRow{std::nullopt, std::string(cluster_id), cluster_alias, std::string(provider_id)});
    result.created = true;
    return result;
  }
  if (rows.front().cluster_alias != cluster_alias) {
    rows.front().cluster_alias = cluster_alias;
    result.alias_changed = true;
  }
  return result;
}

TableRow PvcRow::ToTableRow(const std::string& cluster) const {
  return {TextCell(uuid), persistent_volume_claim, persistent_volume, cluster,
          TextCell(csi_volume_handle)};
}

Result<PvcRow> PvcRow::FromTableRow(const TableRow& row) {
  ARROW_RETURN_NOT_OK(CheckRowShape(row, ReportingTable::kPvcs));
  return PvcRow{CellText(row[0]), CellText(row[1]).value_or(""), CellText(row[2]).value_or(""),
                CellText(row[4])};
}

TableRow ProjectRow::ToTableRow(const std::string& cluster) const {
  return {TextCell(uuid), project, cluster};
}

Result<ProjectRow> ProjectRow::FromTableRow(const TableRow& row) {
  ARROW_RETURN_NOT_OK(CheckRowShape(row, ReportingTable::kProjects));
  return ProjectRow{CellText(row[0]), CellText(row[1]).value_or("")};
}

void RunPvcs::Add(const SummaryRow& row) {
  if (row.data_source != DataSource::kStorage) return;
  seen_.insert({strings_.Intern(row.persistentvolume), strings_.Intern(row.persistentvolumeclaim),
                strings_.Intern(row.csi_volume_handle)});
}

std::vector<PvcRow> RunPvcs::Found() const {
  std::vector<PvcRow> out;
  for (const auto& [volume, claim, handle] : seen_) {
    if (volume == kNullString || claim == kNullString) continue;
    out.push_back(
        PvcRow{std::nullopt, *strings_.Copy(claim), *strings_.Copy(volume), strings_.Copy(handle)});
  }
  std::sort(out.begin(), out.end(), [](const PvcRow& a, const PvcRow& b) {
    if (a.persistent_volume != b.persistent_volume) {
      return a.persistent_volume < b.persistent_volume;
    }
    if (a.persistent_volume_claim != b.persistent_volume_claim) {
      return a.persistent_volume_claim < b.persistent_volume_claim;
    }
    return LessNullsLast(a.csi_volume_handle, b.csi_volume_handle);
  });
  return out;
}

void UpsertPvcs(std::vector<PvcRow>& rows, std::span<const PvcRow> found) {
  // (volume, claim) -> the first row holding it: Django's filter(...).first().
  absl::flat_hash_map<std::pair<std::string, std::string>, size_t> index;
  for (size_t i = 0; i < rows.size(); ++i) {
    index.try_emplace({rows[i].persistent_volume, rows[i].persistent_volume_claim}, i);
  }
  for (const PvcRow& f : found) {
    auto [it, inserted] =
        index.try_emplace({f.persistent_volume, f.persistent_volume_claim}, rows.size());
    if (inserted) {
      rows.push_back(f);
      rows.back().uuid.reset();
      continue;
    }
    PvcRow& known = rows[it->second];
    if (!known.csi_volume_handle || known.csi_volume_handle->empty()) {
      known.csi_volume_handle = f.csi_volume_handle;
    }
  }
}

void UpsertProjects(std::vector<ProjectRow>& rows, std::span<const std::string> namespaces) {
  absl::flat_hash_set<std::string> known;
  for (const ProjectRow& r : rows) known.insert(r.project);
  for (const std::string& ns : namespaces) {
    if (known.insert(ns).second) rows.push_back(ProjectRow{std::nullopt, ns});
  }
}

}  // namespace ocpagg
