#pragma once
// A private redis-server for a test: cluster::LocalRedis (Unix socket in its own temp directory,
// no TCP, nothing on disk, stopped by pid) with failures thrown, as a test's set-up wants. Tests
// call RedisServer::find() first and skip with a MESSAGE when Debian's redis-server is not
// installed (make setup installs it).
//
// Not thread-safe: the test thread that made it owns it. The destructor stops the server and
// removes the directory.
#include <jira_mcp/cluster/local_redis.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace jira_mcp::testing {

class RedisServer {
 public:
  static std::optional<std::string> find() { return cluster::LocalRedis::find(); }

  // Starts it; throws std::runtime_error when it does not come up.
  explicit RedisServer(std::string binary) {
    auto made = cluster::LocalRedis::create(std::move(binary));
    if (!made) throw std::runtime_error(made.error().message);
    server_ = std::move(*made);
    start();
  }

  std::string socket_path() const { return server_->socket_path(); }
  std::string url() const { return server_->url(); }
  int pid() const { return server_->pid(); }

  // Starts the server (again, after stop() or kill()) and waits until its socket accepts
  // connections (at most 10 s). Throws std::runtime_error if it does not come up.
  void start() {
    if (auto s = server_->start(); !s) throw std::runtime_error(s.error().message);
  }
  bool accepts_connections() const { return server_->accepts_connections(); }
  // Extra redis-server arguments for the next start(), e.g. {"--requirepass", "secret"}.
  void set_extra_args(std::vector<std::string> extra) { server_->set_extra_args(std::move(extra)); }
  // SIGTERM, then SIGKILL after 5 s; waits for the process. Idempotent.
  void stop() { server_->stop(); }
  // Dies at once, as a crash would.
  void kill() { server_->kill(); }

 private:
  std::unique_ptr<cluster::LocalRedis> server_;
};

}  // namespace jira_mcp::testing
