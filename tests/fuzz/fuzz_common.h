#pragma once
// What the fuzz targets share. Each target feeds the bytes it is given to one of ocpagg's
// readers of untrusted input and returns 0 whatever Status comes back: rejecting bad input is
// the readers' job. Only crashes, sanitizer reports, hangs and failed FUZZ_CHECKs are findings.
//
// The same sources build two ways: with libFuzzer's main (OCPAGG_FUZZ=ON, clang) and with
// replay_main.cc (every build), which runs the committed corpus and regressions under ctest.

#include <arrow/buffer.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string_view>

// libFuzzer calls it once before the first input; replay_main.cc calls it too, so that both
// run the targets in the same environment.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// A broken invariant of the code under test: abort, which libFuzzer and ctest report as a crash.
#define FUZZ_CHECK(condition)                                                                 \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

namespace ocpagg::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input as an Arrow buffer, without a copy (valid during the call only).
inline std::shared_ptr<arrow::Buffer> AsBuffer(const uint8_t* data, size_t size) {
  return std::make_shared<arrow::Buffer>(data, static_cast<int64_t>(size));
}

// Reads every byte of a view the code under test handed out, so that AddressSanitizer sees a
// view that dangles or runs past its buffer; the result goes to a volatile so the reads stay.
void Touch(std::string_view text);
void Touch(const std::optional<std::string_view>& text);
void Touch(double value);
void Touch(const std::optional<double>& value);

}  // namespace ocpagg::fuzz
