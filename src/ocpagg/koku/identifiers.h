#pragma once
// The identifiers every command takes, checked the same way everywhere: a source is koku's
// provider UUID, an account is a folder name under data/parquet (a tenant schema name).

#include <string_view>

namespace ocpagg {

// 8-4-4-4-12 hexadecimal digits.
bool IsUuid(std::string_view s);

// A name that is one path segment: non-empty, at most 63 bytes (PostgreSQL's identifier
// length), letters, digits, '_' and '-' only.
bool IsAccountName(std::string_view s);

}  // namespace ocpagg
