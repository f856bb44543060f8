#include "jira_mcp/mcp/context.hpp"

namespace jira_mcp::mcp {

RequestContext::RequestContext(Session& session, Json request_id, CancelTokenPtr cancel,
                               std::optional<Json> progress_token)
    : session_(session),
      request_id_(std::move(request_id)),
      cancel_(std::move(cancel)),
      progress_token_(std::move(progress_token)) {}

void RequestContext::progress(double progress, std::optional<double> total, std::string_view message) {
  if (!progress_token_ || cancelled()) return;
  Json params{{"progressToken", *progress_token_}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  session_.notify("notifications/progress", std::move(params));
}

void RequestContext::log(LogLevel level, const Json& data, std::string_view logger) {
  session_.log(level, data, logger);
}

namespace {

constexpr int kMissingRequiredClientCapability = -32021;

// A key for an input request that names its content, so the rerun of a handler finds the
// answer to the same question and a different question is asked anew.
std::string derived_key(std::string_view prefix, const Json& params) {
  return std::string(prefix) + "-" + detail::sha256_hex(dump_compact(params)).substr(0, 16);
}

std::string unsupported(std::string_view capability, std::string_view what) {
  return "the client does not support " + std::string(what) + " (it did not declare the '" +
         std::string(capability) + "' capability)";
}

}  // namespace

Result<Json, RpcError> RequestContext::ask(const std::vector<InputRequest>& requests,
                                           std::chrono::milliseconds timeout) {
  Json answers = Json::object();
  if (!input_) {
    for (const auto& r : requests) {
      const std::string_view cap = required_capability(r.method);
      if (!cap.empty() && !session_.client_supports(cap)) {
        return unexpected(RpcError{rpc::kInvalidRequest, unsupported(cap, cap), {}});
      }
      auto a = session_.request(r.method, r.params, timeout, cancel_);
      if (!a) return unexpected(a.error());
      answers[r.key] = std::move(*a);
    }
    return answers;
  }
  // 2026: never ask what the client cannot answer (MRTR: inputRequests only for declared
  // capabilities); say which capabilities the request needs.
  Json required = Json::object();
  for (const auto& r : requests) {
    const std::string_view cap = required_capability(r.method);
    if (!cap.empty() && !client_supports(cap)) required[std::string(cap)] = Json::object();
  }
  if (!required.empty()) {
    std::string names;
    for (auto it = required.begin(); it != required.end(); ++it) names += (names.empty() ? "" : ", ") + it.key();
    throw InputRefused{RpcError{kMissingRequiredClientCapability,
                                "Missing required client capability: this request needs the client to declare " +
                                    names + " in _meta[\"io.modelcontextprotocol/clientCapabilities\"]",
                                Json{{"requiredCapabilities", std::move(required)}}}};
  }
  std::vector<InputRequest> missing;
  for (const auto& r : requests) {
    if (auto a = input_->answer(r)) {
      answers[r.key] = std::move(*a);
    } else {
      missing.push_back(r);
    }
  }
  if (!missing.empty()) throw InputRequired{std::move(missing)};
  return answers;
}

namespace {
Result<Json, RpcError> only(Result<Json, RpcError> answers, const std::string& key) {
  if (!answers) return answers;
  return (*answers)[key];
}
}  // namespace

Result<Json, RpcError> RequestContext::elicit(std::string_view message, const Json& requested_schema,
                                              std::chrono::milliseconds timeout) {
  Json params{{"message", message}, {"requestedSchema", requested_schema}};
  std::string key = derived_key("elicitation", params);
  return only(ask({InputRequest{key, "elicitation/create", std::move(params)}}, timeout), key);
}

Result<Json, RpcError> RequestContext::sample(const Json& params, std::chrono::milliseconds timeout) {
  std::string key = derived_key("sampling", params);
  return only(ask({InputRequest{key, "sampling/createMessage", params}}, timeout), key);
}

Result<Json, RpcError> RequestContext::list_roots(std::chrono::milliseconds timeout) {
  return only(ask({InputRequest{"roots", "roots/list", Json::object()}}, timeout), "roots");
}

}  // namespace jira_mcp::mcp
