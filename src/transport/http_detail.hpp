#pragma once
// Private pieces of the HTTP transport: request checks (allow-lists, bearer token, credential
// headers), session ids, and the worker pool handed to cpp-httplib.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/transport/http.hpp"

namespace jira_mcp::transport::detail {

// Host header value ("name[:port]") against the allow-list; an empty list means the loopback
// names with no port or with `port`.
bool host_allowed(std::string_view host, const std::vector<std::string>& allowed, int port);
// Origin header value ("scheme://name[:port]") against the allow-list; empty list: loopback.
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed, int port);
// `Authorization` header value against the configured token, in constant time.
bool bearer_matches(std::string_view authorization, const std::string& token);
// Credentials from the X-Jira-* headers; an error (naming the headers, never the values) when
// they are incomplete.
Result<Identity, std::string> identity_from(const httplib::Request& req);
// 128 random bits from the kernel's CSPRNG (getrandom) as 32 hex digits.
std::string new_session_id();
// True when `accept` (an Accept header) admits `type` explicitly or through a wildcard.
bool accepts(std::string_view accept, std::string_view type);

// The worker pool (also cpp-httplib's task queue under TLS): threads are started on demand up
// to `max`; one idle for `idle` exits (joined by the next enqueue() or by shutdown()), so the
// count returns to idle after a burst. A job that finds every thread busy waits in the queue.
// shutdown() runs the jobs already queued, then joins every thread.
class ElasticPool final : public httplib::TaskQueue {
 public:
  ElasticPool(std::size_t max, std::atomic<std::size_t>& alive,
              std::chrono::milliseconds idle = std::chrono::milliseconds(10000))
      : max_(max), idle_timeout_(idle), alive_(alive) {}
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void loop();
  std::size_t max_;
  std::chrono::milliseconds idle_timeout_;
  std::atomic<std::size_t>& alive_;
  std::vector<std::thread> retired_;  // exited (or exiting) threads, joined outside the lock
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;  // joined in shutdown(); std::thread because httplib may
                                      // call shutdown() from its own listener thread
  std::size_t idle_ = 0;      // threads waiting for a job
  std::size_t starting_ = 0;  // threads started that have not yet looked for one
  bool shutdown_ = false;
};

}  // namespace jira_mcp::transport::detail
