#pragma once
// JiraCall: what the Jira client reports about each finished call (ClientOptions::on_call).
// Plain data; kept apart from monitor.hpp so the client needs only this small header.
#include <chrono>
#include <functional>
#include <string_view>

namespace jira_mcp::monitor {

class CallTrace;

struct JiraCall {
  std::string_view method;             // "GET"
  std::string_view path;               // as sent, without context path or query: "/rest/api/3/issue/KEY-1"
  int status = 0;                      // the final HTTP status; 0 when no response came (I/O error, refused)
  int attempts = 0;                    // HTTP attempts made (1 + retries)
  int throttled = 0;                   // 429 responses among them
  std::chrono::nanoseconds elapsed{0}; // the whole call, waits and backoff included
  std::chrono::nanoseconds waited{0};  // of that, waiting at the rate limiter / concurrency cap
  std::chrono::nanoseconds round_trip{0};  // of that, in the transport (pool wait + HTTP exchange)
  CallTrace* trace = nullptr;          // the tool call it was made for (jira::CallContext::trace); null: none
};

// Called once per finished call on the thread that ran it; must be thread-safe and fast.
using JiraCallObserver = std::function<void(const JiraCall&)>;

}  // namespace jira_mcp::monitor
