#pragma once
// The built-in Jira emulator: a seeded, deterministic Jira (Cloud or Data Center flavour) served
// over loopback HTTP, for tests, the `--bench` benchmark and a newcomer's first run.
//
// Behaviour follows Atlassian's OpenAPI specs (/work/shared/jira-openapi): Cloud speaks platform
// REST v3 (ADF descriptions and comments, users by accountId, enhanced JQL search with
// nextPageToken), Data Center speaks REST v2 (wiki-markup strings, users by name/key, search with
// startAt/total); both serve agile 1.0. tests/sandbox/spec_check.sh verifies the traffic against
// the specs through a validating proxy.
//
// Besides Jira's API it serves GET /_sandbox/stats (stats() as JSON, without authentication, never
// counted nor faulted) and DELETE /_sandbox/stats (reset_counts()), so a test driving a
// `jira-mcp sandbox` process can check what Jira saw. The JSON:
//   {"requests_total": 7, "rate_limited": 1, "errors_injected": 0, "dropped": 0, "writes_applied": 2,
//    "requests": {"GET /rest/api/3/issue/{issueIdOrKey}": {"200": 3, "429": 1}, ...},
//    "faults": {"latency_ms": 0, "jitter_ms": 0, "rate_limit_rps": 5, ...}}
// where status "dropped" counts connections closed without an answer.
//
// Thread safety: every member function may be called from any thread at any time, also while the
// server is serving. Requests are answered on the sandbox's own worker threads (a pool of 8), which
// stop() joins; the destructor calls stop().
#include <jira_mcp/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace jira_mcp::sandbox {

enum class Flavor { Cloud, DataCenter };

// Fault knobs for benchmarks and fault tests. All off by default; change them at any time with
// Sandbox::set_faults (the next request sees the new values).
struct Faults {
  int latency_ms = 0;   // added before each response
  int jitter_ms = 0;    // plus a uniformly random 0..jitter_ms
  // Token bucket: refills at rate_limit_rps, holds up to rate_limit_burst (at least 1) tokens.
  // 0 = off. Over it: 429 with Retry-After (whole seconds), X-RateLimit-Limit/-Remaining/-Reset
  // and RateLimit-Reason: jira-burst-based, as Jira Cloud answers.
  double rate_limit_rps = 0;
  int rate_limit_burst = 0;
  // Fraction of requests answered 500 or 503 (0..1), with a Jira error body
  // ({"errorMessages": [...], "errors": {}}); a 503 carries Retry-After: 1.
  double error_5xx_rate = 0;
  double drop_rate = 0;       // fraction of connections closed without any response (0..1)
  int slow_body_ms = 0;       // the response body is dribbled out over about this long
};

struct Options {
  Flavor flavor = Flavor::Cloud;
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  // Size of the seeded dataset. DEMO-1 always exists; tens of thousands work (search scans them,
  // GET issue is an index lookup).
  int issues = 300;
  std::uint64_t seed = 42;  // same seed and size → same dataset (timestamps relative to start)
  Faults faults;
  // Wall clock in milliseconds since the Unix epoch; drives timestamps, relative JQL dates and the
  // rate limiter. Empty = the system clock. Tests inject one so that no test has to sleep.
  std::function<std::int64_t()> clock;
  int threads = 8;  // worker threads answering requests
  // Data Center only: behave like Jira before 8.4, which has no paged
  // /issue/createmeta/{project}/issuetypes[/{id}] (404) and only the old
  // /issue/createmeta?projectKeys=...&expand=projects.issuetypes.fields (served on Data Center
  // either way).
  bool legacy_createmeta = false;
};

// What the sandbox saw, for tests that check what Jira received (also served as JSON at
// GET /_sandbox/stats, see Sandbox). A consistent snapshot of each counter, not of all at once.
struct Stats {
  // Answers by "METHOD route-template" (as request_count) and status; status 0 = the connection
  // was dropped without an answer.
  std::map<std::string, std::map<int, std::uint64_t>> requests;
  std::uint64_t requests_total = 0;
  std::uint64_t rate_limited = 0;     // 429s sent by the rate-limit fault
  std::uint64_t errors_injected = 0;  // 5xx sent by the error fault
  std::uint64_t dropped = 0;          // connections closed by the drop fault
  // Requests that changed the dataset: a non-GET request to a route that writes (every non-GET
  // route except searches and counts) answered 2xx.
  std::uint64_t writes_applied = 0;
};

// Demo credentials the sandbox accepts. Cloud: Basic email:api_token. Data Center: Bearer pat or
// Basic username:password. credentials() authenticate as Alice (an administrator);
// second_user_credentials() as Bob, for tests that need two users.
struct Credentials {
  std::string email, api_token;           // cloud
  std::string pat, username, password;    // data center
};

class Sandbox {
 public:
  explicit Sandbox(Options options);
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Binds (port 0 → any free port) and starts serving on the worker threads. Errors:
  // "sandbox.bind" if the address cannot be bound, "sandbox.state" if already started.
  Status<Error> start();
  // Stops serving and joins the threads. Idempotent; the sandbox cannot be restarted.
  void stop();

  std::string base_url() const;           // e.g. http://127.0.0.1:43817 (empty before start)
  int port() const;                       // 0 before start
  Flavor flavor() const;
  Credentials credentials() const;
  Credentials second_user_credentials() const;
  // `export JIRA_URL=... JIRA_EMAIL=... JIRA_API_TOKEN=...` (cloud) or
  // `export JIRA_URL=... JIRA_PAT=...` (data center), values single-quoted for a POSIX shell.
  std::string shell_exports() const;

  void set_faults(const Faults& faults);
  Faults faults() const;

  // Requests seen per endpoint, keyed "METHOD route-template", e.g.
  // "GET /rest/api/3/issue/{issueIdOrKey}"; unknown routes count under "METHOD <unmatched>".
  // Requests answered by a fault (429, 5xx, drop) and 401s count too.
  std::uint64_t request_count(std::string_view method_and_route) const;
  std::map<std::string, std::uint64_t> request_counts() const;  // only non-zero entries
  Stats stats() const;
  void reset_counts();  // also resets stats()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string_view to_string(Flavor flavor);  // "cloud" / "datacenter"

}  // namespace jira_mcp::sandbox
