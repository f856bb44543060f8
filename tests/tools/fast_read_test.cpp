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
#include "jira_mcp/cache/cache.hpp"
#include "tools/replay_support.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::Stack;
using jira_mcp::testing::text;

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
      // Values the in-place read copies only in part: users, names, comments; some holding none of
      // the members read, repeated keys, lists with odd elements; text read in place or copied.
      R"({"key":"A-1","fields":{"assignee":{"avatarUrls":{"16x16":"u"},"self":"s"},"reporter":{"displayName":"R","displayName":"R2","avatarUrls":{},"active":true},
          "status":{"iconUrl":"i","statusCategory":{"key":"done"}},"issuetype":{"name":"Bug","name":7,"subtask":false},"priority":{},
          "components":[{"name":"C1","self":"s"},"bare",null,{"id":"3"},{"name":null}],"fixVersions":{"name":"not a list"},"versions":[],
          "description":{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"with\r\nhttp://e.x/h_m and `c` wham_fox\nnext line"},
            {"type":"text","text":"https://e.x","marks":[{"type":"link","attrs":{"href":"https://e.x"}}]},{"type":"media","attrs":{"type":"external","url":"https://i","alt":"pic"}}]}]},
          "comment":{"comments":[{"author":{"avatarUrls":{}},"updateAuthor":{"displayName":"U"},"body":null,"self":"https://e.x/comment/77"},
            {"author":{},"id":"8","id":"9","created":5,"jsdPublic":true,"visibility":{"type":"role"}},{"author":"someone"}]}}})",
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

namespace {

// A stack against `url` whose client reads through a fresh response cache.
std::unique_ptr<Stack> cached_stack(const std::string& url, jira::DeploymentMode mode) {
  auto s = std::make_unique<Stack>(url, mode);
  jira::ClientOptions o = s->client->options();
  o.cache = std::make_shared<cache::Cache>(cache::Options{});
  s->wire(o, {{"all"}, {}, {}, false}, 40000);
  return s;
}

// A Jira that answers an issue read as Jira does: `fields` selects the fields (absent or *all:
// every one), expand=names,schema adds the names and schema of the fields it returns (unless
// `expands` is off: a proxy or an old Jira that leaves them out). It counts what it is asked.
struct SelectingJira {
  jira::testing::LoopbackServer server;
  std::mutex mu;
  Json issue;
  Json names = Json::object(), schema = Json::object();
  std::string fields_list;
  bool expands = true;
  int issue_reads = 0, field_reads = 0;
  std::vector<std::string> queries;
  SelectingJira(Json i, const Json& catalog) : issue(std::move(i)), fields_list(catalog.dump()) {
    for (const auto& f : catalog) {
      names[f["id"].get<std::string>()] = f["name"];
      schema[f["id"].get<std::string>()] = f["schema"];
    }
    server.server.Get(R"(/rest/api/[23]/issue/[^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      ++issue_reads;
      queries.push_back("fields=" + req.get_param_value("fields") + "&expand=" + req.get_param_value("expand"));
      Json out = issue;
      const std::string wanted = req.get_param_value("fields");
      if (!wanted.empty() && wanted != "*all") {
        Json kept = Json::object();
        for (const auto& id : split(wanted)) {
          if (issue["fields"].contains(id)) kept[id] = issue["fields"][id];
        }
        out["fields"] = kept;
      }
      if (expands && req.get_param_value("expand").find("names") != std::string::npos) {
        out["names"] = Json::object();
        out["schema"] = Json::object();
        for (const auto& [id, v] : out["fields"].items()) {
          if (names.contains(id)) out["names"][id] = names[id];
          if (schema.contains(id)) out["schema"][id] = schema[id];
        }
      }
      res.set_content(out.dump(), "application/json");
    });
    server.server.Get(R"(/rest/api/[23]/field)", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mu);
      ++field_reads;
      res.set_content(fields_list, "application/json");
    });
  }
  static std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
      const size_t comma = std::min(s.find(',', start), s.size());
      if (comma > start) out.push_back(s.substr(start, comma - start));
      start = comma + 1;
    }
    return out;
  }
  void reset() {
    std::lock_guard lock(mu);
    issue_reads = field_reads = 0;
    queries.clear();
  }
};

const Json kSelectingCatalog = Json::parse(R"([
  {"id":"summary","name":"Summary","custom":false,"schema":{"type":"string","system":"summary"}},
  {"id":"status","name":"Status","custom":false,"schema":{"type":"status","system":"status"}},
  {"id":"description","name":"Description","custom":false,"schema":{"type":"string","system":"description"}},
  {"id":"comment","name":"Comment","custom":false,"schema":{"type":"comments-page","system":"comment"}},
  {"id":"environment","name":"Environment","custom":false,"schema":{"type":"string","system":"environment"}},
  {"id":"customfield_10016","name":"Story Points","custom":true,"schema":{"type":"number","custom":"com.atlassian.jira.plugin.system.customfieldtypes:float","customId":10016}},
  {"id":"customfield_10020","name":"Sprint","custom":true,"schema":{"type":"array","items":"json","custom":"com.pyxis.greenhopper.jira:gh-sprint","customId":10020}},
  {"id":"customfield_10030","name":"Notes","custom":true,"schema":{"type":"string","custom":"com.atlassian.jira.plugin.system.customfieldtypes:textarea","customId":10030}},
  {"id":"customfield_10040","name":"Unused","custom":true,"schema":{"type":"string","custom":"com.atlassian.jira.plugin.system.customfieldtypes:textfield","customId":10040}}])");

Json selecting_issue(bool cloud) {
  const Json rich = cloud ? Json::parse(R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Steps ","marks":[{"type":"strong"}]},{"type":"text","text":"to reproduce"}]}]})")
                          : Json("h2. Steps\n*to* reproduce");
  return Json{{"id", "10001"}, {"key", "KEY-1"}, {"self", "https://x/rest/api/2/issue/10001"},
              {"fields",
               {{"summary", "One round trip"},
                {"status", {{"name", "In Progress"}}},
                {"description", rich},
                {"environment", "prod, not shown by default"},
                {"comment", {{"comments", Json::array({{{"id", "1"}, {"author", {{"displayName", "Ann"}}}, {"body", rich},
                                                        {"created", "2026-01-02T03:04:05.000+0000"}}})},
                             {"total", 1}}},
                {"customfield_10016", 5},
                {"customfield_10020", Json::array({{{"id", 1}, {"name", "Sprint 1"}, {"state", "active"}}})},
                {"customfield_10030", "a custom field not shown by default"},
                {"customfield_10040", nullptr}}}};
}

}  // namespace

TEST_CASE("jira_get_issue without a cache reads the issue in one request, as the two-request read shows it") {
  for (auto mode : {jira::DeploymentMode::cloud, jira::DeploymentMode::datacenter}) {
    const bool cloud = mode == jira::DeploymentMode::cloud;
    CAPTURE(cloud);
    SelectingJira jira(selecting_issue(cloud), kSelectingCatalog);
    Stack uncached(jira.server.url(), mode);
    for (const char* format : {"markdown", "json"}) {
      CAPTURE(format);
      // The two-request read, as before: with a response cache (a fresh one, so the issue is
      // read) /field is read and the issue asked for its standard fields plus sprint, story
      // points and epic link.
      auto cached = cached_stack(jira.server.url(), mode);
      const Json args{{"issue_key", "KEY-1"}, {"comments", 10}, {"format", format}};
      jira.reset();
      const Json two = cached->call("jira_get_issue", args);
      CHECK(jira.issue_reads == 1);
      CHECK(jira.field_reads == 1);
      REQUIRE(!jira.queries.empty());
      CHECK(jira.queries[0].find("fields=*all") == std::string::npos);
      CHECK(jira.queries[0].find("customfield_10016") != std::string::npos);
      CHECK(jira.queries[0].find("customfield_10020") != std::string::npos);
      CHECK(jira.queries[0].find("customfield_10030") == std::string::npos);
      CHECK_MESSAGE(text(two).find("Story Points") != std::string::npos, text(two));
      CHECK_MESSAGE(text(two).find("Sprint 1") != std::string::npos, text(two));
      CHECK(text(two).find("not shown by default") == std::string::npos);
      for (bool fast : {true, false}) {
        CAPTURE(fast);
        uncached.services->options.fast_parse = fast;
        // One request: all fields with their names and schemas; no /field.
        jira.reset();
        jira.expands = true;
        const Json one = uncached.call("jira_get_issue", args);
        CHECK(jira.issue_reads == 1);
        CHECK(jira.field_reads == 0);
        REQUIRE(jira.queries.size() == 1);
        CHECK(jira.queries[0] == "fields=*all&expand=names,schema");
        CHECK(one.dump() == two.dump());
        // A Jira (or a proxy) that leaves names and schema out: /field is read after all, and
        // the result is still the same.
        jira.reset();
        jira.expands = false;
        const Json fallback = uncached.call("jira_get_issue", args);
        CHECK(jira.issue_reads == 1);
        CHECK(jira.field_reads == 1);
        CHECK(fallback.dump() == two.dump());
        jira.expands = true;
      }
    }
    // Field names to translate still need the field list.
    jira.reset();
    const Json named = uncached.call("jira_get_issue", {{"issue_key", "KEY-1"}, {"fields", Json{"Notes", "summary"}}});
    CHECK(jira.field_reads == 1);
    CHECK(jira.issue_reads == 1);
    CHECK_MESSAGE(text(named).find("a custom field not shown by default") != std::string::npos, text(named));
  }
}

TEST_CASE("the names and schema of an expanded read are read leniently") {
  SelectingJira jira(selecting_issue(true), kSelectingCatalog);
  auto cached = cached_stack(jira.server.url(), jira::DeploymentMode::cloud);
  const Json args{{"issue_key", "KEY-1"}, {"comments", 10}};
  const Json two = cached->call("jira_get_issue", args);
  // Null, missing or mistyped maps: /field is read, the result is the same.
  for (const char* odd : {R"({"names":null,"schema":null})", R"({"names":{"summary":"Summary"}})", R"({"names":[],"schema":5})",
                          R"({"schema":{}})"}) {
    CAPTURE(odd);
    for (bool fast : {true, false}) {
      BodyJira odd_jira;
      Json body = selecting_issue(true);
      body.update(Json::parse(odd));
      odd_jira.serve(body.dump(), kSelectingCatalog.dump());
      Stack s(odd_jira.server.url(), jira::DeploymentMode::cloud);
      s.services->options.fast_parse = fast;
      std::string got = s.call("jira_get_issue", args).dump();
      // The same but for the browse URLs, which name the Jira that answered.
      for (size_t at; (at = got.find(odd_jira.server.url())) != std::string::npos;) {
        got.replace(at, odd_jira.server.url().size(), jira.server.url());
      }
      CHECK(got == two.dump());
    }
  }
  // Odd entries inside the maps never fail the call: a field named by null or a number, a schema
  // that is not an object.
  for (bool fast : {true, false}) {
    BodyJira odd_jira;
    Json body = selecting_issue(true);
    body["names"] = {{"summary", nullptr}, {"customfield_10016", 7}, {"customfield_10020", "Sprint"}, {"", "empty id"}};
    body["schema"] = {{"summary", "x"}, {"customfield_10016", nullptr}, {"customfield_10020", {{"type", 5}}}};
    odd_jira.serve(body.dump(), "[]");
    Stack s(odd_jira.server.url(), jira::DeploymentMode::cloud);
    s.services->options.fast_parse = fast;
    const Json r = s.call("jira_get_issue", args);
    CHECK_FALSE(r.value("isError", false));
    CHECK_MESSAGE(text(r).find("One round trip") != std::string::npos, text(r));
  }
}
