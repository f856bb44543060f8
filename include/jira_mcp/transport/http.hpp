#pragma once
// The HTTP transports: Streamable HTTP (MCP 2025-11-25) at /mcp and the legacy HTTP+SSE
// transport (2024-11-05) at /sse + /messages, plus the ops endpoints /healthz, /readyz and
// /metrics. The same Dispatcher and Session model as stdio serves every client: one
// mcp::Session per HTTP session (per POST in stateless mode).
//
// Streamable HTTP at /mcp
//   POST  one JSON-RPC message. A request is answered with application/json, or — when the
//         client accepts text/event-stream and the method may emit notifications while it runs
//         (tools/call, prompts/get, resources/read) — with an SSE stream carrying the progress,
//         log and server-to-client requests of that call, then its response. Notifications and
//         responses get 202. `Mcp-Session-Id` is assigned at initialize (128 random bits from
//         getrandom(2)); a later request without it gets 400, with an unknown or ended
//         one 404. `MCP-Protocol-Version`: unsupported → 400, absent → 2025-03-26.
//   GET   opens the session's server→client SSE stream (405 in stateless mode), or with
//         Last-Event-ID resumes a stream the client lost (see Resumability below).
//   DELETE ends the session (its in-flight calls are cancelled, its streams close).
// Legacy HTTP+SSE (when legacy_sse): GET /sse opens a session and sends an `endpoint` event with
//   /messages?sessionId=…; POST there gets 202 and the reply comes as an SSE `message` event.
//
// The stateless era (2026-07-28) at /mcp: a POST whose body carries
//   params._meta["io.modelcontextprotocol/protocolVersion"] (or whose MCP-Protocol-Version names
//   no 2025 revision) stands alone: no Mcp-Session-Id is needed or issued (one sent is ignored),
//   and its own mcp::Session lives for that request only. Its headers must mirror its body
//   (MCP-Protocol-Version = the _meta version, Mcp-Method = method, Mcp-Name = params.name / uri
//   for tools/call, prompts/get and resources/read, Mcp-Param-{X} = the argument a tool's
//   inputSchema marks `x-mcp-header: X`; Base64 sentinel values decoded), else 400 with
//   HeaderMismatch (-32020). A reply within json_window is sent as JSON, its HTTP status from its
//   error (-32601: 404; invalid request/params, -32020..-32022: 400); otherwise (a notification
//   came first, or the call is slow) the reply is an SSE stream, and a client that closes it
//   cancels the request (checked every liveness_poll). subscriptions/listen keeps its SSE stream
//   open (acknowledgement, then the opted-in changes, SSE comments when idle) until the client
//   closes it or the server stops (which ends it with the closing response). GET and DELETE from
//   a client naming a 2026 revision in MCP-Protocol-Version get 405. Every SSE response carries
//   X-Accel-Buffering: no.
//
// Resumability (2025-11-25 "Resumability and Redelivery"; not in stateless mode, not on the
// legacy stream): each SSE event has an id "<stream>-<seq>", unique within the session, where
// stream 0 is the GET stream and 1, 2, ... are the session's POST streams. Every stream opens
// with a priming event (an id, `retry: <sse_retry ms>`, empty data). The last
// replay_events_per_stream events (and at most replay_bytes_per_stream bytes) of each stream are
// kept: the GET stream's always, a POST stream's while its call runs and for the
// replay_finished_post_streams most recent finished calls. A GET with `Last-Event-ID: <s>-<n>`
// sends the kept events after n of stream s once, then continues that stream: the GET stream
// goes on as usual; a POST stream's resumption ends with the call's response. A resumption of a
// finished call with nothing left gets 204 (SSE's "do not reconnect"); an id naming no kept
// stream gets 400. Events older than what is kept are lost (logged). Messages sent while no GET
// stream is open are kept for a reconnect with Last-Event-ID; a GET without it starts afresh.
//
// Security: every request's Host (exactly one; and Origin, when present: one, not empty) must be
// on the allow-lists (default: localhost, 127.0.0.1 and [::1], with no port or the bound port) or
// gets 403 (DNS-rebinding protection); two Host headers get 400. With a bearer token configured,
// /mcp, /sse, /messages, /readyz and /metrics need `Authorization: Bearer <token>` (compared in
// constant time) or get 401 with `WWW-Authenticate: Bearer`; /healthz stays open to probes. Per-user Jira credentials (X-Jira-Email + X-Jira-Api-Token, or
// X-Jira-Personal-Access-Token) are read at initialize and bound to the session; a later request
// presenting different ones gets 403. With PerUserCredentials::required a request without them
// gets 401 naming the headers. Credentials never appear in logs or error bodies.
//
// Bounded reading (plain HTTP): one epoll thread owns the listening socket and every connection
// while none of its requests is being served (src/transport/http_front_door.cpp). It holds a
// connection until its whole header block has arrived — within header_timeout in total, at most
// max_header_count lines of max_header_line bytes and max_header_bytes in all (431 / 408) — and
// refuses as soon as a line breaks a rule: a Host or Origin not allowed (403), a wrong bearer
// token (401), a second Host, Origin or Content-Length, a malformed Content-Length, or one with
// Transfer-Encoding (400), a Content-Length above max_body_bytes (413), Transfer-Encoding other
// than chunked (501), any Content-Encoding but identity (415). Only then does a worker thread
// take the request; its body must arrive within body_timeout, and a chunked body is refused (413)
// once its de-chunked size passes max_body_bytes. Each request of a kept-alive connection passes
// the same gate. Connections are limited per client address (max_connections_per_client: 429)
// and in all (max_connections: 503). Slow or idle connections hold no thread.
// Under TLS the gate cannot read the encrypted header block: httplib's own listener serves TLS
// connections (one thread each, httplib's per-read timeouts, its 8 KiB line limit but no header
// count limit); the checks made after the header block (Host, Origin, bearer, duplicate
// Content-Length, Content-Encoding, the de-chunked body limit) still apply. Put a reverse proxy
// in front of a TLS server exposed to untrusted clients.
//
// Sessions are limited per client address too (max_sessions_per_client: 429). A session that
// has seen no request since initialize (a legacy one: no POST to /messages) ends after
// unused_session_timeout, and when either limit is reached the oldest unused session (the
// client's own, for the per-client limit) is evicted before anyone is refused. A legacy session
// id is unknown to /mcp and an /mcp session id unknown to /messages.
//
// Threads: a worker thread serves a request from its header block to the end of its response
// (each open SSE stream holds one while it is open), from a pool that grows on demand up to
// max_threads; a thread idle for worker_idle exits. Handlers run on
// the worker of the POST that carries the request, so a call's notifications reach that POST's
// stream; a message a handler sends from another thread, or outside any call, goes to the
// session's GET stream (kept for a resuming GET when none is open). Legacy /messages requests
// run on a small worker pool so the POST is acknowledged at once; notifications, ping and
// logging/setLevel are handled at once instead (never behind queued calls), a request
// cancelled while it waits for a worker never runs, and a full pool queue answers 503/-32000.
//
// Lifecycle: start() binds and serves on an owned thread; stop() (idempotent, thread-safe, not
// async-signal-safe: call it from a normal thread) refuses new requests with 503, closes the
// GET streams, lets in-flight calls finish and reply, and joins every thread. The destructor
// calls stop().
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/mcp/subscriptions.hpp"

namespace jira_mcp::transport {

enum class PerUserCredentials { off, optional, required };

// Jira credentials a client presented in request headers. The secrets stay in here; key() is
// what may be logged or used as a map key.
struct Identity {
  std::string email;      // X-Jira-Email (Cloud, with api_token)
  std::string api_token;  // X-Jira-Api-Token
  std::string pat;        // X-Jira-Personal-Access-Token (Data Center)

  bool empty() const { return email.empty() && api_token.empty() && pat.empty(); }
  // "email:<email>#<first 12 hex of SHA-256(token)>" or "pat:#<...>": stable, not a secret.
  std::string key() const;
  bool operator==(const Identity&) const = default;
};

// A handler finds the identity of the session that sent its request in
// RequestContext::inbound().identity (mcp/inbound.hpp): the credentials above, key() included.

struct Readiness {
  bool ready = false;
  std::string detail;  // one line, shown in the /readyz body; no secrets
};

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8808;  // 0 = any free port (see HttpServer::port())
  // Exact "host[:port]" values for Host, and "scheme://host[:port]" for Origin; "*" allows
  // any. Empty: localhost, 127.0.0.1 and [::1], without a port or with the bound port.
  std::vector<std::string> allowed_origins;
  std::vector<std::string> allowed_hosts;
  std::string bearer_token;  // empty: no client authentication
  PerUserCredentials per_user_credentials = PerUserCredentials::off;
  std::string tls_cert, tls_key;  // PEM paths; both set: serve HTTPS
  // Larger bodies get 413: a Content-Length above it before the body is read, a chunked body as
  // soon as its de-chunked size passes it. Compressed bodies (Content-Encoding) get 415.
  std::size_t max_body_bytes = 4u << 20;
  // The header block (plain HTTP; see Bounded reading above): lines, bytes per line, bytes in all.
  std::size_t max_header_count = 100;
  std::size_t max_request_line = 8192;  // 414 past it
  std::size_t max_header_line = 8192;   // 431 past it
  std::size_t max_header_bytes = 32768;  // 431 past it
  // Total time for a request's header block to arrive (from its first byte, or from accept), and
  // for its body (from the end of the headers); 408 / the connection closes past them.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};
  // A kept-alive connection with no new request for this long is closed.
  std::chrono::milliseconds keep_alive_idle{15000};
  std::chrono::milliseconds write_timeout{10000};  // per write; a reader this slow is dropped
  // Open connections at once (all clients), and per client address; more get 429 and close. At
  // max_connections the connection whose header block is furthest behind is dropped (408) to make
  // room; when none is waiting for headers the newcomer gets 503.
  std::size_t max_connections = 10000;
  std::size_t max_connections_per_client = 512;
  std::size_t max_sessions = 2000;            // more get 503 (after evicting an unused one)
  std::size_t max_sessions_per_client = 512;  // sessions (and legacy streams) per client address
  std::chrono::seconds session_idle_timeout{1800};
  // A session that has seen no request since its initialize (a legacy one: no POST to /messages)
  // ends after this; when the table is full, the oldest unused session is evicted first.
  std::chrono::seconds unused_session_timeout{60};
  std::size_t max_streams_per_session = 4;  // concurrent SSE streams (GET and POST); more get 429
  bool stateless = false;   // no session ids; every POST stands alone
  bool legacy_sse = true;   // serve /sse and /messages
  std::size_t max_threads = 2200;  // HTTP worker threads at most (each open stream holds one)
  std::chrono::milliseconds worker_idle{10000};  // an idle worker thread exits after this
  std::size_t legacy_workers = 4;  // threads running legacy /messages requests
  std::size_t legacy_queue = 256;  // legacy requests waiting for a worker before 503
  // An SSE comment is written on a stream idle this long, so a vanished client is noticed.
  std::chrono::milliseconds heartbeat{15000};
  // Resumability (see above): what each session keeps for replay, and the reconnection delay
  // its priming events suggest.
  std::size_t replay_events_per_stream = 256;
  std::size_t replay_bytes_per_stream = 1u << 20;
  std::size_t replay_finished_post_streams = 4;
  std::chrono::milliseconds sse_retry{1000};
  // How often the reaper looks for idle sessions.
  std::chrono::milliseconds reap_interval{10000};
  // The clock idle timeouts are measured on; tests inject one.
  std::function<std::chrono::steady_clock::time_point()> now;
  // /readyz: called at most once per readiness_cache (the result is cached); absent = ready.
  std::function<Readiness()> readiness;
  std::chrono::milliseconds readiness_cache{5000};
  // /metrics: Prometheus text exposition; absent = 404.
  std::function<std::string()> metrics;
  // Also serve /metrics, /readyz and /healthz on 127.0.0.1:<metrics_port> without the bearer
  // token (for a scraper on the same host when the main port needs one). Host must be a loopback
  // name there too. -1: off; 0: any free port (see HttpServer::metrics_port()).
  int metrics_port = -1;
  // subscriptions/listen (2026-07-28): the listeners' registry, shared with whoever publishes
  // changes; none: the method is left to the dispatcher (which does not know it).
  std::shared_ptr<mcp::SubscriptionHub> subscriptions;
  // How often a 2026 request's open response stream is checked for a client that went away
  // (which cancels the request).
  std::chrono::milliseconds liveness_poll{200};
  // A 2026 request answered within this is answered as JSON (with its error's HTTP status);
  // one that runs longer or notifies first gets an SSE stream.
  std::chrono::milliseconds json_window{100};
  // Fleet mode (cluster::SessionIds): issues the Mcp-Session-Id of a new session (default: 128
  // random bits as 32 hex digits), and explains the 404 for an id this instance does not hold
  // (which instance owns it, or that it is gone): the error's message and its `data` (null: none).
  // Both are thread-safe and may ask Redis (bounded by its timeouts).
  std::function<std::string()> issue_session_id;
  std::function<std::pair<std::string, Json>(const std::string& id)> explain_unknown_session;
};

// Counters for tests and metrics. Read without locks (relaxed).
struct HttpStats {
  std::size_t sessions = 0;      // live sessions
  std::size_t open_streams = 0;  // open SSE streams (GET, POST and legacy)
  std::size_t threads = 0;       // HTTP worker threads alive
  std::size_t connections = 0;   // open client connections (plain HTTP)
  std::size_t waiting = 0;       // of those, connections whose request header block is still arriving
};

class HttpServer {
 public:
  // `dispatcher` must outlive the server.
  HttpServer(const mcp::Dispatcher& dispatcher, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on an owned thread. Errors: bad TLS files, address in use.
  Status<Error> start();
  // Blocks until stop() has finished (from another thread, e.g. a signal watcher).
  void wait();
  void stop();

  int port() const;  // the bound port (after start())
  int metrics_port() const;  // the loopback metrics port, or -1 when off
  bool tls() const;
  HttpStats stats() const;
  // Sends notifications/message with `data` to every live session whose logging/setLevel admits
  // `level`, on its GET (or legacy /sse) stream; kept for replay when none is open. For
  // server-wide events such as monitor alerts. Thread-safe; call it from outside a handler.
  void broadcast_log(mcp::LogLevel level, const Json& data, std::string_view logger = {});
  // Ends every session idle longer than session_idle_timeout by the injected clock. The reaper
  // thread calls this every reap_interval; tests call it directly. Returns how many ended.
  std::size_t reap_idle_sessions();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jira_mcp::transport
