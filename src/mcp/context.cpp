#include "jira_mcp/mcp/context.hpp"

#include "jira_mcp/cache/hash.hpp"
#include "jira_mcp/mcp/tasks.hpp"

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
  if (task_) task_->progress(progress, total, std::string(message));
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

namespace {

// A key for an input request that names its content, so the rerun of a handler finds the
// answer to the same question and a different question is asked anew.
std::string derived_key(std::string_view prefix, const Json& params) {
  return std::string(prefix) + "-" + cache::sha256_hex(dump_compact(params)).substr(0, 16);
}

std::string unsupported(std::string_view capability, std::string_view what) {
  return "the client does not support " + std::string(what) + " (it did not declare the '" +
         std::string(capability) + "' capability)";
}

}  // namespace

Result<Json, RpcError> RequestContext::ask(const std::vector<InputRequest>& requests,
                                           std::chrono::milliseconds timeout) {
  Json answers = Json::object();
  if (task_) {
    // A task asks through its inputRequests (tasks/get) and hears back by tasks/update; only
    // what the request that started the task declared it can answer.
    Json required = Json::object();
    for (const auto& r : requests) {
      const std::string_view cap = required_capability(r.method);
      if (!cap.empty() && !client_supports(cap)) required[std::string(cap)] = Json::object();
    }
    if (!required.empty()) {
      return unexpected(RpcError{rpc::kMissingRequiredClientCapability,
                                 "the request that started this task did not declare the capability it needs",
                                 Json{{"requiredCapabilities", std::move(required)}}});
    }
    std::vector<Json> asked;
    for (const auto& r : requests) asked.push_back(Json{{"method", r.method}, {"params", r.params}});
    auto results = task_->ask(std::move(asked));
    for (std::size_t i = 0; i < requests.size() && i < results.size(); ++i) {
      if (!results[i]) return unexpected(results[i].error());
      answers[requests[i].key] = std::move(*results[i]);
    }
    return answers;
  }
  if (!stateless()) {
    for (const auto& r : requests) {
      const std::string_view cap = required_capability(r.method);
      if (!cap.empty() && !client_supports(cap)) {
        return unexpected(RpcError{rpc::kInvalidRequest, unsupported(cap, cap), {}});
      }
      auto a = session_.request(r.method, r.params, timeout, cancel_, inbound_.sink);
      if (!a) return unexpected(a.error());
      answers[r.key] = std::move(*a);
    }
    return answers;
  }
  if (!input_) {
    return unexpected(RpcError{rpc::kInvalidRequest,
                               "this request cannot ask the client for input (in 2026-07-28 only tools/call, "
                               "prompts/get and resources/read can)",
                               {}});
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
    throw InputRefused{RpcError{rpc::kMissingRequiredClientCapability,
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
