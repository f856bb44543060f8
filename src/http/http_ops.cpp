// The ops endpoints: /readyz (cached readiness), /metrics (Prometheus text), and the optional
// loopback metrics port that serves them without the bearer token.
#include <spdlog/spdlog.h>

#include "jira_mcp/core/listen.hpp"
#include "transport/http_server_impl.hpp"

namespace jira_mcp::transport {

using detail::send_error;

// --- ops --------------------------------------------------------------------------------------

// A few probes a minute from a local scraper: httplib's own listener with at most 4 threads is
// enough, and loopback keeps it out of reach of other hosts; the Host check keeps it out of
// reach of web pages (DNS rebinding).
Status<Error> HttpServer::Impl::start_ops_server() {
  ops_server_ = std::make_unique<httplib::Server>();
  ops_server_->new_task_queue = [this] { return new detail::ElasticPool(4, ops_threads_, options_.worker_idle); };
  ops_server_->set_socket_options([](int sock) { core::set_listen_socket_options(sock); });
  ops_server_->set_keep_alive_max_count(1);
  ops_server_->set_read_timeout(5, 0);
  ops_server_->set_pre_routing_handler([this](const Req& req, Res& res) {
    if (req.get_header_value_count("Host") != 1 ||
        !detail::host_allowed(req.get_header_value("Host"), {}, ops_port_)) {
      send_error(res, 403, mcp::rpc::kInvalidRequest, "Forbidden: the metrics port answers loopback Host names only");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  ops_server_->Get("/healthz", [](const Req&, Res& res) { res.set_content("ok\n", "text/plain"); });
  ops_server_->Get("/readyz", [this](const Req&, Res& res) { readyz(res); });
  ops_server_->Get("/metrics", [this](const Req&, Res& res) { metrics(res); });
  if (options_.metrics_port == 0) {
    ops_port_ = ops_server_->bind_to_any_port("127.0.0.1");
  } else {
    ops_port_ = ops_server_->bind_to_port("127.0.0.1", options_.metrics_port) ? options_.metrics_port : -1;
  }
  if (ops_port_ <= 0) {
    ops_port_ = -1;
    return unexpected(Error{"http", "could not listen on 127.0.0.1:" + std::to_string(options_.metrics_port) +
                                        " for metrics (address in use?)"});
  }
  ops_listener_ = std::jthread([this] {
    if (!ops_server_->listen_after_bind()) spdlog::error("the metrics listener stopped with an error");
  });
  while (!ops_server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Ok{};
}

void HttpServer::Impl::readyz(Res& res) {
  Readiness r{true, "no readiness check configured"};
  if (options_.readiness) {
    std::lock_guard lock(ready_mu_);  // one probe at a time; the others use its answer
    const auto now = options_.now();
    if (!ready_cached_ || now - ready_at_ >= options_.readiness_cache) {
      ready_cached_ = options_.readiness();
      ready_at_ = now;
    }
    r = *ready_cached_;
  }
  res.status = r.ready ? 200 : 503;
  res.set_content((r.ready ? "ready: " : "not ready: ") + r.detail + "\n", "text/plain");
}

void HttpServer::Impl::metrics(Res& res) {
  const auto st = stats();
  std::string body = options_.metrics ? options_.metrics() : std::string();
  body += "# HELP jira_mcp_http_sessions Live MCP HTTP sessions.\n# TYPE jira_mcp_http_sessions gauge\n"
          "jira_mcp_http_sessions " + std::to_string(st.sessions) +
          "\n# HELP jira_mcp_http_open_streams Open SSE streams.\n# TYPE jira_mcp_http_open_streams gauge\n"
          "jira_mcp_http_open_streams " + std::to_string(st.open_streams) +
          "\n# HELP jira_mcp_http_threads HTTP worker threads.\n# TYPE jira_mcp_http_threads gauge\n"
          "jira_mcp_http_threads " + std::to_string(st.threads) +
          "\n# HELP jira_mcp_http_connections Open client connections (plain HTTP).\n"
          "# TYPE jira_mcp_http_connections gauge\njira_mcp_http_connections " + std::to_string(st.connections) +
          "\n# HELP jira_mcp_http_waiting_connections Connections whose request headers are still arriving.\n"
          "# TYPE jira_mcp_http_waiting_connections gauge\njira_mcp_http_waiting_connections " +
          std::to_string(st.waiting) + "\n";
  res.set_content(body, "text/plain; version=0.0.4");
}

}  // namespace jira_mcp::transport
