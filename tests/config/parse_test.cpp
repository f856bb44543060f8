#include <doctest/doctest.h>

#include <cstdlib>

#include "config/config_fixture.hpp"
#include "jira_mcp/config/config.hpp"

using namespace config_test;
using jira_mcp::config::Command;
using jira_mcp::config::Config;
using jira_mcp::config::ExitRequest;

namespace {
const Env kUrl{{"JIRA_URL", "https://example.atlassian.net"}};

Env with_url(Env env) {
  env.emplace("JIRA_URL", "https://example.atlassian.net");
  return env;
}
}  // namespace

TEST_CASE("with nothing given, every setting has its default") {
  const auto s = startup({}, kUrl);
  const Config defaults;
  CHECK(s.command == Command::Serve);
  CHECK(s.config.server.transport == defaults.server.transport);
  CHECK(s.config.server.port == 8808);
  CHECK(s.config.server.max_line_bytes == 16 * jira_mcp::config::kMiB);
  CHECK(s.config.jira.deployment == "auto");
  CHECK(s.config.async.rate_limit_requests_per_second == doctest::Approx(10.0));
  CHECK(s.config.cache.enabled);
  CHECK(s.config.http.per_user_credentials == "off");
  CHECK(s.config.sandbox.issues == 300);
  CHECK(s.config.config_path.empty());
  CHECK(s.config.origins.size() == 1);  // only JIRA_URL
  CHECK(s.config.origins.at("jira.url") == "environment variable JIRA_URL");
}

TEST_CASE("precedence is flag over environment over file over default, key by key") {
  TempToml file(R"(
[server]
port = 1111
host = "10.0.0.1"
log_level = "warn"
transport = "http"

[jira]
url = "https://file.example.com"
deployment = "cloud"

[performance.async]
rate_limit_requests_per_second = 2.5

[sandbox]
flavor = "dc"
)");
  const Env env{{"JIRA_MCP_PORT", "2222"},
                {"JIRA_MCP_HOST", "10.0.0.2"},
                {"JIRA_URL", "https://env.example.com"},
                {"JIRA_DEPLOYMENT", "datacenter"}};
  const auto s = startup({"--config", file.path(), "--port", "3333", "--jira-url",
                          "https://flag.example.com", "--sandbox-flavor", "cloud"},
                         env);
  const auto& c = s.config;
  // All four layers present: the flag wins.
  CHECK(c.server.port == 3333);
  CHECK(c.origins.at("server.port") == "command-line flag --port");
  CHECK(c.jira.url == "https://flag.example.com");
  // Environment over file.
  CHECK(c.server.host == "10.0.0.2");
  CHECK(c.origins.at("server.host") == "environment variable JIRA_MCP_HOST");
  CHECK(c.jira.deployment == "datacenter");
  // File over default.
  CHECK(c.server.log_level == "warn");
  CHECK(c.server.transport == "http");
  CHECK(c.async.rate_limit_requests_per_second == doctest::Approx(2.5));
  CHECK(c.origins.count("performance.async.rate_limit_requests_per_second") == 1);
  CHECK(c.origins.at("server.log_level") == file.path() + " line 5");
  // Flag over file with no environment in between.
  CHECK(c.sandbox.flavor == "cloud");
  // Default when nobody says anything.
  CHECK(c.server.workers == 4);
  CHECK(c.origins.count("server.workers") == 0);
  CHECK(c.config_path == file.path());
}

TEST_CASE("the config file can be named by JIRA_MCP_CONFIG, and --config wins over it") {
  TempToml a("[server]\nport = 1001\n");
  TempToml b("[server]\nport = 1002\n");
  CHECK(startup({}, with_url({{"JIRA_MCP_CONFIG", a.path()}})).config.server.port == 1001);
  CHECK(startup({"--config", b.path()}, with_url({{"JIRA_MCP_CONFIG", a.path()}}))
            .config.server.port == 1002);
}

TEST_CASE("a named config file that does not exist is an error naming who named it") {
  const auto msg = error({"--config", "/nonexistent/jira-mcp.toml"}, kUrl);
  CHECK(msg.find("config file '/nonexistent/jira-mcp.toml' (named by --config) does not exist") !=
        std::string::npos);
  const auto env_msg = error({}, with_url({{"JIRA_MCP_CONFIG", "/nonexistent/x.toml"}}));
  CHECK(env_msg.find("named by environment variable JIRA_MCP_CONFIG") != std::string::npos);
  // The missing file is the only complaint: no "jira.url is not set" noise on top.
  CHECK(error({"--config", "/nonexistent/x.toml"}).find("jira.url is not") ==
        std::string::npos);
}

TEST_CASE("bad values name the key, the source and the accepted range, for every type") {
  TempToml file(R"([server]
transport = "grpc"
port = 70000
workers = "four"

[jira]
insecure = "yes"
connect_timeout_ms = 5
no_proxy = ["a", 3]
headers = "X-A=1"
url = "ftp://jira.example.com"

[performance.async]
rate_limit_requests_per_second = 0.0
)");
  const auto msg = error({"--config", file.path()});
  const auto& p = file.path();
  CHECK(msg.find("server.transport = \"grpc\" (from " + p + " line 2): must be one of: stdio, http") !=
        std::string::npos);
  CHECK(msg.find("server.port = 70000 (from " + p + " line 3): must be an integer from 1 to 65535") !=
        std::string::npos);
  CHECK(msg.find("server.workers = \"four\" (from " + p + " line 4): must be an integer from 1 to 256") !=
        std::string::npos);
  CHECK(msg.find("jira.insecure = \"yes\" (from " + p + " line 7): must be true or false") !=
        std::string::npos);
  CHECK(msg.find("jira.connect_timeout_ms = 5 (from " + p +
                 " line 8): must be an integer from 100 to 600000") != std::string::npos);
  CHECK(msg.find("performance.async.rate_limit_requests_per_second = 0.0 (from " + p +
                 " line 14): must be a number from 0.1 to 10000.0") != std::string::npos);
  CHECK(msg.find("jira.no_proxy = ") != std::string::npos);
  CHECK(msg.find("(from " + p + " line 9): must be an array of strings") != std::string::npos);
  CHECK(msg.find("jira.headers = *** (from " + p + " line 10): must be a table of string values") !=
        std::string::npos);
  CHECK(msg.find("jira.url = \"ftp://jira.example.com\" (from " + p +
                 " line 11): has scheme 'ftp', not http or https") != std::string::npos);
  // Reported in file order, one per line, all at once.
  CHECK(msg.find("server.transport") < msg.find("server.port"));
  CHECK(msg.find("server.port") < msg.find("jira.url"));
}

TEST_CASE("bad values from the environment and flags say which variable or flag") {
  SUBCASE("environment") {
    const auto msg = error({}, with_url({{"JIRA_MCP_PORT", "99999"},
                                         {"JIRA_INSECURE", "maybe"},
                                         {"JIRA_MCP_TRANSPORT", "grpc"}}));
    CHECK(msg.find("server.port = \"99999\" (from environment variable JIRA_MCP_PORT): must be an "
                   "integer from 1 to 65535") != std::string::npos);
    CHECK(msg.find("jira.insecure = \"maybe\" (from environment variable JIRA_INSECURE): must be "
                   "true or false") != std::string::npos);
    CHECK(msg.find("server.transport = \"grpc\" (from environment variable JIRA_MCP_TRANSPORT): "
                   "must be one of: stdio, http") != std::string::npos);
  }
  SUBCASE("flags") {
    const auto msg = error({"--port", "80x", "--log-level", "loud"}, kUrl);
    CHECK(msg.find("server.port = \"80x\" (from command-line flag --port): must be an integer from "
                   "1 to 65535") != std::string::npos);
    CHECK(msg.find("server.log_level = \"loud\" (from command-line flag --log-level): must be one "
                   "of: trace, debug, info, warn, error, critical, off") != std::string::npos);
  }
  SUBCASE("a rejected value does not hide the lower layer's value") {
    TempToml file("[server]\nport = 1234\n");
    CHECK_FALSE(run({"--config", file.path(), "--port", "0"}, kUrl).ok());
  }
}

TEST_CASE("the nested performance, monitoring, logging and http sections, and MiB from the environment") {
  TempToml file(R"([performance.cache]
api_cache_ttl_seconds = 5
l2_path = "/tmp/jira-mcp-cache"

[monitoring]
min_success_rate = 0.9

[logging.performance]
log_interval_seconds = 30

[http]
allowed_origins = ["https://agent.example.com"]
per_user_credentials = "Required"
)");
  const auto s = startup({"--config", file.path()},
                         with_url({{"JIRA_MAX_MEMORY_MB", "64"}, {"JIRA_CACHE_ENABLED", "false"}}));
  CHECK(s.config.cache.api_cache_ttl_seconds == 5);
  CHECK(s.config.cache.l2_path == "/tmp/jira-mcp-cache");
  CHECK_FALSE(s.config.cache.enabled);
  CHECK(s.config.monitoring.min_success_rate == doctest::Approx(0.9));
  CHECK(s.config.perf_log.log_interval_seconds == 30);
  CHECK(s.config.http.allowed_origins == std::vector<std::string>{"https://agent.example.com"});
  CHECK(s.config.http.per_user_credentials == "required");
  CHECK(s.config.performance.max_memory_usage_bytes == 64 * jira_mcp::config::kMiB);
  CHECK(s.config.origins.at("performance.max_memory_usage_bytes") == "environment variable JIRA_MAX_MEMORY_MB");
  const auto text = jira_mcp::config::describe(s.config);
  CHECK(text.find("[performance.cache]\nenabled = false  # from environment variable JIRA_CACHE_ENABLED") != std::string::npos);
  CHECK(text.find("[logging.performance]\n") != std::string::npos);

  const auto bad = error({}, with_url({{"JIRA_MAX_MEMORY_MB", "1.5"}}));
  CHECK(bad.find("performance.max_memory_usage_bytes = \"1.5\" (from environment variable JIRA_MAX_MEMORY_MB): "
                 "must be a whole number of MiB from 16 to 1048576") != std::string::npos);
  TempToml tls(R"([http]
tls_cert = ")" + file.path() + R"("
)");
  CHECK(error({"--config", tls.path()}, kUrl).find("http.tls_cert is set (from " + tls.path() +
                                                   " line 2) but http.tls_key is not") != std::string::npos);
}

TEST_CASE("environment booleans accept true/false/1/0/yes/no/y/n/on/off in any case") {
  for (const char* yes : {"true", "TRUE", "1", "yes", "Yes", "y", "on"}) {
    CAPTURE(yes);
    CHECK(startup({}, with_url({{"JIRA_INSECURE", yes}})).config.jira.insecure);
  }
  for (const char* no : {"false", "False", "0", "no", "NO", "n", "Off"}) {
    CAPTURE(no);
    CHECK_FALSE(startup({}, with_url({{"JIRA_INSECURE", no}})).config.jira.insecure);
  }
  CHECK(error({}, with_url({{"JIRA_INSECURE", "maybe"}})).find("must be true or false") !=
        std::string::npos);
}

TEST_CASE("enum values are case-insensitive and stored lower case") {
  const auto s = startup({"--transport", "HTTP"}, with_url({{"JIRA_MCP_LOG_LEVEL", " Debug "}}));
  CHECK(s.config.server.transport == "http");
  CHECK(s.config.server.log_level == "debug");
}

TEST_CASE("empty environment variables count as unset") {
  TempToml file("[server]\nport = 4444\n");
  const auto s = startup({"--config", file.path()}, with_url({{"JIRA_MCP_PORT", ""}}));
  CHECK(s.config.server.port == 4444);
}

TEST_CASE("environment lists and maps are comma-separated and trimmed") {
  const auto s = startup({}, with_url({{"NO_PROXY", " localhost, .corp.example.com,,10.0.0.1 "},
                                       {"JIRA_CUSTOM_HEADERS", "X-Team=platform, X-Trace = a=b"}}));
  CHECK(s.config.jira.no_proxy ==
        std::vector<std::string>{"localhost", ".corp.example.com", "10.0.0.1"});
  CHECK(s.config.jira.headers ==
        std::map<std::string, std::string>{{"X-Team", "platform"}, {"X-Trace", "a=b"}});

  SUBCASE("the upper-case variable wins, the lower-case one is a fallback") {
    CHECK(startup({}, with_url({{"no_proxy", "a"}})).config.jira.no_proxy ==
          std::vector<std::string>{"a"});
    CHECK(startup({}, with_url({{"NO_PROXY", "b"}, {"no_proxy", "a"}})).config.jira.no_proxy ==
          std::vector<std::string>{"b"});
    const auto p = startup({}, with_url({{"https_proxy", "proxy.local:3128"}}));
    CHECK(p.config.jira.proxy == "http://proxy.local:3128");
    CHECK(p.config.origins.at("jira.proxy") == "environment variable https_proxy");
  }
  SUBCASE("malformed maps and header names are rejected") {
    CHECK(error({}, with_url({{"JIRA_CUSTOM_HEADERS", "A=1,B"}}))
              .find("jira.headers = *** (from environment variable JIRA_CUSTOM_HEADERS): must be "
                    "NAME=value pairs separated by commas") != std::string::npos);
    CHECK(error({}, with_url({{"JIRA_CUSTOM_HEADERS", "Bad Name=1"}}))
              .find("header name 'Bad Name' is not a valid HTTP header name") != std::string::npos);
  }
}

TEST_CASE("TOML lists and tables fill list and map settings") {
  TempToml file(R"([jira]
no_proxy = ["localhost", ".internal"]
[jira.headers]
X-Team = "platform"
"X-Other" = "1"
)");
  const auto s = startup({"--config", file.path()}, kUrl);
  CHECK(s.config.jira.no_proxy == std::vector<std::string>{"localhost", ".internal"});
  CHECK(s.config.jira.headers ==
        std::map<std::string, std::string>{{"X-Other", "1"}, {"X-Team", "platform"}});
}

TEST_CASE("unknown TOML keys are rejected with a did-you-mean suggestion and the line") {
  TempToml file(R"([server]
prot = 8000

[jira]
token = "abc"
url = "https://x.example.com"

[serverr]
host = "x"

[bogus]
zzzzzzzz = 1
)");
  const auto msg = error({"--config", file.path()});
  CHECK(msg.find("unknown key 'server.prot' (in " + file.path() +
                 " line 2); did you mean 'server.port'?") != std::string::npos);
  CHECK(msg.find("unknown key 'jira.token' (in " + file.path() +
                 " line 5); did you mean 'jira.api_token'?") != std::string::npos);
  CHECK(msg.find("unknown key 'serverr.host' (in " + file.path() +
                 " line 9); did you mean 'server.host'?") != std::string::npos);
  CHECK(msg.find("unknown key 'bogus.zzzzzzzz' (in " + file.path() +
                 " line 12); config.toml.example lists every accepted key") != std::string::npos);
  // A key in the wrong section is pointed at the right one.
  TempToml misplaced("[server]\nurl = \"https://x.example.com\"\n");
  CHECK(error({"--config", misplaced.path()}).find("did you mean 'jira.url'?") != std::string::npos);
}

TEST_CASE("empty sections are fine, a section that is not a table is not") {
  TempToml empty("[server]\n[jira]\n");
  CHECK(startup({"--config", empty.path()}, kUrl).config.server.port == 8808);
  TempToml scalar("server = 5\n");
  CHECK(error({"--config", scalar.path()}, kUrl)
            .find("server = 5 (from " + scalar.path() + " line 1): must be a table, [server]") !=
        std::string::npos);
  TempToml unknown_empty("[nothing_here]\n");
  CHECK(error({"--config", unknown_empty.path()}, kUrl).find("unknown key 'nothing_here'") !=
        std::string::npos);
}

TEST_CASE("a TOML syntax error reports the file, line and column") {
  TempToml file("[server]\nport = 80\nhost = \n");
  const auto msg = error({"--config", file.path()}, kUrl);
  CHECK(msg.find(file.path() + " line 3, column ") != std::string::npos);
  CHECK(msg.find("TOML syntax error") != std::string::npos);
}

TEST_CASE("secrets never appear in errors, warnings or describe()") {
  const std::string token = "tok-SECRET-1234567";
  const std::string pat = "pat-SECRET-7654321";
  const std::string password = "pw-SECRET-99999";
  const std::string header_value = "Bearer hdr-SECRET-abcdef";

  SUBCASE("conflicting credentials") {
    const auto msg = error({}, with_url({{"JIRA_EMAIL", "me@example.com"},
                                         {"JIRA_API_TOKEN", token},
                                         {"JIRA_PAT", pat}}));
    CHECK(msg.find("jira.pat (from environment variable JIRA_PAT) and jira.email (from environment "
                   "variable JIRA_EMAIL) are both set: choose one") != std::string::npos);
    CHECK(msg.find("SECRET") == std::string::npos);
  }
  SUBCASE("bad secret values") {
    const auto msg = error({}, with_url({{"JIRA_PAT", pat + "\r\nX-Injected: 1"},
                                         {"JIRA_CUSTOM_HEADERS", "Authorization=" + header_value +
                                                                     ",Bad Header=" + token}}));
    CHECK(msg.find("jira.pat = *** (from environment variable JIRA_PAT): must not contain control "
                   "characters") != std::string::npos);
    CHECK(msg.find("SECRET") == std::string::npos);
  }
  SUBCASE("wrong TOML types for secrets") {
    TempToml typed("[jira]\npat = 123456789\nheaders = { A = \"" + token + "\", B = 5 }\n");
    const auto msg = error({"--config", typed.path()}, kUrl);
    CHECK(msg.find("jira.pat = *** (from") != std::string::npos);
    CHECK(msg.find("123456789") == std::string::npos);
    CHECK(msg.find("SECRET") == std::string::npos);
  }
  SUBCASE("credentials inside URLs") {
    const auto msg = error({"--jira-url", "https://me:" + password + "@jira.example.com"});
    CHECK(msg.find("must not contain a user name or password") != std::string::npos);
    CHECK(msg.find("SECRET") == std::string::npos);
  }
  SUBCASE("command-line syntax errors that echo arguments") {
    const auto msg = error({"--jira-url", "https://me:" + password + "@jira.example.com", token},
                           {{"JIRA_API_TOKEN", token}});
    CHECK(msg.find("not expected") != std::string::npos);
    CHECK(msg.find("SECRET") == std::string::npos);
    const auto echoed = error({"stray", "https://me:" + password + "@jira.example.com"});
    CHECK(echoed.find("https://me:***@jira.example.com") != std::string::npos);
    CHECK(echoed.find("SECRET") == std::string::npos);
  }
  SUBCASE("describe") {
    const auto s = startup({}, with_url({{"JIRA_EMAIL", "me@example.com"},
                                         {"JIRA_API_TOKEN", token},
                                         {"HTTPS_PROXY", "http://user:" + password + "@proxy:3128"},
                                         {"JIRA_CUSTOM_HEADERS", "Authorization=" + header_value},
                                         {"JIRA_INSECURE", "true"}}));
    const auto text = jira_mcp::config::describe(s.config);
    CHECK(text.find("api_token = \"***\"  # from environment variable JIRA_API_TOKEN") !=
          std::string::npos);
    CHECK(text.find("proxy = \"http://user:***@proxy:3128\"") != std::string::npos);
    CHECK(text.find("headers = { Authorization = \"***\" }") != std::string::npos);
    CHECK(text.find("pat = \"\"") != std::string::npos);  // unset secrets show as empty
    CHECK(text.find("SECRET") == std::string::npos);
    for (const auto& w : s.warnings) CHECK(w.find("SECRET") == std::string::npos);
    // The values themselves are intact for the code that uses them.
    CHECK(s.config.jira.api_token == token);
    CHECK(s.config.jira.headers.at("Authorization") == header_value);
  }
}

TEST_CASE("cross-field checks: URL shape, credential pairs and conflicts") {
  SUBCASE("the URL's trailing slash is trimmed and the scheme lower-cased") {
    CHECK(startup({"--jira-url", "HTTPS://jira.example.com:8443/jira/"})
              .config.jira.url == "https://jira.example.com:8443/jira");
  }
  SUBCASE("URLs that are not http(s)://host[:port][/path] are rejected") {
    for (const char* bad : {"jira.example.com", "https://", "https://jira.example.com:0",
                            "https://jira.example.com:99999", "https://jira.example.com/?a=1",
                            "https://jira example.com"}) {
      CAPTURE(bad);
      CHECK(error({"--jira-url", bad}).find("jira.url = ") != std::string::npos);
    }
  }
  SUBCASE("email without api_token, and the reverse, name both settings") {
    CHECK(error({}, with_url({{"JIRA_EMAIL", "me@example.com"}}))
              .find("jira.email is set (from environment variable JIRA_EMAIL) but jira.api_token "
                    "is not: Jira Cloud basic auth needs both jira.email and jira.api_token") !=
          std::string::npos);
    CHECK(error({}, with_url({{"JIRA_API_TOKEN", "t0ken"}}))
              .find("jira.api_token is set (from environment variable JIRA_API_TOKEN) but "
                    "jira.email is not") != std::string::npos);
    CHECK(error({}, with_url({{"JIRA_USERNAME", "me"}})).find("jira.password is not") !=
          std::string::npos);
  }
  SUBCASE("a PAT together with username/password is a conflict") {
    CHECK(error({}, with_url({{"JIRA_PAT", "p4t-value"},
                              {"JIRA_USERNAME", "me"},
                              {"JIRA_PASSWORD", "pw-value"}}))
              .find("are both set: choose one way to authenticate") != std::string::npos);
  }
  SUBCASE("with no Jira at all the server may serve the sandbox; credentials without a URL are refused") {
    CHECK(startup({}).command == Command::Serve);
    CHECK(startup({}).config.jira.url.empty());
    CHECK(error({}, {{"JIRA_PAT", "p4t-value"}}).find("Jira credentials are set but jira.url is not") !=
          std::string::npos);
    CHECK(startup({"--sandbox"}).use_sandbox);
    CHECK(startup({"sandbox"}).command == Command::SandboxServe);
    CHECK(startup({"--doctor"}).command == Command::Doctor);
  }
  SUBCASE("a CA bundle must exist") {
    CHECK(error({}, with_url({{"JIRA_CA_BUNDLE", "/nonexistent/ca.pem"}}))
              .find("jira.ca_bundle = \"/nonexistent/ca.pem\" (from environment variable "
                    "JIRA_CA_BUNDLE): must name an existing PEM file or directory") !=
          std::string::npos);
  }
}

TEST_CASE("warnings are returned for the caller to log, not errors") {
  const auto s = startup({}, with_url({{"JIRA_INSECURE", "1"},
                                       {"JIRA_PAT", "p4t-value"}}));
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].find("jira.insecure = true (from environment variable JIRA_INSECURE): TLS "
                           "certificate verification is disabled") != std::string::npos);
  const auto anon = startup({}, kUrl);
  REQUIRE(anon.warnings.size() == 1);
  CHECK(anon.warnings[0].find("no Jira credentials are configured") != std::string::npos);
  const auto plain = startup({"--jira-url", "http://jira.local"}, {{"JIRA_PAT", "p4t-value"}});
  REQUIRE(plain.warnings.size() == 1);
  CHECK(plain.warnings[0].find("plain http://") != std::string::npos);
}

TEST_CASE("--help and --version are exit requests with the text to print") {
  auto help = run({"--help"});
  REQUIRE(help.ok());
  const auto* h = std::get_if<ExitRequest>(&help.value());
  REQUIRE(h != nullptr);
  CHECK(h->code == 0);
  for (const char* expected : {"--config FILE", "--transport stdio|http", "--port INT",
                               "--log-level", "--sandbox", "--sandbox-flavor cloud|dc", "--doctor",
                               "--bench-json", "--bench-quick", "--timing", "--jira-url URL",
                               "--deployment auto|cloud|datacenter", "Server:", "Jira:", "Modes:",
                               "default: 8808", "env: JIRA_MCP_PORT", "JIRA_API_TOKEN -> jira.api_token",
                               "HTTPS_PROXY or https_proxy -> jira.proxy", "sandbox"}) {
    CAPTURE(expected);
    CHECK(h->text.find(expected) != std::string::npos);
  }
  // Help is answered before the environment is looked at.
  CHECK(run({"-h"}, {{"JIRA_MCP_PORT", "bad"}}).ok());

  auto version = run({"--version"}, {{"JIRA_MCP_PORT", "bad"}});
  REQUIRE(version.ok());
  const auto* v = std::get_if<ExitRequest>(&version.value());
  REQUIRE(v != nullptr);
  CHECK(v->code == 0);
  CHECK(v->text == "jira-mcp 1.2.3\n");

  auto sub_help = run({"sandbox", "--help"});
  REQUIRE(sub_help.ok());
  const auto* sh = std::get_if<ExitRequest>(&sub_help.value());
  REQUIRE(sh != nullptr);
  CHECK(sh->text.find("--flavor cloud|dc") != std::string::npos);
  CHECK(sh->text.find("--issues INT") != std::string::npos);
}

TEST_CASE("command-line syntax errors become ConfigError with a pointer to --help") {
  const auto unknown = error({"--bogus"}, kUrl);
  CHECK(unknown.find("--bogus") != std::string::npos);
  CHECK(unknown.find("run jira-mcp --help") != std::string::npos);
  const auto missing = error({"--port"}, kUrl);
  CHECK(missing.find("--port") != std::string::npos);
  CHECK(missing.find("run jira-mcp --help") != std::string::npos);
  CHECK(error({"stray"}, kUrl).find("stray") != std::string::npos);
}

TEST_CASE("the sandbox subcommand takes --port, --flavor and --issues") {
  const auto s = startup({"sandbox", "--port", "9100", "--flavor", "dc", "--issues", "25"});
  CHECK(s.command == Command::SandboxServe);
  CHECK(s.config.sandbox.port == 9100);
  CHECK(s.config.sandbox.flavor == "dc");
  CHECK(s.config.sandbox.issues == 25);
  CHECK(s.config.origins.at("sandbox.port") == "command-line flag sandbox --port");
  // The top-level --port is the MCP server's, not the sandbox's.
  CHECK(s.config.server.port == 8808);

  SUBCASE("top-level flags still work after the subcommand") {
    const auto t = startup({"sandbox", "--log-level", "debug", "--port", "0"});
    CHECK(t.config.server.log_level == "debug");
    CHECK(t.config.sandbox.port == 0);
  }
  SUBCASE("its values are validated like any other") {
    CHECK(error({"sandbox", "--flavor", "server"})
              .find("sandbox.flavor = \"server\" (from command-line flag sandbox --flavor): must "
                    "be one of: cloud, dc") != std::string::npos);
    CHECK(error({"sandbox", "--issues", "-1"}).find("must be an integer from 0 to 100000") !=
          std::string::npos);
  }
}

TEST_CASE("the sandbox subcommand takes its fault knobs as flags") {
  const auto s = startup({"sandbox", "--latency-ms", "20", "--jitter-ms", "5", "--rate-limit-rps", "2.5",
                          "--rate-limit-burst", "4", "--error-rate", "0.1", "--drop-rate", "0.02"});
  CHECK(s.command == Command::SandboxServe);
  CHECK(s.config.sandbox.latency_ms == 20);
  CHECK(s.config.sandbox.jitter_ms == 5);
  CHECK(s.config.sandbox.rate_limit_rps == 2.5);
  CHECK(s.config.sandbox.rate_limit_burst == 4);
  CHECK(s.config.sandbox.error_rate == 0.1);
  CHECK(s.config.sandbox.drop_rate == 0.02);
  CHECK(error({"sandbox", "--error-rate", "1.5"})
            .find("sandbox.error_rate = \"1.5\" (from command-line flag sandbox --error-rate): must be a number "
                  "from 0.0 to 1.0") != std::string::npos);
  CHECK(error({"sandbox", "--rate-limit-rps", "-1"}).find("sandbox.rate_limit_rps") != std::string::npos);
  // The knobs belong to the subcommand: the server's own flags do not take them.
  CHECK(run({"--error-rate", "0.5"}, kUrl).ok() == false);
}

TEST_CASE("the cluster section: off by default, Redis URL and instance id from the environment") {
  const auto d = startup({}, kUrl);
  CHECK(d.config.cluster.redis_url.empty());
  CHECK(d.config.cluster.instance_id.empty());
  CHECK(d.config.cluster.key_prefix == "jira-mcp:");

  Env env = kUrl;
  env["JIRA_MCP_REDIS_URL"] = "redis://:fleet-pass@10.0.0.5:6380/1";
  env["JIRA_MCP_INSTANCE_ID"] = "mcp-a.1";
  const auto s = startup({}, env);
  CHECK(s.config.cluster.redis_url == "redis://:fleet-pass@10.0.0.5:6380/1");
  CHECK(s.config.cluster.instance_id == "mcp-a.1");
  CHECK(s.config.origins.at("cluster.redis_url") == "environment variable JIRA_MCP_REDIS_URL");
  // describe() shows where Redis is but not its password.
  const auto described = jira_mcp::config::describe(s.config);
  CHECK(described.find("10.0.0.5:6380") != std::string::npos);
  CHECK(described.find("fleet-pass") == std::string::npos);

  TempToml file("[cluster]\nredis_url = \"unix:///run/redis/redis.sock\"\ncommand_timeout_ms = 250\n");
  const auto f = startup({"--config", file.path()}, kUrl);
  CHECK(f.config.cluster.redis_url == "unix:///run/redis/redis.sock");
  CHECK(f.config.cluster.command_timeout_ms == 250);
}

TEST_CASE("bad cluster values say what is wrong and what to write, never the Redis password") {
  Env env = kUrl;
  env["JIRA_MCP_REDIS_URL"] = "redis://:fleet-pass@10.0.0.5:99999";
  const auto port = error({}, env);
  CHECK(port.find("cluster.redis_url") != std::string::npos);
  CHECK(port.find("(from environment variable JIRA_MCP_REDIS_URL)") != std::string::npos);
  CHECK(port.find("port that is not an integer from 1 to 65535") != std::string::npos);
  CHECK(port.find("use unix:///path/to/redis.sock or redis://[:password@]host[:port][/db]") != std::string::npos);
  CHECK(port.find("fleet-pass") == std::string::npos);

  env["JIRA_MCP_REDIS_URL"] = "redis:/:fleet-pass@10.0.0.5:6380";  // not even a URL
  const auto typo = error({}, env);
  CHECK(typo.find("has no scheme") != std::string::npos);
  CHECK(typo.find("fleet-pass") == std::string::npos);

  env["JIRA_MCP_REDIS_URL"] = "rediss://:fleet-pass@10.0.0.5:6380";
  const auto tls = error({}, env);
  CHECK(tls.find("TLS") != std::string::npos);
  CHECK(tls.find("fleet-pass") == std::string::npos);

  env["JIRA_MCP_REDIS_URL"] = "";
  env["JIRA_MCP_INSTANCE_ID"] = "mcp a/1";
  CHECK(error({}, env).find("cluster.instance_id = \"mcp a/1\" (from environment variable JIRA_MCP_INSTANCE_ID): "
                            "must be at most 64 letters, digits") != std::string::npos);
  env.erase("JIRA_MCP_INSTANCE_ID");
  TempToml file("[cluster]\nkey_prefix = \"has space:\"\nconnect_timeout_ms = 0\n");
  const auto f = error({"--config", file.path()}, env);
  CHECK(f.find("cluster.key_prefix") != std::string::npos);
  CHECK(f.find("cluster.connect_timeout_ms = 0") != std::string::npos);
  CHECK(f.find("must be an integer from 10 to 60000") != std::string::npos);
}

TEST_CASE("mode flags select the command and reject contradictions") {
  const auto b = startup({"--bench", "--bench-json", "--bench-quick", "--timing"});
  CHECK(b.command == Command::Bench);
  CHECK(b.bench_json);
  CHECK(b.bench_quick);
  CHECK(b.timing);
  CHECK(error({"--doctor", "--bench"}).find("--doctor and --bench cannot be combined") !=
        std::string::npos);
  CHECK(error({"--bench-json"}, kUrl).find("--bench-json only applies to --bench") !=
        std::string::npos);
  CHECK(error({"sandbox", "--doctor"}).find("cannot be combined") != std::string::npos);
  // A flag given twice: the last one wins, as in most tools.
  CHECK(startup({"--port", "1", "--port", "2"}, kUrl).config.server.port == 2);
}

TEST_CASE("environment_map reads the process environment") {
  ::setenv("JIRA_MCP_CONFIG_TEST_PROBE", "a=b", 1);
  const auto env = jira_mcp::config::environment_map();
  REQUIRE(env.count("JIRA_MCP_CONFIG_TEST_PROBE") == 1);
  CHECK(env.at("JIRA_MCP_CONFIG_TEST_PROBE") == "a=b");
  ::unsetenv("JIRA_MCP_CONFIG_TEST_PROBE");
}
