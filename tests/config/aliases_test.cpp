// sooperset/mcp-atlassian's environment variables, accepted as aliases of ours.
#include <doctest/doctest.h>


#include "config/config_fixture.hpp"
#include "jira_mcp/config/config.hpp"
#include "jira_mcp/config/keys.hpp"
#include "support/paths.hpp"

using namespace config_test;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool any_has(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines) {
    if (has(l, part)) return true;
  }
  return false;
}

Env cloud(Env env) {
  env.emplace("JIRA_URL", "https://example.atlassian.net");
  env.emplace("JIRA_EMAIL", "me@example.com");
  env.emplace("JIRA_API_TOKEN", "tok-value-1");
  return env;
}

}  // namespace

TEST_CASE("READ_ONLY_MODE turns read-only on, in mcp-atlassian's spellings") {
  for (const char* yes : {"true", "TRUE", "1", "yes", "y", "on"}) {
    CAPTURE(yes);
    const auto s = startup({}, cloud({{"READ_ONLY_MODE", yes}}));
    CHECK(s.config.tools.read_only);
    CHECK(s.config.origins.at("tools.read_only") == "environment variable READ_ONLY_MODE (mcp-atlassian's name)");
  }
  for (const char* no : {"false", "0", "no", "off"}) {
    CAPTURE(no);
    CHECK_FALSE(startup({}, cloud({{"READ_ONLY_MODE", no}})).config.tools.read_only);
  }
  CHECK(has(error({}, cloud({{"READ_ONLY_MODE", "maybe"}})),
            "tools.read_only = \"maybe\" (from environment variable READ_ONLY_MODE (mcp-atlassian's name))"));
}

TEST_CASE("ours win over an alias, with a warning naming both when they differ") {
  const auto differ = startup({}, cloud({{"READ_ONLY_MODE", "true"}, {"JIRA_READ_ONLY", "false"}}));
  CHECK_FALSE(differ.config.tools.read_only);
  CHECK(any_has(differ.warnings, "READ_ONLY_MODE (mcp-atlassian's name for tools.read_only) and JIRA_READ_ONLY "
                                 "are both set, to different values: using JIRA_READ_ONLY"));
  // The same value in two spellings is no conflict.
  const auto same = startup({}, cloud({{"READ_ONLY_MODE", "yes"}, {"JIRA_READ_ONLY", "true"}}));
  CHECK(same.config.tools.read_only);
  CHECK_FALSE(any_has(same.warnings, "READ_ONLY_MODE"));
  // A flag beats both, as for any environment variable.
  CHECK(startup({"--read-only"}, cloud({{"READ_ONLY_MODE", "false"}})).config.tools.read_only);
}

TEST_CASE("JIRA_PERSONAL_TOKEN is the PAT, and a conflicting JIRA_PAT wins without printing either") {
  const Env dc{{"JIRA_URL", "https://jira.example.com"}, {"JIRA_PERSONAL_TOKEN", "theirs-SECRET-1"}};
  const auto s = startup({}, dc);
  CHECK(s.config.jira.pat == "theirs-SECRET-1");
  Env both = dc;
  both["JIRA_PAT"] = "ours-SECRET-2";
  const auto b = startup({}, both);
  CHECK(b.config.jira.pat == "ours-SECRET-2");
  REQUIRE(any_has(b.warnings, "JIRA_PERSONAL_TOKEN (mcp-atlassian's name for jira.pat) and JIRA_PAT"));
  for (const auto& w : b.warnings) CHECK_FALSE(has(w, "SECRET"));
  CHECK_FALSE(has(jira_mcp::config::describe(b.config), "SECRET"));
}

TEST_CASE("JIRA_USERNAME + JIRA_API_TOKEN: the Cloud email, or on Data Center a username and password") {
  SUBCASE("an email address is the Cloud account email") {
    const auto s = startup({}, {{"JIRA_URL", "https://example.atlassian.net"},
                                {"JIRA_USERNAME", "me@example.com"},
                                {"JIRA_API_TOKEN", "tok-value-1"}});
    CHECK(s.config.jira.email == "me@example.com");
    CHECK(s.config.jira.api_token == "tok-value-1");
    CHECK(s.config.jira.username.empty());
    CHECK(has(s.config.origins.at("jira.email"), "environment variable JIRA_USERNAME, as the Cloud account email"));
  }
  SUBCASE("a plain user name on a self-hosted URL is Data Center basic auth with the token as password") {
    const auto s = startup({}, {{"JIRA_URL", "https://jira.example.com"},
                                {"JIRA_USERNAME", "jdoe"},
                                {"JIRA_API_TOKEN", "pw-value-1"}});
    CHECK(s.config.jira.username == "jdoe");
    CHECK(s.config.jira.password == "pw-value-1");
    CHECK(s.config.jira.api_token.empty());
    CHECK(s.config.jira.email.empty());
  }
  SUBCASE("a plain user name for Cloud asks for the email") {
    CHECK(has(error({}, {{"JIRA_URL", "https://example.atlassian.net"},
                         {"JIRA_USERNAME", "jdoe"},
                         {"JIRA_API_TOKEN", "tok-value-1"}}),
              "set JIRA_EMAIL to the email of the Atlassian account that owns the API token"));
  }
  SUBCASE("JIRA_EMAIL, when set, is ours and JIRA_USERNAME keeps its Data Center meaning") {
    CHECK(has(error({}, {{"JIRA_URL", "https://example.atlassian.net"},
                         {"JIRA_EMAIL", "me@example.com"},
                         {"JIRA_USERNAME", "jdoe"},
                         {"JIRA_API_TOKEN", "tok-value-1"}}),
              "are both set: choose one way to authenticate"));
  }
}

TEST_CASE("JIRA_USERNAME next to a PAT is ignored with a warning, as mcp-atlassian ignores it") {
  const auto s = startup({}, {{"JIRA_URL", "https://jira.example.com"},
                              {"JIRA_USERNAME", "jdoe"},
                              {"JIRA_PERSONAL_TOKEN", "pat-value-1"}});
  CHECK(s.config.jira.pat == "pat-value-1");
  CHECK(s.config.jira.username.empty());
  CHECK(any_has(s.warnings, "jira.username (from environment variable JIRA_USERNAME) is ignored"));
  // With a password too it is Data Center basic auth, and two methods are still a conflict.
  CHECK(has(error({}, {{"JIRA_URL", "https://jira.example.com"},
                       {"JIRA_USERNAME", "jdoe"},
                       {"JIRA_PASSWORD", "pw-value-1"},
                       {"JIRA_PAT", "pat-value-1"}}),
            "are both set: choose one way to authenticate"));
}

TEST_CASE("TOOLSETS and ENABLED_TOOLS fill the tool selection; ENABLED_TOOLS alone means only those tools") {
  const auto sets = startup({}, cloud({{"TOOLSETS", "issues, agile"}}));
  CHECK(sets.config.tools.toolsets == std::vector<std::string>{"issues", "agile"});

  const auto only = startup({}, cloud({{"ENABLED_TOOLS", "jira_get_issue,jira_search"}}));
  CHECK(only.config.tools.enabled_tools == std::vector<std::string>{"jira_get_issue", "jira_search"});
  CHECK(only.config.tools.toolsets == std::vector<std::string>{"none"});

  const auto added = startup({}, cloud({{"ENABLED_TOOLS", "jira_get_issue"}, {"TOOLSETS", "agile"}}));
  CHECK(added.config.tools.toolsets == std::vector<std::string>{"agile"});
  // Our own variable keeps our meaning: added on top of the default toolsets.
  CHECK(startup({}, cloud({{"JIRA_ENABLED_TOOLS", "jira_get_issue"}})).config.tools.toolsets.empty());
}

TEST_CASE("JIRA_SSL_VERIFY=false means jira.insecure") {
  CHECK(startup({}, cloud({{"JIRA_SSL_VERIFY", "false"}})).config.jira.insecure);
  CHECK(startup({}, cloud({{"JIRA_SSL_VERIFY", "False"}})).config.jira.insecure);
  CHECK_FALSE(startup({}, cloud({{"JIRA_SSL_VERIFY", "true"}})).config.jira.insecure);
  CHECK(any_has(startup({}, cloud({{"JIRA_SSL_VERIFY", "0"}})).warnings, "TLS certificate verification is disabled"));
  CHECK(has(error({}, cloud({{"JIRA_SSL_VERIFY", "sometimes"}})), "must be true or false"));
  const auto clash = startup({}, cloud({{"JIRA_SSL_VERIFY", "false"}, {"JIRA_INSECURE", "false"}}));
  CHECK_FALSE(clash.config.jira.insecure);
  CHECK(any_has(clash.warnings, "JIRA_SSL_VERIFY (mcp-atlassian's name for jira.insecure) and JIRA_INSECURE"));
}

TEST_CASE("proxy, timeout, transport and logging aliases") {
  const auto p = startup({}, cloud({{"JIRA_HTTPS_PROXY", "http://proxy.local:3128"},
                                    {"JIRA_NO_PROXY", "localhost, .internal"},
                                    {"JIRA_TIMEOUT", "75"}}));
  CHECK(p.config.jira.proxy == "http://proxy.local:3128");
  CHECK(p.config.jira.no_proxy == std::vector<std::string>{"localhost", ".internal"});
  CHECK(p.config.jira.read_timeout_ms == 75000);
  CHECK(startup({}, cloud({{"JIRA_HTTP_PROXY", "proxy.local:8080"}})).config.jira.proxy == "http://proxy.local:8080");
  CHECK(has(error({}, cloud({{"JIRA_TIMEOUT", "1.5"}})), "must be a whole number of seconds"));

  const auto t = startup({}, cloud({{"TRANSPORT", "streamable-http"}, {"PORT", "9000"}, {"HOST", "0.0.0.0"}}));
  CHECK(t.config.server.transport == "http");
  CHECK(t.config.server.port == 9000);
  CHECK(t.config.server.host == "0.0.0.0");
  CHECK(startup({}, cloud({{"TRANSPORT", "sse"}})).config.server.transport == "http");
  // PORT and HOST are common in other programs' environments: read only alongside TRANSPORT.
  const auto bare = startup({}, cloud({{"PORT", "9000"}, {"HOST", "myhost"}}));
  CHECK(bare.config.server.port == 8808);
  CHECK(bare.config.server.host == "127.0.0.1");

  CHECK(startup({}, cloud({{"MCP_VERY_VERBOSE", "true"}})).config.server.log_level == "debug");
  CHECK(startup({}, cloud({{"MCP_VERBOSE", "true"}})).config.server.log_level == "info");
  CHECK(startup({}, cloud({{"MCP_VERY_VERBOSE", "false"}, {"MCP_VERBOSE", "true"}})).config.server.log_level ==
        "info");
  CHECK(startup({}, cloud({{"JIRA_MCP_LOG_LEVEL", "warn"}, {"MCP_VERY_VERBOSE", "true"}})).config.server.log_level ==
        "warn");
}

TEST_CASE("JIRA_CUSTOM_HEADERS reads mcp-atlassian's NAME=value,NAME=value form") {
  const auto s = startup({}, cloud({{"JIRA_CUSTOM_HEADERS", "X-Jira-Service=mcp-integration,X-Team=a"}}));
  CHECK(s.config.jira.headers.at("X-Jira-Service") == "mcp-integration");
  CHECK(s.config.jira.headers.at("X-Team") == "a");
}

TEST_CASE("mcp-atlassian settings with no equivalent are warned about, not silently ignored") {
  const auto s = startup({}, cloud({{"JIRA_PROJECTS_FILTER", "PROJ,OPS"}, {"JIRA_CLIENT_CERT", "/x.pem"}}));
  CHECK(any_has(s.warnings, "JIRA_PROJECTS_FILTER (mcp-atlassian) is set but not supported: jira-mcp has no "
                            "project allow-list"));
  CHECK(any_has(s.warnings, "JIRA_CLIENT_CERT (mcp-atlassian) is set but not supported"));
}

TEST_CASE("--help names the aliases, and the README table lists every one") {
  auto r = run({"--help"});
  REQUIRE(r.ok());
  const auto& text = std::get<jira_mcp::config::ExitRequest>(r.value()).text;
  CHECK(has(text, "JIRA_READ_ONLY -> tools.read_only (also mcp-atlassian's READ_ONLY_MODE)"));
  CHECK(has(text, "mcp-atlassian's JIRA_TIMEOUT -> jira.read_timeout_ms"));

  const auto section = jira_mcp::testing::readme_section("### Coming from mcp-atlassian");
  REQUIRE(!section.empty());
  for (const auto& spec : jira_mcp::config::keys()) {
    for (const auto& alias : spec.aliases) {
      CAPTURE(alias.name);
      CHECK(has(section, "`" + std::string(alias.name) + "`"));
    }
  }
  for (const char* name : {"JIRA_USERNAME", "JIRA_PROJECTS_FILTER", "JIRA_CUSTOM_HEADERS"}) {
    CAPTURE(name);
    CHECK(has(section, "`" + std::string(name) + "`"));
  }
}

TEST_CASE("--offline needs --doctor") {
  CHECK(startup({"--doctor", "--offline"}).offline);
  CHECK(has(error({"--offline"}), "--offline only applies to --doctor"));
}
