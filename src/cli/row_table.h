#pragma once
// A compact, human-readable table of summary rows for terminals (`summarize --print`).

#include <cstdio>
#include <span>

#include "ocpagg/koku/summary_row.h"

namespace ocpagg::cli {

// Prints rows as aligned columns: day, kind, namespace, node, claim, labels (shortened) and the
// main metrics. Meant for small outputs such as the bundled example.
void PrintRowTable(std::span<const SummaryRow> rows, std::FILE* out);

}  // namespace ocpagg::cli
