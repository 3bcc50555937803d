// The operator's label strings ("label_app:foo|label_tier:bar", a cell of every *_labels
// column) through koku's parsing and JSON encoding (src/ocpagg/koku/operator_labels.h).
// Beyond not crashing, the JSON must be what the summary and PostgreSQL can read back: ASCII
// only, a JSON object with one member per parsed label, and for valid UTF-8 keys and values
// exactly those strings again once decoded.

#include <simdjson.h>

#include <string>

#include "fuzz_common.h"
#include "ocpagg/koku/operator_labels.h"

using namespace ocpagg;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  const auto labels = ParseOperatorLabels(text);
  for (size_t i = 0; i < labels.size(); ++i) {
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(labels[i].first != labels[j].first);
  }

  const std::string json = OperatorLabelsToJson(text);
  for (char c : json) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
  std::string appended = "x";
  AppendOperatorLabelsJson(text, &appended);
  FUZZ_CHECK(appended.substr(1) == json);

  simdjson::dom::parser parser;
  simdjson::dom::object object;
  FUZZ_CHECK(parser.parse(json).get_object().get(object) == simdjson::SUCCESS);
  size_t members = 0;
  for (auto [key, value] : object) {
    FUZZ_CHECK(members < labels.size());
    const auto& [want_key, want_value] = labels[members++];
    std::string_view decoded;
    FUZZ_CHECK(value.get_string().get(decoded) == simdjson::SUCCESS);
    // Invalid UTF-8 is written as U+FFFD, so only valid strings come back unchanged.
    if (simdjson::validate_utf8(want_key)) FUZZ_CHECK(key == want_key);
    if (simdjson::validate_utf8(want_value)) FUZZ_CHECK(decoded == want_value);
  }
  FUZZ_CHECK(members == labels.size());
  return 0;
}
