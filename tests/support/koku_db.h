#pragma once
// Test support: a koku tenant schema on the test server, as koku's migrations leave it
// (tests/sql/koku-schema.sql), with the settings a golden scenario holds.

#include <string>

#include "support/golden.h"
#include "support/pg_server.h"
#include "support/summary_compare.h"

namespace ocpagg::testing {

inline constexpr char kKokuSchema[] = "org1234567";

// Loads koku's DDL into kKokuSchema and the scenario's cost categories and enabled keys.
void PrepareKokuSchema(PgServer& pg, const std::string& url, const GoldenScenario& s);

// A table beside the summary as CSV (written under `dir`), with the cluster's text id where
// koku's table holds the uuid of its reporting_ocp_clusters row (as expected_tables/ shows them).
SummaryTable ReadTable(PgServer& pg, const std::string& url, const std::string& dir,
                       const std::string& table);

}  // namespace ocpagg::testing
