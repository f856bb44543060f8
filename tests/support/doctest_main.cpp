// The test binaries' main: doctest's, with the output check on (mcp/registry.hpp, OutputCheck)
// unless the environment already says otherwise, so a test binary run by hand checks every tool
// result against its outputSchema exactly as under CTest; subprocesses inherit the setting.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::setenv("JIRA_MCP_CHECK_OUTPUT", "1", 0);
  doctest::Context context(argc, argv);
  return context.run();
}
