// First contact through the real stdio loop of the built binary: what a model sees when no Jira
// is configured (the built-in sandbox must say what it is), when a Jira is configured (no such
// notice), and when the configuration is wrong (the handshake completes and every tool call
// answers with the problem and its fix, without a request to Jira).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "support/eventually.hpp"
#include "support/loopback.hpp"
#include "support/subprocess.hpp"

using Json = nlohmann::json;
using jira_mcp::testing::Subprocess;

namespace {

constexpr const char* kSandboxNotice = "built-in sandbox with made-up data, not your Jira";

// No Jira settings from the environment the tests run in; empty counts as unset.
std::vector<std::string> clean_env(std::vector<std::string> extra = {}) {
  std::vector<std::string> env{"JIRA_URL=",       "JIRA_EMAIL=",         "JIRA_API_TOKEN=",      "JIRA_PAT=",
                               "JIRA_USERNAME=",  "JIRA_PASSWORD=",      "JIRA_DEPLOYMENT=",     "JIRA_TOOLSETS=",
                               "JIRA_ENABLED_TOOLS=", "JIRA_DISABLED_TOOLS=", "JIRA_MCP_TRANSPORT=", "JIRA_MCP_CONFIG=",
                               "JIRA_MCP_LOG_LEVEL=warn"};
  env.insert(env.begin(), extra.begin(), extra.end());  // the first of two entries wins
  return env;
}

// A client speaking MCP to the server over its stdin and stdout.
class Conversation {
 public:
  explicit Conversation(std::vector<std::string> args, std::vector<std::string> env)
      : proc_(with_binary(std::move(args)), std::move(env)) {}

  // Sends a request and returns its reply (notifications in between are skipped).
  Json request(const std::string& method, Json params = Json::object()) {
    const int id = ++last_id_;
    proc_.write(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}.dump() + "\n");
    while (auto line = proc_.read_line(std::chrono::seconds(30))) {
      Json message = Json::parse(*line);
      if (message.value("id", Json()) == Json(id)) return message;
    }
    FAIL("no reply to " << method << "; stderr: " << proc_.stderr_text());
    return {};
  }

  // initialize + notifications/initialized; returns the initialize result.
  Json initialize() {
    Json reply = request("initialize", {{"protocolVersion", "2025-11-25"},
                                        {"capabilities", Json::object()},
                                        {"clientInfo", {{"name", "first-contact"}, {"version", "1"}}}});
    proc_.write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
    REQUIRE_MESSAGE(reply.contains("result"), reply.dump());
    return reply["result"];
  }

  Json call(const std::string& tool, Json arguments = Json::object()) {
    Json reply = request("tools/call", {{"name", tool}, {"arguments", std::move(arguments)}});
    REQUIRE_MESSAGE(reply.contains("result"), reply.dump());
    return reply["result"];
  }

  std::vector<std::string> tool_names() {
    Json reply = request("tools/list");
    std::vector<std::string> names;
    for (const auto& t : reply["result"]["tools"]) names.push_back(t["name"]);
    return names;
  }

  // Closes stdin and returns the exit code.
  int finish() {
    proc_.close_stdin();
    proc_.read_all_lines(std::chrono::seconds(30));
    auto rc = proc_.wait(std::chrono::seconds(20));
    REQUIRE(rc.has_value());
    return *rc;
  }

  std::string stderr_text() { return proc_.stderr_text(); }

 private:
  static std::vector<std::string> with_binary(std::vector<std::string> args) {
    args.insert(args.begin(), JIRA_MCP_BINARY);
    return args;
  }
  Subprocess proc_;
  int last_id_ = 0;
};

// Every text block of a tool result, joined.
std::string text_of(const Json& result) {
  std::string out;
  for (const auto& block : result.value("content", Json::array())) {
    if (block.value("type", "") == "text") out += block.value("text", "") + "\n";
  }
  return out;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

const Json kNewIssue = {{"project_key", "DEMO"}, {"summary", "Made by the first-contact test"}, {"issue_type", "Task"}};

// A Jira that must never be called: a loopback socket that listens but never accepts, so a
// connection attempt stays in its backlog, where accept() finds it afterwards.
class UntouchedJira {
 public:
  UntouchedJira() {
    fd_ = jira_mcp::testing::bind_loopback(port_);
    REQUIRE(fd_ >= 0);
    REQUIRE(::listen(fd_, 16) == 0);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~UntouchedJira() { ::close(fd_); }
  UntouchedJira(const UntouchedJira&) = delete;
  UntouchedJira& operator=(const UntouchedJira&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool contacted() {
    const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return false;
    ::close(c);
    return true;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("no Jira configured: every string a model sees about the connection names the sandbox") {
  Conversation c({}, clean_env());
  const Json init = c.initialize();
  const std::string instructions = init.value("instructions", "");
  CHECK(instructions.find(kSandboxNotice) != std::string::npos);
  CHECK(instructions.find("JIRA_URL") != std::string::npos);
  CHECK(instructions.find("jira-mcp --doctor") != std::string::npos);

  const Json me = c.call("jira_get_current_user");
  CHECK_FALSE(me.value("isError", false));
  CHECK_MESSAGE(text_of(me).find(kSandboxNotice) != std::string::npos, text_of(me));
  CHECK(text_of(me).find("Authenticated as") != std::string::npos);  // the answer itself is still there
  CHECK(me["structuredContent"].value("notice", "").find(kSandboxNotice) != std::string::npos);

  const Json status = c.call("jira_server_status");
  CHECK_FALSE(status.value("isError", false));
  CHECK_MESSAGE(text_of(status).find(kSandboxNotice) != std::string::npos, text_of(status));

  const Json resource = c.request("resources/read", {{"uri", "jira://server/status"}});
  const std::string status_json = resource["result"]["contents"][0].value("text", "");
  CHECK_MESSAGE(Json::parse(status_json).value("notice", "").find(kSandboxNotice) != std::string::npos, status_json);

  const Json created = c.call("jira_create_issue", kNewIssue);
  CHECK_FALSE(created.value("isError", false));
  CHECK_MESSAGE(text_of(created).find(kSandboxNotice) != std::string::npos, text_of(created));
  CHECK(created["structuredContent"].value("key", "").starts_with("DEMO-"));
  CHECK(created["structuredContent"].value("notice", "").find(kSandboxNotice) != std::string::npos);

  // A failed write says it too, and the notice is said once per result.
  const Json refused = c.call("jira_add_comment", {{"issue_key", "DEMO-999999"}, {"body", "x"}});
  CHECK(refused.value("isError", false));
  CHECK(count(text_of(refused), kSandboxNotice) == 1);

  // Reads of data carry no notice: the connection tools and every write already say it.
  const Json found = c.call("jira_search", {{"jql", "project = DEMO"}, {"max_results", 1}});
  CHECK_FALSE(found.value("isError", false));
  CHECK(text_of(found).find(kSandboxNotice) == std::string::npos);
  CHECK(c.finish() == 0);
}

TEST_CASE("--sandbox: the sandbox still says what it is, more briefly") {
  Conversation c({"--sandbox"}, clean_env());
  const std::string instructions = c.initialize().value("instructions", "");
  CHECK(instructions.find("built-in sandbox (started with --sandbox) with made-up data") != std::string::npos);
  const std::string me = text_of(c.call("jira_get_current_user"));
  CHECK_MESSAGE(me.find("built-in sandbox (started with --sandbox)") != std::string::npos, me);
  const std::string created = text_of(c.call("jira_create_issue", kNewIssue));
  CHECK_MESSAGE(created.find("not your Jira") != std::string::npos, created);
  CHECK(c.finish() == 0);
}

TEST_CASE("a configured Jira (a sandbox process on loopback) gets no sandbox notice") {
  // `jira-mcp sandbox` prints the exports of its URL and demo credentials, then serves until
  // SIGTERM: to the server under test it is any Jira Cloud.
  Subprocess jira({JIRA_MCP_BINARY, "sandbox", "--issues", "20"}, clean_env());
  auto exports = jira.read_line(std::chrono::seconds(20));
  REQUIRE_MESSAGE(exports.has_value(), jira.stderr_text());
  REQUIRE(exports->starts_with("export "));
  std::vector<std::string> env;
  for (std::size_t at = 7; at < exports->size();) {  // NAME='value' NAME='value' ...
    const auto eq = exports->find("='", at);
    const auto end = exports->find('\'', eq + 2);
    REQUIRE((eq != std::string::npos && end != std::string::npos));
    env.push_back(exports->substr(at, eq - at) + "=" + exports->substr(eq + 2, end - eq - 2));
    at = end + 2;
  }
  REQUIRE(env.size() == 3);  // JIRA_URL, JIRA_EMAIL, JIRA_API_TOKEN
  {
    Conversation c({}, clean_env(env));
    const std::string instructions = c.initialize().value("instructions", "");
    CHECK(instructions.find("sandbox") == std::string::npos);
    const Json me = c.call("jira_get_current_user");
    CHECK_FALSE(me.value("isError", false));
    CHECK(text_of(me).find("Authenticated as") != std::string::npos);
    CHECK(text_of(me).find("sandbox") == std::string::npos);
    CHECK_FALSE(me["structuredContent"].contains("notice"));
    const Json status = c.call("jira_server_status");
    CHECK_FALSE(status.value("isError", false));
    CHECK(text_of(status).find("sandbox") == std::string::npos);
    const Json created = c.call("jira_create_issue", kNewIssue);
    CHECK_FALSE(created.value("isError", false));
    CHECK(text_of(created).find("sandbox") == std::string::npos);
    const Json resource = c.request("resources/read", {{"uri", "jira://server/status"}});
    CHECK_FALSE(Json::parse(resource["result"]["contents"][0].value("text", "{}")).contains("notice"));
    CHECK(c.finish() == 0);
  }
  jira.kill(SIGTERM);
  CHECK(jira.wait(std::chrono::seconds(20)).has_value());
}

TEST_CASE("a wrong configuration is answered over MCP: handshake, tools listed, every call an error with the fix") {
  struct Case {
    const char* what;
    std::vector<std::string> args;
    std::vector<std::string> env;  // JIRA_URL is the untouched Jira unless given here
    std::vector<std::string> expected;  // in the message: the key, where it came from, what is accepted
  };
  UntouchedJira jira;
  const std::string creds_url = "JIRA_URL=" + jira.url();
  const std::vector<Case> cases = {
      {"a bad value (config::parse)", {}, {"JIRA_DEPLOYMENT=bogus", "JIRA_EMAIL=a@example.com", "JIRA_API_TOKEN=tok-secret-1"},
       {"jira.deployment", "JIRA_DEPLOYMENT", "datacenter"}},
      {"an invalid JIRA_URL", {}, {"JIRA_URL=jira.example.com", "JIRA_EMAIL=a@example.com", "JIRA_API_TOKEN=tok-secret-1"},
       {"jira.url", "JIRA_URL"}},
      {"an unknown toolset (the tool registry)", {}, {"JIRA_TOOLSETS=issues,bogus", "JIRA_PAT=pat-secret-1"},
       {"bogus", "tools.toolsets", "JIRA_TOOLSETS", "issues"}},
      {"an unknown tool given as a flag", {"--enabled-tools", "jira_no_such_tool"}, {"JIRA_PAT=pat-secret-1"},
       {"jira_no_such_tool", "tools.enabled_tools", "--enabled-tools"}},
  };
  for (const auto& k : cases) {
    CAPTURE(k.what);
    std::vector<std::string> env = k.env;
    env.push_back(creds_url);  // after any JIRA_URL of the case: the first one wins
    Conversation c(k.args, clean_env(env));
    const std::string instructions = c.initialize().value("instructions", "");
    for (const auto& e : k.expected) CHECK_MESSAGE(instructions.find(e) != std::string::npos, e << " in " << instructions);
    CHECK(instructions.find("jira-mcp --doctor") != std::string::npos);

    // The tools the user would have had (the default selection when the selection is what is
    // wrong), so a model does call one.
    const auto names = c.tool_names();
    CHECK(names.size() >= 20);
    CHECK(std::find(names.begin(), names.end(), "jira_get_issue") != names.end());
    CHECK(std::find(names.begin(), names.end(), "jira_create_issue") != names.end());

    for (const auto& [tool, args] : {std::pair<std::string, Json>{"jira_get_current_user", Json::object()},
                                     {"jira_get_issue", {{"issue_key", "PROJ-1"}}},
                                     {"jira_create_issue", kNewIssue}}) {
      CAPTURE(tool);
      const Json result = c.call(tool, args);
      CHECK(result.value("isError", false));
      const std::string text = text_of(result);
      for (const auto& e : k.expected) CHECK_MESSAGE(text.find(e) != std::string::npos, e << " in " << text);
      CHECK(text.find("run `jira-mcp --doctor` to check") != std::string::npos);
      CHECK(text.find("secret") == std::string::npos);
    }
    CHECK(c.finish() == 0);
    // Logged on stderr once, for whoever reads the host's log.
    const std::string log = c.stderr_text();
    CHECK_MESSAGE(count(log, "the configuration cannot be used") == 1, log);
    CHECK(log.find("secret") == std::string::npos);
    CHECK_FALSE(jira.contacted());
  }
}

TEST_CASE("a wrong tool selection is reported at start-up, before any request, though the tools are built later") {
  // The server builds its tool specifications on first need, but it checks the selection's names
  // against the catalog at once: the host's log shows the mistake even if no client ever asks.
  UntouchedJira jira;
  Conversation c({}, clean_env({"JIRA_TOOLSETS=isues", "JIRA_ENABLED_TOOLS=jira_get_isue", "JIRA_PAT=pat-secret-1",
                                "JIRA_URL=" + jira.url()}));
  std::string log;
  CHECK_MESSAGE(jira_mcp::testing::eventually([&] {
                  log = c.stderr_text();
                  return log.find("the configuration cannot be used") != std::string::npos;
                }),
                log);
  CHECK(log.find("unknown toolset 'isues' in tools.toolsets: did you mean 'issues'?") != std::string::npos);
  CHECK(log.find("unknown tool 'jira_get_isue' in tools.enabled_tools: did you mean 'jira_get_issue'?") !=
        std::string::npos);
  // Then served as any wrong configuration: the default tools, each answering with the problem.
  c.initialize();
  const auto names = c.tool_names();
  CHECK(std::find(names.begin(), names.end(), "jira_get_issue") != names.end());
  CHECK(text_of(c.call("jira_get_issue", {{"issue_key", "PROJ-1"}})).find("'isues'") != std::string::npos);
  CHECK(c.finish() == 0);
  CHECK_FALSE(jira.contacted());
}

TEST_CASE("over HTTP too, a wrong configuration is answered as tool errors, and /readyz says why") {
  UntouchedJira jira;
  Subprocess proc({JIRA_MCP_BINARY, "--transport", "http", "--host", "127.0.0.1", "--port",
                   std::to_string(jira_mcp::testing::unused_loopback_port())},
                  clean_env({"JIRA_DEPLOYMENT=bogus", "JIRA_URL=" + jira.url(), "JIRA_PAT=pat-secret-1"}));
  std::string err;
  int port = 0;
  for (int i = 0; i < 400 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    err += proc.stderr_text();
    const std::string banner = "Streamable HTTP at http://127.0.0.1:";
    if (auto at = err.find(banner); at != std::string::npos && err.find("/mcp", at) != std::string::npos) {
      port = std::stoi(err.substr(at + banner.size()));
    }
  }
  REQUIRE_MESSAGE(port > 0, err);
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(std::chrono::seconds(30));
  httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
  // The one JSON-RPC message of a reply, whether sent as JSON or as one SSE event.
  const auto message_of = [](const httplib::Result& r) {
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    std::string body = r->body;
    // (An SSE stream opens with an empty priming event.)
    if (auto data = body.find("data: {"); data != std::string::npos) {
      body = body.substr(data + 6, body.find('\n', data) - data - 6);
    }
    return Json::parse(body);
  };
  const auto first = http.Post("/mcp", h,
                               R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                               R"("capabilities":{},"clientInfo":{"name":"first-contact","version":"1"}}})",
                               "application/json");
  const Json init = message_of(first);
  CHECK(init["result"].value("instructions", "").find("JIRA_DEPLOYMENT") != std::string::npos);
  h.emplace("Mcp-Session-Id", first->get_header_value("Mcp-Session-Id"));
  h.emplace("MCP-Protocol-Version", "2025-11-25");
  REQUIRE(http.Post("/mcp", h, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", "application/json"));
  const Json call = message_of(http.Post(
      "/mcp", h, R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"jira_get_current_user","arguments":{}}})",
      "application/json"));
  CHECK(call["result"].value("isError", false));
  const std::string text = text_of(call["result"]);
  CHECK_MESSAGE(text.find("jira.deployment") != std::string::npos, text);
  CHECK(text.find("run `jira-mcp --doctor` to check") != std::string::npos);
  auto ready = http.Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status != 200);
  CHECK_MESSAGE(ready->body.find("jira.deployment") != std::string::npos, ready->body);
  proc.kill(SIGTERM);
  auto rc = proc.wait(std::chrono::seconds(20));
  REQUIRE(rc.has_value());
  CHECK(*rc == 0);
  CHECK_FALSE(jira.contacted());
}

TEST_CASE("flags that leave nothing to serve on still exit 2 with the message") {
  for (const auto& args : {std::vector<std::string>{"--transport", "bogus"}, std::vector<std::string>{"--no-such-flag"},
                           std::vector<std::string>{"--transport", "http", "--port", "70000", "--deployment", "bogus"}}) {
    CAPTURE(args.front());
    std::vector<std::string> argv{JIRA_MCP_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    Subprocess proc(argv, clean_env());
    proc.close_stdin();
    CHECK(proc.read_all_lines(std::chrono::seconds(20)).empty());  // nothing on the MCP channel
    auto rc = proc.wait(std::chrono::seconds(20));
    REQUIRE(rc.has_value());
    CHECK(*rc == 2);
    CHECK(proc.stderr_text().find("jira-mcp: ") != std::string::npos);
  }
}
