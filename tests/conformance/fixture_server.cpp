// The conformance fixture server: the real MCP core and stdio transport, exposing the fixture
// tools, resources and prompts that the official MCP conformance suite calls
// (`../shared/tools/mcp-conformance --requirements`). It exists to prove the protocol layer
// against the official suite; it has no Jira in it.
//
//   conformance-fixture-server [--log-level LEVEL] [--workers N] [--transport stdio|http]
//                              [--host HOST] [--port N]
// With --transport http it serves Streamable HTTP at http://HOST:PORT/mcp (and legacy SSE at
// /sse) through the real HTTP transport, until SIGINT/SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "jira_mcp/core/base64.hpp"
#include "jira_mcp/core/log.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/mcp/subscriptions.hpp"
#include "jira_mcp/transport/http.hpp"
#include "jira_mcp/transport/stdio.hpp"
#include "fixture_tasks.hpp"

using namespace jira_mcp;
using mcp::RequestContext;

void add_mrtr_fixtures(mcp::RegistryBuilder& b);  // fixture_mrtr.cpp
using mcp::ToolResult;

namespace {

// A 1x1 red PNG.
constexpr const char* kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

std::string tiny_wav() {
  // 16-bit mono PCM at 8 kHz with 8 silent samples.
  auto le32 = [](uint32_t v) { return std::string{char(v & 0xFF), char((v >> 8) & 0xFF), char((v >> 16) & 0xFF), char(v >> 24)}; };
  auto le16 = [](uint16_t v) { return std::string{char(v & 0xFF), char(v >> 8)}; };
  const uint32_t data_bytes = 16;
  std::string w = "RIFF" + le32(36 + data_bytes) + "WAVE" + "fmt " + le32(16) + le16(1) + le16(1) + le32(8000) +
                  le32(16000) + le16(2) + le16(16) + "data" + le32(data_bytes) + std::string(data_bytes, '\0');
  return core::base64_encode(w);
}

Json text(std::string s) { return Json{{"type", "text"}, {"text", std::move(s)}}; }
Json image() { return Json{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}; }

ToolResult content(Json blocks) {
  ToolResult r;
  r.content = std::move(blocks);
  return r;
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

ToolResult elicitation_result(Result<Json, mcp::RpcError> r, const std::string& prefix) {
  if (!r) return ToolResult::error("Elicitation failed: " + r.error().message);
  const Json& v = *r;
  return ToolResult::text(prefix + "action=" + string_or(v, "action", "?") +
                          ", content=" + dump_compact(v.value("content", Json::object())));
}

void add_tools(mcp::RegistryBuilder& b) {
  auto none = Json{{"type", "object"}, {"properties", Json::object()}};
  b.add_tool({"test_simple_text", "", "Returns a simple text response.", none, {}, {},
              [](const Json&, RequestContext&) { return ToolResult::text("This is a simple text response for testing."); }});
  b.add_tool({"test_image_content", "", "Returns a 1x1 PNG image.", none, {}, {},
              [](const Json&, RequestContext&) { return content(Json::array({image()})); }});
  b.add_tool({"test_audio_content", "", "Returns a tiny WAV clip.", none, {}, {},
              [](const Json&, RequestContext&) {
                return content(Json::array({Json{{"type", "audio"}, {"data", tiny_wav()}, {"mimeType", "audio/wav"}}}));
              }});
  b.add_tool({"test_embedded_resource", "", "Returns an embedded resource.", none, {}, {},
              [](const Json&, RequestContext&) {
                return content(Json::array({Json{{"type", "resource"},
                                                 {"resource", Json{{"uri", "test://embedded-resource"},
                                                                   {"mimeType", "text/plain"},
                                                                   {"text", "This is an embedded resource content."}}}}}));
              }});
  b.add_tool({"test_multiple_content_types", "", "Returns text, an image and a resource.", none, {}, {},
              [](const Json&, RequestContext&) {
                return content(Json::array(
                    {text("Multiple content types test:"), image(),
                     Json{{"type", "resource"},
                          {"resource", Json{{"uri", "test://mixed-content-resource"},
                                            {"mimeType", "application/json"},
                                            {"text", R"({"test":"data","value":123})"}}}}}));
              }});
  b.add_tool({"test_tool_with_logging", "", "Sends three log notifications while it runs.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                ctx.log(mcp::LogLevel::Info, "Tool execution started");
                sleep_ms(50);
                ctx.log(mcp::LogLevel::Info, "Tool processing data");
                sleep_ms(50);
                ctx.log(mcp::LogLevel::Info, "Tool execution completed");
                return ToolResult::text("Logging tool finished");
              }});
  // The 2026-07-28 suite's server-stateless scenario calls it without a logLevel and fails the
  // server on any notifications/message: RequestContext::log sends nothing to a 2026 request
  // that set no level, and only the messages at or above the level it set.
  b.add_tool({"test_logging_tool", "", "Logs at info and debug; a 2026-07-28 request hears them only at its logLevel.",
              none, {}, {},
              [](const Json&, RequestContext& ctx) {
                ctx.log(mcp::LogLevel::Info, "test_logging_tool ran");
                ctx.log(mcp::LogLevel::Debug, Json{{"detail", "test_logging_tool debug detail"}}, "fixture");
                return ToolResult::text("Logging tool completed");
              }});
  b.add_tool({"test_error_handling", "", "Always fails.", none, {}, {},
              [](const Json&, RequestContext&) {
                return ToolResult::error("This tool intentionally returns an error for testing");
              }});
  b.add_tool({"test_tool_with_progress", "", "Reports progress 0, 50, 100 of 100.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                ctx.progress(0, 100);
                sleep_ms(50);
                ctx.progress(50, 100);
                sleep_ms(50);
                ctx.progress(100, 100);
                return ToolResult::text("Progress tool finished");
              }});
  b.add_tool({"test_sampling", "", "Asks the client's model to answer a prompt.",
              Json{{"type", "object"}, {"properties", {{"prompt", {{"type", "string"}}}}}, {"required", {"prompt"}}},
              {}, {},
              [](const Json& args, RequestContext& ctx) {
                Json params{{"messages", Json::array({Json{{"role", "user"},
                                                           {"content", text(args["prompt"].get<std::string>())}}})},
                            {"maxTokens", 100}};
                auto r = ctx.sample(params);
                if (!r) return ToolResult::error("Sampling failed: " + r.error().message);
                std::string answer = r->contains("content") ? string_or((*r)["content"], "text") : "";
                return ToolResult::text("LLM response: " + answer);
              }});
  b.add_tool({"test_elicitation", "", "Asks the user for a username and email.",
              Json{{"type", "object"}, {"properties", {{"message", {{"type", "string"}}}}}, {"required", {"message"}}},
              {}, {},
              [](const Json& args, RequestContext& ctx) {
                Json schema{{"type", "object"},
                            {"properties", {{"username", {{"type", "string"}, {"description", "User's response"}}},
                                            {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
                            {"required", {"username", "email"}}};
                return elicitation_result(ctx.elicit(args["message"].get<std::string>(), schema), "User response: ");
              }});
  b.add_tool({"test_elicitation_sep1034_defaults", "", "Elicitation with defaults for every primitive type.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                Json schema{{"type", "object"},
                            {"properties",
                             {{"name", {{"type", "string"}, {"default", "John Doe"}}},
                              {"age", {{"type", "integer"}, {"default", 30}}},
                              {"score", {{"type", "number"}, {"default", 95.5}}},
                              {"status", {{"type", "string"}, {"enum", {"active", "inactive", "pending"}}, {"default", "active"}}},
                              {"verified", {{"type", "boolean"}, {"default", true}}}}}};
                return elicitation_result(ctx.elicit("Please review and update the form fields with defaults", schema),
                                          "Elicitation completed: ");
              }});
  b.add_tool({"test_elicitation_sep1330_enums", "", "Elicitation with every enum schema variant.", none, {}, {},
              [](const Json&, RequestContext& ctx) {
                Json schema{{"type", "object"},
                            {"properties",
                             {{"untitledSingle", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
                              {"titledSingle", {{"type", "string"},
                                                {"oneOf", {{{"const", "value1"}, {"title", "First Option"}},
                                                           {{"const", "value2"}, {"title", "Second Option"}},
                                                           {{"const", "value3"}, {"title", "Third Option"}}}}}},
                              {"legacyEnum", {{"type", "string"}, {"enum", {"opt1", "opt2", "opt3"}},
                                              {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
                              {"untitledMulti", {{"type", "array"},
                                                 {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
                              {"titledMulti", {{"type", "array"},
                                               {"items", {{"anyOf", {{{"const", "value1"}, {"title", "First Choice"}},
                                                                     {{"const", "value2"}, {"title", "Second Choice"}},
                                                                     {{"const", "value3"}, {"title", "Third Choice"}}}}}}}}}}};
                return elicitation_result(ctx.elicit("Please select options from the enum fields", schema),
                                          "Elicitation completed: ");
              }});
  b.add_tool({"json_schema_2020_12_tool", "", "Tool with JSON Schema 2020-12 features",
              Json{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                   {"type", "object"},
                   {"$defs", {{"address", {{"type", "object"},
                                           {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
                   {"properties", {{"name", {{"type", "string"}}}, {"address", {{"$ref", "#/$defs/address"}}}}},
                   {"additionalProperties", false}},
              {}, {},
              [](const Json& args, RequestContext&) { return ToolResult::text("Received: " + dump_compact(args)); }});
}

mcp::ResourceContents text_contents(std::string uri, std::string mime, std::string body) {
  return mcp::ResourceContents{std::move(uri), std::move(mime), std::move(body), std::nullopt};
}

void add_resources(mcp::RegistryBuilder& b) {
  // Fixed content, the same for everyone: any cache may keep it for an hour.
  const mcp::CacheHint kStatic{3'600'000, false};
  b.add_resource({"test://static-text", "static-text", "", "A static text resource.", "text/plain",
                  [](const std::string& uri, RequestContext&) -> Result<std::vector<mcp::ResourceContents>, mcp::RpcError> {
                    return std::vector{text_contents(uri, "text/plain", "This is the content of the static text resource.")};
                  },
                  kStatic});
  b.add_resource({"test://static-binary", "static-binary", "", "A static binary resource (a PNG).", "image/png",
                  [](const std::string& uri, RequestContext&) -> Result<std::vector<mcp::ResourceContents>, mcp::RpcError> {
                    return std::vector{mcp::ResourceContents{uri, "image/png", std::nullopt, std::string(kPng)}};
                  },
                  kStatic});
  b.add_resource({"test://watched-resource", "watched-resource", "", "A resource clients may subscribe to.", "text/plain",
                  [](const std::string& uri, RequestContext&) -> Result<std::vector<mcp::ResourceContents>, mcp::RpcError> {
                    return std::vector{text_contents(uri, "text/plain", "Watched resource content.")};
                  },
                  kStatic});
  mcp::ResourceTemplateSpec t{"test://template/{id}/data", "template-data", "", "Data for an id.", "application/json",
      [](const std::string& uri, const std::map<std::string, std::string>& vars,
         RequestContext&) -> Result<std::vector<mcp::ResourceContents>, mcp::RpcError> {
        const std::string& id = vars.at("id");
        Json body{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
        return std::vector{text_contents(uri, "application/json", dump_compact(body))};
      },
      {},
      kStatic};
  t.completers["id"] = [](const std::string& partial, const std::map<std::string, std::string>&, mcp::RequestContext&) {
    std::vector<std::string> out;
    for (std::string v : {"123", "124", "456"}) {
      if (v.rfind(partial, 0) == 0) out.push_back(v);
    }
    return out;
  };
  b.add_resource_template(std::move(t));
}

Json user_text(std::string s) { return Json{{"role", "user"}, {"content", text(std::move(s))}}; }

void add_prompts(mcp::RegistryBuilder& b) {
  using Args = std::map<std::string, std::string>;
  b.add_prompt({"test_simple_prompt", "", "A prompt without arguments.", {},
                [](const Args&, RequestContext&) -> Result<Json, mcp::RpcError> {
                  return Json{{"messages", Json::array({user_text("This is a simple prompt for testing.")})}};
                }});
  auto cities = [](const std::string& partial, const Args&, RequestContext&) {
    std::vector<std::string> out;
    for (std::string v : {"paris", "park", "party", "london", "lisbon"}) {
      if (v.rfind(partial, 0) == 0) out.push_back(v);
    }
    return out;
  };
  b.add_prompt({"test_prompt_with_arguments", "", "A prompt with two required arguments.",
                {{"arg1", "First test argument", true, cities}, {"arg2", "Second test argument", true, nullptr}},
                [](const Args& a, RequestContext&) -> Result<Json, mcp::RpcError> {
                  return Json{{"messages", Json::array({user_text("Prompt with arguments: arg1='" + a.at("arg1") +
                                                                  "', arg2='" + a.at("arg2") + "'")})}};
                }});
  b.add_prompt({"test_prompt_with_embedded_resource", "", "A prompt that embeds a resource.",
                {{"resourceUri", "URI of the resource to embed", true, nullptr}},
                [](const Args& a, RequestContext&) -> Result<Json, mcp::RpcError> {
                  Json res{{"role", "user"},
                           {"content", {{"type", "resource"},
                                        {"resource", {{"uri", a.at("resourceUri")},
                                                      {"mimeType", "text/plain"},
                                                      {"text", "Embedded resource content for testing."}}}}}};
                  return Json{{"messages", Json::array({res, user_text("Please process the embedded resource above.")})}};
                }});
  b.add_prompt({"test_prompt_with_image", "", "A prompt with an image.", {},
                [](const Args&, RequestContext&) -> Result<Json, mcp::RpcError> {
                  return Json{{"messages", Json::array({Json{{"role", "user"}, {"content", image()}},
                                                        user_text("Please analyze the image above.")})}};
                }});
}

// subscriptions/listen (2026-07-28): tools that change what listeners watch, and a tool whose
// argument is mirrored into an Mcp-Param header (x-mcp-header).
void add_subscription_tools(mcp::RegistryBuilder& b, std::shared_ptr<mcp::SubscriptionHub> hub) {
  auto none = Json{{"type", "object"}, {"properties", Json::object()}};
  b.add_tool({"test_trigger_tool_change", "", "Announces a change of the tool list to listeners.", none, {}, {},
              [hub](const Json&, RequestContext&) {
                hub->tools_list_changed();
                return ToolResult::text("tools/list_changed sent");
              }});
  b.add_tool({"test_trigger_prompt_change", "", "Announces a change of the prompt list to listeners.", none, {}, {},
              [hub](const Json&, RequestContext&) {
                hub->prompts_list_changed();
                return ToolResult::text("prompts/list_changed sent");
              }});
  b.add_tool({"test_trigger_resource_update", "", "Announces an update of a resource to its listeners.",
              Json{{"type", "object"},
                   {"properties", {{"uri", {{"type", "string"}, {"description", "The resource that changed"}}}}},
                   {"required", {"uri"}}},
              {}, {},
              [hub](const Json& args, RequestContext&) {
                hub->resource_updated(args.value("uri", ""));
                return ToolResult::text("resources/updated sent");
              }});
  b.add_tool({"test_header_param", "", "Echoes its region, which HTTP clients mirror into Mcp-Param-Region.",
              Json{{"type", "object"},
                   {"properties", {{"region", {{"type", "string"}, {"x-mcp-header", "Region"}}},
                                   {"text", {{"type", "string"}}}}},
                   {"required", {"region"}}},
              {}, {},
              [](const Json& args, RequestContext&) { return ToolResult::text("region=" + args.value("region", "")); }});
}

transport::StdioServer* g_server = nullptr;
extern "C" void on_signal(int) {
  if (g_server) g_server->stop();
}

}  // namespace

int main(int argc, char** argv) {
  std::string level = "warn";
  size_t workers = 4;
  std::string transport_name = "stdio";
  transport::HttpOptions http;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--log-level" && i + 1 < argc) {
      level = argv[++i];
    } else if (a == "--workers" && i + 1 < argc) {
      workers = std::stoul(argv[++i]);
    } else if (a == "--transport" && i + 1 < argc) {
      transport_name = argv[++i];
    } else if (a == "--host" && i + 1 < argc) {
      http.host = argv[++i];
    } else if (a == "--port" && i + 1 < argc) {
      http.port = std::stoi(argv[++i]);
    } else {
      std::cerr << "usage: conformance-fixture-server [--log-level LEVEL] [--workers N] "
                   "[--transport stdio|http] [--host HOST] [--port N]\n";
      return 64;
    }
  }
  init_logging(level);
  mcp::RegistryBuilder builder;
  add_tools(builder);
  fixture::add_task_tools(builder);
  add_resources(builder);
  add_prompts(builder);
  mcp::SubscriptionOptions subscription_options;
  subscription_options.tools_list_changed = subscription_options.prompts_list_changed =
      subscription_options.resources_list_changed = true;
  auto hub = std::make_shared<mcp::SubscriptionHub>(subscription_options);
  add_subscription_tools(builder, hub);
  add_mrtr_fixtures(builder);
  auto registry = builder.freeze();
  if (!registry) {
    spdlog::critical("{}", registry.error().message);
    return 1;
  }
  mcp::DispatcherOptions dopts;
  dopts.tasks = mcp::TaskOptions{};
  mcp::Dispatcher dispatcher(*registry, mcp::ServerInfo{"jira-mcp-conformance-fixture", "Conformance fixture", JIRA_MCP_VERSION, ""},
                             dopts);
  if (transport_name == "http") {
    // Signals are taken synchronously by this thread (sigwait), so stop() runs on a normal thread.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    http.subscriptions = hub;
    transport::HttpServer server(dispatcher, http);
    if (auto st = server.start(); !st) {
      spdlog::critical("{}", st.error().message);
      return 1;
    }
    spdlog::info("conformance fixture serving http://{}:{}/mcp", http.host, server.port());
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
    return 0;
  }
  transport::StdioOptions options;
  options.workers = workers;
  options.subscriptions = hub;
  transport::StdioServer server(dispatcher, options);
  g_server = &server;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  int rc = server.run();
  g_server = nullptr;
  return rc;
}
