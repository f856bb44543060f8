// Portable input schemas: every property of every tool has exactly one JSON type (clients with
// Gemini-style function calling take nothing else), ids are digit strings everywhere, and the
// registry's coercion pass still takes the neighbouring types a client may send (a number for an
// id, a comma-separated string for a list of strings).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every problem of one schema node and what it holds, as "tool: path: problem".
void check_node(const Json& node, const std::string& where, const std::string& name, std::vector<std::string>& problems) {
  if (!node.is_object()) {
    problems.push_back(where + ": not a schema object");
    return;
  }
  for (const char* combinator : {"anyOf", "oneOf", "allOf", "not", "$ref"}) {
    if (node.contains(combinator)) problems.push_back(where + ": uses " + combinator);
  }
  const auto type = node.find("type");
  if (type == node.end()) {
    problems.push_back(where + ": has no type");
    return;
  }
  if (!type->is_string()) {
    problems.push_back(where + ": type is " + type->dump() + ", not one type");
    return;
  }
  const std::string t = *type;
  // Jira's own ids are digit strings with a pattern; a remote link's global_id is the caller's
  // free text ("system=...&id=1"), a string all the same.
  if (ends_with(name, "_id") || name == "id") {
    if (t != "string") problems.push_back(where + ": an id typed " + t + ", not string");
    else if (name != "global_id" && node.value("pattern", "").empty()) problems.push_back(where + ": an id with no pattern");
  }
  if (ends_with(name, "_ids") && t == "array") {
    const Json items = node.value("items", Json());
    if (!items.is_object() || items.value("type", "") != "string") problems.push_back(where + ": ids whose items are not strings");
  }
  if (t == "array") {
    if (!node.contains("items")) problems.push_back(where + ": an array with no items schema");
    else check_node(node["items"], where + "[]", name, problems);
  }
  if (t == "object" && node.contains("properties")) {
    for (const auto& [key, child] : node["properties"].items()) check_node(child, where + "." + key, key, problems);
  }
  if (t == "object" && node.contains("additionalProperties") && node["additionalProperties"].is_object()) {
    check_node(node["additionalProperties"], where + ".*", "", problems);
  }
}

std::vector<std::string> schema_problems(Stack& s) {
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", "tools/list"}}, s.session);
  REQUIRE(r);
  std::vector<std::string> problems;
  const Json& tools = (*r)["result"]["tools"];
  REQUIRE(tools.size() > 0);
  for (const auto& tool : tools) check_node(tool["inputSchema"], tool["name"].get<std::string>(), "", problems);
  return problems;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

TEST_CASE("schemas: every property of every tool's input schema has exactly one type, and ids are strings") {
  const std::vector<tools::Selection> selections = {
      {{"all"}, {}, {}, false}, {{}, {}, {}, false}, {{"all"}, {}, {}, true}};
  FOR_EACH_FLAVOR(flavor) {
    for (const auto& selection : selections) {
      Stack s(flavor, selection);
      const auto problems = schema_problems(s);
      CHECK_MESSAGE(problems.empty(), joined(problems));
    }
  }
}

TEST_CASE("schemas: the walk itself finds type arrays, missing types and integer ids") {
  std::vector<std::string> problems;
  check_node(Json::parse(R"({"type":"object","properties":{
      "fields":{"type":["array","string"],"items":{"type":"string"}},
      "board_id":{"type":"integer"},
      "loose":{"description":"no type"},
      "either":{"anyOf":[{"type":"string"},{"type":"integer"}]},
      "list":{"type":"array","items":{"type":"object","properties":{"comment_id":{"type":"string"}}}}}})"),
             "t", "", problems);
  const std::string all = joined(problems);
  CHECK(contains(all, "t.fields: type is [\"array\",\"string\"]"));
  CHECK(contains(all, "t.board_id: an id typed integer"));
  CHECK(contains(all, "t.loose: has no type"));
  CHECK(contains(all, "t.either: uses anyOf"));
  CHECK(contains(all, "t.list[].comment_id: an id with no pattern"));
}

TEST_CASE("schemas: coercion takes a number for an id, a comma list for strings, digits for an integer") {
  const Json schema = Json::parse(R"({"type":"object","properties":{
      "id":{"type":"string","pattern":"^[0-9]+$"},
      "fields":{"type":"array","items":{"type":"string"}},
      "count":{"type":"integer"},
      "flag":{"type":"boolean"},
      "rows":{"type":"array","items":{"type":"object","properties":{"link_id":{"type":"string"}}}}}})");
  Json args = Json::parse(R"({"id":10042,"fields":" summary, status ,,labels","count":"20","flag":"yes",
                              "rows":[{"link_id":7},{"link_id":"8"}],"extra":5})");
  mcp::coerce_arguments(schema, args);
  CHECK(args["id"] == "10042");
  CHECK(args["fields"] == Json::array({"summary", "status", "labels"}));
  CHECK(args["count"] == 20);
  CHECK(args["flag"] == "yes");  // no lossless conversion: left for validation to refuse
  CHECK(args["rows"][0]["link_id"] == "7");
  CHECK(args["rows"][1]["link_id"] == "8");
  CHECK(args["extra"] == 5);  // not in the schema: untouched
  Json odd = Json::parse(R"({"id":1.5,"count":"12abc","fields":["a"]})");
  mcp::coerce_arguments(schema, odd);
  CHECK(odd["id"] == 1.5);
  CHECK(odd["count"] == "12abc");
  CHECK(odd["fields"] == Json::array({"a"}));
  Json stringified = Json::parse(R"({"fields":" [\"summary\", \"status\"]","count":"-3"})");
  mcp::coerce_arguments(schema, stringified);
  CHECK(stringified["fields"] == Json::array({"summary", "status"}));
  CHECK(stringified["count"] == -3);
  Json not_object = "x";
  mcp::coerce_arguments(schema, not_object);
  CHECK(not_object == "x");
}

TEST_CASE("schemas: numeric ids and comma-separated fields are accepted by the tools; a word for an id is refused") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto board = s.call("jira_get_board_issues", {{"board_id", 1}, {"max_results", 2}});
    CHECK_MESSAGE(ok(board), text(board));
    auto board_text = s.call("jira_get_board_issues", {{"board_id", "1"}, {"max_results", 2}});
    CHECK_MESSAGE(ok(board_text), text(board_text));
    auto sprints = s.call("jira_list_sprints", {{"board_id", 1}, {"state", "active,future"}});
    CHECK_MESSAGE(ok(sprints), text(sprints));
    auto sprint = s.call("jira_get_sprint", {{"sprint_id", 3}});
    REQUIRE_MESSAGE(ok(sprint), text(sprint));
    CHECK(contains(text(sprint), "{\"sprint_id\": \"3\"}"));
    CHECK(ok(s.call("jira_get_sprint_issues", {{"sprint_id", 3}, {"fields", "summary,status"}})));

    auto list = s.call("jira_list_attachments", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(list));
    const std::string id = list["structuredContent"]["attachments"][0]["id"];
    auto by_number = s.call("jira_download_attachment", {{"attachment_id", std::stoll(id)}});
    CHECK_MESSAGE(ok(by_number), text(by_number));
    CHECK(contains(text(by_number), "(id " + id + ","));

    auto issue = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"fields", "summary,status"}, {"format", "json"}});
    REQUIRE_MESSAGE(ok(issue), text(issue));
    CHECK(issue["structuredContent"]["key"] == "DEMO-1");
    auto found = s.call("jira_search", {{"jql", "project = DEMO"}, {"fields", "summary, status"}, {"max_results", 3}});
    CHECK_MESSAGE(ok(found), text(found));

    for (const auto& [tool, field] : {std::pair{"jira_download_attachment", "attachment_id"}, {"jira_get_sprint", "sprint_id"},
                                      {"jira_list_sprints", "board_id"}}) {
      CAPTURE(tool);
      auto bad = s.call(tool, {{field, "ten"}});
      CHECK_FALSE(ok(bad));
      CHECK(contains(text(bad), field + std::string(": must match the pattern /^[0-9]+$/ (")));
      CHECK(contains(text(bad), "Fix these arguments"));
    }
    auto fraction = s.call("jira_get_sprint", {{"sprint_id", 3.5}});
    CHECK_FALSE(ok(fraction));
    CHECK(contains(text(fraction), "sprint_id: must be a string"));
  }
}
