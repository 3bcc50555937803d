#pragma once
// The operator's manifest.json, the fields koku's Manifest model reads
// (masu/util/ocp/common.py) and what they decide for the ingest (docs/semantics.md "Operator
// reports").

#include <string>
#include <string_view>
#include <vector>

#include "ocpagg/common/status.h"
#include "ocpagg/koku/date.h"

namespace ocpagg {

struct PayloadManifest {
  std::string uuid;
  std::string cluster_id;
  std::string version;  // operator version; koku's operator_version is non-empty iff this is
  Date date = 0;        // the calendar date written in "date" (its offset is not applied)
  bool daily_reports = false;
  std::vector<std::string> files;  // CSV report names, in koku's processing order

  // kafka_msg_handler.create_daily_archives: a versioned operator that does not send daily
  // reports sends cumulative files, which stay whole and are dated `date`; every other
  // payload (daily reports, or a pre-versioning operator) is split per day of interval_start.
  bool SplitsFilesPerDay() const { return daily_reports || version.empty(); }
};

// Parses manifest.json text. `where` names the file in error messages. Fails (bad input) on
// invalid JSON, a missing uuid, cluster_id or date, or a file name that is not a plain name.
Result<PayloadManifest> ParseManifest(std::string_view json_text, std::string_view where);

}  // namespace ocpagg
