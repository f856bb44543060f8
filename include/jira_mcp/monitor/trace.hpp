#pragma once
// CallTrace: where one tool call's time went (the --timing breakdown).
//
// The monitor opens a trace when a tool's handler starts (Monitor::tool_started) and makes it
// the current trace of that thread; whatever the call does meanwhile adds its share with
// trace_add(): the Jira client's observer adds the rate-limiter wait and the round trips, the
// cache adds lookups. Work the call hands to other threads carries the trace along:
//   auto t = current_trace();  ... on the other thread: TraceScope scope(t);
// (the Jira client does this for send_async). When the call finishes the monitor reads the
// phases and attributes the rest of the elapsed time to rendering.
//
// Thread safety: a CallTrace's phases are atomics and may be added to from many threads at
// once. The current trace is thread-local; TraceScope must be destroyed on the thread that made
// it, in reverse order of creation.
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

// The calling thread's current trace, or null outside a traced call.
std::shared_ptr<CallTrace> current_trace() noexcept;
// Adds to the current trace, if there is one.
void trace_add(Phase phase, std::chrono::nanoseconds d) noexcept;

// Makes `trace` the current trace of this thread until destroyed (then restores the previous).
class TraceScope {
 public:
  explicit TraceScope(std::shared_ptr<CallTrace> trace) noexcept;
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  std::shared_ptr<CallTrace> previous_;
};

namespace detail {
// For the monitor: replaces the current trace and returns the one it replaced.
std::shared_ptr<CallTrace> exchange_current_trace(std::shared_ptr<CallTrace> trace) noexcept;
}  // namespace detail

}  // namespace jira_mcp::monitor
