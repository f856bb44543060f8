#pragma once
// The three sources of settings, each applied onto a Config in precedence order (private).
//
// Every apply_* function validates against the key table, assigns valid values, records the
// value's origin in Config::origins, and appends a full sentence to `problems` for each bad
// value. Secret values seen are appended to `secrets` so the final message can be scrubbed of
// them as a last line of defence.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/config/config.hpp"
#include "jira_mcp/config/keys.hpp"

namespace jira_mcp::config::detail {

struct Sink {
  std::vector<std::string> problems;
  std::vector<std::string> secrets;
  bool file_failed = false;  // the config file could not be read or parsed
  std::vector<std::string> rejected;  // keys with a bad value in some layer
  std::vector<std::string> warnings;  // full sentences for Startup::warnings
};

// A value given as text (environment variable or command-line flag). `origin` reads like
// "environment variable JIRA_MCP_PORT".
void apply_text(const KeySpec& spec, std::string_view text, const std::string& origin,
                Config& config, Sink& sink);

// Reads and applies the TOML file at `path`. `named_by` says who named the file ("--config" or
// "environment variable JIRA_MCP_CONFIG") for the error when it cannot be read.
void apply_file(const std::string& path, std::string_view named_by, Config& config, Sink& sink);

// Applies every key that has an environment variable set (non-empty) in `env`: our own names
// first; failing those, another server's name for the key (KeySpec::aliases). When both ours
// and an alias are set to different values, ours is used and a warning names both.
void apply_env(const std::map<std::string, std::string>& env, Config& config, Sink& sink);

// The key in `keys()` closest to `unknown`, or empty if none is close enough.
std::string suggest_key(std::string_view unknown);

}  // namespace jira_mcp::config::detail
