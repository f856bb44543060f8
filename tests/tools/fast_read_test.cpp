// The in-place read path (Options::fast_parse: simdjson, fast_read.cpp) against the old one (a
// nlohmann document per response) as the oracle: every recorded issue, the sandbox's issues and
// hostile bodies must give byte-identical tool results, text and structured, through the real
// dispatcher and a real loopback Jira.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "jira/test_servers.hpp"
#include "tools/replay_support.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::Stack;

namespace {

// A Jira that answers every issue read with `issue` and /field with `fields`, both changeable.
struct BodyJira {
  jira::testing::LoopbackServer server;
  std::mutex mu;
  std::string issue = "{}";
  std::string fields = "[]";
  BodyJira() {
    server.server.Get(R"(/rest/api/[23]/issue/[^/]+)", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu);
      res.set_content(issue, "application/json");
    });
    server.server.Get(R"(/rest/api/[23]/field)", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu);
      res.set_content(fields, "application/json");
    });
  }
  void serve(std::string i, std::string f) {
    std::lock_guard lock(mu);
    issue = std::move(i);
    fields = std::move(f);
  }
};

// The tools/call results of jira_get_issue on both paths, for each format.
void check_same(Stack& stack, const std::string& key, const std::string& what) {
  for (const char* format : {"markdown", "json"}) {
    Json args{{"issue_key", key}, {"comments", 50}, {"format", format}};
    stack.services->options.fast_parse = false;
    const Json old_result = stack.call("jira_get_issue", args);
    stack.services->options.fast_parse = true;
    const Json new_result = stack.call("jira_get_issue", args);
    INFO(what, " format=", format);
    CHECK(new_result.dump() == old_result.dump());
  }
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* const kFields =
    R"([{"id":"summary","name":"Summary","custom":false,"schema":{"type":"string","system":"summary"}},)"
    R"({"id":"customfield_10016","name":"Story Points","custom":true,"schema":{"type":"number","custom":"com.atlassian.jira.plugin.system.customfieldtypes:float"}},)"
    R"({"id":"customfield_10020","name":"Sprint","custom":true,"schema":{"type":"array","items":"json","custom":"com.pyxis.greenhopper.jira:gh-sprint"}},)"
    R"({"id":"customfield_10030","name":"Notes","custom":true,"schema":{"type":"string","custom":"com.atlassian.jira.plugin.system.customfieldtypes:textarea"}},)"
    R"({"id":"customfield_10016","name":"Story Points again","custom":true},{"id":7,"name":null},null,5])";

// Bodies that read oddly: nulls and wrong types everywhere, missing members, repeated keys, deep
// nesting (past simdjson's depth here, past the refusal limit), invalid UTF-8, lone surrogates,
// numbers out of every range, a byte order mark, empty and non-object bodies.
std::vector<std::string> hostile_bodies() {
  std::vector<std::string> b = {
      "", "null", "{}", "[]", "\"text\"", "5", "{\"key\":null,\"fields\":null}", "{\"key\":\"A-1\",\"fields\":[]}",
      R"({"key":5,"id":7,"fields":{"summary":7,"status":[],"assignee":null,"reporter":"x","labels":"l","issuelinks":[null,{"type":5}],
          "description":{"type":"doc","content":[null,5,"s",{"type":"paragraph","content":[{"type":"text","text":"a\u0000b *c*","marks":[null,{"type":"strong"},{"type":"link","attrs":{"href":7}},{"type":"link","attrs":{"href":"https://e.x"}}]}]},
            {"type":"heading","attrs":{"level":1e10},"content":[{"type":"text","text":"H"}]},{"type":"heading","attrs":{"level":-3.7}},
            {"type":"orderedList","attrs":{"order":1e300},"content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"i"}]}]}]},
            {"type":"paragraph","marks":[{"type":"alignment","attrs":{"align":"center"}}],"content":[{"type":"text","text":"centred"}]},
            {"type":"taskItem","attrs":{"state":"DONE"},"content":[{"type":"text","text":"lone task"}]},
            {"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"lone cell"}]}]},
            {"type":"mediaSingle","attrs":{"layout":"center","width":50},"content":[{"type":"media","attrs":{"type":"file","id":"abc","collection":"","alt":""}}]},
            {"type":"paragraph","content":[{"type":"mention","attrs":{"id":"user:bob","text":"@Bob"}},{"type":"emoji","attrs":{"shortName":":smile:"}},
              {"type":"status","attrs":{"text":"","color":"red"}},{"type":"date","attrs":{"timestamp":"1700000000000"}},{"type":"media","attrs":{"type":"external","url":"https://i"}}]},
            {"type":"codeBlock","attrs":{"language":"c++ x"},"content":[{"type":"text","text":"```x"}]},
            {"type":"table","attrs":{"layout":"wide"},"content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"h"}]}]}]},
              {"type":"tableRow","content":[{"type":"tableCell","attrs":{"colspan":2},"content":[{"type":"paragraph","content":[{"type":"text","text":"c"}]}]}]}]},
            {"type":"unknownThing","content":[{"type":"text","text":"kept"}]},{"type":"unknownLeaf","attrs":{"text":"leaf"}}]},
          "comment":{"comments":[null,3,{"body":null},{"body":"plain *md*"},{"body":{"type":"doc","content":[]}},{"author":{"displayName":"A"},"body":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"c1"}]}]},"id":10,"created":"2026-01-02T03:04:05.000+0000"}],"total":"x"},
          "customfield_10016":18446744073709551615,"customfield_10020":[{"id":1,"name":"S1","state":"active"},"com.atlassian.greenhopper.service.sprint.Sprint@1[id=2,rapidViewId=1,state=CLOSED,name=Old]"],
          "customfield_10030":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"rich custom"}]}]}}})",
      R"({"key":"A-1","key":"A-2","fields":{"summary":"first","summary":"second","description":{"type":"doc"},"description":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"last wins"}]}]},
          "comment":{"comments":[{"body":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"x","text":"y"}]}]},"body":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"z"}]}]}}]}},"fields":{"summary":"later fields"}})",
      "{\"key\":\"A-1\",\"fields\":{\"summary\":\"bad \xff utf8\"}}",
      "{\"key\":\"A-1\",\"fields\":{\"summary\":\"lone \\ud800 surrogate\"}}",
      "{\"key\":\"A-1\",\"fields\":{\"customfield_10016\":1e400}}",
      "{\"key\":\"A-1\",\"fields\":{\"customfield_10016\":-9223372036854775809,\"summary\":-0}}",
      "\xEF\xBB\xBF{\"key\":\"A-1\",\"fields\":{\"summary\":\"after a BOM\"}}",
  };
  for (int depth : {200, 300, 600}) {
    std::string nested = "{\"type\":\"text\",\"text\":\"deep\"}";
    for (int i = 0; i < depth; ++i) nested = "{\"type\":\"blockquote\",\"content\":[" + nested + "]}";
    b.push_back("{\"key\":\"A-1\",\"fields\":{\"description\":{\"type\":\"doc\",\"content\":[" + nested + "]}}}");
  }
  return b;
}

}  // namespace

TEST_CASE("the in-place read of hostile issue bodies renders as the nlohmann path does") {
  for (auto mode : {jira::DeploymentMode::cloud, jira::DeploymentMode::datacenter}) {
    BodyJira jira;
    Stack stack(jira.server.url(), mode);
    int n = 0;
    for (const auto& body : hostile_bodies()) {
      jira.serve(body, kFields);
      check_same(stack, "A-1", "hostile body #" + std::to_string(n++));
    }
    // A hostile field list too.
    jira.serve(hostile_bodies()[8], "{\"values\":" + std::string(kFields) + "}");
    check_same(stack, "A-1", "field list in a values envelope");
    jira.serve(hostile_bodies()[8], "not json");
    check_same(stack, "A-1", "field list not JSON");
  }
}

TEST_CASE("the in-place read of every recorded issue renders as the nlohmann path does") {
  auto dir = jira_mcp::testing::replay::fixtures_dir("the in-place read of recorded issues");
  if (!dir) return;
  std::string fields = "[]";
  std::vector<std::pair<std::string, std::string>> issues;
  for (const auto& f : jira_mcp::testing::replay::fixtures()) {
    const std::string route = f.route;
    if (route == "fields" && f.adapt == jira_mcp::testing::replay::Adapt::none) fields = read_file(*dir / f.file);
    if (route != "issue") continue;
    // Adapted fixtures are served as the replay tests serve them; the others byte for byte.
    const std::string body = f.adapt == jira_mcp::testing::replay::Adapt::none ? read_file(*dir / f.file)
                                                                              : jira_mcp::testing::replay::load(*dir, f).dump();
    issues.emplace_back(f.file, body);
  }
  REQUIRE(!issues.empty());
  for (auto mode : {jira::DeploymentMode::cloud, jira::DeploymentMode::datacenter}) {
    BodyJira jira;
    Stack stack(jira.server.url(), mode);
    for (const auto& [file, body] : issues) {
      jira.serve(body, fields);
      check_same(stack, "KEY-1", file);
    }
  }
  MESSAGE(issues.size(), " recorded issues rendered both ways, Cloud and Data Center");
}

TEST_CASE("the in-place read of the sandbox's issues renders as the nlohmann path does") {
  for (auto flavor : {sandbox::Flavor::Cloud, sandbox::Flavor::DataCenter}) {
    Stack stack(flavor);
    size_t n = 0;
    for (const char* project : {"DEMO", "OPS"}) {
      const Json found = stack.call("jira_search", {{"jql", std::string("project = ") + project}, {"max_results", 100}});
      REQUIRE_MESSAGE(found.contains("structuredContent"), found.dump());
      for (const auto& issue : found["structuredContent"]["issues"]) {
        check_same(stack, issue["key"].get<std::string>(), issue["key"].get<std::string>());
        ++n;
      }
    }
    CHECK(n > 0);
    MESSAGE(n, " sandbox issues rendered both ways");
  }
}
