// Streamable HTTP for the stateless era (MCP 2026-07-28): requests that stand alone.
//
// A 2026 request has no session to live in, so each gets an Exchange: an mcp::Session of its
// own whose Peer is the Exchange itself, so whatever the call sends (progress, log messages)
// belongs to that request and nothing else, with no thread-local routing. The call runs on the
// call pool while the POST's worker thread waits for it: a reply within json_window goes out as
// JSON with the HTTP status its error calls for (the client needs a 404 or 400 to tell a
// modern refusal from a legacy server); otherwise the worker turns the response into an SSE
// stream and writes what the call queues, as it comes. Because the writer is not the thread
// running the call, it can watch the connection meanwhile: every liveness_poll it asks the
// socket whether the client is still there, and a client that closed its stream cancels the
// call (Session::close cancels its in-flight request; the tool sees ctx.cancelled()), which is
// how 2026 cancels over HTTP.
//
// subscriptions/listen uses the same stream with no call behind it: the hub's sink queues on
// the Exchange, the worker writes, and the listener ends with the stream (or, when the server
// stops, after the closing response).
#include <spdlog/spdlog.h>

#include <deque>

#include "jira_mcp/mcp/context.hpp"
#include "transport/http_mcp_headers.hpp"
#include "transport/http_server_impl.hpp"

namespace jira_mcp::transport {

namespace detail {

// One 2026 request in flight. Thread safety: the fields under `mu` are guarded by it; `session`
// is thread-safe; the rest is const after construction.
struct Exchange final : mcp::Peer {
  explicit Exchange(Identity id) : identity(std::move(id)), session(*this) {}
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void send(const Json& message) override { push(dump_compact(message)); }
  void push(std::string data) {
    {
      std::lock_guard lock(mu);
      if (gone) return;
      frames.push_back(std::move(data));
    }
    cv.notify_all();
  }
  void finish(std::optional<Json> r) {
    {
      std::lock_guard lock(mu);
      reply = std::move(r);
      done = true;
    }
    cv.notify_all();
  }
  // The client went away: nothing more is queued, and the call is cancelled.
  void abandon() {
    {
      std::lock_guard lock(mu);
      gone = true;
      frames.clear();
    }
    session.close();
  }

  const Identity identity;
  std::optional<Json> closing;  // a listener: the response that ends it when the server stops
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> frames;  // compact JSON messages not yet written, oldest first
  std::optional<Json> reply;
  bool done = false;  // the call returned (`reply` may still be empty: nothing to answer)
  bool gone = false;
  mcp::Session session;  // last: destroyed first, while the fields it may reach are alive
};

}  // namespace detail

namespace {

// The HTTP status of a 2026 JSON reply: the spec has refusals answered with 404 (unknown method)
// or 400 (what the request got wrong), so a client can tell them from a legacy server's.
int status_for(const Json& reply) {
  auto err = reply.find("error");
  if (err == reply.end() || !err->is_object()) return 200;
  const int code = err->value("code", 0);
  if (code == mcp::rpc::kMethodNotFound) return 404;
  if (code == mcp::rpc::kParseError || code == mcp::rpc::kInvalidRequest || code == mcp::rpc::kInvalidParams ||
      code == mcp::rpc::kHeaderMismatch || code == mcp::rpc::kMissingRequiredClientCapability ||
      code == mcp::rpc::kUnsupportedProtocolVersion) {
    return 400;
  }
  return 200;
}

void send_json(httplib::Response& res, const Json& reply) {
  res.status = status_for(reply);
  res.set_content(dump_compact(reply), "application/json");
}

}  // namespace

void HttpServer::Impl::post_stateless(const Req& req, Json msg, const std::string& version, Identity identity,
                                      Res& res) {
  const Json id = msg.contains("id") ? msg["id"] : Json();
  if (version.empty()) {
    send_json(res, mcp::make_error(id, {mcp::rpc::kInvalidParams,
                                        "Invalid params: MCP-Protocol-Version names the stateless revision, so the "
                                        "request must carry params._meta[\"io.modelcontextprotocol/protocolVersion\"] "
                                        "and [\"io.modelcontextprotocol/clientCapabilities\"] (or send initialize "
                                        "for a 2025 session)",
                                        std::nullopt}));
    return;
  }
  if (auto why = detail::header_mismatch(req, msg, version, dispatcher_.registry())) {
    res.status = 400;
    res.set_content(dump_compact(mcp::make_error(id, {mcp::rpc::kHeaderMismatch, "Header mismatch: " + *why, std::nullopt})),
                    "application/json");
    return;
  }
  // Its own session, never initialized: the dispatcher reads everything from the request's _meta.
  auto ex = std::make_shared<detail::Exchange>(std::move(identity));
  if (!mcp::Dispatcher::is_request(msg)) {
    auto reply = dispatcher_.handle(msg, ex->session, mcp::Inbound{detail::credentials_of(ex->identity), nullptr});
    res.status = reply ? 400 : 202;
    if (reply) res.set_content(dump_compact(*reply), "application/json");
    return;
  }
  if (options_.subscriptions && msg.value("method", Json()) == "subscriptions/listen") {
    listen_stateless(msg, res);
    return;
  }
  const bool sse = req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
  call_pool_->enqueue([this, ex, m = std::move(msg)] {
    // The caller's credentials travel with the request; its notifications go to the exchange
    // (the session's own peer).
    ex->finish(dispatcher_.handle(m, ex->session, mcp::Inbound{detail::credentials_of(ex->identity), nullptr}));
  });
  {
    std::unique_lock lock(ex->mu);
    auto ready = [&] { return ex->done || (sse && !ex->frames.empty()); };
    ex->cv.wait_for(lock, options_.json_window, ready);
    // A client that takes only JSON waits for the reply; what the call notified is dropped.
    if (!sse) ex->cv.wait(lock, [&] { return ex->done; });
    if (ex->done && (!sse || ex->frames.empty())) {
      if (ex->reply) {
        send_json(res, *ex->reply);
      } else {
        res.status = 202;
      }
      return;
    }
  }
  stream_exchange(std::move(ex), nullptr, res);
}

void HttpServer::Impl::listen_stateless(const Json& msg, Res& res) {
  const Json& id = msg["id"];
  // The request's _meta is checked as for any 2026 request (-32602, -32022).
  if (auto meta = mcp::RequestMeta::from_stateless(msg.value("params", Json::object())); !meta) {
    send_json(res, mcp::make_error(id, meta.error()));
    return;
  }
  auto filter = mcp::parse_subscription_filter(msg.value("params", Json::object()));
  if (!filter) {
    send_json(res, mcp::make_error(id, filter.error()));
    return;
  }
  auto ex = std::make_shared<detail::Exchange>(Identity{});
  ex->closing = mcp::SubscriptionHub::closing_response(id);
  auto listener = options_.subscriptions->listen(
      id, *filter, [w = std::weak_ptr<detail::Exchange>(ex)](const Json& m) {
        if (auto e = w.lock()) e->send(m);
      });
  if (!listener) {
    res.status = 503;
    res.set_content(dump_compact(mcp::make_error(id, listener.error())), "application/json");
    return;
  }
  stream_exchange(std::move(ex), std::make_shared<Listening>(std::move(*listener)), res);
}

void HttpServer::Impl::stream_exchange(std::shared_ptr<detail::Exchange> ex, std::shared_ptr<Listening> listening,
                                       Res& res) {
  streams_.fetch_add(1, std::memory_order_relaxed);
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, ex, listening](size_t, httplib::DataSink& sink) {
        auto last_write = std::chrono::steady_clock::now();
        for (;;) {
          std::deque<std::string> out;
          std::optional<Json> last;
          bool finished = false;
          {
            std::unique_lock lock(ex->mu);
            ex->cv.wait_for(lock, options_.liveness_poll, [&] { return ex->done || !ex->frames.empty(); });
            out.swap(ex->frames);
            if (ex->done) {
              finished = true;
              last = std::move(ex->reply);
            } else if (ex->closing && stopping_.load()) {
              finished = true;
              last = ex->closing;
            }
          }
          std::string chunk;
          for (const auto& f : out) chunk += detail::sse_frame("message", f);
          if (last) chunk += detail::sse_frame("message", dump_compact(*last));
          const auto now = std::chrono::steady_clock::now();
          if (chunk.empty() && now - last_write >= options_.heartbeat) chunk = ": keepalive\n\n";
          const bool alive = chunk.empty() ? sink.is_writable() : sink.write(chunk.data(), chunk.size());
          if (!alive) {
            // The client closed the stream: that cancels the request (2026-07-28 Cancellation).
            if (!finished) spdlog::info("a client closed the response stream of a 2026 request; cancelling it");
            ex->abandon();
            if (listening) listening->reset();
            return false;
          }
          if (!chunk.empty()) last_write = now;
          if (finished) {
            sink.done();
            return true;
          }
        }
      },
      [this, ex, listening](bool) {
        if (listening) listening->reset();
        bool unfinished = false;
        {
          std::lock_guard lock(ex->mu);
          unfinished = !ex->done;
        }
        if (unfinished) ex->abandon();  // the stream ended early (server stopping, write error)
        streams_.fetch_sub(1, std::memory_order_relaxed);
      });
}

}  // namespace jira_mcp::transport
