// `jira-mcp sandbox` as a fleet test's Jira: a separate process configured by its fault flags,
// checked from outside through GET /_sandbox/stats with a real HTTP client.
#include <doctest/doctest.h>
#include <httplib.h>
#include <jira_mcp/core/json.hpp>

#include "support/subprocess.hpp"

#include <csignal>

using jira_mcp::Json;
using jira_mcp::testing::Subprocess;

namespace {

// A running `jira-mcp sandbox` with the given flags, stopped (SIGTERM, by pid) at scope exit.
struct SandboxProcess {
  Subprocess proc;
  std::string url;

  explicit SandboxProcess(std::vector<std::string> flags) : proc(argv(std::move(flags))) {
    // Its first line on stdout: export JIRA_URL='http://127.0.0.1:PORT' JIRA_EMAIL=... (cloud).
    const auto line = proc.read_line(std::chrono::seconds(30));
    REQUIRE_MESSAGE(line, "jira-mcp sandbox printed nothing; stderr: " << proc.stderr_text());
    const auto start = line->find("JIRA_URL='");
    REQUIRE(start != std::string::npos);
    const auto end = line->find('\'', start + 10);
    url = line->substr(start + 10, end - start - 10);
  }
  ~SandboxProcess() {
    proc.kill(SIGTERM);
    if (!proc.wait(std::chrono::seconds(10))) {
      proc.kill(SIGKILL);
      proc.wait(std::chrono::seconds(10));
    }
  }
  static std::vector<std::string> argv(std::vector<std::string> flags) {
    std::vector<std::string> a{JIRA_MCP_BINARY, "sandbox", "--port", "0", "--issues", "10"};
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  }
  httplib::Client client() const {
    httplib::Client c(url);
    c.set_basic_auth("alice@example.com", "sandbox-api-token");
    c.set_read_timeout(10, 0);
    return c;
  }
  Json stats() const {
    httplib::Client c(url);  // no credentials: the stats need none
    auto r = c.Get("/_sandbox/stats");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return Json::parse(r->body);
  }
};

}  // namespace

TEST_CASE("jira-mcp sandbox --help documents every fault flag") {
  Subprocess p({JIRA_MCP_BINARY, "sandbox", "--help"});
  std::string help;
  for (const auto& l : p.read_all_lines(std::chrono::seconds(30))) help += l + "\n";
  CHECK(p.wait(std::chrono::seconds(10)) == 0);
  for (const char* flag : {"--latency-ms", "--jitter-ms", "--rate-limit-rps", "--rate-limit-burst",
                           "--error-rate", "--drop-rate"}) {
    CAPTURE(flag);
    CHECK(help.find(flag) != std::string::npos);
  }
  CHECK(help.find("429") != std::string::npos);
}

TEST_CASE("jira-mcp sandbox --rate-limit-rps: 429s with Jira Cloud's headers, counted in /_sandbox/stats") {
  // One request per 2 s with a burst of 1: twenty requests would need 38 s to all pass.
  SandboxProcess sb({"--rate-limit-rps", "0.5", "--rate-limit-burst", "1"});
  auto cli = sb.client();
  auto created = cli.Post("/rest/api/3/issue/DEMO-1/comment",
                          R"({"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}})",
                          "application/json");
  REQUIRE(created);
  int ok = created->status == 201 ? 1 : 0, limited = created->status == 429 ? 1 : 0;
  CHECK(created->status == 201);  // the burst's one token
  std::optional<httplib::Response> a_429;
  for (int i = 0; i < 19; ++i) {
    auto r = cli.Get("/rest/api/3/myself");
    REQUIRE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      a_429 = *r;
    }
  }
  CHECK(ok + limited == 20);
  REQUIRE(a_429);
  CHECK(std::stoi(a_429->get_header_value("Retry-After")) >= 1);
  CHECK(a_429->get_header_value("RateLimit-Reason") == "jira-burst-based");
  CHECK(a_429->get_header_value("X-RateLimit-Limit") == "1");
  CHECK(a_429->get_header_value("X-RateLimit-Remaining") == "0");
  CHECK_FALSE(a_429->get_header_value("X-RateLimit-Reset").empty());
  CHECK(Json::parse(a_429->body)["errorMessages"][0] == "Rate limit exceeded.");

  const Json s = sb.stats();
  CHECK(s["requests_total"] == 20);
  CHECK(s["rate_limited"] == limited);
  CHECK(s["writes_applied"] == (created->status == 201 ? 1 : 0));
  CHECK(s["requests"]["GET /rest/api/3/myself"].value("429", 0) + (created->status == 429 ? 1 : 0) == limited);
  CHECK(s["requests"]["POST /rest/api/3/issue/{issueIdOrKey}/comment"]["201"] == 1);
  CHECK(s["faults"]["rate_limit_rps"] == 0.5);
  CHECK(sb.stats()["requests_total"] == 20);  // reading the stats is not a request to Jira

  httplib::Client plain(sb.url);
  auto reset = plain.Delete("/_sandbox/stats");
  REQUIRE(reset);
  CHECK(reset->status == 204);
  CHECK(sb.stats()["requests_total"] == 0);
}

TEST_CASE("jira-mcp sandbox --error-rate and --drop-rate: Jira-like 5xx bodies and closed connections") {
  {
    SandboxProcess sb({"--error-rate", "1"});
    auto cli = sb.client();
    for (int i = 0; i < 6; ++i) {
      auto r = cli.Get("/rest/api/3/issue/DEMO-1");
      REQUIRE(r);
      CHECK((r->status == 500 || r->status == 503));
      const Json body = Json::parse(r->body, nullptr, false);
      CHECK(body["errorMessages"].is_array());
      CHECK(body["errors"].is_object());
      if (r->status == 503) CHECK(r->get_header_value("Retry-After") == "1");
    }
    const Json s = sb.stats();
    CHECK(s["errors_injected"] == 6);
    CHECK(s["writes_applied"] == 0);
    const Json& by_status = s["requests"]["GET /rest/api/3/issue/{issueIdOrKey}"];
    CHECK(by_status.value("500", 0) + by_status.value("503", 0) == 6);
  }
  {
    SandboxProcess sb({"--drop-rate", "1", "--latency-ms", "5"});
    auto cli = sb.client();
    for (int i = 0; i < 3; ++i) CHECK_FALSE(cli.Get("/rest/api/3/issue/DEMO-1"));  // no answer at all
    const Json s = sb.stats();
    CHECK(s["dropped"] == 3);
    CHECK(s["requests"]["GET /rest/api/3/issue/{issueIdOrKey}"]["dropped"] == 3);
    CHECK(s["faults"]["latency_ms"] == 5);
  }
}
