#include <doctest/doctest.h>

#include "jira_mcp/jira/retry.hpp"

using namespace jira_mcp::jira;
using std::chrono::milliseconds;

namespace {
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00Z
AttemptOutcome status(int s, bool retry_after = false) { return {s, std::nullopt, retry_after}; }
AttemptOutcome failure(TransportErrorKind k, bool sent) { return {std::nullopt, TransportError{k, sent, ""}, false}; }
}  // namespace

TEST_CASE("reads retry on 429, 500, 502, 503, 504 and connection failures; idempotent writes not on 500") {
  for (int s : {429, 500, 502, 503, 504}) CHECK(is_retryable(status(s), Repeat::read));
  for (int s : {400, 401, 403, 404, 409, 501}) CHECK_FALSE(is_retryable(status(s), Repeat::read));
  for (int s : {429, 502, 503, 504}) CHECK(is_retryable(status(s), Repeat::idempotent_write));
  for (int s : {400, 401, 403, 404, 409, 500, 501}) CHECK_FALSE(is_retryable(status(s), Repeat::idempotent_write));
  for (Repeat r : {Repeat::read, Repeat::idempotent_write}) {
    CHECK(is_retryable(failure(TransportErrorKind::connect, false), r));
    CHECK(is_retryable(failure(TransportErrorKind::read, true), r));
    CHECK(is_retryable(failure(TransportErrorKind::read_timeout, true), r));
    CHECK_FALSE(is_retryable(failure(TransportErrorKind::tls_verify, false), r));
    CHECK_FALSE(is_retryable(failure(TransportErrorKind::pool_timeout, false), r));
    CHECK_FALSE(is_retryable(failure(TransportErrorKind::body_too_large, true), r));
  }
}

TEST_CASE("a write that may create twice retries only when the server did not process it") {
  const Repeat w = Repeat::write;
  CHECK(is_retryable(status(429), w));
  CHECK(is_retryable(status(503, true), w));
  CHECK_FALSE(is_retryable(status(500), w));
  CHECK_FALSE(is_retryable(status(503, false), w));
  CHECK_FALSE(is_retryable(status(502), w));
  CHECK_FALSE(is_retryable(status(504), w));
  CHECK(is_retryable(failure(TransportErrorKind::connect, false), w));
  CHECK(is_retryable(failure(TransportErrorKind::connect_timeout, false), w));
  CHECK_FALSE(is_retryable(failure(TransportErrorKind::read, true), w));
  CHECK_FALSE(is_retryable(failure(TransportErrorKind::read_timeout, true), w));
  CHECK_FALSE(is_retryable(failure(TransportErrorKind::write, true), w));
}

TEST_CASE("the POSTs Jira uses only to read are listed once, and decide the request's kind") {
  for (const char* p : {"/rest/api/3/search/jql", "/rest/api/3/search/approximate-count", "/rest/api/2/search", "/rest/api/latest/search",
                        "/rest/api/3/issue/bulkfetch", "/rest/api/3/changelog/bulkfetch", "/rest/api/3/comment/list",
                        "/rest/api/2/worklog/list", "/rest/api/3/issue/ABC-1/changelog/list", "/rest/api/3/jql/parse",
                        "/rest/api/3/jql/match", "/rest/api/3/expression/eval", "/rest/api/3/search/jql?x=1"}) {
    CAPTURE(p);
    CHECK(is_read_only_post(p));
  }
  for (const char* p : {"/rest/api/3/issue", "/rest/api/3/issue/bulk", "/rest/api/3/issue/ABC-1/transitions", "/rest/api/3/issue/bulkfetchx",
                        "/rest/api/3/searchx", "/rest/agile/1.0/sprint", "/rest/agile/1.0/epic/EP-1/issue", "/rest/api/3/comment",
                        "/rest/api/3/issue/ABC-1/comment", "/rest/api/3/jql/pdcleaner", "/search", "/rest/api/4/search", ""}) {
    CAPTURE(p);
    CHECK_FALSE(is_read_only_post(p));
  }
  CHECK(repeat_kind("GET", "/rest/api/3/issue/ABC-1", std::nullopt) == Repeat::read);
  CHECK(repeat_kind("POST", "/rest/api/3/search/jql", false) == Repeat::read);  // the list wins over a default flag
  CHECK(repeat_kind("POST", "/rest/api/3/issue", std::nullopt) == Repeat::write);
  CHECK(repeat_kind("POST", "/rest/agile/1.0/epic/EP-1/issue", true) == Repeat::idempotent_write);
  CHECK(repeat_kind("PUT", "/rest/api/3/issue/ABC-1", std::nullopt) == Repeat::idempotent_write);
  CHECK(repeat_kind("DELETE", "/rest/api/3/issue/ABC-1", std::nullopt) == Repeat::idempotent_write);
  CHECK(repeat_kind("PUT", "/rest/api/3/issue/ABC-1", false) == Repeat::write);
}

TEST_CASE("full-jitter backoff stays within an exponentially growing, capped window") {
  RetryOptions o;
  o.base_delay = milliseconds(100);
  o.max_delay = milliseconds(1000);
  std::mt19937_64 rng(7);
  milliseconds max_seen{0};
  for (int i = 0; i < 200; ++i) {
    CHECK(backoff_delay(1, o, rng) <= milliseconds(100));
    CHECK(backoff_delay(3, o, rng) <= milliseconds(400));
    auto d = backoff_delay(20, o, rng);
    CHECK(d <= milliseconds(1000));
    max_seen = std::max(max_seen, d);
  }
  CHECK(max_seen > milliseconds(400));  // the window really grew to the cap
}

TEST_CASE("Retry-After accepts delta seconds and HTTP dates") {
  CHECK(parse_retry_after("7", kNow) == milliseconds(7000));
  CHECK(parse_retry_after(" 0 ", kNow) == milliseconds(0));
  CHECK(parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", kNow) == milliseconds(30000));
  CHECK(parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", kNow) == milliseconds(0));
  CHECK_FALSE(parse_retry_after("soon", kNow).has_value());
  CHECK_FALSE(parse_retry_after("-3", kNow).has_value());
}

TEST_CASE("X-RateLimit-Reset accepts ISO-8601 timestamps and epoch seconds or milliseconds") {
  CHECK(parse_rate_limit_reset("2026-01-01T00:00:10Z", kNow) == milliseconds(10000));
  CHECK(parse_rate_limit_reset("2026-01-01T00:00:10.500Z", kNow) == milliseconds(10500));
  CHECK(parse_rate_limit_reset("2026-01-01T01:00:05+01:00", kNow) == milliseconds(5000));
  CHECK(parse_rate_limit_reset("2025-12-31T19:00:05-0500", kNow) == milliseconds(5000));
  CHECK(parse_rate_limit_reset("1767225620", kNow) == milliseconds(20000));
  CHECK(parse_rate_limit_reset("1767225620000", kNow) == milliseconds(20000));
  CHECK_FALSE(parse_rate_limit_reset("2026-13-01T00:00:00Z", kNow).has_value());
  CHECK_FALSE(parse_rate_limit_reset("tomorrow", kNow).has_value());
}

TEST_CASE("the server-requested wait prefers Retry-After over X-RateLimit-Reset") {
  HttpHeaders both{{"x-ratelimit-reset", "2026-01-01T00:01:00Z"}, {"retry-after", "3"}};
  CHECK(server_requested_wait(both, kNow) == milliseconds(3000));
  HttpHeaders reset_only{{"X-RateLimit-Reset", "2026-01-01T00:01:00Z"}};
  CHECK(server_requested_wait(reset_only, kNow) == milliseconds(60000));
  CHECK_FALSE(server_requested_wait({}, kNow).has_value());
}

TEST_CASE("a precise X-RateLimit-Reset inside Retry-After's last whole second wins; a coarser one never shortens it") {
  // Retry-After: 1 rounds up 250 ms; the Reset names that instant.
  HttpHeaders precise{{"Retry-After", "1"}, {"X-RateLimit-Reset", "2026-01-01T00:00:00.250Z"}};
  CHECK(server_requested_wait(precise, kNow) == milliseconds(250));
  // Jira Cloud's Reset is to the minute: a minute-truncated instant must not cut a 40 s wait.
  HttpHeaders coarse{{"Retry-After", "40"}, {"X-RateLimit-Reset", "2026-01-01T00:00Z"}};
  CHECK(server_requested_wait(coarse, kNow) == milliseconds(40000));
  // A Reset later than Retry-After does not lengthen it either.
  HttpHeaders later{{"Retry-After", "2"}, {"X-RateLimit-Reset", "2026-01-01T00:00:05Z"}};
  CHECK(server_requested_wait(later, kNow) == milliseconds(2000));
}

TEST_CASE("the server's budget is read from X-RateLimit-Limit, -Remaining and -NearLimit") {
  ServerQuota q = parse_server_quota({{"x-ratelimit-limit", "350"}, {"X-RateLimit-Remaining", " 349 "}});
  REQUIRE(q.limit.has_value());
  REQUIRE(q.remaining.has_value());
  CHECK(*q.limit == 350);
  CHECK(*q.remaining == 349);
  CHECK_FALSE(q.low());
  CHECK(parse_server_quota({{"X-RateLimit-Limit", "10"}, {"X-RateLimit-Remaining", "5"}}).low());
  CHECK(parse_server_quota({{"X-RateLimit-NearLimit", "TRUE"}}).low());
  CHECK_FALSE(parse_server_quota({{"X-RateLimit-NearLimit", "false"}}).low());
  CHECK_FALSE(parse_server_quota({{"X-RateLimit-Remaining", "0"}}).low());  // no limit to compare with
  ServerQuota dc = parse_server_quota({{"X-RateLimit-FillRate", "10"}, {"X-RateLimit-Interval-Seconds", "2"}});
  REQUIRE(dc.server_rps().has_value());
  CHECK(*dc.server_rps() == doctest::Approx(5));
  CHECK_FALSE(parse_server_quota({{"X-RateLimit-FillRate", "10"}}).server_rps().has_value());
  ServerQuota junk = parse_server_quota({{"X-RateLimit-Limit", "many"}, {"X-RateLimit-Remaining", "-1"}});
  CHECK_FALSE(junk.limit.has_value());
  CHECK_FALSE(junk.remaining.has_value());
}
