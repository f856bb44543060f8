#pragma once
// The tool tests' harness: a real sandbox, a real Jira client and the real dispatcher, wired as
// in the server. With JIRA_MCP_SPEC_PROXY=1 every Stack of a flavour shares one sandbox behind
// ../shared/tools/jira-spec-proxy (Prism validating against Atlassian's OpenAPI specs), and the
// client talks to the proxy, so the whole suite doubles as the spec check of the client's traffic.
// Without ../shared the suite runs against the plain sandbox and says once that it skipped that.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/tools/tools.hpp"
#include "support/paths.hpp"
#include "support/recording_peer.hpp"
#include "support/shared.hpp"
#include "support/subprocess.hpp"

namespace jira_mcp::testing {

inline std::optional<std::filesystem::path> spec_proxy_tool() {
  const char* v = std::getenv("JIRA_MCP_SPEC_PROXY");
  if (!v || std::string(v) != "1") return std::nullopt;
  return shared_file("tools/jira-spec-proxy",
                     "the tools' Jira traffic is not checked against Atlassian's OpenAPI specs (plain sandbox)");
}

inline bool spec_proxy_mode() { return spec_proxy_tool().has_value(); }

struct ProxiedUpstream {
  std::unique_ptr<sandbox::Sandbox> sandbox;
  // Between Prism and the sandbox: restores JSON-string bodies Prism forwards unquoted (see
  // prism_json_relay.py).
  std::unique_ptr<Subprocess> relay;
  std::unique_ptr<Subprocess> proxy;
  std::string url;
};

inline std::map<sandbox::Flavor, ProxiedUpstream>& proxied_upstreams() {
  static std::map<sandbox::Flavor, ProxiedUpstream> upstreams;
  return upstreams;
}

inline ProxiedUpstream& proxied_upstream(sandbox::Flavor flavor) {
  auto& u = proxied_upstreams()[flavor];
  if (u.proxy) return u;
  u.sandbox = std::make_unique<sandbox::Sandbox>(sandbox::Options{flavor, "127.0.0.1", 0, 120, 42, {}, nullptr, 4});
  REQUIRE(u.sandbox->start().ok());
  u.relay = std::make_unique<Subprocess>(std::vector<std::string>{
      "/usr/bin/env", "python3", source_dir() + "/tests/tools/prism_json_relay.py", u.sandbox->base_url()});
  std::string relay_url, relay_err;
  for (int i = 0; i < 600 && relay_url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    relay_err += u.relay->stderr_text();
    auto at = relay_err.find(" at http://");
    auto arrow = relay_err.find(" -> ", at == std::string::npos ? 0 : at);
    if (at != std::string::npos && arrow != std::string::npos) relay_url = relay_err.substr(at + 4, arrow - at - 4);
  }
  REQUIRE_MESSAGE(!relay_url.empty(), relay_err);
  u.proxy = std::make_unique<Subprocess>(std::vector<std::string>{
      "/usr/bin/env", "python3", spec_proxy_tool()->string(), "--spec",
      flavor == sandbox::Flavor::Cloud ? "cloud" : "dc", "--upstream", relay_url, "--allow",
      source_dir() + "/tests/sandbox/spec_allow.txt"});
  std::string err;
  for (int i = 0; i < 1200 && u.url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    err += u.proxy->stderr_text();
    auto at = err.find(" at http://");
    auto arrow = err.find(" -> ", at == std::string::npos ? 0 : at);
    if (at != std::string::npos && arrow != std::string::npos) u.url = err.substr(at + 4, arrow - at - 4);
  }
  REQUIRE_MESSAGE(!u.url.empty(), err);
  return u;
}

struct ProxyReport {
  std::string text;
  int exit_code = -1;
};

// Stops the flavour's proxy (if one was started) and returns its report.
inline std::optional<ProxyReport> stop_spec_proxy(sandbox::Flavor flavor) {
  auto& ups = proxied_upstreams();
  auto it = ups.find(flavor);
  if (it == ups.end() || !it->second.proxy) return std::nullopt;
  it->second.proxy->kill(SIGINT);
  ProxyReport report;
  for (const auto& l : it->second.proxy->read_all_lines(std::chrono::seconds(60))) report.text += l + "\n";
  report.exit_code = it->second.proxy->wait(std::chrono::seconds(30)).value_or(-1);
  ups.erase(it);
  return report;
}

struct Stack {
  std::unique_ptr<sandbox::Sandbox> own;
  sandbox::Sandbox* sb = nullptr;
  std::unique_ptr<jira::Client> client;
  std::shared_ptr<tools::Services> services = std::make_shared<tools::Services>();
  std::unique_ptr<mcp::Dispatcher> dispatcher;
  RecordingPeer peer;
  mcp::Session session{peer};
  int next_id = 1;

  // `cache`: the response cache the client reads through (null: none, as by default).
  // `front`: given the sandbox's URL, the URL the client talks to instead (a relay in between).
  explicit Stack(sandbox::Flavor flavor, tools::Selection selection = {{"all"}, {}, {}, false}, size_t budget = 40000,
                 std::shared_ptr<cache::Cache> cache = nullptr,
                 const std::function<std::string(const std::string&)>& front = nullptr,
                 const std::function<void(jira::ClientOptions&)>& adjust = nullptr) {
    std::string url;
    if (spec_proxy_mode()) {
      auto& u = proxied_upstream(flavor);
      sb = u.sandbox.get();
      url = u.url;
    } else {
      own = std::make_unique<sandbox::Sandbox>(sandbox::Options{flavor, "127.0.0.1", 0, 120, 42, {}, nullptr, 4});
      REQUIRE(own->start().ok());
      sb = own.get();
      url = sb->base_url();
    }
    jira::ClientOptions o;
    o.url = front ? front(url) : url;
    auto c = sb->credentials();
    if (flavor == sandbox::Flavor::Cloud) {
      o.email = c.email;
      o.api_token = c.api_token;
      o.deployment = jira::DeploymentMode::cloud;
    } else {
      o.pat = c.pat;
      o.deployment = jira::DeploymentMode::datacenter;
    }
    o.rate_rps = 0;
    o.cache = std::move(cache);
    if (adjust) adjust(o);
    wire(o, selection, budget);
  }
  // The same stack against any Jira at `url` (a test's own loopback server), with dummy
  // credentials; sb stays null.
  Stack(const std::string& url, jira::DeploymentMode mode, size_t budget = 40000) {
    jira::ClientOptions o;
    o.url = url;
    if (mode == jira::DeploymentMode::cloud) {
      o.email = "t@example.com";
      o.api_token = "token";
    } else {
      o.pat = "pat";
    }
    o.deployment = mode;
    o.rate_rps = 0;
    wire(o, {{"all"}, {}, {}, false}, budget);
  }
  void wire(const jira::ClientOptions& o, const tools::Selection& selection, size_t budget) {
    auto created = jira::Client::create(o);
    REQUIRE(created.ok());
    client = std::move(*created);
    services->client = client.get();
    services->options.max_response_chars = budget;
    mcp::RegistryBuilder b;
    REQUIRE(tools::register_tools(b, services, selection).ok());
    auto reg = b.freeze();
    REQUIRE_MESSAGE(reg.ok(), (reg.ok() ? "" : reg.error().message));
    mcp::DispatcherOptions options;
    options.tasks = mcp::TaskOptions{};  // the bulk tools run as tasks for 2026 requests that allow it
    dispatcher = std::make_unique<mcp::Dispatcher>(*reg, mcp::ServerInfo{"jira-mcp", "", "t", ""}, options);
    auto init = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                        {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                                    {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                                   session);
    REQUIRE(init);
  }
  bool cloud() const { return sb && sb->flavor() == sandbox::Flavor::Cloud; }
  // The tools/call result object.
  Json call(const std::string& tool, Json args = Json::object()) {
    auto r = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", "tools/call"},
                                     {"params", {{"name", tool}, {"arguments", std::move(args)}}}},
                                session);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->contains("result"), r->dump());
    return (*r)["result"];
  }
  std::vector<std::string> listed() {
    auto r = dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", next_id++}, {"method", "tools/list"}}, session);
    std::vector<std::string> names;
    for (auto& t : (*r)["result"]["tools"]) names.push_back(t["name"]);
    return names;
  }
};

inline std::string text(const Json& result) {
  std::string s;
  for (const auto& c : result["content"]) s += c.value("text", "");
  return s;
}
inline bool ok(const Json& result) { return !result.value("isError", false); }

#define FOR_EACH_FLAVOR(var)                                             \
  for (auto var : {sandbox::Flavor::Cloud, sandbox::Flavor::DataCenter}) \
    if (CAPTURE(var == sandbox::Flavor::Cloud ? "cloud" : "dc"); true)

}  // namespace jira_mcp::testing
