#include "cli/commands.h"

namespace ocpagg::cli {

void AddS3Options(CLI::App& cmd, S3Request& request) {
  const std::string group = "S3 (for s3://bucket/prefix paths; see the README's S3 section)";
  cmd.add_option("--s3-endpoint", request.s3_endpoint,
                 "S3 endpoint, host:port or http(s)://host:port (default: $OCPAGG_S3_ENDPOINT, "
                 "the config's s3.endpoint, the URI's endpoint_override, $AWS_ENDPOINT_URL_S3, "
                 "$AWS_ENDPOINT_URL, else AWS)")
      ->group(group);
  cmd.add_option("--s3-region", request.s3_region,
                 "S3 region (default: $OCPAGG_S3_REGION, s3.region, the URI's region, "
                 "$AWS_REGION, $AWS_DEFAULT_REGION; us-east-1 with an endpoint, else the "
                 "bucket's)")
      ->group(group);
  cmd.add_option("--s3-access-key", request.s3_access_key,
                 "S3 access key (default: $OCPAGG_S3_ACCESS_KEY, s3.access_key, the URI's user, "
                 "$AWS_ACCESS_KEY_ID, else the AWS credential chain)")
      ->group(group);
  cmd.add_option("--s3-secret-key", request.s3_secret_key,
                 "S3 secret key (default: $OCPAGG_S3_SECRET_KEY, s3.secret_key, the URI's "
                 "password, $AWS_SECRET_ACCESS_KEY)")
      ->group(group);
  cmd.add_option("--s3-addressing", request.s3_addressing,
                 "path (http://endpoint/bucket/key, default) or virtual "
                 "(http://bucket.endpoint/key); AWS's own endpoint is always virtual")
      ->check(CLI::IsMember({"path", "virtual"}))
      ->group(group);
  cmd.add_option("--s3-scheme", request.s3_scheme,
                 "http or https (default: the endpoint URL's scheme, else https)")
      ->check(CLI::IsMember({"http", "https"}))
      ->group(group);
}

}  // namespace ocpagg::cli
