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
#include <memory>
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
  // Signs the requestState of 2026 multi round-trip requests (HMAC-SHA256). Every instance of
  // a fleet behind one load balancer needs the same key; empty = a random key per process.
  std::string state_key;
  int state_ttl_s = 600;            // how long a requestState stays valid
  int task_ttl_seconds = 3600;      // finished tasks (tasks extension) kept this long after they end
  int max_tasks = 1000;             // tasks held at once (queued, running, finished and kept)
  std::size_t task_memory_bytes = 64 * kMiB;  // results and outcomes the held tasks may use
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
  int retry_max_attempts = 4;        // attempts per request, including the first
  int retry_budget_ms = 30000;       // total time spent waiting between retries
  std::size_t max_response_bytes = 64 * 1024 * 1024;  // a larger Jira body fails the call (too_large)
};

struct SandboxConfig {
  std::string flavor = "cloud";  // cloud | dc
  int port = 0;                  // `jira-mcp sandbox` listen port; 0 = any free port
  int issues = 300;              // issues seeded into the emulator
  // Fault knobs (sandbox::Faults), so a sandbox process can stand in for a busy or failing Jira.
  int latency_ms = 0;            // added to every answer
  int jitter_ms = 0;             // plus a random 0..jitter_ms
  double rate_limit_rps = 0;     // token bucket refill, requests/s; 0 = no limit
  int rate_limit_burst = 0;      // token bucket size (at least 1 when the limit is on)
  double error_rate = 0;         // share of requests answered 500/503
  double drop_rate = 0;          // share of connections closed without an answer
};

// [cluster]: fleet mode, several instances sharing one Redis (off while redis_url is empty).
struct ClusterConfig {
  std::string redis_url;         // unix:///path/redis.sock or redis://[:password@]host:port[/db]
  std::string instance_id;       // this instance's name in the fleet; empty = hostname-pid
  std::string key_prefix = "jira-mcp:";  // every Redis key starts with it
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 500;
};

struct ToolsConfig {
  std::vector<std::string> toolsets;        // empty = the default toolsets; ["all"] = every tool
  std::vector<std::string> enabled_tools;   // added on top of the toolsets
  std::vector<std::string> disabled_tools;  // removed last
  bool read_only = false;                   // write tools are neither listed nor callable
  int max_response_chars = 40000;           // a tool's text output is cut (and says so) past this
  bool confirm_destructive = false;         // ask the user (elicitation) before deleting
  std::vector<std::string> attachment_dirs; // local files the upload tool may read; empty = none
  std::size_t max_attachment_bytes = 10 * kMiB;  // largest attachment uploaded or downloaded
  bool allow_hardlinked_attachments = false;      // upload files with more than one hard link
};

// [performance]
struct PerformanceConfig {
  std::size_t max_memory_usage_bytes = 100 * kMiB;  // RSS alert threshold (JIRA_MAX_MEMORY_MB)
  bool object_pooling = true;                      // pooled connections and buffers
  bool native_http = true;                         // Jira over our own HTTP/1.1 code; false: cpp-httplib
  int object_pool_size = 64;                       // buffers each pool keeps
  std::size_t string_pool_capacity = 256 * 1024;   // largest buffer a pool keeps, bytes
};

// [performance.cache]: three tiers. api_cache = issues and per-issue data (short TTL),
// parsed_cache = search results (shortest), config_cache = metadata (long; the L2 tier).
struct CacheConfig {
  bool enabled = true;
  int api_cache_capacity = 10000;
  int api_cache_ttl_seconds = 60;
  std::size_t api_cache_max_bytes = 64 * kMiB;
  int parsed_cache_capacity = 1000;
  int parsed_cache_ttl_seconds = 15;
  std::size_t parsed_cache_max_bytes = 16 * kMiB;
  int config_cache_capacity = 2000;
  int config_cache_ttl_seconds = 3600;
  std::size_t config_cache_max_bytes = 16 * kMiB;
  std::string l2_path;       // directory of the on-disk metadata tier; empty = off
  int jitter_percent = 10;   // TTL spread, +/- percent
  int shards = 16;           // independently locked shards per tier
  bool single_flight = true; // concurrent identical misses share one request
  std::size_t render_cache_max_bytes = 4 * kMiB;  // rendered results of cached issues; 0 = off
};

// [performance.async]
struct AsyncConfig {
  int max_concurrent_tasks = 8;        // Jira requests in flight at once
  int max_connections = 64;            // pooled connections across all users' clients
  int max_connections_per_host = 8;    // per host and user
  double rate_limit_requests_per_second = 10;  // client-side token bucket refill
  int rate_limit_burst = 20;           // client-side token bucket capacity
};

// [monitoring]: thresholds checked every interval over that interval's window.
struct MonitoringConfig {
  bool enabled = true;
  int interval_seconds = 10;
  int breach_intervals = 3;       // consecutive breaches before an alert fires
  int resolve_intervals = 3;      // consecutive healthy intervals before it resolves
  int min_events = 20;            // fewer tool calls in an interval: rate/latency checks skipped
  int p95_tool_latency_ms = 5000;
  double min_success_rate = 0.95;  // tool calls
  double max_error_rate = 0.05;    // Jira calls
  int max_requests_per_second = 1000;
  double min_cache_hit_rate = 0.6;
  int cache_warmup_lookups = 500;
  double max_pool_saturation = 0.5;        // share of connection acquisitions that waited
  double max_rate_limit_wait_ratio = 0.5;  // share of Jira call time spent rate-limited
};

// [logging.performance]
struct PerfLogConfig {
  int log_interval_seconds = 0;  // 0 = no periodic summary
  bool log_cache_stats = true;
  bool log_pool_stats = true;
  int slow_call_ms = 10000;      // 0 = never
};

// [http]: the Streamable HTTP and legacy SSE transports (server.transport = "http").
struct HttpConfig {
  std::vector<std::string> allowed_origins;  // empty = localhost origins
  std::vector<std::string> allowed_hosts;    // empty = localhost names, no port or the bound port
  std::string bearer_token;                  // secret; empty = no client authentication
  std::string per_user_credentials = "off";  // off | optional | required
  std::string tls_cert, tls_key;             // PEM paths; both or neither
  std::size_t max_body_bytes = 4 * kMiB;
  int max_sessions = 2000;
  int max_sessions_per_client = 512;
  int max_connections_per_client = 512;
  int session_idle_timeout_seconds = 1800;
  int unused_session_timeout_seconds = 60;
  int header_timeout_ms = 10000;
  int body_timeout_ms = 30000;
  int metrics_port = 0;  // 0 = off
  int max_streams_per_session = 4;
  bool stateless = false;
  bool legacy_sse = true;
};

struct Config {
  ServerConfig server;
  JiraConfig jira;
  ToolsConfig tools;
  SandboxConfig sandbox;
  ClusterConfig cluster;
  PerformanceConfig performance;
  CacheConfig cache;
  AsyncConfig async;
  MonitoringConfig monitoring;
  PerfLogConfig perf_log;
  HttpConfig http;
  std::string config_path;  // the TOML file loaded, empty if none
  // Where each setting that is not at its default came from, by dotted key, e.g.
  // origins["server.port"] == "environment variable JIRA_MCP_PORT". For describe() and doctor.
  std::map<std::string, std::string> origins;
};

enum class Command {
  Serve,         // the MCP server (default)
  SandboxServe,  // `jira-mcp sandbox [--port N] [--flavor cloud|dc] [--issues N] [fault flags]`
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
  bool offline = false;      // --offline (needs --doctor): check the configuration, no network
  // Sentences to log at warn level once logging is up (e.g. jira.insecure = true).
  std::vector<std::string> warnings;
};

// All problems found, one full sentence per line, secrets masked.
struct ConfigError {
  std::string message;
  // The configuration as far as it could be read despite the problems (a rejected value leaves
  // the setting as the lower layers gave it), so a server can still report `message` to its MCP
  // client instead of exiting. Null when the command line itself could not be parsed.
  std::shared_ptr<const Startup> partial = {};
  std::vector<std::string> rejected = {};  // keys with a rejected value, e.g. "server.transport"
  bool file_unread = false;                // the config file could not be read or parsed
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
//
// Users of sooperset/mcp-atlassian keep their environment: its variable names are accepted as
// aliases (KeySpec::aliases; ours win, with a warning when they differ), JIRA_USERNAME +
// JIRA_API_TOKEN without JIRA_EMAIL/JIRA_PASSWORD is read as it reads them (the username is the
// Cloud email when it looks like one, else the token is the Data Center password),
// ENABLED_TOOLS alone offers only the tools it names (as there), and its variables with no
// equivalent here (JIRA_PROJECTS_FILTER, ...) get a warning instead of being silently ignored.
Result<ParseOutcome, ConfigError> parse(int argc, const char* const* argv,
                                        const std::map<std::string, std::string>& env,
                                        std::string_view version);

// The process environment (::environ) as a map.
std::map<std::string, std::string> environment_map();

// A TOML-like dump of every setting with its origin when not the default; secrets as "***".
std::string describe(const Config& config);

}  // namespace jira_mcp::config
