// JSON-RPC parse and dispatch through the real Dispatcher, against a stub registry (no Jira):
// the protocol core's own cost per message.
#include <benchmark/benchmark.h>

#include "jira_mcp/mcp/dispatcher.hpp"

using namespace jira_mcp;

namespace {

class NullPeer final : public mcp::Peer {
 public:
  void send(const Json&) override {}
};

struct Fixture {
  NullPeer peer;
  mcp::Session session{peer};
  std::unique_ptr<mcp::Dispatcher> dispatcher;

  Fixture() {
    mcp::RegistryBuilder b;
    for (int i = 0; i < 40; ++i) {  // about the size of the default tool listing
      b.add_tool({"stub_tool_" + std::to_string(i), "Stub", "Echoes its key argument.",
                  Json{{"type", "object"},
                       {"properties", {{"key", {{"type", "string"}, {"pattern", "^[A-Z]+-[0-9]+$"}}},
                                       {"comments", {{"type", "integer"}, {"minimum", 0}}}}},
                       {"required", {"key"}}},
                  std::nullopt, {}, [](const Json& args, mcp::RequestContext&) {
                    return mcp::ToolResult::text("Issue " + args.value("key", std::string()));
                  }});
    }
    auto reg = b.freeze();
    if (!reg) throw std::runtime_error(reg.error().message);
    dispatcher = std::make_unique<mcp::Dispatcher>(*reg, mcp::ServerInfo{"bench", "", "1", ""});
    dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                            {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", Json::object()},
                                        {"clientInfo", {{"name", "b"}, {"version", "1"}}}}}},
                       session);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void run_text(benchmark::State& state, const std::string& text) {
  auto& f = fixture();
  for (auto _ : state) {
    auto reply = f.dispatcher->handle_text(text, f.session);
    benchmark::DoNotOptimize(reply);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Ping(benchmark::State& state) { run_text(state, R"({"jsonrpc":"2.0","id":7,"method":"ping"})"); }
void BM_ToolsList(benchmark::State& state) { run_text(state, R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})"); }
void BM_ToolsCallStub(benchmark::State& state) {
  run_text(state,
           R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"stub_tool_3","arguments":{"key":"PROJ-123","comments":3}}})");
}
void BM_ParseOnly(benchmark::State& state) {
  auto& f = fixture();
  const std::string text =
      R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"stub_tool_3","arguments":{"key":"PROJ-123","comments":3}}})";
  for (auto _ : state) {
    auto parsed = f.dispatcher->parse(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_Ping);
BENCHMARK(BM_ToolsList);
BENCHMARK(BM_ToolsCallStub);
BENCHMARK(BM_ToolsCallStub)->Threads(8)->UseRealTime();
BENCHMARK(BM_ParseOnly);
