// The MCP dispatcher.
//
// Design: one entry point takes a whole message and returns the whole reply, so every
// transport (stdio, Streamable HTTP, legacy SSE, tests) shares exactly the same protocol
// behaviour. Validation happens in the order a strict client expects: the envelope first
// (object, "jsonrpc", "id" type, "method" type), then the lifecycle (nothing but initialize
// and ping before initialize), then the method's params. A request's id is echoed with its
// original JSON type. The one exception handler at the bottom turns bugs into -32603 so no
// exception ever reaches a transport thread.
#include "jira_mcp/mcp/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace jira_mcp::mcp {

namespace {

RpcError invalid_params(std::string message) { return RpcError{rpc::kInvalidParams, std::move(message), {}}; }

bool valid_id(const Json& id) { return id.is_string() || id.is_number_integer(); }

// Strips what an older protocol revision does not define, so strict older clients see only
// fields their schema knows.
void adapt_tool_listing(Json& tool, const std::string& version) {
  if (version < "2025-06-18") {
    tool.erase("title");
    tool.erase("outputSchema");
  }
  if (version < "2025-03-26") tool.erase("annotations");
}

Result<std::map<std::string, std::string>, RpcError> string_map(const Json& j, const char* what) {
  std::map<std::string, std::string> out;
  if (j.is_null()) return out;
  if (!j.is_object()) return unexpected(invalid_params(std::string("Invalid params: \"") + what + "\" must be an object of strings"));
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string()) {
      return unexpected(invalid_params(std::string("Invalid params: ") + what + "." + it.key() + " must be a string"));
    }
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

std::string join_levels() {
  std::string s;
  for (int i = 0; i <= static_cast<int>(LogLevel::Emergency); ++i) {
    if (!s.empty()) s += ", ";
    s += to_string(static_cast<LogLevel>(i));
  }
  return s;
}

// Runs the handler of a request that may ask for input (MRTR, input.hpp): a handler unwound for
// missing input answers with the InputRequiredResult, a refused input with its error.
template <class F>
Result<Json, RpcError> answering_input(RequestContext& ctx, F&& run) {
  try {
    return run();
  } catch (const InputRequired& need) {
    if (!ctx.input()) throw std::logic_error("a handler asked for input on a request that cannot carry it");
    return ctx.input()->input_required(need.requests);
  } catch (const InputRefused& refused) {
    return unexpected(refused.error);
  }
}

}  // namespace

Dispatcher::Dispatcher(std::shared_ptr<const Registry> registry, ServerInfo info, DispatcherOptions options)
    : registry_(std::move(registry)), info_(std::move(info)), options_(std::move(options)) {
  if (options_.page_size == 0) options_.page_size = 1;
  if (!options_.request_state) options_.request_state = std::make_shared<RequestStateCodec>();
  if (options_.tasks) tasks_ = std::make_unique<TaskStore>(*options_.tasks);
}

bool Dispatcher::is_request(const Json& message) {
  return message.is_object() && message.contains("method") && message.contains("id");
}

bool Dispatcher::runs_inline(const Json& message) {
  if (!is_request(message)) return true;
  const Json& method = message["method"];
  return method == "ping" || method == "logging/setLevel" || method == "server/discover";
}

std::optional<std::string> Dispatcher::stateless_version(const Json& message) {
  if (!message.is_object()) return std::nullopt;
  auto p = message.find("params");
  if (p == message.end()) return std::nullopt;
  return stateless_version_of_params(*p);
}

std::optional<std::string> Dispatcher::stateless_version_of_params(const Json& params) {
  if (!params.is_object()) return std::nullopt;
  auto m = params.find("_meta");
  if (m == params.end() || !m->is_object()) return std::nullopt;
  auto v = m->find(meta_key::kProtocolVersion);
  if (v == m->end()) return std::nullopt;
  return v->is_string() ? v->get<std::string>() : dump_compact(*v);
}

QueuedRequest::QueuedRequest(Json message, Session& session, Inbound inbound)
    : message_(std::move(message)), session_(session), inbound_(std::move(inbound)) {
  if (!message_.is_object()) return;
  if (auto it = message_.find("id"); it != message_.end() && valid_id(*it)) {
    id_ = *it;
    token_ = session_.begin_request(*id_);
  }
}

QueuedRequest::~QueuedRequest() {
  if (id_) session_.end_request(*id_, token_);
}

std::optional<Json> Dispatcher::run(QueuedRequest& request) const {
  if (request.cancelled()) {
    // Cancelled while it waited: it never starts (MCP: no response to a cancelled request).
    spdlog::debug("request {} was cancelled before it started; it is not run", dump_compact(request.id()));
    try {
      const Json& m = request.message_;
      if (m.value("method", Json()) == "tools/call") {
        const Json params = m.value("params", Json::object());
        report_cancelled_call(request.id(), params.is_object() ? params : Json::object(), nullptr, request.session_,
                              request.inbound_.sink);
      }
    } catch (const std::exception& e) {
      spdlog::error("internal error while reporting a cancelled request: {}", e.what());
    }
    return std::nullopt;
  }
  return handle_message(request.message_, request.session_, request.token_, request.inbound_);
}

std::variant<Json, std::string> Dispatcher::parse(std::string_view text) const {
  if (json_nesting_depth(text, options_.max_depth) > options_.max_depth) {
    return dump_compact(make_error(std::nullopt, RpcError{rpc::kParseError,
        "Parse error: JSON nested deeper than " + std::to_string(options_.max_depth) + " levels", {}}));
  }
  // nlohmann stops at a NUL byte as if the text ended there, so "{...}\0junk" would pass.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return dump_compact(make_error(std::nullopt, RpcError{rpc::kParseError,
        "Parse error: a NUL byte at offset " + std::to_string(nul) + "; JSON text cannot contain one", {}}));
  }
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    // A parse_error names the byte offset and the problem (including invalid UTF-8); an
    // out_of_range is a number JSON allows but a double cannot hold (1e400). Both are the
    // client's malformed message, never the end of the server.
    std::string what = e.what();
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    if (e.id == 406) what += "; numbers must fit a 64-bit float";
    // nlohmann quotes the bytes it last read, which may be invalid UTF-8: keep ASCII only, so
    // the error itself always serializes.
    for (char& c : what) {
      if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return dump_compact(make_error(std::nullopt, RpcError{rpc::kParseError, "Parse error: " + what, {}}));
  }
}

std::optional<Buffer> Dispatcher::handle_text(std::string_view text, Session& session, const Inbound& inbound) const {
  auto parsed = parse(text);
  if (auto* err = std::get_if<std::string>(&parsed)) return Buffer(std::move(*err));
  auto reply = handle(std::get<Json>(parsed), session, inbound);
  if (!reply) return std::nullopt;
  return serialize(*reply);
}

Buffer Dispatcher::serialize(const Json& message) const {
  Buffer out = core::BufferPool::acquire_from(options_.buffers.get());
  dump_compact_to(message, *out);
  return out;
}

std::optional<Json> Dispatcher::handle(const Json& msg, Session& session, const Inbound& inbound) const {
  return handle_message(msg, session, nullptr, inbound);
}

std::optional<Json> Dispatcher::handle_message(const Json& msg, Session& session, const CancelTokenPtr& queued,
                                               const Inbound& inbound) const {
  std::optional<Json> id;
  try {
    if (msg.is_array()) {
      return make_error(std::nullopt, RpcError{rpc::kInvalidRequest,
          "Invalid Request: JSON-RPC batches are not supported; send one message at a time", {}});
    }
    if (!msg.is_object()) {
      return make_error(std::nullopt, RpcError{rpc::kInvalidRequest, "Invalid Request: a message must be a JSON object", {}});
    }
    auto id_it = msg.find("id");
    const bool has_id = id_it != msg.end();
    if (has_id && valid_id(*id_it)) id = *id_it;

    auto version = msg.find("jsonrpc");
    if (version == msg.end() || *version != "2.0") {
      return make_error(id, RpcError{rpc::kInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"", {}});
    }
    auto method_it = msg.find("method");
    if (method_it == msg.end()) {
      if (has_id && (msg.contains("result") || msg.contains("error"))) {
        if (!session.deliver_response(msg)) {
          spdlog::debug("ignoring a response to no pending request (id {})", dump_compact(*id_it));
        }
        return std::nullopt;
      }
      return make_error(id, RpcError{rpc::kInvalidRequest, "Invalid Request: \"method\" is missing", {}});
    }
    if (!method_it->is_string()) {
      return make_error(id, RpcError{rpc::kInvalidRequest, "Invalid Request: \"method\" must be a string", {}});
    }
    if (has_id && !id) {
      return make_error(std::nullopt, RpcError{rpc::kInvalidRequest,
          "Invalid Request: \"id\" must be a string or an integer", {}});
    }
    const std::string method = method_it->get<std::string>();
    Json params = Json::object();
    if (auto p = msg.find("params"); p != msg.end() && !p->is_null()) {
      if (!p->is_object()) {
        if (!has_id) return std::nullopt;
        return make_error(id, invalid_params("Invalid params: \"params\" must be an object"));
      }
      params = *p;
    }
    if (!has_id) {
      handle_notification(method, params, session);
      return std::nullopt;
    }
    return handle_request(*id, method, params, session, queued, inbound);
  } catch (const std::exception& e) {
    spdlog::error("internal error while handling a message: {}", e.what());
    if (!id && msg.is_object() && !msg.contains("id")) return std::nullopt;  // a notification: never answered
    return make_error(id, RpcError{rpc::kInternalError, "Internal error; the server logged the details", {}});
  }
}

void Dispatcher::handle_notification(const std::string& method, const Json& params, Session& session) const {
  if (method == "notifications/cancelled") {
    auto rid = params.find("requestId");
    if (rid != params.end() && valid_id(*rid)) {
      if (session.cancel_request(*rid)) {
        spdlog::debug("request {} cancelled by the client: {}", dump_compact(*rid), string_or(params, "reason"));
      }
    }
  } else if (method == "notifications/initialized") {
    spdlog::debug("client confirmed initialization");
  } else {
    spdlog::debug("ignoring notification {}", method);
  }
}

namespace {

// What the registry offers beyond tools and logging, as the capabilities declare it; read on
// every request, so without building the capabilities object.
struct Offered {
  bool resources = false, prompts = false, completions = false;
};
Offered offered_by(const Registry& r) {
  Offered o;
  o.resources = !r.resources().empty() || !r.templates().empty();
  o.prompts = !r.prompts().empty();
  for (const auto& p : r.prompts()) {
    for (const auto& a : p.arguments) o.completions = o.completions || static_cast<bool>(a.completer);
  }
  for (const auto& t : r.templates()) o.completions = o.completions || !t.spec.completers.empty();
  return o;
}

}  // namespace

Json Dispatcher::capabilities(bool stateless) const {
  Json caps{{"logging", Json::object()}, {"tools", Json{{"listChanged", false}}}};
  const Offered offered = offered_by(*registry_);
  if (offered.resources) caps["resources"] = Json{{"subscribe", true}, {"listChanged", false}};
  if (offered.prompts) caps["prompts"] = Json{{"listChanged", false}};
  if (offered.completions) caps["completions"] = Json::object();
  if (stateless && tasks_) caps["extensions"] = Json{{std::string(kTasksExtension), Json::object()}};
  return caps;
}

namespace {

// Methods 2026-07-28 removed: a stateless request for one of them is an unknown method.
bool removed_in_stateless(const std::string& method) {
  return method == "initialize" || method == "ping" || method == "logging/setLevel" ||
         method == "resources/subscribe" || method == "resources/unsubscribe";
}

}  // namespace

Json Dispatcher::discover() const {
  Json versions = Json::array();
  for (auto v : kStatelessProtocolVersions) versions.push_back(v);
  for (auto v : kSupportedProtocolVersions) versions.push_back(v);
  Json result{{"supportedVersions", std::move(versions)}, {"capabilities", capabilities(true)}};
  if (!info_.instructions.empty()) result["instructions"] = info_.instructions;
  result["ttlMs"] = options_.list_ttl_ms;
  result["cacheScope"] = "public";
  return result;
}

void Dispatcher::finish_stateless(Json& result, const std::string& method) const {
  if (!result.is_object()) return;
  if (!result.contains("resultType")) result["resultType"] = "complete";
  Json server_info{{"name", info_.name}, {"version", info_.version}};
  if (!info_.title.empty()) server_info["title"] = info_.title;
  Json& meta = result["_meta"];
  if (!meta.is_object()) meta = Json::object();
  meta[meta_key::kServerInfo] = std::move(server_info);
  if (method == "tools/list" || method == "prompts/list" || method == "resources/list" ||
      method == "resources/templates/list") {
    result["ttlMs"] = options_.list_ttl_ms;
    result["cacheScope"] = "public";
  }
}

std::optional<Json> Dispatcher::handle_request(const Json& id, const std::string& method, const Json& params,
                                               Session& session, const CancelTokenPtr& queued,
                                               const Inbound& inbound) const {
  // The era is chosen per request: 2026-07-28 names its version in _meta (server/discover must,
  // in either era); everything else belongs to the session that initialize set up.
  const bool stateless = stateless_version_of_params(params).has_value();
  RequestMeta meta;
  if (stateless || method == "server/discover") {
    auto m = RequestMeta::from_stateless(params);
    if (!m) return make_error(id, m.error());
    meta = std::move(*m);
    if (removed_in_stateless(method)) {
      return make_error(id, RpcError{rpc::kMethodNotFound, "Method not found: " + method + " is not part of " +
                                     std::string(kStatelessProtocolVersion) +
                                     " (it was removed with sessions; see server/discover)", {}});
    }
  } else {
    if (method != "initialize" && method != "ping" && !session.initialized()) {
      return make_error(id, RpcError{rpc::kInvalidRequest,
          "Invalid Request: the session is not initialized; send \"initialize\" first", {}});
    }
    meta = RequestMeta::from_session(session, params);
  }
  std::optional<Json> progress_token;
  if (auto m = meta.raw.find("progressToken"); m != meta.raw.end() && valid_id(*m)) progress_token = *m;
  // A queued request was registered when it was queued (QueuedRequest), under its own token.
  CancelTokenPtr token = queued ? queued : session.begin_request(id);
  struct EndRequest {
    Session& s;
    const Json& id;
    const CancelTokenPtr& token;
    ~EndRequest() { s.end_request(id, token); }
  } end_request{session, id, token};
  RequestContext ctx(session, id, token, progress_token, std::move(meta), inbound);
  std::optional<InputExchange> input;  // 2026: what a retry brought for the handler's questions
  if (ctx.stateless() && (method == "tools/call" || method == "prompts/get" || method == "resources/read")) {
    // A requestState is bound to whoever asked: another user's retry cannot answer it.
    auto begun = InputExchange::begin(method, params, *options_.request_state,
                                      ctx.inbound().identity ? ctx.inbound().identity->key : std::string());
    if (!begun) return make_error(id, begun.error());
    ctx.set_input(&input.emplace(std::move(*begun)));
  }

  const Offered offered = offered_by(*registry_);  // as capabilities() declares it
  const bool has_resources = offered.resources;
  const bool has_prompts = offered.prompts;
  Result<Json, RpcError> result = Json::object();
  if (method == "server/discover") {
    result = discover();
  } else if (method == "initialize") {
    result = initialize(params, session);
  } else if (method == "ping") {
    result = Json::object();
  } else if (method == "tools/list") {
    result = list_tools(params, ctx.meta().protocol_version);
  } else if (method == "tools/call") {
    result = answering_input(ctx, [&] { return call_tool(params, ctx); });
  } else if (method == "logging/setLevel") {
    auto level = parse_log_level(string_or(params, "level"));
    if (!level) {
      result = unexpected(invalid_params("Invalid params: \"level\" must be one of " + join_levels()));
    } else {
      session.set_log_level(*level);
    }
  } else if (has_resources && method == "resources/list") {
    result = paginate(params, registry_->resources(), "resources", [](const ResourceSpec& r) {
      Json j{{"uri", r.uri}, {"name", r.name}};
      if (!r.title.empty()) j["title"] = r.title;
      if (!r.description.empty()) j["description"] = r.description;
      if (!r.mime_type.empty()) j["mimeType"] = r.mime_type;
      return j;
    });
  } else if (has_resources && method == "resources/templates/list") {
    result = paginate(params, registry_->templates(), "resourceTemplates", [](const Registry::Template& t) {
      Json j{{"uriTemplate", t.spec.uri_template}, {"name", t.spec.name}};
      if (!t.spec.title.empty()) j["title"] = t.spec.title;
      if (!t.spec.description.empty()) j["description"] = t.spec.description;
      if (!t.spec.mime_type.empty()) j["mimeType"] = t.spec.mime_type;
      return j;
    });
  } else if (has_resources && method == "resources/read") {
    result = answering_input(ctx, [&] { return read_resource(params, ctx); });
  } else if (has_resources && (method == "resources/subscribe" || method == "resources/unsubscribe")) {
    std::string uri = string_or(params, "uri");
    if (uri.empty()) {
      result = unexpected(invalid_params("Invalid params: \"uri\" is required"));
    } else if (method == "resources/subscribe") {
      session.subscribe(uri);
    } else {
      session.unsubscribe(uri);
    }
  } else if (has_prompts && method == "prompts/list") {
    result = paginate(params, registry_->prompts(), "prompts", [](const PromptSpec& p) {
      Json j{{"name", p.name}};
      if (!p.title.empty()) j["title"] = p.title;
      if (!p.description.empty()) j["description"] = p.description;
      if (!p.arguments.empty()) {
        Json args = Json::array();
        for (const auto& a : p.arguments) {
          Json aj{{"name", a.name}};
          if (!a.description.empty()) aj["description"] = a.description;
          aj["required"] = a.required;
          args.push_back(std::move(aj));
        }
        j["arguments"] = std::move(args);
      }
      return j;
    });
  } else if (has_prompts && method == "prompts/get") {
    result = answering_input(ctx, [&] { return get_prompt(params, ctx); });
  } else if (offered.completions && method == "completion/complete") {
    result = complete(params, ctx);
  } else if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") {
    result = task_method(method, params, ctx);
  } else {
    result = unexpected(RpcError{rpc::kMethodNotFound, "Method not found: " + method, {}});
  }

  if (token->cancelled() && method != "initialize") {
    spdlog::debug("request {} ({}) was cancelled; its reply is not sent", dump_compact(id), method);
    if (method == "tools/call") report_cancelled_call(id, params, &result, session, inbound.sink);
    return std::nullopt;
  }
  if (!result) return make_error(id, result.error());
  if (stateless) finish_stateless(*result, method);
  return make_result(id, std::move(*result));
}

void Dispatcher::report_cancelled_call(const Json& id, const Json& params, const Result<Json, RpcError>* outcome,
                                       Session& session, Peer* via) const {
  const std::string name = string_or(params, "name");
  const Registry::Tool* tool = registry_->find_tool(name);
  // A read changed nothing, so there is nothing to tell. A tool without annotations may write
  // (MCP's default for readOnlyHint is false).
  if (!tool || tool->spec.annotations.read_only.value_or(false)) return;
  Json report{{"event", "cancelled_call"}, {"requestId", id}, {"tool", name}, {"started", outcome != nullptr}};
  LogLevel level = LogLevel::Notice;
  if (!outcome) {
    report["message"] = "Cancelled before it started: it never ran, so it changed nothing.";
  } else if (*outcome) {
    level = LogLevel::Warning;
    report["message"] = "Cancelled while it ran; the outcome below is what its response would have said (what it "
                        "reports as done was applied in Jira; what it reports as not sent or not started was not).";
    report["outcome"] = **outcome;
  } else {
    report["message"] = "Cancelled; it was refused before it ran (the error below), so it changed nothing.";
    report["outcome"] = Json{{"error", {{"code", outcome->error().code}, {"message", outcome->error().message}}}};
  }
  spdlog::info("request {} ({}) was cancelled {}; its outcome goes to the client as a log message",
               dump_compact(id), name, outcome ? "while it ran" : "before it started");
  session.record_cancelled_outcome(report);
  if (!stateless_version_of_params(params)) {
    session.log(level, report, "jira-mcp.cancellation", via);
    return;
  }
  // 2026-07-28: a log message only for a request that asked for them, at its level.
  auto meta = RequestMeta::from_stateless(params);
  if (!meta || !meta->log_level || level < *meta->log_level) return;
  session.notify("notifications/message",
                 Json{{"level", to_string(level)}, {"data", report}, {"logger", "jira-mcp.cancellation"}}, via);
}

Result<Json, RpcError> Dispatcher::initialize(const Json& params, Session& session) const {
  if (session.initialized()) {
    return unexpected(RpcError{rpc::kInvalidRequest, "Invalid Request: the session is already initialized", {}});
  }
  auto pv = params.find("protocolVersion");
  if (pv == params.end() || !pv->is_string()) {
    return unexpected(invalid_params("Invalid params: \"protocolVersion\" (a string such as \"" +
                                     std::string(kLatestProtocolVersion) + "\") is required"));
  }
  std::string requested = pv->get<std::string>();
  std::string version = is_supported_protocol_version(requested) ? requested : std::string(kLatestProtocolVersion);
  if (version != requested) {
    spdlog::info("client asked for protocol {}, which this server does not speak; offering {}", requested, version);
  }
  Json client_caps = params.value("capabilities", Json::object());
  Json client_info = params.value("clientInfo", Json::object());
  session.set_initialized(version, client_caps, client_info);
  Json server_info{{"name", info_.name}, {"version", info_.version}};
  if (!info_.title.empty() && version >= "2025-06-18") server_info["title"] = info_.title;
  Json result{{"protocolVersion", version}, {"capabilities", capabilities()}, {"serverInfo", server_info}};
  if (!info_.instructions.empty()) result["instructions"] = info_.instructions;
  spdlog::info("session initialized: client {} {}, protocol {}", string_or(client_info, "name", "?"),
               string_or(client_info, "version", "?"), version);
  return result;
}

template <class T, class F>
Result<Json, RpcError> Dispatcher::paginate(const Json& params, const std::vector<T>& items, const char* key,
                                            F&& to_json) const {
  size_t offset = 0;
  if (auto c = params.find("cursor"); c != params.end() && !c->is_null()) {
    std::string cursor = c->is_string() ? c->get<std::string>() : std::string();
    bool ok = cursor.size() > 5 && cursor.compare(0, 5, "page:") == 0 &&
              cursor.find_first_not_of("0123456789", 5) == std::string::npos && cursor.size() < 15;
    if (ok) offset = std::stoul(cursor.substr(5));
    if (!ok || offset >= items.size()) {
      return unexpected(invalid_params("Invalid params: unknown \"cursor\"; pass the nextCursor of the previous page, or none for the first page"));
    }
  }
  Json page = Json::array();
  size_t end = std::min(items.size(), offset + options_.page_size);
  for (size_t i = offset; i < end; ++i) page.push_back(to_json(items[i]));
  Json result{{key, std::move(page)}};
  if (end < items.size()) result["nextCursor"] = "page:" + std::to_string(end);
  return result;
}

Result<Json, RpcError> Dispatcher::list_tools(const Json& params, const std::string& version) const {
  return paginate(params, registry_->tools(), "tools", [&](const Registry::Tool& t) {
    Json j = t.listing;
    adapt_tool_listing(j, version);
    return j;
  });
}

Result<Json, RpcError> Dispatcher::call_tool(const Json& params, RequestContext& ctx) const {
  auto name_it = params.find("name");
  if (name_it == params.end() || !name_it->is_string()) {
    return unexpected(invalid_params("Invalid params: \"name\" (the tool to call) is required"));
  }
  const std::string name = name_it->get<std::string>();
  const Registry::Tool* tool = registry_->find_tool(name);
  if (!tool) {
    return unexpected(invalid_params("Unknown tool: " + name + ". Call tools/list for the tools this server offers"));
  }
  Json args = Json::object();
  if (auto a = params.find("arguments"); a != params.end() && !a->is_null()) {
    if (!a->is_object()) return unexpected(invalid_params("Invalid params: \"arguments\" must be an object"));
    args = *a;
  }
  const auto start = std::chrono::steady_clock::now();
  ToolResult out;
  const Json& schema = tool->listing.at("inputSchema");
  coerce_arguments(schema, args);
  const Result<core::JsonSchema>& validator = tool->input->get();
  if (!validator) {
    // Only with SchemaCompilation::on_first_use, and a bug: the catalog's schemas are compiled by its tests.
    return unexpected(RpcError{rpc::kInternalError, "Tool " + name + " cannot be called: its inputSchema is not a "
                                                    "valid JSON Schema (" + validator.error().message +
                                                    "). This is a jira-mcp bug: please report it.", {}});
  }
  auto violations = validator->validate(args);
  if (!violations.empty()) {
    std::string msg = "Invalid arguments for " + name + ":";
    for (const auto& v : violations) {
      msg += "\n- " + (v.path.empty() ? std::string("arguments") : v.path) + ": " + v.message;
      // A pattern alone does not say what the value is; the property's description does
      // ("Board id (jira_list_boards)").
      if (v.message.rfind("must match the pattern", 0) == 0) {
        const Json* prop = schema.contains("properties") ? &schema["properties"] : nullptr;
        if (prop && prop->is_object() && prop->contains(v.path) && (*prop)[v.path].contains("description")) {
          const Json& d = (*prop)[v.path]["description"];
          if (d.is_string()) msg += " (" + d.get<std::string>() + ")";
        }
      }
    }
    msg += "\nFix these arguments (see the tool's inputSchema) and call " + name + " again.";
    out = ToolResult::error(std::move(msg));
  } else {
    if (auto task = start_task(*tool, args, params, ctx)) return std::move(*task);
    if (options_.on_tool_start) options_.on_tool_start(name, std::chrono::steady_clock::now() - start, ctx);
    try {
      out = tool->spec.handler(args, ctx);
    } catch (const InputRequired&) {
      // Not a failure: the call pauses for the client's input (MRTR) and reruns on the retry.
      if (options_.on_tool_call) options_.on_tool_call(name, false, std::chrono::steady_clock::now() - start, ctx);
      throw;
    } catch (...) {
      // A bug: handle() logs it and answers -32603. The call still ended, as an error, so
      // on_tool_call closes what on_tool_start opened (the monitor's in-flight count, its trace).
      if (options_.on_tool_call) options_.on_tool_call(name, true, std::chrono::steady_clock::now() - start, ctx);
      throw;
    }
  }
  if (options_.on_tool_call) {
    options_.on_tool_call(name, out.is_error, std::chrono::steady_clock::now() - start, ctx);
  }
  Json j = std::move(out).to_json();
  if (ctx.meta().protocol_version < "2025-06-18") j.erase("structuredContent");
  return j;
}

Result<Json, RpcError> Dispatcher::read_resource(const Json& params, RequestContext& ctx) const {
  std::string uri = string_or(params, "uri");
  if (uri.empty()) return unexpected(invalid_params("Invalid params: \"uri\" is required"));
  Result<std::vector<ResourceContents>, RpcError> contents = std::vector<ResourceContents>{};
  CacheHint hint;
  if (const ResourceSpec* r = registry_->find_resource(uri)) {
    contents = r->handler(uri, ctx);
    hint = r->cache;
  } else {
    std::map<std::string, std::string> vars;
    const Registry::Template* t = registry_->match_template(uri, vars);
    if (!t) {
      // 2026-07-28 makes an unknown resource invalid params; 2025 used -32002.
      return unexpected(RpcError{ctx.stateless() ? rpc::kInvalidParams : rpc::kResourceNotFound,
          "Resource not found: " + uri +
          ". Call resources/list and resources/templates/list for what this server offers", Json{{"uri", uri}}});
    }
    contents = t->spec.handler(uri, vars, ctx);
    hint = t->spec.cache;
  }
  if (!contents) {
    RpcError e = contents.error();
    if (ctx.stateless() && e.code == rpc::kResourceNotFound) e.code = rpc::kInvalidParams;
    return unexpected(std::move(e));
  }
  Json arr = Json::array();
  for (const auto& c : *contents) arr.push_back(c.to_json());
  Json result{{"contents", std::move(arr)}};
  if (ctx.stateless()) {
    result["ttlMs"] = hint.ttl_ms;
    result["cacheScope"] = hint.per_user ? "private" : "public";
  }
  return result;
}

Result<Json, RpcError> Dispatcher::get_prompt(const Json& params, RequestContext& ctx) const {
  std::string name = string_or(params, "name");
  if (name.empty()) return unexpected(invalid_params("Invalid params: \"name\" (the prompt) is required"));
  const PromptSpec* prompt = registry_->find_prompt(name);
  if (!prompt) return unexpected(invalid_params("Unknown prompt: " + name + ". Call prompts/list for the prompts this server offers"));
  auto args = string_map(params.value("arguments", Json()), "arguments");
  if (!args) return unexpected(args.error());
  for (const auto& a : prompt->arguments) {
    if (a.required && args->count(a.name) == 0) {
      return unexpected(invalid_params("Invalid params: prompt " + name + " needs the argument \"" + a.name + "\"" +
                                       (a.description.empty() ? std::string() : " (" + a.description + ")")));
    }
  }
  return prompt->handler(*args, ctx);
}

Result<Json, RpcError> Dispatcher::complete(const Json& params, RequestContext& ctx) const {
  const Json ref = params.value("ref", Json());
  const Json argument = params.value("argument", Json());
  if (!ref.is_object() || !argument.is_object() || !argument.contains("name") || !argument["name"].is_string() ||
      !argument.contains("value") || !argument["value"].is_string()) {
    return unexpected(invalid_params("Invalid params: completion/complete needs \"ref\" and \"argument\": {name, value}"));
  }
  std::map<std::string, std::string> context;
  if (auto c = params.find("context"); c != params.end() && c->is_object()) {
    auto m = string_map(c->value("arguments", Json()), "context.arguments");
    if (!m) return unexpected(m.error());
    context = std::move(*m);
  }
  const std::string arg_name = argument["name"].get<std::string>();
  const std::string type = string_or(ref, "type");
  const Completer* completer = nullptr;
  if (type == "ref/prompt") {
    const PromptSpec* p = registry_->find_prompt(string_or(ref, "name"));
    if (!p) return unexpected(invalid_params("Unknown prompt: " + string_or(ref, "name")));
    for (const auto& a : p->arguments) {
      if (a.name == arg_name && a.completer) completer = &a.completer;
    }
  } else if (type == "ref/resource") {
    const std::string uri = string_or(ref, "uri");
    const Registry::Template* found = nullptr;
    for (const auto& t : registry_->templates()) {
      if (t.spec.uri_template == uri) found = &t;
    }
    if (!found) return unexpected(invalid_params("Unknown resource template: " + uri));
    if (auto it = found->spec.completers.find(arg_name); it != found->spec.completers.end()) completer = &it->second;
  } else {
    return unexpected(invalid_params("Invalid params: ref.type must be \"ref/prompt\" or \"ref/resource\""));
  }
  std::vector<std::string> values;
  if (completer) values = (*completer)(argument["value"].get<std::string>(), context, ctx);
  constexpr size_t kMaxValues = 100;  // the MCP limit per response
  const size_t total = values.size();
  if (values.size() > kMaxValues) values.resize(kMaxValues);
  return Json{{"completion", Json{{"values", values}, {"total", total}, {"hasMore", total > kMaxValues}}}};
}

}  // namespace jira_mcp::mcp
