#pragma once
// A Peer that records every message the core sends, for tests of the dispatcher and session.
// Thread-safe: handlers on other threads may send while the test thread waits.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "jira_mcp/mcp/session.hpp"

namespace jira_mcp::testing {

class RecordingPeer : public mcp::Peer {
 public:
  void send(const Json& message) override {
    std::function<void(const Json&)> hook;
    {
      std::lock_guard lock(mu_);
      sent_.push_back(message);
      hook = on_send_;
    }
    cv_.notify_all();
    if (hook) hook(message);
  }
  // Called (outside the lock) for every message sent, e.g. to answer server-to-client requests.
  void on_send(std::function<void(const Json&)> hook) {
    std::lock_guard lock(mu_);
    on_send_ = std::move(hook);
  }
  std::vector<Json> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::vector<Json> with_method(const std::string& method) const {
    std::vector<Json> out;
    for (const auto& m : sent()) {
      if (m.value("method", "") == method) out.push_back(m);
    }
    return out;
  }
  // Waits until a message with `method` has been sent; returns it.
  std::optional<Json> wait_for(const std::string& method, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    std::optional<Json> found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& m : sent_) {
        if (m.value("method", "") == method) {
          found = m;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Json> sent_;
  std::function<void(const Json&)> on_send_;
};

}  // namespace jira_mcp::testing
