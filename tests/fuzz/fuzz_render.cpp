// Fuzz harness: Jira responses through the tools that render them.
//
// The input is the body Jira answers with; a scripted transport serves it (status 200) to every
// request of a read-only tool called with valid arguments, on Cloud and on Data Center. This
// reaches the renderers the way real Jira does: through the client, the JSON parse, the
// lenient field reading, Markdown rendering, structured results and their output schemas.
//
// Contract checked: no crash, no hang, no escaped exception; every reply is valid JSON-RPC text
// (valid UTF-8). A reply of -32603 (a bug caught at the dispatcher's boundary) is counted and
// printed at exit, not treated as a crash: reading every shape leniently is issue #14.
#include <atomic>
#include <cstdio>
#include <mutex>

#include "fuzz/harness.hpp"
#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/tools/tools.hpp"

using namespace jira_mcp;

namespace {

class ScriptedJira : public jira::HttpTransport {
 public:
  void set(std::string body) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
  }
  Result<jira::HttpResponse, jira::TransportError> send(const jira::HttpRequest&, const jira::Deadline&) override {
    jira::HttpResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/json"}};
    std::lock_guard lock(mu_);
    r.body = body_;
    return r;
  }

 private:
  std::mutex mu_;
  std::string body_;
};

class NullPeer : public mcp::Peer {
 public:
  void send(const Json&) override {}
};

// Valid arguments for each read-only tool (by the schemas' shapes).
const std::vector<std::pair<std::string, Json>>& calls() {
  static const std::vector<std::pair<std::string, Json>> c{
      {"jira_get_issue", {{"issue_key", "DEMO-1"}}},
      {"jira_search", {{"jql", "project = DEMO"}}},
      {"jira_count_issues", {{"jql", "project = DEMO"}}},
      {"jira_get_issues", {{"issue_keys", {"DEMO-1", "DEMO-2"}}}},
      {"jira_get_issue_changelog", {{"issue_key", "DEMO-1"}}},
      {"jira_get_comments", {{"issue_key", "DEMO-1"}}},
      {"jira_get_transitions", {{"issue_key", "DEMO-1"}}},
      {"jira_list_projects", Json::object()},
      {"jira_get_project", {{"project_key", "DEMO"}}},
      {"jira_get_project_issue_types", {{"project_key", "DEMO"}}},
      {"jira_get_edit_fields", {{"issue_key", "DEMO-1"}}},
      {"jira_search_fields", {{"query", "story"}}},
      {"jira_list_priorities", Json::object()},
      {"jira_list_statuses", Json::object()},
      {"jira_list_components", {{"project_key", "DEMO"}}},
      {"jira_list_versions", {{"project_key", "DEMO"}}},
      {"jira_get_current_user", Json::object()},
      {"jira_search_users", {{"query", "alice"}}},
      {"jira_list_boards", Json::object()},
      {"jira_get_board_issues", {{"board_id", 1}}},
      {"jira_list_sprints", {{"board_id", 1}}},
      {"jira_get_sprint", {{"sprint_id", 1}}},
      {"jira_get_sprint_issues", {{"sprint_id", 1}}},
      {"jira_get_epic_issues", {{"epic_key", "DEMO-1"}}},
      {"jira_list_attachments", {{"issue_key", "DEMO-1"}}},
      {"jira_list_link_types", Json::object()},
      {"jira_get_remote_links", {{"issue_key", "DEMO-1"}}},
      {"jira_get_worklogs", {{"issue_key", "DEMO-1"}}},
  };
  return c;
}

struct Flavour {
  std::shared_ptr<ScriptedJira> transport = std::make_shared<ScriptedJira>();
  std::unique_ptr<jira::Client> client;
  std::shared_ptr<tools::Services> services = std::make_shared<tools::Services>();
  std::unique_ptr<mcp::Dispatcher> dispatcher;
  NullPeer peer;
  mcp::Session session{peer, "fuzz"};

  explicit Flavour(bool cloud) {
    jira::ClientOptions o;
    o.url = "http://jira.invalid";
    if (cloud) {
      o.email = "fuzz@example.com";
      o.api_token = "token";
      o.deployment = jira::DeploymentMode::cloud;
    } else {
      o.pat = "token";
      o.deployment = jira::DeploymentMode::datacenter;
    }
    o.rate_rps = 0;
    o.retry_attempts = 1;
    auto c = jira::Client::create(o, transport);
    if (!c) jira_mcp::fuzz::fail("the client could not be created", "");
    client = std::move(*c);
    services->client = client.get();
    services->options.max_response_chars = 8000;
    mcp::RegistryBuilder b;
    if (!tools::register_tools(b, services, tools::Selection{{"all"}, {}, {}, true}).ok()) {
      jira_mcp::fuzz::fail("the tools did not register", "");
    }
    auto reg = b.freeze();
    if (!reg) jira_mcp::fuzz::fail("the registry did not freeze", "");
    dispatcher = std::make_unique<mcp::Dispatcher>(*reg, mcp::ServerInfo{"fuzz", "", "0", ""});
    dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                            {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                        {"clientInfo", {{"name", "fuzz"}, {"version", "1"}}}}}},
                       session);
  }
};

struct Tally {
  std::atomic<long> calls{0}, internal{0};
  ~Tally() {
    if (calls > 0) {
      std::fprintf(stderr, "fuzz_render: %ld tool calls, %ld answered -32603 (a caught bug: see issue #14)\n",
                   calls.load(), internal.load());
    }
  }
};

Tally& tally() {
  static Tally t;
  return t;
}
Flavour& flavour(bool cloud) {
  static Flavour c(true), d(false);
  return cloud ? c : d;
}

}  // namespace

namespace jira_mcp::fuzz {
std::vector<std::string> seeds() {
  return {
      R"({"id":"10001","key":"DEMO-1","self":"http://x/rest/api/3/issue/10001","fields":{"summary":"S","status":{"name":"To Do","statusCategory":{"key":"new"}},"issuetype":{"name":"Task"},"priority":{"name":"High"},"assignee":{"accountId":"a1","displayName":"Alice"},"reporter":null,"labels":["x"],"components":[{"name":"C"}],"fixVersions":[],"created":"2026-01-02T03:04:05.000+0000","updated":"2026-01-03T03:04:05.000+0000","duedate":null,"description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"D"}]}]},"comment":{"comments":[{"id":"1","author":{"displayName":"B"},"body":"wiki *b*","created":"2026-01-02T03:04:05.000+0000"}],"total":1},"customfield_10020":[{"id":1,"name":"Sprint 1","state":"ACTIVE"}],"customfield_10014":"DEMO-9","issuelinks":[{"id":"5","type":{"name":"Blocks","inward":"is blocked by","outward":"blocks"},"outwardIssue":{"key":"DEMO-2","fields":{"summary":"o","status":{"name":"Done"}}}}],"attachment":[{"id":"7","filename":"a.txt","size":3,"mimeType":"text/plain","author":{"displayName":"A"},"created":"2026-01-02T03:04:05.000+0000"}],"worklog":{"worklogs":[]}},"changelog":{"histories":[{"id":"1","author":{"displayName":"A"},"created":"2026-01-02T03:04:05.000+0000","items":[{"field":"status","fromString":"To Do","toString":"Done"}]}]}})",
      R"({"issues":[{"key":"DEMO-1","fields":{"summary":"a","status":{"name":"Done"},"issuetype":{"name":"Bug"}}},{"key":"DEMO-2","fields":null}],"nextPageToken":"abc","isLast":false,"total":2,"startAt":0,"maxResults":50,"count":2})",
      R"({"comments":[{"id":"10","author":{"displayName":"A","emailAddress":"a@x"},"body":{"type":"doc","content":[]},"created":"2026-01-02T03:04:05.000+0000"},{"id":null,"author":null,"body":null}],"total":2,"startAt":0,"maxResults":50})",
      R"({"transitions":[{"id":"11","name":"Start","to":{"name":"In Progress","statusCategory":{"key":"indeterminate"}}},{"id":"21","name":"Done","to":null}]})",
      R"([{"id":"10000","key":"DEMO","name":"Demo","projectTypeKey":"software","lead":{"displayName":"A"}},{"id":"10001","key":"X","name":null}])",
      R"({"values":[{"id":"10000","key":"DEMO","name":"Demo","description":null,"lead":null,"issueTypes":[{"id":"1","name":"Task","subtask":false}],"components":[{"id":"1","name":"C","description":null}],"versions":[{"id":"1","name":"1.0","released":false,"archived":false,"releaseDate":null,"description":null}]}],"isLast":true,"total":1,"startAt":0,"maxResults":50})",
      R"({"values":[{"id":1,"self":"x","state":"ACTIVE","name":"Sprint 1","startDate":"2026-01-01T00:00:00.000Z","endDate":null,"originBoardId":1,"goal":null},{"id":2,"state":"future","name":"S2"}],"isLast":true,"maxResults":50,"startAt":0})",
      R"({"startAt":0,"maxResults":20,"total":1,"worklogs":[{"id":"100","author":{"displayName":"A"},"timeSpent":"1h","timeSpentSeconds":3600,"started":"2026-01-02T03:04:05.000+0000","comment":null}]})",
      R"({"accountId":"a1","displayName":"Alice","emailAddress":"a@x","active":true,"timeZone":"UTC","name":null})",
      R"([{"id":"1","name":"Highest","iconUrl":"x"},{"id":"2","name":null}])",
      R"({"issueLinkTypes":[{"id":"1","name":"Blocks","inward":"is blocked by","outward":"blocks"},{"id":"2","name":null,"inward":null}]})",
      R"([{"id":1,"globalId":"g","object":{"url":"https://x","title":"T"},"relationship":null}])",
      R"({"fields":{"summary":{"required":true,"name":"Summary","schema":{"type":"string"}},"customfield_1":{"name":"Pick","allowedValues":[{"id":"1","value":"a"},{"id":"2","name":null}]}}})",
      R"(null)",
      R"({})",
      R"({"errorMessages":[],"errors":{}})",
  };
}
}  // namespace jira_mcp::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  // Each input goes through four tools, picked by a hash of the input, on one flavour.
  std::size_t h = 1469598103934665603ull;
  for (unsigned char c : body) h = (h ^ c) * 1099511628211ull;
  Flavour& f = flavour((h & 1) == 0);
  f.transport->set(body);
  const auto& all = calls();
  for (int i = 0; i < 4; ++i) {
    const auto& [name, args] = all[(h >> (8 * i + 1)) % all.size()];
    Json request{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/call"}, {"params", {{"name", name}, {"arguments", args}}}};
    std::optional<Json> reply;
    try {
      reply = f.dispatcher->handle(request, f.session);
    } catch (const std::exception& e) {
      jira_mcp::fuzz::fail((name + " threw: " + e.what()).c_str(), body);
    }
    if (!reply) jira_mcp::fuzz::fail((name + " gave no reply").c_str(), body);
    std::string text;
    try {
      text = reply->dump();
    } catch (const std::exception& e) {
      jira_mcp::fuzz::fail((name + "'s reply does not serialize: " + e.what()).c_str(), body);
    }
    ++tally().calls;
    if (reply->contains("error")) {
      if ((*reply)["error"].value("code", 0) == -32603) {
        ++tally().internal;
      } else if (!reply->contains("result")) {
        jira_mcp::fuzz::fail((name + " with valid arguments was refused: " + text).c_str(), body);
      }
    }
  }
  return 0;
}
