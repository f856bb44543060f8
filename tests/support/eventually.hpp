#pragma once
// Waits (without asserting on time) until `pred` holds or a generous deadline (~15 s) passes;
// returns whether it holds. For tests that wait on another thread's effect.
#include <chrono>
#include <thread>

namespace jira_mcp::testing {

template <class F>
bool eventually(F pred) {
  for (int i = 0; i < 3000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

}  // namespace jira_mcp::testing
