#pragma once
// RequestContext: what a tool, resource or prompt handler may do while it runs.
//
// One per request, owned by the dispatcher, used only by the thread running the handler
// (not thread-safe itself; the Session behind it is). It must not outlive the handler call.
#include <chrono>
#include <optional>
#include <string>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/inbound.hpp"
#include "jira_mcp/mcp/protocol.hpp"
#include "jira_mcp/mcp/session.hpp"

namespace jira_mcp::mcp {

class RequestContext {
 public:
  RequestContext(Session& session, Json request_id, CancelTokenPtr cancel,
                 std::optional<Json> progress_token, Inbound inbound = {});

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

  // notifications/message, honouring the session's logging level. Progress, log messages and
  // the server-to-client requests below go to inbound().sink when the transport gave one.
  void log(LogLevel level, const Json& data, std::string_view logger = {});

  // Asks the user through the client (elicitation/create). Fails when the client did not
  // declare the elicitation capability. The result is the client's {action, content?}.
  Result<Json, RpcError> elicit(std::string_view message, const Json& requested_schema,
                                std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // Asks the client's model (sampling/createMessage) with the given params.
  Result<Json, RpcError> sample(const Json& params,
                                std::chrono::milliseconds timeout = std::chrono::minutes(2));

  // --- per-request state (inbound.hpp) ------------------------------------------------------
  // What the transport brought with the request: identity, notification sink.
  const Inbound& inbound() const { return inbound_; }
  // What the server adds while handling it: fresh, trace, trace context. Mutable for the
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
};

}  // namespace jira_mcp::mcp
