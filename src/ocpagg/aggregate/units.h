#pragma once
// koku's unit conversions, in the evaluation order of its SQL (docs/semantics.md "Pod rows",
// "Storage rows"). Everything is double arithmetic: the literal 3600.0 is coerced to double,
// "gigabyte" means GiB and power(2, -30) is exact, so (s / 3600.0) * 2^-30 is what both databases
// compute.

namespace ocpagg {

inline constexpr double kSecondsPerHour = 3600.0;
inline constexpr double kGibPerByte = 1.0 / 1073741824.0;  // power(2, -30)

// sum(x_seconds) / 3600.0
inline double Hours(double seconds) { return seconds / kSecondsPerHour; }

// sum(x_byte_seconds) / 3600.0 * power(2, -30)
inline double GibHours(double byte_seconds) { return byte_seconds / kSecondsPerHour * kGibPerByte; }

// max(x_bytes) * power(2, -30)
inline double Gib(double bytes) { return bytes * kGibPerByte; }

// x_byte_seconds / (86400 * DIM) * power(2, -30), DIM = days in the month of usage_start. The
// divisor is an integer product, exact as a double.
inline double GibMonths(double byte_seconds, int days_in_month) {
  return byte_seconds / static_cast<double>(86400 * days_in_month) * kGibPerByte;
}

}  // namespace ocpagg
