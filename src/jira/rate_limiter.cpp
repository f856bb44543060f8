// The token bucket reserves tokens: a caller that finds the bucket empty takes a token it does
// not have yet (the balance goes negative) and sleeps until the refill covers it. Callers are
// thus spaced 1/rate apart in arrival order without any of them polling, and all sleeping
// happens outside the lock on the injected clock.
#include "jira_mcp/jira/rate_limiter.hpp"

#include <algorithm>
#include <condition_variable>

namespace jira_mcp::jira {

namespace detail {

struct LimiterState {
  RateLimitOptions options;
  std::shared_ptr<Clock> clock;
  mutable std::mutex mu;
  std::condition_variable slot_freed;
  double tokens = 0;
  Clock::time_point refilled_at;
  Clock::time_point paused_until;
  std::size_t in_flight = 0;
  RateLimiterStats stats;
};

}  // namespace detail

namespace {

using FloatSeconds = std::chrono::duration<double>;

void refill(detail::LimiterState& s, Clock::time_point now) {
  if (now <= s.refilled_at) return;
  double add = FloatSeconds(now - s.refilled_at).count() * s.options.requests_per_second;
  s.tokens = std::min(s.options.burst, s.tokens + add);
  s.refilled_at = now;
}

}  // namespace

RateLimiter::Permit::Permit(Permit&& other) noexcept : state_(std::move(other.state_)) {}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    Permit old(std::move(*this));
    state_ = std::move(other.state_);
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
  state_->options = options;
  state_->clock = clock ? std::move(clock) : real_clock();
  state_->tokens = options.burst;
  state_->refilled_at = state_->clock->now();
  state_->paused_until = Clock::time_point::min();
}

Result<RateLimiter::Permit, RateLimitRefusal> RateLimiter::acquire(Clock::time_point deadline) {
  auto& s = *state_;
  Clock& clock = *s.clock;
  const auto started = clock.now();
  bool waited = false;
  auto account = [&] {
    auto spent = clock.now() - started;
    std::lock_guard lock(s.mu);
    s.stats.waited += std::chrono::duration_cast<std::chrono::nanoseconds>(spent);
    if (waited) ++s.stats.waits;
  };

  // Gate 1 and 2: the 429 pause and the bucket, both on the injected clock.
  for (;;) {
    Clock::time_point wake{};
    bool paused = false;
    {
      std::lock_guard lock(s.mu);
      auto now = clock.now();
      if (s.paused_until > now) {
        wake = s.paused_until;
        paused = true;
      } else if (s.options.requests_per_second > 0) {
        refill(s, now);
        if (s.tokens >= 1.0) {
          s.tokens -= 1.0;
          break;
        }
        auto need = FloatSeconds((1.0 - s.tokens) / s.options.requests_per_second);
        wake = now + std::chrono::ceil<Clock::duration>(need);
        if (wake <= deadline) s.tokens -= 1.0;  // reserved; it is ours when we wake
      } else {
        break;
      }
    }
    if (wake > deadline) {
      account();
      return unexpected(RateLimitRefusal{wake, paused});
    }
    waited = true;
    clock.sleep_until(wake);
    if (!paused) {
      // A pause may have started while we slept; the reserved token stays ours.
      std::unique_lock lock(s.mu);
      if (s.paused_until <= clock.now()) break;
      s.tokens += 1.0;  // give it back and queue behind the pause
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
        account();
        return unexpected(RateLimitRefusal{deadline, false});
      }
    }
    ++s.in_flight;
    s.stats.in_flight = s.in_flight;
  }
  account();
  Permit permit;
  permit.state_ = state_;
  return permit;
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
  return state_->stats;
}

}  // namespace jira_mcp::jira
