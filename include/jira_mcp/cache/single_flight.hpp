#pragma once
// SingleFlight<T>: concurrent calls for the same key run the work once and share its result.
//
// The first caller for a key (the leader) runs `fn` on its own thread; callers that arrive
// while it runs wait for it and receive a copy of its result, whatever it is (an error result
// too). Once the leader finishes, the key is forgotten: the next call runs `fn` again, so
// nothing is cached here (Cache::read_through stores results; this only coalesces).
//
// Thread safety: run() may be called from any number of threads. The mutex guards only the
// key table; `fn` runs without it. If `fn` throws, the exception propagates to the leader and
// the waiters receive it as well (through the shared future).
#include <cstdint>
#include <future>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace jira_mcp::cache {

template <class T>
class SingleFlight {
 public:
  // Sets *joined (when given) to whether this call waited for another caller's run.
  template <class Fn>
  T run(const std::string& key, Fn&& fn, bool* joined = nullptr) {
    std::promise<T> promise;
    {
      std::unique_lock lock(mu_);
      if (auto it = flights_.find(key); it != flights_.end()) {
        std::shared_future<T> waiting = it->second;
        ++waiting_;
        lock.unlock();
        if (joined) *joined = true;
        struct Leave {
          SingleFlight* self;
          ~Leave() {
            std::lock_guard l(self->mu_);
            --self->waiting_;
          }
        } leave{this};
        return waiting.get();
      }
      flights_.emplace(key, promise.get_future().share());
    }
    if (joined) *joined = false;
    try {
      T result = fn();
      finish(key);
      promise.set_value(result);
      return result;
    } catch (...) {
      finish(key);
      promise.set_exception(std::current_exception());
      throw;
    }
  }

  // Keys with a run in progress (for tests and stats).
  std::size_t in_flight() const {
    std::lock_guard lock(mu_);
    return flights_.size();
  }
  // Callers currently waiting for another caller's run (for tests and stats).
  std::size_t waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  void finish(const std::string& key) {
    std::lock_guard lock(mu_);
    flights_.erase(key);
  }

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_future<T>> flights_;
  std::size_t waiting_ = 0;
};

}  // namespace jira_mcp::cache
