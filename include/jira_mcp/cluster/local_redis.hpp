#pragma once
// LocalRedis: a private redis-server for the fleet benchmark and the tests. It listens only on
// a Unix socket in a temp directory of its own (--port 0, no TCP), keeps nothing on disk
// (--save '' --appendonly no), and is stopped by its pid, never by name. find() says whether
// Debian's redis-server is installed; callers skip with a note when it is not.
//
// Header-only on purpose: only the programs that start a server (the tests, the bench in
// jira-mcp-net.so) compile it; the server binary, which links the cluster module whole, does not
// carry it.
//
// Not thread-safe: the thread that made it owns it. The destructor stops the server (SIGTERM,
// SIGKILL after 5 s) and removes the directory.
#include <jira_mcp/core/executable.hpp>
#include <jira_mcp/core/result.hpp>

#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace jira_mcp::cluster {

class LocalRedis {
 public:
  // The redis-server binary on PATH (or /usr/bin, /usr/sbin), or nullopt.
  static std::optional<std::string> find() { return core::find_executable("redis-server"); }

  // Makes the temp directory ("<tmp>/<dir_prefix>-XXXXXX"); the server is not started yet.
  static Result<std::unique_ptr<LocalRedis>> create(std::string binary, const std::string& dir_prefix = "jira-mcp-redis") {
    std::string templ = (std::filesystem::temp_directory_path() / (dir_prefix + "-XXXXXX")).string();
    if (!::mkdtemp(templ.data())) return unexpected(Error{"redis.local", "cannot make a temp directory for redis-server"});
    return std::unique_ptr<LocalRedis>(new LocalRedis(std::move(binary), std::move(templ)));
  }
  ~LocalRedis() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  LocalRedis(const LocalRedis&) = delete;
  LocalRedis& operator=(const LocalRedis&) = delete;

  std::string socket_path() const { return dir_ + "/redis.sock"; }
  std::string url() const { return "unix://" + socket_path(); }
  const std::string& dir() const { return dir_; }
  int pid() const { return pid_; }

  // Extra redis-server arguments for the next start(), e.g. {"--requirepass", "secret"}.
  void set_extra_args(std::vector<std::string> extra) { extra_ = std::move(extra); }

  // Starts the server (again, after stop() or kill(); nothing when it runs) and waits until its
  // socket accepts connections, 10 s at most. An error when it cannot start, exits or stays shut.
  Status<> start() {
    if (pid_ > 0) return Ok{};
    if (socket_path().size() >= sizeof(sockaddr_un{}.sun_path)) {
      return unexpected(Error{"redis.local", "socket path too long: " + socket_path()});
    }
    std::error_code ec;
    std::filesystem::remove(socket_path(), ec);
    std::vector<std::string> args{binary_,      "--port",     "0",         "--unixsocket", socket_path(),
                                  "--unixsocketperm", "700",  "--save",    "",
                                  "--appendonly", "no",       "--dir",     dir_,
                                  "--logfile",    dir_ + "/redis.log",     "--daemonize",  "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary_.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      return unexpected(Error{"redis.local", "cannot start " + binary_});
    }
    for (int i = 0; i < 1000; ++i) {
      // The socket file appears at bind(), before listen(): wait for a connection to succeed.
      if (accepts_connections()) return Ok{};
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return unexpected(Error{"redis.local", "redis-server exited at start; see " + dir_ + "/redis.log"});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return unexpected(Error{"redis.local", "redis-server did not accept connections within 10 s"});
  }

  bool accepts_connections() const {
    sockaddr_un addr{};
    const auto path = socket_path();
    if (path.size() >= sizeof addr.sun_path) return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, path.size());
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  // SIGTERM, then SIGKILL after 5 s; waits for the process. Idempotent.
  void stop() { end(SIGTERM); }
  // Dies at once, as a crash would.
  void kill() { end(SIGKILL); }

 private:
  LocalRedis(std::string binary, std::string dir) : binary_(std::move(binary)), dir_(std::move(dir)) {}

  void end(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string binary_;
  std::string dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

}  // namespace jira_mcp::cluster
