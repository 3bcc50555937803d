#include "ocpagg/run/s3_request.h"

namespace ocpagg {

Result<S3Settings> S3SettingsFor(const S3Request& r, const Config& config) {
  S3Settings s;
  s.endpoint = r.s3_endpoint;
  s.region = r.s3_region;
  s.access_key = r.s3_access_key;
  s.secret_key = r.s3_secret_key;
  s.scheme = r.s3_scheme;
  if (!r.s3_addressing.empty()) {
    ARROW_ASSIGN_OR_RAISE(s.path_style, ParseS3Addressing(r.s3_addressing, "--s3-addressing"));
  }
  s.FillFrom(config.s3);
  return s;
}

}  // namespace ocpagg
