// jira_batch_create_issues and jira_clone_issue through the real dispatcher against the sandbox,
// in both flavours. Every write is checked by reading the issue back from the sandbox.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "jira_mcp/core/json_schema.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace {

std::string api(const Stack& s) { return s.cloud() ? "/rest/api/3" : "/rest/api/2"; }

// The issue as the sandbox holds it now.
Json fetch(Stack& s, const std::string& key, const std::string& fields) {
  auto r = s.client->get(api(s) + "/issue/" + key, {{"fields", fields}});
  REQUIRE_MESSAGE(r.ok(), key);
  auto j = r->json();
  REQUIRE(j.ok());
  return *j;
}

// How many issues a JQL query matches now.
long count(Stack& s, const std::string& jql) {
  auto r = s.call("jira_count_issues", {{"jql", jql}});
  REQUIRE_MESSAGE(ok(r), text(r));
  return r["structuredContent"]["count"].get<long>();
}

std::vector<std::string> names(const Json& list) {
  std::vector<std::string> out;
  for (const auto& x : list) out.push_back(x.is_string() ? x.get<std::string>() : x.value("name", ""));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("batch create: several issues in one call, defaults and per-issue fields") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    const std::string label = s.cloud() ? "zz-batch-cloud" : "zz-batch-dc";
    auto r = s.call("jira_batch_create_issues",
                    {{"project_key", "DEMO"},
                     {"issues", {{{"summary", "Batch one"}, {"labels", {label}}},
                                 {{"summary", "Batch two"}, {"issue_type", "Bug"}, {"priority", "High"},
                                  {"description", "Steps with **bold**"}, {"labels", {label}}},
                                 {{"summary", "Batch three"}, {"project_key", "WEB"}, {"issue_type", "Story"}, {"labels", {label}}}}}});
    REQUIRE_MESSAGE(ok(r), text(r));
    const Json& sc = r["structuredContent"];
    CHECK(sc["created"] == 3);
    CHECK(sc["failed"] == 0);
    REQUIRE(sc["items"].size() == 3);
    const std::string k0 = sc["items"][0]["key"], k1 = sc["items"][1]["key"], k2 = sc["items"][2]["key"];
    CHECK(k0.rfind("DEMO-", 0) == 0);
    CHECK(k2.rfind("WEB-", 0) == 0);
    CHECK(text(r).find("Created 3 of 3 issues") != std::string::npos);
    CHECK(text(r).find(k1) != std::string::npos);

    auto one = fetch(s, k0, "summary,issuetype,labels");
    CHECK(one["fields"]["summary"] == "Batch one");
    CHECK(one["fields"]["issuetype"]["name"] == "Task");
    auto two = fetch(s, k1, "summary,issuetype,priority");
    CHECK(two["fields"]["issuetype"]["name"] == "Bug");
    CHECK(two["fields"]["priority"]["name"] == "High");
    CHECK(text(s.call("jira_get_issue", {{"issue_key", k1}})).find("**bold**") != std::string::npos);
    auto three = fetch(s, k2, "summary,issuetype,project");
    CHECK(three["fields"]["project"]["key"] == "WEB");
    CHECK(three["fields"]["issuetype"]["name"] == "Story");
    CHECK(count(s, "labels = " + label) >= 3);
  }
}

TEST_CASE("batch create: partial and total failure are reported per issue and nothing is lost") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto partial = s.call("jira_batch_create_issues",
                          {{"project_key", "DEMO"},
                           {"issues", {{{"summary", "Batch good"}}, {{"summary", "Batch bad"}, {"issue_type", "Meeting"}}, {{"summary", "Batch good too"}}}}});
    CHECK_FALSE(ok(partial));
    const Json& sc = partial["structuredContent"];
    CHECK(sc["created"] == 2);
    CHECK(sc["failed"] == 1);
    CHECK_FALSE(sc["items"][1].contains("key"));
    CHECK_FALSE(sc["items"][1]["error"].get<std::string>().empty());
    const std::string good = sc["items"][0]["key"], good_too = sc["items"][2]["key"];
    CHECK(text(partial).find("1 FAILED") != std::string::npos);
    CHECK(text(partial).find(good) != std::string::npos);  // the created keys are listed
    CHECK(text(partial).find(good_too) != std::string::npos);
    CHECK(fetch(s, good_too, "summary")["fields"]["summary"] == "Batch good too");

    // Every issue fails: Jira answers 400, and each issue's own reason still comes back.
    auto none = s.call("jira_batch_create_issues",
                       {{"project_key", "DEMO"},
                        {"issues", {{{"summary", "Batch never"}, {"issue_type", "Meeting"}}, {{"summary", "Batch never 2"}, {"priority", "Urgentest"}}}}});
    CHECK_FALSE(ok(none));
    CHECK(none["structuredContent"]["created"] == 0);
    CHECK(none["structuredContent"]["failed"] == 2);
    for (const auto& item : none["structuredContent"]["items"]) {
      CHECK_FALSE(item.contains("key"));
      CHECK(item["error"].get<std::string>().find("without a reason") == std::string::npos);
    }
    CHECK(text(none).find("priority") != std::string::npos);
  }
}

TEST_CASE("batch create: bad arguments create nothing and name the field") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto no_project = s.call("jira_batch_create_issues", {{"issues", {{{"summary", "a"}, {"project_key", "DEMO"}}, {{"summary", "b"}}}}});
    CHECK_FALSE(ok(no_project));
    CHECK(text(no_project).find("issues[1].project_key") != std::string::npos);

    const std::string label = s.cloud() ? "zz-batch-nobody-c" : "zz-batch-nobody-d";
    auto nobody = s.call("jira_batch_create_issues",
                         {{"project_key", "DEMO"},
                          {"issues", {{{"summary", "x"}, {"labels", {label}}}, {{"summary", "y"}, {"labels", {label}}, {"assignee", "zz-no-such-user-zz"}}}}});
    CHECK_FALSE(ok(nobody));
    CHECK(text(nobody).find("issues[1].assignee") != std::string::npos);
    CHECK(count(s, "labels = " + label) == 0);

    Json many = Json::array();
    for (int i = 0; i < 51; ++i) many.push_back(Json{{"summary", "n" + std::to_string(i)}});
    auto too_many = s.call("jira_batch_create_issues", {{"project_key", "DEMO"}, {"issues", many}});
    CHECK_FALSE(ok(too_many));
    CHECK(text(too_many).find("issues") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_batch_create_issues", {{"project_key", "DEMO"}, {"issues", Json::array()}})));
    CHECK_FALSE(ok(s.call("jira_batch_create_issues", {{"project_key", "DEMO"}, {"issues", {{{"summary", "x"}, {"colour", "red"}}}}})));
  }
}

TEST_CASE("clone: copies the fields and links the copy to the original") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto orig = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Clone me"}, {"issue_type", "Bug"},
                                             {"priority", "High"}, {"labels", {"zz-clone-a", "zz-clone-b"}},
                                             {"components", {"Backend", "API"}}, {"description", "Original *text* here"}});
    REQUIRE_MESSAGE(ok(orig), text(orig));
    const std::string key = orig["structuredContent"]["key"];

    auto c = s.call("jira_clone_issue", {{"issue_key", key}});
    REQUIRE_MESSAGE(ok(c), text(c));
    const std::string clone = c["structuredContent"]["key"];
    CHECK(clone != key);
    CHECK(c["structuredContent"]["original"] == key);
    CHECK(c["structuredContent"]["link_type"] == "Cloners");
    CHECK(text(c).find(clone + " clones " + key) != std::string::npos);

    const std::string fields = "summary,issuetype,priority,labels,components,description,issuelinks,project";
    auto a = fetch(s, key, fields), b = fetch(s, clone, fields);
    CHECK(b["fields"]["summary"] == "CLONE - Clone me");
    CHECK(b["fields"]["issuetype"]["name"] == "Bug");
    CHECK(b["fields"]["priority"]["name"] == "High");
    CHECK(names(b["fields"]["labels"]) == names(a["fields"]["labels"]));
    CHECK(names(b["fields"]["components"]) == std::vector<std::string>{"API", "Backend"});
    CHECK(b["fields"]["description"] == a["fields"]["description"]);
    bool linked = false;
    for (const auto& l : b["fields"]["issuelinks"]) {
      if (l["type"]["name"] == "Cloners" && l.contains("outwardIssue") && l["outwardIssue"]["key"] == key) linked = true;
    }
    CHECK(linked);
    // Seen from the original, the copy is its cloner.
    CHECK(text(s.call("jira_get_issue", {{"issue_key", key}})).find("is cloned by " + clone) != std::string::npos);
  }
}

TEST_CASE("clone: another project, own summary, no link, and failures") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto orig = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Move me"}, {"components", {"Backend"}}});
    REQUIRE_MESSAGE(ok(orig), text(orig));
    const std::string key = orig["structuredContent"]["key"];
    auto c = s.call("jira_clone_issue", {{"issue_key", key}, {"project_key", "WEB"}, {"summary", "Moved copy"}, {"link", false}});
    REQUIRE_MESSAGE(ok(c), text(c));
    const std::string clone = c["structuredContent"]["key"];
    CHECK(clone.rfind("WEB-", 0) == 0);
    CHECK(c["structuredContent"]["components_not_copied"] == Json::array({"Backend"}));
    CHECK(text(c).find("Backend") != std::string::npos);
    auto b = fetch(s, clone, "summary,components,issuelinks,issuetype");
    CHECK(b["fields"]["summary"] == "Moved copy");
    CHECK(b["fields"]["issuetype"]["name"] == "Task");
    CHECK(b["fields"].value("components", Json::array()).empty());
    CHECK(b["fields"].value("issuelinks", Json::array()).empty());

    auto prefixed = s.call("jira_clone_issue", {{"issue_key", key}, {"summary_prefix", "[v2] "}, {"link", false}});
    REQUIRE(ok(prefixed));
    CHECK(fetch(s, prefixed["structuredContent"]["key"], "summary")["fields"]["summary"] == "[v2] Move me");

    auto missing = s.call("jira_clone_issue", {{"issue_key", "DEMO-999999"}});
    CHECK_FALSE(ok(missing));
    CHECK(text(missing).find("DEMO-999999") != std::string::npos);
    auto no_project = s.call("jira_clone_issue", {{"issue_key", key}, {"project_key", "NOPE"}});
    CHECK_FALSE(ok(no_project));
    CHECK_FALSE(ok(s.call("jira_clone_issue", {{"issue_key", "not a key"}})));
  }
}

// Every tool that declares an outputSchema, called with arguments that succeed: its
// structuredContent must validate against that schema. Tools of the toolsets listed below must have
// a sample here; tools of other toolsets without one are reported and skipped.
TEST_CASE("output schemas: structuredContent validates for every tool that declares one") {
  const std::set<std::string> must_cover = {"issues", "comments", "users", "transitions", "projects", "components", "versions", "labels", "bulk", "server",
                                            "attachments", "agile"};
  std::map<std::string, std::string> toolset_of;
  for (const auto& info : tools::catalog()) toolset_of[info.name] = info.toolset;
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto made = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Schema sample"}});
    REQUIRE(ok(made));
    const std::string key = made["structuredContent"]["key"];
    const std::string tag = s.cloud() ? "c" : "d";
    auto comp = s.call("jira_create_component", {{"project_key", "DEMO"}, {"name", "zz-schema-comp-" + tag}});
    REQUIRE(ok(comp));
    auto ver = s.call("jira_create_version", {{"project_key", "DEMO"}, {"name", "zz-schema-ver-" + tag}});
    REQUIRE(ok(ver));
    auto epics = s.call("jira_search", {{"jql", "project = DEMO AND issuetype = Epic"}, {"max_results", 1}});
    REQUIRE(ok(epics));
    REQUIRE(epics["structuredContent"]["issues"].size() == 1);
    const std::string epic = epics["structuredContent"]["issues"][0]["key"];
    auto me = s.call("jira_get_current_user");
    REQUIRE(ok(me));
    const std::string who = s.cloud() ? me["structuredContent"]["accountId"].get<std::string>()
                                      : me["structuredContent"]["name"].get<std::string>();
    auto open_sprints = s.call("jira_list_sprints", {{"board_id", "1"}});
    REQUIRE(ok(open_sprints));
    REQUIRE(open_sprints["structuredContent"]["sprints"].size() > 0);
    const std::string open_sprint = open_sprints["structuredContent"]["sprints"][0]["id"];
    const std::map<std::string, Json> samples = {
        {"jira_get_issues", {{"issue_keys", {key, "DEMO-99999"}}}},
        {"jira_update_issue", {{"issue_key", key}, {"summary", "Schema sample, renamed"}}},
        {"jira_get_comments", {{"issue_key", key}}},
        {"jira_add_comment", {{"issue_key", key}, {"body", "schema"}}},
        {"jira_get_current_user", Json::object()},
        {"jira_get_user", {{"user", who}}},
        {"jira_add_issues_to_sprint", {{"sprint_id", open_sprint}, {"issue_keys", {key}}}},
        {"jira_move_issues_to_backlog", {{"issue_keys", {key}}}},
        {"jira_rank_issues", {{"issue_keys", {key}}, {"before", "DEMO-1"}}},
        {"jira_upload_attachment", {{"issue_key", key}, {"filename", "schema.txt"}, {"content_base64", "aGVsbG8="}}},
        {"jira_list_attachments", {{"issue_key", "DEMO-1"}}},
        {"jira_get_issue_images", {{"issue_key", "DEMO-1"}}},
        {"jira_list_boards", Json::object()},
        {"jira_get_board_issues", {{"board_id", "1"}, {"max_results", 3}}},
        {"jira_list_sprints", {{"board_id", "1"}}},
        {"jira_get_sprint", {{"sprint_id", "3"}}},
        {"jira_get_sprint_issues", {{"sprint_id", "3"}, {"max_results", 3}}},
        {"jira_create_sprint", {{"board_id", "4"}, {"name", "zz-schema-sprint-" + tag}}},
        {"jira_update_sprint", {{"sprint_id", "3"}, {"goal", "Schema goal"}}},
        {"jira_get_epic_issues", {{"epic_key", epic}, {"max_results", 3}}},
        {"jira_get_issue", {{"issue_key", key}}},
        {"jira_search", {{"jql", "project = DEMO"}, {"max_results", 3}}},
        {"jira_count_issues", {{"jql", "project = DEMO"}}},
        {"jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Schema sample 2"}}},
        {"jira_get_transitions", {{"issue_key", key}}},
        {"jira_transition_issue", {{"issue_key", key}, {"transition", "In Progress"}}},
        {"jira_server_status", Json::object()},
        {"jira_batch_create_issues", {{"project_key", "DEMO"}, {"issues", {{{"summary", "Schema batch"}}}}}},
        {"jira_clone_issue", {{"issue_key", key}}},
        {"jira_list_projects", Json::object()},
        {"jira_get_project", {{"project_key", "DEMO"}}},
        {"jira_get_project_issue_types", {{"project_key", "DEMO"}}},
        {"jira_get_create_fields", {{"project_key", "DEMO"}, {"issue_type", "Bug"}}},
        {"jira_get_edit_fields", {{"issue_key", key}}},
        {"jira_search_fields", {{"query", "sever"}}},
        {"jira_get_field_options", {{"project_key", "DEMO"}, {"issue_type", "Bug"}, {"field", "Severity"}}},
        {"jira_list_priorities", Json::object()},
        {"jira_list_statuses", {{"project_key", "DEMO"}}},
        {"jira_get_project_metadata", {{"project_key", "DEMO"}}},
        {"jira_list_components", {{"project_key", "DEMO"}}},
        {"jira_create_component", {{"project_key", "DEMO"}, {"name", "zz-schema-comp2-" + tag}}},
        {"jira_update_component", {{"component_id", comp["structuredContent"]["id"]}, {"description", "d"}}},
        {"jira_list_versions", {{"project_key", "DEMO"}, {"include_archived", true}}},
        {"jira_create_version", {{"project_key", "DEMO"}, {"name", "zz-schema-ver2-" + tag}, {"release_date", "2099-01-02"}}},
        {"jira_update_version", {{"version_id", ver["structuredContent"]["id"]}, {"start_date", "2098-01-02"}}},
        {"jira_list_labels", Json::object()},
        {"jira_update_labels", {{"issue_key", key}, {"add", {"zz-schema"}}}},
        {"jira_bulk_update_issues", {{"issue_keys", {key}}, {"update", {{"priority", "Low"}}}}},
        {"jira_bulk_transition_issues", {{"issue_keys", {key}}, {"transition", "Done"}}},
        {"jira_bulk_add_comments", {{"items", {{{"issue_key", key}, {"body", "schema"}}}}}},
    };
    auto listed = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", "l"}, {"method", "tools/list"}}, s.session);
    REQUIRE(listed);
    int validated = 0;
    std::string skipped;
    for (const auto& tool : (*listed)["result"]["tools"]) {
      if (!tool.contains("outputSchema")) continue;
      const std::string name = tool["name"];
      CAPTURE(name);
      auto sample = samples.find(name);
      if (sample == samples.end()) {
        CHECK_MESSAGE(must_cover.count(toolset_of[name]) == 0, "no sample arguments for " << name);
        skipped += (skipped.empty() ? "" : ", ") + name;
        continue;
      }
      auto schema = core::JsonSchema::compile(tool["outputSchema"]);
      REQUIRE(schema.ok());
      auto r = s.call(name, sample->second);
      if (name == "jira_list_labels" && !s.cloud()) {
        CHECK_FALSE(ok(r));  // Data Center has no label list
        continue;
      }
      REQUIRE_MESSAGE(ok(r), text(r));
      REQUIRE(r.contains("structuredContent"));
      auto violations = schema->validate(r["structuredContent"]);
      CHECK_MESSAGE(violations.empty(), core::describe(violations, "structuredContent"));
      ++validated;
    }
    CHECK(validated >= 25);
    if (!skipped.empty()) MESSAGE("no sample arguments, not validated here: " << skipped);
  }
}
