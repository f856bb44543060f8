// The conformance fixture's tools for the tasks extension (io.modelcontextprotocol/tasks): the
// names and behaviours the suite's tasks-* scenarios call (greet, slow_compute, failing_job,
// protocol_error_job, confirm_delete, multi_input). Each runs through the real TaskStore; only
// the work itself is a fixture.
#include "fixture_tasks.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include "jira_mcp/mcp/tasks.hpp"

namespace jira_mcp::fixture {

using mcp::RequestContext;
using mcp::TaskSupport;
using mcp::ToolResult;

namespace {

// Sleeps `ms`, waking early when the call is cancelled; false if it was.
bool sleep_unless_cancelled(RequestContext& ctx, long ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (ctx.cancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !ctx.cancelled();
}

Json confirm_schema() {
  return Json{{"type", "object"},
              {"properties", {{"confirm", {{"type", "boolean"}, {"description", "Go ahead?"}}}}},
              {"required", {"confirm"}}};
}

std::string answer_text(const Result<Json, mcp::RpcError>& r) {
  if (!r) return "no answer (" + r.error().message + ")";
  return string_or(*r, "action", "?") + " " + dump_compact(r->value("content", Json::object()));
}

}  // namespace

void add_task_tools(mcp::RegistryBuilder& b) {
  b.add_tool({"greet", "", "Says hello (never a task).",
              Json{{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}, {"required", {"name"}}}, {}, {},
              [](const Json& args, RequestContext&) {
                return ToolResult::text("Hello, " + args["name"].get<std::string>() + "!");
              }});
  b.add_tool({"slow_compute", "", "Sleeps `seconds`, then answers (a task when the client allows).",
              Json{{"type", "object"},
                   {"properties", {{"seconds", {{"type", "number"}, {"minimum", 0}}}, {"label", {{"type", "string"}}}}}},
              {}, {},
              [](const Json& args, RequestContext& ctx) {
                const double seconds = args.value("seconds", 1.0);
                const std::string label = args.value("label", std::string("compute"));
                if (!sleep_unless_cancelled(ctx, static_cast<long>(seconds * 1000))) {
                  return ToolResult::text("Cancelled: " + label);
                }
                return ToolResult::text("Computed " + label + " in " + dump_compact(args.value("seconds", Json(1))) + " s");
              },
              TaskSupport::optional});
  b.add_tool({"failing_job", "", "Fails as a tool after about a second (always a task).",
              Json{{"type", "object"}}, {}, {},
              [](const Json&, RequestContext& ctx) {
                sleep_unless_cancelled(ctx, 1000);
                return ToolResult::error("failing_job failed, as it always does");
              },
              TaskSupport::required});
  b.add_tool({"protocol_error_job", "", "Breaks with an internal error (a task when the client allows).",
              Json{{"type", "object"}}, {}, {},
              [](const Json&, RequestContext&) -> ToolResult {
                throw std::runtime_error("protocol_error_job broke on purpose");
              },
              TaskSupport::optional});
  b.add_tool({"confirm_delete", "", "Asks for confirmation, then 'deletes' the file.",
              Json{{"type", "object"}, {"properties", {{"filename", {{"type", "string"}}}}}}, {}, {},
              [](const Json& args, RequestContext& ctx) {
                const std::string file = args.value("filename", std::string("file"));
                auto r = ctx.elicit("Delete " + file + "?", confirm_schema());
                return ToolResult::text("confirm_delete " + file + ": " + answer_text(r));
              },
              TaskSupport::optional});
  b.add_tool({"multi_input", "", "Asks two questions at once, then answers with both replies.",
              Json{{"type", "object"}}, {}, {},
              [](const Json&, RequestContext& ctx) {
                Json name{{"method", "elicitation/create"},
                          {"params", {{"message", "Your name?"},
                                      {"requestedSchema", {{"type", "object"}, {"properties", {{"name", {{"type", "string"}}}}}}}}}};
                Json confirm{{"method", "elicitation/create"},
                             {"params", {{"message", "Proceed?"}, {"requestedSchema", confirm_schema()}}}};
                std::vector<Result<Json, mcp::RpcError>> answers;
                if (mcp::TaskControl* task = ctx.task()) {
                  answers = task->ask({name, confirm});
                } else {  // answered directly: one question after the other
                  answers.push_back(ctx.elicit("Your name?", name["params"]["requestedSchema"]));
                  answers.push_back(ctx.elicit("Proceed?", confirm_schema()));
                }
                return ToolResult::text("multi_input: " + answer_text(answers[0]) + "; " + answer_text(answers[1]));
              },
              TaskSupport::optional});
}

}  // namespace jira_mcp::fixture
