#include "cli/commands.h"

namespace ocpagg::cli {

void AddSummarizeCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("summarize", "Build reporting_ocpusagelineitem_daily_summary rows");
  cmd->callback([exit_code] { *exit_code = ReportError(arrow::Status::NotImplemented("summarize")); });
}

}  // namespace ocpagg::cli
