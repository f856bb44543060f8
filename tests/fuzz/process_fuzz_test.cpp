// The whole server under a generated stream of hostile messages, over stdio and over HTTP.
//
// 20,000 messages (JIRA_MCP_FUZZ_MESSAGES overrides; seed 20261206) are mutated from valid
// requests of the real tools against the built-in sandbox (mutate.hpp: 1e400, invalid UTF-8,
// BOM, NUL, CR LF and ../ in ids, deep nesting, truncation, wrong types). Passing means:
// 0 crashes (the process is alive at the end and exits 0 when its input ends), 0 hangs (a
// final ping is answered, within a minute), 0 HTTP 5xx, and every line the server writes is a
// JSON-RPC 2.0 message. Figures (time, replies by error code) are printed.
#include <doctest/doctest.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "fuzz/mutate.hpp"
#include "jira_mcp/core/json.hpp"
#include "support/loopback.hpp"
#include "support/subprocess.hpp"

using jira_mcp::Json;
using jira_mcp::testing::Subprocess;

namespace {

const std::vector<std::string>& message_seeds() {
  static const std::vector<std::string> s{
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"jira_get_issue","arguments":{"issue_key":"DEMO-1"}}})",
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"jira_search","arguments":{"jql":"project = DEMO ORDER BY created DESC","max_results":5}}})",
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"jira_get_comments","arguments":{"issue_key":"DEMO-2","max_results":3}}})",
      R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"jira_edit_comment","arguments":{"issue_key":"DEMO-1","comment_id":"10000","body":"edited *text*"}}})",
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"jira_add_comment","arguments":{"issue_key":"DEMO-3","body":"# hi\n- a\n- b"}}})",
      R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"jira_get_transitions","arguments":{"issue_key":"DEMO-1"}}})",
      R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"jira_get_project","arguments":{"project_key":"DEMO"}}})",
      R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"jira_list_projects","arguments":{"query":"de"}}})",
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"jira_count_issues","arguments":{"jql":"project = DEMO"}}})",
      R"({"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"jira_update_issue","arguments":{"issue_key":"DEMO-4","summary":"new summary","labels":["a","b"]}}})",
      R"({"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"jira_create_issue","arguments":{"project_key":"DEMO","summary":"fuzzed","description":"**d**","issue_type":"Task"}}})",
      R"({"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"jira_get_worklogs","arguments":{"issue_key":"DEMO-1"}}})",
      R"({"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"jira_list_versions","arguments":{"project_key":"DEMO"}}})",
      R"({"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"jira_search_users","arguments":{"query":"alice"}}})",
      R"({"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"jira_get_issues","arguments":{"issue_keys":["DEMO-1","DEMO-2"]}}})",
      R"({"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"jira_list_link_types","arguments":{}}})",
      R"({"jsonrpc":"2.0","id":17,"method":"tools/call","params":{"name":"jira_get_issue_changelog","arguments":{"issue_key":"DEMO-1"}}})",
      R"({"jsonrpc":"2.0","id":18,"method":"tools/list","params":{}})",
      R"({"jsonrpc":"2.0","id":19,"method":"resources/list"})",
      R"({"jsonrpc":"2.0","id":20,"method":"resources/read","params":{"uri":"jira://issue/DEMO-1"}})",
      R"({"jsonrpc":"2.0","id":21,"method":"prompts/list"})",
      R"({"jsonrpc":"2.0","id":22,"method":"ping"})",
      R"({"jsonrpc":"2.0","id":23,"method":"logging/setLevel","params":{"level":"error"}})",
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})",
      R"({"jsonrpc":"2.0","id":24,"method":"completion/complete","params":{"ref":{"type":"ref/resource","uri":"jira://issue/{key}"},"argument":{"name":"key","value":"DE"}}})",
      R"({"jsonrpc":"2.0","id":25,"method":"tools/call","params":{"name":"jira_get_issue","arguments":{"issue_key":"DEMO-1","fields":"summary,status","comments":2}}})",
  };
  return s;
}

std::vector<std::string> generate(std::size_t n) {
  jira_mcp::fuzz::Mutator m(20261206);
  std::vector<std::string> out;
  out.reserve(n);
  const auto& seeds = message_seeds();
  for (std::size_t i = 0; i < n; ++i) {
    // One in ten goes through unchanged, so the stream keeps doing real work; half keep valid
    // JSON with hostile values, to reach validation and the tools; the rest are byte-level.
    const std::string& seed = seeds[m.below(seeds.size())];
    const auto kind = m.below(10);
    out.push_back(kind == 0 ? seed : kind <= 5 ? m.mutate_values(seed) : m.mutate(seed));
  }
  return out;
}

std::size_t message_count() {
  if (const char* v = std::getenv("JIRA_MCP_FUZZ_MESSAGES")) return static_cast<std::size_t>(std::atol(v));
  return 20000;
}


const std::vector<std::string> kNoJira{"JIRA_URL=", "JIRA_EMAIL=", "JIRA_API_TOKEN=", "JIRA_PAT=",
                                       "JIRA_MCP_LOG_LEVEL=error"};

const char* kInit =
    R"({"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}})";

// Counts replies by error code ("ok" for results); fails on a line that is not JSON-RPC.
struct Replies {
  std::map<std::string, long> by_code;
  long lines = 0;
  void add(const std::string& line) {
    ++lines;
    Json j = Json::parse(line, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), "the server wrote a line that is not JSON: " << line.substr(0, 300));
    REQUIRE_MESSAGE((j.is_object() && j.value("jsonrpc", "") == "2.0"), line.substr(0, 300));
    if (j.contains("error")) {
      by_code[std::to_string(j["error"].value("code", 0))]++;
    } else if (j.contains("result")) {
      by_code["ok"]++;
    } else {
      by_code["notification"]++;
    }
  }
  std::string summary() const {
    std::string s;
    for (const auto& [k, v] : by_code) s += (s.empty() ? "" : ", ") + k + ": " + std::to_string(v);
    return s;
  }
};

}  // namespace

// A config file whose queue holds the whole stream and whose Jira rate is the sandbox's, so the
// calls run instead of being refused as busy or paced at the default 10/s (both tested elsewhere).
std::string roomy_config() {
  const std::string path = std::filesystem::temp_directory_path() / ("jira-mcp-fuzz-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "[server]\nmax_queue = 100000\n[performance.async]\nrate_limit_requests_per_second = 10000\n"
                          "rate_limit_burst = 10000\n";
  return path;
}

TEST_CASE("20,000 generated hostile messages over stdio: no crash, no hang, only JSON-RPC on stdout") {
  const auto messages = generate(message_count());
  const std::string config = roomy_config();
  Subprocess proc({JIRA_MCP_BINARY, "--config", config}, kNoJira);
  const auto start = std::chrono::steady_clock::now();
  Replies replies;
  std::atomic<bool> final_seen{false};
  std::atomic<long> replies_seen{0};
  std::string bad_line;
  // Reads stdout to its end, so the server is never blocked writing to a full pipe.
  std::thread reader([&] {
    while (auto line = proc.read_line(std::chrono::seconds(120))) {
      Json j = Json::parse(*line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || j.value("jsonrpc", "") != "2.0") {
        if (bad_line.empty()) bad_line = line->substr(0, 300);
        continue;
      }
      replies.add(*line);
      ++replies_seen;
      if (j.value("id", Json()) == "final-ping") final_seen = true;
    }
  });
  proc.write(std::string(kInit) + "\n");
  std::string batch;
  for (const auto& m : messages) {
    batch += m;
    batch += '\n';
    if (batch.size() > 256 * 1024) {
      proc.write(batch);
      batch.clear();
    }
  }
  batch += R"({"jsonrpc":"2.0","id":"final-ping","method":"ping"})" "\n";
  proc.write(batch);
  // A hang is a minute without any reply before the final ping's.
  long last_count = -1;
  auto last_progress = std::chrono::steady_clock::now();
  while (!final_seen && std::chrono::steady_clock::now() - last_progress < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const long now_count = replies_seen.load();
    if (now_count != last_count) {
      last_count = now_count;
      last_progress = std::chrono::steady_clock::now();
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const bool answered = final_seen.load();
  proc.close_stdin();
  auto code = proc.wait(std::chrono::seconds(60));
  if (!code) {
    // Leave a trace of where it hangs before failing.
    const std::string gdb = "gdb -p " + std::to_string(proc.pid()) +
                            " -batch -ex 'thread apply all bt 30' 2>/dev/null | grep -E '^#|^Thread' | grep -v futex | "
                            "grep -B3 -A3 'jira_mcp' >&2";
    [[maybe_unused]] int rc = std::system(gdb.c_str());
    proc.kill(SIGKILL);
  }
  reader.join();
  CHECK_MESSAGE(bad_line.empty(), "not JSON-RPC on stdout: " << bad_line);
  REQUIRE_MESSAGE(answered, "no reply for a minute before the final ping's (a hang or a crash); stderr: "
                                << proc.stderr_text().substr(0, 2000));
  REQUIRE_MESSAGE(code.has_value(), "the server did not exit after its input ended (a hang)");
  CHECK_MESSAGE(*code == 0, "exit status " << *code << "; stderr: " << proc.stderr_text().substr(0, 2000));
  MESSAGE(messages.size() << " messages over stdio in " << secs << " s; " << replies.lines << " replies (" << replies.summary()
                          << ")");
  CHECK(replies.by_code.count("-32603") == 0);
  std::filesystem::remove(config);
}

TEST_CASE("20,000 generated hostile messages over HTTP: no 5xx, no crash, no hang") {
  const auto messages = generate(message_count());
  const std::string config = roomy_config();
  Subprocess proc({JIRA_MCP_BINARY, "--config", config, "--transport", "http", "--host", "127.0.0.1", "--port",
                   std::to_string(jira_mcp::testing::unused_loopback_port())},
                  kNoJira);
  std::string err, url;
  for (int i = 0; i < 600 && url.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    err += proc.stderr_text();
    auto at = err.find("Streamable HTTP at http://127.0.0.1:");
    if (at != std::string::npos) {
      auto end = err.find('\n', at);
      if (end != std::string::npos) url = err.substr(at + 22, end - at - 22);
    }
  }
  REQUIRE_MESSAGE(!url.empty(), err);
  const auto port = std::stoi(url.substr(url.rfind(':') + 1));
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(std::chrono::seconds(60));
  httplib::Headers h{{"Accept", "application/json, text/event-stream"}};
  auto init = http.Post("/mcp", h, kInit, "application/json");
  REQUIRE(init);
  REQUIRE(init->status == 200);
  h.emplace("Mcp-Session-Id", init->get_header_value("Mcp-Session-Id"));
  h.emplace("MCP-Protocol-Version", "2025-11-25");
  REQUIRE(http.Post("/mcp", h, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", "application/json"));
  std::map<int, long> statuses;
  long fives = 0;
  std::string first_five;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& m : messages) {
    auto r = http.Post("/mcp", h, m, "application/json");
    REQUIRE_MESSAGE(r, "no HTTP answer (a crash or a hang) after " << statuses.size() << " statuses; stderr: "
                                                                  << proc.stderr_text().substr(0, 2000));
    statuses[r->status]++;
    if (r->status >= 500) {
      ++fives;
      if (first_five.empty()) first_five = m.substr(0, 300) + " => " + r->body.substr(0, 300);
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto health = http.Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  std::string by_status;
  for (const auto& [s, n] : statuses) by_status += (by_status.empty() ? "" : ", ") + std::to_string(s) + ": " + std::to_string(n);
  MESSAGE(messages.size() << " messages over HTTP in " << secs << " s; statuses " << by_status);
  CHECK_MESSAGE(fives == 0, fives << " answers were 5xx; the first: " << first_five);
  proc.kill(SIGTERM);
  auto code = proc.wait(std::chrono::seconds(30));
  std::filesystem::remove(config);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
}
