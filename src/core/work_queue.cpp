#include "jira_mcp/core/work_queue.hpp"

#include <spdlog/spdlog.h>

#include <system_error>

namespace jira_mcp::core {

WorkQueue::WorkQueue(size_t threads, size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity), max_threads_(threads == 0 ? 1 : threads) {
  threads_.reserve(max_threads_);
}

WorkQueue::~WorkQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  drain();
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  work_cv_.notify_all();
  threads_.clear();  // joins
}

bool WorkQueue::try_submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    // A worker takes a task and counts itself running in one step under mu_, so the free
    // workers are those started and not running.
    if (queue_.size() + 1 > threads_.size() - running_ && threads_.size() < max_threads_) {
      try {
        threads_.emplace_back([this] { worker_loop(); });
      } catch (const std::system_error& e) {
        // No thread now: a started worker takes the task later; with none started, refuse it.
        spdlog::warn("could not start a worker thread: {}", e.what());
        if (threads_.empty()) return false;
      }
    }
    queue_.push_back(std::move(task));
  }
  work_cv_.notify_one();
  return true;
}

bool WorkQueue::try_claim() {
  std::lock_guard lock(mu_);
  if (stopping_ || !queue_.empty() || running_ != 0 || claimed_ != 0) return false;
  ++claimed_;
  return true;
}

void WorkQueue::release_claim() {
  bool wake_worker = false;
  {
    std::lock_guard lock(mu_);
    --claimed_;
    wake_worker = !queue_.empty();
    if (queue_.empty() && running_ == 0 && claimed_ == 0) idle_cv_.notify_all();
  }
  if (wake_worker) work_cv_.notify_one();
}

void WorkQueue::drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && running_ == 0 && claimed_ == 0; });
}

size_t WorkQueue::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WorkQueue::running() const {
  std::lock_guard lock(mu_);
  return running_;
}

void WorkQueue::worker_loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return (!queue_.empty() && running_ + claimed_ < max_threads_) || quit_; });
      if (queue_.empty()) return;  // quit_, and nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("a worker task threw: {}", e.what());
    } catch (...) {
      spdlog::error("a worker task threw a non-standard exception");
    }
    {
      std::lock_guard lock(mu_);
      --running_;
      if (queue_.empty() && running_ == 0 && claimed_ == 0) idle_cv_.notify_all();
    }
  }
}

}  // namespace jira_mcp::core
