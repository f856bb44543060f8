// The key table and the per-key checks. To add a setting: add the field to the Config struct
// (with its default as the member initializer) and one row below; document it in
// config.toml.example (a test fails until you do).
#include "jira_mcp/config/keys.hpp"

#include <algorithm>
#include <filesystem>

#include "config/text.hpp"

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

std::vector<KeySpec> build_table() {
  using K = ValueKind;
  // clang-format off
  return {
    // [server]
    {.key = "server.transport", .env = {"JIRA_MCP_TRANSPORT"}, .flag = "--transport",
     .kind = K::Enum, .allowed = {"stdio", "http"},
     .description = "Transport the MCP server speaks: stdio for a local client, http for streamable HTTP",
     .field = field<&Config::server, &ServerConfig::transport>()},
    {.key = "server.host", .env = {"JIRA_MCP_HOST"}, .flag = "--host",
     .description = "Address the HTTP transport binds to",
     .field = field<&Config::server, &ServerConfig::host>(), .check = check_host},
    {.key = "server.port", .env = {"JIRA_MCP_PORT"}, .flag = "--port",
     .kind = K::Int, .min = 1, .max = 65535,
     .description = "TCP port the HTTP transport listens on",
     .field = field<&Config::server, &ServerConfig::port>()},
    {.key = "server.log_level", .env = {"JIRA_MCP_LOG_LEVEL"}, .flag = "--log-level",
     .kind = K::Enum, .allowed = {"trace", "debug", "info", "warn", "error", "critical", "off"},
     .description = "Lowest level written to the log on stderr",
     .field = field<&Config::server, &ServerConfig::log_level>()},
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
     .field = field<&Config::jira, &JiraConfig::pat>(), .check = check_no_control},
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
     .field = field<&Config::jira, &JiraConfig::insecure>()},
    {.key = "jira.proxy", .env = {"HTTPS_PROXY", "https_proxy"},
     .description = "HTTP proxy for Jira requests, http://[user:password@]host:port; empty connects directly",
     .field = field<&Config::jira, &JiraConfig::proxy>(), .check = check_proxy},
    {.key = "jira.no_proxy", .env = {"NO_PROXY", "no_proxy"},
     .kind = K::StringList,
     .description = "Hosts or domain suffixes reached without the proxy",
     .field = field<&Config::jira, &JiraConfig::no_proxy>()},
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
     .field = field<&Config::jira, &JiraConfig::read_timeout_ms>()},
    {.key = "jira.request_timeout_ms",
     .kind = K::Int, .min = 100, .max = 3600000,
     .description = "Time allowed for a whole request including retries, in milliseconds",
     .field = field<&Config::jira, &JiraConfig::request_timeout_ms>()},
    {.key = "jira.max_connections_per_host",
     .kind = K::Int, .min = 1, .max = 256,
     .description = "Pooled keep-alive connections per Jira host",
     .field = field<&Config::jira, &JiraConfig::max_connections_per_host>()},
    {.key = "jira.rate_limit_rps",
     .kind = K::Double, .dmin = 0.1, .dmax = 10000,
     .description = "Client-side rate limit: requests per second, sustained",
     .field = field<&Config::jira, &JiraConfig::rate_limit_rps>()},
    {.key = "jira.rate_limit_burst",
     .kind = K::Int, .min = 1, .max = 100000,
     .description = "Client-side rate limit: requests allowed in a burst",
     .field = field<&Config::jira, &JiraConfig::rate_limit_burst>()},
    {.key = "jira.max_concurrency",
     .kind = K::Int, .min = 1, .max = 256,
     .description = "Jira requests in flight at once",
     .field = field<&Config::jira, &JiraConfig::max_concurrency>()},
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
     .description = "Toolsets to offer (issues, comments, transitions, users, server, ...); empty = the default set, [\"all\"] = every tool",
     .field = field<&Config::tools, &ToolsConfig::toolsets>()},
    {.key = "tools.enabled_tools", .env = {"JIRA_ENABLED_TOOLS"}, .flag = "--enabled-tools",
     .kind = K::StringList,
     .description = "Tools to offer in addition to the toolsets, by name",
     .field = field<&Config::tools, &ToolsConfig::enabled_tools>()},
    {.key = "tools.disabled_tools", .env = {"JIRA_DISABLED_TOOLS"}, .flag = "--disabled-tools",
     .kind = K::StringList,
     .description = "Tools never to offer, by name (applied last)",
     .field = field<&Config::tools, &ToolsConfig::disabled_tools>()},
    {.key = "tools.read_only", .env = {"JIRA_READ_ONLY"}, .flag = "--read-only",
     .kind = K::Bool,
     .description = "Offer only tools that read; write tools are neither listed nor callable",
     .field = field<&Config::tools, &ToolsConfig::read_only>()},
    {.key = "tools.max_response_chars",
     .kind = K::Int, .min = 1000, .max = 10000000,
     .description = "Longest text a tool returns; longer output is cut and says how to get the rest",
     .field = field<&Config::tools, &ToolsConfig::max_response_chars>()},
    {.key = "tools.confirm_destructive",
     .kind = K::Bool,
     .description = "Ask the user to confirm deletions (when the client supports elicitation)",
     .field = field<&Config::tools, &ToolsConfig::confirm_destructive>()},

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
