// Tool selection as users of other servers write it: "did you mean", mcp-atlassian's tool and
// toolset names, and its environment variables end to end (config -> selection -> tools/list).
#include <doctest/doctest.h>

#include <set>

#include "jira_mcp/config/config.hpp"
#include "support/paths.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

namespace {

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string error_of(const tools::Selection& selection) {
  auto r = tools::resolve_selection(selection);
  if (r) FAIL("expected an error");
  return r.error().message;
}

tools::Selection selection_from_env(const std::map<std::string, std::string>& env) {
  const char* argv[] = {"jira-mcp"};
  auto parsed = config::parse(1, argv, env, "test");
  if (!parsed) FAIL(parsed.error().message);
  const auto& cfg = std::get<config::Startup>(*parsed).config.tools;
  return tools::Selection{cfg.toolsets, cfg.enabled_tools, cfg.disabled_tools, cfg.read_only};
}

std::set<std::string> write_tools() {
  std::set<std::string> out;
  for (const auto& t : tools::catalog()) {
    if (!t.read_only) out.insert(t.name);
  }
  return out;
}

}  // namespace

TEST_CASE("an unknown toolset or tool gets a did-you-mean") {
  CHECK(has(error_of({{"isues"}, {}, {}, false}), "unknown toolset 'isues' in tools.toolsets: did you mean 'issues'?"));
  CHECK(has(error_of({{"Agile"}, {}, {}, false}), "did you mean 'agile'?"));
  CHECK(has(error_of({{}, {"jira_get_isue"}, {}, false}),
            "unknown tool 'jira_get_isue' in tools.enabled_tools: did you mean 'jira_get_issue'?"));
  CHECK(has(error_of({{}, {}, {"get_issue"}, false}),
            "unknown tool 'get_issue' in tools.disabled_tools: did you mean 'jira_get_issue'?"));
  // Nothing close: the list of choices instead.
  CHECK(has(error_of({{"xyzzy-plugh"}, {}, {}, false}), "choose from: all, default, none, issues"));
  // Every unknown name is reported at once, one per line.
  const auto both = error_of({{"isues"}, {"jira_serch"}, {}, false});
  CHECK(has(both, "'isues'"));
  CHECK(has(both, "did you mean 'jira_search'?"));
  // register_tools refuses exactly what resolve_selection refuses.
  mcp::RegistryBuilder b;
  auto r = tools::register_tools(b, std::make_shared<tools::Services>(), {{"isues"}, {}, {}, false});
  REQUIRE_FALSE(r.ok());
  CHECK(has(r.error().message, "did you mean 'issues'?"));
}

TEST_CASE("mcp-atlassian's tool names are accepted where one of ours is equivalent, with a note") {
  std::set<std::string> ours;
  for (const auto& t : tools::catalog()) ours.insert(t.name);
  for (const auto& a : tools::tool_aliases()) {
    CAPTURE(a.theirs);
    CHECK(ours.count(std::string(a.ours)) == 1);    // the target exists
    CHECK(ours.count(std::string(a.theirs)) == 0);  // and the alias shadows nothing
  }
  auto r = tools::resolve_selection({{"none"}, {"jira_get_agile_boards", "jira_get_user_profile", "jira_get_issue"},
                                     {"jira_get_worklog"}, false});
  REQUIRE(r.ok());
  CHECK(r->enabled_tools == std::vector<std::string>{"jira_list_boards", "jira_get_user", "jira_get_issue"});
  CHECK(r->disabled_tools == std::vector<std::string>{"jira_get_worklogs"});
  CHECK(r->toolsets.empty());
  REQUIRE(r->notes.size() == 3);
  CHECK(has(r->notes[0], "tool 'jira_get_agile_boards' in tools.enabled_tools (mcp-atlassian's name) is taken as "
                         "'jira_list_boards'"));

  Stack stack(sandbox::Flavor::Cloud, tools::Selection{{"none"}, {"jira_get_sprints_from_board", "confluence_search"}, {}, false});
  const auto names = stack.listed();
  CHECK(std::set<std::string>(names.begin(), names.end()) == std::set<std::string>{"jira_list_sprints"});
}

TEST_CASE("mcp-atlassian's toolset names map to ours; Confluence and unmatched ones are ignored with a note") {
  for (const auto& a : tools::toolset_aliases()) {
    CAPTURE(a.theirs);
    const auto all = tools::toolsets();
    CHECK(std::find(all.begin(), all.end(), std::string(a.ours)) != all.end());
  }
  auto r = tools::resolve_selection({{"jira_issues", "jira_agile", "confluence_pages", "jira_service_desk"}, {}, {}, false});
  REQUIRE(r.ok());
  CHECK(r->toolsets == std::vector<std::string>{"issues", "agile"});
  CHECK(r->notes.size() == 4);
  CHECK(has(error_of({{"jira_isues"}, {}, {}, false}), "did you mean 'jira_issues'?"));
}

TEST_CASE("READ_ONLY_MODE=true hides every write tool, whatever the toolsets") {
  const auto writes = write_tools();
  REQUIRE(writes.size() > 10);
  Stack stack(sandbox::Flavor::Cloud, selection_from_env({{"READ_ONLY_MODE", "true"}, {"TOOLSETS", "all"}}));
  const auto names = stack.listed();
  CHECK(names.size() + writes.size() == tools::catalog().size());
  for (const auto& n : names) {
    CAPTURE(n);
    CHECK(writes.count(n) == 0);
  }
  // And a write tool named explicitly stays hidden.
  Stack named(sandbox::Flavor::Cloud,
              selection_from_env({{"READ_ONLY_MODE", "1"}, {"ENABLED_TOOLS", "jira_create_issue,jira_get_issue"}}));
  CHECK(named.listed() == std::vector<std::string>{"jira_get_issue"});
}

TEST_CASE("ENABLED_TOOLS alone offers just those tools, as in mcp-atlassian") {
  Stack stack(sandbox::Flavor::Cloud, selection_from_env({{"ENABLED_TOOLS", "jira_get_issue, jira_search"}}));
  const auto names = stack.listed();
  CHECK(std::set<std::string>(names.begin(), names.end()) == std::set<std::string>{"jira_get_issue", "jira_search"});
}

TEST_CASE("the README's mcp-atlassian section lists every tool and toolset alias") {
  const auto section = jira_mcp::testing::readme_section("### Coming from mcp-atlassian");
  REQUIRE(!section.empty());
  for (const auto table : {tools::tool_aliases(), tools::toolset_aliases()}) {
    for (const auto& a : table) {
      CAPTURE(a.theirs);
      const auto at = section.find("`" + std::string(a.theirs) + "` |");
      REQUIRE(at != std::string::npos);
      const auto row = section.substr(at, section.find('\n', at) - at);
      CHECK(has(row, "`" + std::string(a.ours) + "`"));
    }
  }
}

TEST_CASE("ResolvedSelection::offers is what tools/list shows") {
  const tools::Selection selection{{"comments"}, {"jira_get_issue", "jira_create_issue"}, {"jira_delete_comment"}, true};
  auto r = tools::resolve_selection(selection);
  REQUIRE(r.ok());
  std::set<std::string> offered;
  for (const auto& t : tools::catalog()) {
    if (r->offers(t)) offered.insert(t.name);
  }
  Stack stack(sandbox::Flavor::Cloud, selection);
  const auto names = stack.listed();
  CHECK(std::set<std::string>(names.begin(), names.end()) == offered);
  CHECK(offered == std::set<std::string>{"jira_get_issue", "jira_get_comments"});
}
