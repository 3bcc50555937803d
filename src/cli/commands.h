#pragma once
// Each subcommand of `ocpagg` lives in its own file and registers itself on the app. The
// callback it installs runs the command and stores the process exit code in *exit_code.

#include <arrow/status.h>
#include <CLI/CLI.hpp>

namespace ocpagg::cli {

void AddIngestCommand(CLI::App& app, int* exit_code);
void AddSummarizeCommand(CLI::App& app, int* exit_code);
void AddGenerateCommand(CLI::App& app, int* exit_code);

// Prints an error the way every command does ("ocpagg: error: ...") and returns its exit code.
int ReportError(const arrow::Status& status);

}  // namespace ocpagg::cli
