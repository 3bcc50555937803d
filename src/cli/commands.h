#pragma once
// Each subcommand of `ocpagg` lives in its own file and registers itself on the app. The
// callback it installs runs the command and stores the process exit code in *exit_code.

#include <arrow/status.h>
#include <CLI/CLI.hpp>

#include "ocpagg/common/stop_token.h"
#include "ocpagg/run/s3_request.h"

namespace ocpagg::cli {

void AddIngestCommand(CLI::App& app, int* exit_code);
void AddSummarizeCommand(CLI::App& app, int* exit_code);
void AddGenerateCommand(CLI::App& app, int* exit_code);

// The --s3-* options of a command that reads or writes s3:// paths.
void AddS3Options(CLI::App& cmd, S3Request& request);

// The stop token of this process: SIGINT and SIGTERM request a stop through it.
StopToken& ProcessStopToken();

// Prints an error the way every command does ("ocpagg: error: ...") and returns its exit code
// (128 + the signal for a run stopped by SIGINT or SIGTERM).
int ReportError(const arrow::Status& status);

}  // namespace ocpagg::cli
