#include "cli/commands.h"

namespace ocpagg::cli {

void AddIngestCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("ingest", "Convert an operator CSV payload into koku's Parquet layout");
  cmd->callback([exit_code] { *exit_code = ReportError(arrow::Status::NotImplemented("ingest")); });
}

}  // namespace ocpagg::cli
