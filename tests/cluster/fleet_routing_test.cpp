// Routing a fleet (issue #17) with real processes on loopback: HAProxy (Debian's, configured from
// examples/haproxy.cfg) in front of two jira-mcp instances sharing a private redis-server, with
// `jira-mcp sandbox` as their Jira.
//   - the v2 SDK client in the 2026-07-28 era works round robin, and its calls reach both instances;
//   - the v1 SDK client keeps one 2025-11-25 session for 100 calls, all on one instance (stickiness);
//   - a task started on one instance is read (tasks/get) on the other; tasks/cancel there names
//     the instance that runs it;
//   - a requestState issued by one instance is accepted by the other (the fleet's shared key);
//   - without the stick rules, a 2025 request reaching the other instance gets 404 naming the
//     owner; once the owner has stopped, the session is reported gone.
// Skips with a MESSAGE when redis-server or haproxy is absent, and skips the SDK client checks
// when ../shared/tools is absent.
#include <doctest/doctest.h>
#include <httplib.h>
#include <jira_mcp/core/json.hpp>

#include "support/fleet_route.hpp"
#include "support/paths.hpp"
#include "support/redis_server.hpp"
#include "support/shared.hpp"

#include <fstream>
#include <set>

using jira_mcp::Json;
using namespace jira_mcp::testing;

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The JSON-RPC message of a response, sent as JSON or as an SSE stream (its last data line).
Json body_of(const httplib::Result& r) {
  REQUIRE(r);
  if (r->get_header_value("Content-Type").find("text/event-stream") == std::string::npos) {
    return Json::parse(r->body, nullptr, false);
  }
  Json last;
  std::istringstream in(r->body);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("data: ", 0) == 0 && l.size() > 6) {
      Json j = Json::parse(l.substr(6), nullptr, false);
      if (!j.is_discarded()) last = j;
    }
  }
  return last;
}

Json meta26(bool tasks = false) {
  Json caps{{"elicitation", Json::object()}};
  if (tasks) caps["extensions"] = Json{{"io.modelcontextprotocol/tasks", Json::object()}};
  return Json{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
              {"io.modelcontextprotocol/clientInfo", {{"name", "fleet-routing-test"}, {"version", "1"}}},
              {"io.modelcontextprotocol/clientCapabilities", caps}};
}

// A 2026-07-28 request, with the headers a conforming client sends.
httplib::Result post26(const std::string& base, const std::string& method, Json params, const std::string& name,
                       bool tasks = false) {
  params["_meta"] = meta26(tasks);
  static int next = 1;
  Json msg{{"jsonrpc", "2.0"}, {"id", next++}, {"method", method}, {"params", params}};
  httplib::Client c(base);
  c.set_read_timeout(30, 0);
  httplib::Headers h{{"Host", "localhost"}, {"Accept", "application/json, text/event-stream"},
                     {"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", method}};
  if (!name.empty()) h.emplace("Mcp-Name", name);
  return c.Post("/mcp", h, jira_mcp::dump_compact(msg), "application/json");
}

// A 2025-11-25 request; `sid` empty for initialize.
httplib::Result post25(const std::string& base, const Json& msg, const std::string& sid) {
  httplib::Client c(base);
  c.set_read_timeout(30, 0);
  httplib::Headers h{{"Host", "localhost"}, {"Accept", "application/json, text/event-stream"},
                     {"MCP-Protocol-Version", "2025-11-25"}};
  if (!sid.empty()) h.emplace("Mcp-Session-Id", sid);
  return c.Post("/mcp", h, jira_mcp::dump_compact(msg), "application/json");
}

Json initialize25() {
  return Json{{"jsonrpc", "2.0"},
              {"id", 1},
              {"method", "initialize"},
              {"params",
               {{"protocolVersion", "2025-11-25"},
                {"capabilities", Json::object()},
                {"clientInfo", {{"name", "fleet-routing-test"}, {"version", "1"}}}}}};
}

}  // namespace

TEST_CASE("fleet routing: HAProxy in front of two instances sharing Redis") {
  const auto redis_bin = RedisServer::find();
  const auto haproxy_bin = jira_mcp::core::find_executable("haproxy");
  if (!redis_bin || !haproxy_bin) {
    MESSAGE("SKIPPED: fleet routing needs redis-server and haproxy (apt-get install redis-server haproxy; make setup)");
    return;
  }
  RedisServer redis(*redis_bin);
  SandboxChild sandbox;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("jira-mcp-fleet-route-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path d;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  } cleanup{dir};
  std::ofstream(dir / "config.toml") << "[tools]\nconfirm_destructive = true\n";

  const int front = probe_free_port(), front_plain = probe_free_port();
  std::vector<std::string> env = sandbox.env;
  env.push_back("JIRA_MCP_REDIS_URL=" + redis.url());
  env.push_back("JIRA_MCP_ALLOWED_HOSTS=localhost,127.0.0.1:" + std::to_string(front) + ",127.0.0.1:" +
                std::to_string(front_plain));
  env.push_back("JIRA_MCP_LOG_LEVEL=warn");  // their stderr is read only at start-up
  env.push_back("JIRA_MCP_CONFIG=" + (dir / "config.toml").string());
  auto a = std::make_unique<Instance>("mcp-a", env);
  Instance b("mcp-b", env);

  const std::string example = read_text(std::filesystem::path(source_dir()) / "examples" / "haproxy.cfg");
  REQUIRE_MESSAGE(example.find("stick store-response res.hdr(Mcp-Session-Id)") != std::string::npos,
                  "examples/haproxy.cfg lost its stick rule");
  HaproxyChild sticky(*haproxy_bin, dir, "sticky.cfg", haproxy_config(example, front, a->port, b.port, true), front);
  HaproxyChild plain(*haproxy_bin, dir, "plain.cfg", haproxy_config(example, front_plain, a->port, b.port, false),
                     front_plain);

  const auto client1 = shared_file("tools/mcp-client", "the v1 SDK client keeping a 2025 session behind HAProxy");
  const auto client2 = shared_file("tools/mcp-client2", "the v2 SDK client (2026-07-28) round robin behind HAProxy");

  SUBCASE("the v2 SDK client (2026-07-28) works round robin and reaches both instances") {
    if (!client2) {
      MESSAGE(shared_skip_line("tools/mcp-client2", "the v2 SDK client round robin behind HAProxy"));
      return;
    }
    const long a0 = a->tool_calls("jira_get_issue"), b0 = b.tool_calls("jira_get_issue");
    std::vector<std::string> argv{client2->string(), "--era", "2026-07-28", "--list"};
    for (int i = 0; i < 8; ++i) {
      argv.insert(argv.end(), {"--call", "jira_get_issue", R"({"issue_key":"DEMO-1"})"});
    }
    argv.insert(argv.end(), {"--http", sticky.url() + "/mcp"});
    const auto r = run_to_end(argv, std::chrono::seconds(120));
    REQUIRE_MESSAGE(r.code == 0, "mcp-client2 exit " << r.code << "\n" << r.out << r.err);
    CHECK(r.err.find("era=modern protocol=2026-07-28") != std::string::npos);
    const long da = a->tool_calls("jira_get_issue") - a0, db = b.tool_calls("jira_get_issue") - b0;
    MESSAGE("2026-07-28 through HAProxy: 8 calls, " << da << " on mcp-a, " << db << " on mcp-b");
    CHECK(da + db == 8);
    CHECK(da > 0);
    CHECK(db > 0);
  }

  SUBCASE("the v1 SDK client keeps one 2025 session for 100 calls, on one instance") {
    if (!client1) {
      MESSAGE(shared_skip_line("tools/mcp-client", "the v1 SDK client keeping a 2025 session behind HAProxy"));
      return;
    }
    const long a0 = a->tool_calls("jira_get_issue"), b0 = b.tool_calls("jira_get_issue");
    std::vector<std::string> argv{client1->string(), "--http", sticky.url() + "/mcp"};
    for (int i = 0; i < 100; ++i) argv.insert(argv.end(), {"--call", "jira_get_issue", R"({"issue_key":"DEMO-2"})"});
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_to_end(argv, std::chrono::seconds(180));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
    REQUIRE_MESSAGE(r.code == 0, "mcp-client exit " << r.code << "\n" << r.err.substr(0, 4000));
    MESSAGE("mcp-client, 100 calls in one session through HAProxy: " << ms.count() << " ms, node start-up included");
    CHECK(r.err.find("protocol=2025-11-25") != std::string::npos);
    CHECK(r.err.find("session=mcp-") != std::string::npos);  // the id names its instance
    const long da = a->tool_calls("jira_get_issue") - a0, db = b.tool_calls("jira_get_issue") - b0;
    MESSAGE("2025-11-25 session through HAProxy: 100 calls, " << da << " on mcp-a, " << db << " on mcp-b");
    CHECK(((da == 100 && db == 0) || (da == 0 && db == 100)));
  }

  SUBCASE("a task started on one instance is read on the other") {
    const Json args{{"items", Json::array({Json{{"issue_key", "DEMO-3"}, {"body", "fleet task comment"}},
                                           Json{{"issue_key", "DEMO-4"}, {"body", "fleet task comment"}}})}};
    Json started = body_of(post26(a->url(), "tools/call", {{"name", "jira_bulk_add_comments"}, {"arguments", args}},
                                  "jira_bulk_add_comments", true));
    REQUIRE_MESSAGE(started.contains("result"), started.dump());
    REQUIRE_MESSAGE(started["result"].value("resultType", "") == "task", started.dump());
    const std::string id = started["result"]["taskId"];
    Json seen;
    for (int i = 0; i < 1500; ++i) {  // 30 s at most: a hang, not a timing check
      seen = body_of(post26(b.url(), "tasks/get", {{"taskId", id}}, id, true));
      REQUIRE_MESSAGE(seen.contains("result"), seen.dump());
      if (seen["result"]["status"] == "completed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK_MESSAGE(seen["result"]["status"] == "completed", seen.dump());
    CHECK(seen["result"]["taskId"] == id);
    CHECK(seen["result"].contains("result"));
    // The same answer as from the instance that ran it.
    Json local = body_of(post26(a->url(), "tasks/get", {{"taskId", id}}, id, true));
    CHECK(local["result"]["result"] == seen["result"]["result"]);
    // Cancel needs the work: the other instance says where it runs.
    Json cancel = body_of(post26(b.url(), "tasks/cancel", {{"taskId", id}}, id, true));
    REQUIRE(cancel.contains("error"));
    CHECK(cancel["error"]["message"].get<std::string>().find("runs on instance mcp-a") != std::string::npos);
    // An unknown task is still unknown everywhere.
    Json unknown = body_of(post26(b.url(), "tasks/get", {{"taskId", "0123456789abcdef0123456789abcdef"}},
                                  "0123456789abcdef0123456789abcdef", true));
    CHECK(unknown["error"]["code"] == -32602);
  }

  SUBCASE("a requestState issued by one instance is accepted by the other") {
    Json created = body_of(post26(a->url(), "tools/call",
                                  {{"name", "jira_create_issue"},
                                   {"arguments", {{"project_key", "DEMO"}, {"summary", "fleet mrtr"}, {"issue_type", "Task"}}}},
                                  "jira_create_issue"));
    REQUIRE_MESSAGE(created.contains("result"), created.dump());
    const std::string key = created["result"]["structuredContent"]["key"];
    const Json params{{"name", "jira_delete_issue"}, {"arguments", {{"issue_key", key}}}};
    Json first = body_of(post26(a->url(), "tools/call", params, "jira_delete_issue"));
    REQUIRE_MESSAGE(first["result"].value("resultType", "") == "input_required", first.dump());
    Json retry = params;
    retry["inputResponses"] = Json{{first["result"]["inputRequests"].begin().key(),
                                    {{"action", "accept"}, {"content", {{"confirm", true}}}}}};
    retry["requestState"] = first["result"]["requestState"];
    Json done = body_of(post26(b.url(), "tools/call", retry, "jira_delete_issue"));
    REQUIRE_MESSAGE(done.contains("result"), done.dump());
    CHECK_MESSAGE(done["result"].value("isError", false) == false, done.dump());
    // A forged state is refused by either instance.
    retry["requestState"] = first["result"]["requestState"].get<std::string>() + "x";
    CHECK(body_of(post26(b.url(), "tools/call", retry, "jira_delete_issue"))["error"]["code"] == -32602);
  }

  SUBCASE("without stickiness, the other instance answers 404 naming the owner; a stopped owner's session is gone") {
    auto init = post25(plain.url(), initialize25(), "");
    REQUIRE(init);
    REQUIRE(init->status == 200);
    const std::string sid = init->get_header_value("Mcp-Session-Id");
    const std::string owner = sid.rfind("mcp-a.", 0) == 0 ? "mcp-a" : "mcp-b";
    REQUIRE_MESSAGE(sid.rfind(owner + ".", 0) == 0, sid);
    const Json list{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}, {"params", Json::object()}};
    // Round robin: of two consecutive requests, one reaches the other instance.
    int ok = 0, misrouted = 0;
    Json error;
    for (int i = 0; i < 4; ++i) {
      auto r = post25(plain.url(), list, sid);
      REQUIRE(r);
      if (r->status == 200) {
        ++ok;
      } else {
        CHECK(r->status == 404);
        error = Json::parse(r->body, nullptr, false);
        ++misrouted;
      }
    }
    MESSAGE("2025 session without stickiness: " << ok << " answered by " << owner << ", " << misrouted << " 404");
    CHECK(ok > 0);
    REQUIRE(misrouted > 0);
    const std::string message = error["error"]["message"];
    CHECK_MESSAGE(message.find("belongs to instance " + owner) != std::string::npos, message);
    CHECK(error["error"]["data"]["owner"] == owner);
    CHECK(error["error"]["data"]["ownerState"] == "live");

    // A forged id (another instance's name on this id) is no session of anyone's.
    std::string forged = sid;
    forged.replace(0, owner.size(), owner == "mcp-a" ? "mcp-b" : "mcp-a");
    auto f = post25(a->url(), list, forged);
    REQUIRE(f);
    CHECK(f->status == 404);
    CHECK(Json::parse(f->body)["error"]["message"].get<std::string>().find("belongs to") == std::string::npos);

    // The owner stops (it leaves the fleet): the other instance says the session is gone.
    const std::string other_url = owner == "mcp-a" ? b.url() : a->url();
    if (owner == "mcp-a") {
      a.reset();
    } else {
      b.child.stop();
    }
    auto gone = post25(other_url, list, sid);
    REQUIRE(gone);
    CHECK(gone->status == 404);
    const Json g = Json::parse(gone->body);
    CHECK_MESSAGE(g["error"]["message"].get<std::string>().find("session gone") != std::string::npos, g.dump());
    CHECK(g["error"]["data"]["ownerState"] == "gone");
  }
}
