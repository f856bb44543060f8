// JQL parser and evaluator, driven directly on a seeded World (no HTTP).
#include <doctest/doctest.h>

#include "sandbox/jql.hpp"

using namespace jira_mcp::sandbox;
using namespace jira_mcp::sandbox::detail;

namespace {
constexpr Millis kNow = 1'735'689'600'000;  // 2025-01-01T00:00:00Z

struct Fixture {
  World w;
  explicit Fixture(Flavor f = Flavor::Cloud, int n = 200) {
    w.flavor = f;
    w.base_url = "http://sandbox";
    w.now = [] { return kNow; };
    seed_store(w.store, f, n, 42, kNow);
  }
  std::vector<const Issue*> run(const std::string& jql) {
    auto r = run_jql(jql, w, 0);
    REQUIRE_MESSAGE(r.ok(), (r.ok() ? "" : r.error().message));
    return *r;
  }
  std::string error(const std::string& jql) {
    auto r = run_jql(jql, w, 0);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  }
};
}  // namespace

TEST_CASE("jql parser builds precedence: AND binds tighter than OR") {
  auto q = parse_jql("project = DEMO OR project = OPS AND status = Done");
  REQUIRE(q.ok());
  REQUIRE(q->where->kind == JqlNode::Kind::Or);
  CHECK(q->where->children[1]->kind == JqlNode::Kind::And);
}

TEST_CASE("jql parser handles lists, functions, quoting, keywords in any case and ORDER BY") {
  auto q = parse_jql("Project in (DEMO, \"OPS\") and NOT assignee = currentUser() "
                     "order by priority DESC, created asc");
  REQUIRE(q.ok());
  CHECK(q->order.size() == 2);
  CHECK(q->order[0].desc);
  CHECK_FALSE(q->order[1].desc);
  CHECK(q->where->children[0]->values.size() == 2);
  CHECK(q->where->children[0]->list);
  CHECK(q->where->children[1]->kind == JqlNode::Kind::Not);
  CHECK(q->where->children[1]->children[0]->values[0].kind == JqlValue::Kind::Function);
  auto only_order = parse_jql("ORDER BY key");
  REQUIRE(only_order.ok());
  CHECK(only_order->where == nullptr);
}

TEST_CASE("jql syntax errors use Jira's wording and position") {
  auto e1 = parse_jql("project DEMO");
  REQUIRE_FALSE(e1.ok());
  CHECK(e1.error().message.rfind("Error in the JQL Query: Expecting operator but got 'DEMO'", 0) == 0);
  CHECK(e1.error().message.find("(line 1, character 9)") != std::string::npos);
  auto e2 = parse_jql("project = ");
  REQUIRE_FALSE(e2.ok());
  CHECK(e2.error().message.find("Expecting either a value, list or function but got 'EOF'") != std::string::npos);
  CHECK_FALSE(parse_jql("(project = DEMO").ok());
  CHECK_FALSE(parse_jql("summary ~ \"unterminated").ok());
  CHECK_FALSE(parse_jql("project = DEMO status = Done").ok());
}

TEST_CASE("jql validation rejects unknown fields, values, functions and operators") {
  Fixture f;
  CHECK(f.error("nosuchfield = 1") ==
        "Field 'nosuchfield' does not exist or you do not have permission to view it.");
  CHECK(f.error("project = NOPE") == "The value 'NOPE' does not exist for the field 'project'.");
  CHECK(f.error("status = Whatever") == "The value 'Whatever' does not exist for the field 'status'.");
  CHECK(f.error("assignee = nobody()") == "Unable to find JQL function 'nobody()'.");
  CHECK(f.error("summary = foo").find("The operator '=' is not supported") == 0);
  CHECK(f.error("created > yesterday").find("Date value 'yesterday'") == 0);
}

TEST_CASE("jql evaluates equality, IN, NOT IN, != and EMPTY") {
  Fixture f;
  const auto demo = f.run("project = DEMO");
  CHECK(demo.size() == 50);
  for (auto* i : demo) CHECK(i->project_key == "DEMO");
  CHECK(f.run("project in (DEMO, OPS)").size() == 100);
  CHECK(f.run("project not in (DEMO, OPS)").size() == 100);
  const auto unassigned = f.run("assignee is EMPTY");
  for (auto* i : unassigned) CHECK(i->assignee == -1);
  const auto assigned = f.run("assignee is not empty");
  CHECK(unassigned.size() + assigned.size() == 200);
  // != never matches EMPTY values, as in Jira.
  const auto not_alice = f.run("assignee != alice");
  for (auto* i : not_alice) CHECK((i->assignee != 0 && i->assignee != -1));
  CHECK(f.run("assignee = currentUser()").size() == f.run("assignee = alice").size());
  CHECK(f.run("assignee = \"alice@example.com\"").size() == f.run("assignee = alice").size());
}

TEST_CASE("jql key, type, status category, labels, sprint functions and parent") {
  Fixture f;
  auto one = f.run("key = DEMO-1");
  REQUIRE(one.size() == 1);
  CHECK(one[0]->key == "DEMO-1");
  CHECK(f.run("issuekey in (DEMO-1, OPS-1)").size() == 2);
  for (auto* i : f.run("type = Epic")) CHECK(i->type_id == "10000");
  for (auto* i : f.run("statusCategory = Done")) CHECK(i->status_id == "10002");
  for (auto* i : f.run("statusCategory != Done")) CHECK(i->status_id != "10002");
  for (auto* i : f.run("labels = backend"))
    CHECK(std::find(i->labels.begin(), i->labels.end(), "backend") != i->labels.end());
  const auto open = f.run("sprint in openSprints()");
  CHECK_FALSE(open.empty());
  for (auto* i : open) {
    bool active = false;
    for (auto s : i->sprints) active = active || f.w.store.sprints.at(s).state == "active";
    CHECK(active);
  }
  const auto subtasks = f.run("type = Sub-task");
  REQUIRE_FALSE(subtasks.empty());
  const Issue* parent = f.w.store.issue_by_id(subtasks[0]->parent_id);
  const auto children = f.run("parent = " + parent->key);
  CHECK(std::find(children.begin(), children.end(), subtasks[0]) != children.end());
}

TEST_CASE("jql text search, dates, AND/OR/NOT and ORDER BY") {
  Fixture f;
  for (auto* i : f.run("summary ~ \"login flow\"")) CHECK(icontains(i->summary, "login"));
  CHECK(f.run("text ~ Welcome").size() >= 4);
  const auto recent = f.run("created >= -30d");
  for (auto* i : recent) CHECK(i->created >= kNow - 30 * kDay);
  const auto old = f.run("created < -30d");
  CHECK(recent.size() + old.size() == 200);
  CHECK(f.run("created > \"2024-12-01\"").size() == f.run("created > startOfDay(-31d)").size());
  const auto mixed = f.run("(project = DEMO OR project = OPS) AND NOT status = Done");
  for (auto* i : mixed) {
    CHECK((i->project_key == "DEMO" || i->project_key == "OPS"));
    CHECK(i->status_id != "10002");
  }
  const auto by_created = f.run("project = WEB ORDER BY created ASC");
  for (std::size_t i = 1; i < by_created.size(); ++i) CHECK(by_created[i - 1]->created <= by_created[i]->created);
  const auto by_prio = f.run("project = WEB ORDER BY priority DESC, key ASC");
  for (std::size_t i = 1; i < by_prio.size(); ++i)
    CHECK(std::stoi(by_prio[i - 1]->priority_id) <= std::stoi(by_prio[i]->priority_id));
  const auto unbounded = run_jql("order by created", f.w, 0, true);
  REQUIRE_FALSE(unbounded.ok());
  CHECK(unbounded.error().message.find("Unbounded JQL") == 0);
}

TEST_CASE("the seeded dataset is deterministic and DEMO-1 exists") {
  Fixture a, b;
  REQUIRE(a.w.store.find_issue("DEMO-1"));
  CHECK(a.w.store.issues.size() == 200);
  for (const auto& [id, is] : a.w.store.issues) {
    const Issue* other = b.w.store.issue_by_id(id);
    REQUIRE(other);
    CHECK(other->summary == is.summary);
    CHECK(other->status_id == is.status_id);
  }
  Fixture dc(Flavor::DataCenter, 50);
  CHECK(dc.w.store.find_issue("DEMO-1")->description.is_string());
  CHECK(a.w.store.find_issue("DEMO-1")->description.is_object());
}
