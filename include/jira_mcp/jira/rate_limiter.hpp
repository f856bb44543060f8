#pragma once
// RateLimiter: what every request of one Client passes before it touches the network.
//
// Three gates, in order: (1) a host-wide pause set by a 429 (Retry-After / X-RateLimit-Reset);
// everyone waits it out instead of hammering the server, (2) a pacer (requests per second,
// burst), (3) a concurrency cap on requests in flight. The first two wait on the injected Clock
// (a FakeClock makes them instant and observable); the third waits on real time for another
// request to finish. A request whose wait would pass its deadline fails at once rather than
// sleeping into a timeout.
//
// The pacer paces to the limit instead of reacting to it, because a 429 costs a whole
// Retry-After (Jira sends whole seconds) while pacing costs nothing:
//  - a token bucket of `burst` tokens refilled at the current rate, whose burst is spent
//    gradually: consecutive sends are at least 1 / (2 × rate) apart, never all at once;
//  - the rate adapts (AIMD): a 429 halves it and empties the bucket (no burst after the pause);
//    a response saying the server's own budget runs low (X-RateLimit-NearLimit, or
//    X-RateLimit-Remaining at or below half of X-RateLimit-Limit) empties the bucket and takes
//    10 % off, at most once a second; the rate then climbs back by 10 % of the configured rate
//    per second, never above it (so a server that keeps warning holds us near 90 %, and a 429
//    at worst near 5 %);
//  - a server that states its own refill rate (Jira Data Center's X-RateLimit-FillRate per
//    X-RateLimit-Interval-Seconds) caps the rate there when it is below the configured one. A server whose bucket matches ours thus keeps headroom for
//    arrival jitter instead of being drained to zero by our burst.
// Without a configured rate (requests_per_second <= 0) there is no pacer and no adaptation,
// only the 429 pause.
//
// The pacer engages only when requests compete. A lone request (nothing else in flight or
// waiting at the gates) is never held by the pacer while the rate is the configured one: one
// request at a time is already paced by its own round trip and cannot burst, so an agent that
// makes one call at a time never waits on us. It still spends a token (never into debt), so a
// fan-out right after a busy stretch starts from an emptier bucket. Once Jira has spoken (a 429,
// a low budget, or a stated fill rate below ours: the rate is below the configured one), lone
// requests are paced too, until the rate has climbed back. The 429 pause always holds everyone.
//
// Thread safety: all members are thread-safe. Permits keep the limiter state alive.
#include <chrono>
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/clock.hpp"

namespace jira_mcp::jira {

struct RateLimitOptions {
  double requests_per_second = 0;  // 0 or less: no token bucket
  double burst = 10;               // bucket size (at least 1)
  std::size_t max_concurrency = 0; // 0: no cap
};

struct RateLimiterStats {
  std::chrono::nanoseconds waited{0};  // total time callers spent waiting at the gates
  std::uint64_t waits = 0;             // acquires that had to wait
  std::uint64_t lone = 0;              // acquires that went unpaced as the only request (see above)
  std::uint64_t throttled_429 = 0;     // 429 responses reported
  std::uint64_t slowdowns = 0;         // times the rate was cut: the two below together
  std::uint64_t slowdowns_429 = 0;         // by a 429 (halved, once per pause)
  std::uint64_t slowdowns_low_budget = 0;  // by a response saying the server's budget runs low (-10 %)
  std::uint64_t in_flight = 0;
  double current_rps = 0;              // the adapted rate now, recovery included (0: no pacer)
};

// What a response says about the server's own budget (parse_server_quota in retry.hpp reads
// it from the X-RateLimit-* headers). Empty fields: the server did not say.
struct ServerQuota {
  std::optional<double> limit;      // X-RateLimit-Limit
  std::optional<double> remaining;  // X-RateLimit-Remaining
  bool near_limit = false;          // X-RateLimit-NearLimit: true (Jira Cloud, under 20 % left)
  // Jira Data Center's token bucket states its refill: FillRate tokens every Interval-Seconds.
  std::optional<double> fill_rate;         // X-RateLimit-FillRate
  std::optional<double> interval_seconds;  // X-RateLimit-Interval-Seconds

  // Jira Cloud's quota (Beta-RateLimit: "<policy>";r=<remaining>;t=<seconds to reset>, with
  // Beta-RateLimit-Policy: "<policy>";q=<quota>;w=<window seconds>), the most constraining
  // policy when several are listed.
  std::optional<double> quota_remaining;      // r
  std::optional<double> quota_reset_seconds;  // t
  std::optional<double> quota;                // q (of the policy r belongs to, when stated)

  // The server's sustained rate in requests per second, when it says: Data Center's fill rate,
  // or what Jira Cloud's quota leaves spread over the time until it resets (r / t), the lower.
  std::optional<double> server_rps() const {
    std::optional<double> out;
    if (fill_rate && interval_seconds && *fill_rate > 0 && *interval_seconds > 0) out = *fill_rate / *interval_seconds;
    if (quota_remaining && quota_reset_seconds && *quota_remaining > 0 && *quota_reset_seconds > 0) {
      const double q = *quota_remaining / *quota_reset_seconds;
      out = out ? std::min(*out, q) : q;
    }
    return out;
  }
  // The quota is spent: every request until it resets would be refused (seconds to wait).
  std::optional<double> quota_exhausted_for() const {
    if (quota_remaining && *quota_remaining <= 0 && quota_reset_seconds && *quota_reset_seconds > 0) {
      return *quota_reset_seconds;
    }
    return std::nullopt;
  }

  // The server is close to throttling us: it said so, or at most half its budget is left.
  bool low() const { return near_limit || (limit && remaining && *limit > 0 && *remaining * 2 <= *limit); }
};

// Why acquire() refused: the wait would end after the caller's deadline.
struct RateLimitRefusal {
  Clock::time_point ready_at;  // when the request could have gone
  bool paused_by_429 = false;  // the wait was a 429 pause, not the bucket or the cap
};

namespace detail {
struct LimiterState;
}

class RateLimiter {
 public:
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();  // frees the concurrency slot

    // How long this acquire waited at the gates, on the limiter's clock (zero: it went at once).
    Clock::duration waited() const { return waited_; }

   private:
    friend class RateLimiter;
    std::shared_ptr<detail::LimiterState> state_;
    Clock::duration waited_{0};
  };

  RateLimiter(RateLimitOptions options, std::shared_ptr<Clock> clock);

  // Waits at the three gates. `deadline` is on the injected clock.
  Result<Permit, RateLimitRefusal> acquire(Clock::time_point deadline);

  // A 429 arrived and the server asked for quiet until `until`: counts it, pauses everyone
  // until then, and (once per pause) halves the rate and empties the bucket. Callers already
  // waiting for a token queue behind the pause, spaced at the new rate.
  void throttled(Clock::time_point until);
  // A response arrived (any status): adapts to what it says of the server's budget.
  void observe(const ServerQuota& quota);

  // A pause alone, without counting or adapting (extends a current pause, never shortens it).
  void pause_until(Clock::time_point until);
  void record_429();  // counts a 429 without pausing or adapting
  Clock::time_point paused_until() const;

  // A copy of the counters; current_rps is brought up to date with the recovery so far.
  RateLimiterStats stats() const;

 private:
  std::shared_ptr<detail::LimiterState> state_;
};

}  // namespace jira_mcp::jira
