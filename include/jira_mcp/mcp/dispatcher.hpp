#pragma once
// Dispatcher: the MCP protocol core, one message in, at most one reply out.
//
// It knows nothing of stdio or HTTP: every transport parses nothing itself, hands each incoming
// line or body to handle_text() (or an already-parsed message to handle()), and sends back
// whatever reply comes out. Notifications and responses to server-to-client requests produce
// no reply. Errors are mapped here, in one place:
//   protocol errors        → JSON-RPC errors (-32700, -32600, -32601, -32602)
//   a tool's own failure   → a tools/call result with isError: true
//   a bug (an exception)   → logged, answered with -32603; nothing escapes.
//
// Thread safety: handle() and handle_text() may be called concurrently from many threads for
// the same or different sessions. The registry is frozen, so the hot path takes no lock.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/object_pool.hpp"
#include "jira_mcp/mcp/context.hpp"
#include "jira_mcp/mcp/inbound.hpp"
#include "jira_mcp/mcp/registry.hpp"
#include "jira_mcp/mcp/request_state.hpp"
#include "jira_mcp/mcp/session.hpp"
#include "jira_mcp/mcp/tasks.hpp"

namespace jira_mcp::mcp {

struct ServerInfo {
  std::string name = "jira-mcp";
  std::string title;
  std::string version;
  std::string instructions;  // sent in the initialize result when not empty
};

struct DispatcherOptions {
  size_t page_size = 100;  // items per tools/list, resources/list, ... page
  int max_depth = 64;      // deeper JSON is refused before parsing
  // Observes every tools/call that ends (for metrics), a handler that throws included (as an
  // error); called on the handler's thread with the call's context.
  std::function<void(const std::string& tool, bool is_error, std::chrono::nanoseconds elapsed, RequestContext& call)>
      on_tool_call;
  // Called on the handler's thread just before a tool's handler runs, with the time spent
  // validating its arguments; it may set the call's state (call.call().trace: the --timing
  // trace) for the tool to see. on_tool_call follows with the same context.
  std::function<void(const std::string& tool, std::chrono::nanoseconds parse, RequestContext& call)> on_tool_start;
  // 2026-07-28 caching hint on tools/list, prompts/list, resources/list, resources/templates/list
  // and server/discover: the lists are fixed for the life of the process (no listChanged), and
  // do not depend on the user ("public"). A restart with another configuration may change them.
  std::int64_t list_ttl_ms = 3'600'000;
  // Buffers replies are serialized into (performance.object_pooling); none: a new string each.
  std::shared_ptr<core::BufferPool> buffers;
  // Seals and opens the requestState of 2026 multi round-trip requests (server.state_key);
  // none: a codec with a random key for this dispatcher.
  std::shared_ptr<const RequestStateCodec> request_state;
  // Tasks (io.modelcontextprotocol/tasks, offered to 2026-07-28 requests): the dispatcher owns
  // the store built from these; none: the extension is not offered.
  std::optional<TaskOptions> tasks;
  // Called on the request's thread when a task is created or addressed: sets the caller's owner
  // key (a task is visible to its owner only) and a run_as that reinstates the caller's per-call
  // state (identity) on the task's worker. None: a single-user server.
  std::function<void(TaskOrigin&)> task_caller;
};

// A serialized message in a buffer that goes back to the dispatcher's pool when released.
using Buffer = core::BufferPool::Lease;

// A request a transport has read and queued for a worker thread. Constructing it registers the
// request with the session (Session::begin_request), so a notifications/cancelled handled on
// the reader thread meanwhile finds it; Dispatcher::run() then handles it, or, when it was
// cancelled first, never starts it. Destroying it unregisters the request (needed when it never
// ran: the queue was full, or the server stopped). Neither copyable nor movable: a queue holds it
// by shared_ptr. Not thread-safe itself (one owner at a time).
class QueuedRequest {
 public:
  QueuedRequest(Json message, Session& session, Inbound inbound = {});
  ~QueuedRequest();
  QueuedRequest(const QueuedRequest&) = delete;
  QueuedRequest& operator=(const QueuedRequest&) = delete;

  const Json& message() const { return message_; }
  // The request's id (null when it has none a reply could carry).
  Json id() const { return id_.value_or(Json()); }
  bool cancelled() const { return token_ && token_->cancelled(); }

 private:
  friend class Dispatcher;
  Json message_;
  Session& session_;
  Inbound inbound_;         // what the transport knew of it (identity, sink), for run()
  std::optional<Json> id_;  // registered under this id (a valid JSON-RPC id)
  CancelTokenPtr token_;
};

class Dispatcher {
 public:
  Dispatcher(std::shared_ptr<const Registry> registry, ServerInfo info, DispatcherOptions options = {});

  // One message (a request, notification or response). Returns the reply, if any. `inbound` is
  // what the transport knows of it beyond its JSON (inbound.hpp); a request's handler finds it
  // in RequestContext::inbound().
  std::optional<Json> handle(const Json& message, Session& session, const Inbound& inbound = {}) const;
  // A queued request, on the worker that took it from the queue. A request cancelled while it
  // waited never starts and gets no reply (MCP: a cancelled request is not answered); when it
  // was a tool that may write, the client is told through notifications/message that nothing
  // was sent, and the session records it (Session::cancelled_outcomes).
  std::optional<Json> run(QueuedRequest& request) const;
  // One serialized message: parses it (refusing over-deep nesting and invalid JSON with
  // -32700) and returns the serialized reply, if any.
  std::optional<Buffer> handle_text(std::string_view text, Session& session, const Inbound& inbound = {}) const;
  // `message` serialized compactly into a pooled buffer.
  Buffer serialize(const Json& message) const;
  // Parses `text`, or returns the serialized -32700 reply to send instead.
  std::variant<Json, std::string> parse(std::string_view text) const;

  // True when `message` is a request (has a method and an id): the only kind worth running on a
  // worker thread. Notifications and responses are cheap and must be handled promptly (a
  // cancellation or an elicitation answer must not queue behind the work it concerns).
  static bool is_request(const Json& message);
  // True for what a transport should handle on its reader thread, never behind queued work:
  // notifications, responses, and the requests that cost nothing (ping, logging/setLevel), so
  // a liveness probe is answered within milliseconds however many calls are queued.
  static bool runs_inline(const Json& message);
  // The protocol version a 2026-07-28 (stateless) request names in
  // params._meta["io.modelcontextprotocol/protocolVersion"] (as text, even when it is not a
  // string); nullopt for a request of the 2025 era (or a message that is no request).
  static std::optional<std::string> stateless_version(const Json& message);
  // The same for a request's params (a request of the 2026 era exactly when it has a value).
  static std::optional<std::string> stateless_version_of_params(const Json& params);

  const Registry& registry() const { return *registry_; }
  // `stateless`: for a 2026-07-28 request (server/discover), with capabilities.extensions.
  Json capabilities(bool stateless = false) const;
  TaskStore* tasks() const { return tasks_.get(); }

 private:
  std::optional<Json> handle_message(const Json& message, Session& session, const CancelTokenPtr& queued,
                                     const Inbound& inbound) const;
  std::optional<Json> handle_request(const Json& id, const std::string& method, const Json& params,
                                     Session& session, const CancelTokenPtr& queued, const Inbound& inbound) const;
  // A cancelled tools/call gets no response; when its tool may write, what became of it goes to
  // the client as notifications/message and into the session's record. `outcome` is null for a
  // call that never started.
  void report_cancelled_call(const Json& id, const Json& params, const Result<Json, RpcError>* outcome,
                             Session& session, Peer* via) const;
  // server/discover (both eras; the request must carry 2026 _meta).
  Json discover() const;
  // What every 2026-07-28 result carries: resultType and the server's identity in _meta.
  void finish_stateless(Json& result, const std::string& method) const;
  void handle_notification(const std::string& method, const Json& params, Session& session) const;
  Result<Json, RpcError> initialize(const Json& params, Session& session) const;
  Result<Json, RpcError> call_tool(const Json& params, RequestContext& ctx) const;
  Result<Json, RpcError> list_tools(const Json& params, const std::string& version) const;
  Result<Json, RpcError> read_resource(const Json& params, RequestContext& ctx) const;
  Result<Json, RpcError> get_prompt(const Json& params, RequestContext& ctx) const;
  Result<Json, RpcError> complete(const Json& params, RequestContext& ctx) const;
  // Tasks (dispatch_tasks.cpp). start_task: the CreateTaskResult (or its refusal) when this call
  // runs as a task, none when it is answered directly.
  std::optional<Result<Json, RpcError>> start_task(const Registry::Tool& tool, const Json& args, const Json& params,
                                                   RequestContext& ctx) const;
  Result<Json, RpcError> task_method(const std::string& method, const Json& params, const RequestContext& ctx) const;
  template <class T, class F>
  Result<Json, RpcError> paginate(const Json& params, const std::vector<T>& items, const char* key,
                                  F&& to_json) const;

  std::shared_ptr<const Registry> registry_;
  ServerInfo info_;
  DispatcherOptions options_;
  std::unique_ptr<TaskStore> tasks_;  // last: its workers stop first, while the rest is alive
};

}  // namespace jira_mcp::mcp
