#include "jira_mcp/core/clock.hpp"

#include <thread>

namespace jira_mcp {

namespace {

class RealClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point wall_now() const override {
    return std::chrono::system_clock::now();
  }
  void sleep_until(time_point t) override { std::this_thread::sleep_until(t); }
};

}  // namespace

std::shared_ptr<Clock> real_clock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<RealClock>();
  return clock;
}

// The fake's monotonic origin is arbitrary; an hour past the epoch keeps subtraction safe.
FakeClock::FakeClock(std::chrono::system_clock::time_point wall_origin)
    : origin_(time_point(std::chrono::hours(1))), now_(origin_), wall_origin_(wall_origin) {}

Clock::time_point FakeClock::now() const {
  std::lock_guard lock(mu_);
  return now_;
}

std::chrono::system_clock::time_point FakeClock::wall_now() const {
  std::lock_guard lock(mu_);
  return wall_origin_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(now_ - origin_);
}

void FakeClock::sleep_until(time_point t) {
  std::lock_guard lock(mu_);
  sleeps_.push_back(t > now_ ? t - now_ : duration::zero());
  if (t > now_) now_ = t;
}

void FakeClock::advance(duration d) {
  std::lock_guard lock(mu_);
  now_ += d;
}

std::vector<Clock::duration> FakeClock::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

Clock::duration FakeClock::total_slept() const {
  std::lock_guard lock(mu_);
  duration sum{0};
  for (auto d : sleeps_) sum += d;
  return sum;
}

}  // namespace jira_mcp
