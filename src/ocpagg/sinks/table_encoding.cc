#include "ocpagg/sinks/table_encoding.h"

#include <cctype>
#include <charconv>

#include "ocpagg/pg/numeric_text.h"
#include "ocpagg/sinks/text_fields.h"

namespace ocpagg {
namespace {

bool IsNullWord(std::string_view s) {
  if (s.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != "null"[i]) return false;
  }
  return true;
}

// array_out quotes an element that is empty, reads as NULL, or holds a delimiter, brace, quote,
// backslash or white space.
bool NeedsQuotes(std::string_view s) {
  if (s.empty() || IsNullWord(s)) return true;
  for (char c : s) {
    if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' ||
        std::isspace(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

// `text` as a number, all of it; nullopt otherwise.
template <typename T>
std::optional<T> ParseWhole(std::string_view text) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

// A cell as text, for either format; false for NULL.
bool CellText(const TableColumn& col, const Cell& cell, std::string& text) {
  text.clear();
  if (std::holds_alternative<std::monostate>(cell)) return false;
  switch (col.type) {
    case CellType::kUuid:
    case CellType::kText:
    case CellType::kJson:
      text = std::get<std::string>(cell);
      break;
    case CellType::kInteger:
      AppendInteger(text, std::get<int64_t>(cell));
      break;
    case CellType::kDate:
      text = FormatDate(static_cast<Date>(std::get<int64_t>(cell)));
      break;
    case CellType::kNumeric:
      AppendShortestDouble(text, std::get<double>(cell));
      break;
    case CellType::kTextArray:
      AppendArrayText(std::get<TextArray>(cell), text);
      break;
  }
  return true;
}

Status CheckCells(const TableSpec& spec, const TableRow& row) {
  if (row.size() != spec.columns.size()) {
    return InternalError("a row of {} with {} cells for {} columns", spec.name, row.size(),
                         spec.columns.size());
  }
  for (size_t i = 0; i < row.size(); ++i) {
    const Cell& cell = row[i];
    if (!std::holds_alternative<std::monostate>(cell) &&
        cell.index() != CellIndexOf(spec.columns[i].type)) {
      return InternalError("{}.{} holds a value of another type", spec.name, spec.columns[i].name);
    }
  }
  return Status::OK();
}

// The fields of the CSV records of `text`: nullopt for an unquoted empty field.
Result<std::vector<std::vector<std::optional<std::string>>>> SplitCsv(std::string_view text,
                                                                      const std::string& path) {
  std::vector<std::vector<CsvField>> fields;
  if (!SplitCsvRecords(text, fields)) {
    return SinkError("{}: the file ends inside a quoted field", path);
  }
  std::vector<std::vector<std::optional<std::string>>> records(fields.size());
  for (size_t r = 0; r < fields.size(); ++r) {
    for (CsvField& f : fields[r]) {
      if (!f.quoted && f.text.empty()) {
        records[r].emplace_back(std::nullopt);
      } else {
        records[r].emplace_back(std::move(f.text));
      }
    }
  }
  return records;
}

}  // namespace

std::string TableColumnList(const TableSpec& spec) {
  std::string out;
  for (const TableColumn& col : spec.columns) {
    if (!out.empty()) out += ", ";
    out += '"';
    out += col.name;
    out += '"';
  }
  return out;
}

void AssignKeys(std::vector<TableRow>& rows, UuidGenerator& uuids) {
  std::array<char, 36> uuid;
  for (TableRow& row : rows) {
    if (!row.empty() && std::holds_alternative<std::monostate>(row[0])) {
      uuids.Next(uuid);
      row[0] = std::string(uuid.data(), uuid.size());
    }
  }
}

Status AppendTableCopyRow(const TableSpec& spec, const TableRow& row, Compat compat,
                          std::string& out) {
  ARROW_RETURN_NOT_OK(CheckCells(spec, row));
  std::string text;
  for (size_t i = 0; i < row.size(); ++i) {
    const TableColumn& col = spec.columns[i];
    if (i) out.push_back('\t');
    if (std::holds_alternative<std::monostate>(row[i])) {
      out += "\\N";
    } else if (col.type == CellType::kNumeric) {
      ARROW_RETURN_NOT_OK(pg::AppendNumeric(std::get<double>(row[i]), compat, col.name, out));
    } else {
      CellText(col, row[i], text);
      AppendCopyField(out, text);
    }
  }
  out.push_back('\n');
  return Status::OK();
}

void AppendTableCsvHeader(const TableSpec& spec, std::string& out) {
  for (size_t i = 0; i < spec.columns.size(); ++i) {
    if (i) out.push_back(',');
    out.append(spec.columns[i].name);
  }
  out.push_back('\n');
}

void AppendTableCsvRow(const TableSpec& spec, const TableRow& row, std::string& out) {
  std::string text;
  for (size_t i = 0; i < spec.columns.size() && i < row.size(); ++i) {
    if (i) out.push_back(',');
    if (CellText(spec.columns[i], row[i], text)) AppendCsvField(out, text);
  }
  out.push_back('\n');
}

void AppendArrayText(const TextArray& values, std::string& out) {
  out.push_back('{');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out.push_back(',');
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    const std::string& v = *values[i];
    if (!NeedsQuotes(v)) {
      out += v;
      continue;
    }
    out.push_back('"');
    for (char c : v) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
}

Result<TextArray> ParseArrayText(std::string_view text) {
  auto bad = [&] { return SinkError("'{}' is not a one-dimensional text array", text); };
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return bad();
  TextArray out;
  const std::string_view body = text.substr(1, text.size() - 2);
  if (body.empty()) return out;
  size_t i = 0;
  while (true) {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    std::string element;
    bool quoted = false;
    if (i < body.size() && body[i] == '"') {
      quoted = true;
      for (++i; i < body.size() && body[i] != '"'; ++i) {
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        element.push_back(body[i]);
      }
      if (i >= body.size()) return bad();
      ++i;  // the closing quote
      while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    } else {
      while (i < body.size() && body[i] != ',') {
        if (body[i] == '{' || body[i] == '}' || body[i] == '"') return bad();
        if (body[i] == '\\' && i + 1 < body.size()) ++i;
        element.push_back(body[i]);
        ++i;
      }
      while (!element.empty() && std::isspace(static_cast<unsigned char>(element.back()))) {
        element.pop_back();
      }
    }
    if (!quoted && IsNullWord(element)) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(std::move(element));
    }
    if (i >= body.size()) break;
    if (body[i] != ',') return bad();
    ++i;
  }
  return out;
}

Result<Cell> ParseCell(CellType type, std::optional<std::string_view> text) {
  Cell cell;
  if (!text) return cell;
  switch (type) {
    case CellType::kUuid:
    case CellType::kText:
    case CellType::kJson:
      cell.emplace<std::string>(*text);
      break;
    case CellType::kInteger:
      if (auto v = ParseWhole<int64_t>(*text)) cell.emplace<int64_t>(*v);
      break;
    case CellType::kDate:
      if (auto d = ParseDate(*text)) cell.emplace<int64_t>(*d);
      break;
    case CellType::kNumeric:
      if (auto v = ParseWhole<double>(*text)) cell.emplace<double>(*v);
      break;
    case CellType::kTextArray: {
      ARROW_ASSIGN_OR_RAISE(TextArray array, ParseArrayText(*text));
      cell.emplace<TextArray>(std::move(array));
      break;
    }
  }
  // Text that is not NULL gives a value, or is not of the column's type.
  if (std::holds_alternative<std::monostate>(cell)) {
    return SinkError("'{}' is not a value of its column's type", *text);
  }
  return cell;
}

Result<std::vector<TableRow>> ParseTableCsv(const TableSpec& spec, std::string_view text,
                                            const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto records, SplitCsv(text, path));
  std::vector<TableRow> rows;
  if (records.empty()) return rows;
  // Where each column of the spec stands in the file.
  std::vector<int> position(spec.columns.size(), -1);
  const auto& header = records.front();
  for (size_t f = 0; f < header.size(); ++f) {
    const int c = header[f] ? spec.ColumnIndex(*header[f]) : -1;
    if (c >= 0) position[static_cast<size_t>(c)] = static_cast<int>(f);
  }
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    TableRow row(spec.columns.size());
    for (size_t c = 0; c < spec.columns.size(); ++c) {
      const int f = position[c];
      if (f < 0 || static_cast<size_t>(f) >= record.size()) continue;
      const auto& field = record[static_cast<size_t>(f)];
      auto cell = ParseCell(spec.columns[c].type,
                            field ? std::optional<std::string_view>(*field) : std::nullopt);
      if (!cell.ok()) {
        return SinkError("{} line {}, column {}: {}", path, r + 1, spec.columns[c].name,
                         cell.status().message());
      }
      row[c] = std::move(*cell);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ocpagg
