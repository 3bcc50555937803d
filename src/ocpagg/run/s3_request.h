#pragma once
// The S3 options of `ocpagg summarize` and `ocpagg ingest` (--s3-endpoint: s3_endpoint), shared
// by both requests, and the settings a run gets from them. The precedence, first wins: the
// options, the OCPAGG_S3_* environment, the --config file's s3: section, the s3:// URI's own
// parameters, the standard AWS_* variables (common/storage.h), the defaults.

#include <string>

#include "ocpagg/common/status.h"
#include "ocpagg/common/storage.h"
#include "ocpagg/engine/config.h"

namespace ocpagg {

struct S3Request {
  std::string s3_endpoint;  // host:port or http(s)://host:port
  std::string s3_region;
  std::string s3_access_key, s3_secret_key;
  std::string s3_addressing;  // path | virtual
  std::string s3_scheme;      // http | https
};

// The S3 settings of a run from `request` over `config` (its file with the environment applied).
Result<S3Settings> S3SettingsFor(const S3Request& request, const Config& config);

}  // namespace ocpagg
