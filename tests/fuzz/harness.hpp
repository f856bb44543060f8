#pragma once
// The contract of a fuzz harness (tests/fuzz/fuzz_*.cpp).
//
// Each harness defines LLVMFuzzerTestOneInput, so the same file builds two ways:
// - with clang and -fsanitize=fuzzer (make fuzz): libFuzzer drives it, coverage-guided;
// - with any compiler, linked with driver.cpp: a deterministic run of seeds and their mutations
//   (mutate.hpp) with a fixed seed and a time bound, registered with CTest (and so run under
//   ASan/UBSan by make sanitize).
// A harness aborts (a crash, for both drivers) when the code under test breaks its contract;
// throwing is a finding too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace jira_mcp::fuzz {
// The harness's seed inputs (valid, typical shapes), defined by each harness.
std::vector<std::string> seeds();
// Aborts with `what` and the input (escaped, first 2,000 bytes) on stderr: a finding.
[[noreturn]] inline void fail(const char* what, const std::string& input) {
  std::string shown;
  for (unsigned char c : input.substr(0, 2000)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      shown += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      shown += buf;
    }
  }
  std::fprintf(stderr, "FUZZ FINDING: %s\ninput (%zu bytes): %s\n", what, input.size(), shown.c_str());
  std::abort();
}
}  // namespace jira_mcp::fuzz
