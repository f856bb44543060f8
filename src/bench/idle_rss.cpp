// Idle RSS of a real server process: what a user's machine pays for an MCP server that is
// configured and waiting. The bench process itself also hosts the sandbox and the load threads,
// so its own RSS says little about the server's.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

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

}  // namespace

std::optional<std::int64_t> idle_server_rss(const std::string& binary) {
  int in[2];
  if (pipe2(in, O_CLOEXEC) != 0) return std::nullopt;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
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
  if (rc != 0) {
    close(in[1]);
    return std::nullopt;
  }
  // Settled when two readings 100 ms apart agree (start-up done), or after 3 s.
  std::int64_t last = -1, rss = 0;
  for (int i = 0; i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    rss = rss_of(pid);
    if (rss > 0 && rss == last) break;
    last = rss;
  }
  close(in[1]);  // end of input: the server exits
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
