// The HTTP server: lifecycle, routing, the checks every request passes, the session table and
// the MCP endpoints (the ops endpoints are in http_ops.cpp; the private class in
// http_server_impl.hpp).
//
// A worker thread serves one request at a time and is blocked while its response
// body is produced, so an SSE stream is a chunked content provider that waits on its session's
// condition variable for frames (or a heartbeat timeout) and writes them. A POST whose reply is
// streamed runs its whole call inside the first provider invocation, on the worker thread,
// with the POST's stream as the request's notification sink (mcp::Inbound::sink): the call's notifications and
// server-to-client requests are written to the client as they happen, then the response, and
// the stream ends. Nothing here parses JSON-RPC beyond the method name; the Dispatcher does.
//
// Plain HTTP connections come through the FrontDoor (http_front_door.cpp), which gates each
// request's header block and hands it to a worker running httplib's request processing; TLS
// connections use httplib's own listener. The checks in check() run in both cases (for plain
// HTTP most of them have already been made by the gate).
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>

#include "jira_mcp/core/listen.hpp"
#include "jira_mcp/core/work_queue.hpp"
#include "transport/http_detail.hpp"
#include "transport/http_front_door.hpp"
#include "transport/http_gate.hpp"
#include "transport/http_mcp_headers.hpp"
#include "transport/http_server_impl.hpp"
#include "transport/http_session.hpp"

namespace jira_mcp::transport {

using detail::send_error;

namespace {

constexpr const char* kSessionHeader = "Mcp-Session-Id";
constexpr const char* kProtocolHeader = "MCP-Protocol-Version";
constexpr std::string_view kDefaultProtocol = "2025-03-26";  // when the header is absent
constexpr const char* kCredentialHeaders =
    "X-Jira-Email + X-Jira-Api-Token (Jira Cloud) or X-Jira-Personal-Access-Token (Data Center)";

void bad_request(httplib::Response& res, const std::string& message) {
  send_error(res, 400, mcp::rpc::kInvalidRequest, "Bad Request: " + message);
}

bool is_mcp_path(const std::string& path) { return path == "/mcp" || path == "/sse" || path == "/messages"; }

// Methods whose handlers may send progress, log messages or server-to-client requests while they
// run: their reply is streamed when the client accepts text/event-stream.
bool may_notify(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

bool explicitly_accepts(const std::string& accept, std::string_view type) {
  return accept.find(type) != std::string::npos;
}

void sse_headers(httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
}

}  // namespace


// --- lifecycle --------------------------------------------------------------------------------

Status<Error> HttpServer::Impl::start() {
  if (tls()) {
    for (const auto& f : {options_.tls_cert, options_.tls_key}) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(f, ec)) return unexpected(Error{"http", "TLS file not found: " + f});
    }
    auto ssl = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!ssl->is_valid()) {
      return unexpected(Error{"http", "could not load the TLS certificate " + options_.tls_cert + " with its key " +
                              options_.tls_key + " (PEM files expected, the key unencrypted)"});
    }
    server_ = std::move(ssl);
    server_->new_task_queue = [this] {
      return new detail::ElasticPool(options_.max_threads, threads_, options_.worker_idle);
    };
  } else {
    if (!options_.tls_key.empty()) return unexpected(Error{"http", "http.tls_key is set without http.tls_cert"});
    auto gated = std::make_unique<detail::GatedServer>();
    gated_ = gated.get();
    server_ = std::move(gated);
  }
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_keep_alive_timeout(std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                                          options_.keep_alive_idle).count()));
  server_->set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(options_.write_timeout).count(), 0);
  add_routes();
  auto in_use = [&] {
    return unexpected(Error{"http", "could not listen on " + options_.host + ":" + std::to_string(options_.port) +
                                        " (address in use, or not allowed)"});
  };
  if (gated_) {
    pool_ = std::make_unique<detail::ElasticPool>(options_.max_threads, threads_, options_.worker_idle);
    front_door_ = std::make_unique<detail::FrontDoor>(
        options_, *pool_,
        [this](httplib::Stream& strm, bool close, bool& closed) { return gated_->process_one(strm, close, closed); },
        stopping_);
    auto bound = front_door_->bind(options_.host, options_.port);
    if (!bound) {
      front_door_.reset();
      if (options_.port == 0) return unexpected(Error{"http", "could not listen on " + options_.host + " (any port)"});
      return in_use();
    }
    port_ = *bound;
    listen_fd_ = front_door_->listen_fd();
    gated_->set_serving_socket(listen_fd_);  // httplib ends chunked bodies once this is invalid
  } else {
    // httplib's default also sets SO_REUSEPORT, which would let a second server bind the same
    // port silently and share its connections; keep only SO_REUSEADDR (fast restarts).
    server_->set_socket_options([this](int sock) {
      core::set_listen_socket_options(sock);
      listen_fd_ = sock;  // the last socket tried is the one bound
    });
    if (options_.port == 0) {
      port_ = server_->bind_to_any_port(options_.host);
      if (port_ <= 0) return unexpected(Error{"http", "could not listen on " + options_.host + " (any port)"});
    } else {
      if (!server_->bind_to_port(options_.host, options_.port)) return in_use();
      port_ = options_.port;
    }
    // httplib listens with a backlog of 5: a burst of clients would wait 1 s each for a SYN
    // retransmit (core/listen.hpp).
    if (!core::widen_listen_backlog(listen_fd_)) spdlog::warn("could not widen the HTTP listen backlog");
  }
  if (options_.metrics_port >= 0) {
    if (auto st = start_ops_server(); !st) {
      if (front_door_) front_door_->close_all();
      return st;
    }
  }
  legacy_pool_ = std::make_unique<core::WorkQueue>(options_.legacy_workers, options_.legacy_queue);
  call_pool_ = std::make_unique<detail::ElasticPool>(options_.max_threads, call_threads_, options_.worker_idle);
  {
    std::lock_guard lock(stop_mu_);
    started_ = true;
  }
  if (front_door_) {
    front_door_->start();
  } else {
    listener_ = std::jthread([this] {
      if (!server_->listen_after_bind()) spdlog::error("the HTTP listener stopped with an error");
    });
    // httplib's stop() does nothing until the listener runs; wait for it so an early stop() works.
    while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  reaper_ = std::jthread([this](std::stop_token st) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    while (!cv.wait_for(lock, st, options_.reap_interval, [] { return false; })) {
      if (st.stop_requested()) break;
      if (auto n = reap_idle_sessions(); n > 0) spdlog::info("ended {} idle HTTP session(s)", n);
    }
  });
  return Ok{};
}

void HttpServer::Impl::stop() {
  {
    std::lock_guard lock(stop_mu_);
    if (!started_ || stopped_ || stopping_.exchange(true)) return;
  }
  spdlog::info("HTTP server stopping: new requests are refused; in-flight calls finish");
  std::vector<SessionPtr> all;
  {
    std::lock_guard lock(sessions_mu_);
    for (auto& [id, s] : sessions_) all.push_back(s);
  }
  for (auto& s : all) {
    s->session().end_of_input();  // a call waiting on the client (elicitation) gives up now
    { std::lock_guard lock(s->mu); }
    s->cv.notify_all();           // GET streams see stopping_ and end
  }
  if (front_door_) {
    front_door_->stop_accepting();   // idle and half-read connections close; no new ones
    gated_->clear_serving_socket();  // streams being written end
    pool_->shutdown();               // in-flight POSTs reply; queued requests get 503
    front_door_->close_all();
    listen_fd_ = -1;
  } else {
    server_->stop();
    if (listener_.joinable()) listener_.join();  // joins the workers: in-flight POSTs have replied
  }
  if (ops_server_) {
    ops_server_->stop();
    if (ops_listener_.joinable()) ops_listener_.join();
  }
  legacy_pool_.reset();                         // finishes queued legacy requests
  if (call_pool_) call_pool_->shutdown();       // 2026 calls whose client went away finish
  reaper_.request_stop();
  if (reaper_.joinable()) reaper_.join();
  {
    std::lock_guard lock(sessions_mu_);
    all.clear();
    for (auto& [id, s] : sessions_) all.push_back(s);
    sessions_.clear();
    sessions_count_.store(0, std::memory_order_relaxed);
  }
  for (auto& s : all) s->end();
  {
    std::lock_guard lock(stop_mu_);
    stopped_ = true;
  }
  stopped_cv_.notify_all();
}

std::size_t HttpServer::Impl::reap_idle_sessions() {
  const auto now = options_.now();
  std::vector<SessionPtr> idle;
  {
    std::lock_guard lock(sessions_mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto& s = it->second;
      std::lock_guard slock(s->mu);
      const bool quiet = s->streams == 0 && s->busy == 0 && now - s->last_active > options_.session_idle_timeout;
      // Never used since initialize (a legacy one: its stream open but no POST): ends sooner.
      const bool unused = !s->used && s->busy == 0 && (s->legacy() || s->streams == 0) &&
                          now - s->last_active > options_.unused_session_timeout;
      if (quiet || unused) {
        idle.push_back(s);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    sessions_count_.store(sessions_.size(), std::memory_order_relaxed);
  }
  for (auto& s : idle) s->end();
  return idle.size();
}

// --- routing and checks -----------------------------------------------------------------------

void HttpServer::Impl::add_routes() {
  auto& s = *server_;
  s.set_pre_routing_handler([this](const Req& req, Res& res) { return check(req, res); });
  // POST bodies are read by the handlers themselves, so a chunked body is counted as it arrives.
  s.Post("/mcp", [this](const Req& req, Res& res, const httplib::ContentReader& reader) {
    std::string body;
    if (read_body(res, reader, body)) post_mcp(req, body, res);
  });
  s.Get("/mcp", [this](const Req& req, Res& res) { get_mcp(req, res); });
  s.Delete("/mcp", [this](const Req& req, Res& res) { delete_mcp(req, res); });
  if (options_.legacy_sse) {
    s.Get("/sse", [this](const Req& req, Res& res) { get_sse(req, res); });
    s.Post("/messages", [this](const Req& req, Res& res, const httplib::ContentReader& reader) {
      std::string body;
      if (read_body(res, reader, body)) post_messages(req, body, res);
    });
  }
  s.Get("/healthz", [](const Req&, Res& res) { res.set_content("ok\n", "text/plain"); });
  s.Get("/readyz", [this](const Req&, Res& res) { readyz(res); });
  s.Get("/metrics", [this](const Req&, Res& res) { metrics(res); });
  // Bodies for the errors httplib produces itself (413, 404, 405 ...).
  s.set_error_handler(httplib::Server::HandlerWithResponse([](const Req& req, Res& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string msg = res.status == 413   ? "Payload Too Large: the body exceeds http.max_body_bytes"
                      : res.status == 404 ? "Not Found: " + req.path + " (MCP is served at /mcp)"
                                          : "HTTP error " + std::to_string(res.status);
    send_error(res, res.status, mcp::rpc::kInvalidRequest, msg);
    return httplib::Server::HandlerResponse::Handled;
  }));
  s.set_exception_handler([](const Req& req, Res& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("HTTP {} {}: internal error: {}", req.method, req.path, what);
    send_error(res, 500, mcp::rpc::kInternalError, "Internal error; see the server log");
  });
  s.set_logger([](const Req& req, const Res& res) {
    if (res.status >= 400) {
      spdlog::warn("HTTP {} {} {} from {}: {}", res.status, req.method, req.path, req.remote_addr,
                   res.body.substr(0, 300));
    } else {
      spdlog::debug("HTTP {} {} {}", res.status, req.method, req.path);
    }
  });
}

httplib::Server::HandlerResponse HttpServer::Impl::check(const Req& req, Res& res) {
  using HR = httplib::Server::HandlerResponse;
  auto refuse = [&](int status, int code, const std::string& message) {
    send_error(res, status, code, message);
    res.set_header("Connection", "close");  // the body may be unread
    return HR::Handled;
  };
  if (stopping_.load()) return refuse(503, mcp::rpc::kServerBusy, "Service Unavailable: the server is shutting down");
  // The gate (plain HTTP) has refused these already; under TLS this is the first look.
  if (req.get_header_value_count("Host") > 1) {
    return refuse(400, mcp::rpc::kInvalidRequest, "Bad Request: more than one Host header");
  }
  if (req.get_header_value_count("Content-Length") > 1 ||
      (req.has_header("Content-Length") && req.has_header("Transfer-Encoding"))) {
    return refuse(400, mcp::rpc::kInvalidRequest,
                  "Bad Request: more than one Content-Length, or Content-Length with Transfer-Encoding");
  }
  if (req.has_header("Content-Encoding") && req.get_header_value("Content-Encoding") != "identity") {
    return refuse(415, mcp::rpc::kInvalidRequest,
                  "Unsupported Media Type: compressed bodies (Content-Encoding) are not accepted; send it uncompressed");
  }
  const std::string host = req.get_header_value("Host");
  if (!detail::host_allowed(host, options_.allowed_hosts, port_)) {
    return refuse(403, mcp::rpc::kInvalidRequest,
                  "Forbidden: Host '" + host.substr(0, 100) +
                      "' is not allowed (DNS-rebinding protection); list it in http.allowed_hosts");
  }
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (req.get_header_value_count("Origin") > 1 || !detail::origin_allowed(origin, options_.allowed_origins, port_)) {
      return refuse(403, mcp::rpc::kInvalidRequest,
                    "Forbidden: Origin '" + origin.substr(0, 100) +
                        "' is not allowed (DNS-rebinding protection); list it in http.allowed_origins");
    }
  }
  if (!detail::HeaderGate::protected_path(req.path)) return HR::Unhandled;  // /healthz stays open to probes
  if (!options_.bearer_token.empty() &&
      !detail::bearer_matches(req.get_header_value("Authorization"), options_.bearer_token)) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"jira-mcp\"");
    return refuse(401, mcp::rpc::kInvalidRequest,
                  "Unauthorized: send the server's token as 'Authorization: Bearer <token>'");
  }
  if (!is_mcp_path(req.path)) return HR::Unhandled;
  if (options_.per_user_credentials != PerUserCredentials::off && req.method != "DELETE") {
    auto id = detail::identity_from(req);
    if (!id) return refuse(400, mcp::rpc::kInvalidRequest, "Bad Request: " + id.error());
    if (options_.per_user_credentials == PerUserCredentials::required && id->empty()) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"jira-mcp\"");
      return refuse(401, mcp::rpc::kInvalidRequest,
                    std::string("Unauthorized: this server needs your Jira credentials in the headers ") +
                        kCredentialHeaders);
    }
  }
  return HR::Unhandled;
}

Result<Identity, std::string> HttpServer::Impl::presented_identity(const Req& req) const {
  if (options_.per_user_credentials == PerUserCredentials::off) return Identity{};
  return detail::identity_from(req);  // format already checked in check()
}

bool HttpServer::Impl::read_body(Res& res, const httplib::ContentReader& reader, std::string& body) const {
  bool too_big = false;
  const bool ok = reader([&](const char* data, std::size_t n) {
    if (body.size() + n > options_.max_body_bytes) {
      too_big = true;
      return false;  // stop reading: nothing more is buffered
    }
    body.append(data, n);
    return true;
  });
  if (too_big) {
    send_error(res, 413, mcp::rpc::kInvalidRequest, "Payload Too Large: the body exceeds http.max_body_bytes (" +
                                                        std::to_string(options_.max_body_bytes) + " bytes)");
    res.set_header("Connection", "close");
    return false;
  }
  if (!ok) {
    bad_request(res, "the request body could not be read (cut short, malformed chunked encoding, or slower than "
                     "http.body_timeout)");
    res.set_header("Connection", "close");
    return false;
  }
  return true;
}

SessionPtr HttpServer::Impl::session_for(const Req& req, Res& res, const std::string& id, bool legacy) {
  SessionPtr s;
  {
    std::lock_guard lock(sessions_mu_);
    if (auto it = sessions_.find(id); it != sessions_.end() && it->second->legacy() == legacy) s = it->second;
  }
  if (!s) {
    if (options_.explain_unknown_session && !legacy) {
      auto [message, data] = options_.explain_unknown_session(id);
      send_error(res, 404, mcp::rpc::kInvalidRequest, message, data);
    } else {
      send_error(res, 404, mcp::rpc::kInvalidRequest,
                 "Not Found: no such session (it ended or never existed); initialize a new one");
    }
    return nullptr;
  }
  auto presented = presented_identity(req);
  if (presented && !presented->empty() && !(*presented == s->identity())) {
    send_error(res, 403, mcp::rpc::kInvalidRequest,
               "Forbidden: these Jira credentials are not the ones this session was initialized with; "
               "a session cannot switch identity");
    return nullptr;
  }
  std::lock_guard lock(s->mu);
  s->last_active = options_.now();
  s->used = true;
  return s;
}

SessionPtr HttpServer::Impl::create_session(Identity identity, bool legacy, const std::string& client, Res& res) {
  SessionPtr evicted, created;
  // Drawn before the table's lock: a fleet's id source may have to ask Redis for its key.
  std::string new_id = options_.issue_session_id ? options_.issue_session_id() : detail::new_session_id();
  {
    std::lock_guard lock(sessions_mu_);
    // One pass: this client's count, and the oldest unused session (its own, and anyone's), which
    // are evicted before anyone is refused.
    std::size_t mine = 0;
    SessionPtr oldest_mine, oldest_any;
    for (auto& [id, s] : sessions_) {
      const bool own = s->client == client;
      mine += own ? 1 : 0;
      std::lock_guard slock(s->mu);
      if (s->used || s->busy != 0 || (!s->legacy() && s->streams != 0)) continue;
      if (own && (!oldest_mine || s->last_active < oldest_mine->last_active)) oldest_mine = s;
      if (!oldest_any || s->last_active < oldest_any->last_active) oldest_any = s;
    }
    if (mine >= options_.max_sessions_per_client) {
      if (!oldest_mine) {
        send_error(res, 429, mcp::rpc::kServerBusy,
                   "Too Many Requests: " + client + " holds " + std::to_string(mine) +
                       " sessions (http.max_sessions_per_client); end unused ones with DELETE");
        return nullptr;
      }
      evicted = oldest_mine;
    } else if (sessions_.size() >= options_.max_sessions) {
      if (!oldest_any) {
        send_error(res, 503, mcp::rpc::kServerBusy,
                   "Service Unavailable: the server holds its maximum of " + std::to_string(options_.max_sessions) +
                       " sessions (http.max_sessions); end unused sessions with DELETE or retry later");
        return nullptr;
      }
      evicted = oldest_any;
    }
    if (evicted) sessions_.erase(evicted->id());
    created = std::make_shared<HttpSession>(std::move(new_id), std::move(identity), legacy, options_.now(),
                                            replay_limits());
    created->client = client;
    sessions_.emplace(created->id(), created);
    sessions_count_.store(sessions_.size(), std::memory_order_relaxed);
  }
  if (evicted) {
    spdlog::info("HTTP session {}… (never used) evicted to make room for a new one from {}",
                 evicted->id().substr(0, 8), client);
    evicted->end();
  }
  return created;
}

void HttpServer::Impl::end_session(const SessionPtr& s) {
  {
    std::lock_guard lock(sessions_mu_);
    if (auto it = sessions_.find(s->id()); it != sessions_.end() && it->second == s) sessions_.erase(it);
    sessions_count_.store(sessions_.size(), std::memory_order_relaxed);
  }
  s->end();
}

// --- Streamable HTTP --------------------------------------------------------------------------

void HttpServer::Impl::post_mcp(const Req& req, const std::string& body, Res& res) {
  const std::string content_type = req.get_header_value("Content-Type");
  if (content_type.find("application/json") == std::string::npos) {
    send_error(res, 415, mcp::rpc::kInvalidRequest, "Unsupported Media Type: the body must be application/json");
    return;
  }
  const std::string accept = req.get_header_value("Accept");
  if (!detail::accepts(accept, "application/json")) {
    send_error(res, 406, mcp::rpc::kInvalidRequest,
               "Not Acceptable: the client must accept application/json and text/event-stream");
    return;
  }
  const std::string version = req.get_header_value(kProtocolHeader);
  auto parsed = dispatcher_.parse(body);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    res.status = 400;
    res.set_content(*err, "application/json");
    return;
  }
  Json msg = std::move(std::get<Json>(parsed));
  if (!msg.is_object()) {
    bad_request(res, "the body must be one JSON-RPC message (batches are not supported)");
    return;
  }
  // The stateless era (2026-07-28) is told by the body's _meta, or by a header naming it.
  if (auto v = mcp::Dispatcher::stateless_version(msg); v || detail::names_stateless_era(version)) {
    auto identity = presented_identity(req);
    if (!identity) {
      bad_request(res, identity.error());
      return;
    }
    post_stateless(req, std::move(msg), v.value_or(""), std::move(*identity), res);
    return;
  }
  const std::string method = msg.value("method", Json("")).is_string() ? msg.value("method", "") : "";
  const bool is_init = method == "initialize";
  if (!is_init && !version.empty() && !mcp::is_supported_protocol_version(version)) {
    bad_request(res, "unsupported MCP-Protocol-Version '" + version.substr(0, 40) + "' (supported: 2025-11-25, "
                                                                                   "2025-06-18, 2025-03-26)");
    return;
  }
  const bool stream = explicitly_accepts(accept, "text/event-stream") && may_notify(method);
  auto identity = presented_identity(req);
  if (!identity) {
    bad_request(res, identity.error());
    return;
  }

  if (options_.stateless) {
    // Every POST stands alone: a throwaway session, initialized as the header says.
    auto s = std::make_shared<HttpSession>(std::string(), std::move(*identity), false, options_.now());
    if (!is_init) {
      s->session().set_initialized(version.empty() ? std::string(kDefaultProtocol) : version, Json::object(),
                                   Json::object());
    }
    if (!mcp::Dispatcher::is_request(msg)) {
      auto reply = handle(*s, msg);
      res.status = reply ? 400 : 202;
      if (reply) res.set_content(dump_compact(*reply), "application/json");
      return;
    }
    answer(s, std::move(msg), method, stream, res);
    return;
  }

  const std::string sid = req.get_header_value(kSessionHeader);
  if (is_init) {
    if (!sid.empty()) {
      bad_request(res, "initialize must not carry Mcp-Session-Id; the server assigns one");
      return;
    }
    auto s = create_session(std::move(*identity), false, req.remote_addr, res);
    if (!s) return;
    auto reply = handle(*s, msg);
    if (!reply || reply->contains("error")) {
      end_session(s);
      res.status = reply ? 200 : 400;
      if (reply) res.set_content(dump_compact(*reply), "application/json");
      return;
    }
    res.set_header(kSessionHeader, s->id());
    res.set_content(dump_compact(*reply), "application/json");
    spdlog::info("HTTP session {}… started{}", s->id().substr(0, 8),
                 s->identity().empty() ? "" : " for " + s->identity().key());
    return;
  }
  if (sid.empty()) {
    bad_request(res, "the Mcp-Session-Id header is required (send initialize first to get one)");
    return;
  }
  auto s = session_for(req, res, sid);
  if (!s) return;
  if (!mcp::Dispatcher::is_request(msg)) {
    auto reply = handle(*s, msg);
    res.status = reply ? 400 : 202;
    if (reply) res.set_content(dump_compact(*reply), "application/json");
    return;
  }
  answer(s, std::move(msg), method, stream, res);
}

void HttpServer::Impl::answer(const SessionPtr& s, Json msg, const std::string& method, bool stream, Res& res) {
  {
    std::lock_guard lock(s->mu);
    ++s->busy;
    if (stream && s->streams >= options_.max_streams_per_session) stream = false;  // reply as JSON
    if (stream) ++s->streams;
  }
  if (!stream) {
    auto reply = handle(*s, msg);
    {
      std::lock_guard lock(s->mu);
      --s->busy;
      s->last_active = options_.now();
    }
    if (reply) {
      res.set_content(dump_compact(*reply), "application/json");
    } else {
      res.status = 202;
    }
    return;
  }
  streams_.fetch_add(1, std::memory_order_relaxed);
  sse_headers(res);
  auto ran = std::make_shared<bool>(false);
  // Stateless sessions cannot be resumed (no GET), so their events carry no ids.
  StreamLogPtr log = options_.stateless ? nullptr : s->open_post_log();
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, s, ran, log, m = std::move(msg), method](size_t, httplib::DataSink& sink) {
        if (*ran) {
          sink.done();
          return true;
        }
        *ran = true;
        PostStream ps(s.get(), &sink, log);
        if (log) {
          const std::string priming = detail::priming_frame(log->stream, 0, options_.sse_retry);
          ps.broken = !sink.write(priming.data(), priming.size());
        }
        auto reply = handle(*s, m, &ps);
        if (reply) ps.write(detail::sse_frame("message", dump_compact(*reply)));
        if (log) {
          {
            std::lock_guard lock(s->mu);
            log->done = true;
          }
          s->cv.notify_all();
        }
        if (ps.broken) {
          spdlog::info("the client closed the stream of a {} call before its reply{}", method,
                       log ? "; it can resume it with Last-Event-ID" : "");
        }
        sink.done();
        return true;
      },
      [this, s](bool) {
        {
          std::lock_guard lock(s->mu);
          --s->busy;
          --s->streams;
          s->last_active = options_.now();
        }
        streams_.fetch_sub(1, std::memory_order_relaxed);
      });
}

void HttpServer::Impl::pump(const SessionPtr& s, Reader& r, httplib::DataSink& sink) {
  std::string out = std::move(r.pending);
  r.pending.clear();
  bool end = false;
  {
    std::unique_lock lock(s->mu);
    // The GET stream ends when the server stops; a resumed POST stream ends with its call (which
    // stop() lets finish).
    auto over = [&] { return s->ended || r.log->done || (r.log->stream == 0 && stopping_.load()); };
    s->cv.wait_for(lock, options_.heartbeat, [&] { return r.log->next_seq > r.next || over(); });
    const auto& events = r.log->events;
    if (!events.empty() && events.front().first > r.next) {
      spdlog::warn("session {}…: {} event(s) of stream {} were dropped before the client read them (the replay "
                   "buffer keeps {} events / {} bytes per stream)",
                   s->id().substr(0, 8), events.front().first - r.next, r.log->stream,
                   options_.replay_events_per_stream, options_.replay_bytes_per_stream);
    }
    for (const auto& [seq, frame] : events) {
      if (seq < r.next) continue;
      if (r.ids) out.append("id: ").append(detail::event_id(r.log->stream, seq)).append("\n");
      out += frame;
    }
    r.next = r.log->next_seq;
    end = over();
  }
  if (out.empty() && !end) out = ": keepalive\n\n";
  if (!out.empty() && !sink.write(out.data(), out.size())) return;  // the client is gone; the caller ends
  if (end) sink.done();
}

void HttpServer::Impl::serve_log(const SessionPtr& s, Res& res, Reader reader, std::function<void()> on_close) {
  streams_.fetch_add(1, std::memory_order_relaxed);
  sse_headers(res);
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, s, r = std::make_shared<Reader>(std::move(reader))](size_t, httplib::DataSink& sink) {
        pump(s, *r, sink);
        return true;
      },
      [this, on_close = std::move(on_close)](bool) {
        on_close();
        streams_.fetch_sub(1, std::memory_order_relaxed);
      });
}

// GET with Last-Event-ID: the rest of the stream it names, once, then that stream goes on.
void HttpServer::Impl::resume(const SessionPtr& s, const std::string& last_event_id, Res& res) {
  auto parsed = detail::parse_event_id(last_event_id);
  if (!parsed) {
    bad_request(res, "Last-Event-ID '" + last_event_id.substr(0, 40) + "' is not an event id of this server");
    return;
  }
  const auto [stream, seq] = *parsed;
  Reader r;
  {
    std::lock_guard lock(s->mu);
    r.log = s->log_of_locked(stream);
    if (!r.log || seq >= r.log->next_seq) {
      bad_request(res, "Last-Event-ID " + last_event_id + " names no stream or event this session still keeps");
      return;
    }
    if (r.log->done && seq + 1 == r.log->next_seq) {
      res.status = 204;  // that call's stream was delivered whole: nothing to resume
      return;
    }
    if (!claim_stream_locked(*s, stream == 0, res)) return;
  }
  r.next = seq + 1;
  serve_log(s, res, std::move(r), stream_release(s, stream == 0));
}

// GET and DELETE have no meaning in 2026-07-28 (no sessions, no GET stream).
bool HttpServer::Impl::refuse_stateless_client(const Req& req, Res& res) {
  if (!detail::names_stateless_era(req.get_header_value(kProtocolHeader))) return false;
  res.set_header("Allow", "POST");
  send_error(res, 405, mcp::rpc::kInvalidRequest,
             "Method Not Allowed: MCP " + req.get_header_value(kProtocolHeader).substr(0, 20) +
                 " has no sessions and no GET stream; POST subscriptions/listen for change notifications");
  return true;
}

void HttpServer::Impl::get_mcp(const Req& req, Res& res) {
  if (refuse_stateless_client(req, res)) return;
  if (options_.stateless) {
    res.set_header("Allow", "POST");
    send_error(res, 405, mcp::rpc::kInvalidRequest, "Method Not Allowed: this server is stateless (no GET stream)");
    return;
  }
  if (!explicitly_accepts(req.get_header_value("Accept"), "text/event-stream")) {
    send_error(res, 406, mcp::rpc::kInvalidRequest, "Not Acceptable: a GET stream needs Accept: text/event-stream");
    return;
  }
  const std::string version = req.get_header_value(kProtocolHeader);
  if (!version.empty() && !mcp::is_supported_protocol_version(version)) {
    bad_request(res, "unsupported MCP-Protocol-Version '" + version.substr(0, 40) + "'");
    return;
  }
  const std::string sid = req.get_header_value(kSessionHeader);
  if (sid.empty()) {
    bad_request(res, "the Mcp-Session-Id header is required");
    return;
  }
  auto s = session_for(req, res, sid);
  if (!s) return;
  if (req.has_header("Last-Event-ID")) {
    resume(s, req.get_header_value("Last-Event-ID"), res);
    return;
  }
  Reader r;
  {
    std::lock_guard lock(s->mu);
    if (!claim_stream_locked(*s, true, res)) return;
    r.log = s->log_of_locked(0);
    r.next = r.log->next_seq;  // a fresh stream starts now; older events need Last-Event-ID
  }
  r.pending = detail::priming_frame(0, r.next - 1, options_.sse_retry);
  serve_log(s, res, std::move(r), stream_release(s, true));
}

bool HttpServer::Impl::claim_stream_locked(HttpSession& s, bool get, Res& res) {
  if (get && s.get_open) {
    send_error(res, 409, mcp::rpc::kInvalidRequest, "Conflict: this session already has a GET stream open");
    return false;
  }
  if (s.streams >= options_.max_streams_per_session) {
    send_error(res, 429, mcp::rpc::kServerBusy,
               "Too Many Requests: the session has " + std::to_string(s.streams) +
                   " streams open (http.max_streams_per_session)");
    return false;
  }
  if (get) s.get_open = true;
  ++s.streams;
  return true;
}

std::function<void()> HttpServer::Impl::stream_release(SessionPtr s, bool get) {
  return [this, s = std::move(s), get] {
    std::lock_guard lock(s->mu);
    if (get) s->get_open = false;
    --s->streams;
    s->last_active = options_.now();
  };
}

void HttpServer::Impl::delete_mcp(const Req& req, Res& res) {
  if (refuse_stateless_client(req, res)) return;
  if (options_.stateless) {
    res.set_header("Allow", "POST");
    send_error(res, 405, mcp::rpc::kInvalidRequest, "Method Not Allowed: this server is stateless (no sessions)");
    return;
  }
  const std::string sid = req.get_header_value(kSessionHeader);
  if (sid.empty()) {
    bad_request(res, "the Mcp-Session-Id header is required");
    return;
  }
  auto s = session_for(req, res, sid);
  if (!s) return;
  end_session(s);
  spdlog::info("HTTP session {}… ended by the client", sid.substr(0, 8));
  res.status = 200;
}

// --- legacy HTTP+SSE (2024-11-05) -------------------------------------------------------------

void HttpServer::Impl::get_sse(const Req& req, Res& res) {
  auto identity = presented_identity(req);
  if (!identity) {
    bad_request(res, identity.error());
    return;
  }
  auto s = create_session(std::move(*identity), true, req.remote_addr, res);
  if (!s) return;
  Reader r;
  r.ids = false;  // 2024-11-05 has no resumption: a reconnect to /sse is a new session
  {
    std::lock_guard lock(s->mu);
    s->get_open = true;
    ++s->streams;
    r.log = s->log_of_locked(0);
    r.next = r.log->next_seq;
  }
  s->push(detail::sse_frame("endpoint", "/messages?sessionId=" + s->id()));
  serve_log(s, res, std::move(r), [this, s, release = stream_release(s, true)] {
    release();
    end_session(s);  // a legacy session lives as long as its stream
  });
}

void HttpServer::Impl::post_messages(const Req& req, const std::string& body, Res& res) {
  const std::string sid = req.get_param_value("sessionId");
  if (sid.empty()) {
    bad_request(res, "the sessionId query parameter is required (from the /sse endpoint event)");
    return;
  }
  auto s = session_for(req, res, sid, true);
  if (!s) return;
  auto parsed = dispatcher_.parse(body);
  if (auto* err = std::get_if<std::string>(&parsed)) {
    res.status = 400;
    res.set_content(*err, "application/json");
    return;
  }
  Json msg = std::move(std::get<Json>(parsed));
  const bool is_init = msg.is_object() && msg.value("method", Json()) == "initialize";
  if (mcp::Dispatcher::runs_inline(msg) || is_init) {
    // Cheap, and order matters (initialize before what follows; an answer to a waiting call; a
    // cancellation or a ping never waits behind queued calls).
    if (auto reply = handle(*s, msg)) s->push(detail::sse_frame("message", dump_compact(*reply)));
    res.status = 202;
    res.set_content("Accepted", "text/plain");
    return;
  }
  {
    std::lock_guard lock(s->mu);
    ++s->busy;
  }
  // Registered with the session now, so a cancellation finds it while it waits for a worker.
  auto queued = std::make_shared<mcp::QueuedRequest>(std::move(msg), s->session(), s->inbound());
  auto task = [this, s, queued]() mutable {
    std::optional<Json> reply = dispatcher_.run(*queued);
    queued.reset();  // it refers to s's session, which must outlive it
    if (reply) s->push(detail::sse_frame("message", dump_compact(*reply)));
    std::lock_guard lock(s->mu);
    --s->busy;
  };
  if (!legacy_pool_->try_submit(std::move(task))) {
    {
      std::lock_guard lock(s->mu);
      --s->busy;
    }
    send_error(res, 503, mcp::rpc::kServerBusy, "Service Unavailable: too many requests in flight; retry shortly");
    return;
  }
  res.status = 202;
  res.set_content("Accepted", "text/plain");
}

// --- the public face --------------------------------------------------------------------------

HttpServer::HttpServer(const mcp::Dispatcher& dispatcher, HttpOptions options)
    : impl_(std::make_unique<Impl>(dispatcher, std::move(options))) {}
HttpServer::~HttpServer() = default;
Status<Error> HttpServer::start() { return impl_->start(); }
void HttpServer::wait() { impl_->wait(); }
void HttpServer::stop() { impl_->stop(); }
int HttpServer::port() const { return impl_->port(); }
int HttpServer::metrics_port() const { return impl_->metrics_port(); }
bool HttpServer::tls() const { return impl_->tls(); }
HttpStats HttpServer::stats() const { return impl_->stats(); }
std::size_t HttpServer::reap_idle_sessions() { return impl_->reap_idle_sessions(); }
void HttpServer::broadcast_log(mcp::LogLevel level, const Json& data, std::string_view logger) {
  impl_->broadcast_log(level, data, logger);
}

}  // namespace jira_mcp::transport
