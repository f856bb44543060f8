// The pool keeps, per host, a stack of idle connections and a count of live ones (idle +
// leased). acquire() prefers the most recently returned idle connection (its socket is the
// least likely to have been closed by the server's keep-alive timeout), else creates one while
// under the bound, else waits on a condition variable. Connections are created and destroyed
// outside the lock: creating may allocate TLS contexts and destroying closes sockets.
#include "jira_mcp/jira/pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <vector>

namespace jira_mcp::jira {

namespace detail {

struct HostSlot {
  std::vector<std::unique_ptr<Connection>> idle;
  std::size_t live = 0;
};

struct PoolState {
  PoolOptions options;
  ConnectionPool::Factory factory;
  mutable std::mutex mu;
  std::condition_variable freed;
  std::map<std::string, HostSlot> hosts;
  PoolStats stats;  // guarded by mu (idle/in_use derived on read)
};

}  // namespace detail

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : state_(std::move(other.state_)),
      host_(std::move(other.host_)),
      conn_(std::move(other.conn_)),
      discard_(other.discard_),
      reused_(other.reused_) {}

ConnectionPool::Lease& ConnectionPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    host_ = std::move(other.host_);
    conn_ = std::move(other.conn_);
    discard_ = other.discard_;
    reused_ = other.reused_;
  }
  return *this;
}

ConnectionPool::Lease::~Lease() { release(); }

void ConnectionPool::Lease::release() noexcept {
  if (!state_ || !conn_) {
    state_.reset();
    return;
  }
  std::unique_ptr<Connection> doomed;
  {
    std::lock_guard lock(state_->mu);
    auto& slot = state_->hosts[host_];
    --state_->stats.in_use;
    if (discard_ || !state_->options.enabled) {
      if (discard_) ++state_->stats.discarded;
      --slot.live;
      doomed = std::move(conn_);
    } else {
      slot.idle.push_back(std::move(conn_));
    }
  }
  state_->freed.notify_one();
  doomed.reset();
  state_.reset();
}

ConnectionPool::ConnectionPool(PoolOptions options, Factory factory)
    : options_(options), state_(std::make_shared<detail::PoolState>()) {
  if (options_.max_per_host == 0) options_.max_per_host = 1;
  state_->options = options_;
  state_->factory = std::move(factory);
}

ConnectionPool::~ConnectionPool() = default;

Result<ConnectionPool::Lease, TransportError> ConnectionPool::acquire(const std::string& host,
                                                                      const Deadline& deadline) {
  Lease lease;
  lease.state_ = state_;
  lease.host_ = host;
  auto wait_until = std::min(deadline.at, Deadline::after(options_.wait_timeout).at);
  bool create = false;
  {
    std::unique_lock lock(state_->mu);
    auto& slot = state_->hosts[host];
    bool counted_wait = false;
    for (;;) {
      if (!slot.idle.empty()) {
        lease.conn_ = std::move(slot.idle.back());
        slot.idle.pop_back();
        lease.reused_ = true;
        ++state_->stats.reused;
        break;
      }
      if (slot.live < options_.max_per_host) {
        ++slot.live;
        ++state_->stats.created;
        create = true;
        break;
      }
      if (!counted_wait) {
        counted_wait = true;
        ++state_->stats.waits;
      }
      if (state_->freed.wait_until(lock, wait_until) == std::cv_status::timeout &&
          slot.idle.empty() && slot.live >= options_.max_per_host) {
        ++state_->stats.wait_timeouts;
        lease.state_.reset();
        return unexpected(TransportError{
            TransportErrorKind::pool_timeout, false,
            "all " + std::to_string(options_.max_per_host) + " connections to " + host +
                " stayed busy; no connection became free in time"});
      }
    }
    ++state_->stats.in_use;
  }
  if (create) lease.conn_ = state_->factory(host);
  return lease;
}

PoolStats ConnectionPool::stats() const {
  std::lock_guard lock(state_->mu);
  PoolStats s = state_->stats;
  s.idle = 0;
  for (const auto& [host, slot] : state_->hosts) s.idle += slot.idle.size();
  return s;
}

}  // namespace jira_mcp::jira
