// The catalog's tool specifications built on first need (mcp::RegistryBuilder::add_tool_source,
// as register_tools() registers them), driven through the real stdio loop: the handshake
// (initialize, server/discover) builds none, the first request that needs the tools builds them
// once however many arrive together, and what is then listed and called is exactly what a
// registry built at freeze gives. The selection, checked against the written-out catalog, still
// fails at registration.
#include <doctest/doctest.h>

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "jira_mcp/transport/stdio.hpp"
#include "tools/common.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;

namespace {

// A StdioServer over two pipes on its own thread, serving `registry`; the test writes client
// lines and reads server lines.
class Loop {
 public:
  explicit Loop(std::shared_ptr<const Registry> registry, std::size_t workers = 8)
      : registry_(registry), dispatcher_(std::move(registry), ServerInfo{"jira-mcp", "", "t", ""}) {
    int in[2], out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    client_w_ = in[1];
    client_r_ = out[0];
    server_in_ = in[0];
    server_out_ = out[1];
    transport::StdioOptions opts;
    opts.in_fd = server_in_;
    opts.out_fd = server_out_;
    opts.workers = workers;
    server_ = std::make_unique<transport::StdioServer>(dispatcher_, opts);
    thread_ = std::jthread([this] { rc_ = server_->run(); });
  }
  ~Loop() {
    close_input();
    thread_ = {};
    server_.reset();
    close(server_in_);
    close(server_out_);
    close(client_r_);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void send(const Json& message) {
    const std::string s = dump_compact(message) + "\n";
    REQUIRE(write(client_w_, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  }
  void close_input() {
    if (client_w_ >= 0) close(client_w_);
    client_w_ = -1;
  }
  // The next line from the server (a generous deadline: the machine is shared).
  Json next() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return Json::parse(line);
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{client_r_, POLLIN, 0};
      REQUIRE_MESSAGE((left.count() > 0 && poll(&p, 1, static_cast<int>(left.count())) > 0), "no reply in 30 s");
      char tmp[65536];
      const ssize_t n = read(client_r_, tmp, sizeof tmp);
      REQUIRE(n > 0);
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  Json request(int id, const std::string& method, Json params) {
    send(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    Json reply = next();
    REQUIRE(reply["id"] == id);
    return reply;
  }
  Json initialize() {
    return request(0, "initialize", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                     {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
  }
  // Replies to `count` requests sent together, by id.
  std::map<int, Json> replies(std::size_t count) {
    std::map<int, Json> out;
    while (out.size() < count) {
      Json r = next();
      if (r.contains("id")) out[r["id"].get<int>()] = r;
    }
    return out;
  }
  int finish() {
    close_input();
    thread_ = {};
    return rc_;
  }
  const Registry& registry() const { return *registry_; }

 private:
  std::shared_ptr<const Registry> registry_;
  Dispatcher dispatcher_;
  std::unique_ptr<transport::StdioServer> server_;
  int client_w_ = -1, client_r_ = -1, server_in_ = -1, server_out_ = -1;
  std::string buf_;
  int rc_ = -1;
  std::jthread thread_;
};

std::shared_ptr<const Registry> catalog_registry(const tools::Selection& selection, SchemaCompilation when) {
  RegistryBuilder b;
  b.compile_schemas(when);
  auto services = std::make_shared<tools::Services>();  // no client: these tests call no Jira
  auto r = tools::register_tools(b, services, selection);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  auto reg = b.freeze();
  REQUIRE_MESSAGE(reg.ok(), reg.error().message);
  return *reg;
}

Json call(int id, const std::string& tool, Json arguments) {
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
              {"params", {{"name", tool}, {"arguments", std::move(arguments)}}}};
}

}  // namespace

TEST_CASE("the catalog written out for selection is exactly the one the domain tables build") {
  // tools::catalog() names the tools without building them (src/tools/catalog.cpp, kCatalog);
  // a tool added to a table must be added there too, in the same place.
  const auto written = tools::catalog();
  const auto built = tools::detail::built_catalog();
  CHECK(written.size() == built.size());
  for (std::size_t i = 0; i < std::max(written.size(), built.size()); ++i) {
    const std::string w = i < written.size() ? written[i].name + " " + written[i].toolset +
                                                   (written[i].read_only ? " read-only" : " writes")
                                             : "(none)";
    const std::string b = i < built.size() ? built[i].name + " " + built[i].toolset +
                                                 (built[i].read_only ? " read-only" : " writes")
                                           : "(none)";
    CHECK_MESSAGE(w == b, "kCatalog[" << i << "] is '" << w << "'; the tables build '" << b << "'");
    if (i < written.size() && i < built.size()) CHECK(written[i].default_listed == built[i].default_listed);
  }
}

TEST_CASE("the handshake builds no tool specification; the first tools/list builds them, as at freeze") {
  const tools::Selection all{{"all"}, {}, {}, false};
  Loop loop(catalog_registry(all, SchemaCompilation::on_first_use));
  CHECK_FALSE(loop.registry().tools_built());
  const Json init = loop.initialize();
  CHECK(init["result"]["capabilities"].contains("tools"));
  CHECK(init["result"]["capabilities"].contains("resources"));  // resources and prompts are registered as before
  loop.send(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
  const Json discover = loop.request(
      1, "server/discover",
      {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                  {"io.modelcontextprotocol/clientCapabilities", Json::object()}}}});
  CHECK(discover["result"].contains("supportedVersions"));
  CHECK(loop.request(2, "ping", Json::object()).contains("result"));
  CHECK_FALSE(loop.registry().tools_built());

  // Every page of the listing is what a registry built (and compiled) at freeze lists.
  const auto eager = catalog_registry(all, SchemaCompilation::at_freeze);
  REQUIRE(eager->tools_built());
  Json listed = Json::array();
  Json cursor;
  for (int id = 3; id < 20; ++id) {
    Json params = cursor.is_null() ? Json::object() : Json{{"cursor", cursor}};
    const Json page = loop.request(id, "tools/list", params);
    for (const auto& t : page["result"]["tools"]) listed.push_back(t);
    cursor = page["result"].value("nextCursor", Json());
    if (cursor.is_null()) break;
  }
  CHECK(loop.registry().tools_built());
  REQUIRE(listed.size() == eager->tools().size());
  REQUIRE(listed.size() == tools::catalog().size());
  for (std::size_t i = 0; i < listed.size(); ++i) {
    CAPTURE(eager->tools()[i].spec.name);
    CHECK(listed[i] == eager->tools()[i].listing);
  }
  CHECK(loop.finish() == 0);
}

TEST_CASE("concurrent first calls of the catalog's tools share one build and are all judged") {
  // Eight calls with arguments their schemas refuse, sent together as the first requests after
  // initialize: each worker needs the tools at once. Each gets its own tool's refusal (so each
  // found its tool), and nothing reaches Jira (there is no client).
  Loop loop(catalog_registry(tools::Selection{{"all"}, {}, {}, false}, SchemaCompilation::on_first_use), 8);
  loop.initialize();
  const std::vector<std::string> names = {"jira_get_issue",    "jira_search",        "jira_add_comment",
                                          "jira_list_sprints", "jira_get_worklogs", "jira_get_watchers",
                                          "jira_create_issue", "jira_list_boards"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    loop.send(call(static_cast<int>(i + 1), names[i], Json{{"no_such_argument", 1}}));
  }
  const auto replies = loop.replies(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    CAPTURE(names[i]);
    const Json& r = replies.at(static_cast<int>(i + 1));
    REQUIRE(r.contains("result"));
    CHECK(r["result"].value("isError", false));
    CHECK(r["result"]["content"][0]["text"].get<std::string>().find("Invalid arguments for " + names[i]) !=
          std::string::npos);
  }
  CHECK(loop.registry().tools_built());
  // An unknown tool is still a protocol error, now against the built tools.
  CHECK(loop.request(50, "tools/call", {{"name", "jira_nope"}})["error"]["code"] == -32602);
  CHECK(loop.finish() == 0);
}

TEST_CASE("a tool source is called once, by whichever of many concurrent first requests gets there") {
  std::atomic<int> builds{0};
  std::atomic<int> calls{0};
  RegistryBuilder b;
  b.compile_schemas(SchemaCompilation::on_first_use);
  b.add_tool_source([&] {
    builds.fetch_add(1);
    // Long enough that the other first requests arrive while this one builds (not a timing
    // assertion: the count below holds however the threads interleave).
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<ToolSpec> specs;
    for (int i = 0; i < 4; ++i) {
      specs.push_back({"echo_" + std::to_string(i), "", "Echoes its number.",
                       Json{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}, {"required", {"n"}}},
                       std::nullopt, {}, [&calls, i](const Json& args, RequestContext&) {
                         calls.fetch_add(1);
                         return ToolResult::text(std::to_string(i) + ":" + args["n"].dump());
                       }});
    }
    return specs;
  });
  auto reg = b.freeze();
  REQUIRE(reg.ok());
  Loop loop(*reg, 8);
  loop.initialize();
  CHECK(builds.load() == 0);
  constexpr int kCalls = 16;
  for (int id = 1; id <= kCalls; ++id) loop.send(call(id, "echo_" + std::to_string(id % 4), Json{{"n", id}}));
  const auto replies = loop.replies(kCalls);
  for (int id = 1; id <= kCalls; ++id) {
    CAPTURE(id);
    CHECK(replies.at(id)["result"]["content"][0]["text"] == std::to_string(id % 4) + ":" + std::to_string(id));
  }
  CHECK(builds.load() == 1);
  CHECK(calls.load() == kCalls);
  const Json list = loop.request(100, "tools/list", Json::object());
  CHECK(list["result"]["tools"].size() == 4);
  CHECK(builds.load() == 1);
  CHECK(loop.finish() == 0);
}

TEST_CASE("a wrong selection still fails at registration, before any tool is built or a request read") {
  RegistryBuilder b;
  b.compile_schemas(SchemaCompilation::on_first_use);
  auto services = std::make_shared<tools::Services>();
  auto r = tools::register_tools(b, services, tools::Selection{{"isues"}, {"jira_get_isue"}, {"jira_nope"}, false});
  REQUIRE_FALSE(r.ok());
  const std::string& m = r.error().message;
  CHECK(m.find("unknown toolset 'isues' in tools.toolsets: did you mean 'issues'?") != std::string::npos);
  CHECK(m.find("unknown tool 'jira_get_isue' in tools.enabled_tools: did you mean 'jira_get_issue'?") !=
        std::string::npos);
  CHECK(m.find("'jira_nope' in tools.disabled_tools") != std::string::npos);
  // Nothing was registered: no tool source, and so no tool, in what the builder freezes.
  auto reg = b.freeze();
  REQUIRE(reg.ok());
  CHECK(reg.value()->tools().empty());
}
