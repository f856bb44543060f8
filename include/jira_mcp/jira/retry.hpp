#pragma once
// Retry policy: which failures are worth another attempt, and how long to wait before it.
//
// Retried: 429, 502, 503, 504 and connection failures, within an attempt count and a time
// budget, with exponential backoff and full jitter (a uniform delay in [0, min(cap, base*2^n)]).
// A non-idempotent request (a POST that creates) is retried only when the server signalled it
// did not process it: 429, 503 carrying Retry-After, or a failure before any byte was sent.
// Everything here is pure and thread-compatible, so it is tested without I/O.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "jira_mcp/jira/clock.hpp"
#include "jira_mcp/jira/http.hpp"
#include "jira_mcp/jira/rate_limiter.hpp"

namespace jira_mcp::jira {

struct RetryOptions {
  int max_attempts = 4;                          // total attempts, first one included
  std::chrono::milliseconds budget{30000};       // no retry starts later than this after the call began
  std::chrono::milliseconds base_delay{250};
  std::chrono::milliseconds max_delay{8000};
};

// The result of one attempt, as far as retrying cares.
struct AttemptOutcome {
  std::optional<int> status;                 // set when a response arrived
  std::optional<TransportError> transport;   // set when none did
  bool has_retry_after = false;
};

bool is_retryable(const AttemptOutcome& outcome, bool idempotent);

// Full-jitter backoff before retry number `retry` (1 for the first retry).
std::chrono::milliseconds backoff_delay(int retry, const RetryOptions& options, std::mt19937_64& rng);

// Retry-After: delta seconds or an HTTP-date, as a delay from `now`. Negative results clamp to 0.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                            std::chrono::system_clock::time_point now);
// X-RateLimit-Reset: an ISO-8601 timestamp ("2026-01-01T00:00:10Z", with optional fraction
// and offset) or epoch seconds (or milliseconds when it is too large for seconds), as a delay
// from `now`.
std::optional<std::chrono::milliseconds> parse_rate_limit_reset(std::string_view value,
                                                                 std::chrono::system_clock::time_point now);
// The server-requested wait in a response: Retry-After first, else X-RateLimit-Reset. Retry-After
// is whole seconds, so when X-RateLimit-Reset names an instant inside that last second (a
// rounded-up Retry-After of the same instant) the precise Reset wins; a Reset further off (Jira
// Cloud's is only to the minute) never shortens Retry-After.
std::optional<std::chrono::milliseconds> server_requested_wait(const HttpHeaders& headers,
                                                                std::chrono::system_clock::time_point now);

// The server's budget as the X-RateLimit-Limit / -Remaining / -NearLimit headers state it.
ServerQuota parse_server_quota(const HttpHeaders& headers);

}  // namespace jira_mcp::jira
