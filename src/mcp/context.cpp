#include "jira_mcp/mcp/context.hpp"

namespace jira_mcp::mcp {

namespace {

RpcError bad_meta(std::string what) {
  return RpcError{rpc::kInvalidParams,
                  "Invalid params: " + what + ". A 2026-07-28 request carries params._meta with \"" +
                      meta_key::kProtocolVersion + "\" (\"" + std::string(kStatelessProtocolVersion) +
                      "\") and \"" + meta_key::kClientCapabilities +
                      "\" (an object); a 2025 client sends \"initialize\" first instead",
                  {}};
}

void read_trace(const Json& meta, RequestMeta& out) {
  if (!meta.is_object()) return;
  if (auto t = meta.find("traceparent"); t != meta.end() && t->is_string()) out.traceparent = t->get<std::string>();
  if (auto t = meta.find("tracestate"); t != meta.end() && t->is_string()) out.tracestate = t->get<std::string>();
}

}  // namespace

Result<RequestMeta, RpcError> RequestMeta::from_stateless(const Json& params) {
  auto m = params.find("_meta");
  if (m == params.end() || !m->is_object()) return unexpected(bad_meta("\"_meta\" is missing"));
  const Json& meta = *m;
  auto pv = meta.find(meta_key::kProtocolVersion);
  if (pv == meta.end()) return unexpected(bad_meta(std::string("_meta has no \"") + meta_key::kProtocolVersion + "\""));
  const std::string requested = pv->is_string() ? pv->get<std::string>() : dump_compact(*pv);
  bool supported = false;
  for (auto v : kStatelessProtocolVersions) supported = supported || (pv->is_string() && requested == v);
  if (!supported) {
    Json list = Json::array();
    for (auto v : kStatelessProtocolVersions) list.push_back(v);
    std::string msg = "Unsupported protocol version " + requested + ": this server serves " +
                      std::string(kStatelessProtocolVersion) + " per request";
    if (is_supported_protocol_version(requested)) {
      msg += "; " + requested + " is served after an \"initialize\" handshake, not per request";
    }
    return unexpected(RpcError{rpc::kUnsupportedProtocolVersion, msg,
                               Json{{"supported", std::move(list)}, {"requested", requested}}});
  }
  auto caps = meta.find(meta_key::kClientCapabilities);
  if (caps == meta.end() || !caps->is_object()) {
    return unexpected(bad_meta(std::string("_meta[\"") + meta_key::kClientCapabilities + "\"] is " +
                               (caps == meta.end() ? "missing" : "not an object")));
  }
  RequestMeta out;
  out.era = Era::Stateless;
  out.protocol_version = requested;
  out.client_capabilities = *caps;
  if (auto info = meta.find(meta_key::kClientInfo); info != meta.end() && info->is_object()) out.client_info = *info;
  if (auto lv = meta.find(meta_key::kLogLevel); lv != meta.end()) {
    auto level = lv->is_string() ? parse_log_level(lv->get<std::string>()) : std::nullopt;
    if (!level) {
      return unexpected(bad_meta(std::string("_meta[\"") + meta_key::kLogLevel +
                                 "\"] must be one of debug, info, notice, warning, error, critical, alert, emergency"));
    }
    out.log_level = level;
  }
  read_trace(meta, out);
  out.raw = meta;
  return out;
}

RequestMeta RequestMeta::from_session(const Session& session, const Json& params) {
  RequestMeta out;
  out.protocol_version = session.protocol_version();
  out.client_capabilities = session.client_capabilities();
  out.client_info = session.client_info();
  if (auto m = params.find("_meta"); m != params.end() && m->is_object()) {
    read_trace(*m, out);
    out.raw = *m;
  }
  return out;
}

RequestContext::RequestContext(Session& session, Json request_id, CancelTokenPtr cancel,
                               std::optional<Json> progress_token, RequestMeta meta, Inbound inbound)
    : inbound_(std::move(inbound)),
      session_(session),
      request_id_(std::move(request_id)),
      cancel_(std::move(cancel)),
      progress_token_(std::move(progress_token)),
      meta_(std::move(meta)) {}

bool RequestContext::client_supports(std::string_view capability) const {
  auto it = meta_.client_capabilities.find(capability);
  return it != meta_.client_capabilities.end() && it->is_object();
}

void RequestContext::progress(double progress, std::optional<double> total, std::string_view message) {
  if (!progress_token_ || cancelled()) return;
  Json params{{"progressToken", *progress_token_}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  session_.notify("notifications/progress", std::move(params), inbound_.sink);
}

void RequestContext::log(LogLevel level, const Json& data, std::string_view logger) {
  if (!stateless()) {
    session_.log(level, data, logger, inbound_.sink);
    return;
  }
  // 2026-07-28: never without the request's own logLevel (the client did not ask for logs).
  if (!meta_.log_level || level < *meta_.log_level || cancelled()) return;
  Json params{{"level", to_string(level)}, {"data", data}};
  if (!logger.empty()) params["logger"] = logger;
  session_.notify("notifications/message", std::move(params), inbound_.sink);
}

Result<Json, RpcError> RequestContext::elicit(std::string_view message, const Json& requested_schema,
                                              std::chrono::milliseconds timeout) {
  if (stateless()) {
    // 2026-07-28 has no server-to-client requests; multi round-trip requests replace them.
    return unexpected(RpcError{rpc::kMissingRequiredClientCapability,
                               "this server cannot ask the client on a 2026-07-28 request yet",
                               Json{{"requiredCapabilities", Json{{"elicitation", Json::object()}}}}});
  }
  if (!client_supports("elicitation")) {
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
  if (stateless()) {
    return unexpected(RpcError{rpc::kMissingRequiredClientCapability,
                               "this server cannot ask the client on a 2026-07-28 request yet",
                               Json{{"requiredCapabilities", Json{{"sampling", Json::object()}}}}});
  }
  if (!client_supports("sampling")) {
    return unexpected(RpcError{rpc::kInvalidRequest,
                               "the client does not support sampling (it did not declare the "
                               "'sampling' capability)",
                               {}});
  }
  return session_.request("sampling/createMessage", params, timeout, cancel_, inbound_.sink);
}

}  // namespace jira_mcp::mcp
