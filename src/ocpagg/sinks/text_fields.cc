#include "ocpagg/sinks/text_fields.h"

#include <charconv>

namespace ocpagg {

bool SplitCsvRecords(std::string_view text, std::vector<std::vector<CsvField>>& records) {
  std::vector<CsvField> record;
  CsvField field;
  bool in_quotes = false, any = false;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field = CsvField{};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c != '"') {
        field.text.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field.text.push_back('"');
        ++i;
      } else {
        in_quotes = false;
      }
      continue;
    }
    any = true;
    if (c == '"') {
      in_quotes = field.quoted = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n') {
      end_field();
      records.push_back(std::move(record));
      record.clear();
      any = false;
    } else if (c != '\r') {
      field.text.push_back(c);
    }
  }
  if (in_quotes) return false;
  if (any) {
    end_field();
    records.push_back(std::move(record));
  }
  return true;
}

void AppendCsvField(std::string& out, std::string_view value) {
  bool quote = value.empty() || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCopyField(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

void AppendShortestDouble(std::string& out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

void AppendInteger(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, end);
}

}  // namespace ocpagg
