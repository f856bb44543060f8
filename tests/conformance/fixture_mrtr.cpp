// The fixture tools and prompt of the official suite's input-required-result-* scenarios
// (multi round-trip requests, MCP 2026-07-28). Each is an ordinary handler that asks through
// RequestContext::ask, so the same tool also works for a 2025 client (as server-to-client
// requests); the keys are the ones the scenarios name.
#include "jira_mcp/mcp/registry.hpp"

using namespace jira_mcp;
using mcp::InputRequest;
using mcp::RequestContext;
using mcp::ToolResult;

namespace {

Json string_form(const char* field) {
  return Json{{"type", "object"}, {"properties", {{field, {{"type", "string"}}}}}, {"required", {field}}};
}

InputRequest ask_string(std::string key, std::string message, const char* field) {
  return InputRequest{std::move(key), "elicitation/create",
                      Json{{"message", std::move(message)}, {"requestedSchema", string_form(field)}}};
}

InputRequest ask_ok(std::string key) {
  return InputRequest{std::move(key), "elicitation/create",
                      Json{{"message", "Please confirm"},
                           {"requestedSchema", {{"type", "object"},
                                                {"properties", {{"ok", {{"type", "boolean"}}}}},
                                                {"required", {"ok"}}}}}};
}

InputRequest ask_model(std::string key, std::string question, int max_tokens) {
  return InputRequest{std::move(key), "sampling/createMessage",
                      Json{{"messages", Json::array({Json{{"role", "user"},
                                                          {"content", {{"type", "text"}, {"text", std::move(question)}}}}})},
                           {"maxTokens", max_tokens}}};
}

InputRequest ask_roots(std::string key) { return InputRequest{std::move(key), "roots/list", Json::object()}; }

std::string content_field(const Json& elicit_result, const char* field) {
  const Json content = elicit_result.value("content", Json::object());
  if (!content.is_object() || !content.contains(field)) return "?";
  const Json& v = content[field];
  return v.is_string() ? v.get<std::string>() : dump_compact(v);
}

std::string sampled_text(const Json& r) {
  const Json c = r.value("content", Json());
  if (c.is_object()) return string_or(c, "text", "?");
  if (c.is_array() && !c.empty() && c[0].is_object()) return string_or(c[0], "text", "?");
  return "?";
}

std::string root_uris(const Json& r) {
  std::string out;
  for (const auto& root : r.value("roots", Json::array())) {
    if (root.is_object()) out += (out.empty() ? "" : ", ") + string_or(root, "uri", "?");
  }
  return out.empty() ? "(none)" : out;
}

// The tool's text, or the error the client could not be asked (a 2025 client without the
// capability, a timeout).
template <class F>
ToolResult with_answers(RequestContext& ctx, const std::vector<InputRequest>& requests, F&& text) {
  auto answers = ctx.ask(requests);
  if (!answers) return ToolResult::error("Could not ask the client: " + answers.error().message);
  return ToolResult::text(text(*answers));
}

}  // namespace

void add_mrtr_fixtures(mcp::RegistryBuilder& b) {
  const Json none{{"type", "object"}, {"properties", Json::object()}};
  b.add_tool({"test_input_required_result_elicitation", "", "Asks the user's name, then greets them.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                InputRequest name = ask_string("user_name", "What is your name?", "name");
                name.bound = false;  // input-required-result-ignore-extra-params answers without being asked
                return with_answers(ctx, {name}, [](const Json& a) {
                  return "Hello, " + content_field(a["user_name"], "name") + "!";
                });
              }});
  b.add_tool({"test_input_required_result_sampling", "", "Asks the client's model a question.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                return with_answers(ctx, {ask_model("capital_question", "What is the capital of France?", 100)},
                                    [](const Json& a) { return "The model said: " + sampled_text(a["capital_question"]); });
              }});
  b.add_tool({"test_input_required_result_list_roots", "", "Asks the client for its roots.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                return with_answers(ctx, {ask_roots("client_roots")},
                                    [](const Json& a) { return "Client roots: " + root_uris(a["client_roots"]); });
              }});
  b.add_tool({"test_input_required_result_request_state", "", "Asks for a confirmation bound to a signed state.", none,
              {}, {},
              [](const Json&, RequestContext& ctx) {
                return with_answers(ctx, {ask_ok("confirm")}, [](const Json& a) {
                  return "state-ok: the requestState verified; ok=" + content_field(a["confirm"], "ok");
                });
              }});
  b.add_tool({"test_input_required_result_tampered_state", "", "Asks for a confirmation bound to a signed state.",
              none, {}, {},
              [](const Json&, RequestContext& ctx) {
                return with_answers(ctx, {ask_ok("confirm")}, [](const Json& a) {
                  return "Confirmed with a verified requestState; ok=" + content_field(a["confirm"], "ok");
                });
              }});
  b.add_tool({"test_input_required_result_multiple_inputs", "", "Asks for a name, a greeting and the roots at once.",
              none, {}, {},
              [](const Json&, RequestContext& ctx) {
                return with_answers(ctx,
                                    {ask_string("user_name", "What is your name?", "name"),
                                     ask_model("greeting", "Generate a greeting", 50), ask_roots("client_roots")},
                                    [](const Json& a) {
                                      return sampled_text(a["greeting"]) + " " + content_field(a["user_name"], "name") +
                                             " (roots: " + root_uris(a["client_roots"]) + ")";
                                    });
              }});
  b.add_tool({"test_input_required_result_multi_round", "", "Asks two questions, one round each.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                auto first = ctx.ask({ask_string("step1", "Step 1: What is your name?", "name")});
                if (!first) return ToolResult::error("Could not ask the client: " + first.error().message);
                return with_answers(ctx, {ask_string("step2", "Step 2: What is your favorite color?", "color")},
                                    [&](const Json& a) {
                                      return content_field((*first)["step1"], "name") + "'s favorite color is " +
                                             content_field(a["step2"], "color");
                                    });
              }});
  b.add_tool({"test_input_required_result_capabilities", "",
              "Asks only what the client declared it can answer (sampling, elicitation).", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                std::vector<InputRequest> asks;
                if (ctx.client_supports("sampling")) asks.push_back(ask_model("capital_question", "What is the capital of France?", 100));
                if (ctx.client_supports("elicitation")) asks.push_back(ask_string("user_name", "What is your name?", "name"));
                if (asks.empty()) return ToolResult::text("The client declared neither sampling nor elicitation; nothing to ask.");
                return with_answers(ctx, asks, [](const Json& a) { return "Answered: " + dump_compact(a); });
              }});
  // server-stateless: a tool that needs sampling; a 2026 client that did not declare it gets
  // -32021 with requiredCapabilities {"sampling": {}} (RequestContext::ask refuses it).
  b.add_tool({"test_missing_capability", "", "Needs the client's sampling capability.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                return with_answers(ctx, {ask_model("answer", "Say hello", 20)},
                                    [](const Json& a) { return "The model said: " + sampled_text(a["answer"]); });
              }});
  // server-stateless: an elicitation on a 2026 request; its response stream must carry only the
  // InputRequiredResult, never an elicitation/create request of its own.
  b.add_tool({"test_streaming_elicitation", "", "Asks the user's name through elicitation.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                auto a = ctx.elicit("What is your name?", string_form("name"));
                if (!a) return ToolResult::error("Could not ask the client: " + a.error().message);
                return ToolResult::text("Hello, " + content_field(*a, "name") + "!");
              }});

  using Args = std::map<std::string, std::string>;
  b.add_prompt({"test_input_required_result_prompt", "", "A prompt that asks the user for its context first.", {},
                [](const Args&, RequestContext& ctx) -> Result<Json, mcp::RpcError> {
                  auto a = ctx.ask({ask_string("user_context", "What context should the prompt use?", "context")});
                  if (!a) return unexpected(a.error());
                  const std::string context = content_field((*a)["user_context"], "context");
                  return Json{{"messages", Json::array({Json{{"role", "user"},
                                                             {"content", {{"type", "text"},
                                                                          {"text", "Use this context: " + context}}}}})}};
                }});
}
