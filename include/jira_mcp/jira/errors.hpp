#pragma once
// JiraError: every failure of a Jira call, structured for code and worded for a person or a
// model. to_string() says what went wrong and what to do about it; it never contains
// credentials (the client redacts its secrets from every message it builds).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/jira/http.hpp"

namespace jira_mcp::jira {

enum class ErrorKind {
  config,          // the options are incomplete or invalid (message names the setting)
  auth,            // 401
  permission,      // 403
  not_found,       // 404
  bad_request,     // 400 (field errors) and other 4xx not listed here
  conflict,        // 409
  rate_limited,    // 429 after retries, or the pause outlasts the deadline
  server,          // 5xx after retries
  timeout,         // deadline / read timeout / pool wait
  tls,             // handshake or certificate failure
  connect,         // DNS / TCP connect failure
  dropped,         // connection lost after sending an idempotent request
  unknown_outcome, // a non-idempotent request was sent and then the connection failed
  protocol,        // a response that is not what Jira sends (bad JSON, ...)
  invalid_argument,  // refused before sending: a value would have broken the request (path.hpp)
  cancelled,       // the MCP call was cancelled before this request was sent: nothing was sent
  too_large,       // the response body passed the request's max_body_bytes (reading stopped)
};

const char* to_string(ErrorKind kind);

struct JiraError {
  ErrorKind kind = ErrorKind::protocol;
  int http_status = 0;                              // 0 when no response arrived
  std::vector<std::string> messages;                // Jira's errorMessages
  std::map<std::string, std::string> field_errors;  // Jira's errors{field: message}
  std::optional<std::chrono::milliseconds> retry_after;
  std::string method;                               // of the failed request, when known
  std::string path;                                 // path without the query string
  std::string detail;                               // transport or config detail
  int attempts = 0;
  bool may_have_been_applied = false;               // a write whose outcome is unknown

  // One paragraph: what failed, Jira's own words, and the fix.
  std::string to_string() const;
};

// A JiraError for an HTTP error response (status >= 400). Understands Jira's
// {"errorMessages":[...],"errors":{...}} body and falls back to the raw text (truncated).
JiraError error_from_response(const HttpResponse& response, std::chrono::system_clock::time_point now);

// A JiraError for a failed attempt that produced no response.
JiraError error_from_transport(const TransportError& error, bool idempotent);

}  // namespace jira_mcp::jira
