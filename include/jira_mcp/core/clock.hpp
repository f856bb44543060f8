#pragma once
// The time seam. Everything whose behaviour depends on the passing of time (token buckets, 429
// pauses, backoff sleeps, retry budgets, cache TTLs, alert windows) reads it from a Clock, so
// tests move time by hand instead of sleeping.
//
// Socket-level timeouts (connect, read) and pool waits are real time and use the Jira
// transport's Deadline; everything that *decides* when something happens uses this Clock.
//
// Lives in core so that modules below jira (cache, monitor) share one interface with it, and a
// test can drive the client and its cache from a single FakeClock. jira/clock.hpp re-exports
// these names as jira::Clock, jira::FakeClock and jira::real_clock.
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace jira_mcp {

// Thread-safe: every member may be called from many threads at once.
class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  // Monotonic time used for all waits and budgets.
  virtual time_point now() const = 0;
  // Wall time, only for interpreting absolute times (X-RateLimit-Reset, HTTP dates, expiry
  // times that must survive the process, such as the cache's on-disk entries).
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

}  // namespace jira_mcp
