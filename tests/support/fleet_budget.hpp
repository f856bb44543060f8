#pragma once
// Processes for fleet tests of the shared rate budget: `jira-mcp sandbox` with fault flags (its
// counters at GET /_sandbox/stats), and jira-mcp instances serving MCP over HTTP on a free
// loopback port with a config file of their own, plus a minimal MCP-over-HTTP session to call
// tools on them. Everything is stopped by pid (SIGTERM, then SIGKILL) at scope exit.
//
// Not thread-safe, except McpSession objects, one per thread.
#include <doctest/doctest.h>
#include <httplib.h>
#include <jira_mcp/core/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/loopback.hpp"
#include "support/subprocess.hpp"

namespace jira_mcp::testing::fleet_budget {

// Environment that keeps the developer's own Jira and config out of a spawned instance.
inline std::vector<std::string> clean_env(std::vector<std::string> extra = {}) {
  std::vector<std::string> env{"JIRA_URL=",          "JIRA_EMAIL=",        "JIRA_API_TOKEN=",    "JIRA_PAT=",
                               "JIRA_USERNAME=",     "JIRA_PASSWORD=",     "JIRA_DEPLOYMENT=",   "JIRA_TOOLSETS=",
                               "JIRA_MCP_CONFIG=",   "JIRA_MCP_REDIS_URL=", "JIRA_MCP_INSTANCE_ID=",
                               "JIRA_MCP_TRANSPORT=", "JIRA_MCP_LOG_LEVEL=warn", "JIRA_CACHE_ENABLED="};
  extra.insert(extra.end(), env.begin(), env.end());  // the first of a name wins
  return extra;
}

inline void stop(Subprocess& p) {
  p.kill(SIGTERM);
  if (!p.wait(std::chrono::seconds(10))) {
    p.kill(SIGKILL);
    p.wait(std::chrono::seconds(10));
  }
}

// `jira-mcp sandbox` with `flags`; url and the demo credentials from its first stdout line.
struct Sandbox {
  Subprocess proc;
  std::vector<std::string> exports;  // JIRA_URL=..., JIRA_EMAIL=..., JIRA_API_TOKEN=...
  std::string url;

  explicit Sandbox(std::vector<std::string> flags) : proc(argv(std::move(flags)), clean_env()) {
    const auto line = proc.read_line(std::chrono::seconds(30));
    REQUIRE_MESSAGE(line, "jira-mcp sandbox printed nothing; stderr: " << proc.stderr_text());
    for (std::size_t at = line->find(' ') + 1; at < line->size();) {  // export NAME='value' ...
      const auto eq = line->find("='", at);
      if (eq == std::string::npos) break;
      const auto end = line->find('\'', eq + 2);
      exports.push_back(line->substr(at, eq - at) + "=" + line->substr(eq + 2, end - eq - 2));
      if (exports.back().starts_with("JIRA_URL=")) url = exports.back().substr(9);
      at = end + 2;
    }
    REQUIRE(!url.empty());
  }
  ~Sandbox() { stop(proc); }
  static std::vector<std::string> argv(std::vector<std::string> flags) {
    std::vector<std::string> a{JIRA_MCP_BINARY, "sandbox", "--port", "0", "--issues", "20"};
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  }
  Json stats() const {
    httplib::Client c(url);
    auto r = c.Get("/_sandbox/stats");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return Json::parse(r->body);
  }
  void reset_stats() const {
    httplib::Client c(url);
    auto r = c.Delete("/_sandbox/stats");
    REQUIRE(r);
  }
};

// A jira-mcp instance serving MCP over HTTP, configured by `toml` (written to a temp file) and
// pointed at the sandbox's Jira.
struct Instance {
  std::filesystem::path dir;
  std::optional<Subprocess> proc;
  int port = 0;

  Instance(const Sandbox& jira, const std::string& toml) {
    std::string templ = (std::filesystem::temp_directory_path() / "jira-mcp-fleet-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    dir = templ;
    std::ofstream(dir / "config.toml") << toml;
    const int want = unused_loopback_port();
    auto env = clean_env(jira.exports);
    proc.emplace(std::vector<std::string>{JIRA_MCP_BINARY, "--config", (dir / "config.toml").string(), "--transport",
                                          "http", "--host", "127.0.0.1", "--port", std::to_string(want)},
                 env);
    std::string err;
    const std::string banner = "Streamable HTTP at http://127.0.0.1:";
    for (int i = 0; i < 400 && port == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      err = proc->stderr_text();  // all of it so far
      if (auto at = err.find(banner); at != std::string::npos && err.find("/mcp", at) != std::string::npos) {
        port = std::stoi(err.substr(at + banner.size()));
      }
    }
    log = err;
    REQUIRE_MESSAGE(port > 0, err);
  }
  ~Instance() {
    if (proc) stop(*proc);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // What it logged so far (stderr).
  std::string stderr_log() {
    log = proc->stderr_text();
    return log;
  }
  std::string metrics() const {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/metrics");
    return r && r->status == 200 ? r->body : std::string();
  }
  std::string log;
};

// One MCP session (2025-11-25) on an instance; tool calls return the result object or nullopt
// when the HTTP exchange itself failed.
class McpSession {
 public:
  explicit McpSession(int port) : http_("127.0.0.1", port) {
    http_.set_read_timeout(std::chrono::seconds(90));
    headers_ = {{"Accept", "application/json, text/event-stream"}};
    auto init = http_.Post("/mcp", headers_,
                           R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                           R"("capabilities":{},"clientInfo":{"name":"fleet-budget-test","version":"1"}}})",
                           "application/json");
    REQUIRE(init);
    REQUIRE_MESSAGE(init->status == 200, init->body);
    headers_.emplace("Mcp-Session-Id", init->get_header_value("Mcp-Session-Id"));
    headers_.emplace("MCP-Protocol-Version", "2025-11-25");
    REQUIRE(http_.Post("/mcp", headers_, R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                       "application/json"));
  }

  std::optional<Json> call(const std::string& tool, const Json& arguments) {
    const Json req{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", "tools/call"},
                   {"params", {{"name", tool}, {"arguments", arguments}}}};
    auto r = http_.Post("/mcp", headers_, req.dump(), "application/json");
    if (!r || r->status != 200) return std::nullopt;
    std::string body = r->body;
    if (auto data = body.find("data: {"); data != std::string::npos) {
      body = body.substr(data + 6, body.find('\n', data) - data - 6);
    }
    Json msg = Json::parse(body, nullptr, false);
    if (msg.is_discarded() || !msg.contains("result")) return std::nullopt;
    return msg["result"];
  }

 private:
  httplib::Client http_;
  httplib::Headers headers_;
  int id_ = 1;
};

}  // namespace jira_mcp::testing::fleet_budget
