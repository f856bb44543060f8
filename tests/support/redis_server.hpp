#pragma once
// A private redis-server for a test: listens only on a Unix socket in its own temp directory
// (--port 0, no TCP), keeps nothing on disk (--save '' --appendonly no), and is stopped by its
// pid, never by name. Tests call RedisServer::find() first and skip with a MESSAGE when Debian's
// redis-server is not installed (make setup installs it).
//
// Not thread-safe: the test thread that made it owns it. The destructor stops the server and
// removes the directory.
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "jira_mcp/core/executable.hpp"

extern char** environ;

namespace jira_mcp::testing {

class RedisServer {
 public:
  // The redis-server binary on PATH (or /usr/bin), or nullopt.
  static std::optional<std::string> find() { return core::find_executable("redis-server"); }

  explicit RedisServer(std::string binary) : binary_(std::move(binary)) {
    std::string templ = (std::filesystem::temp_directory_path() / "jira-mcp-redis-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    start();
  }
  ~RedisServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string socket_path() const { return dir_ + "/redis.sock"; }
  std::string url() const { return "unix://" + socket_path(); }
  int pid() const { return pid_; }

  // Starts the server (again, after stop() or kill()) and waits until its socket accepts
  // connections (at most 10 s). Throws std::runtime_error if it does not come up.
  void start() {
    if (pid_ > 0) return;
    std::error_code ec;
    std::filesystem::remove(socket_path(), ec);
    std::vector<std::string> args{binary_,      "--port",       "0",          "--unixsocket", socket_path(),
                                  "--unixsocketperm", "700",    "--save",     "",
                                  "--appendonly", "no",         "--dir",      dir_,
                                  "--logfile",    dir_ + "/redis.log", "--daemonize", "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary_.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + binary_);
    }
    for (int i = 0; i < 1000; ++i) {
      // The socket file appears at bind(), before listen(): wait for a connection to succeed.
      if (accepts_connections()) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server exited at start; see " + dir_ + "/redis.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    throw std::runtime_error("redis-server did not accept connections within 10 s");
  }

  bool accepts_connections() const {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const auto path = socket_path();
    if (path.size() >= sizeof addr.sun_path) {
      ::close(fd);
      throw std::runtime_error("socket path too long: " + path);
    }
    path.copy(addr.sun_path, path.size());
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  // Extra redis-server arguments for the next start(), e.g. {"--requirepass", "secret"}.
  void set_extra_args(std::vector<std::string> extra) { extra_ = std::move(extra); }

  // SIGTERM, then SIGKILL after 5 s; waits for the process. Idempotent.
  void stop() { end(SIGTERM); }
  // Dies at once, as a crash would.
  void kill() { end(SIGKILL); }

 private:
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

}  // namespace jira_mcp::testing
