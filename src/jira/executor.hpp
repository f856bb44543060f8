#pragma once
// Up to a fixed number of worker threads running queued tasks; the Client's async calls run here.
// Workers start on demand (submit starts one when more tasks wait than workers are free), so a
// client that has sent nothing has started no thread (start-up time, issue #16).
// Thread-safe. The destructor stops taking work, lets the workers finish every queued task
// (so no future is left without a value) and joins them.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace jira_mcp::jira::detail {

class Executor {
 public:
  explicit Executor(std::size_t threads) : max_workers_(threads == 0 ? 1 : threads) {
    workers_.reserve(max_workers_);
  }
  ~Executor() { shutdown(); }

  // Stops taking work, runs what is queued, joins the workers. Idempotent; call it from the
  // owner's destructor body while everything the tasks touch is still alive. After it,
  // submit() throws std::logic_error (a broken invariant: submitting to a dead executor).
  void shutdown() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    ready_.notify_all();
    workers_.clear();  // joins
  }
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  template <class F>
  auto submit(F&& f) -> std::future<decltype(f())> {
    using R = decltype(f());
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(f));
    auto future = task->get_future();
    {
      std::lock_guard lock(mu_);
      if (stopping_) throw std::logic_error("Executor::submit after shutdown");
      queue_.emplace_back([task] { (*task)(); });
      // A worker takes a job and counts itself busy in one step under mu_.
      if (queue_.size() > workers_.size() - busy_ && workers_.size() < max_workers_) {
        try {
          workers_.emplace_back([this] { run(); });
        } catch (const std::system_error&) {
          // No thread now: a started worker runs the job later; with none started, submit
          // throws (as the constructor did when it started every worker).
          if (workers_.empty()) {
            queue_.pop_back();
            throw;
          }
        }
      }
    }
    ready_.notify_one();
    return future;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        job = std::move(queue_.front());
        queue_.pop_front();
        ++busy_;
      }
      job();  // packaged_task stores exceptions in the future; nothing escapes the thread
      std::lock_guard lock(mu_);
      --busy_;
    }
  }

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  const std::size_t max_workers_;
  std::size_t busy_ = 0;  // workers running a job
  std::vector<std::jthread> workers_;  // last: joined before the queue is destroyed
};

}  // namespace jira_mcp::jira::detail
