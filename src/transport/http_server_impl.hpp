#pragma once
// The HTTP server's private class, shared by http_server.cpp (lifecycle, routing, sessions, the
// MCP endpoints) and http_ops.cpp (the ops endpoints and the loopback metrics port).
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "jira_mcp/core/work_queue.hpp"
#include "jira_mcp/transport/http.hpp"
#include "transport/http_detail.hpp"
#include "transport/http_front_door.hpp"
#include "transport/http_session.hpp"

namespace jira_mcp::transport {

using detail::HttpSession;
using detail::PostStream;
using detail::StreamLogPtr;
using SessionPtr = std::shared_ptr<HttpSession>;

namespace detail {
struct Exchange;
// A JSON-RPC error body with `status`.
inline void send_error(httplib::Response& res, int status, int code, const std::string& message,
                       const Json& data = Json()) {
  res.status = status;
  Json body{{"jsonrpc", "2.0"}, {"error", {{"code", code}, {"message", message}}}, {"id", nullptr}};
  if (!data.is_null()) body["error"]["data"] = data;
  res.set_content(dump_compact(body), "application/json");
}
}  // namespace detail

class HttpServer::Impl {
 public:
  Impl(const mcp::Dispatcher& d, HttpOptions o) : dispatcher_(d), options_(std::move(o)) {
    if (!options_.now) options_.now = [] { return std::chrono::steady_clock::now(); };
  }
  ~Impl() { stop(); }

  Status<Error> start();
  void stop();
  void wait() {
    std::unique_lock lock(stop_mu_);
    stopped_cv_.wait(lock, [&] { return stopped_ || !started_; });
  }
  int port() const { return port_; }
  int metrics_port() const { return ops_port_; }
  bool tls() const { return !options_.tls_cert.empty(); }
  HttpStats stats() const {
    return {sessions_count_.load(std::memory_order_relaxed), streams_.load(std::memory_order_relaxed),
            threads_.load(std::memory_order_relaxed), front_door_ ? front_door_->connections() : 0,
            front_door_ ? front_door_->waiting() : 0};
  }
  std::size_t reap_idle_sessions();
  void broadcast_log(mcp::LogLevel level, const Json& data, std::string_view logger) {
    std::vector<SessionPtr> all;
    {
      std::lock_guard lock(sessions_mu_);
      all.reserve(sessions_.size());
      for (auto& [id, s] : sessions_) all.push_back(s);
    }
    for (auto& s : all) s->session().log(level, data, logger);  // honours the session's level
  }

 private:
  using Req = httplib::Request;
  using Res = httplib::Response;

  void add_routes();
  httplib::Server::HandlerResponse check(const Req& req, Res& res);
  // Reads the body through `reader`, counting de-chunked (and decompressed) bytes against
  // max_body_bytes; false when `res` holds the error (413, or 400 for a body that did not arrive).
  bool read_body(Res& res, const httplib::ContentReader& reader, std::string& body) const;
  void post_mcp(const Req& req, const std::string& body, Res& res);
  // A 2026-07-28 request (http_stateless.cpp): `version` from the body (empty when only the
  // header named the era).
  void post_stateless(const Req& req, Json msg, const std::string& version, Identity identity, Res& res);
  void listen_stateless(const Json& msg, Res& res);
  // Serves `ex` (a running call or a listener) as the SSE body of `res`.
  // `listening`: the listener a subscriptions/listen stream holds (ended with the stream).
  using Listening = std::unique_ptr<mcp::SubscriptionHub::Listener>;
  void stream_exchange(std::shared_ptr<detail::Exchange> ex, std::shared_ptr<Listening> listening, Res& res);
  void get_mcp(const Req& req, Res& res);
  // 405 for a GET or DELETE from a client of the stateless era; false when it is not one.
  bool refuse_stateless_client(const Req& req, Res& res);
  void delete_mcp(const Req& req, Res& res);
  void get_sse(const Req& req, Res& res);
  void post_messages(const Req& req, const std::string& body, Res& res);
  void readyz(Res& res);
  void metrics(Res& res);
  Status<Error> start_ops_server();

  // Answers one request message on `s`, as JSON or as an SSE stream.
  void answer(const SessionPtr& s, Json msg, const std::string& method, bool stream, Res& res);
  // The session named by the request, after the identity check; null when `res` holds the error.
  // `legacy`: the kind of session the route serves (/messages: legacy; /mcp: not); an id of the
  // other kind is as unknown as any other.
  SessionPtr session_for(const Req& req, Res& res, const std::string& id, bool legacy = false);
  Result<Identity, std::string> presented_identity(const Req& req) const;
  SessionPtr create_session(Identity identity, bool legacy, const std::string& client, Res& res);
  void end_session(const SessionPtr& s);
  // Where a server→client stream reader stands in its log.
  struct Reader {
    StreamLogPtr log;
    std::uint64_t next = 1;  // the seq to send next
    bool ids = true;         // write id lines (not on the legacy stream)
    std::string pending;     // written first (the priming event)
  };
  // Serves `reader`'s log as the SSE body of `res` (the GET stream, a resumed POST stream or the
  // legacy stream); `on_close` runs when the body ends, under no lock.
  void serve_log(const SessionPtr& s, Res& res, Reader reader, std::function<void()> on_close);
  void pump(const SessionPtr& s, Reader& reader, httplib::DataSink& sink);
  void resume(const SessionPtr& s, const std::string& last_event_id, Res& res);
  // With s.mu held: takes a stream slot of the session (and its one GET slot when `get`), or
  // answers 409 / 429 and returns false.
  bool claim_stream_locked(HttpSession& s, bool get, Res& res);
  // The on_close of a stream claim_stream_locked admitted: gives the slot back.
  std::function<void()> stream_release(SessionPtr s, bool get);
  detail::ReplayLimits replay_limits() const {
    return {options_.replay_events_per_stream, options_.replay_bytes_per_stream,
            options_.replay_finished_post_streams};
  }
  // `msg` from session `s`; the call's own notifications go to `sink` (a POST's stream) when
  // given, else to the session's GET stream.
  std::optional<Json> handle(HttpSession& s, const Json& msg, mcp::Peer* sink = nullptr) const {
    return dispatcher_.handle(msg, s.session(), s.inbound(sink));
  }

  const mcp::Dispatcher& dispatcher_;
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  detail::GatedServer* gated_ = nullptr;          // server_ when serving plain HTTP
  std::unique_ptr<detail::ElasticPool> pool_;      // plain HTTP's workers
  std::unique_ptr<detail::FrontDoor> front_door_;  // plain HTTP's listener
  // The loopback ops port (metrics_port): its own small httplib server and listener thread.
  std::atomic<std::size_t> ops_threads_{0};
  std::unique_ptr<httplib::Server> ops_server_;
  std::jthread ops_listener_;
  int ops_port_ = -1;
  int port_ = 0;
  int listen_fd_ = -1;
  std::atomic<std::size_t> threads_{0}, streams_{0}, sessions_count_{0};
  std::atomic<bool> stopping_{false};

  std::mutex sessions_mu_;
  std::map<std::string, SessionPtr> sessions_;

  std::unique_ptr<core::WorkQueue> legacy_pool_;
  // Runs 2026 calls while their POST's worker writes their stream (started on demand).
  std::atomic<std::size_t> call_threads_{0};
  std::unique_ptr<detail::ElasticPool> call_pool_;
  std::jthread listener_;
  std::jthread reaper_;

  std::mutex stop_mu_;
  std::condition_variable stopped_cv_;
  bool started_ = false, stopped_ = false;

  std::mutex ready_mu_;
  std::optional<Readiness> ready_cached_;
  std::chrono::steady_clock::time_point ready_at_;
};

}  // namespace jira_mcp::transport
