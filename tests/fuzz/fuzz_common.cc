#include "fuzz_common.h"

#include <cstring>

namespace ocpagg::fuzz {
namespace {

volatile uint64_t sink = 0;

}  // namespace

void Touch(std::string_view text) {
  uint64_t h = text.size();
  for (char c : text) h = h * 31 + static_cast<unsigned char>(c);
  sink = sink + h;
}

void Touch(const std::optional<std::string_view>& text) {
  if (text) Touch(*text);
}

void Touch(double value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  sink = sink + bits;
}

void Touch(const std::optional<double>& value) {
  if (value) Touch(*value);
}

}  // namespace ocpagg::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // What `ocpagg` itself does (src/cli/main.cc): Arrow allocates from malloc, where the
  // sanitizers see its buffers, instead of the wheel's jemalloc, where they would not.
  setenv("ARROW_DEFAULT_MEMORY_POOL", "system", /*overwrite=*/0);
  return 0;
}
