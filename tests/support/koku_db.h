#pragma once
// Test support: a koku tenant schema on the test server, as koku's migrations leave it
// (tests/sql/koku-schema.sql), with the settings a golden scenario holds.

#include <string>

#include "support/golden.h"
#include "support/pg_server.h"

namespace ocpagg::testing {

inline constexpr char kKokuSchema[] = "org1234567";

// Loads koku's DDL into kKokuSchema and the scenario's cost categories and enabled keys.
void PrepareKokuSchema(PgServer& pg, const std::string& url, const GoldenScenario& s);

}  // namespace ocpagg::testing
