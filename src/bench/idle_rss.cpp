// Idle RSS of a real server process: what a user's machine pays for an MCP server that is
// configured and waiting. The bench process itself also hosts the sandbox and the load threads,
// so its own RSS says little about the server's. "Idle" is after a host's connection handshake
// (initialize and tools/list answered), which is where a configured server sits between calls.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <thread>
#include <vector>

#include "bench/idle_rss.hpp"

extern char** environ;

namespace jira_mcp::bench::detail {
namespace {

std::int64_t rss_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmRSS:   1234 kB"
  }
  return 0;
}

// Reads one reply line from the server (up to '\n'), waiting at most until `deadline`.
bool read_line(int fd, std::chrono::steady_clock::time_point deadline) {
  char c = 0;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = read(fd, &c, 1);
    if (n <= 0) return false;
    if (c == '\n') return true;
  }
}

bool write_all(int fd, const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// What a host sends on connecting; the server answers the first and the third.
bool handshake(int to_server, int from_server) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  return write_all(to_server,
                   R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",)"
                   R"("capabilities":{},"clientInfo":{"name":"jira-mcp-bench","version":"1"}}})"
                   "\n") &&
         read_line(from_server, deadline) &&
         write_all(to_server, R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
                              "\n"
                              R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"
                              "\n") &&
         read_line(from_server, deadline);
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

std::optional<std::int64_t> idle_server_rss(const std::string& binary) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) return std::nullopt;
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    return std::nullopt;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  // A configured Jira that is never contacted (nothing asks it anything while idle).
  std::vector<std::string> env_strings = {"JIRA_URL=http://127.0.0.1:9", "JIRA_EMAIL=bench@example.com",
                                          "JIRA_API_TOKEN=bench", "JIRA_DEPLOYMENT=cloud",
                                          "JIRA_MCP_LOG_LEVEL=error"};
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    if (kv.rfind("JIRA", 0) != 0) env_strings.push_back(kv);
  }
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string arg0 = binary;
  char* argv[] = {arg0.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  int to_server = in[1], from_server = out[0];
  if (rc != 0) {
    close_fd(to_server);
    close_fd(from_server);
    return std::nullopt;
  }
  std::int64_t rss = 0;
  if (handshake(to_server, from_server)) {
    // Settled when two readings 100 ms apart agree, or after 3 s.
    std::int64_t last = -1;
    for (int i = 0; i < 30; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      rss = rss_of(pid);
      if (rss > 0 && rss == last) break;
      last = rss;
    }
  }
  close_fd(to_server);  // end of input: the server exits
  close_fd(from_server);
  int status = 0;
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return rss > 0 ? std::optional(rss) : std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return rss > 0 ? std::optional(rss) : std::nullopt;
}

}  // namespace jira_mcp::bench::detail
