#pragma once
// doctor: a self-check a user runs when the server cannot reach Jira. It validates the
// options, reaches Jira, and says for each failed check what to change.
//
// It tells the truth about what serving would do: with no Jira configured at all it reports
// (as information, not a failure) that the built-in sandbox would be served and how to
// configure a real Jira; on a 401/403 it recognises the common credential mix-ups (a Data
// Center PAT sent to Cloud, a Cloud API token sent to Data Center or given as JIRA_PAT, a
// password sent to Cloud, basic auth refused behind a CAPTCHA) and names the variable to use.
// Offline, it checks the options only and opens no connection. Secrets are never printed.
#include <chrono>
#include <functional>
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
  bool info = false;     // ok, and something the user should know (e.g. the sandbox is served)
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

struct DoctorOptions {
  int pings = 3;         // serverInfo round trips timed for the latency figure
  bool offline = false;  // check the options only; open no network connection
  // Whether `url` is a Jira Cloud site by its name (*.atlassian.net), used to tell Cloud from
  // Data Center when neither serverInfo nor jira.deployment says. Null: the host name check.
  // Tests inject one, since a loopback URL is never *.atlassian.net.
  std::function<bool(const std::string& url)> is_cloud_url;
};

// No URL and no credentials: the server would serve its built-in sandbox.
bool jira_unconfigured(const ClientOptions& options);

// Runs the checks with a short request timeout and no retries beyond one. `transport` is for
// tests; null builds the real one from the options.
DoctorReport run_doctor(const ClientOptions& options, std::shared_ptr<HttpTransport> transport,
                        const DoctorOptions& doctor);
DoctorReport run_doctor(const ClientOptions& options, std::shared_ptr<HttpTransport> transport = nullptr,
                        int pings = 3);

// Text for a terminal: one line per check ("[ok]", "[info]", "[warn]", "[FAIL]", each with its
// fix), then the facts.
std::string render(const DoctorReport& report);

}  // namespace jira_mcp::jira
