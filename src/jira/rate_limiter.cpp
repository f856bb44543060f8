// The pacer reserves: a caller that cannot go now takes its slot in advance (the token balance
// may go negative, and the next slot moves on by the minimum spacing) and sleeps until it. So
// callers are spaced in arrival order without any of them polling, and all sleeping happens
// outside the lock on the injected clock.
//
// A reservation made before a 429 is void after it: the 429 bumps the epoch, the sleeper wakes,
// sees the pause and queues again behind it instead of handing back a token into a bucket the
// 429 emptied (which would let every sleeper through at once when the pause ends).
//
// Who is alone is decided under the lock from two counts: permits in flight and callers inside
// acquire() (sleeping on a reservation, on a pause or on the cap). A caller that finds both at
// zero (itself aside) cannot be part of a burst; the next request of a sequential caller arrives
// only after this one's permit is gone.
#include "jira_mcp/jira/rate_limiter.hpp"

#include <algorithm>
#include <condition_variable>

namespace jira_mcp::jira {

namespace {

using FloatSeconds = std::chrono::duration<double>;

constexpr double kBurstSpeedup = 2.0;          // the burst goes out at most at twice the rate
constexpr double kThrottleFactor = 0.5;        // a 429 halves the rate
constexpr double kLowBudgetFactor = 0.9;       // the server's budget runs low: 10 % off
constexpr double kRecoveryPerSecond = 0.1;     // climb back by 10 % of the configured rate per second
constexpr double kMinRateFraction = 0.05;      // never below 5 % of the configured rate
constexpr auto kLowBudgetCooldown = std::chrono::seconds(1);  // one low-budget cut per second

}  // namespace

namespace detail {

struct LimiterState {
  RateLimitOptions options;
  std::shared_ptr<Clock> clock;
  mutable std::mutex mu;
  std::condition_variable slot_freed;
  double rate = 0;     // the adapted rate, in (0, ceiling]
  double ceiling = 0;  // the configured rate, or the server's stated one when lower
  double tokens = 0;
  Clock::time_point refilled_at;
  Clock::time_point next_slot;        // the burst's spacing: nobody goes before this
  Clock::time_point rate_updated_at;  // recovery accrues from here
  Clock::time_point last_cut;         // the last low-budget cut
  Clock::time_point paused_until;
  std::uint64_t epoch = 0;  // bumped by every 429: reservations of an older epoch are void
  std::size_t in_flight = 0;
  std::size_t acquiring = 0;  // callers inside acquire(), not yet holding a permit
  RateLimiterStats stats;

  bool paced() const { return options.requests_per_second > 0; }
  // Jira has slowed us (a 429 or a low budget not yet recovered from, or a stated fill rate
  // below the configured one): every request is paced, even one alone.
  bool adapting() const { return rate < options.requests_per_second; }
  // The caller (already counted in `acquiring`) is the only request around.
  bool alone() const { return in_flight == 0 && acquiring == 1; }

  void refill(Clock::time_point now) {
    if (now > refilled_at) {
      tokens = std::min(options.burst, tokens + FloatSeconds(now - refilled_at).count() * rate);
      refilled_at = now;
    }
    if (now > rate_updated_at && rate < ceiling) {
      const double gain = FloatSeconds(now - rate_updated_at).count() * kRecoveryPerSecond * ceiling;
      rate = std::min(ceiling, rate + gain);
      rate_updated_at = now;
    }
    stats.current_rps = rate;
  }

  // Cuts the rate by `factor`, counted in `reason`; recovery starts at `from` (after a pause,
  // not during it).
  void cut(double factor, std::uint64_t RateLimiterStats::*reason, Clock::time_point now, Clock::time_point from) {
    refill(now);
    rate = std::max(options.requests_per_second * kMinRateFraction, rate * factor);
    rate_updated_at = std::max(now, from);
    tokens = std::min(tokens, 0.0);  // no burst until the server has room again
    ++stats.slowdowns;
    ++(stats.*reason);
    stats.current_rps = rate;
  }
};

}  // namespace detail

RateLimiter::Permit::Permit(Permit&& other) noexcept : state_(std::move(other.state_)), waited_(other.waited_) {}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    Permit old(std::move(*this));
    state_ = std::move(other.state_);
    waited_ = other.waited_;
  }
  return *this;
}

RateLimiter::Permit::~Permit() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mu);
    --state_->in_flight;
    state_->stats.in_flight = state_->in_flight;
  }
  state_->slot_freed.notify_one();
}

RateLimiter::RateLimiter(RateLimitOptions options, std::shared_ptr<Clock> clock)
    : state_(std::make_shared<detail::LimiterState>()) {
  options.burst = std::max(1.0, options.burst);
  auto& s = *state_;
  s.options = options;
  s.clock = clock ? std::move(clock) : real_clock();
  s.rate = s.ceiling = std::max(0.0, options.requests_per_second);
  s.tokens = options.burst;
  s.refilled_at = s.rate_updated_at = s.next_slot = s.clock->now();
  s.last_cut = s.paused_until = Clock::time_point::min();
  s.stats.current_rps = s.rate;
}

Result<RateLimiter::Permit, RateLimitRefusal> RateLimiter::acquire(Clock::time_point deadline) {
  auto& s = *state_;
  Clock& clock = *s.clock;
  const auto started = clock.now();
  bool waited = false;
  // Time spent is counted only for acquires that waited, so a caller that never waits shows
  // zero wait time, not the few nanoseconds of taking the lock. Called with s.mu held.
  auto account_locked = [&]() -> Clock::duration {
    if (!waited) return Clock::duration::zero();
    const auto spent = clock.now() - started;
    s.stats.waited += std::chrono::duration_cast<std::chrono::nanoseconds>(spent);
    ++s.stats.waits;
    return spent;
  };
  auto refuse = [&](RateLimitRefusal r) -> Result<Permit, RateLimitRefusal> {
    std::lock_guard lock(s.mu);
    --s.acquiring;
    account_locked();
    return unexpected(r);
  };
  {
    std::lock_guard lock(s.mu);
    ++s.acquiring;
  }

  // Gate 1 and 2: the 429 pause and the pacer, both on the injected clock.
  for (;;) {
    Clock::time_point wake{};
    bool paused = false;
    std::uint64_t epoch = 0;
    {
      std::lock_guard lock(s.mu);
      const auto now = clock.now();
      if (s.paused_until > now) {
        wake = s.paused_until;
        paused = true;
      } else if (s.paced()) {
        s.refill(now);
        if (s.alone() && !s.adapting()) {
          // Alone at the configured rate: goes now, spending a token if there is one but never
          // borrowing one, and spacing whoever comes next as a reservation would.
          s.tokens = s.tokens >= 1.0 ? s.tokens - 1.0 : std::min(s.tokens, 0.0);
          s.next_slot = std::max(s.next_slot, now + std::chrono::ceil<Clock::duration>(
                                                        FloatSeconds(1.0 / (kBurstSpeedup * s.rate))));
          ++s.stats.lone;
          break;
        }
        wake = std::max(now, s.next_slot);
        if (s.tokens < 1.0) {
          auto need = std::chrono::ceil<Clock::duration>(FloatSeconds((1.0 - s.tokens) / s.rate));
          wake = std::max(wake, now + need);
        }
        if (wake <= deadline) {  // reserved: the token and the slot are ours when we wake
          s.tokens -= 1.0;
          s.next_slot = wake + std::chrono::ceil<Clock::duration>(FloatSeconds(1.0 / (kBurstSpeedup * s.rate)));
          epoch = s.epoch;
          if (wake == now) break;
        }
      } else {
        break;
      }
    }
    if (wake > deadline) return refuse(RateLimitRefusal{wake, paused});
    waited = true;
    clock.sleep_until(wake);
    if (!paused) {
      std::lock_guard lock(s.mu);
      if (s.paused_until <= clock.now()) break;
      // A 429 paused everyone while we slept: queue again behind the pause. The token goes
      // back only if the 429 did not already empty the bucket it came from.
      if (s.epoch == epoch) s.tokens += 1.0;
    }
  }

  // Gate 3: the concurrency cap, waiting in real time for another request to finish.
  {
    std::unique_lock lock(s.mu);
    if (s.options.max_concurrency > 0 && s.in_flight >= s.options.max_concurrency) {
      waited = true;
      auto left = deadline - clock.now();
      auto real_deadline = std::chrono::steady_clock::now() +
                           std::max(left, Clock::duration::zero());
      bool got = s.slot_freed.wait_until(lock, real_deadline, [&] {
        return s.in_flight < s.options.max_concurrency;
      });
      if (!got) {
        lock.unlock();
        return refuse(RateLimitRefusal{deadline, false});
      }
    }
    --s.acquiring;
    ++s.in_flight;
    s.stats.in_flight = s.in_flight;
    Permit permit;
    permit.waited_ = account_locked();
    permit.state_ = state_;
    return permit;
  }
}

void RateLimiter::throttled(Clock::time_point until) {
  auto& s = *state_;
  std::lock_guard lock(s.mu);
  ++s.stats.throttled_429;
  const auto now = s.clock->now();
  // Several requests in flight may all come back 429 for one overload: one cut per pause.
  const bool new_episode = s.paused_until <= now;
  s.paused_until = std::max(s.paused_until, until);
  if (!s.paced()) return;
  if (new_episode) s.cut(kThrottleFactor, &RateLimiterStats::slowdowns_429, now, s.paused_until);
  s.tokens = 1;  // the first request goes when the pause ends, the rest at the new rate
  s.refilled_at = std::max(s.refilled_at, s.paused_until);  // the bucket does not fill during the pause
  s.next_slot = std::max(s.next_slot, s.paused_until);
  ++s.epoch;
}

void RateLimiter::observe(const ServerQuota& quota) {
  auto& s = *state_;
  const auto stated = quota.server_rps();
  if (!s.paced() || (!quota.low() && !stated)) return;
  std::lock_guard lock(s.mu);
  const auto now = s.clock->now();
  if (stated) {
    s.refill(now);
    s.ceiling = std::min(s.options.requests_per_second, *stated);
    s.rate = std::min(s.rate, s.ceiling);
    s.stats.current_rps = s.rate;
    if (!quota.low()) return;
  }
  if (s.last_cut != Clock::time_point::min() && now - s.last_cut < kLowBudgetCooldown) {
    s.tokens = std::min(s.tokens, 0.0);
    return;
  }
  s.last_cut = now;
  s.cut(kLowBudgetFactor, &RateLimiterStats::slowdowns_low_budget, now, now);
}

void RateLimiter::pause_until(Clock::time_point until) {
  std::lock_guard lock(state_->mu);
  state_->paused_until = std::max(state_->paused_until, until);
}

void RateLimiter::record_429() {
  std::lock_guard lock(state_->mu);
  ++state_->stats.throttled_429;
}

Clock::time_point RateLimiter::paused_until() const {
  std::lock_guard lock(state_->mu);
  return state_->paused_until;
}

RateLimiterStats RateLimiter::stats() const {
  std::lock_guard lock(state_->mu);
  // Without this, a reader (the status tool, /metrics) would see the rate of the last request,
  // still cut long after it recovered, whenever no request has gone since.
  if (state_->paced()) state_->refill(state_->clock->now());
  return state_->stats;
}

}  // namespace jira_mcp::jira
