// Runs last: doctest orders test cases by file name, then line, and this file's name sorts after
// every other tool test file. Keep it that way.
#include <doctest/doctest.h>

#include "tools/stack.hpp"

using namespace jira_mcp;

// Stops the validating proxies that every Stack
// used when JIRA_MCP_SPEC_PROXY=1, and requires that none of the tools' Jira traffic broke
// Atlassian's OpenAPI specs.
TEST_CASE("zz spec proxy: the tools' Jira traffic has zero spec violations" * doctest::skip(!jira_mcp::testing::spec_proxy_mode())) {
  for (auto flavor : {sandbox::Flavor::Cloud, sandbox::Flavor::DataCenter}) {
    CAPTURE(flavor == sandbox::Flavor::Cloud ? "cloud" : "dc");
    auto report = jira_mcp::testing::stop_spec_proxy(flavor);
    if (!report) continue;  // no test used this flavour
    MESSAGE(report->text);
    CHECK(report->text.find(" 0 violations") != std::string::npos);
    CHECK(report->exit_code == 0);
  }
}
