#include "support/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace jira_mcp::testing {

Subprocess::Subprocess(std::vector<std::string> argv, std::vector<std::string> env) {
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&fa, fd);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  // The given entries come first: getenv() and the server's environment_map() take the first of
  // two entries with the same name, so they override what the test itself inherited.
  std::vector<std::string> env_store = env;
  for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  fcntl(err_, F_SETFL, fcntl(err_, F_GETFL) | O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
}

Subprocess::~Subprocess() {
  if (in_ >= 0) close(in_);
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  if (out_ >= 0) close(out_);
  if (err_ >= 0) close(err_);
}

void Subprocess::write(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(in_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("write to child failed: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
}

void Subprocess::close_stdin() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

bool Subprocess::fill_stdout(std::chrono::milliseconds timeout) {
  if (out_eof_) return false;
  pollfd p{out_, POLLIN, 0};
  int r = poll(&p, 1, static_cast<int>(timeout.count()));
  drain_stderr();
  if (r <= 0) return false;
  char buf[65536];
  ssize_t n = ::read(out_, buf, sizeof buf);
  if (n <= 0) {
    out_eof_ = true;
    return false;
  }
  out_buf_.append(buf, static_cast<size_t>(n));
  return true;
}

std::optional<std::string> Subprocess::read_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto nl = out_buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_eof_) return std::nullopt;
    fill_stdout(left);
  }
}

std::vector<std::string> Subprocess::read_all_lines(std::chrono::milliseconds timeout) {
  std::vector<std::string> lines;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = read_line(std::max(left, std::chrono::milliseconds(0)));
    if (!line) break;
    lines.push_back(std::move(*line));
  }
  if (!out_buf_.empty()) {  // a partial last line is reported as is, so tests can see it
    lines.push_back(out_buf_ + "<no newline>");
    out_buf_.clear();
  }
  return lines;
}

void Subprocess::kill(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> Subprocess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      drain_stderr();
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    drain_stderr();
    usleep(5000);
  }
}

void Subprocess::drain_stderr() {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(err_, buf, sizeof buf);
    if (n <= 0) break;
    err_buf_.append(buf, static_cast<size_t>(n));
  }
}

std::string Subprocess::stderr_text() {
  drain_stderr();
  return err_buf_;
}

}  // namespace jira_mcp::testing
