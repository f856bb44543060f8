// The front door: why it exists and how it hands requests to httplib.
//
// cpp-httplib serves a connection on one thread from accept to close: it reads the header block
// line by line with a per-read timeout, so a client sending a byte every few seconds holds a
// thread forever, and 2,300 such clients hold 2,300 threads (each ~8 MiB of address space and a
// kernel task) that are never given back. It also reads every header before our first check runs,
// with no bound on their number, and reads chunked or compressed bodies without a size limit.
//
// So plain HTTP is served without httplib's listen loop. One thread, owned by this object, runs
// an epoll loop over the listening socket and over every connection that is not being served:
//   - accept: per-client (source address) and total connection limits (429 / 503 and close);
//   - wait for the header block, looking at it with MSG_PEEK (nothing is consumed), edge-
//     triggered so each arrival wakes us once; every look runs the HeaderGate over what is there,
//     which refuses a bad Host, Origin, bearer token, Content-Length, Transfer-Encoding or
//     Content-Encoding as soon as that line is complete, and too many or too long lines;
//   - a total deadline for the block (http.header_timeout, not per byte) and for idle kept-alive
//     connections (http.keep_alive_idle), checked every 100 ms;
//   - refusals are written here (a small response with Connection: close), then the connection is
//     half-closed and drained briefly so the client reads the answer rather than a reset.
// A connection whose header block passed is taken out of epoll and queued to the worker pool.
// The worker runs httplib's own request processing (Server::process_request, a protected member
// reached through the GatedServer subclass) over a ConnStream: our httplib::Stream over the
// socket, which reads at most the bytes this request may have (its header block plus its
// Content-Length, or a cap for chunked bodies, whose de-chunked size the handlers count), with a
// total deadline for the body (http.body_timeout), and writes with a per-write timeout. Because
// the stream never reads past the request, a kept-alive connection goes back to epoll after its
// response and its next request passes the gate again; when the request's bytes were not all
// read (a refusal before the body), or it was chunked, or the client asked, the connection
// closes instead. Threads are used only while a request is being handled or a response streamed,
// and the pool lets idle threads exit (ElasticPool), so the count returns to idle.
//
// Why not httplib's process_and_close_socket through a member-pointer trick: it would run
// httplib's keep-alive loop, which reads the second request of a connection with no gate and
// holds the thread while the client idles. process_request is the unit we want, and it is
// reachable without tricks. TLS connections still use httplib's listener (the gate cannot read
// encrypted bytes; see http.hpp).
#include "transport/http_front_door.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "jira_mcp/core/listen.hpp"

namespace jira_mcp::transport::detail {

namespace {

enum State : int { kReading = 0, kIdle = 1, kServing = 2, kDraining = 3 };
constexpr std::size_t kMaxRequestsPerConnection = 1000;
constexpr std::size_t kDrainCap = 1u << 20;  // bytes discarded after a refusal before we reset
constexpr auto kLinger = std::chrono::milliseconds(1000);
constexpr auto kTick = std::chrono::milliseconds(100);

int ms_until(FrontDoor::Clock::time_point t) {
  const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - FrontDoor::Clock::now()).count();
  return d <= 0 ? 0 : static_cast<int>(std::min<long long>(d, 1000000));
}

std::string peer_of(const sockaddr_storage& ss, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  }
  return buf;
}

}  // namespace

struct FrontDoor::Conn {
  int fd = -1;
  std::string ip;
  int port = 0;
  int state = kReading;
  Clock::time_point deadline;
  std::size_t requests = 0;
  std::size_t drained = 0;
  GateVerdict verdict;
};

// One request's reads and writes (see the essay above).
class ConnStream final : public httplib::Stream {
 public:
  ConnStream(const FrontDoor::Conn& c, std::size_t budget, FrontDoor::Clock::time_point deadline,
             std::chrono::milliseconds write_timeout)
      : c_(c), budget_(budget), deadline_(deadline), write_timeout_(write_timeout) {}

  bool is_readable() const override {
    if (pos_ < len_) return true;
    pollfd p{c_.fd, POLLIN, 0};
    return ::poll(&p, 1, ms_until(deadline_)) > 0;
  }
  bool is_writable() const override {
    pollfd p{c_.fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(write_timeout_.count())) <= 0 || (p.revents & (POLLERR | POLLHUP))) return false;
    char b;
    const auto n = ::recv(c_.fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));  // 0: the client closed
  }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ == len_) {
      if (budget_ == 0) return 0;  // the end of this request's bytes
      for (;;) {
        const auto n = ::recv(c_.fd, buf_, std::min(sizeof buf_, budget_), MSG_DONTWAIT);
        if (n > 0) {
          budget_ -= static_cast<std::size_t>(n);
          consumed_ += static_cast<std::size_t>(n);
          pos_ = 0;
          len_ = static_cast<std::size_t>(n);
          break;
        }
        if (n == 0) return 0;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        const int wait = ms_until(deadline_);
        pollfd p{c_.fd, POLLIN, 0};
        if (wait == 0 || ::poll(&p, 1, wait) <= 0) {
          timed_out_ = true;
          return -1;
        }
      }
    }
    const auto n = std::min(size, len_ - pos_);
    std::memcpy(ptr, buf_ + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    for (;;) {
      const auto n = ::send(c_.fd, ptr, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      pollfd p{c_.fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(write_timeout_.count())) <= 0) return -1;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = c_.ip;
    port = c_.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(c_.fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) ip = peer_of(ss, port);
  }
  socket_t socket() const override { return c_.fd; }

  // Every byte of the request was read, and nothing beyond it.
  bool read_all() const { return budget_ == 0 && pos_ == len_; }
  bool timed_out() const { return timed_out_; }

 private:
  const FrontDoor::Conn& c_;
  std::size_t budget_;
  const FrontDoor::Clock::time_point deadline_;
  const std::chrono::milliseconds write_timeout_;
  char buf_[16384];
  std::size_t pos_ = 0, len_ = 0, consumed_ = 0;
  bool timed_out_ = false;
};

FrontDoor::FrontDoor(const HttpOptions& options, httplib::TaskQueue& pool, Process process,
                     std::atomic<bool>& stopping)
    : options_(options), pool_(pool), process_(std::move(process)), stopping_(stopping) {
  peek_.resize(options_.max_header_bytes + 1);
}

FrontDoor::~FrontDoor() {
  stop_accepting();
  close_all();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Result<int, std::string> FrontDoor::bind(const std::string& host, int port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &res) != 0 || !res) {
    return unexpected(std::string("cannot resolve ") + host);
  }
  int fd = -1;
  for (auto* ai = res; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    core::set_listen_socket_options(fd);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, core::kListenBacklog) == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(res);
  if (fd < 0) return unexpected(std::string(std::strerror(errno)));
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  int bound = 0;
  peer_of(ss, bound);
  listen_fd_ = fd;
  gate_ = std::make_unique<HeaderGate>(options_, bound);
  return bound;
}

void FrontDoor::start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listen_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev);
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  thread_ = std::jthread([this] { loop(); });
}

void FrontDoor::stop_accepting() {
  if (!thread_.joinable()) return;
  quit_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto w = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
}

void FrontDoor::close_all() {
  take_returns();
  std::vector<int> fds;
  for (auto& [fd, c] : conns_) fds.push_back(fd);
  for (int fd : fds) close_conn(fd);
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void FrontDoor::set_state(Conn& c, int state) {
  const bool was_waiting = c.state == kReading, now_waiting = state == kReading;
  if (was_waiting != now_waiting) {
    if (now_waiting) waiting_.fetch_add(1, std::memory_order_relaxed);
    else waiting_.fetch_sub(1, std::memory_order_relaxed);
  }
  c.state = state;
}

void FrontDoor::loop() {
  std::vector<epoll_event> events(256);
  auto next_sweep = Clock::now() + kTick;
  while (!quit_.load()) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               static_cast<int>(kTick.count()));
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        accept_all();
      } else if (fd == wake_fd_) {
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(wake_fd_, &v, sizeof v);
        take_returns();
      } else if (auto it = conns_.find(fd); it != conns_.end() && it->second->state != kServing) {
        on_readable(*it->second, (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      }
    }
    if (const auto now = Clock::now(); now >= next_sweep) {
      sweep(now);
      next_sweep = now + kTick;
    }
  }
  // Stopping: nothing more is accepted; connections not being served close now.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  take_returns();
  std::vector<int> idle;
  for (auto& [fd, c] : conns_) {
    if (c->state != kServing) idle.push_back(fd);
  }
  for (int fd : idle) close_conn(fd);
}

void FrontDoor::accept_all() {
  if (accept_paused_) return;
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a tick rather than spin on the listening socket.
        spdlog::warn("HTTP: cannot accept a connection ({}); pausing accepts for {} ms", std::strerror(errno),
                     kTick.count());
        epoll_event ev{};
        ev.data.fd = listen_fd_;
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
        accept_paused_ = true;
        accept_resume_ = Clock::now() + kTick;
      }
      return;
    }
    int port = 0;
    std::string ip = peer_of(ss, port);
    auto refuse_now = [&](int status, const std::string& reason) {
      const auto r = plain_response(status, reason);
      [[maybe_unused]] auto w = ::send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    };
    if (stopping_.load()) {
      refuse_now(503, "Service Unavailable: the server is shutting down");
      continue;
    }
    if (conns_.size() >= options_.max_connections) {
      // Full: the connection furthest behind on its header block makes room (a slow sender, most
      // likely); only when every connection is being served or idle is the newcomer refused.
      Conn* slowest = nullptr;
      for (auto& [cfd, c] : conns_) {
        if (c->state == kReading && (!slowest || c->deadline < slowest->deadline)) slowest = c.get();
      }
      if (!slowest) {
        refuse_now(503, "Service Unavailable: the server has its maximum of " +
                            std::to_string(options_.max_connections) + " connections open (http.max_connections)");
        continue;
      }
      const int victim = slowest->fd;
      refuse(*slowest, 408, "Request Timeout: the connection limit was reached and these headers were the slowest");
      close_conn(victim);  // now, not after the linger: its slot is needed
    }
    auto& mine = per_client_[ip];
    if (mine >= options_.max_connections_per_client) {
      refuse_now(429, "Too Many Requests: " + std::to_string(mine) + " connections are open from " + ip +
                          " (http.max_connections_per_client)");
      continue;
    }
    ++mine;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->ip = std::move(ip);
    c->port = port;
    c->state = kIdle;
    set_state(*c, kReading);
    c->deadline = Clock::now() + options_.header_timeout;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
    auto& ref = *c;
    conns_.emplace(fd, std::move(c));
    open_.fetch_add(1, std::memory_order_relaxed);
    on_readable(ref, false);
  }
}

void FrontDoor::on_readable(Conn& c, bool hangup) {
  if (c.state == kDraining) {
    drain(c);
    return;
  }
  const auto n = ::recv(c.fd, peek_.data(), peek_.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
    close_conn(c.fd);  // the client went away
    return;
  }
  if (n < 0) {
    if (hangup) close_conn(c.fd);
    return;
  }
  if (c.state == kIdle) {
    set_state(c, kReading);  // a new request starts: its header block gets the full deadline
    c.deadline = Clock::now() + options_.header_timeout;
  }
  const auto v = gate_->scan(std::string_view(peek_.data(), static_cast<std::size_t>(n)));
  if (v.kind == GateVerdict::Kind::refuse) {
    refuse(c, v.status, v.reason);
    return;
  }
  if (v.kind == GateVerdict::Kind::need_more) {
    if (hangup) close_conn(c.fd);  // half-closed with an incomplete block: nothing more can come
    return;
  }
  if (stopping_.load()) {
    refuse(c, 503, "Service Unavailable: the server is shutting down");
    return;
  }
  c.verdict = v;
  set_state(c, kServing);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
  Conn* p = &c;
  pool_.enqueue([this, p] { serve(*p); });
}

void FrontDoor::serve(Conn& c) {
  const auto& v = c.verdict;
  const bool close = v.close || v.chunked || ++c.requests >= kMaxRequestsPerConnection || stopping_.load();
  // A chunked body's framing may take up to 6 bytes per byte of content in the worst legitimate
  // case; the handlers count the de-chunked bytes against max_body_bytes exactly.
  const std::size_t body = v.chunked ? 2 * options_.max_body_bytes + 65536 : v.content_length.value_or(0);
  ConnStream stream(c, v.header_bytes + body, Clock::now() + options_.body_timeout, options_.write_timeout);
  bool closed = false;
  bool ok = false;
  try {
    ok = process_(stream, close, closed);
  } catch (...) {
    ok = false;  // httplib catches handler exceptions; anything here is a bug in the stream code
  }
  if (stream.timed_out()) spdlog::info("HTTP: a request body from {} did not arrive within http.body_timeout", c.ip);
  const bool keep = ok && !close && !closed && stream.read_all();
  {
    std::lock_guard lock(returns_mu_);
    returns_.emplace_back(&c, keep);
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto w = ::write(wake_fd_, &one, sizeof one);
}

void FrontDoor::take_returns() {
  std::vector<std::pair<Conn*, bool>> back;
  {
    std::lock_guard lock(returns_mu_);
    back.swap(returns_);
  }
  for (auto [c, keep] : back) {
    if (quit_.load()) {
      close_conn(c->fd);
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.fd = c->fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev);
    if (keep) {
      set_state(*c, kIdle);
      c->deadline = Clock::now() + options_.keep_alive_idle;
      on_readable(*c, false);  // a pipelined request may be waiting already
    } else {
      linger(*c);
    }
  }
}

void FrontDoor::refuse(Conn& c, int status, const std::string& reason) {
  // A flood would otherwise write a line per connection: at most 10 a second, then a count.
  const auto now = Clock::now();
  if (now - log_window_ >= std::chrono::seconds(1)) {
    if (log_suppressed_ > 0) spdlog::warn("HTTP: {} more refusals not logged", log_suppressed_);
    log_window_ = now;
    log_count_ = log_suppressed_ = 0;
  }
  if (++log_count_ <= 10) {
    spdlog::warn("HTTP {} from {}: {}", status, c.ip, reason);
  } else {
    ++log_suppressed_;
  }
  const auto r = plain_response(status, reason);
  [[maybe_unused]] auto w = ::send(c.fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  linger(c);
}

// Half-closes and reads what the client still sends for a moment, so it sees our response (a
// close with unread bytes would reset the connection and could destroy it in flight).
void FrontDoor::linger(Conn& c) {
  ::shutdown(c.fd, SHUT_WR);
  set_state(c, kDraining);
  c.drained = 0;
  c.deadline = Clock::now() + kLinger;
  drain(c);
}

void FrontDoor::drain(Conn& c) {
  char buf[16384];
  for (;;) {
    const auto n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      c.drained += static_cast<std::size_t>(n);
      if (c.drained > kDrainCap) break;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // more may come: wait
    break;
  }
  close_conn(c.fd);
}

void FrontDoor::close_conn(int fd) {
  auto it = conns_.find(fd);
  if (it == conns_.end()) return;
  auto& c = *it->second;
  if (c.state == kReading) waiting_.fetch_sub(1, std::memory_order_relaxed);
  if (auto pc = per_client_.find(c.ip); pc != per_client_.end() && --pc->second == 0) per_client_.erase(pc);
  if (epoll_fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  ::close(fd);
  conns_.erase(it);
  open_.fetch_sub(1, std::memory_order_relaxed);
}

void FrontDoor::sweep(Clock::time_point now) {
  if (accept_paused_ && now >= accept_resume_) {
    accept_paused_ = false;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd_;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
    accept_all();
  }
  std::vector<int> late;
  for (auto& [fd, c] : conns_) {
    if (c->state != kServing && now >= c->deadline) late.push_back(fd);
  }
  for (int fd : late) {
    auto& c = *conns_.at(fd);
    if (c.state == kReading) {
      refuse(c, 408, "Request Timeout: the request headers did not arrive within http.header_timeout (" +
                         std::to_string(options_.header_timeout.count()) + " ms)");
    } else {
      close_conn(fd);  // idle kept-alive, or done draining
    }
  }
}

}  // namespace jira_mcp::transport::detail
