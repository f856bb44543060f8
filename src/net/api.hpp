#pragma once
// The table the HTTP module (jira-mcp-net.so, src/net/module.cpp) hands to the binary's loader
// (src/net/loader.cpp). Both sides are built from the same tree in the same build; `version`
// and `size` catch a module left over from another build.
#include <cstddef>
#include <memory>

#include "jira_mcp/jira/transport.hpp"
#include "jira_mcp/net/net.hpp"

namespace jira_mcp::net {

struct ModuleApi {
  const char* version;  // JIRA_MCP_VERSION
  std::size_t size;     // sizeof(ModuleApi)
  Result<std::unique_ptr<jira::HttpTransport>> (*make_jira_transport)(const jira::TransportOptions&);
  Result<std::unique_ptr<RunningSandbox>> (*start_sandbox)(const sandbox::Options&);
  int (*serve_http)(const HttpServe&);
  int (*run_bench)(const config::Startup&);
};

// The module's one exported entry point.
inline constexpr const char* kModuleEntry = "jira_mcp_net_module_api";
using ModuleEntry = const ModuleApi* (*)();

}  // namespace jira_mcp::net
