// The handshake never waits on Jira: against a Jira that accepts connections and never answers,
// the built binary answers initialize, server/discover and tools/list over its real stdio loop
// at once (a generous bound: the machine is shared), without having opened a connection to
// Jira; a tool call then fails with the timeout error and its fix. Both with the deployment
// given and with deployment = auto, whose detection (serverInfo) waits for the first call.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/loopback.hpp"
#include "support/subprocess.hpp"

using Json = nlohmann::json;
using jira_mcp::testing::Subprocess;
using Clock = std::chrono::steady_clock;

namespace {

// A loopback Jira that accepts every connection, reads nothing and never answers. Its thread
// is owned here and stopped (and the connections closed) by the destructor.
class SilentJira {
 public:
  SilentJira() {
    fd_ = jira_mcp::testing::bind_loopback(port_);
    REQUIRE(fd_ >= 0);
    REQUIRE(::listen(fd_, 64) == 0);
    thread_ = std::jthread([this](std::stop_token stop) {
      std::vector<int> held;
      while (!stop.stop_requested()) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        held.push_back(c);
        accepted_.fetch_add(1);
      }
      for (int c : held) ::close(c);
    });
  }
  ~SilentJira() {
    thread_.request_stop();
    thread_.join();
    ::close(fd_);
  }
  SilentJira(const SilentJira&) = delete;
  SilentJira& operator=(const SilentJira&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int accepted() const { return accepted_.load(); }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::jthread thread_;
};

// A config file with short Jira timeouts, in a directory removed with it.
class ShortTimeouts {
 public:
  ShortTimeouts() {
    char tmpl[] = "/tmp/jira-mcp-silent-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ / "config.toml") << "[jira]\nread_timeout_ms = 300\nconnect_timeout_ms = 300\n"
                                           "request_timeout_ms = 1500\n";
  }
  ~ShortTimeouts() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ShortTimeouts(const ShortTimeouts&) = delete;
  ShortTimeouts& operator=(const ShortTimeouts&) = delete;
  std::string path() const { return (dir_ / "config.toml").string(); }

 private:
  std::filesystem::path dir_;
};

// Each handshake request must be answered within this (it takes milliseconds; the bound only
// says "not waiting on Jira", whose timeouts are longer, on a machine busy with other builds).
constexpr auto kHandshakeBound = std::chrono::seconds(3);

const Json k2026Meta = {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                        {"io.modelcontextprotocol/clientCapabilities", Json::object()},
                        {"io.modelcontextprotocol/clientInfo", {{"name", "silent-jira"}, {"version", "1"}}}};

// Sends a request and returns its reply, or a null Json when none came within `bound`.
Json ask(Subprocess& proc, int id, const std::string& method, const Json& params, std::chrono::milliseconds bound) {
  proc.write(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump() + "\n");
  const auto deadline = Clock::now() + bound;
  while (Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    auto line = proc.read_line(std::max(left, std::chrono::milliseconds(1)));
    if (!line) break;
    Json message = Json::parse(*line, nullptr, false);
    if (message.is_object() && message.value("id", Json()) == Json(id)) return message;
  }
  return Json();
}

// The shared objects the process has mapped whose file name contains `part`.
int mapped(int pid, const std::string& part) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  int n = 0;
  for (std::string line; std::getline(maps, line);) n += line.find(part) != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a Jira that accepts connections and never answers delays neither the handshake nor tools/list") {
  for (const std::string deployment : {"cloud", "auto"}) {
    CAPTURE(deployment);
    SilentJira jira;
    ShortTimeouts config;
    Subprocess proc({JIRA_MCP_BINARY},
                    {"JIRA_URL=" + jira.url(), "JIRA_EMAIL=someone@example.com", "JIRA_API_TOKEN=tok-secret-1",
                     "JIRA_PAT=", "JIRA_USERNAME=", "JIRA_PASSWORD=", "JIRA_DEPLOYMENT=" + deployment,
                     "JIRA_MCP_CONFIG=" + config.path(), "JIRA_TOOLSETS=", "JIRA_ENABLED_TOOLS=", "JIRA_DISABLED_TOOLS=",
                     "JIRA_MCP_TRANSPORT=", "JIRA_MCP_LOG_LEVEL=warn"});
    const auto started = Clock::now();
    const Json init = ask(proc, 1, "initialize",
                          {{"protocolVersion", "2025-11-25"},
                           {"capabilities", Json::object()},
                           {"clientInfo", {{"name", "silent-jira"}, {"version", "1"}}}},
                          kHandshakeBound);
    REQUIRE_MESSAGE(init.contains("result"), "no initialize reply within 3 s; stderr: " << proc.stderr_text());
    CHECK(init["result"]["serverInfo"]["name"] == "jira-mcp");
    proc.write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");

    const Json discover = ask(proc, 2, "server/discover", {{"_meta", k2026Meta}}, kHandshakeBound);
    REQUIRE_MESSAGE(discover.contains("result"), "no server/discover reply within 3 s: " << discover.dump());
    CHECK(discover["result"]["supportedVersions"].size() >= 2);
    CHECK(discover["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "jira-mcp");

    const Json list = ask(proc, 3, "tools/list", Json::object(), kHandshakeBound);
    REQUIRE_MESSAGE(list.contains("result"), "no tools/list reply within 3 s: " << list.dump());
    CHECK(list["result"]["tools"].size() >= 20);
    const Json list_2026 = ask(proc, 4, "tools/list", {{"_meta", k2026Meta}}, kHandshakeBound);
    REQUIRE_MESSAGE(list_2026.contains("result"), list_2026.dump());
    CHECK(list_2026["result"]["tools"].size() == list["result"]["tools"].size());
    const auto handshake = Clock::now() - started;
    MESSAGE("deployment " << deployment << ": initialize, server/discover and two tools/list answered in "
                          << std::chrono::duration_cast<std::chrono::milliseconds>(handshake).count() << " ms");
    // Nothing of that reached for Jira, nor loaded the HTTP code (net/net.hpp): cpp-httplib and
    // OpenSSL come with the first Jira request.
    CHECK(jira.accepted() == 0);
    CHECK(mapped(proc.pid(), "libcrypto.so") == 0);
    CHECK(mapped(proc.pid(), "libcpp-httplib") == 0);

    // A call does reach it, and ends with the timeout and what to do about it.
    const Json call = ask(proc, 5, "tools/call", {{"name", "jira_get_issue"}, {"arguments", {{"issue_key", "PROJ-1"}}}},
                          std::chrono::seconds(60));
    REQUIRE_MESSAGE(call.contains("result"), "no tools/call reply; stderr: " << proc.stderr_text());
    CHECK(call["result"]["isError"] == true);
    const std::string text = call["result"]["content"][0].value("text", "");
    CAPTURE(text);
    CHECK(text.find("Jira did not answer in time") != std::string::npos);
    CHECK(text.find("read_timeout") != std::string::npos);
    CHECK(text.find("tok-secret-1") == std::string::npos);
    CHECK(jira.accepted() >= 1);
    CHECK(mapped(proc.pid(), "jira-mcp-net.so") > 0);
    CHECK(mapped(proc.pid(), "libcrypto.so") > 0);

    // The server still answers at once while Jira stays silent.
    const Json again = ask(proc, 6, "tools/list", Json::object(), kHandshakeBound);
    CHECK(again.contains("result"));
    proc.close_stdin();
    proc.read_all_lines(std::chrono::seconds(30));
    const auto rc = proc.wait(std::chrono::seconds(30));
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
  }
}

TEST_CASE("a binary copied without its HTTP module still answers, and a Jira call says what is missing") {
  char tmpl[] = "/tmp/jira-mcp-alone-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path alone = dir / "jira-mcp";
  std::filesystem::copy_file(JIRA_MCP_BINARY, alone);
  std::filesystem::permissions(alone, std::filesystem::perms::owner_all);
  {
    SilentJira jira;
    Subprocess proc({alone.string()},
                    {"JIRA_URL=" + jira.url(), "JIRA_EMAIL=someone@example.com", "JIRA_API_TOKEN=tok-secret-2",
                     "JIRA_PAT=", "JIRA_USERNAME=", "JIRA_PASSWORD=", "JIRA_DEPLOYMENT=cloud", "JIRA_MCP_CONFIG=",
                     "JIRA_TOOLSETS=", "JIRA_ENABLED_TOOLS=", "JIRA_DISABLED_TOOLS=", "JIRA_MCP_TRANSPORT=",
                     "JIRA_MCP_LOG_LEVEL=warn"});
    const Json init = ask(proc, 1, "initialize",
                          {{"protocolVersion", "2025-11-25"},
                           {"capabilities", Json::object()},
                           {"clientInfo", {{"name", "alone"}, {"version", "1"}}}},
                          kHandshakeBound);
    REQUIRE_MESSAGE(init.contains("result"), "stderr: " << proc.stderr_text());
    proc.write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
    const Json list = ask(proc, 2, "tools/list", Json::object(), kHandshakeBound);
    CHECK(list["result"]["tools"].size() >= 20);
    const Json call = ask(proc, 3, "tools/call", {{"name", "jira_get_issue"}, {"arguments", {{"issue_key", "PROJ-1"}}}},
                          std::chrono::seconds(30));
    REQUIRE_MESSAGE(call.contains("result"), "no tools/call reply; stderr: " << proc.stderr_text());
    CHECK(call["result"]["isError"] == true);
    const std::string text = call["result"]["content"][0].value("text", "");
    CAPTURE(text);
    CHECK(text.find("jira-mcp-net.so") != std::string::npos);
    CHECK(text.find("Install jira-mcp whole") != std::string::npos);
    CHECK(text.find("tok-secret-2") == std::string::npos);
    CHECK(jira.accepted() == 0);
    // The server goes on answering.
    CHECK(ask(proc, 4, "tools/list", Json::object(), kHandshakeBound).contains("result"));
    proc.close_stdin();
    proc.read_all_lines(std::chrono::seconds(30));
    const auto rc = proc.wait(std::chrono::seconds(30));
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
  }
  {
    // Serving HTTP needs the module at once: a clear error and exit code 1, not a crash.
    int port = 0;
    const int probe = jira_mcp::testing::bind_loopback(port);  // a free port, released at once
    REQUIRE(probe >= 0);
    ::close(probe);
    Subprocess proc({alone.string(), "--transport", "http", "--port", std::to_string(port)},
                    {"JIRA_URL=http://127.0.0.1:9", "JIRA_EMAIL=someone@example.com", "JIRA_API_TOKEN=t",
                     "JIRA_DEPLOYMENT=cloud", "JIRA_MCP_CONFIG=", "JIRA_MCP_LOG_LEVEL=warn"});
    proc.close_stdin();
    const auto rc = proc.wait(std::chrono::seconds(30));
    REQUIRE(rc.has_value());
    CHECK(*rc == 1);
    CHECK(proc.stderr_text().find("jira-mcp-net.so") != std::string::npos);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}
