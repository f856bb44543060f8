#include "jira_mcp/monitor/trace.hpp"

#include <utility>

namespace jira_mcp::monitor {

namespace {
thread_local std::shared_ptr<CallTrace> t_current;
}

std::shared_ptr<CallTrace> current_trace() noexcept { return t_current; }

void trace_add(Phase phase, std::chrono::nanoseconds d) noexcept {
  if (t_current) t_current->add(phase, d);
}

namespace detail {
std::shared_ptr<CallTrace> exchange_current_trace(std::shared_ptr<CallTrace> trace) noexcept {
  return std::exchange(t_current, std::move(trace));
}
}  // namespace detail

TraceScope::TraceScope(std::shared_ptr<CallTrace> trace) noexcept
    : previous_(detail::exchange_current_trace(std::move(trace))) {}

TraceScope::~TraceScope() { detail::exchange_current_trace(std::move(previous_)); }

}  // namespace jira_mcp::monitor
