#pragma once
// Start-up configuration: command line (CLI11), environment, TOML file, defaults.
//
// Precedence, highest first: command line > environment > TOML file > defaults (the member
// initializers below). Every setting is declared once, as a row of the key table in
// keys.hpp; that row drives parsing from all three sources, validation, `--help`, describe()
// and the test that keeps config.toml.example complete. Adding a setting is one field here
// plus one row there.
//
// A bad value is reported with its key, where it came from (command-line flag, environment
// variable, or file and line), what is wrong, and what is accepted, e.g.
//   server.port = 70000 (from config.toml line 12): must be an integer from 1 to 65535
// parse() collects every problem it can find before failing. Secrets (API token, PAT,
// password, custom header values) never appear in errors or in describe(): they print as ***.
//
// Everything here is a plain value; parse() and describe() are pure functions of their
// arguments (apart from reading the config file and checking that jira.ca_bundle exists),
// safe to call from any thread. Nothing here logs: warnings are returned in
// Startup::warnings for the caller to log once logging is set up (parse() runs before
// init_logging, and spdlog's default logger would write to stdout, the MCP channel).
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "jira_mcp/core/result.hpp"

namespace jira_mcp::config {

inline constexpr std::size_t kMiB = 1024 * 1024;

struct ServerConfig {
  std::string transport = "stdio";  // stdio | http
  std::string host = "127.0.0.1";   // HTTP transport bind address
  int port = 8808;                  // HTTP transport port
  std::string log_level = "info";   // trace|debug|info|warn|error|critical|off
  std::size_t max_line_bytes = 16 * kMiB;  // longest accepted JSON-RPC message, bytes
  int workers = 4;                  // request worker threads
  int max_queue = 256;              // requests waiting for a worker before rejecting
  int max_depth = 64;               // deepest accepted JSON nesting
};

struct JiraConfig {
  std::string url;  // http(s)://host[:port][/context-path], no trailing slash
  std::string email, api_token;      // Jira Cloud basic auth (both or neither)
  std::string pat;                   // Data Center personal access token (bearer)
  std::string username, password;    // Data Center basic auth (both or neither)
  std::string deployment = "auto";   // auto | cloud | datacenter
  std::string ca_bundle;             // PEM file or directory of CA certificates; empty = system
  bool insecure = false;             // skip TLS verification (start-up warns)
  std::string proxy;                 // http(s)://[user:pass@]host:port; empty = direct
  std::vector<std::string> no_proxy; // hosts/domains that bypass the proxy
  std::map<std::string, std::string> headers;  // extra headers on every request (values secret)
  int connect_timeout_ms = 5000;
  int read_timeout_ms = 30000;
  int request_timeout_ms = 60000;    // whole request including retries' waits
  int max_connections_per_host = 8;
  double rate_limit_rps = 10;        // client-side token bucket: refill per second
  int rate_limit_burst = 20;         // client-side token bucket: capacity
  int max_concurrency = 8;           // Jira requests in flight at once
  int retry_max_attempts = 4;        // attempts per request, including the first
  int retry_budget_ms = 30000;       // total time spent waiting between retries
};

struct SandboxConfig {
  std::string flavor = "cloud";  // cloud | dc
  int port = 0;                  // `jira-mcp sandbox` listen port; 0 = any free port
  int issues = 300;              // issues seeded into the emulator
};

struct ToolsConfig {
  std::vector<std::string> toolsets;        // empty = the default toolsets; ["all"] = every tool
  std::vector<std::string> enabled_tools;   // added on top of the toolsets
  std::vector<std::string> disabled_tools;  // removed last
  bool read_only = false;                   // write tools are neither listed nor callable
  int max_response_chars = 40000;           // a tool's text output is cut (and says so) past this
  bool confirm_destructive = false;         // ask the user (elicitation) before deleting
};

struct Config {
  ServerConfig server;
  JiraConfig jira;
  ToolsConfig tools;
  SandboxConfig sandbox;
  std::string config_path;  // the TOML file loaded, empty if none
  // Where each setting that is not at its default came from, by dotted key, e.g.
  // origins["server.port"] == "environment variable JIRA_MCP_PORT". For describe() and doctor.
  std::map<std::string, std::string> origins;
};

enum class Command {
  Serve,         // the MCP server (default)
  SandboxServe,  // `jira-mcp sandbox [--port N] [--flavor cloud|dc] [--issues N]`
  Doctor,        // --doctor
  Bench,         // --bench
};

struct Startup {
  Command command = Command::Serve;
  Config config;
  bool use_sandbox = false;  // --sandbox: serve against the built-in emulator
  bool bench_json = false;   // --bench-json (needs --bench)
  bool bench_quick = false;  // --bench-quick (needs --bench)
  bool timing = false;       // --timing
  // Sentences to log at warn level once logging is up (e.g. jira.insecure = true).
  std::vector<std::string> warnings;
};

// All problems found, one full sentence per line, secrets masked.
struct ConfigError {
  std::string message;
};

// --help and --version: main prints `text` to stdout and exits with `code`.
struct ExitRequest {
  int code;
  std::string text;
};

using ParseOutcome = std::variant<Startup, ExitRequest>;

// Parses argv, the environment (passed in, so tests inject it) and the TOML file named by
// --config or $JIRA_MCP_CONFIG (a named file that cannot be read is an error; with none named,
// no file is read). Empty environment variables count as unset. With no jira.url and no
// credentials, Command::Serve serves the built-in sandbox; credentials without a URL are an
// error. argv[0] is ignored.
Result<ParseOutcome, ConfigError> parse(int argc, const char* const* argv,
                                        const std::map<std::string, std::string>& env,
                                        std::string_view version);

// The process environment (::environ) as a map.
std::map<std::string, std::string> environment_map();

// A TOML-like dump of every setting with its origin when not the default; secrets as "***".
std::string describe(const Config& config);

}  // namespace jira_mcp::config
