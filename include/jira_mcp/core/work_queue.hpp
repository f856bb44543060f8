#pragma once
// WorkQueue: a bounded pool of worker threads fed by a bounded FIFO queue.
//
// Thread safety: all members are thread-safe. try_submit never blocks: when the queue is full
// it refuses, so a caller flooding the server gets a fast "busy" answer instead of unbounded
// memory growth. Tasks must not throw (an escaping exception is logged and swallowed).
// The destructor stops accepting work, finishes what is queued, and joins the threads.
// Workers start on demand: try_submit starts one when more tasks wait than workers are free,
// up to `threads`, so a server that has not been asked anything yet has started none (start-up
// time, issue #16: each thread costs its creator ~0.1-0.2 ms on a paravirtualized guest).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace jira_mcp::core {

class WorkQueue {
 public:
  WorkQueue(size_t threads, size_t capacity);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False when the queue holds `capacity` waiting tasks, or the queue is shutting down.
  bool try_submit(std::function<void()> task);
  // A task the caller runs on its own thread, counted as one of the `threads` running: true (and
  // counted) when no task runs, waits or is claimed; false otherwise. release_claim() when it is
  // done. While it runs, workers start at most threads - 1 tasks, so the bound holds.
  bool try_claim();
  void release_claim();
  // Blocks until no task is queued, running or claimed.
  void drain();
  size_t queued() const;
  size_t running() const;

 private:
  void worker_loop();
  mutable std::mutex mu_;
  // A plain condition variable: condition_variable_any (for a stop_token) notifies under its own
  // internal mutex, so the woken worker blocked on it at once, two more futex calls per task.
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> queue_;
  size_t capacity_;
  size_t max_threads_;
  size_t running_ = 0;
  size_t claimed_ = 0;
  bool stopping_ = false;  // no new tasks
  bool quit_ = false;      // workers leave once the queue is empty
  std::vector<std::jthread> threads_;
};

}  // namespace jira_mcp::core
