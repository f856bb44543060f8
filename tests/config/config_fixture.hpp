#pragma once
// Shared helpers for the config tests: run parse() on an argument list and an injected
// environment, and write throwaway TOML files.
#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "jira_mcp/config/config.hpp"

namespace config_test {

using Env = std::map<std::string, std::string>;
using jira_mcp::config::ConfigError;
using jira_mcp::config::ParseOutcome;

inline jira_mcp::Result<ParseOutcome, ConfigError> run(std::vector<std::string> args,
                                                       const Env& env = {}) {
  args.insert(args.begin(), "jira-mcp");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return jira_mcp::config::parse(static_cast<int>(argv.size()), argv.data(), env, "1.2.3");
}

// The Startup of a parse that must succeed (fails the test with the error otherwise).
inline jira_mcp::config::Startup startup(std::vector<std::string> args, const Env& env = {}) {
  auto r = run(std::move(args), env);
  if (!r.ok()) FAIL("unexpected config error: " << r.error().message);
  const auto* s = std::get_if<jira_mcp::config::Startup>(&r.value());
  if (!s) FAIL("expected a Startup, got an ExitRequest");
  return *s;
}

// The error message of a parse that must fail.
inline std::string error(std::vector<std::string> args, const Env& env = {}) {
  auto r = run(std::move(args), env);
  if (r.ok()) FAIL("expected a config error");
  return r.error().message;
}

// A TOML file in the temp directory, removed when it goes out of scope.
class TempToml {
 public:
  explicit TempToml(const std::string& text) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("jira-mcp-config-test-" + std::to_string(::getpid()) + "-" +
              std::to_string(counter++) + ".toml"))
                .string();
    std::ofstream(path_) << text;
  }
  ~TempToml() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempToml(const TempToml&) = delete;
  TempToml& operator=(const TempToml&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace config_test
