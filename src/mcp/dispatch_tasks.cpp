// The dispatcher's side of the tasks extension (io.modelcontextprotocol/tasks): when a
// tools/call becomes a task, and tasks/get, tasks/update, tasks/cancel.
//
// The extension exists only for 2026-07-28 requests, and only for a request whose own
// _meta["io.modelcontextprotocol/clientCapabilities"].extensions declares it (per request: a
// declaration on an earlier request counts for nothing). A task is server-directed: a tool
// declared TaskSupport::optional runs as a task whenever the request allows it; nothing the
// client puts in the request asks for one (a legacy `task` param is ignored).
#include <spdlog/spdlog.h>

#include "jira_mcp/mcp/dispatcher.hpp"

namespace jira_mcp::mcp {

namespace {

bool declares_tasks(const RequestContext& ctx) {
  if (!ctx.stateless()) return false;  // the extension does not exist in the 2025 revisions
  const Json& caps = ctx.meta().client_capabilities;
  auto ext = caps.find("extensions");
  if (ext == caps.end() || !ext->is_object()) return false;
  auto t = ext->find(kTasksExtension);
  return t != ext->end() && t->is_object();
}

RpcError missing_tasks_capability(const std::string& what) {
  return RpcError{rpc::kMissingRequiredClientCapability,
                  "Missing required client capability: " + what + " needs the " + std::string(kTasksExtension) +
                      " extension; declare it in _meta[\"" + meta_key::kClientCapabilities +
                      "\"].extensions of this request",
                  Json{{"requiredCapabilities",
                        {{"extensions", {{std::string(kTasksExtension), Json::object()}}}}}}};
}

}  // namespace

std::optional<Result<Json, RpcError>> Dispatcher::start_task(const Registry::Tool& tool, const Json& args,
                                                             const Json&, RequestContext& ctx) const {
  if (tool.spec.task_support == TaskSupport::never || !tasks_) return std::nullopt;
  if (!declares_tasks(ctx)) {
    if (tool.spec.task_support == TaskSupport::required && ctx.stateless()) {
      return Result<Json, RpcError>(unexpected(missing_tasks_capability("the tool " + tool.spec.name)));
    }
    return std::nullopt;  // answered directly (a legacy request never gets a task)
  }
  TaskOrigin origin;
  origin.meta = ctx.meta();
  // The task belongs to, and runs as, whoever sent this request.
  origin.inbound.identity = ctx.inbound().identity;
  if (origin.inbound.identity) origin.owner = origin.inbound.identity->key;
  if (options_.task_caller) options_.task_caller(origin);
  const std::string name = tool.spec.name;
  // The store is destroyed before the rest of this dispatcher, so `this` outlives the work.
  auto created = tasks_->create(std::move(origin), [this, &tool, args, name](RequestContext& task_ctx) -> Result<Json, RpcError> {
    const auto start = std::chrono::steady_clock::now();
    if (options_.on_tool_start) options_.on_tool_start(name, std::chrono::nanoseconds(0), task_ctx);
    ToolResult out;
    try {
      out = tool.spec.handler(args, task_ctx);
    } catch (...) {
      if (options_.on_tool_call) options_.on_tool_call(name, true, std::chrono::steady_clock::now() - start, task_ctx);
      throw;  // the store logs it and fails the task with -32603
    }
    if (options_.on_tool_call) {
      options_.on_tool_call(name, out.is_error, std::chrono::steady_clock::now() - start, task_ctx);
    }
    Json j = std::move(out).to_json();
    j["resultType"] = "complete";  // what the call would have answered directly
    return j;
  });
  if (!created) return Result<Json, RpcError>(unexpected(created.error()));
  spdlog::debug("tools/call {} runs as task {}", name, dump_compact((*created)["taskId"]));
  (*created)["resultType"] = "task";
  return Result<Json, RpcError>(std::move(*created));
}

Result<Json, RpcError> Dispatcher::task_method(const std::string& method, const Json& params,
                                               const RequestContext& ctx) const {
  if (!tasks_ || !ctx.stateless()) {
    return unexpected(RpcError{rpc::kMethodNotFound,
                               "Method not found: " + method + " (the " + std::string(kTasksExtension) +
                                   " extension is offered to protocol 2026-07-28 requests only)",
                               {}});
  }
  if (!declares_tasks(ctx)) return unexpected(missing_tasks_capability(method));
  auto id = params.find("taskId");
  if (id == params.end() || !id->is_string()) {
    return unexpected(RpcError{rpc::kInvalidParams, "Invalid params: \"taskId\" (the task's id, a string) is required", {}});
  }
  TaskOrigin caller;
  if (ctx.inbound().identity) caller.owner = ctx.inbound().identity->key;
  if (options_.task_caller) options_.task_caller(caller);
  const std::string task_id = id->get<std::string>();
  Result<Json, RpcError> out = Json::object();
  if (method == "tasks/get") {
    out = tasks_->get(task_id, caller.owner);
  } else if (method == "tasks/update") {
    auto responses = params.find("inputResponses");
    if (responses == params.end()) {
      return unexpected(RpcError{rpc::kInvalidParams,
                                 "Invalid params: \"inputResponses\" (answers keyed by the task's inputRequests keys) is required",
                                 {}});
    }
    out = tasks_->update(task_id, caller.owner, *responses);
  } else {
    out = tasks_->cancel(task_id, caller.owner);
  }
  return out;  // resultType "complete" comes with every 2026 result
}

}  // namespace jira_mcp::mcp
