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
#include "jira_mcp/mcp/protocol.hpp"
#include "jira_mcp/mcp/session.hpp"

namespace jira_mcp::mcp {

class TaskControl;

class RequestContext {
 public:
  RequestContext(Session& session, Json request_id, CancelTokenPtr cancel,
                 std::optional<Json> progress_token);

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

  // notifications/message, honouring the session's logging level.
  void log(LogLevel level, const Json& data, std::string_view logger = {});

  // The task this call runs as (tasks extension), or null for a call answered directly. A
  // task's progress and per-item outcomes are read through tasks/get (progress() goes there).
  TaskControl* task() const { return task_; }
  void attach_task(TaskControl* task) { task_ = task; }

  // Asks the user through the client (elicitation/create). Fails when the client did not
  // declare the elicitation capability. The result is the client's {action, content?}. In a
  // task the request goes to the task's inputRequests and the answer comes by tasks/update.
  Result<Json, RpcError> elicit(std::string_view message, const Json& requested_schema,
                                std::chrono::milliseconds timeout = std::chrono::minutes(5));
  // Asks the client's model (sampling/createMessage) with the given params.
  Result<Json, RpcError> sample(const Json& params,
                                std::chrono::milliseconds timeout = std::chrono::minutes(2));

 private:
  Session& session_;
  Json request_id_;
  CancelTokenPtr cancel_;
  std::optional<Json> progress_token_;
  TaskControl* task_ = nullptr;
};

}  // namespace jira_mcp::mcp
