#pragma once
// doctor: a self-check a user runs when the server cannot reach Jira. It validates the
// options, reaches Jira, and says for each failed check what to change.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jira_mcp/jira/options.hpp"
#include "jira_mcp/jira/transport.hpp"

namespace jira_mcp::jira {

struct DoctorCheck {
  std::string name;    // "options", "reachability", "authentication", ...
  bool ok = false;
  std::string detail;  // what was found
  std::string fix;     // set when !ok (or warning): the concrete change to make
  bool warning = false;  // ok, but worth changing (e.g. TLS verification off)
};

struct DoctorReport {
  std::vector<DoctorCheck> checks;
  std::string deployment;   // "cloud" / "datacenter" when reached
  std::string version;      // serverInfo.version
  std::string user;         // display name (and accountId or name)
  std::optional<std::chrono::milliseconds> latency_median;
  std::map<std::string, std::string> rate_limit_headers;  // X-RateLimit-*, Retry-After seen
  TlsInfo tls;

  bool ok() const;
};

// Runs the checks with a short request timeout and no retries beyond one. `transport` is for
// tests; null builds the real one from the options.
DoctorReport run_doctor(const ClientOptions& options, std::shared_ptr<HttpTransport> transport = nullptr,
                        int pings = 3);

// Text for a terminal: one line per check ("[ok]" / "[FAIL]" + fix), then the facts.
std::string render(const DoctorReport& report);

}  // namespace jira_mcp::jira
