#pragma once
// The typed rows of the tables beside the summary (ClusterRow, PvcRow, LabelSummaryRow, ...) to
// and from the plain rows writers and readers handle (koku/table_columns.h).

#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/table_columns.h"

namespace ocpagg {

template <typename Row>
Result<std::vector<Row>> FromTableRows(const std::vector<TableRow>& rows) {
  std::vector<Row> out;
  out.reserve(rows.size());
  for (const TableRow& row : rows) {
    ARROW_ASSIGN_OR_RAISE(Row r, Row::FromTableRow(row));
    out.push_back(std::move(r));
  }
  return out;
}

// `args`: what the row type's ToTableRow takes besides the row (the cluster, for PVCs and
// projects).
template <typename Row, typename... Args>
std::vector<TableRow> ToTableRows(const std::vector<Row>& rows, const Args&... args) {
  std::vector<TableRow> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(r.ToTableRow(args...));
  return out;
}

}  // namespace ocpagg
