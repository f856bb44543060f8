#pragma once
// RateLimiter: what every request of one Client passes before it touches the network.
//
// Three gates, in order: (1) a host-wide pause set by a 429 (Retry-After / X-RateLimit-Reset);
// everyone waits it out instead of hammering the server, (2) a token bucket (requests per
// second, burst), (3) a concurrency cap on requests in flight. The first two wait on the
// injected Clock (a FakeClock makes them instant and observable); the third waits on real
// time for another request to finish. A request whose wait would pass its deadline fails at
// once rather than sleeping into a timeout.
//
// Thread safety: all members are thread-safe. Permits keep the limiter state alive.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

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
  std::uint64_t throttled_429 = 0;     // 429 responses reported
  std::uint64_t in_flight = 0;
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

   private:
    friend class RateLimiter;
    std::shared_ptr<detail::LimiterState> state_;
  };

  RateLimiter(RateLimitOptions options, std::shared_ptr<Clock> clock);

  // Waits at the three gates. `deadline` is on the injected clock.
  Result<Permit, RateLimitRefusal> acquire(Clock::time_point deadline);

  // A 429 was seen: nobody sends before `until` (extends a current pause, never shortens it).
  void pause_until(Clock::time_point until);
  void record_429();
  Clock::time_point paused_until() const;

  RateLimiterStats stats() const;

 private:
  std::shared_ptr<detail::LimiterState> state_;
};

}  // namespace jira_mcp::jira
