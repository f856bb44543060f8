#pragma once
// CallContext: what one MCP call tells the Jira client about itself.
//
// Every Client method that reaches Jira takes one, explicitly, and hands it down: to the cache
// layer (fresh, trace), to the executor for async calls (copied into the task), and to the
// request it builds (the W3C trace context headers) and the JiraCall it reports (trace). A
// default-constructed CallContext is "no call": cached reads, no trace, no trace headers
// (readiness probes, start-up, tests). Plain data; copy it freely.
#include <memory>
#include <string>
#include <string_view>

#include "jira_mcp/monitor/trace.hpp"

namespace jira_mcp::jira {

struct CallContext {
  // Reads bypass the cached entry, ask Jira, and store the answer in its place (a tool call's
  // `fresh` argument).
  bool fresh = false;
  // The --timing breakdown of the tool call (monitor/trace.hpp); null: not traced.
  std::shared_ptr<monitor::CallTrace> trace;
  // The W3C trace context the MCP request carried in params._meta. `traceparent` is sent on
  // every HTTP request of the call when it is well-formed (valid_traceparent), and `tracestate`
  // with it when that is well-formed too; anything else is dropped, never sent.
  std::string traceparent;
  std::string tracestate;
};

// "vv-<32 hex trace id>-<16 hex parent id>-<2 hex flags>" in lower case (W3C Trace Context,
// level 1): version not "ff", ids not all zeros; a version above 00 may carry more after a '-'.
bool valid_traceparent(std::string_view value);
// At most 512 characters of printable ASCII (no control characters, so it cannot break a
// header), as the W3C limit allows.
bool valid_tracestate(std::string_view value);

}  // namespace jira_mcp::jira
