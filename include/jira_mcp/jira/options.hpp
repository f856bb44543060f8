#pragma once
// ClientOptions: everything a Client needs, filled by the composition root (from the config
// module's JiraConfig) or by tests. Plain data; validate() checks it before any I/O.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/clock.hpp"
#include "jira_mcp/jira/errors.hpp"
#include "jira_mcp/jira/http.hpp"
#include "jira_mcp/monitor/observer.hpp"

namespace jira_mcp::cache {
class Cache;
}

namespace jira_mcp::jira {

class FleetBudget;

enum class Deployment { cloud, datacenter };
enum class DeploymentMode { auto_detect, cloud, datacenter };

const char* to_string(Deployment d);

struct ClientOptions {
  std::string url;  // https://your-domain.atlassian.net or https://host[:port][/context]

  // Credentials. Cloud: email + api_token (Basic). Data Center: pat (Bearer) or
  // username + password (Basic). A pat wins over the others when several are set.
  std::string email;      // JIRA_EMAIL
  std::string api_token;  // JIRA_API_TOKEN
  std::string pat;        // JIRA_PAT
  std::string username;   // JIRA_USERNAME
  std::string password;   // JIRA_PASSWORD

  DeploymentMode deployment = DeploymentMode::auto_detect;  // auto: GET /rest/api/2/serverInfo

  std::string ca_bundle;  // PEM file of trusted CAs; empty: the system store
  bool insecure = false;  // skip certificate verification (logged as a warning)
  std::string proxy;      // http://[user:pass@]host:port
  std::string no_proxy;   // hosts that bypass the proxy (NO_PROXY syntax)
  HttpHeaders headers;    // added to every request

  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds request_timeout{60000};  // per call, across retries and waits

  std::size_t max_connections_per_host = 8;
  std::chrono::milliseconds pool_wait_timeout{10000};
  bool pooling = true;
  bool native_http = true;  // false: cpp-httplib's client instead of our HTTP/1.1 connection

  double rate_rps = 10;            // <= 0: unlimited
  double rate_burst = 20;
  std::size_t max_concurrency = 8; // 0: unlimited

  int retry_attempts = 4;                            // total attempts per call
  std::chrono::milliseconds retry_budget{30000};     // no retry starts after this
  std::chrono::milliseconds retry_base_delay{250};
  std::chrono::milliseconds retry_max_delay{8000};
  std::uint64_t jitter_seed = 0;                     // 0: random

  // Largest response body read (0: no limit). Past it the transport stops reading and the call
  // fails with ErrorKind::too_large, not retried (config jira.max_response_bytes): a runaway
  // answer (hundreds of MB) costs neither the time to read it nor the memory to parse it.
  // A request's own Request::max_body_bytes (downloads) wins over this.
  std::size_t max_body_bytes = 64 * 1024 * 1024;

  std::size_t executor_threads = 4;  // threads running async requests
  std::shared_ptr<Clock> clock;      // null: the real clock

  // The response cache (cache/cache.hpp), possibly shared by several clients; null: no cache.
  // GETs and search POSTs read through it; writes invalidate what they affect.
  std::shared_ptr<cache::Cache> cache;
  // Whose data the cached responses are: keys carry a SHA-256 of this, never the value itself.
  // Empty: derived from the credentials (the PAT, else the email, else the username).
  std::string identity;
  // Fleet mode ([cluster] redis_url): the site's rate budget shared with the other instances
  // through Redis (fleet_budget.hpp), possibly shared by several clients of this process. When
  // set it replaces this client's own pacer and AIMD (the 429 pause and the concurrency cap
  // stay); null: the local limiter alone, at rate_rps.
  std::shared_ptr<FleetBudget> fleet;
  // Told about every finished call (send and everything built on it) on the thread that ran it,
  // with durations on `clock`; for metrics (monitor::Monitor::jira_observer()). Null: nobody.
  monitor::JiraCallObserver on_call;
};

// ErrorKind::config with a message naming the setting to fix (JIRA_URL, JIRA_EMAIL,
// JIRA_API_TOKEN, JIRA_PAT, JIRA_USERNAME/JIRA_PASSWORD, ca_bundle, proxy, ...).
Status<JiraError> validate(const ClientOptions& options);

// The Authorization header value for the options ("Basic ...", "Bearer ..."), or a config
// error. Secret: never log it.
Result<std::string, JiraError> authorization_header(const ClientOptions& options);

}  // namespace jira_mcp::jira
