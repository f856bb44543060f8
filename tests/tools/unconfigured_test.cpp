// The tools of a server whose configuration cannot be used: the same listing as a working
// server's, every call an error carrying the message, and nothing that needs Jira.
#include <doctest/doctest.h>

#include "jira_mcp/tools/tools.hpp"
#include "support/recording_peer.hpp"

using namespace jira_mcp;

namespace {

std::shared_ptr<const mcp::Registry> frozen(mcp::RegistryBuilder& b) {
  auto r = b.freeze();
  REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
  return *r;
}

// What a working server lists for `selection` (no client is needed to list).
std::shared_ptr<const mcp::Registry> working(const tools::Selection& selection) {
  mcp::RegistryBuilder b;
  REQUIRE(tools::register_tools(b, std::make_shared<const tools::Services>(), selection).ok());
  return frozen(b);
}

std::shared_ptr<const mcp::Registry> unconfigured(const tools::Selection& selection, const std::string& message) {
  mcp::RegistryBuilder b;
  REQUIRE(tools::register_unconfigured_tools(b, selection, message).ok());
  return frozen(b);
}

}  // namespace

TEST_CASE("an unusable configuration lists exactly the tools a working one would, and every call is the message") {
  const tools::Selection selection{{"issues", "agile"}, {"jira_add_watcher"}, {"jira_delete_issue"}, false};
  const auto real = working(selection);
  const auto errors = unconfigured(selection, "the problem and its fix");
  REQUIRE(errors->tools().size() == real->tools().size());
  for (std::size_t i = 0; i < real->tools().size(); ++i) {
    CAPTURE(real->tools()[i].spec.name);
    CHECK(errors->tools()[i].listing == real->tools()[i].listing);  // name, schemas, annotations
  }
  CHECK(errors->resources().empty());
  CHECK(errors->templates().empty());
  CHECK(errors->prompts().empty());
  testing::RecordingPeer peer;
  mcp::Session session(peer);
  for (const auto& tool : errors->tools()) {
    mcp::RequestContext ctx(session, Json(1), nullptr, std::nullopt);
    const mcp::ToolResult r = tool.spec.handler(Json::object(), ctx);
    CHECK(r.is_error);
    CHECK(r.to_json()["content"][0]["text"] == "the problem and its fix");
  }
}

TEST_CASE("when the selection itself is wrong, the default selection is listed, read-only kept") {
  for (bool read_only : {false, true}) {
    CAPTURE(read_only);
    const auto expected = working(tools::Selection{{}, {}, {}, read_only});
    const auto listed = unconfigured(tools::Selection{{"issues", "no_such_toolset"}, {}, {}, read_only}, "x");
    REQUIRE(listed->tools().size() == expected->tools().size());
    for (std::size_t i = 0; i < expected->tools().size(); ++i) {
      CHECK(listed->tools()[i].spec.name == expected->tools()[i].spec.name);
    }
    const auto bad_tool = unconfigured(tools::Selection{{}, {"jira_no_such_tool"}, {}, read_only}, "x");
    CHECK(bad_tool->tools().size() == expected->tools().size());
  }
}

TEST_CASE("unconfigured_message keeps the problem and says how to check the fix") {
  const std::string m = tools::unconfigured_message("jira.url = \"x\" (from environment variable JIRA_URL): bad");
  CHECK(m.find("jira.url = \"x\" (from environment variable JIRA_URL): bad") != std::string::npos);
  CHECK(m.find("run `jira-mcp --doctor` to check") != std::string::npos);
  CHECK(m.find("Nothing was sent to Jira") != std::string::npos);
}
