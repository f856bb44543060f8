// Every tool through the real dispatcher, against the built-in sandbox over loopback HTTP, in
// both the Cloud and the Data Center flavour.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "jira_mcp/core/json_schema.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/tools/tools.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

TEST_CASE("projects: list, get, issue types, statuses, priorities") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto all = s.call("jira_list_projects");
    REQUIRE_MESSAGE(ok(all), text(all));
    CHECK(all["structuredContent"]["projects"].size() == 4);
    CHECK(all["structuredContent"]["total"] == 4);
    CHECK(text(all).find("**DEMO** Demo Project") != std::string::npos);
    auto page = s.call("jira_list_projects", {{"max_results", 2}, {"start_at", 1}});
    REQUIRE(ok(page));
    CHECK(page["structuredContent"]["projects"].size() == 2);
    CHECK(page["structuredContent"]["is_last"] == false);
    CHECK(text(page).find("start_at 3") != std::string::npos);
    auto filtered = s.call("jira_list_projects", {{"query", "demo"}});
    REQUIRE(filtered["structuredContent"]["projects"].size() == 1);
    CHECK(filtered["structuredContent"]["projects"][0]["key"] == "DEMO");
    CHECK(s.call("jira_list_projects", {{"query", "zzz-none"}})["structuredContent"]["projects"].empty());
    CHECK_FALSE(ok(s.call("jira_list_projects", {{"max_results", 0}})));

    auto demo = s.call("jira_get_project", {{"project_key", "DEMO"}});
    REQUIRE(ok(demo));
    CHECK(text(demo).rfind("# DEMO: Demo Project", 0) == 0);
    CHECK(text(demo).find("Backend") != std::string::npos);
    CHECK(text(demo).find("Bug") != std::string::npos);
    auto missing = s.call("jira_get_project", {{"project_key", "NOPE"}});
    CHECK_FALSE(ok(missing));
    CHECK(text(missing).find("NOPE") != std::string::npos);
    auto bad_key = s.call("jira_get_project", {{"project_key", "no/such"}});
    CHECK_FALSE(ok(bad_key));
    CHECK(text(bad_key).find("project_key") != std::string::npos);

    auto types = s.call("jira_get_project_issue_types", {{"project_key", "DEMO"}});
    REQUIRE(ok(types));
    CHECK(types["structuredContent"]["issue_types"].size() == 5);
    CHECK(text(types).find("Sub-task (id 10004) — subtask") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_get_project_issue_types", {{"project_key", "NOPE"}})));

    auto prios = s.call("jira_list_priorities");
    REQUIRE(ok(prios));
    CHECK(text(prios).find("High") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_list_priorities", {{"unexpected", 1}})));

    auto statuses = s.call("jira_list_statuses");
    REQUIRE(ok(statuses));
    CHECK(text(statuses).find("In Progress") != std::string::npos);
    auto project_statuses = s.call("jira_list_statuses", {{"project_key", "DEMO"}});
    REQUIRE(ok(project_statuses));
    // Shared by every issue type, listed once.
    CHECK(project_statuses["structuredContent"]["statuses"].size() == statuses["structuredContent"]["statuses"].size());
    CHECK_FALSE(ok(s.call("jira_list_statuses", {{"project_key", "NOPE"}})));
  }
}

TEST_CASE("projects: create and edit fields, field search and options, metadata") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto by_name = s.call("jira_get_create_fields", {{"project_key", "DEMO"}, {"issue_type", "bug"}});
    REQUIRE_MESSAGE(ok(by_name), text(by_name));
    CHECK(by_name["structuredContent"]["issue_type"] == "Bug");
    CHECK(text(by_name).find("**Summary** `summary` string — required") != std::string::npos);
    CHECK(text(by_name).find("Severity") != std::string::npos);
    auto by_id = s.call("jira_get_create_fields", {{"project_key", "DEMO"}, {"issue_type", "10003"}, {"required_only", true}});
    REQUIRE(ok(by_id));
    for (const auto& f : by_id["structuredContent"]["fields"]) CHECK(f["required"] == true);
    CHECK(by_id["structuredContent"]["fields"].size() < by_name["structuredContent"]["fields"].size());
    auto bad_type = s.call("jira_get_create_fields", {{"project_key", "DEMO"}, {"issue_type", "Meeting"}});
    CHECK_FALSE(ok(bad_type));
    CHECK(text(bad_type).find("issue_type") != std::string::npos);
    CHECK(text(bad_type).find("Story (id 10001)") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_get_create_fields", {{"project_key", "NOPE"}, {"issue_type", "Bug"}})));

    auto edit = s.call("jira_get_edit_fields", {{"issue_key", "DEMO-1"}});
    REQUIRE_MESSAGE(ok(edit), text(edit));
    CHECK(text(edit).find("`labels`") != std::string::npos);
    CHECK(text(edit).find("`status`") == std::string::npos);
    CHECK_FALSE(ok(s.call("jira_get_edit_fields", {{"issue_key", "DEMO-99999"}})));

    auto sev = s.call("jira_search_fields", {{"query", "sever"}});
    REQUIRE(ok(sev));
    REQUIRE(sev["structuredContent"]["fields"].size() == 1);
    const std::string sev_id = sev["structuredContent"]["fields"][0]["id"];
    CHECK(sev_id.rfind("customfield_", 0) == 0);
    CHECK(sev["structuredContent"]["fields"][0]["custom"] == true);
    auto customs = s.call("jira_search_fields", {{"custom_only", true}});
    for (const auto& f : customs["structuredContent"]["fields"]) CHECK(f["custom"] == true);
    auto capped = s.call("jira_search_fields", {{"max_results", 2}});
    CHECK(capped["structuredContent"]["fields"].size() == 2);
    CHECK(text(capped).find("narrow the query") != std::string::npos);
    CHECK(s.call("jira_search_fields", {{"query", "zzz-no-field"}})["structuredContent"]["fields"].empty());
    CHECK_FALSE(ok(s.call("jira_search_fields", {{"max_results", 9999}})));

    auto options = s.call("jira_get_field_options", {{"project_key", "DEMO"}, {"issue_type", "Bug"}, {"field", "Severity"}});
    REQUIRE_MESSAGE(ok(options), text(options));
    CHECK(text(options).find("- Critical (id 10100)") != std::string::npos);
    CHECK(options["structuredContent"]["id"] == sev_id);
    auto by_field_id = s.call("jira_get_field_options", {{"project_key", "DEMO"}, {"issue_type", "Bug"}, {"field", "components"}});
    REQUIRE(ok(by_field_id));
    CHECK(text(by_field_id).find("Backend") != std::string::npos);
    auto free_text = s.call("jira_get_field_options", {{"project_key", "DEMO"}, {"issue_type", "Bug"}, {"field", "summary"}});
    REQUIRE(ok(free_text));
    CHECK(text(free_text).find("no list of allowed values") != std::string::npos);
    auto no_field = s.call("jira_get_field_options", {{"project_key", "DEMO"}, {"issue_type", "Bug"}, {"field", "Mood"}});
    CHECK_FALSE(ok(no_field));
    CHECK(text(no_field).find("field") != std::string::npos);

    auto meta = s.call("jira_get_project_metadata", {{"project_key", "DEMO"}});
    REQUIRE_MESSAGE(ok(meta), text(meta));
    const Json& m = meta["structuredContent"];
    CHECK(m["project"]["key"] == "DEMO");
    CHECK(m["issue_types"].size() == 5);
    CHECK_FALSE(m["components"].empty());
    CHECK_FALSE(m["priorities"].empty());
    for (const auto& t : m["issue_types"]) {
      bool has_summary = false;
      for (const auto& f : t["required_fields"]) has_summary |= f["id"] == "summary";
      CHECK(has_summary);
      if (t["name"] == "Sub-task") CHECK(t["subtask"] == true);
    }
    CHECK(text(meta).find("## Bug (id 10003)") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_get_project_metadata", {{"project_key", "NOPE"}})));
  }
}

TEST_CASE("components: list, create, update, delete") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto list = s.call("jira_list_components", {{"project_key", "DEMO"}});
    REQUIRE(ok(list));
    const size_t before = list["structuredContent"]["components"].size();
    CHECK(text(list).find("**Backend**") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_list_components", {{"project_key", "NOPE"}})));

    auto me = s.call("jira_get_current_user");
    const std::string my_name = me["structuredContent"]["displayName"];
    auto created = s.call("jira_create_component", {{"project_key", "DEMO"}, {"name", "Billing"},
                                                    {"description", "Invoices"}, {"lead", my_name}});
    REQUIRE_MESSAGE(ok(created), text(created));
    const std::string id = created["structuredContent"]["id"];
    auto after = s.call("jira_list_components", {{"project_key", "DEMO"}});
    CHECK(after["structuredContent"]["components"].size() == before + 1);
    CHECK(text(after).find("**Billing** (id " + id + ") lead " + my_name) != std::string::npos);

    auto duplicate = s.call("jira_create_component", {{"project_key", "DEMO"}, {"name", "Billing"}});
    CHECK_FALSE(ok(duplicate));
    CHECK_FALSE(ok(s.call("jira_create_component", {{"project_key", "NOPE"}, {"name", "X"}})));
    auto nobody = s.call("jira_create_component", {{"project_key", "DEMO"}, {"name", "Y"}, {"lead", "zz-no-such-user-zz"}});
    CHECK_FALSE(ok(nobody));
    CHECK(text(nobody).find("lead") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_create_component", {{"project_key", "DEMO"}, {"name", ""}})));

    auto renamed = s.call("jira_update_component", {{"component_id", id}, {"name", "Payments"}});
    REQUIRE_MESSAGE(ok(renamed), text(renamed));
    CHECK(text(s.call("jira_list_components", {{"project_key", "DEMO"}})).find("**Payments**") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_update_component", {{"component_id", id}})));
    CHECK_FALSE(ok(s.call("jira_update_component", {{"component_id", "99999999"}, {"name", "Z"}})));
    auto bad_id = s.call("jira_update_component", {{"component_id", "abc"}, {"name", "Z"}});
    CHECK_FALSE(ok(bad_id));
    CHECK(text(bad_id).find("component_id") != std::string::npos);

    CHECK(ok(s.call("jira_delete_component", {{"component_id", id}})));
    CHECK(s.call("jira_list_components", {{"project_key", "DEMO"}})["structuredContent"]["components"].size() == before);
    CHECK_FALSE(ok(s.call("jira_delete_component", {{"component_id", id}})));
  }
}

TEST_CASE("versions: list, create, update") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto list = s.call("jira_list_versions", {{"project_key", "DEMO"}, {"include_archived", true}});
    REQUIRE(ok(list));
    const size_t before = list["structuredContent"]["versions"].size();
    CHECK_FALSE(ok(s.call("jira_list_versions", {{"project_key", "NOPE"}})));

    auto created = s.call("jira_create_version", {{"project_key", "DEMO"}, {"name", "9.9.0"}, {"description", "Next"},
                                                  {"start_date", "2026-01-05"}, {"release_date", "2099-03-31"}});
    REQUIRE_MESSAGE(ok(created), text(created));
    const std::string id = created["structuredContent"]["id"];
    CHECK(created["structuredContent"]["release_date"] == "2099-03-31");
    CHECK(text(created).find("**9.9.0**") != std::string::npos);
    auto after = s.call("jira_list_versions", {{"project_key", "DEMO"}, {"include_archived", true}});
    CHECK(after["structuredContent"]["versions"].size() == before + 1);

    CHECK_FALSE(ok(s.call("jira_create_version", {{"project_key", "DEMO"}, {"name", "9.9.0"}})));
    CHECK_FALSE(ok(s.call("jira_create_version", {{"project_key", "NOPE"}, {"name", "1.0"}})));
    auto bad_date = s.call("jira_create_version", {{"project_key", "DEMO"}, {"name", "9.9.1"}, {"release_date", "31/03/2099"}});
    CHECK_FALSE(ok(bad_date));
    CHECK(text(bad_date).find("release_date") != std::string::npos);

    auto released = s.call("jira_update_version", {{"version_id", id}, {"released", true}, {"name", "9.9.0-final"}});
    REQUIRE_MESSAGE(ok(released), text(released));
    CHECK(released["structuredContent"]["released"] == true);
    CHECK(released["structuredContent"]["name"] == "9.9.0-final");
    auto unreleased_only = s.call("jira_list_versions", {{"project_key", "DEMO"}, {"include_released", false}});
    for (const auto& v : unreleased_only["structuredContent"]["versions"]) CHECK(v["released"] == false);
    auto archived = s.call("jira_update_version", {{"version_id", id}, {"archived", true}});
    REQUIRE(ok(archived));
    CHECK(text(s.call("jira_list_versions", {{"project_key", "DEMO"}})).find("9.9.0-final") == std::string::npos);
    CHECK(text(s.call("jira_list_versions", {{"project_key", "DEMO"}, {"include_archived", true}})).find("9.9.0-final") != std::string::npos);

    CHECK_FALSE(ok(s.call("jira_update_version", {{"version_id", id}})));
    CHECK_FALSE(ok(s.call("jira_update_version", {{"version_id", "99999999"}, {"name", "x"}})));
  }
}

TEST_CASE("labels: list (Cloud only) and add/remove on an issue") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto added = s.call("jira_update_labels", {{"issue_key", "DEMO-4"}, {"add", {"zz-new-label", "zz-other"}}});
    REQUIRE_MESSAGE(ok(added), text(added));
    auto labels = added["structuredContent"]["labels"];
    CHECK(std::count(labels.begin(), labels.end(), "zz-new-label") == 1);
    CHECK(std::count(labels.begin(), labels.end(), "zz-other") == 1);
    auto removed = s.call("jira_update_labels", {{"issue_key", "DEMO-4"}, {"remove", {"zz-other"}}});
    REQUIRE(ok(removed));
    labels = removed["structuredContent"]["labels"];
    CHECK(std::count(labels.begin(), labels.end(), "zz-new-label") == 1);
    CHECK(std::count(labels.begin(), labels.end(), "zz-other") == 0);
    CHECK(text(removed).find("zz-new-label") != std::string::npos);

    auto nothing = s.call("jira_update_labels", {{"issue_key", "DEMO-4"}});
    CHECK_FALSE(ok(nothing));
    CHECK(text(nothing).find("add") != std::string::npos);
    auto spaced = s.call("jira_update_labels", {{"issue_key", "DEMO-4"}, {"add", {"two words"}}});
    CHECK_FALSE(ok(spaced));
    CHECK(text(spaced).find("add") != std::string::npos);
    CHECK_FALSE(ok(s.call("jira_update_labels", {{"issue_key", "DEMO-99999"}, {"add", {"x"}}})));

    auto list = s.call("jira_list_labels");
    if (s.cloud()) {
      REQUIRE_MESSAGE(ok(list), text(list));
      CHECK(text(list).find("zz-new-label") != std::string::npos);
      auto filtered = s.call("jira_list_labels", {{"query", "zz-new"}});
      CHECK(filtered["structuredContent"]["labels"] == Json::array({"zz-new-label"}));
      CHECK_FALSE(ok(s.call("jira_list_labels", {{"max_results", 0}})));
    } else {
      CHECK_FALSE(ok(list));
      CHECK(text(list).find("labels is not EMPTY") != std::string::npos);
    }
  }
}

TEST_CASE("projects toolsets: annotations and the default list") {
  Stack s(sandbox::Flavor::Cloud, tools::Selection{});
  auto names = s.listed();
  CHECK(names.size() < 40);
  for (const char* n : {"jira_list_projects", "jira_get_project_metadata", "jira_update_labels"}) {
    CHECK(std::count(names.begin(), names.end(), n) == 1);
  }
  CHECK(std::count(names.begin(), names.end(), "jira_create_version") == 0);
  Stack all(sandbox::Flavor::Cloud);
  auto r = all.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"}}, all.session);
  std::map<std::string, Json> by_name;
  for (const auto& t : (*r)["result"]["tools"]) by_name[t["name"]] = t["annotations"];
  CHECK(by_name.at("jira_delete_component")["destructiveHint"] == true);
  CHECK(by_name.at("jira_delete_component")["idempotentHint"] == true);
  CHECK(by_name.at("jira_create_component")["idempotentHint"] == false);
  CHECK(by_name.at("jira_create_version")["readOnlyHint"] == false);
  CHECK(by_name.at("jira_update_version")["idempotentHint"] == true);
  CHECK(by_name.at("jira_update_version")["destructiveHint"] == false);
  CHECK(by_name.at("jira_get_project_metadata")["readOnlyHint"] == true);
}
