#include "jira_mcp/mcp/context.hpp"

namespace jira_mcp::mcp {

RequestContext::RequestContext(Session& session, Json request_id, CancelTokenPtr cancel,
                               std::optional<Json> progress_token, Inbound inbound)
    : inbound_(std::move(inbound)),
      session_(session),
      request_id_(std::move(request_id)),
      cancel_(std::move(cancel)),
      progress_token_(std::move(progress_token)) {}

void RequestContext::progress(double progress, std::optional<double> total, std::string_view message) {
  if (!progress_token_ || cancelled()) return;
  Json params{{"progressToken", *progress_token_}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  session_.notify("notifications/progress", std::move(params), inbound_.sink);
}

void RequestContext::log(LogLevel level, const Json& data, std::string_view logger) {
  session_.log(level, data, logger, inbound_.sink);
}

Result<Json, RpcError> RequestContext::elicit(std::string_view message, const Json& requested_schema,
                                              std::chrono::milliseconds timeout) {
  if (!session_.client_supports("elicitation")) {
    return unexpected(RpcError{rpc::kInvalidRequest,
                               "the client does not support elicitation (it did not declare the "
                               "'elicitation' capability)",
                               {}});
  }
  return session_.request("elicitation/create",
                          Json{{"message", message}, {"requestedSchema", requested_schema}}, timeout,
                          cancel_, inbound_.sink);
}

Result<Json, RpcError> RequestContext::sample(const Json& params, std::chrono::milliseconds timeout) {
  if (!session_.client_supports("sampling")) {
    return unexpected(RpcError{rpc::kInvalidRequest,
                               "the client does not support sampling (it did not declare the "
                               "'sampling' capability)",
                               {}});
  }
  return session_.request("sampling/createMessage", params, timeout, cancel_, inbound_.sink);
}

}  // namespace jira_mcp::mcp
