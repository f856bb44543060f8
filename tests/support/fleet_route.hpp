#pragma once
// Processes of a routing fleet test (tests/cluster/fleet_routing_test.cpp): `jira-mcp sandbox`,
// jira-mcp instances over HTTP, and HAProxy, each a child stopped by pid (SIGTERM, then SIGKILL)
// when its object goes, also when a check fails. Ports: instances bind port 0 and the test reads
// ports probed free just before they start (jira-mcp refuses port 0 on its command line, HAProxy
// cannot report one), the only race left, on loopback.
#include <httplib.h>
#include <jira_mcp/core/json.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/subprocess.hpp"

namespace jira_mcp::testing {

// A child that is stopped (SIGTERM, then SIGKILL after 10 s) when this goes.
struct Child {
  std::unique_ptr<Subprocess> proc;
  explicit Child(std::vector<std::string> argv, std::vector<std::string> env = {})
      : proc(std::make_unique<Subprocess>(std::move(argv), std::move(env))) {}
  Child(Child&&) = default;
  ~Child() { stop(); }
  void stop() {
    if (!proc) return;
    proc->kill(SIGTERM);
    if (!proc->wait(std::chrono::seconds(10))) {
      proc->kill(SIGKILL);
      proc->wait(std::chrono::seconds(10));
    }
    proc.reset();
  }
};

inline int probe_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// "export JIRA_URL='…' JIRA_EMAIL='…' JIRA_API_TOKEN='…'" → {"JIRA_URL=…", …}
inline std::vector<std::string> parse_exports(const std::string& line) {
  std::vector<std::string> env;
  static const std::regex kPair("([A-Z_]+)='([^']*)'");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), kPair); it != std::sregex_iterator(); ++it) {
    env.push_back((*it)[1].str() + "=" + (*it)[2].str());
  }
  return env;
}

struct SandboxChild {
  Child child;
  std::vector<std::string> env;  // JIRA_URL and the credentials
  SandboxChild() : child({JIRA_MCP_BINARY, "sandbox", "--port", "0", "--issues", "20"}) {
    auto line = child.proc->read_line(std::chrono::seconds(30));
    if (!line) throw std::runtime_error("jira-mcp sandbox printed nothing: " + child.proc->stderr_text());
    env = parse_exports(*line);
  }
};

// One jira-mcp over HTTP on a free port; ready once it printed its start-up line on stderr.
struct Instance {
  std::string id;
  int port;
  Child child;
  std::string log;

  Instance(std::string instance_id, std::vector<std::string> env, std::vector<std::string> extra_args = {})
      : id(std::move(instance_id)), port(probe_free_port()),
        child(argv(port, std::move(extra_args)), with_id(std::move(env), id)) {
    bool started = false;
    for (int i = 0; i < 600 && !started; ++i) {
      log += child.proc->stderr_text();
      started = log.find("serving MCP over Streamable HTTP at") != std::string::npos;
      if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!started) throw std::runtime_error("instance " + id + " did not start: " + log);
  }
  static std::vector<std::string> argv(int port, std::vector<std::string> extra) {
    std::vector<std::string> a{JIRA_MCP_BINARY, "--transport", "http", "--host", "127.0.0.1", "--port",
                               std::to_string(port), "--toolsets", "all"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  static std::vector<std::string> with_id(std::vector<std::string> env, const std::string& id) {
    env.insert(env.begin(), "JIRA_MCP_INSTANCE_ID=" + id);
    return env;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  // The sum of jira_mcp_tool_calls_total{tool=`tool`} in its /metrics.
  long tool_calls(const std::string& tool) const {
    httplib::Client c(url());
    auto r = c.Get("/metrics", {{"Host", "localhost"}});
    if (!r || r->status != 200) return -1;
    long n = 0;
    std::istringstream in(r->body);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind("jira_mcp_tool_calls_total{", 0) == 0 && l.find("tool=\"" + tool + "\"") != std::string::npos) {
        n += std::stol(l.substr(l.rfind(' ') + 1));
      }
    }
    return n;
  }
};

// examples/haproxy.cfg with its ports replaced (and, when !sticky, its stick rules removed).
inline std::string haproxy_config(const std::string& example, int front, int a, int b, bool sticky) {
  std::istringstream in(example);
  std::string out;
  for (std::string l; std::getline(in, l);) {
    const auto first = l.find_first_not_of(' ');
    if (!sticky && first != std::string::npos && l.compare(first, 5, "stick") == 0) continue;
    l = std::regex_replace(l, std::regex("127\\.0\\.0\\.1:8800"), "127.0.0.1:" + std::to_string(front));
    l = std::regex_replace(l, std::regex("127\\.0\\.0\\.1:8801"), "127.0.0.1:" + std::to_string(a));
    l = std::regex_replace(l, std::regex("127\\.0\\.0\\.1:8802"), "127.0.0.1:" + std::to_string(b));
    out += l + "\n";
  }
  return out;
}

// HAProxy in the foreground (-db) with `config` written to `dir`; ready once its port answers.
struct HaproxyChild {
  int port;
  Child child;
  HaproxyChild(const std::string& binary, const std::filesystem::path& dir, const std::string& name,
               const std::string& config, int front)
      : port(front), child({binary, "-db", "-f", write(dir / name, config)}) {
    for (int i = 0; i < 200; ++i) {
      httplib::Client c("127.0.0.1", port);
      c.set_connection_timeout(0, 200000);
      if (auto r = c.Get("/healthz", {{"Host", "localhost"}}); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("haproxy did not answer on port " + std::to_string(port) + ": " +
                             child.proc->stderr_text());
  }
  static std::string write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
    return p.string();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// A command run to its end: exit code, stdout, stderr.
struct Ran {
  int code = -1;
  std::string out, err;
};
inline Ran run_to_end(std::vector<std::string> argv, std::chrono::seconds timeout) {
  Subprocess p(std::move(argv));
  Ran r;
  for (auto& l : p.read_all_lines(timeout)) r.out += l + "\n";
  r.code = p.wait(std::chrono::seconds(10)).value_or(-1);
  r.err = p.stderr_text();
  if (r.code == -1) p.kill(SIGKILL), p.wait(std::chrono::seconds(5));
  return r;
}

}  // namespace jira_mcp::testing
