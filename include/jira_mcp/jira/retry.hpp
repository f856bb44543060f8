#pragma once
// Retry policy: which failures are worth another attempt, and how long to wait before it.
//
// Every request is one of three kinds (Repeat), decided in one place, repeat_kind():
//  - a read (GET, and the POSTs Jira uses only to read, listed in is_read_only_post) is retried
//    on 429, 500, 502, 503, 504 and connection failures: sending it again changes nothing;
//  - an idempotent write (PUT, DELETE, a POST its caller marks idempotent) on 429, 502, 503,
//    504 and connection failures, but not 500, which may come after the change was applied;
//  - any other write (a POST that creates) only when the server signalled it did not process
//    it: 429, 503 carrying Retry-After, or a failure before any byte was sent.
// Retries stay within an attempt count and a time budget, with exponential backoff and full
// jitter (a uniform delay in [0, min(cap, base*2^n)]).
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

enum class Repeat { read, idempotent_write, write };

// Whether a POST to `path` (site-relative, no query: "/rest/api/3/search/jql") only reads. The
// one list of such POSTs: searches (/search, /search/jql, /search/approximate-count), bulk
// fetches (/issue/bulkfetch, /changelog/bulkfetch), lookups by id lists (/comment/list,
// /worklog/list, /changelog/list, /issue/{key}/changelog/list), JQL parsing and matching (/jql/parse,
// /jql/match) and Jira expression evaluation (/expression/eval, /expression/evaluate), under
// /rest/api/2, /3 or /latest. The response cache uses the same list to decide what a write
// invalidates.
bool is_read_only_post(std::string_view path);

// The kind of a request: GET/HEAD/OPTIONS and listed POSTs are reads whatever `idempotent`
// says (callers pass false by default); otherwise `idempotent` if given, else true for PUT and
// DELETE and false for POST.
Repeat repeat_kind(std::string_view method, std::string_view path, std::optional<bool> idempotent);

bool is_retryable(const AttemptOutcome& outcome, Repeat repeat);

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

// The server's budget as the X-RateLimit-Limit / -Remaining / -NearLimit / -FillRate /
// -Interval-Seconds headers and Jira Cloud's Beta-RateLimit / Beta-RateLimit-Policy (also under
// their standard names RateLimit / RateLimit-Policy, and X-Beta-RateLimit-NearLimit) state it.
ServerQuota parse_server_quota(const HttpHeaders& headers);

// What a 429 (or a quota header) is about, from Jira Cloud's RateLimit-Reason (or
// X-Beta-RateLimit-Reason): which part of the traffic has to slow down.
enum class LimitScope {
  site,      // jira-quota-tenant-based, jira-quota-global-based, or no reason given: everything
  endpoint,  // jira-burst-based: this endpoint and method only
  issue,     // jira-per-issue-on-write: writes to this issue only
};
LimitScope limit_scope(const HttpHeaders& headers);
const char* to_string(LimitScope scope);

}  // namespace jira_mcp::jira
