#include "jira_mcp/transport/stdio.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "jira_mcp/core/work_queue.hpp"
#include "jira_mcp/mcp/context.hpp"

namespace jira_mcp::transport {

namespace {

// The one writer: a line is written with as many write() calls as it takes, so the client never
// sees half a message, and lines never interleave.
//
// A reply goes out on the thread that made it when stdout is idle (nothing queued, nobody
// writing): write_now(). That saves a handoff to the writer thread per call (futex calls per
// uncached read 8 -> 4, issue 16). Otherwise it joins a queue drained by a single writer thread, so
// a worker never waits behind another's write. Apart from the initialize reply, written before
// anything else can be, a thread only writes a call's reply itself once it has passed the
// reading on (a call run by its reader, or by a worker), so a client that stops reading never
// stops us reading its cancellations; a thread whose write blocks on such a client blocks alone,
// as the writer thread would. A line queued while an inline write
// runs is written after it, so one thread's lines keep their order (a call's notifications stay
// ahead of its reply).
//
// The thread starts with the first queued line, not before: the reply to initialize, the first
// line of a session, is written by the reader itself, so a server's handshake neither starts a
// thread nor waits for one to be scheduled (start-up to the initialize reply).
class LineWriter {
 public:
  explicit LineWriter(int fd) : fd_(fd) {}
  ~LineWriter() { finish(); }

  void push(std::string line) { push(mcp::Buffer(std::move(line))); }
  // A pooled buffer goes back to its pool once written.
  void push(mcp::Buffer line) {
    line->push_back('\n');
    {
      std::lock_guard lock(mu_);
      if (broken_ || finished_) return;
      enqueue_locked(std::move(line));
    }
    cv_.notify_one();
  }
  // `line` written on the calling thread when stdout is idle; otherwise queued as push() does.
  void write_now(mcp::Buffer line) {
    line->push_back('\n');
    {
      std::lock_guard lock(mu_);
      if (broken_ || finished_) return;
      if (writing_ || !queue_.empty()) {
        enqueue_locked(std::move(line));
        cv_.notify_one();
        return;
      }
      writing_ = true;
    }
    const bool ok = write_all(*line);
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      if (!ok) fail_locked();
    }
    cv_.notify_one();  // the writer thread may hold a queue behind this write
  }
  // Writes what is queued, then stops the thread. Lines pushed afterwards are dropped.
  void finish() {
    std::jthread thread;
    {
      std::lock_guard lock(mu_);
      finished_ = true;
      thread = std::move(thread_);
    }
    if (!thread.joinable()) return;
    thread.request_stop();
    cv_.notify_all();
    thread.join();
  }
  bool broken() const {
    std::lock_guard lock(mu_);
    return broken_;
  }

 private:
  void enqueue_locked(mcp::Buffer line) {
    queue_.push_back(std::move(line));
    if (!thread_.joinable()) start_locked();
  }
  void start_locked() {
    try {
      thread_ = std::jthread([this](std::stop_token st) { loop(st); });
    } catch (const std::system_error& e) {
      // No thread: write what is queued here, under the lock, as the thread would have.
      spdlog::error("could not start the stdout writer thread ({}); writing on the calling thread", e.what());
      for (auto& line : queue_) {
        if (!write_all(*line)) {
          fail_locked();
          break;
        }
      }
      queue_.clear();
    }
  }
  void fail_locked() {
    broken_ = true;
    queue_.clear();
    spdlog::warn("stdout is closed ({}); replies can no longer be delivered", std::strerror(errno));
  }
  void loop(std::stop_token st) {
    for (;;) {
      std::deque<mcp::Buffer> batch;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, st, [&] { return !queue_.empty() && !writing_; });
        if (queue_.empty()) return;  // stop requested and nothing left
        cv_.wait(lock, [&] { return !writing_; });  // stop requested during an inline write
        batch.swap(queue_);
        writing_ = true;
      }
      bool ok = true;
      for (auto& line : batch) {
        if (!(ok = write_all(*line))) break;
      }
      std::lock_guard lock(mu_);
      writing_ = false;
      if (!ok) {
        fail_locked();
        return;
      }
    }
  }
  bool write_all(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      off += static_cast<size_t>(n);
    }
    return true;
  }

  int fd_;
  mutable std::mutex mu_;
  std::condition_variable_any cv_;
  std::deque<mcp::Buffer> queue_;
  bool broken_ = false;
  bool finished_ = false;
  bool writing_ = false;  // a thread is inside write_all, with or without the lock
  std::jthread thread_;  // started by the first push(); moved out (and joined) by finish()
};

class StdioPeer final : public mcp::Peer {
 public:
  StdioPeer(LineWriter& writer, const mcp::Dispatcher& dispatcher) : writer_(writer), dispatcher_(dispatcher) {}
  void send(const Json& message) override { writer_.push(dispatcher_.serialize(message)); }

 private:
  LineWriter& writer_;
  const mcp::Dispatcher& dispatcher_;
};

}  // namespace

// Reading. With stdin a pipe, socket or terminal, two threads share the reader role: each waits
// in epoll_wait on stdin, registered one-shot, so input wakes one of them and no other until it
// re-arms stdin. A call read when nothing else runs, as the last line of its read, then runs on
// the thread that read it, after the other thread has been let wait for input in its place:
// a sequential agent's call never waits for a handoff to a worker (a futex wake, and the worker
// scheduled on a busy CPU), while a cancellation sent during the call is still read at once
// (issue 16: p50 of sequential uncached reads 0.04-0.16 ms lower under load, same binary with and
// without). Every other call goes to the worker pool as before. stdin a regular file (epoll
// refuses those): one reader, every call to the pool.
class StdioServer::Impl {
 public:
  Impl(const mcp::Dispatcher& d, StdioOptions o)
      : dispatcher_(d), options_(o), writer_(o.out_fd), peer_(writer_, d), session_(peer_, "stdio"),
        pool_(o.workers, o.max_queue), wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~Impl() {
    if (epoll_fd_ >= 0) close(epoll_fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  int run();
  void stop() {
    stop_requested_.store(true);
    wake();
  }
  mcp::Session& session() { return session_; }

 private:
  // A call to run on the reader that read it.
  using Here = std::shared_ptr<mcp::QueuedRequest>;
  // One reader's loop (run()'s thread, and the second reader once started): returns once input
  // has ended, whichever reader ended it.
  void read_loop();
  // Until stdin is readable (true), or stop() or the end of input (false).
  bool wait_readable();
  void rearm();
  // Makes both readers leave (the eventfd stays readable).
  void wake() {
    if (wake_fd_ >= 0) {
      uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    }
  }
  // Under reader_mu_: the complete lines of `data`; a call to run on this thread, if one may.
  Here take_lines(const char* data, size_t len);
  // Under reader_mu_: input ends (once): the last line, then the listeners (after stop()) and the
  // session learn it, and the other reader leaves.
  void end_input_locked();
  // Under reader_mu_: `line` handled; a call returned when `may_run_here` and nothing else runs
  // (it is then this thread's to run, claimed from the pool: it counts as one of the workers, and
  // at most one runs on a reader, so the other is free to read), else submitted to the pool.
  Here on_line(std::string_view line, bool may_run_here);
  bool claim_run_here();
  // subscriptions/listen and the cancellation of one: true when `msg` was one of them (handled).
  bool on_subscription_message(const Json& msg);
  // Ends every listener; with `graceful`, each gets its closing response first.
  void end_listeners(bool graceful);
  void after_first_line() {
    if (!options_.after_first_line) return;
    auto hook = std::exchange(options_.after_first_line, nullptr);
    try {
      hook();
    } catch (const std::exception& e) {
      spdlog::error("start-up work after the first message failed: {}", e.what());
    }
  }
  void reply_error(int code, std::string message) {
    writer_.push(dump_compact(mcp::make_error(std::nullopt, mcp::RpcError{code, std::move(message), {}})));
  }

  const mcp::Dispatcher& dispatcher_;
  StdioOptions options_;
  LineWriter writer_;
  StdioPeer peer_;
  mcp::Session session_;
  core::WorkQueue pool_;
  // The reader state, held by the thread reading: the line being read, the open listeners (by
  // their request's compact id; declared after writer_ so they are gone before it), the second
  // reader, whether input has ended and how.
  std::mutex reader_mu_;
  std::string line_;
  bool discarding_ = false;  // inside a line that went over the limit
  std::map<std::string, std::unique_ptr<mcp::SubscriptionHub::Listener>> listeners_;
  std::jthread second_reader_;
  bool ended_ = false;
  bool stopped_ = false;  // ended by stop()
  int epoll_fd_ = -1;  // stdin (one-shot) and wake_fd_; -1: poll, one reader
  int wake_fd_;
  std::atomic<bool> stop_requested_{false};
};

StdioServer::Impl::Here StdioServer::Impl::on_line(std::string_view line, bool may_run_here) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return {};  // blank lines are not messages
  auto parsed = dispatcher_.parse(line);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    spdlog::warn("refused a malformed message ({} bytes)", line.size());
    writer_.push(std::move(*err));
    return {};
  }
  Json msg = std::move(std::get<Json>(parsed));
  if (options_.subscriptions && on_subscription_message(msg)) return {};
  const bool is_initialize = msg.is_object() && msg.value("method", Json()) == "initialize";
  // initialize runs on this thread so that requests read after it see an initialized session;
  // requests read before it must still see the session as it was, so they finish first.
  if (is_initialize) pool_.drain();
  // Cheap messages (a cancellation, ping) are handled here, never behind queued calls.
  if (mcp::Dispatcher::runs_inline(msg) || is_initialize) {
    if (auto reply = dispatcher_.handle(msg, session_)) {
      if (is_initialize) {
        writer_.write_now(dispatcher_.serialize(*reply));
      } else {
        writer_.push(dispatcher_.serialize(*reply));
      }
    }
    return {};
  }
  // Registered with the session before it waits, so a cancellation finds it in the queue.
  auto queued = std::make_shared<mcp::QueuedRequest>(std::move(msg), session_);
  Json id = queued->id();
  if (may_run_here && claim_run_here()) return queued;
  auto task = [this, queued]() {
    if (auto reply = dispatcher_.run(*queued)) writer_.write_now(dispatcher_.serialize(*reply));
  };
  if (!pool_.try_submit(std::move(task))) {
    spdlog::warn("request queue full ({} waiting); refusing a request", options_.max_queue);
    writer_.push(dump_compact(mcp::make_error(
        id, mcp::RpcError{mcp::rpc::kServerBusy,
                          "Server busy: too many requests in flight; retry after the pending ones finish", {}})));
  }
  return {};
}

bool StdioServer::Impl::claim_run_here() {
  if (!pool_.try_claim()) return false;
  if (!second_reader_.joinable()) {
    try {
      second_reader_ = std::jthread([this] { read_loop(); });
    } catch (const std::system_error& e) {
      spdlog::warn("could not start a second stdin reader: {}", e.what());
      pool_.release_claim();
      return false;
    }
  }
  return true;
}

bool StdioServer::Impl::on_subscription_message(const Json& msg) {
  if (!msg.is_object()) return false;
  const Json method = msg.value("method", Json());
  if (method == "notifications/cancelled") {
    const Json params = msg.value("params", Json::object());
    if (!params.is_object() || !params.contains("requestId")) return false;
    // A cancelled listener gets no response; a cancellation of anything else is the dispatcher's.
    return listeners_.erase(dump_compact(params["requestId"])) > 0;
  }
  if (method != "subscriptions/listen" || !msg.contains("id") || !mcp::Dispatcher::stateless_version(msg)) return false;
  const Json& id = msg["id"];
  const std::string key = dump_compact(id);
  auto reply = [&](const mcp::RpcError& e) { writer_.push(dispatcher_.serialize(mcp::make_error(id, e))); };
  // The request's _meta is checked as for any 2026 request (-32602, -32022).
  if (auto meta = mcp::RequestMeta::from_stateless(msg.value("params", Json::object())); !meta) {
    reply(meta.error());
    return true;
  }
  if (listeners_.count(key) != 0) {
    reply({mcp::rpc::kInvalidRequest, "Invalid Request: a subscription with id " + key + " is already open", {}});
    return true;
  }
  auto filter = mcp::parse_subscription_filter(msg.value("params", Json::object()));
  if (!filter) {
    reply(filter.error());
    return true;
  }
  auto listener = options_.subscriptions->listen(
      id, *filter, [this](const Json& m) { writer_.push(dispatcher_.serialize(m)); });
  if (!listener) {
    reply(listener.error());
    return true;
  }
  listeners_.emplace(key, std::move(*listener));
  return true;
}

void StdioServer::Impl::end_listeners(bool graceful) {
  for (auto& [key, l] : listeners_) {
    const Json id = l->id();
    l.reset();  // no notification after the closing response
    if (graceful) writer_.push(dispatcher_.serialize(mcp::SubscriptionHub::closing_response(id)));
  }
  listeners_.clear();
}

bool StdioServer::Impl::wait_readable() {
  for (;;) {
    if (epoll_fd_ >= 0) {
      epoll_event events[2];
      const int n = epoll_wait(epoll_fd_, events, 2, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        spdlog::error("waiting for stdin failed: {}", std::strerror(errno));
        return false;
      }
      bool readable = false;
      for (int i = 0; i < n; ++i) {
        if (events[i].data.fd == wake_fd_) return false;
        readable = true;
      }
      if (readable) return true;
      continue;
    }
    pollfd fds[2] = {{options_.in_fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("poll on stdin failed: {}", std::strerror(errno));
      return false;
    }
    if (fds[1].revents & POLLIN) return false;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) return true;
  }
}

void StdioServer::Impl::rearm() {
  if (epoll_fd_ < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLONESHOT;
  ev.data.fd = options_.in_fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, options_.in_fd, &ev) != 0) {
    spdlog::error("re-arming stdin failed: {}", std::strerror(errno));
    stop();
  }
}

StdioServer::Impl::Here StdioServer::Impl::take_lines(const char* data, size_t len) {
  size_t start = 0;
  while (start < len) {
    const char* nl = static_cast<const char*>(std::memchr(data + start, '\n', len - start));
    size_t piece = nl ? static_cast<size_t>(nl - (data + start)) : len - start;
    if (!discarding_) {
      if (line_.size() + piece > options_.max_line_bytes) {
        discarding_ = true;
        line_.clear();
        line_.shrink_to_fit();
        spdlog::warn("discarding a message longer than {} bytes", options_.max_line_bytes);
        reply_error(mcp::rpc::kInvalidRequest,
                    "Invalid Request: message larger than " + std::to_string(options_.max_line_bytes) +
                        " bytes (server.max_line_bytes); it was discarded");
      } else {
        line_.append(data + start, piece);
      }
    }
    if (!nl) break;
    start += piece + 1;
    Here here;
    if (!discarding_) {
      // Only the read's last line may run here: the lines after one would wait for it.
      here = on_line(line_, epoll_fd_ >= 0 && start == len);
      after_first_line();
    }
    line_.clear();
    discarding_ = false;
    if (here) return here;
  }
  return {};
}

void StdioServer::Impl::end_input_locked() {
  if (ended_) return;
  ended_ = true;
  if (!discarding_ && !line_.empty() && !stop_requested_.load()) on_line(line_, false);  // a last line without '\n'
  spdlog::debug("input ended; finishing in-flight requests");
  // Said here, by the reader that saw the end, not by run(): run()'s thread may be running a call
  // that waits on the client (an elicitation), which end_of_input() fails at once.
  stopped_ = stop_requested_.load();
  if (stopped_) end_listeners(true);  // stopped by the server: each ends with its closing response
  session_.end_of_input();
  wake();
}

void StdioServer::Impl::read_loop() {
  char chunk[65536];
  for (;;) {
    const bool readable = !stop_requested_.load() && !writer_.broken() && wait_readable();
    std::unique_lock state(reader_mu_);
    if (ended_) return;
    if (!readable) {
      end_input_locked();
      return;
    }
    ssize_t n = ::read(options_.in_fd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      state.unlock();
      rearm();
      continue;
    }
    if (n <= 0) {
      if (n < 0) spdlog::error("reading stdin failed: {}", std::strerror(errno));
      end_input_locked();  // n == 0: end of input
      return;
    }
    Here here = take_lines(chunk, static_cast<size_t>(n));
    state.unlock();
    rearm();  // the other reader may read from here on
    if (!here) continue;
    std::optional<Json> reply;
    try {
      reply = dispatcher_.run(*here);
    } catch (const std::exception& e) {  // as the pool does for the calls it runs
      spdlog::error("a call threw: {}", e.what());
    } catch (...) {
      spdlog::error("a call threw a non-standard exception");
    }
    // Released before the reply goes out: the client's next call, read by the other reader as
    // soon as the reply arrives, finds nothing running and runs there in turn.
    pool_.release_claim();
    if (reply) writer_.write_now(dispatcher_.serialize(*reply));
  }
}

int StdioServer::Impl::run() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ >= 0) {
    epoll_event in{}, wake{};
    in.events = EPOLLIN | EPOLLONESHOT;
    in.data.fd = options_.in_fd;
    wake.events = EPOLLIN;
    wake.data.fd = wake_fd_;
    if (wake_fd_ < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0 ||
        epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, options_.in_fd, &in) != 0) {
      close(epoll_fd_);  // stdin a regular file (EPERM): poll it, one reader
      epoll_fd_ = -1;
    }
  }
  read_loop();
  std::jthread second;
  {
    std::lock_guard lock(reader_mu_);
    second = std::move(second_reader_);
  }
  if (second.joinable()) second.join();  // it leaves once input has ended, after its call if running one
  pool_.drain();
  // After stop() the listeners have ended already. At the end of input, the calls read still ran
  // and what they changed reached the open listeners; now they end (the client can read no
  // response).
  if (!stopped_) end_listeners(false);
  session_.close();
  writer_.finish();
  return 0;
}

StdioServer::StdioServer(const mcp::Dispatcher& dispatcher, StdioOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, options)) {}
StdioServer::~StdioServer() = default;
int StdioServer::run() { return impl_->run(); }
void StdioServer::stop() { impl_->stop(); }
mcp::Session& StdioServer::session() { return impl_->session(); }

}  // namespace jira_mcp::transport
