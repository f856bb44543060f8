#pragma once
// The time seam of the Jira client. Token buckets, 429 pauses, backoff sleeps and retry budgets
// read time from a Clock, so tests move time by hand instead of sleeping.
//
// Socket-level timeouts (connect, read) and pool waits are real time and use Deadline
// (transport.hpp); everything that *decides* when to send uses this Clock.
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace jira_mcp::jira {

// Thread-safe: every member may be called from many threads at once.
class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  // Monotonic time used for all waits and budgets.
  virtual time_point now() const = 0;
  // Wall time, only for interpreting absolute server times (X-RateLimit-Reset, HTTP dates).
  virtual std::chrono::system_clock::time_point wall_now() const = 0;
  // Blocks the calling thread until now() >= t; returns at once if t has passed.
  virtual void sleep_until(time_point t) = 0;
};

// The real clocks. The instance is shared and lives for the whole process.
std::shared_ptr<Clock> real_clock();

// A manual clock for tests. Time moves only through advance() or sleep_until(), which jumps
// straight to its target instead of blocking, so minutes of backoff run in microseconds. Every
// sleep is recorded. Thread-safe.
class FakeClock final : public Clock {
 public:
  // Wall time starts at `wall_origin` (default 2026-01-01T00:00:00Z) and moves with now().
  explicit FakeClock(std::chrono::system_clock::time_point wall_origin =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1767225600)));

  time_point now() const override;
  std::chrono::system_clock::time_point wall_now() const override;
  void sleep_until(time_point t) override;

  void advance(duration d);
  // The lengths of the sleeps taken so far (a sleep into the past records zero).
  std::vector<duration> sleeps() const;
  duration total_slept() const;

 private:
  mutable std::mutex mu_;
  time_point origin_;
  time_point now_;
  std::chrono::system_clock::time_point wall_origin_;
  std::vector<duration> sleeps_;
};

}  // namespace jira_mcp::jira
