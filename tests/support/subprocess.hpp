#pragma once
// A child process with pipes to its stdin, stdout and stderr, for tests that drive a built
// binary through its real stdio loop. Not thread-safe: one test thread owns it.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jira_mcp::testing {

class Subprocess {
 public:
  // Starts argv[0] (a path) with the given arguments and extra environment entries
  // ("NAME=value", overriding inherited entries of the same name; of two given entries with one
  // name, the first counts). Throws std::runtime_error on failure.
  explicit Subprocess(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  void write(const std::string& data);   // to the child's stdin
  void close_stdin();
  // The next line of stdout (without '\n'), or nullopt on EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Everything left on stdout until EOF (or timeout), split into lines.
  std::vector<std::string> read_all_lines(std::chrono::milliseconds timeout);
  // Sends a signal to the child.
  void kill(int signal);
  // Waits for exit; returns the exit code, or 128 + signal, or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // What the child wrote to stderr so far (drained without blocking).
  std::string stderr_text();
  int pid() const { return pid_; }

 private:
  bool fill_stdout(std::chrono::milliseconds timeout);
  void drain_stderr();
  int pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_;
  std::string err_buf_;
  bool out_eof_ = false;
  std::optional<int> status_;
};

}  // namespace jira_mcp::testing
