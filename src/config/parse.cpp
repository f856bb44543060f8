// parse(): the command line is read first (CLI11) so --help, --version and flag syntax errors
// answer before anything else is looked at, but its values are applied last, on top of the
// file and the environment. Every layer reports all of its problems; the cross-field checks
// then run on the merged result, and everything found is returned at once.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>
#include <unistd.h>

#include "config/layers.hpp"
#include "config/text.hpp"
#include "jira_mcp/config/config.hpp"
#include "jira_mcp/config/keys.hpp"

namespace jira_mcp::config {
namespace {

constexpr std::string_view kConfigEnv = "JIRA_MCP_CONFIG";

std::string section_group(std::string_view key) {
  if (key.starts_with("server.")) return "Server";
  if (key.starts_with("jira.")) return "Jira";
  if (key.starts_with("tools.")) return "Tools";
  if (key.starts_with("sandbox.")) return "Sandbox";
  if (key.starts_with("cluster.")) return "Cluster";
  if (key.starts_with("performance.")) return "Performance";
  if (key.starts_with("monitoring.") || key.starts_with("logging.")) return "Monitoring";
  if (key.starts_with("http.")) return "HTTP transport";
  return "Other";
}

std::string type_name(const KeySpec& spec) {
  switch (spec.kind) {
    case ValueKind::Int: return "INT";
    case ValueKind::Double: return "NUMBER";
    case ValueKind::Bool: return "";
    case ValueKind::StringList: return "A,B,...";
    case ValueKind::StringMap: return "NAME=VALUE,...";
    case ValueKind::Enum: {
      std::string out;
      for (const auto v : spec.allowed) out += (out.empty() ? "" : "|") + std::string(v);
      return out;
    }
    case ValueKind::String: return spec.key == "jira.url" ? "URL" : "TEXT";
  }
  return "";
}

std::string flag_help(const KeySpec& spec) {
  const Config defaults;
  std::string out = std::string(spec.description) + " [";
  if (spec.kind == ValueKind::Int) {
    out += std::to_string(spec.min) + ".." + std::to_string(spec.max) + "; ";
  } else if (spec.kind == ValueKind::Double) {
    out += detail::format_double(spec.dmin) + ".." + detail::format_double(spec.dmax) + "; ";
  }
  out += "default: " + toml_value(spec, defaults, true);
  for (const auto name : spec.env) out += "; env: " + std::string(name);
  out += "; file: " + std::string(spec.key) + "]";
  return out;
}

std::string help_footer() {
  std::string out =
      "Settings are taken from, highest first: flags, environment, the TOML config file\n"
      "(--config FILE or $JIRA_MCP_CONFIG; every key is documented in config.toml.example),\n"
      "defaults. Environment variables:\n";
  out += "  " + std::string(kConfigEnv) + " = path of the TOML config file\n";
  for (const auto& spec : keys()) {
    std::string names;
    for (const auto name : spec.env) names += (names.empty() ? "" : " or ") + std::string(name);
    std::string aliases;
    for (const auto& alias : spec.aliases) aliases += (aliases.empty() ? "" : ", ") + std::string(alias.name);
    if (names.empty() && !aliases.empty()) {
      out += "  " + std::string(kAliasSource) + "'s " + aliases + " -> " + std::string(spec.key) + "\n";
    } else if (!names.empty()) {
      out += "  " + names + " -> " + std::string(spec.key) +
             (aliases.empty() ? "" : " (also " + std::string(kAliasSource) + "'s " + aliases + ")") + "\n";
    }
  }
  return out;
}

// Command-line values, captured raw so the key table validates them like any other source.
struct CliCapture {
  std::vector<std::string> values;      // by row index, top-level flags
  std::vector<std::string> sub_values;  // by row index, `sandbox` subcommand flags
  std::vector<CLI::Option*> options;
  std::vector<CLI::Option*> sub_options;
  std::string config_file;
  bool sandbox = false, doctor = false, bench = false, bench_json = false, bench_quick = false,
       timing = false, version = false, offline = false;
  CLI::Option* config_option = nullptr;
  CLI::App* sandbox_command = nullptr;
};

void add_key_option(CLI::App& app, const KeySpec& spec, std::string_view flag, std::string& target,
                    CLI::Option*& option, const std::string& group) {
  if (spec.kind == ValueKind::Bool) {
    // `--flag` means true; `--flag=false` is accepted too.
    option = app.add_flag(std::string(flag), target, flag_help(spec));
  } else {
    option = app.add_option(std::string(flag), target, flag_help(spec))->type_name(type_name(spec));
  }
  option->group(group);
}

void build_app(CLI::App& app, CliCapture& cli) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.add_flag("--version", cli.version, "Print the version and exit");
  cli.config_option =
      app.add_option("--config", cli.config_file,
                     "TOML config file (env " + std::string(kConfigEnv) +
                         "); see config.toml.example")
          ->type_name("FILE");

  const std::string modes = "Modes";
  app.add_flag("--sandbox", cli.sandbox, "Serve against the built-in Jira emulator")->group(modes);
  app.add_flag("--doctor", cli.doctor, "Check the configuration and Jira connectivity, then exit")
      ->group(modes);
  app.add_flag("--offline", cli.offline,
               "With --doctor: check the configuration only, never opening a network connection")
      ->group(modes);
  app.add_flag("--bench", cli.bench, "Run the built-in benchmark, then exit")->group(modes);
  app.add_flag("--bench-json", cli.bench_json, "With --bench: print results as JSON")->group(modes);
  app.add_flag("--bench-quick", cli.bench_quick, "With --bench: a short run")->group(modes);
  app.add_flag("--timing", cli.timing, "Log how long each request takes")->group(modes);

  cli.sandbox_command = app.add_subcommand(
      "sandbox", "Run the built-in Jira emulator as a standalone HTTP server");
  cli.sandbox_command->fallthrough();  // top-level flags such as --log-level work after it
  cli.sandbox_command->set_help_flag("-h,--help", "Print this help and exit");

  const auto table = keys();
  cli.values.resize(table.size());
  cli.sub_values.resize(table.size());
  cli.options.assign(table.size(), nullptr);
  cli.sub_options.assign(table.size(), nullptr);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& spec = table[i];
    if (!spec.flag.empty()) {
      add_key_option(app, spec, spec.flag, cli.values[i], cli.options[i], section_group(spec.key));
    }
    if (!spec.sandbox_flag.empty()) {
      add_key_option(*cli.sandbox_command, spec, spec.sandbox_flag, cli.sub_values[i],
                     cli.sub_options[i], "Options");
    }
  }
  app.footer(help_footer());
}

const std::string& origin_of(const Config& config, const std::string& key) {
  static const std::string kDefault = "default";
  const auto it = config.origins.find(key);
  return it == config.origins.end() ? kDefault : it->second;
}

void check_auth(const Config& config, bool require_url, std::vector<std::string>& problems,
                std::vector<std::string>& warnings) {
  const auto& j = config.jira;
  const auto from = [&](const std::string& key) { return " (from " + origin_of(config, key) + ")"; };
  const auto pair_check = [&](const std::string& a, bool has_a, const std::string& b, bool has_b,
                              const std::string& what) {
    if (has_a == has_b) return;
    const auto& set = has_a ? a : b;
    const auto& missing = has_a ? b : a;
    problems.push_back(set + " is set" + from(set) + " but " + missing + " is not: " + what +
                       " needs both " + a + " and " + b);
  };
  pair_check("jira.email", !j.email.empty(), "jira.api_token", !j.api_token.empty(),
             "Jira Cloud basic auth");
  pair_check("jira.username", !j.username.empty(), "jira.password", !j.password.empty(),
             "Jira Data Center basic auth");

  const bool cloud_basic = !j.email.empty() || !j.api_token.empty();
  const bool dc_basic = !j.username.empty() || !j.password.empty();
  const bool pat = !j.pat.empty();
  const auto first_set = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (config.origins.count(n)) return std::string(n);
    }
    return std::string(*names.begin());
  };
  const auto conflict = [&](const std::string& a, const std::string& b, const std::string& advice) {
    problems.push_back(a + from(a) + " and " + b + from(b) +
                       " are both set: choose one way to authenticate, " + advice);
  };
  if (pat && cloud_basic) {
    conflict("jira.pat", first_set({"jira.email", "jira.api_token"}),
             "a personal access token (Data Center) or email + API token (Cloud)");
  }
  if (pat && dc_basic) {
    conflict("jira.pat", first_set({"jira.username", "jira.password"}),
             "a personal access token or username + password");
  }
  if (cloud_basic && dc_basic) {
    conflict(first_set({"jira.email", "jira.api_token"}), first_set({"jira.username", "jira.password"}),
             "email + API token (Cloud) or username + password (Data Center)");
  }

  const bool has_credentials = cloud_basic || dc_basic || pat;
  // With no Jira at all the server serves its built-in sandbox (a newcomer's first run); but
  // credentials without a URL are a half-done configuration, not a request for the sandbox.
  if (require_url && j.url.empty() && has_credentials) {
    problems.push_back(
        "Jira credentials are set but jira.url is not: give --jira-url, JIRA_URL or jira.url in "
        "the config file (or unset the credentials to use the built-in Jira sandbox)");
  }
  if (require_url && !j.url.empty() && !has_credentials) {
    warnings.push_back(
        "no Jira credentials are configured (JIRA_EMAIL + JIRA_API_TOKEN, JIRA_PAT, or "
        "JIRA_USERNAME + JIRA_PASSWORD); requests will be anonymous");
  }
  if (has_credentials && j.url.starts_with("http://")) {
    warnings.push_back("jira.url" + from("jira.url") +
                       " uses plain http://: credentials will cross the network unencrypted");
  }
  if (j.deployment == "cloud" && (pat || dc_basic)) {
    warnings.push_back("jira.deployment is cloud" + from("jira.deployment") +
                       " but Data Center credentials (PAT or username/password) are configured; "
                       "Jira Cloud expects email + API token");
  }
  if (j.deployment == "datacenter" && cloud_basic && !pat && !dc_basic) {
    warnings.push_back("jira.deployment is datacenter" + from("jira.deployment") +
                       " but Cloud credentials (email + API token) are configured; "
                       "Jira Data Center expects a PAT or username + password");
  }
  if (j.insecure) {
    warnings.push_back("jira.insecure = true" + from("jira.insecure") +
                       ": TLS certificate verification is disabled, so anyone on the network "
                       "path can impersonate Jira and read the credentials");
  }
}

bool is_cloud_host(const std::string& url) {
  auto host = url.substr(std::min(url.size(), url.find("://") == std::string::npos ? 0 : url.find("://") + 3));
  host = host.substr(0, host.find_first_of(":/"));
  host = detail::to_lower(host);
  return host.ends_with(".atlassian.net") || host.ends_with(".jira.com");
}

// Variables of sooperset/mcp-atlassian with no equivalent here: warned about, since a user who
// set JIRA_PROJECTS_FILTER believes the other projects are out of reach.
struct Unsupported {
  std::string_view name;
  std::string_view consequence;
};
constexpr Unsupported kUnsupported[] = {
    {"JIRA_PROJECTS_FILTER", "jira-mcp has no project allow-list: every project the account can see is reachable "
                             "(use a Jira account or token limited to those projects)"},
    {"JIRA_CLIENT_CERT", "jira-mcp does not present client certificates (mTLS)"},
    {"JIRA_CLIENT_KEY", "jira-mcp does not present client certificates (mTLS)"},
    {"JIRA_SOCKS_PROXY", "jira-mcp speaks only to HTTP proxies (set HTTPS_PROXY)"},
    {"ATLASSIAN_OAUTH_CLIENT_ID", "jira-mcp does not do OAuth: use JIRA_EMAIL + JIRA_API_TOKEN or JIRA_PAT"},
    {"ATLASSIAN_OAUTH_ACCESS_TOKEN", "jira-mcp does not do OAuth: use JIRA_EMAIL + JIRA_API_TOKEN or JIRA_PAT"},
    {"JIRA_OAUTH_ACCESS_TOKEN", "jira-mcp does not do OAuth: use JIRA_PAT"},
};

// What sooperset/mcp-atlassian's users set, read the way it reads it (see parse() in config.hpp).
void adopt_foreign_settings(const std::map<std::string, std::string>& env, Config& config, detail::Sink& sink) {
  auto& j = config.jira;
  // JIRA_USERNAME + JIRA_API_TOKEN is how mcp-atlassian is given Cloud credentials (and, on
  // Server/DC, a username and password). Here that pair would be two half-configured methods.
  if (!j.username.empty() && j.email.empty() && !j.api_token.empty() && j.password.empty() && j.pat.empty()) {
    const std::string username_origin = origin_of(config, "jira.username");
    const std::string token_origin = origin_of(config, "jira.api_token");
    const bool looks_email = j.username.find('@') != std::string::npos;
    const bool cloud = j.deployment == "cloud" || (j.deployment == "auto" && is_cloud_host(j.url));
    if (looks_email && j.deployment != "datacenter") {
      j.email = std::move(j.username);
      j.username.clear();
      config.origins["jira.email"] = username_origin + ", as the Cloud account email (JIRA_API_TOKEN is set)";
      config.origins.erase("jira.username");
    } else if (!looks_email && cloud) {
      sink.problems.push_back(
          "jira.username (from " + username_origin + ") and jira.api_token (from " + token_origin +
          ") are set for Jira Cloud, which needs the account's email address: set JIRA_EMAIL to the email "
          "of the Atlassian account that owns the API token (JIRA_USERNAME is for Data Center)");
    } else {
      j.password = std::move(j.api_token);
      j.api_token.clear();
      config.origins["jira.password"] =
          token_origin + ", as the Data Center password (JIRA_USERNAME is not an email address)";
      config.origins.erase("jira.api_token");
    }
  }
  // mcp-atlassian ignores JIRA_USERNAME next to a PAT (its examples set both); here a lone
  // username would be half of Data Center basic auth, in conflict with the PAT.
  if (!j.pat.empty() && !j.username.empty() && j.password.empty() && j.email.empty() && j.api_token.empty()) {
    sink.warnings.push_back("jira.username (from " + origin_of(config, "jira.username") +
                            ") is ignored: a personal access token (jira.pat) needs no user name");
    j.username.clear();
    config.origins.erase("jira.username");
  }
  // ENABLED_TOOLS alone names every tool mcp-atlassian offers; here enabled_tools adds to the
  // toolsets, so with no toolsets chosen it is read as "only these".
  const auto enabled = config.origins.find("tools.enabled_tools");
  if (enabled != config.origins.end() && enabled->second.find("ENABLED_TOOLS (") != std::string::npos &&
      !config.origins.count("tools.toolsets")) {
    config.tools.toolsets = {"none"};
    config.origins["tools.toolsets"] = enabled->second + ": only the tools it names";
  }
  for (const auto& u : kUnsupported) {
    const auto it = env.find(std::string(u.name));
    if (it == env.end() || it->second.empty()) continue;
    sink.warnings.push_back(std::string(u.name) + " (" + std::string(kAliasSource) + ") is set but not supported: " +
                            std::string(u.consequence));
  }
}

std::string scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    // Shorter strings would match ordinary words; the messages never print secrets anyway.
    if (secret.size() < 4) continue;
    for (auto pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + 3)) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

// CLI11 quotes the arguments it did not expect, which may hold a URL with a password in it
// or a token pasted in the wrong place.
std::string cli_error_text(std::string_view what, const std::map<std::string, std::string>& env) {
  std::string out;
  std::size_t start = 0;
  while (start <= what.size()) {
    const auto space = what.find(' ', start);
    const auto word = what.substr(start, space == std::string_view::npos ? std::string_view::npos
                                                                         : space - start);
    out += detail::mask_userinfo(word);
    if (space == std::string_view::npos) break;
    out += ' ';
    start = space + 1;
  }
  std::vector<std::string> secrets;
  for (const auto& spec : keys()) {
    if (!spec.secret) continue;
    for (const auto name : spec.env) {
      if (const auto it = env.find(std::string(name)); it != env.end() && !it->second.empty()) {
        secrets.push_back(it->second);
      }
    }
  }
  return scrub(out, secrets) + "; run jira-mcp --help for the options";
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace

Result<ParseOutcome, ConfigError> parse(int argc, const char* const* argv,
                                        const std::map<std::string, std::string>& env,
                                        std::string_view version) {
  CliCapture cli;
  // Without arguments (how MCP hosts usually start a server, configured by its environment) there
  // is no command line to parse: the parser and its ~120 options, a tenth of the heap a start-up
  // touches before the initialize reply, are not built. Every capture then stays unset.
  // The parser outlives the captures, which point into it.
  std::optional<CLI::App> app;
  if (argc > 1) {
    app.emplace("jira-mcp: a Model Context Protocol server for Jira", "jira-mcp");
    build_app(*app, cli);
    try {
      app->parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      return ParseOutcome(ExitRequest{0, app->help()});
    } catch (const CLI::CallForAllHelp&) {
      return ParseOutcome(ExitRequest{0, app->help("", CLI::AppFormatMode::All)});
    } catch (const CLI::ParseError& e) {
      return unexpected(ConfigError{cli_error_text(e.what(), env)});
    }
  }
  if (cli.version) return ParseOutcome(ExitRequest{0, "jira-mcp " + std::string(version) + "\n"});

  Startup startup;
  Config& config = startup.config;
  detail::Sink sink;

  // Layers, lowest precedence first.
  if (cli.config_option && cli.config_option->count() > 0) {
    detail::apply_file(cli.config_file, "--config", config, sink);
  } else if (const auto it = env.find(std::string(kConfigEnv)); it != env.end() && !it->second.empty()) {
    detail::apply_file(it->second, "environment variable " + std::string(kConfigEnv), config, sink);
  }
  detail::apply_env(env, config, sink);
  const auto table = keys();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i < cli.options.size() && cli.options[i] && cli.options[i]->count() > 0) {
      detail::apply_text(table[i], cli.values[i], "command-line flag " + std::string(table[i].flag),
                         config, sink);
    }
  }
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i < cli.sub_options.size() && cli.sub_options[i] && cli.sub_options[i]->count() > 0) {
      detail::apply_text(table[i], cli.sub_values[i],
                         "command-line flag sandbox " + std::string(table[i].sandbox_flag), config,
                         sink);
    }
  }

  // Mode.
  startup.use_sandbox = cli.sandbox;
  startup.bench_json = cli.bench_json;
  startup.bench_quick = cli.bench_quick;
  startup.timing = cli.timing;
  const bool sandbox_command = cli.sandbox_command && cli.sandbox_command->parsed();
  if (sandbox_command && (cli.doctor || cli.bench)) {
    sink.problems.push_back("the sandbox command cannot be combined with --doctor or --bench");
  } else if (cli.doctor && cli.bench) {
    sink.problems.push_back("--doctor and --bench cannot be combined; choose one");
  }
  if (cli.offline && !cli.doctor) {
    sink.problems.push_back("--offline only applies to --doctor; add --doctor");
  }
  startup.offline = cli.offline;
  if ((cli.bench_json || cli.bench_quick) && !cli.bench) {
    sink.problems.push_back(std::string(cli.bench_json ? "--bench-json" : "--bench-quick") +
                            " only applies to --bench; add --bench");
  }
  startup.command = sandbox_command ? Command::SandboxServe
                    : cli.doctor    ? Command::Doctor
                    : cli.bench     ? Command::Bench
                                    : Command::Serve;

  adopt_foreign_settings(env, config, sink);
  for (auto& w : sink.warnings) startup.warnings.push_back(std::move(w));

  // "jira.url is not set" would be noise when the file holding it is unreadable, or when a
  // bad jira.url was already reported.
  const bool url_reported = sink.file_failed || std::find(sink.rejected.begin(), sink.rejected.end(),
                                                          "jira.url") != sink.rejected.end();
  check_auth(config, startup.command == Command::Serve && !startup.use_sandbox && !url_reported,
             sink.problems,
             startup.warnings);
  if (config.http.tls_cert.empty() != config.http.tls_key.empty()) {
    const std::string set = config.http.tls_cert.empty() ? "http.tls_key" : "http.tls_cert";
    const std::string missing = config.http.tls_cert.empty() ? "http.tls_cert" : "http.tls_key";
    sink.problems.push_back(set + " is set (from " + origin_of(config, set) + ") but " + missing +
                            " is not: serving HTTPS needs both the certificate and its private key");
  }

  for (auto& warning : startup.warnings) warning = scrub(std::move(warning), sink.secrets);
  if (!sink.problems.empty()) {
    ConfigError error{scrub(join_lines(sink.problems), sink.secrets)};
    error.rejected = std::move(sink.rejected);
    error.file_unread = sink.file_failed;
    error.partial = std::make_shared<const Startup>(std::move(startup));
    return unexpected(std::move(error));
  }
  return ParseOutcome(std::move(startup));
}

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view kv(*entry);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

}  // namespace jira_mcp::config
