#pragma once
// RequestContext: what a tool, resource or prompt handler may do while it runs.
//
// One per request, owned by the dispatcher, used only by the thread running the handler
// (not thread-safe itself; the Session behind it is). It must not outlive the handler call.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/input.hpp"
#include "jira_mcp/mcp/inbound.hpp"
#include "jira_mcp/mcp/protocol.hpp"
#include "jira_mcp/mcp/session.hpp"

namespace jira_mcp::mcp {

class TaskControl;

// Which revision family serves a request: 2025 (initialize, then a session holds the protocol
// version, the client's capabilities and the log level) or 2026-07-28 (stateless: the request
// carries all of that in params._meta).
enum class Era { Legacy, Stateless };

// What the request itself says about its client, read once by the dispatcher. For a legacy
// request the fields are copied from the session when the request starts.
struct RequestMeta {
  Era era = Era::Legacy;
  std::string protocol_version;                 // "" on a legacy session before initialize
  Json client_capabilities = Json::object();    // ClientCapabilities
  Json client_info = Json::object();            // Implementation {name, version}; may be empty
  // 2026: _meta["io.modelcontextprotocol/logLevel"]; none = no notifications/message at all.
  // Legacy: unset (the session's logging/setLevel level applies).
  std::optional<LogLevel> log_level;
  std::string traceparent, tracestate;          // W3C trace context from _meta, when sent
  Json raw = Json::object();                    // the request's whole params._meta

  // Reads params._meta of a 2026-07-28 request. Fails with -32602 (missing or malformed
  // members) or -32022 (a version this server does not serve statelessly).
  static Result<RequestMeta, RpcError> from_stateless(const Json& params);
  // A legacy request on `session`; still reads the trace context from params._meta.
  static RequestMeta from_session(const Session& session, const Json& params);
};

class RequestContext {
 public:
  RequestContext(Session& session, Json request_id, CancelTokenPtr cancel,
                 std::optional<Json> progress_token, RequestMeta meta = {}, Inbound inbound = {});

  const RequestMeta& meta() const { return meta_; }
  bool stateless() const { return meta_.era == Era::Stateless; }
  // Whether the client declared `capability` ("elicitation", "sampling", "roots"): on this
  // request (2026) or at initialize (legacy).
  bool client_supports(std::string_view capability) const;

  Session& session() { return session_; }
  const Json& request_id() const { return request_id_; }
  const CancelTokenPtr& cancel_token() const { return cancel_; }
  bool cancelled() const { return cancel_ && cancel_->cancelled(); }

  // notifications/progress, sent only when the request carried _meta.progressToken.
  // `progress` must increase from call to call (the caller's duty); `total` and `message`
  // are optional.
  void progress(double progress, std::optional<double> total = std::nullopt,
                std::string_view message = {});
  bool wants_progress() const { return progress_token_.has_value(); }

  // notifications/message: legacy, at or above the session's logging level; 2026, only when the
  // request set a log level, at or above it. Progress, log messages and the server-to-client
  // requests below go to inbound().sink when the transport gave one.
  void log(LogLevel level, const Json& data, std::string_view logger = {});

  // The task this call runs as (tasks extension), or null for a call answered directly. A
  // task's progress and per-item outcomes are read through tasks/get (progress() goes there).
  TaskControl* task() const { return task_; }
  void attach_task(TaskControl* task) { task_ = task; }

  // Input from the client (see input.hpp for the two eras). Returns an object mapping each
  // request's key to the client's answer. Legacy era: one server-to-client request after
  // another, each waiting up to `timeout`; a client that did not declare the capability a
  // request needs gets -32600 and nothing is sent. 2026 era: the answers this retry brought;
  // when any is missing this throws InputRequired (all missing ones are asked at once), and when
  // the client lacks a capability, InputRefused (-32021 MissingRequiredClientCapability).
  Result<Json, RpcError> ask(const std::vector<InputRequest>& requests,
                             std::chrono::milliseconds timeout = std::chrono::minutes(5));

  // Asks the user through the client (elicitation/create). Fails when the client did not
  // declare the elicitation capability. The result is the client's {action, content?}. On a
  // 2026 request the input request's key is derived from the message and schema, so asking the
  // same question again on the retry finds its answer, and a changed question is asked anew.
  Result<Json, RpcError> elicit(std::string_view message, const Json& requested_schema,
                                std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // Asks the client's model (sampling/createMessage) with the given params.
  Result<Json, RpcError> sample(const Json& params,
                                std::chrono::milliseconds timeout = std::chrono::minutes(2));
  // The client's roots (roots/list): {"roots": [...]}.
  Result<Json, RpcError> list_roots(std::chrono::milliseconds timeout = std::chrono::minutes(1));

  // Set by the dispatcher for a 2026 request that may ask for input (tools/call, prompts/get,
  // resources/read); null otherwise. Not owned; outlives the handler call.
  void set_input(InputExchange* exchange) { input_ = exchange; }
  InputExchange* input() const { return input_; }

  // --- per-request state (inbound.hpp) ------------------------------------------------------
  // What the transport brought with the request: identity, notification sink.
  const Inbound& inbound() const { return inbound_; }
  // What the server adds while handling it: fresh, trace. Mutable for the
  // dispatcher's hooks and the tool wrappers, on the handler's thread, before the tool reads it.
  CallState& call() { return call_; }
  const CallState& call() const { return call_; }

 private:
  Inbound inbound_;
  CallState call_;

  Session& session_;
  Json request_id_;
  CancelTokenPtr cancel_;
  std::optional<Json> progress_token_;
  RequestMeta meta_;
  InputExchange* input_ = nullptr;
  TaskControl* task_ = nullptr;
};

}  // namespace jira_mcp::mcp
