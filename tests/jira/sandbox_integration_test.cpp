// The client against the built-in Jira emulator (both flavours), including its fault knobs:
// the sandbox's rate limiter runs on the same fake clock as the client, so a 429 storm plays
// out without sleeping.
#include <doctest/doctest.h>

#include "jira/test_servers.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;
using namespace std::chrono_literals;

namespace {

struct Site {
  std::shared_ptr<FakeClock> clock = std::make_shared<FakeClock>();
  std::unique_ptr<sandbox::Sandbox> box;

  Site(sandbox::Flavor flavor, int issues) {
    sandbox::Options o;
    o.flavor = flavor;
    o.issues = issues;
    o.clock = [c = clock] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(c->wall_now().time_since_epoch()).count();
    };
    box = std::make_unique<sandbox::Sandbox>(o);
    auto started = box->start();
    if (!started) throw std::runtime_error(started.error().message);
  }

  ClientOptions options() const {
    ClientOptions o = dc_options(box->base_url(), clock);
    o.deployment = DeploymentMode::auto_detect;
    auto cred = box->credentials();
    o.pat.clear();
    if (box->flavor() == sandbox::Flavor::Cloud) {
      o.email = cred.email;
      o.api_token = cred.api_token;
    } else {
      o.pat = cred.pat;
    }
    return o;
  }
};

}  // namespace

TEST_CASE("sandbox Cloud: detection, myself, issue, token-paged search with approximate count") {
  Site site(sandbox::Flavor::Cloud, 23);
  auto c = make_client(site.options());
  CHECK(c->deployment().value() == Deployment::cloud);
  auto me = c->myself();
  REQUIRE_MESSAGE(me.ok(), (me.ok() ? "" : me.error().to_string()));
  CHECK(me->contains("accountId"));
  auto issue = c->get("/rest/api/3/issue/DEMO-1");
  REQUIRE(issue.ok());
  CHECK(issue->json().value()["key"] == "DEMO-1");

  SearchRequest req;
  req.jql = "project = DEMO ORDER BY key ASC";
  req.fields = {"summary"};
  req.max_results = 10;
  req.want_total = true;
  std::size_t seen = 0;
  std::optional<std::int64_t> total;
  for (int guard = 0; guard < 20; ++guard) {
    auto page = c->search(req);
    REQUIRE(page.ok());
    if (page->total) total = page->total;
    seen += page->issues.size();
    if (page->is_last) break;
    req.cursor = *page->next;
    req.want_total = false;
  }
  REQUIRE(total.has_value());
  CHECK(seen == static_cast<std::size_t>(*total));
  CHECK(site.box->request_count("POST /rest/api/3/search") == 0);
  CHECK(site.box->request_count("GET /rest/api/3/search") == 0);
}

TEST_CASE("sandbox Data Center: detection, offset-paged search, wrong PAT is an auth error") {
  Site site(sandbox::Flavor::DataCenter, 12);
  auto opts = site.options();
  auto c = make_client(opts);
  CHECK(c->api_prefix().value() == "/rest/api/2");
  SearchRequest req;
  req.jql = "project = DEMO";
  req.max_results = 5;
  std::size_t seen = 0;
  std::optional<std::int64_t> total;
  for (int guard = 0; guard < 20; ++guard) {
    auto page = c->search(req);
    REQUIRE(page.ok());
    total = page->total;
    seen += page->issues.size();
    if (page->is_last) break;
    req.cursor = *page->next;
  }
  REQUIRE(total.has_value());
  CHECK(seen == static_cast<std::size_t>(*total));

  opts.pat = "wrong";
  auto bad = make_client(opts)->myself();
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::auth);
  CHECK(bad.error().to_string().find("JIRA_PAT") != std::string::npos);
}

TEST_CASE("sandbox rate limit storm: a fan-out completes with every 429 waited out on the clock") {
  Site site(sandbox::Flavor::Cloud, 5);
  sandbox::Faults f;
  f.rate_limit_rps = 2;
  f.rate_limit_burst = 3;
  site.box->set_faults(f);
  auto opts = site.options();
  opts.deployment = DeploymentMode::cloud;
  opts.retry_attempts = 30;
  opts.request_timeout = 600s;
  opts.retry_budget = 600s;
  opts.executor_threads = 4;
  auto c = make_client(opts);
  std::vector<ResponseFuture> fs;
  for (int i = 0; i < 12; ++i) fs.push_back(c->get_async("/rest/api/3/issue/DEMO-1"));
  for (auto& fut : fs) CHECK(fut.get().ok());
  auto s = c->stats();
  CHECK(s.rate.throttled_429 > 0);
  // Every server-side hit is one of ours: 12 successes plus exactly the 429s we saw.
  CHECK(site.box->request_count("GET /rest/api/3/issue/{issueIdOrKey}") == 12 + s.rate.throttled_429);
}

TEST_CASE("sandbox dropped connections: idempotent reads survive through retries") {
  Site site(sandbox::Flavor::DataCenter, 5);
  sandbox::Faults f;
  f.drop_rate = 0.3;
  site.box->set_faults(f);
  auto opts = site.options();
  opts.deployment = DeploymentMode::datacenter;
  opts.retry_attempts = 12;
  auto c = make_client(opts);
  for (int i = 0; i < 10; ++i) CHECK(c->get("/rest/api/2/issue/DEMO-1").ok());
  auto s = c->stats();
  CHECK(s.attempts == 10 + s.retries);
  CHECK(s.pool.discarded == s.retries);
}
