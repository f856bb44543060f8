#pragma once
// The front door of the plain-HTTP server: one epoll thread that owns the listening socket and
// every connection while no request of it is being served. See http_front_door.cpp for the design.
//
// Thread safety: start()/stop_accepting()/close_all() from the owning server's thread; serve()
// runs on the worker pool; stats are relaxed atomics.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "jira_mcp/core/result.hpp"
#include "transport/http_gate.hpp"

namespace jira_mcp::transport::detail {

// httplib's request processing for one request read from a Stream we provide. process_request
// is a protected member of httplib::Server, so a subclass may call it; svr_sock_ (protected)
// must hold a valid socket while we serve, since httplib ends chunked bodies (SSE streams) once
// it is INVALID_SOCKET.
class GatedServer final : public httplib::Server {
 public:
  bool process_one(httplib::Stream& stream, bool close, bool& closed) {
    return process_request(stream, close, closed, nullptr);
  }
  void set_serving_socket(socket_t s) { svr_sock_ = s; }
  socket_t clear_serving_socket() { return svr_sock_.exchange(INVALID_SOCKET); }
};

class FrontDoor {
 public:
  using Clock = std::chrono::steady_clock;
  struct Conn;
  // Runs one request of `conn` on a worker; true when the connection may carry another.
  using Process = std::function<bool(httplib::Stream&, bool close, bool& closed)>;

  FrontDoor(const HttpOptions& options, httplib::TaskQueue& pool, Process process, std::atomic<bool>& stopping);
  ~FrontDoor();
  FrontDoor(const FrontDoor&) = delete;
  FrontDoor& operator=(const FrontDoor&) = delete;

  // Binds and listens on host:port (0: any free port); returns the bound port.
  Result<int, std::string> bind(const std::string& host, int port);
  int listen_fd() const { return listen_fd_; }
  // Starts the epoll thread.
  void start();
  // Stops accepting, closes every connection not being served, joins the epoll thread.
  void stop_accepting();
  // After the worker pool has been joined: closes the connections it handed back.
  void close_all();

  std::size_t connections() const { return open_.load(std::memory_order_relaxed); }
  std::size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  void loop();
  void accept_all();
  void on_readable(Conn& c, bool hangup);
  void drain(Conn& c);
  void refuse(Conn& c, int status, const std::string& reason);
  void linger(Conn& c);
  void close_conn(int fd);
  void sweep(Clock::time_point now);
  void take_returns();
  void serve(Conn& c);  // on a worker
  void set_state(Conn& c, int state);

  const HttpOptions& options_;
  httplib::TaskQueue& pool_;
  Process process_;
  std::atomic<bool>& stopping_;
  std::unique_ptr<HeaderGate> gate_;
  int listen_fd_ = -1, epoll_fd_ = -1, wake_fd_ = -1;
  std::jthread thread_;
  std::atomic<bool> quit_{false};
  bool accept_paused_ = false;
  Clock::time_point log_window_{};
  std::size_t log_count_ = 0, log_suppressed_ = 0;
  Clock::time_point accept_resume_;

  // Owned by the epoll thread (after start()); a Conn being served is reached by its worker only.
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
  std::unordered_map<std::string, std::size_t> per_client_;
  std::vector<char> peek_;
  std::atomic<std::size_t> open_{0}, waiting_{0};

  std::mutex returns_mu_;
  std::vector<std::pair<Conn*, bool>> returns_;  // (connection, keep it open)
};

}  // namespace jira_mcp::transport::detail
