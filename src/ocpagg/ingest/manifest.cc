#include "ocpagg/ingest/manifest.h"

#include <simdjson.h>

namespace ocpagg {
namespace {

// koku validates file names as single safe path components (validate_safe_path_component).
bool IsSafeFileName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\\') == std::string_view::npos && name.find("..") == std::string_view::npos;
}

// The date part of an ISO 8601 datetime ("2025-10-01T00:00:00.000000+00:00").
std::optional<Date> DateOfIsoDatetime(std::string_view text) {
  if (text.size() > 10 && text[10] != 'T' && text[10] != 't' && text[10] != ' ') {
    return std::nullopt;
  }
  return ParseDate(text.substr(0, 10));
}

}  // namespace

Result<PayloadManifest> ParseManifest(std::string_view json_text, std::string_view where) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json_text);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error) {
    return BadInput("{}: not valid JSON: {}", where, simdjson::error_message(error));
  }
  if (!root.is_object()) return BadInput("{}: expected a JSON object", where);
  PayloadManifest m;
  auto required_string = [&](const char* key, std::string* out) -> Status {
    std::string_view value;
    if (root[key].get_string().get(value) != simdjson::SUCCESS) {
      return BadInput("{}: \"{}\" is missing or not a string", where, key);
    }
    out->assign(value);
    return Status::OK();
  };
  ARROW_RETURN_NOT_OK(required_string("uuid", &m.uuid));
  ARROW_RETURN_NOT_OK(required_string("cluster_id", &m.cluster_id));
  std::string date_text;
  ARROW_RETURN_NOT_OK(required_string("date", &date_text));
  auto date = DateOfIsoDatetime(date_text);
  if (!date) {
    return BadInput(
        "{}: \"date\" is '{}', expected an ISO 8601 datetime such as "
        "2025-10-01T00:00:00+00:00",
        where, date_text);
  }
  m.date = *date;

  std::string_view version;
  if (root["version"].get_string().get(version) == simdjson::SUCCESS) m.version = version;
  bool daily = false;
  if (root["daily_reports"].get_bool().get(daily) == simdjson::SUCCESS) m.daily_reports = daily;

  simdjson::dom::element files;
  if (root["files"].get(files) == simdjson::SUCCESS && !files.is_null()) {
    simdjson::dom::array list;
    if (files.get_array().get(list) != simdjson::SUCCESS) {
      return BadInput("{}: \"files\" is not a list", where);
    }
    for (simdjson::dom::element f : list) {
      std::string_view name;
      if (f.get_string().get(name) != simdjson::SUCCESS || !IsSafeFileName(name)) {
        return BadInput("{}: \"files\" holds {}, expected plain file names", where,
                        simdjson::to_string(f));
      }
      m.files.emplace_back(name);
    }
  }
  return m;
}

}  // namespace ocpagg
