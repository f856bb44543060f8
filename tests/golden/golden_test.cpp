// Golden transcripts through the real stdio loop of the built binaries.
//
// Each tests/golden/*.jsonl file is a conversation:
//   # server: fixture | jira-mcp      which binary serves it
//   # args: --flag value              extra command-line arguments (optional)
//   # ...                             any other comment: what the file pins down
//   > <a line the client sends>       sent verbatim (it need not be valid JSON)
//   < <a JSON line the server must send>
// All client lines are written, stdin is closed, and the server must then finish in-flight
// work, write its replies and exit 0. Replies may come in any order (requests run on a worker
// pool), so expected and actual lines are matched as multisets of JSON values; the string
// "<any>" in an expected line matches any value. Every stdout line must be a JSON-RPC message.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/subprocess.hpp"

using Json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

bool matches(const Json& expected, const Json& actual) {
  if (expected.is_string() && expected.get<std::string>() == "<any>") return true;
  if (expected.type() != actual.type()) {
    return expected.is_number() && actual.is_number() && expected == actual;
  }
  if (expected.is_object()) {
    if (expected.size() != actual.size()) return false;
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      auto a = actual.find(it.key());
      if (a == actual.end() || !matches(*it, *a)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (expected.size() != actual.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (!matches(expected[i], actual[i])) return false;
    }
    return true;
  }
  return expected == actual;
}

struct Transcript {
  std::string server;
  std::vector<std::string> args;
  std::string input;
  std::vector<Json> expected;
};

Transcript load(const fs::path& path) {
  Transcript t;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("# server:", 0) == 0) {
      t.server = line.substr(9);
      t.server.erase(0, t.server.find_first_not_of(' '));
    } else if (line.rfind("# args:", 0) == 0) {
      std::istringstream ss(line.substr(7));
      for (std::string a; ss >> a;) t.args.push_back(a);
    } else if (line.rfind("> ", 0) == 0) {
      t.input += line.substr(2) + "\n";
    } else if (line.rfind("< ", 0) == 0) {
      try {
        t.expected.push_back(Json::parse(line.substr(2)));
      } catch (const std::exception& e) {
        FAIL(path.filename().string() << ":" << n << ": expected line is not JSON: " << e.what());
      }
    } else if (!line.empty() && line[0] != '#') {
      FAIL(path.filename().string() << ":" << n << ": a line must start with '#', '> ' or '< '");
    }
  }
  return t;
}

}  // namespace

TEST_CASE("golden transcripts through the real stdio loop") {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(JIRA_MCP_GOLDEN_DIR)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 3);
  for (const auto& file : files) {
    SUBCASE(file.filename().string().c_str()) {
      Transcript t = load(file);
      REQUIRE_MESSAGE((t.server == "fixture" || t.server == "jira-mcp"), file << ": '# server:' must be fixture or jira-mcp");
      std::vector<std::string> argv{t.server == "fixture" ? JIRA_MCP_FIXTURE_BINARY : JIRA_MCP_BINARY};
      argv.insert(argv.end(), t.args.begin(), t.args.end());
      // No Jira configured: jira-mcp serves its built-in sandbox.
      jira_mcp::testing::Subprocess proc(argv, {"JIRA_URL=", "JIRA_EMAIL=", "JIRA_API_TOKEN=", "JIRA_PAT=",
                                                "JIRA_MCP_CONFIG=", "JIRA_MCP_LOG_LEVEL=warn"});
      proc.write(t.input);
      proc.close_stdin();
      auto lines = proc.read_all_lines(std::chrono::seconds(30));
      auto rc = proc.wait(std::chrono::seconds(10));
      INFO("stderr: " << proc.stderr_text());
      REQUIRE(rc.has_value());
      CHECK(*rc == 0);
      std::vector<Json> actual;
      for (const auto& l : lines) {
        Json j;
        try {
          j = Json::parse(l);
        } catch (const std::exception&) {
          FAIL_CHECK("stdout carried a line that is not JSON: " << l);
          continue;
        }
        CHECK_MESSAGE(j.value("jsonrpc", "") == "2.0", "not a JSON-RPC message: " << l);
        actual.push_back(std::move(j));
      }
      std::vector<bool> used(actual.size(), false);
      for (const auto& e : t.expected) {
        bool found = false;
        for (size_t i = 0; i < actual.size() && !found; ++i) {
          if (!used[i] && matches(e, actual[i])) used[i] = found = true;
        }
        CHECK_MESSAGE(found, "expected but not sent: " << e.dump());
      }
      for (size_t i = 0; i < actual.size(); ++i) {
        CHECK_MESSAGE(used[i], "sent but not expected: " << actual[i].dump());
      }
    }
  }
}

TEST_CASE("SIGTERM and SIGINT end the server like end of input: replies flushed, exit 0") {
  for (int sig : {SIGTERM, SIGINT}) {
    CAPTURE(sig);
    jira_mcp::testing::Subprocess proc({JIRA_MCP_BINARY}, {"JIRA_URL=", "JIRA_EMAIL=", "JIRA_API_TOKEN=", "JIRA_PAT=",
                                                           "JIRA_MCP_CONFIG=", "JIRA_MCP_LOG_LEVEL=warn"});
    proc.write(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sig","version":"1"}}})"
               "\n");
    auto line = proc.read_line(std::chrono::seconds(20));
    REQUIRE(line.has_value());
    CHECK(Json::parse(*line)["id"] == 1);
    proc.kill(sig);
    auto rc = proc.wait(std::chrono::seconds(20));
    REQUIRE(rc.has_value());
    CHECK(*rc == 0);
  }
}
