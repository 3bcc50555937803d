#pragma once
// The operator's label strings ("label_app:foo|label_tier:bar") and the JSON text koku stores
// for them (koku's process_openshift_labels_to_json, docs/semantics.md "Cell conversions").

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ocpagg {

// One label key and value, in the order koku's dict keeps them.
using OperatorLabel = std::pair<std::string, std::string>;

// Parses an operator label string the way koku does: parts split on '|'; a part without ':' or
// with a second ':' is skipped; every "label_" in a key is removed; a later duplicate key
// overwrites the value but keeps the first key's position (Python dict). Empty input gives {}.
std::vector<OperatorLabel> ParseOperatorLabels(std::string_view operator_labels);

// koku's json.dumps of the parsed labels: '{"a": "x", "b": "y"}' (", " and ": " separators,
// insertion order, non-ASCII and control characters as \uXXXX escapes), "{}" when empty.
std::string OperatorLabelsToJson(std::string_view operator_labels);

// Same as OperatorLabelsToJson, appending to *out.
void AppendOperatorLabelsJson(std::string_view operator_labels, std::string* out);

// Appends `utf8` as a JSON string literal with Python's ensure_ascii escaping (lowercase hex,
// surrogate pairs above U+FFFF). Bytes that are not valid UTF-8 are written as \ufffd.
void AppendPythonJsonString(std::string_view utf8, std::string* out);

}  // namespace ocpagg
