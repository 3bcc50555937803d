#pragma once
// Each subcommand of `ocpagg` lives in its own file and registers itself on the app. The
// callback it installs runs the command and stores the process exit code in *exit_code.

#include <arrow/status.h>
#include <CLI/CLI.hpp>

#include "ocpagg/common/stop_token.h"

namespace ocpagg::cli {

void AddIngestCommand(CLI::App& app, int* exit_code);
void AddSummarizeCommand(CLI::App& app, int* exit_code);
void AddGenerateCommand(CLI::App& app, int* exit_code);

// The stop token of this process: SIGINT and SIGTERM request a stop through it.
StopToken& ProcessStopToken();

// Prints an error the way every command does ("ocpagg: error: ...") and returns its exit code
// (128 + the signal for a run stopped by SIGINT or SIGTERM).
int ReportError(const arrow::Status& status);

}  // namespace ocpagg::cli
