// The key table and the per-key checks. To add a setting: add the field to the Config struct
// (with its default as the member initializer) and one row below; document it in
// config.toml.example (a test fails until you do).
#include "jira_mcp/config/keys.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "config/text.hpp"
#include "jira_mcp/cluster/redis.hpp"

namespace jira_mcp::config {
namespace {

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string check_no_control(std::string& v) {
  return has_control_chars(v) ? "must not contain control characters or line breaks" : "";
}

std::string check_email(std::string& v) {
  if (v.empty()) return "";
  if (has_control_chars(v) || v.find('@') == std::string::npos ||
      v.find(' ') != std::string::npos) {
    return "must be an email address such as name@example.com";
  }
  return "";
}

std::string check_host(std::string& v) {
  if (v.empty() || has_control_chars(v) || v.find(' ') != std::string::npos ||
      v.find('/') != std::string::npos) {
    return "must be a host name or IP address such as 127.0.0.1";
  }
  return "";
}

std::string check_jira_url(std::string& v) {
  if (v.empty()) return "";
  auto parsed = detail::parse_http_url(v, /*allow_userinfo=*/false, /*require_port=*/false,
                                       /*allow_path=*/true);
  if (!parsed.ok) {
    return parsed.problem.empty()
               ? "must be a URL of the form http(s)://host[:port][/context-path]"
               : parsed.problem + "; expected http(s)://host[:port][/context-path]";
  }
  v = parsed.normalized;
  return "";
}

std::string check_proxy(std::string& v) {
  if (v.empty()) return "";
  if (v.find("://") == std::string::npos) v = "http://" + v;  // curl-style "host:port"
  auto parsed = detail::parse_http_url(v, /*allow_userinfo=*/true, /*require_port=*/true,
                                       /*allow_path=*/false);
  if (!parsed.ok || parsed.scheme != "http") {
    return "must be a proxy address of the form http://[user:password@]host:port";
  }
  v = parsed.normalized;
  return "";
}

std::string check_existing_file(std::string& v) {
  if (v.empty()) return "";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(v, ec)) return "must name an existing readable file";
  return "";
}

std::string check_redis_url(std::string& v) {
  if (v.empty()) return "";
  auto parsed = cluster::parse_redis_url(v);
  if (parsed) return "";
  // The parser's message starts with the key's name, which the caller already shows.
  std::string problem = parsed.error().message;
  constexpr std::string_view kPrefix = "cluster.redis_url ";
  if (problem.starts_with(kPrefix)) problem.erase(0, kPrefix.size());
  return problem;
}

// Instance ids end up in Redis keys and MCP session ids, so they stay plain.
std::string check_instance_id(std::string& v) {
  const bool plain = std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
  if (!plain || v.size() > 64) return "must be at most 64 letters, digits, '-', '_' or '.' (or empty for hostname-pid)";
  return "";
}

std::string check_key_prefix(std::string& v) {
  if (v.size() > 64 || has_control_chars(v) || v.find(' ') != std::string::npos)
    return "must be at most 64 characters without spaces or control characters, e.g. \"jira-mcp:\"";
  return "";
}

std::string check_ca_bundle(std::string& v) {
  if (v.empty()) return "";
  std::error_code ec;
  if (!std::filesystem::exists(v, ec)) return "must name an existing PEM file or directory";
  return "";
}

bool is_token_char(char c) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kExtra.find(c) != std::string_view::npos;
}

std::string check_headers(const std::map<std::string, std::string>& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
      return "header name '" + detail::printable(name) + "' is not a valid HTTP header name";
    }
    const bool bad_value = std::any_of(value.begin(), value.end(), [](char c) {
      const auto u = static_cast<unsigned char>(c);
      return (u < 0x20 && c != '\t') || u == 0x7f;
    });
    if (bad_value) {
      return "the value of header '" + name + "' must not contain control characters or line breaks";
    }
  }
  return "";
}

// Values of mcp-atlassian's variables, in its spellings (it reads booleans as
// true/1/yes/y/on, case-insensitively, and anything else as false; here anything else is an error).
std::optional<bool> foreign_bool(std::string_view v) {
  const auto t = detail::to_lower(detail::trim(v));
  if (t == "true" || t == "1" || t == "yes" || t == "y" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "n" || t == "off") return false;
  return std::nullopt;
}

std::optional<std::string> alias_inverted_bool(std::string_view v) {
  const auto b = foreign_bool(v);
  if (!b) return std::nullopt;
  return std::string(*b ? "false" : "true");
}

std::optional<std::string> alias_transport(std::string_view v) {
  const auto t = detail::to_lower(detail::trim(v));
  if (t == "stdio") return t;
  if (t == "sse" || t == "streamable-http" || t == "http") return std::string("http");
  return std::nullopt;
}

std::optional<std::string> alias_verbose(std::string_view v) {
  const auto b = foreign_bool(v);
  if (!b) return std::nullopt;
  return std::string(*b ? "info" : "");
}

std::optional<std::string> alias_very_verbose(std::string_view v) {
  const auto b = foreign_bool(v);
  if (!b) return std::nullopt;
  return std::string(*b ? "debug" : "");
}

std::optional<std::string> alias_seconds(std::string_view v) {
  const auto t = detail::trim(v);
  if (t.empty() || t.size() > 6 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::string(t) + "000";
}

std::vector<KeySpec> build_table() {
  using K = ValueKind;
  // clang-format off
  return {
    // [server]
    {.key = "server.transport", .env = {"JIRA_MCP_TRANSPORT"}, .flag = "--transport",
     .kind = K::Enum, .allowed = {"stdio", "http"},
     .description = "Transport the MCP server speaks: stdio for a local client, http for streamable HTTP",
     .field = field<&Config::server, &ServerConfig::transport>(),
     .aliases = {{.name = "TRANSPORT", .value = alias_transport, .accepted = "stdio, sse or streamable-http"}}},
    {.key = "server.host", .env = {"JIRA_MCP_HOST"}, .flag = "--host",
     .description = "Address the HTTP transport binds to",
     .field = field<&Config::server, &ServerConfig::host>(), .check = check_host,
     .aliases = {{.name = "HOST", .only_with = "TRANSPORT"}}},
    {.key = "server.port", .env = {"JIRA_MCP_PORT"}, .flag = "--port",
     .kind = K::Int, .min = 1, .max = 65535,
     .description = "TCP port the HTTP transport listens on",
     .field = field<&Config::server, &ServerConfig::port>(),
     .aliases = {{.name = "PORT", .only_with = "TRANSPORT"}}},
    {.key = "server.log_level", .env = {"JIRA_MCP_LOG_LEVEL"}, .flag = "--log-level",
     .kind = K::Enum, .allowed = {"trace", "debug", "info", "warn", "error", "critical", "off"},
     .description = "Lowest level written to the log on stderr",
     .field = field<&Config::server, &ServerConfig::log_level>(),
     .aliases = {{.name = "MCP_VERY_VERBOSE", .value = alias_very_verbose, .accepted = "true or false"},
                  {.name = "MCP_VERBOSE", .value = alias_verbose, .accepted = "true or false"}}},
    {.key = "server.max_line_bytes",
     .kind = K::Int, .min = 1024, .max = 1024LL * 1024 * 1024,
     .description = "Largest JSON-RPC message accepted, in bytes; longer ones are rejected",
     .field = field<&Config::server, &ServerConfig::max_line_bytes>()},
    {.key = "server.workers",
     .kind = K::Int, .min = 1, .max = 256,
     .description = "Worker threads that run requests",
     .field = field<&Config::server, &ServerConfig::workers>()},
    {.key = "server.max_queue",
     .kind = K::Int, .min = 1, .max = 1000000,
     .description = "Requests that may wait for a worker before new ones are rejected as busy",
     .field = field<&Config::server, &ServerConfig::max_queue>()},
    {.key = "server.max_depth",
     .kind = K::Int, .min = 1, .max = 10000,
     .description = "Deepest JSON nesting accepted in a message",
     .field = field<&Config::server, &ServerConfig::max_depth>()},
    {.key = "server.state_key", .env = {"JIRA_MCP_STATE_KEY"},
     .description = "Secret that signs the requestState of 2026 multi round-trip requests (confirmations)",
     .secret = true,
     .field = field<&Config::server, &ServerConfig::state_key>(), .check = check_no_control},
    {.key = "server.state_ttl_s",
     .kind = K::Int, .min = 10, .max = 86400,
     .description = "Seconds a requestState (a pending confirmation) stays valid",
     .field = field<&Config::server, &ServerConfig::state_ttl_s>()},
    {.key = "server.task_ttl_seconds", .env = {"JIRA_MCP_TASK_TTL"},
     .kind = K::Int, .min = 1, .max = 7LL * 24 * 3600,
     .description = "How long a finished task (bulk tools run as tasks for 2026-07-28 clients) stays readable "
                    "through tasks/get after it ends, in seconds",
     .field = field<&Config::server, &ServerConfig::task_ttl_seconds>()},
    {.key = "server.max_tasks",
     .kind = K::Int, .min = 1, .max = 100000,
     .description = "Tasks held at once (queued, running, or finished and kept); new tasks are refused beyond it",
     .field = field<&Config::server, &ServerConfig::max_tasks>()},
    {.key = "server.task_memory_bytes",
     .kind = K::Int, .min = 65536, .max = 64LL * 1024 * 1024 * 1024,
     .description = "Memory the held tasks' results and per-item outcomes may use, in bytes; new tasks are "
                    "refused beyond it",
     .field = field<&Config::server, &ServerConfig::task_memory_bytes>()},

    // [jira]
    {.key = "jira.url", .env = {"JIRA_URL"}, .flag = "--jira-url",
     .description = "Base URL of the Jira site, http(s)://host[:port][/context-path]",
     .field = field<&Config::jira, &JiraConfig::url>(), .check = check_jira_url},
    {.key = "jira.email", .env = {"JIRA_EMAIL"},
     .description = "Account email for Jira Cloud basic auth (together with api_token)",
     .field = field<&Config::jira, &JiraConfig::email>(), .check = check_email},
    {.key = "jira.api_token", .env = {"JIRA_API_TOKEN"},
     .description = "Jira Cloud API token (together with email); prefer the environment variable",
     .secret = true,
     .field = field<&Config::jira, &JiraConfig::api_token>(), .check = check_no_control},
    {.key = "jira.pat", .env = {"JIRA_PAT"},
     .description = "Jira Data Center personal access token, sent as a bearer token",
     .secret = true,
     .field = field<&Config::jira, &JiraConfig::pat>(), .check = check_no_control,
     .aliases = {{.name = "JIRA_PERSONAL_TOKEN"}}},
    {.key = "jira.username", .env = {"JIRA_USERNAME"},
     .description = "Jira Data Center user for basic auth (together with password)",
     .field = field<&Config::jira, &JiraConfig::username>(), .check = check_no_control},
    {.key = "jira.password", .env = {"JIRA_PASSWORD"},
     .description = "Jira Data Center password for basic auth (together with username)",
     .secret = true,
     .field = field<&Config::jira, &JiraConfig::password>(), .check = check_no_control},
    {.key = "jira.deployment", .env = {"JIRA_DEPLOYMENT"}, .flag = "--deployment",
     .kind = K::Enum, .allowed = {"auto", "cloud", "datacenter"},
     .description = "Which Jira API flavor to speak; auto detects it from the server",
     .field = field<&Config::jira, &JiraConfig::deployment>()},
    {.key = "jira.ca_bundle", .env = {"JIRA_CA_BUNDLE"},
     .description = "PEM file or directory of CA certificates to trust; empty uses the system store",
     .field = field<&Config::jira, &JiraConfig::ca_bundle>(), .check = check_ca_bundle},
    {.key = "jira.insecure", .env = {"JIRA_INSECURE"},
     .kind = K::Bool,
     .description = "Skip TLS certificate verification (unsafe; logs a warning)",
     .field = field<&Config::jira, &JiraConfig::insecure>(),
     .aliases = {{.name = "JIRA_SSL_VERIFY", .value = alias_inverted_bool, .accepted = "true or false"}}},
    {.key = "jira.proxy", .env = {"HTTPS_PROXY", "https_proxy"},
     .description = "HTTP proxy for Jira requests, http://[user:password@]host:port; empty connects directly",
     .field = field<&Config::jira, &JiraConfig::proxy>(), .check = check_proxy,
     .aliases = {{.name = "JIRA_HTTPS_PROXY"}, {.name = "JIRA_HTTP_PROXY"}}},
    {.key = "jira.no_proxy", .env = {"NO_PROXY", "no_proxy"},
     .kind = K::StringList,
     .description = "Hosts or domain suffixes reached without the proxy",
     .field = field<&Config::jira, &JiraConfig::no_proxy>(),
     .aliases = {{.name = "JIRA_NO_PROXY"}}},
    {.key = "jira.headers", .env = {"JIRA_CUSTOM_HEADERS"},
     .kind = K::StringMap,
     .description = "Extra HTTP headers sent with every Jira request; values are treated as secrets",
     .secret = true,
     .field = field<&Config::jira, &JiraConfig::headers>(), .map_check = check_headers},
    {.key = "jira.connect_timeout_ms",
     .kind = K::Int, .min = 100, .max = 600000,
     .description = "Time allowed to establish a connection, in milliseconds",
     .field = field<&Config::jira, &JiraConfig::connect_timeout_ms>()},
    {.key = "jira.read_timeout_ms",
     .kind = K::Int, .min = 100, .max = 600000,
     .description = "Time allowed between bytes of a response, in milliseconds",
     .field = field<&Config::jira, &JiraConfig::read_timeout_ms>(),
     .aliases = {{.name = "JIRA_TIMEOUT", .value = alias_seconds, .accepted = "a whole number of seconds"}}},
    {.key = "jira.request_timeout_ms",
     .kind = K::Int, .min = 100, .max = 3600000,
     .description = "Time allowed for a whole request including retries, in milliseconds",
     .field = field<&Config::jira, &JiraConfig::request_timeout_ms>()},
    {.key = "jira.max_response_bytes",
     .kind = K::Int, .min = 1048576, .max = 4294967296LL,
     .description = "Largest Jira response body read, in bytes; a larger one fails the call",
     .field = field<&Config::jira, &JiraConfig::max_response_bytes>()},
    {.key = "jira.retry_max_attempts",
     .kind = K::Int, .min = 1, .max = 20,
     .description = "Attempts per request including the first; 1 disables retries",
     .field = field<&Config::jira, &JiraConfig::retry_max_attempts>()},
    {.key = "jira.retry_budget_ms",
     .kind = K::Int, .min = 0, .max = 600000,
     .description = "Total time a request may spend waiting between retries, in milliseconds",
     .field = field<&Config::jira, &JiraConfig::retry_budget_ms>()},

    // [tools]
    {.key = "tools.toolsets", .env = {"JIRA_TOOLSETS"}, .flag = "--toolsets",
     .kind = K::StringList,
     .description = "Toolsets to offer (issues, comments, transitions, users, server, ...); empty = the default set, [\"all\"] = every tool, [\"none\"] = only enabled_tools",
     .field = field<&Config::tools, &ToolsConfig::toolsets>(),
     .aliases = {{.name = "TOOLSETS"}}},
    {.key = "tools.enabled_tools", .env = {"JIRA_ENABLED_TOOLS"}, .flag = "--enabled-tools",
     .kind = K::StringList,
     .description = "Tools to offer in addition to the toolsets, by name",
     .field = field<&Config::tools, &ToolsConfig::enabled_tools>(),
     .aliases = {{.name = "ENABLED_TOOLS"}}},
    {.key = "tools.disabled_tools", .env = {"JIRA_DISABLED_TOOLS"}, .flag = "--disabled-tools",
     .kind = K::StringList,
     .description = "Tools never to offer, by name (applied last)",
     .field = field<&Config::tools, &ToolsConfig::disabled_tools>()},
    {.key = "tools.read_only", .env = {"JIRA_READ_ONLY"}, .flag = "--read-only",
     .kind = K::Bool,
     .description = "Offer only tools that read; write tools are neither listed nor callable",
     .field = field<&Config::tools, &ToolsConfig::read_only>(),
     .aliases = {{.name = "READ_ONLY_MODE"}}},
    {.key = "tools.max_response_chars",
     .kind = K::Int, .min = 1000, .max = 10000000,
     .description = "Longest text a tool returns; longer output is cut and says how to get the rest",
     .field = field<&Config::tools, &ToolsConfig::max_response_chars>()},
    {.key = "tools.confirm_destructive",
     .kind = K::Bool,
     .description = "Ask the user to confirm deletions (when the client supports elicitation)",
     .field = field<&Config::tools, &ToolsConfig::confirm_destructive>()},
    {.key = "tools.attachment_dirs", .env = {"JIRA_ATTACHMENT_DIRS"},
     .kind = K::StringList,
     .description = "Directories jira_upload_attachment may read local files from; empty = file paths are refused (base64 content still works)",
     .field = field<&Config::tools, &ToolsConfig::attachment_dirs>()},
    {.key = "tools.max_attachment_bytes",
     .kind = K::Int, .min = 1024, .max = 1073741824LL,
     .description = "Largest attachment uploaded or downloaded by the attachment tools, in bytes",
     .field = field<&Config::tools, &ToolsConfig::max_attachment_bytes>()},
    {.key = "tools.allow_hardlinked_attachments", .env = {"JIRA_ALLOW_HARDLINKED_ATTACHMENTS"},
     .kind = K::Bool,
     .description = "Let jira_upload_attachment read files that have more than one hard link (a hard link inside attachment_dirs may be a file that also lives outside them)",
     .field = field<&Config::tools, &ToolsConfig::allow_hardlinked_attachments>()},

    // [sandbox]
    {.key = "sandbox.flavor", .flag = "--sandbox-flavor", .sandbox_flag = "--flavor",
     .kind = K::Enum, .allowed = {"cloud", "dc"},
     .description = "Which Jira the built-in emulator imitates: cloud or dc (Data Center)",
     .field = field<&Config::sandbox, &SandboxConfig::flavor>()},
    {.key = "sandbox.port", .sandbox_flag = "--port",
     .kind = K::Int, .min = 0, .max = 65535,
     .description = "Port of the standalone emulator (jira-mcp sandbox); 0 picks a free port",
     .field = field<&Config::sandbox, &SandboxConfig::port>()},
    {.key = "sandbox.issues", .sandbox_flag = "--issues",
     .kind = K::Int, .min = 0, .max = 100000,
     .description = "Issues seeded into the emulator",
     .field = field<&Config::sandbox, &SandboxConfig::issues>()},
    {.key = "sandbox.latency_ms", .sandbox_flag = "--latency-ms",
     .kind = K::Int, .min = 0, .max = 600000,
     .description = "Fault: milliseconds the emulator waits before each answer",
     .field = field<&Config::sandbox, &SandboxConfig::latency_ms>()},
    {.key = "sandbox.jitter_ms", .sandbox_flag = "--jitter-ms",
     .kind = K::Int, .min = 0, .max = 600000,
     .description = "Fault: plus a random wait of up to this many milliseconds",
     .field = field<&Config::sandbox, &SandboxConfig::jitter_ms>()},
    {.key = "sandbox.rate_limit_rps", .sandbox_flag = "--rate-limit-rps",
     .kind = K::Double, .dmin = 0.0, .dmax = 10000.0,
     .description = "Fault: requests per second the emulator accepts before answering 429 with Retry-After "
                    "and Jira Cloud's rate-limit headers, across all clients; 0 = no limit",
     .field = field<&Config::sandbox, &SandboxConfig::rate_limit_rps>()},
    {.key = "sandbox.rate_limit_burst", .sandbox_flag = "--rate-limit-burst",
     .kind = K::Int, .min = 0, .max = 1000000,
     .description = "Fault: requests that may go ahead of rate_limit_rps at once (0 counts as 1)",
     .field = field<&Config::sandbox, &SandboxConfig::rate_limit_burst>()},
    {.key = "sandbox.error_rate", .sandbox_flag = "--error-rate",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Fault: share of requests answered 500 or 503 with a Jira error body",
     .field = field<&Config::sandbox, &SandboxConfig::error_rate>()},
    {.key = "sandbox.drop_rate", .sandbox_flag = "--drop-rate",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Fault: share of connections closed without an answer",
     .field = field<&Config::sandbox, &SandboxConfig::drop_rate>()},

    // [cluster]
    {.key = "cluster.redis_url", .env = {"JIRA_MCP_REDIS_URL"},
     .description = "Redis shared by a fleet of instances (rate budget, cache, invalidations): "
                    "unix:///path/redis.sock or redis://[:password@]host:port[/db]; empty = no fleet, the default",
     .field = field<&Config::cluster, &ClusterConfig::redis_url>(), .check = check_redis_url},
    {.key = "cluster.instance_id", .env = {"JIRA_MCP_INSTANCE_ID"},
     .description = "This instance's name in the fleet, unique among the instances; empty = hostname-pid",
     .field = field<&Config::cluster, &ClusterConfig::instance_id>(), .check = check_instance_id},
    {.key = "cluster.key_prefix",
     .description = "Prefix of every Redis key the fleet uses, so fleets can share one Redis",
     .field = field<&Config::cluster, &ClusterConfig::key_prefix>(), .check = check_key_prefix},
    {.key = "cluster.connect_timeout_ms",
     .kind = K::Int, .min = 10, .max = 60000,
     .description = "Milliseconds a connection to Redis may take to open",
     .field = field<&Config::cluster, &ClusterConfig::connect_timeout_ms>()},
    {.key = "cluster.command_timeout_ms",
     .kind = K::Int, .min = 10, .max = 60000,
     .description = "Milliseconds Redis may take to answer a command before the instance carries on without it",
     .field = field<&Config::cluster, &ClusterConfig::command_timeout_ms>()},

    {.key = "performance.max_memory_usage_bytes", .env = {"JIRA_MAX_MEMORY_MB"},
     .kind = K::Int, .min = 16777216, .max = 1099511627776LL,
     .description = "Resident memory above which the monitor raises an alert, in bytes (JIRA_MAX_MEMORY_MB is in MiB)",
     .field = field<&Config::performance, &PerformanceConfig::max_memory_usage_bytes>(), .env_scale = 1048576},
    {.key = "performance.object_pooling", .env = {"JIRA_OBJECT_POOLING"},
     .kind = K::Bool,
     .description = "Reuse Jira connections and the buffers replies are serialized into; false opens a new connection per request and a new buffer per reply",
     .field = field<&Config::performance, &PerformanceConfig::object_pooling>()},
    {.key = "performance.native_http", .env = {"JIRA_NATIVE_HTTP"},
     .kind = K::Bool,
     .description = "Talk to Jira through jira-mcp's own HTTP/1.1 connection; false uses cpp-httplib's client (the fallback)",
     .field = field<&Config::performance, &PerformanceConfig::native_http>()},
    {.key = "performance.object_pool_size", .env = {"JIRA_OBJECT_POOL_SIZE"},
     .kind = K::Int, .min = 1, .max = 100000LL,
     .description = "Reply buffers the pool keeps for reuse at most (it keeps only as many as were in use at once)",
     .field = field<&Config::performance, &PerformanceConfig::object_pool_size>()},
    {.key = "performance.string_pool_capacity",
     .kind = K::Int, .min = 1024, .max = 67108864LL,
     .description = "Largest buffer a pool keeps, in bytes; bigger ones are freed after use",
     .field = field<&Config::performance, &PerformanceConfig::string_pool_capacity>()},
    {.key = "performance.cache.enabled", .env = {"JIRA_CACHE_ENABLED"},
     .kind = K::Bool,
     .description = "Cache Jira responses in memory (and metadata on disk when l2_path is set)",
     .field = field<&Config::cache, &CacheConfig::enabled>()},
    {.key = "performance.cache.api_cache_capacity",
     .kind = K::Int, .min = 1, .max = 10000000LL,
     .description = "Issue tier (issues, comments, worklogs, transitions, changelogs): most entries kept",
     .field = field<&Config::cache, &CacheConfig::api_cache_capacity>()},
    {.key = "performance.cache.api_cache_ttl_seconds",
     .kind = K::Int, .min = 1, .max = 86400LL,
     .description = "Issue tier: seconds an entry stays fresh",
     .field = field<&Config::cache, &CacheConfig::api_cache_ttl_seconds>()},
    {.key = "performance.cache.api_cache_max_bytes",
     .kind = K::Int, .min = 1048576, .max = 1099511627776LL,
     .description = "Issue tier: byte budget; least recently used entries are evicted past it",
     .field = field<&Config::cache, &CacheConfig::api_cache_max_bytes>()},
    {.key = "performance.cache.parsed_cache_capacity",
     .kind = K::Int, .min = 1, .max = 10000000LL,
     .description = "Search tier (JQL searches, counts, board and sprint issue lists): most entries kept",
     .field = field<&Config::cache, &CacheConfig::parsed_cache_capacity>()},
    {.key = "performance.cache.parsed_cache_ttl_seconds",
     .kind = K::Int, .min = 1, .max = 86400LL,
     .description = "Search tier: seconds an entry stays fresh",
     .field = field<&Config::cache, &CacheConfig::parsed_cache_ttl_seconds>()},
    {.key = "performance.cache.parsed_cache_max_bytes",
     .kind = K::Int, .min = 1048576, .max = 1099511627776LL,
     .description = "Search tier: byte budget; least recently used entries are evicted past it",
     .field = field<&Config::cache, &CacheConfig::parsed_cache_max_bytes>()},
    {.key = "performance.cache.config_cache_capacity",
     .kind = K::Int, .min = 1, .max = 10000000LL,
     .description = "Metadata tier (fields, issue types, priorities, statuses, projects, link types, users): most entries kept",
     .field = field<&Config::cache, &CacheConfig::config_cache_capacity>()},
    {.key = "performance.cache.config_cache_ttl_seconds",
     .kind = K::Int, .min = 1, .max = 604800LL,
     .description = "Metadata tier: seconds an entry stays fresh",
     .field = field<&Config::cache, &CacheConfig::config_cache_ttl_seconds>()},
    {.key = "performance.cache.config_cache_max_bytes",
     .kind = K::Int, .min = 1048576, .max = 1099511627776LL,
     .description = "Metadata tier: byte budget; least recently used entries are evicted past it",
     .field = field<&Config::cache, &CacheConfig::config_cache_max_bytes>()},
    {.key = "performance.cache.l2_path", .env = {"JIRA_CACHE_DIR"},

     .description = "Directory for the on-disk metadata cache that survives restarts; empty = memory only",
     .field = field<&Config::cache, &CacheConfig::l2_path>()},
    {.key = "performance.cache.jitter_percent",
     .kind = K::Int, .min = 0, .max = 50LL,
     .description = "Random spread of each entry's TTL, in percent, so entries do not expire together",
     .field = field<&Config::cache, &CacheConfig::jitter_percent>()},
    {.key = "performance.cache.shards",
     .kind = K::Int, .min = 1, .max = 256LL,
     .description = "Independently locked shards per tier, so threads do not contend",
     .field = field<&Config::cache, &CacheConfig::shards>()},
    {.key = "performance.cache.single_flight",
     .kind = K::Bool,
     .description = "Concurrent identical misses make one Jira request and share its answer",
     .field = field<&Config::cache, &CacheConfig::single_flight>()},
    {.key = "performance.cache.render_cache_max_bytes",
     .kind = K::Int, .min = 0, .max = 1099511627776LL,
     .description = "Tool results rendered from cached issues, kept while the issue stays cached, in bytes; 0 = off",
     .field = field<&Config::cache, &CacheConfig::render_cache_max_bytes>()},
    {.key = "performance.async.max_concurrent_tasks",
     .kind = K::Int, .min = 1, .max = 256LL,
     .description = "Jira requests in flight at once",
     .field = field<&Config::async, &AsyncConfig::max_concurrent_tasks>()},
    {.key = "performance.async.max_connections",
     .kind = K::Int, .min = 1, .max = 10000LL,
     .description = "Pooled keep-alive connections to Jira in total, across all users' clients",
     .field = field<&Config::async, &AsyncConfig::max_connections>()},
    {.key = "performance.async.max_connections_per_host",
     .kind = K::Int, .min = 1, .max = 256LL,
     .description = "Pooled keep-alive connections per Jira host and user",
     .field = field<&Config::async, &AsyncConfig::max_connections_per_host>()},
    {.key = "performance.async.rate_limit_requests_per_second",
     .kind = K::Double, .dmin = 0.1, .dmax = 10000.0,
     .description = "Client-side rate limit for requests that compete (a fan-out, bulk work, several sessions): "
                    "requests per second at most, sustained; a request alone (nothing else in flight or waiting) is "
                    "never held while the rate is this value. The rate adapts to Jira: a 429 halves it and then paces "
                    "every request, low X-RateLimit-Remaining or X-RateLimit-NearLimit takes 10 % off, "
                    "Data Center's X-RateLimit-FillRate caps it, and it climbs back by 10 % of this value per second",
     .field = field<&Config::async, &AsyncConfig::rate_limit_requests_per_second>()},
    {.key = "performance.async.rate_limit_burst",
     .kind = K::Int, .min = 1, .max = 100000LL,
     .description = "Client-side rate limit: competing requests that may go ahead of the rate (a burst), spent at "
                    "no more than twice the rate, never all at once; a request alone takes a token when there is one "
                    "and never waits for one; a 429 or a low rate-limit header empties it",
     .field = field<&Config::async, &AsyncConfig::rate_limit_burst>()},
    {.key = "monitoring.enabled", .env = {"JIRA_PERFORMANCE_MONITORING"},
     .kind = K::Bool,
     .description = "Collect metrics and check alert thresholds in the background",
     .field = field<&Config::monitoring, &MonitoringConfig::enabled>()},
    {.key = "monitoring.interval_seconds",
     .kind = K::Int, .min = 1, .max = 3600LL,
     .description = "Seconds between threshold checks; each check looks at the interval just ended",
     .field = field<&Config::monitoring, &MonitoringConfig::interval_seconds>()},
    {.key = "monitoring.breach_intervals",
     .kind = K::Int, .min = 1, .max = 1000LL,
     .description = "Consecutive breaching intervals before an alert fires",
     .field = field<&Config::monitoring, &MonitoringConfig::breach_intervals>()},
    {.key = "monitoring.resolve_intervals",
     .kind = K::Int, .min = 1, .max = 1000LL,
     .description = "Consecutive healthy intervals before a firing alert resolves",
     .field = field<&Config::monitoring, &MonitoringConfig::resolve_intervals>()},
    {.key = "monitoring.min_events",
     .kind = K::Int, .min = 1, .max = 1000000LL,
     .description = "Fewest tool calls in an interval for rate and latency checks to count; quieter intervals never alert",
     .field = field<&Config::monitoring, &MonitoringConfig::min_events>()},
    {.key = "monitoring.p95_tool_latency_ms",
     .kind = K::Int, .min = 1, .max = 3600000LL,
     .description = "Alert when the 95th percentile tool-call latency exceeds this, in milliseconds",
     .field = field<&Config::monitoring, &MonitoringConfig::p95_tool_latency_ms>()},
    {.key = "monitoring.min_success_rate",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Alert when the share of tool calls that succeed falls below this",
     .field = field<&Config::monitoring, &MonitoringConfig::min_success_rate>()},
    {.key = "monitoring.max_error_rate",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Alert when the share of Jira calls that fail exceeds this",
     .field = field<&Config::monitoring, &MonitoringConfig::max_error_rate>()},
    {.key = "monitoring.max_requests_per_second",
     .kind = K::Int, .min = 1, .max = 10000000LL,
     .description = "Alert when tool calls per second exceed this",
     .field = field<&Config::monitoring, &MonitoringConfig::max_requests_per_second>()},
    {.key = "monitoring.min_cache_hit_rate",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Alert when the cache hit rate falls below this, once the cache is warm",
     .field = field<&Config::monitoring, &MonitoringConfig::min_cache_hit_rate>()},
    {.key = "monitoring.cache_warmup_lookups",
     .kind = K::Int, .min = 0, .max = 100000000LL,
     .description = "Cache lookups before the hit-rate check starts",
     .field = field<&Config::monitoring, &MonitoringConfig::cache_warmup_lookups>()},
    {.key = "monitoring.max_pool_saturation",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Alert when the share of connection acquisitions that had to wait exceeds this",
     .field = field<&Config::monitoring, &MonitoringConfig::max_pool_saturation>()},
    {.key = "monitoring.max_rate_limit_wait_ratio",
     .kind = K::Double, .dmin = 0.0, .dmax = 1.0,
     .description = "Alert when Jira calls spend more than this share of their time waiting on the rate limiter",
     .field = field<&Config::monitoring, &MonitoringConfig::max_rate_limit_wait_ratio>()},
    {.key = "logging.performance.log_interval_seconds",
     .kind = K::Int, .min = 0, .max = 86400LL,
     .description = "Seconds between performance summaries on stderr; 0 = none",
     .field = field<&Config::perf_log, &PerfLogConfig::log_interval_seconds>()},
    {.key = "logging.performance.log_cache_stats",
     .kind = K::Bool,
     .description = "Include cache hits, misses and bytes per tier in the summary",
     .field = field<&Config::perf_log, &PerfLogConfig::log_cache_stats>()},
    {.key = "logging.performance.log_pool_stats",
     .kind = K::Bool,
     .description = "Include connection pool use and waits in the summary",
     .field = field<&Config::perf_log, &PerfLogConfig::log_pool_stats>()},
    {.key = "logging.performance.slow_call_ms",
     .kind = K::Int, .min = 0, .max = 3600000LL,
     .description = "Log a warning for tool calls slower than this, in milliseconds; 0 = never",
     .field = field<&Config::perf_log, &PerfLogConfig::slow_call_ms>()},
    {.key = "http.allowed_origins", .env = {"JIRA_MCP_ALLOWED_ORIGINS"}, .flag = "--allowed-origins",
     .kind = K::StringList,
     .description = "Origin header values accepted by the HTTP transport; empty = http(s)://localhost, 127.0.0.1 and [::1], with no port or the port the server is bound to",
     .field = field<&Config::http, &HttpConfig::allowed_origins>()},
    {.key = "http.allowed_hosts", .env = {"JIRA_MCP_ALLOWED_HOSTS"}, .flag = "--allowed-hosts",
     .kind = K::StringList,
     .description = "Host header values accepted by the HTTP transport (host or host:port); empty = localhost, 127.0.0.1 and [::1], with no port or the port the server is bound to",
     .field = field<&Config::http, &HttpConfig::allowed_hosts>()},
    {.key = "http.bearer_token", .env = {"JIRA_MCP_BEARER_TOKEN"},

     .description = "Static bearer token clients must send (Authorization: Bearer ...); empty = no client authentication",
     .secret = true,
     .field = field<&Config::http, &HttpConfig::bearer_token>()},
    {.key = "http.per_user_credentials", .env = {"JIRA_MCP_PER_USER_CREDENTIALS"},
     .kind = K::Enum, .allowed = {"off", "optional", "required"},
     .description = "Jira credentials per client from X-Jira-Email + X-Jira-Api-Token or X-Jira-Personal-Access-Token headers: off, optional, or required",
     .field = field<&Config::http, &HttpConfig::per_user_credentials>()},
    {.key = "http.tls_cert",

     .description = "PEM certificate chain for serving HTTPS; with tls_key",
     .field = field<&Config::http, &HttpConfig::tls_cert>(), .check = check_existing_file},
    {.key = "http.tls_key",

     .description = "PEM private key for serving HTTPS; with tls_cert",
     .field = field<&Config::http, &HttpConfig::tls_key>(), .check = check_existing_file},
    {.key = "http.max_body_bytes",
     .kind = K::Int, .min = 1024, .max = 1073741824LL,
     .description = "Largest HTTP request body accepted, in bytes (413 past it)",
     .field = field<&Config::http, &HttpConfig::max_body_bytes>()},
    {.key = "http.max_sessions",
     .kind = K::Int, .min = 1, .max = 100000LL,
     .description = "Open MCP sessions at once; new ones get 503 past it",
     .field = field<&Config::http, &HttpConfig::max_sessions>()},
    {.key = "http.max_sessions_per_client",
     .kind = K::Int, .min = 1, .max = 100000LL,
     .description = "Open MCP sessions per client address; past it the client's oldest unused session is evicted, or it gets 429",
     .field = field<&Config::http, &HttpConfig::max_sessions_per_client>()},
    {.key = "http.max_connections_per_client",
     .kind = K::Int, .min = 1, .max = 100000LL,
     .description = "Open HTTP connections (streams included) per client address; more get 429",
     .field = field<&Config::http, &HttpConfig::max_connections_per_client>()},
    {.key = "http.unused_session_timeout_seconds",
     .kind = K::Int, .min = 1, .max = 604800LL,
     .description = "Seconds after which a session that saw no request since initialize is ended",
     .field = field<&Config::http, &HttpConfig::unused_session_timeout_seconds>()},
    {.key = "http.header_timeout_ms",
     .kind = K::Int, .min = 100, .max = 600000LL,
     .description = "Milliseconds a request's whole header block may take to arrive (408 past it)",
     .field = field<&Config::http, &HttpConfig::header_timeout_ms>()},
    {.key = "http.body_timeout_ms",
     .kind = K::Int, .min = 100, .max = 3600000LL,
     .description = "Milliseconds a request's whole body may take to arrive after its headers",
     .field = field<&Config::http, &HttpConfig::body_timeout_ms>()},
    {.key = "http.metrics_port",
     .kind = K::Int, .min = 0, .max = 65535LL,
     .description = "Also serve /metrics, /readyz and /healthz on 127.0.0.1 at this port without the bearer token; 0 = off",
     .field = field<&Config::http, &HttpConfig::metrics_port>()},
    {.key = "http.session_idle_timeout_seconds",
     .kind = K::Int, .min = 1, .max = 604800LL,
     .description = "Seconds without requests or open streams after which a session is ended",
     .field = field<&Config::http, &HttpConfig::session_idle_timeout_seconds>()},
    {.key = "http.max_streams_per_session",
     .kind = K::Int, .min = 1, .max = 1000LL,
     .description = "Open server-to-client streams (GET) per session",
     .field = field<&Config::http, &HttpConfig::max_streams_per_session>()},
    {.key = "http.stateless", .env = {"JIRA_MCP_STATELESS"}, .flag = "--stateless",
     .kind = K::Bool,
     .description = "Serve without sessions, each POST independent (for load-balanced deployments)",
     .field = field<&Config::http, &HttpConfig::stateless>()},
    {.key = "http.legacy_sse",
     .kind = K::Bool,
     .description = "Also serve the 2024-11-05 HTTP+SSE transport at /sse and /messages for older clients",
     .field = field<&Config::http, &HttpConfig::legacy_sse>()},
  };
  // clang-format on
}

}  // namespace

std::span<const KeySpec> keys() {
  static const std::vector<KeySpec> table = build_table();
  return table;
}

const KeySpec* find_key(std::string_view dotted) {
  for (const auto& spec : keys()) {
    if (spec.key == dotted) return &spec;
  }
  return nullptr;
}

std::string accepted_text(const KeySpec& spec) {
  switch (spec.kind) {
    case ValueKind::String:
      return "a string";
    case ValueKind::Bool:
      return "true or false";
    case ValueKind::Int:
      return "an integer from " + std::to_string(spec.min) + " to " + std::to_string(spec.max);
    case ValueKind::Double:
      return "a number from " + detail::format_double(spec.dmin) + " to " +
             detail::format_double(spec.dmax);
    case ValueKind::Enum: {
      std::string out = "one of: ";
      for (std::size_t i = 0; i < spec.allowed.size(); ++i) {
        if (i) out += ", ";
        out += spec.allowed[i];
      }
      return out;
    }
    case ValueKind::StringList:
      return "a list of strings (a TOML array, or comma-separated in the environment or a flag)";
    case ValueKind::StringMap:
      return "a table of NAME = \"value\" strings (NAME=value,NAME2=value2 in the environment)";
  }
  return "";
}

std::string toml_value(const KeySpec& spec, const Config& config, bool reveal) {
  const bool mask = spec.secret && !reveal;
  return std::visit(
      [&](const auto& ref) -> std::string {
        const auto& v = ref.read(config);
        using T = std::remove_cvref_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (mask && !v.empty()) return "\"***\"";
          return detail::toml_quote(reveal ? v : detail::mask_userinfo(v));
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          return detail::format_double(v);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::string out = "[";
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ", ";
            out += detail::toml_quote(v[i]);
          }
          return out + "]";
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
          if (v.empty()) return "{}";
          std::string out = "{ ";
          bool first = true;
          for (const auto& [name, value] : v) {
            if (!first) out += ", ";
            first = false;
            out += detail::toml_key(name) + " = " +
                   (mask ? std::string("\"***\"") : detail::toml_quote(value));
          }
          return out + " }";
        } else {
          return std::to_string(v);
        }
      },
      spec.field);
}

}  // namespace jira_mcp::config
