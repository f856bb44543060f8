#pragma once
// CallTrace: where one tool call's time went (the --timing breakdown).
//
// The monitor opens a trace when a tool's handler starts (Monitor::tool_started returns it); the
// dispatcher's hook keeps it in the call's RequestContext (CallState::trace), and from there it
// travels as an argument: the tools hand it to the Jira client in jira::CallContext, the cache
// adds its lookups to it, and the client reports it with each JiraCall so the monitor adds the
// rate-limiter wait and the round trips. Async work carries the pointer along by value. When the
// call finishes the monitor reads the phases (record_tool_call) and attributes the rest of the
// elapsed time to rendering. There is no "current trace": a reader follows it through arguments.
//
// Thread safety: a CallTrace's phases are atomics and may be added to from many threads at
// once.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace jira_mcp::monitor {

enum class Phase { parse, cache, wait, jira };
inline constexpr std::size_t kPhaseCount = 4;

class CallTrace {
 public:
  void add(Phase phase, std::chrono::nanoseconds d) noexcept {
    phases_[static_cast<std::size_t>(phase)].fetch_add(d.count(), std::memory_order_relaxed);
    if (phase == Phase::jira) jira_calls_.fetch_add(1, std::memory_order_relaxed);
  }
  std::chrono::nanoseconds get(Phase phase) const noexcept {
    return std::chrono::nanoseconds(phases_[static_cast<std::size_t>(phase)].load(std::memory_order_relaxed));
  }
  std::uint64_t jira_calls() const noexcept { return jira_calls_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<std::int64_t>, kPhaseCount> phases_{};
  std::atomic<std::uint64_t> jira_calls_{0};
};

// Adds to `trace` when there is one (a null trace: the call is not traced).
inline void trace_add(CallTrace* trace, Phase phase, std::chrono::nanoseconds d) noexcept {
  if (trace) trace->add(phase, d);
}

}  // namespace jira_mcp::monitor
