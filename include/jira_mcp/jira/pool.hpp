#pragma once
// ConnectionPool: bounded keep-alive connections per host, handed out as move-only leases.
//
// A Lease gives exclusive use of one Connection. Its noexcept destructor returns the
// connection to the pool's idle list, unless discard() was called (after an I/O error the
// socket state is unknown, so the connection is destroyed and its slot freed). At most
// `max_per_host` connections per host exist at once (idle + leased); acquire() waits for a
// free one until the pool wait timeout or the caller's deadline, whichever is first.
// With pooling disabled every acquire() makes a fresh connection and release destroys it;
// the per-host bound still applies, so the two modes are comparable in benchmarks.
//
// Thread safety: all members are thread-safe. Leases keep the pool state alive, so a lease
// may outlive the pool object.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/http.hpp"

namespace jira_mcp::jira {

// One connection to one host, used by one request at a time (the pool guarantees it).
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result<HttpResponse, TransportError> send(const HttpRequest& request,
                                                    const Deadline& deadline) = 0;
  // Whether unread bytes (or the peer's close) wait on the connection. Checked before a parked
  // connection is reused: such a connection is discarded, never used.
  virtual bool pending_bytes() const { return false; }
};

struct PoolOptions {
  std::size_t max_per_host = 8;
  std::chrono::milliseconds wait_timeout{10000};
  bool enabled = true;  // false: a new connection per request, never reused
};

struct PoolStats {
  std::uint64_t created = 0;
  std::uint64_t reused = 0;
  std::uint64_t discarded = 0;      // destroyed after an I/O error
  std::uint64_t waits = 0;          // acquires that found every connection busy
  std::uint64_t wait_timeouts = 0;  // of those, how many gave up
  std::uint64_t in_use = 0;         // leases out right now
  std::uint64_t idle = 0;           // connections parked for reuse right now
};

namespace detail {
struct PoolState;
}

class ConnectionPool {
 public:
  // Makes a new connection to `host` ("scheme://host:port"). Must not return null.
  using Factory = std::function<std::unique_ptr<Connection>(const std::string& host)>;

  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();  // gives the connection back (or destroys it after discard())

    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }
    explicit operator bool() const { return conn_ != nullptr; }
    // Marks the connection broken: it is destroyed instead of reused.
    void discard() noexcept { discard_ = true; }
    // Whether this lease reuses a connection that served an earlier request.
    bool reused() const { return reused_; }

   private:
    friend class ConnectionPool;
    void release() noexcept;
    std::shared_ptr<detail::PoolState> state_;
    std::string host_;
    std::unique_ptr<Connection> conn_;
    bool discard_ = false;
    bool reused_ = false;
  };

  ConnectionPool(PoolOptions options, Factory factory);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection to `host`; TransportErrorKind::pool_timeout (request_sent=false) when none
  // became free within the wait timeout or by `deadline`.
  Result<Lease, TransportError> acquire(const std::string& host, const Deadline& deadline);

  PoolStats stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  PoolOptions options_;
  std::shared_ptr<detail::PoolState> state_;
};

}  // namespace jira_mcp::jira
