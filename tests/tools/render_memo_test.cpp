// The render memo serves a repeated jira_get_issue of a cached issue without rendering it again,
// yet never answers with a rendering of a document the cache has since replaced.
#include "jira_mcp/tools/render_memo.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

TEST_CASE("render memo: a repeated read reuses the rendering; an edit and another format do not") {
  FOR_EACH_FLAVOR(flavor) {
    cache::Options co;
    co.clock = std::make_shared<FakeClock>();
    auto cache = std::make_shared<cache::Cache>(co);
    Stack s(flavor, {{"all"}, {}, {}, false}, 40000, cache);
    auto memo = std::make_shared<tools::RenderMemo>(1 << 20, 256);
    s.services->render_memo = memo;

    auto first = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}});
    REQUIRE_MESSAGE(ok(first), text(first));
    CHECK(memo->stats().stores == 1);
    auto second = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(second));
    CHECK(memo->stats().hits == 1);
    CHECK(text(second) == text(first));

    // Another rendering of the same document is its own entry.
    auto as_json = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"format", "json"}});
    REQUIRE(ok(as_json));
    CHECK(memo->stats().hits == 1);
    CHECK(Json::parse(text(as_json))["key"] == "DEMO-1");

    // A write replaces the cached document: the next read renders the new one.
    auto edit = s.call("jira_update_issue", {{"issue_key", "DEMO-1"}, {"summary", "Renamed under the memo"}});
    REQUIRE_MESSAGE(ok(edit), text(edit));
    auto after = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(after));
    CHECK(text(after).find("Renamed under the memo") != std::string::npos);
    auto after_json = s.call("jira_get_issue", {{"issue_key", "DEMO-1"}, {"format", "json"}});
    REQUIRE(ok(after_json));
    CHECK(Json::parse(text(after_json))["summary"] == "Renamed under the memo");
  }
}

TEST_CASE("render memo: bounded by entries, and a dead document's entry is never served") {
  tools::RenderMemo memo(1 << 20, 8);  // one entry per shard
  auto result = std::make_shared<const mcp::ToolResult>(mcp::ToolResult::text("rendered"));
  std::vector<std::shared_ptr<const Json>> docs;
  std::vector<std::shared_ptr<const Json>> holders;  // the "cache" keeping each document alive
  for (int i = 0; i < 64; ++i) {
    docs.push_back(std::make_shared<const Json>(Json{{"i", i}}));
    holders.push_back(docs.back());
    memo.store(docs.back(), "v", result);
  }
  CHECK(memo.stats().entries <= 8);
  CHECK(memo.stats().evictions >= 56);

  auto doc = std::make_shared<const Json>(Json{{"k", 1}});
  auto holder = doc;
  memo.store(doc, "v", result);
  CHECK(memo.find(doc, "v") != nullptr);
  CHECK(memo.find(doc, "other") == nullptr);
  // Alone (use_count 1): not stored.
  auto lonely = std::make_shared<const Json>(Json{{"k", 2}});
  memo.store(lonely, "v", result);
  CHECK(memo.find(lonely, "v") == nullptr);
}
