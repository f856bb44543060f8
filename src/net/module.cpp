// jira-mcp-net.so: the HTTP code of jira-mcp (net/net.hpp), loaded by the binary on first use.
// Its undefined symbols are the binary's own (linked with --export-dynamic), so every class,
// logger and registry exists once in the process.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "jira_mcp/bench/bench.hpp"
#include "jira_mcp/config/config.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/transport/http.hpp"
#include "net/api.hpp"

#include <spdlog/spdlog.h>

namespace jira_mcp::net::module {

namespace {

class Sandbox final : public RunningSandbox {
 public:
  explicit Sandbox(const sandbox::Options& o) : sb_(o) {}
  Status<Error> start() { return sb_.start(); }
  std::string base_url() const override { return sb_.base_url(); }
  sandbox::Flavor flavor() const override { return sb_.flavor(); }
  sandbox::Credentials credentials() const override { return sb_.credentials(); }
  std::string shell_exports() const override { return sb_.shell_exports(); }
  void stop() override { sb_.stop(); }

 private:
  sandbox::Sandbox sb_;
};

Result<std::unique_ptr<RunningSandbox>> start_sandbox(const sandbox::Options& options) {
  auto sb = std::make_unique<Sandbox>(options);
  if (auto s = sb->start(); !s) return unexpected(s.error());
  std::unique_ptr<RunningSandbox> out = std::move(sb);
  return out;
}

transport::HttpOptions http_options(const config::Config& cfg) {
  transport::HttpOptions o;
  const auto& h = cfg.http;
  o.host = cfg.server.host;
  o.port = cfg.server.port;
  o.allowed_origins = h.allowed_origins;
  o.allowed_hosts = h.allowed_hosts;
  o.bearer_token = h.bearer_token;
  o.per_user_credentials = h.per_user_credentials == "required"   ? transport::PerUserCredentials::required
                           : h.per_user_credentials == "optional" ? transport::PerUserCredentials::optional
                                                                  : transport::PerUserCredentials::off;
  o.tls_cert = h.tls_cert;
  o.tls_key = h.tls_key;
  o.max_body_bytes = h.max_body_bytes;
  o.max_sessions = static_cast<std::size_t>(std::max(1, h.max_sessions));
  o.session_idle_timeout = std::chrono::seconds(h.session_idle_timeout_seconds);
  o.max_sessions_per_client = static_cast<std::size_t>(std::max(1, h.max_sessions_per_client));
  o.max_connections_per_client = static_cast<std::size_t>(std::max(1, h.max_connections_per_client));
  o.unused_session_timeout = std::chrono::seconds(h.unused_session_timeout_seconds);
  o.header_timeout = std::chrono::milliseconds(h.header_timeout_ms);
  o.body_timeout = std::chrono::milliseconds(h.body_timeout_ms);
  o.metrics_port = h.metrics_port > 0 ? h.metrics_port : -1;
  o.max_streams_per_session = static_cast<std::size_t>(std::max(1, h.max_streams_per_session));
  o.stateless = h.stateless;
  o.legacy_sse = h.legacy_sse;
  o.legacy_workers = static_cast<std::size_t>(std::max(1, cfg.server.workers));
  return o;
}

// Serves Streamable HTTP (and legacy SSE) until SIGINT/SIGTERM, then stops cleanly: new requests
// are refused, in-flight calls reply, streams close. The monitor's checks run meanwhile.
int serve_http(const HttpServe& args) {
  monitor::Monitor& mon = *args.monitor;
  transport::HttpOptions o = http_options(*args.config);
  if (args.fleet_http) args.fleet_http(o);
  o.subscriptions = args.subscriptions;
  o.readiness = args.readiness;
  o.metrics = [&mon] { return mon.render_prometheus(); };
  transport::HttpServer server(*args.dispatcher, o);
  if (auto s = server.start(); !s) {
    spdlog::critical("HTTP transport: {}", s.error().message);
    return 1;
  }
  // Alerts reach every HTTP session as notifications/message on its GET stream (each session's
  // logging/setLevel decides). The hook outlives the server, so it reaches it through a pointer
  // cleared before the server goes.
  struct AlertTarget {
    std::mutex mu;
    transport::HttpServer* server = nullptr;
  };
  auto target = std::make_shared<AlertTarget>();
  target->server = &server;
  mon.on_alert([target](const monitor::Alert& a) {
    const auto level = !a.firing ? mcp::LogLevel::Info
                       : a.severity == monitor::Severity::error ? mcp::LogLevel::Error
                                                                : mcp::LogLevel::Warning;
    std::lock_guard lock(target->mu);
    if (target->server) target->server->broadcast_log(level, monitor::to_json(a), "monitor");
  });
  const std::string url = std::string(server.tls() ? "https" : "http") + "://" +
                          (o.host == "0.0.0.0" ? std::string("127.0.0.1") : o.host) + ":" +
                          std::to_string(server.port()) + "/mcp";
  std::cerr << "jira-mcp " << JIRA_MCP_VERSION << " serving MCP over Streamable HTTP at " << url << "\n"
            << "  Claude Code:  claude mcp add --transport http jira " << url << "\n"
            << "  Other hosts:  {\"mcpServers\": {\"jira\": {\"type\": \"http\", \"url\": \"" << url << "\"}}}\n"
            << (o.legacy_sse ? "  Legacy SSE clients: " + url.substr(0, url.size() - 4) + "/sse\n" : std::string())
            << "  Health: /healthz  Readiness: /readyz  Metrics: /metrics"
            << (server.metrics_port() > 0 ? " (also http://127.0.0.1:" + std::to_string(server.metrics_port()) +
                                                "/metrics without the token)"
                                          : std::string())
            << "   (Ctrl-C stops)" << std::endl;
  mon.start();
  args.wait_for_stop();
  mon.stop();
  {
    std::lock_guard lock(target->mu);
    target->server = nullptr;
  }
  server.stop();
  spdlog::info("HTTP transport stopped");
  return 0;
}

// --bench: the built-in benchmark (src/bench) against an in-process sandbox. Its output is for
// a terminal or a CI log, not an MCP client, so it goes to stdout; progress goes to the log.
int run_bench(const config::Startup& st) {
  bench::Plan plan = st.bench_quick ? bench::Plan::quick() : bench::Plan::full();
  plan.server_binary = "/proc/self/exe";
  if (const char* only = std::getenv("JIRA_BENCH_WORKLOADS"); only != nullptr) {
    std::string list = only;
    for (std::size_t at = 0; at <= list.size();) {
      const std::size_t comma = std::min(list.find(',', at), list.size());
      if (comma > at) plan.workloads.push_back(list.substr(at, comma - at));
      at = comma + 1;
    }
  }
  auto report = bench::run(plan);
  if (!report) {
    std::cerr << "jira-mcp --bench: " << report.error().message << "\n";
    return 1;
  }
  if (st.bench_json) {
    std::cout << bench::to_json(*report).dump(2) << std::endl;
  } else {
    std::cout << bench::render_table(*report) << std::flush;
  }
  return report->problems.empty() ? 0 : 1;
}

constexpr ModuleApi kApi{JIRA_MCP_VERSION, sizeof(ModuleApi), &jira::make_http_transport, &start_sandbox,
                         &serve_http, &run_bench};

}  // namespace

}  // namespace jira_mcp::net::module

extern "C" __attribute__((visibility("default"))) const jira_mcp::net::ModuleApi* jira_mcp_net_module_api() {
  return &jira_mcp::net::module::kApi;
}
