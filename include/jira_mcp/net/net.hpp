#pragma once
// The parts of jira-mcp that speak HTTP: the Jira client's transport (cpp-httplib over OpenSSL),
// the Streamable HTTP server, the built-in Jira sandbox and the --bench stacks built on them.
//
// In the jira-mcp binary these live in a module, jira-mcp-net.so, loaded on first use
// (src/net/loader.cpp): beside the binary in a build tree, in ../lib/jira-mcp/ once installed.
// cpp-httplib needs the shared OpenSSL, and mapping and relocating libcrypto, libssl, zlib and
// brotli took ~200 page faults before the first byte of the initialize reply (~5 ms on a
// paravirtualized guest, where a fault costs ~25 us; issue #16). A server over stdio now loads
// them with its first Jira request; one serving HTTP, the sandbox or --bench loads them at once.
//
// If the module cannot be loaded (a binary copied without it), the functions below fail with an
// error that names the paths tried and what to do; serving over stdio still answers everything
// that needs no Jira request.
#include <functional>
#include <memory>
#include <string>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/transport/http.hpp"

namespace jira_mcp::config {
struct Config;
struct Startup;
}  // namespace jira_mcp::config
namespace jira_mcp::monitor {
class Monitor;
}

namespace jira_mcp::net {

// A started built-in sandbox (sandbox::Sandbox behind the module boundary). Stopped when destroyed.
class RunningSandbox {
 public:
  virtual ~RunningSandbox() = default;
  virtual std::string base_url() const = 0;
  virtual sandbox::Flavor flavor() const = 0;
  virtual sandbox::Credentials credentials() const = 0;
  virtual std::string shell_exports() const = 0;
  virtual void stop() = 0;
};

Result<std::unique_ptr<RunningSandbox>> start_sandbox(const sandbox::Options& options);

// Everything serving Streamable HTTP needs from the composition root.
struct HttpServe {
  const config::Config* config = nullptr;
  const mcp::Dispatcher* dispatcher = nullptr;
  std::function<transport::Readiness()> readiness;
  monitor::Monitor* monitor = nullptr;
  std::shared_ptr<mcp::SubscriptionHub> subscriptions;
  std::function<void(transport::HttpOptions&)> fleet_http;  // fleet mode's session ids; may be empty
  std::function<void()> wait_for_stop;                      // returns on SIGINT/SIGTERM
};
// Serves until wait_for_stop returns, then stops cleanly; the process exit code.
int serve_http(const HttpServe& serve);

// --bench (src/bench): the report on stdout; the process exit code.
int run_bench(const config::Startup& startup);

// Whether the module is loaded (it is, in processes that link the HTTP code directly), and
// loading it now: the error names the paths tried. Thread-safe; loads at most once.
Status<Error> load();

}  // namespace jira_mcp::net
