// Per-user Jira credentials end to end: HTTP sessions presenting different X-Jira-* headers are
// served by different Jira clients (tools::PerUserClients, resolved through
// Services::client_for_call as src/main.cpp wires it), so the sandbox sees each user, and the
// shared response cache never hands one user's response to another.
#include <httplib.h>

#include <atomic>
#include <thread>
#include <vector>

#include "jira_mcp/core/clock.hpp"
#include "jira_mcp/tools/per_user_clients.hpp"
#include "jira_mcp/transport/http.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using namespace jira_mcp::testing;

namespace {

// A sandbox, the configured (service) client logged in as Alice, per-user clients made from the
// same options, the real tool catalog and an HttpServer requiring or allowing X-Jira-* headers.
struct TeamServer {
  sandbox::Sandbox sb;
  jira::ClientOptions base;
  std::unique_ptr<jira::Client> service;
  std::unique_ptr<tools::PerUserClients> users;
  std::shared_ptr<tools::Services> services = std::make_shared<tools::Services>();
  std::unique_ptr<mcp::Dispatcher> dispatcher;
  std::unique_ptr<transport::HttpServer> server;

  TeamServer(sandbox::Flavor flavor, transport::PerUserCredentials mode, std::shared_ptr<cache::Cache> cache = nullptr)
      : sb(sandbox::Options{flavor, "127.0.0.1", 0, 40, 42, {}, nullptr, 4}) {
    REQUIRE(sb.start().ok());
    base.url = sb.base_url();
    base.rate_rps = 0;
    base.cache = std::move(cache);
    const auto alice = sb.credentials();
    if (flavor == sandbox::Flavor::Cloud) {
      base.deployment = jira::DeploymentMode::cloud;
      base.email = alice.email;
      base.api_token = alice.api_token;
    } else {
      base.deployment = jira::DeploymentMode::datacenter;
      base.pat = alice.pat;
    }
    auto created = jira::Client::create(base);
    REQUIRE(created.ok());
    service = std::move(*created);
    users = std::make_unique<tools::PerUserClients>(base);
    services->client = service.get();
    services->client_for_call = [pool = users.get()](const mcp::Credentials* who)
        -> Result<std::shared_ptr<jira::Client>, jira::JiraError> {
      if (!who) return std::shared_ptr<jira::Client>();
      return pool->get(tools::UserCredentials{who->key, who->email, who->api_token, who->pat});
    };
    mcp::RegistryBuilder b;
    REQUIRE(tools::register_tools(b, services, {{"all"}, {}, {}, false}).ok());
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    dispatcher = std::make_unique<mcp::Dispatcher>(*reg, mcp::ServerInfo{"jira-mcp", "", "t", ""});
    transport::HttpOptions o;
    o.port = 0;
    o.per_user_credentials = mode;
    server = std::make_unique<transport::HttpServer>(*dispatcher, o);
    REQUIRE(server->start().ok());
  }
  ~TeamServer() { server->stop(); }

  // X-Jira-* headers for one of the sandbox's accounts, as this flavour's users send them.
  httplib::Headers creds(const sandbox::Credentials& c) const {
    if (sb.flavor() == sandbox::Flavor::Cloud) return {{"X-Jira-Email", c.email}, {"X-Jira-Api-Token", c.api_token}};
    return {{"X-Jira-Personal-Access-Token", c.pat}};
  }

  httplib::Result post(const Json& body, const std::string& session, const httplib::Headers& extra) const {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(30, 0);
    httplib::Headers h{{"Accept", "application/json"}};
    if (!session.empty()) h.emplace("Mcp-Session-Id", session);
    for (const auto& kv : extra) h.insert(kv);
    return c.Post("/mcp", h, dump_compact(body), "application/json");
  }

  std::string initialize(const httplib::Headers& extra) const {
    auto r = post(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
                       {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                   {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}},
                  "", extra);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    std::string id = r->get_header_value("Mcp-Session-Id");
    auto n = post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, id, extra);
    REQUIRE(n);
    CHECK(n->status == 202);
    return id;
  }

  // The tools/call result.
  Json call(const std::string& session, const httplib::Headers& extra, const std::string& tool,
            Json args = Json::object()) const {
    auto r = post(Json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/call"},
                       {"params", {{"name", tool}, {"arguments", std::move(args)}}}},
                  session, extra);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    Json reply = Json::parse(r->body);
    REQUIRE_MESSAGE(reply.contains("result"), r->body);
    return reply["result"];
  }
};

}  // namespace

TEST_CASE("Per-user credentials: each HTTP session's tools act as the user who presented them") {
  FOR_EACH_FLAVOR(flavor) {
    TeamServer t(flavor, transport::PerUserCredentials::optional);
    const auto alice = t.creds(t.sb.credentials()), bob = t.creds(t.sb.second_user_credentials());
    const std::string a = t.initialize(alice), b = t.initialize(bob), anon = t.initialize({});

    const Json as_bob = t.call(b, bob, "jira_get_current_user");
    CHECK(ok(as_bob));
    CHECK(text(as_bob).find("Bob Builder") != std::string::npos);
    const Json as_alice = t.call(a, alice, "jira_get_current_user");
    CHECK(text(as_alice).find("Alice Admin") != std::string::npos);
    // Without credentials (optional mode) the configured client serves the call: Alice here.
    const Json as_service = t.call(anon, {}, "jira_get_current_user");
    CHECK(text(as_service).find("Alice Admin") != std::string::npos);
    CHECK(t.users->size() == 2);

    // A session bound to Bob cannot be used with Alice's credentials.
    auto switched = t.post(Json{{"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"},
                                {"params", {{"name", "jira_get_current_user"}, {"arguments", Json::object()}}}},
                           b, alice);
    REQUIRE(switched);
    CHECK(switched->status == 403);
  }
}

TEST_CASE("Per-user credentials: concurrent calls of two users each reach Jira with their own credentials") {
  TeamServer t(sandbox::Flavor::Cloud, transport::PerUserCredentials::required);
  const auto alice = t.creds(t.sb.credentials()), bob = t.creds(t.sb.second_user_credentials());
  const std::string a = t.initialize(alice), b = t.initialize(bob);
  // Calls of both users in flight at once on the server's worker threads: the identity each
  // request brought (mcp::Inbound) picks its client, whichever thread runs it.
  constexpr int kThreads = 6, kCallsEach = 8;
  std::atomic<int> wrong{0}, done{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        const bool is_bob = i % 2 == 1;
        for (int n = 0; n < kCallsEach; ++n) {
          auto r = t.post(Json{{"jsonrpc", "2.0"}, {"id", n}, {"method", "tools/call"},
                               {"params", {{"name", "jira_get_current_user"}, {"arguments", Json::object()}}}},
                          is_bob ? b : a, is_bob ? bob : alice);
          if (!r || r->status != 200) {
            ++wrong;
            continue;
          }
          const std::string body = r->body;
          const bool right = body.find(is_bob ? "Bob Builder" : "Alice Admin") != std::string::npos &&
                             body.find(is_bob ? "Alice Admin" : "Bob Builder") == std::string::npos;
          if (!right) ++wrong;
          ++done;
        }
      });
    }
  }
  CHECK(done == kThreads * kCallsEach);
  CHECK(wrong == 0);
  CHECK(t.users->size() == 2);
}

TEST_CASE("Per-user credentials: wrong credentials fail the call; they never fall back to the configured client") {
  TeamServer t(sandbox::Flavor::Cloud, transport::PerUserCredentials::required);
  const httplib::Headers mallory{{"X-Jira-Email", "mallory@example.com"}, {"X-Jira-Api-Token", "guess"}};
  const std::string m = t.initialize(mallory);
  const Json r = t.call(m, mallory, "jira_get_current_user");
  CHECK_FALSE(ok(r));
  CHECK(text(r).find("Alice") == std::string::npos);
  auto none = t.post(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}, "", {});
  REQUIRE(none);
  CHECK(none->status == 401);
}

TEST_CASE("Per-user credentials: one shared cache, partitioned per identity") {
  cache::Options co;
  co.clock = std::make_shared<FakeClock>();
  auto cache = std::make_shared<cache::Cache>(co);
  FOR_EACH_FLAVOR(flavor) {
    TeamServer t(flavor, transport::PerUserCredentials::required, cache);
    const auto alice = t.creds(t.sb.credentials()), bob = t.creds(t.sb.second_user_credentials());
    const std::string a = t.initialize(alice), b = t.initialize(bob);
    const std::string route = std::string("GET /rest/api/") + (t.sb.flavor() == sandbox::Flavor::Cloud ? "3" : "2") +
                              "/issue/{issueIdOrKey}";
    const Json args{{"issue_key", "DEMO-1"}};
    REQUIRE(ok(t.call(a, alice, "jira_get_issue", args)));
    const auto after_alice = t.sb.request_count(route);
    CHECK(after_alice >= 1);
    CHECK(ok(t.call(a, alice, "jira_get_issue", args)));
    CHECK(t.sb.request_count(route) == after_alice);  // Alice's second read: her cached copy

    CHECK(ok(t.call(b, bob, "jira_get_issue", args)));
    const auto after_bob = t.sb.request_count(route);
    CHECK(after_bob > after_alice);  // Bob's first read went to Jira, not to Alice's entry
    CHECK(ok(t.call(b, bob, "jira_get_issue", args)));
    CHECK(t.sb.request_count(route) == after_bob);  // and Bob has his own cached copy now

    // The same holds for who-am-I, whose answer differs per user.
    CHECK(text(t.call(a, alice, "jira_get_current_user")).find("Alice Admin") != std::string::npos);
    CHECK(text(t.call(b, bob, "jira_get_current_user")).find("Bob Builder") != std::string::npos);
  }
}

TEST_CASE("PerUserClients: credentials substituted, bounded, an evicted client stays usable by its holder") {
  sandbox::Sandbox sb(sandbox::Options{sandbox::Flavor::Cloud, "127.0.0.1", 0, 10, 42, {}, nullptr, 2});
  REQUIRE(sb.start().ok());
  jira::ClientOptions base;
  base.url = sb.base_url();
  base.deployment = jira::DeploymentMode::cloud;
  base.email = "service@example.com";
  base.api_token = "service-token";
  base.username = "svc";
  base.password = "pw";

  const auto pat = tools::PerUserClients::options_for(base, {"pat:#1", "", "", "the-pat"});
  CHECK(pat.pat == "the-pat");
  CHECK(pat.email.empty());
  CHECK(pat.api_token.empty());
  CHECK(pat.username.empty());
  CHECK(pat.identity == "pat:#1");
  const auto cloud = tools::PerUserClients::options_for(base, {"email:bob", "bob@example.com", "t", ""});
  CHECK(cloud.email == "bob@example.com");
  CHECK(cloud.api_token == "t");
  CHECK(cloud.pat.empty());
  CHECK(cloud.password.empty());
  CHECK(cloud.identity == "email:bob");

  tools::PerUserClients pool(base, 1);
  const auto alice_c = sb.credentials(), bob_c = sb.second_user_credentials();
  auto alice = pool.get({"alice", alice_c.email, alice_c.api_token, ""});
  REQUIRE(alice.ok());
  auto again = pool.get({"alice", alice_c.email, alice_c.api_token, ""});
  REQUIRE(again.ok());
  CHECK(again->get() == alice->get());
  auto bob = pool.get({"bob", bob_c.email, bob_c.api_token, ""});
  REQUIRE(bob.ok());
  CHECK(pool.size() == 1);
  auto me = (*alice)->myself();  // dropped from the pool, still alive for its holder
  REQUIRE(me.ok());
  CHECK(string_or(*me, "displayName", "") == "Alice Admin");
  auto alice_new = pool.get({"alice", alice_c.email, alice_c.api_token, ""});
  REQUIRE(alice_new.ok());
  CHECK(alice_new->get() != alice->get());

  auto bad = pool.get({"pat:#x", "", "", "a-pat-on-cloud"});  // a PAT is not a Cloud credential
  CHECK_FALSE(bad.ok());
}
