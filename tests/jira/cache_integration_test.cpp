// The client reading through the response cache against the built-in Jira emulator: what a
// hit saves (counted by the sandbox), what a write invalidates, fresh reads, identity isolation,
// and the routing rules behind them.
#include <doctest/doctest.h>

#include "jira/cached.hpp"
#include "jira/test_servers.hpp"
#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/monitor/trace.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;
using namespace std::chrono_literals;

namespace {

const std::string kGetIssue = "GET /rest/api/3/issue/{issueIdOrKey}";
const std::string kCloudSearch = "POST /rest/api/3/search/jql";

struct CachedSite {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::unique_ptr<sandbox::Sandbox> box;
  std::shared_ptr<cache::Cache> cache;

  explicit CachedSite(sandbox::Flavor flavor, cache::Options copts = {}) {
    sandbox::Options o;
    o.flavor = flavor;
    o.issues = 20;
    o.clock = [c = clock] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(c->wall_now().time_since_epoch()).count();
    };
    box = std::make_unique<sandbox::Sandbox>(o);
    auto started = box->start();
    if (!started) throw std::runtime_error(started.error().message);
    copts.clock = clock;
    copts.jitter_percent = 0;
    cache = std::make_shared<cache::Cache>(copts);
  }

  ClientOptions options() const {
    ClientOptions o = dc_options(box->base_url(), clock);
    auto cred = box->credentials();
    o.pat.clear();
    if (box->flavor() == sandbox::Flavor::Cloud) {
      o.deployment = DeploymentMode::cloud;
      o.email = cred.email;
      o.api_token = cred.api_token;
    } else {
      o.pat = cred.pat;
    }
    o.cache = cache;
    return o;
  }
  std::uint64_t count(const std::string& route) const { return box->request_count(route); }
};

std::string summary_of(const Json& issue) { return issue["fields"]["summary"].get<std::string>(); }

// A JSON write declaring the tags it invalidates, as the tools send theirs.
Request declared(const char* method, const std::string& path, const Json& body, cache::Tags tags) {
  Request r;
  r.method = method;
  r.path = path;
  r.body = body.dump();
  r.content_type = "application/json";
  r.invalidates = std::move(tags);
  return r;
}

}  // namespace

TEST_CASE("a second read of an issue is served from the cache; an edit invalidates it") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  auto first = c->get_json("/rest/api/3/issue/DEMO-1");
  REQUIRE_MESSAGE(first.ok(), (first.ok() ? "" : first.error().to_string()));
  auto second = c->get_json("/rest/api/3/issue/DEMO-1");
  REQUIRE(second.ok());
  CHECK(second->get() == first->get());  // the very same parsed document
  CHECK(site.count(kGetIssue) == 1);
  // get() reads through the cache too.
  auto raw = c->get("/rest/api/3/issue/DEMO-1");
  REQUIRE(raw.ok());
  CHECK(raw->json().value()["key"] == "DEMO-1");
  CHECK(site.count(kGetIssue) == 1);
  CHECK(site.cache->stats()[cache::Tier::issues].hits == 2);

  auto edit = c->put("/rest/api/3/issue/DEMO-1", Json{{"fields", {{"summary", "Edited through the cache"}}}});
  REQUIRE_MESSAGE(edit.ok(), (edit.ok() ? "" : edit.error().to_string()));
  auto after = c->get_json("/rest/api/3/issue/DEMO-1");
  REQUIRE(after.ok());
  CHECK(site.count(kGetIssue) == 2);
  CHECK(summary_of(**after) == "Edited through the cache");
}

TEST_CASE("an edit by key invalidates the entry read by numeric id, and the other way round") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  auto by_key = c->get_json("/rest/api/3/issue/DEMO-2");
  REQUIRE(by_key.ok());
  const std::string id = (**by_key)["id"].get<std::string>();
  auto by_id = c->get_json("/rest/api/3/issue/" + id);
  REQUIRE(by_id.ok());
  CHECK(site.count(kGetIssue) == 2);  // different keys, two entries

  // Each write names the issue in one form only; the layer adds the other, learned from the read.
  REQUIRE(c->send(declared("PUT", "/rest/api/3/issue/DEMO-2", Json{{"fields", {{"summary", "by key"}}}}, {"issue:DEMO-2"}))
              .ok());
  auto id_after = c->get_json("/rest/api/3/issue/" + id);
  REQUIRE(id_after.ok());
  CHECK(summary_of(**id_after) == "by key");
  CHECK(site.count(kGetIssue) == 3);

  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-2").ok());  // refill the key entry
  const auto before = site.count(kGetIssue);
  REQUIRE(c->send(declared("PUT", "/rest/api/3/issue/" + id, Json{{"fields", {{"summary", "by id"}}}}, {"issue:" + id}))
              .ok());
  auto key_after = c->get_json("/rest/api/3/issue/DEMO-2");
  REQUIRE(key_after.ok());
  CHECK(summary_of(**key_after) == "by id");
  CHECK(site.count(kGetIssue) == before + 1);
}

TEST_CASE("Cloud searches are cached by body and any write invalidates them") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  SearchRequest req;
  req.jql = "project = DEMO ORDER BY key ASC";
  req.fields = {"summary"};
  req.max_results = 5;
  auto p1 = c->search(req);
  REQUIRE_MESSAGE(p1.ok(), (p1.ok() ? "" : p1.error().to_string()));
  REQUIRE(c->search(req).ok());
  CHECK(site.count(kCloudSearch) == 1);
  req.max_results = 6;  // another body, another entry
  REQUIRE(c->search(req).ok());
  CHECK(site.count(kCloudSearch) == 2);

  auto created = c->post("/rest/api/3/comment/list", Json{{"ids", Json::array({1})}}, true);
  (void)created;  // a read-only POST: no invalidation
  REQUIRE(c->search(req).ok());
  CHECK(site.count(kCloudSearch) == 2);

  REQUIRE(c->put("/rest/api/3/issue/DEMO-3", Json{{"fields", {{"summary", "changed"}}}}).ok());
  REQUIRE(c->search(req).ok());
  CHECK(site.count(kCloudSearch) == 3);

  // The search tier's TTL is the shortest.
  site.clock->advance(16s);
  REQUIRE(c->search(req).ok());
  CHECK(site.count(kCloudSearch) == 4);
}

TEST_CASE("Data Center searches are cached and invalidated the same way") {
  CachedSite site(sandbox::Flavor::DataCenter);
  auto c = make_client(site.options());
  SearchRequest req;
  req.jql = "project = DEMO";
  req.max_results = 3;
  REQUIRE(c->search(req).ok());
  REQUIRE(c->search(req).ok());
  CHECK(site.count("POST /rest/api/2/search") == 1);
  auto comment = c->post("/rest/api/2/issue/DEMO-1/comment", Json{{"body", "hello"}});
  REQUIRE_MESSAGE(comment.ok(), (comment.ok() ? "" : comment.error().to_string()));
  REQUIRE(c->search(req).ok());
  CHECK(site.count("POST /rest/api/2/search") == 2);
}

TEST_CASE("fresh reads bypass the cache and refresh the entry, also through get() and async calls") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  CallContext fresh;
  fresh.fresh = true;
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1", {}, fresh).ok());
  CHECK(site.count(kGetIssue) == 2);
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());  // the refreshed entry serves
  CHECK(site.count(kGetIssue) == 2);
  REQUIRE(c->get("/rest/api/3/issue/DEMO-1", {}, fresh).ok());
  CHECK(site.count(kGetIssue) == 3);
  auto async = c->get_async("/rest/api/3/issue/DEMO-1", {}, fresh).get();  // runs on an executor thread
  REQUIRE(async.ok());
  CHECK(site.count(kGetIssue) == 4);
  // The executor thread that ran the fresh call keeps nothing of it.
  REQUIRE(c->get_async("/rest/api/3/issue/DEMO-1").get().ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());
  CHECK(site.count(kGetIssue) == 4);
}

TEST_CASE("two identities sharing one cache never see each other's entries") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto alice = make_client(site.options());
  ClientOptions other = site.options();
  other.identity = "bob@example.com";
  auto bob = make_client(other);
  REQUIRE(alice->get_json("/rest/api/3/myself").ok());
  REQUIRE(alice->get_json("/rest/api/3/myself").ok());
  CHECK(site.count("GET /rest/api/3/myself") == 1);
  REQUIRE(bob->get_json("/rest/api/3/myself").ok());
  CHECK(site.count("GET /rest/api/3/myself") == 2);
  CHECK(detail::identity_hash(site.options()) != detail::identity_hash(other));
  CHECK(detail::identity_hash(site.options()).find(site.box->credentials().email) == std::string::npos);
}

TEST_CASE("metadata lives in its own tier and is invalidated by writes to its family") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  const std::string components = "/rest/api/3/project/DEMO/components";
  REQUIRE(c->get_json(components).ok());
  REQUIRE(c->get_json("/rest/api/3/priority").ok());
  REQUIRE(c->get_json(components).ok());
  CHECK(site.count("GET /rest/api/3/project/{projectIdOrKey}/components") == 1);
  CHECK(site.cache->stats()[cache::Tier::metadata].entries == 2);

  auto created = c->send(declared("POST", "/rest/api/3/component", Json{{"name", "Cache"}, {"project", "DEMO"}},
                                   {"meta:project:DEMO"}));
  REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().to_string()));
  auto after = c->get_json(components);
  REQUIRE(after.ok());
  CHECK(site.count("GET /rest/api/3/project/{projectIdOrKey}/components") == 2);
  bool found = false;
  for (const auto& comp : **after) found = found || comp.value("name", "") == "Cache";
  CHECK(found);
  REQUIRE(c->get_json("/rest/api/3/priority").ok());  // another family: still cached
  CHECK(site.count("GET /rest/api/3/priority") == 1);
}

TEST_CASE("with the cache disabled every read goes upstream") {
  cache::Options off;
  off.enabled = false;
  CachedSite site(sandbox::Flavor::Cloud, off);
  auto c = make_client(site.options());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());
  CHECK(site.count(kGetIssue) == 2);
}

TEST_CASE("concurrent identical misses through the client make one upstream request") {
  CachedSite site(sandbox::Flavor::Cloud);
  sandbox::Faults slow;
  slow.latency_ms = 200;  // keeps the first request open while the others arrive
  site.box->set_faults(slow);
  auto c = make_client(site.options());
  std::vector<ResponseFuture> futures;
  for (int i = 0; i < 4; ++i) futures.push_back(c->get_async("/rest/api/3/issue/DEMO-5"));
  for (auto& f : futures) CHECK(f.get().ok());
  // Whatever the interleaving, one request went out: late arrivals hit the stored entry.
  CHECK(site.count(kGetIssue) == 1);
}

TEST_CASE("routing: tiers, tags and what writes invalidate") {
  using detail::classify_read;
  auto tier = [](const char* m, const char* p) { return classify_read(m, p).value().tier; };
  CHECK(tier("GET", "/rest/api/3/field") == cache::Tier::metadata);
  CHECK(tier("GET", "/rest/api/2/issue/createmeta/DEMO/issuetypes") == cache::Tier::metadata);
  CHECK(tier("GET", "/rest/api/3/issue/DEMO-1/editmeta") == cache::Tier::metadata);
  CHECK(tier("GET", "/rest/api/3/issue/demo-1/comment") == cache::Tier::issues);
  CHECK(tier("GET", "/rest/api/2/search") == cache::Tier::search);
  CHECK(tier("POST", "/rest/api/3/search/approximate-count") == cache::Tier::search);
  CHECK(tier("GET", "/rest/agile/1.0/board/1/issue") == cache::Tier::search);
  CHECK(tier("GET", "/rest/agile/1.0/sprint/3/issue") == cache::Tier::search);
  CHECK(tier("GET", "/rest/agile/1.0/board") == cache::Tier::metadata);
  CHECK_FALSE(classify_read("POST", "/rest/api/3/issue"));
  CHECK_FALSE(classify_read("GET", "/rest/api/3/attachment/content/10"));
  auto comment_tags = classify_read("GET", "/rest/api/3/issue/demo-1/comment")->tags;
  CHECK(std::find(comment_tags.begin(), comment_tags.end(), "issue:DEMO-1") != comment_tags.end());

}

TEST_CASE("writes invalidate what they declare; an undeclared write, every family") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  const std::string issue = "GET /rest/api/3/issue/{issueIdOrKey}";
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-2").ok());
  REQUIRE(c->get_json("/rest/api/3/priority").ok());
  // Declared: DEMO-1 only.
  REQUIRE(c->send(declared("PUT", "/rest/api/3/issue/DEMO-1", Json{{"fields", {{"summary", "one"}}}},
                           {"search", "issue:DEMO-1", "workflow:DEMO-1"}))
              .ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1").ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-2").ok());
  CHECK(site.count(issue) == 3);  // DEMO-2 stayed cached
  // The URL names DEMO-2 but the declaration does not: the client does not guess.
  REQUIRE(c->send(declared("PUT", "/rest/api/3/issue/DEMO-2", Json{{"fields", {{"summary", "two"}}}}, {"search"})).ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-2").ok());
  CHECK(site.count(issue) == 3);
  // Undeclared: everything goes, metadata too.
  REQUIRE(c->put("/rest/api/3/issue/DEMO-2", Json{{"fields", {{"summary", "three"}}}}).ok());
  auto two = c->get_json("/rest/api/3/issue/DEMO-2");
  REQUIRE(two.ok());
  CHECK(summary_of(**two) == "three");
  REQUIRE(c->get_json("/rest/api/3/priority").ok());
  CHECK(site.count("GET /rest/api/3/priority") == 2);
  // A read-only POST invalidates nothing.
  REQUIRE(c->search_json("/rest/api/3/search/jql", Json{{"jql", "project = DEMO"}}).ok());
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-2").ok());
  CHECK(site.count(issue) == 4);
}

TEST_CASE("--timing: a cached read adds its own time to the cache phase, and not the round trip's") {
  CachedSite site(sandbox::Flavor::Cloud);
  ClientOptions o = site.options();
  // Every Jira call takes 50 ms on the injected clock; nothing else moves it.
  o.on_call = [clock = site.clock](const monitor::JiraCall&) { clock->advance(50ms); };
  auto c = make_client(o);
  auto miss = std::make_shared<monitor::CallTrace>();
  CallContext traced_miss;
  traced_miss.trace = miss;
  REQUIRE(c->get_json("/rest/api/3/issue/DEMO-1", {}, traced_miss).ok());
  CHECK(site.count(kGetIssue) == 1);
  CHECK(miss->get(monitor::Phase::cache) == 0ns);  // the 50 ms belong to the fetch

  // On the real clock a hit's lookup takes measurable time, and it is all cache time.
  o.on_call = nullptr;
  o.clock = real_clock();
  auto real = make_client(o);
  REQUIRE(real->get_json("/rest/api/3/issue/DEMO-1").ok());
  CHECK(site.count(kGetIssue) == 1);  // a hit: the entry is shared by both clients
  auto hit = std::make_shared<monitor::CallTrace>();
  CallContext traced_hit;
  traced_hit.trace = hit;
  REQUIRE(real->get_json("/rest/api/3/issue/DEMO-1", {}, traced_hit).ok());
  CHECK(site.count(kGetIssue) == 1);
  CHECK(hit->get(monitor::Phase::cache) > 0ns);
  CHECK(hit->get(monitor::Phase::jira) == 0ns);
}

TEST_CASE("a component or version write invalidates its own project's metadata only") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  const std::string route = "GET /rest/api/3/project/{projectIdOrKey}/components";
  auto demo = c->get_json("/rest/api/3/project/DEMO");
  REQUIRE(demo.ok());
  const std::string demo_id = (**demo)["id"].get<std::string>();
  REQUIRE(c->get_json("/rest/api/3/project/DEMO/components").ok());
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  REQUIRE(c->get_json("/rest/api/3/project/OPS/versions").ok());
  REQUIRE(c->get_json("/rest/api/3/project").ok());
  CHECK(site.count(route) == 2);

  // Created in DEMO: DEMO's entries and the cross-project lists go.
  auto created = c->send(declared("POST", "/rest/api/3/component", Json{{"name", "Pacing"}, {"project", "DEMO"}},
                                   {"meta:project:DEMO"}));
  REQUIRE_MESSAGE(created.ok(), (created.ok() ? "" : created.error().to_string()));
  auto listed = c->get_json("/rest/api/3/project/DEMO/components");
  REQUIRE(listed.ok());
  bool found = false;
  for (const auto& comp : **listed) found = found || comp.value("name", "") == "Pacing";
  CHECK(found);
  CHECK(site.count(route) == 3);
  REQUIRE(c->get_json("/rest/api/3/project").ok());
  CHECK(site.count("GET /rest/api/3/project") == 2);
  REQUIRE(c->get_json("/rest/api/3/project/DEMO").ok());
  CHECK(site.count("GET /rest/api/3/project/{projectIdOrKey}") == 2);
  // OPS is untouched.
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  REQUIRE(c->get_json("/rest/api/3/project/OPS/versions").ok());
  CHECK(site.count(route) == 3);
  CHECK(site.count("GET /rest/api/3/project/{projectIdOrKey}/versions") == 1);

  // A change by component id: its project is known from the list, so again DEMO only.
  const std::string id = Json::parse(created->body)["id"].get<std::string>();
  REQUIRE(c->get_json("/rest/api/3/component/" + id).ok());
  REQUIRE(c->send(declared("PUT", "/rest/api/3/component/" + id, Json{{"description", "paced"}},
                           {"meta:component:" + id}))
              .ok());
  auto one = c->get_json("/rest/api/3/component/" + id);
  REQUIRE(one.ok());
  CHECK((**one).value("description", "") == "paced");
  CHECK(site.count("GET /rest/api/3/component/{id}") == 2);
  REQUIRE(c->get_json("/rest/api/3/project/DEMO/components").ok());
  CHECK(site.count(route) == 4);
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  CHECK(site.count(route) == 4);

  // A version created in DEMO named by its numeric id reaches DEMO's entries read by key.
  const std::string versions = "GET /rest/api/3/project/{projectIdOrKey}/versions";
  REQUIRE(c->get_json("/rest/api/3/project/DEMO/versions").ok());
  CHECK(site.count(versions) == 2);
  auto version = c->send(declared("POST", "/rest/api/3/version", Json{{"name", "7.0"}, {"projectId", std::stoll(demo_id)}},
                                   {"meta:project:" + demo_id}));
  REQUIRE_MESSAGE(version.ok(), (version.ok() ? "" : version.error().to_string()));
  REQUIRE(c->get_json("/rest/api/3/project/DEMO/versions").ok());
  CHECK(site.count(versions) == 3);
  REQUIRE(c->get_json("/rest/api/3/project/OPS/versions").ok());
  CHECK(site.count(versions) == 3);
}

TEST_CASE("a metadata write whose project is not known in both forms drops the whole family") {
  CachedSite site(sandbox::Flavor::Cloud);
  auto c = make_client(site.options());
  const std::string route = "GET /rest/api/3/project/{projectIdOrKey}/components";
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  // WEB was never read: its key and id are not paired, so OPS cannot be known to be unaffected
  // by a write that might name it in the other form.
  REQUIRE(c->send(declared("POST", "/rest/api/3/version", Json{{"name", "9.9"}, {"project", "WEB"}}, {"meta:project:WEB"}))
              .ok());
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  CHECK(site.count(route) == 2);
  // A project's own change is never narrowed.
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  // (The sandbox does not edit projects; a write invalidates whether it succeeded or not.)
  auto edit = c->send(declared("PUT", "/rest/api/3/project/WEB", Json{{"description", "x"}}, {"meta:project"}));
  (void)edit;
  REQUIRE(c->get_json("/rest/api/3/project/OPS/components").ok());
  CHECK(site.count(route) == 3);
}

TEST_CASE("routing: project metadata tags, and issue counts are never cached") {
  using detail::classify_read;
  auto tags = [](const char* p) { return classify_read("GET", p).value().tags; };
  auto has = [](const cache::Tags& t, const std::string& x) { return std::find(t.begin(), t.end(), x) != t.end(); };
  CHECK(has(tags("/rest/api/3/project/DEMO/components"), "meta:project:DEMO"));
  CHECK(has(tags("/rest/api/3/project/DEMO/components"), "meta:project"));
  CHECK(has(tags("/rest/api/3/project/10000"), "meta:project:10000"));
  CHECK(has(tags("/rest/api/3/project/search"), "meta:project:*"));
  CHECK(has(tags("/rest/api/3/component/10001"), "meta:component:10001"));
  CHECK(has(tags("/rest/api/3/issue/createmeta"), "meta:project:*"));
  CHECK(has(tags("/rest/api/3/issue/DEMO-1/editmeta"), "meta:project"));
  CHECK_FALSE(classify_read("GET", "/rest/api/3/version/10001/unresolvedIssueCount"));
  CHECK_FALSE(classify_read("GET", "/rest/api/3/component/10001/relatedIssueCounts"));
}

TEST_CASE("an issue's transitions survive a comment on it, and no other write") {
  CachedSite site(sandbox::Flavor::DataCenter);  // plain-text comment bodies
  auto c = make_client(site.options());
  const std::string route = "GET /rest/api/2/issue/{issueIdOrKey}/transitions";
  const std::string path = "/rest/api/2/issue/DEMO-2/transitions";
  auto before = c->get_json(path);
  REQUIRE(before.ok());
  REQUIRE(c->get_json("/rest/api/2/issue/DEMO-2").ok());
  REQUIRE(c->send(declared("POST", "/rest/api/2/issue/DEMO-2/comment", Json{{"body", "just a note"}},
                           {"search", "issue:DEMO-2"}))
              .ok());
  REQUIRE(c->get_json(path).ok());
  CHECK(site.count(route) == 1);  // the comment left the workflow alone
  REQUIRE(c->get_json("/rest/api/2/issue/DEMO-2").ok());
  CHECK(site.count("GET /rest/api/2/issue/{issueIdOrKey}") == 2);  // but the issue itself changed

  // A transition changes them.
  const auto& ts = (**before)["transitions"];
  REQUIRE_FALSE(ts.empty());
  REQUIRE(c->send(declared("POST", "/rest/api/2/issue/DEMO-2/transitions", Json{{"transition", {{"id", ts[0]["id"]}}}},
                           {"search", "issue:DEMO-2", "workflow:DEMO-2"}))
              .ok());
  REQUIRE(c->get_json(path).ok());
  CHECK(site.count(route) == 2);
  // So does an edit, also by the issue's numeric id.
  auto issue = c->get_json("/rest/api/2/issue/DEMO-2");
  REQUIRE(issue.ok());
  const std::string id = (**issue)["id"].get<std::string>();
  REQUIRE(c->send(declared("PUT", "/rest/api/2/issue/" + id, Json{{"fields", {{"summary", "renamed"}}}},
                           {"search", "issue:" + id, "workflow:" + id}))
              .ok());
  REQUIRE(c->get_json(path).ok());
  CHECK(site.count(route) == 3);
}
