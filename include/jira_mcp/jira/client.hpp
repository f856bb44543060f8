#pragma once
// Client: the Jira REST client every MCP tool goes through.
//
// One Client talks to one Jira site. A call runs: rate limiter (429 pause, token bucket,
// concurrency cap) → pooled connection → response; failures are retried per RetryOptions
// (retry.hpp) within request_timeout; errors come back as JiraError values. Async variants
// run on the client's own executor (options.executor_threads std::jthreads) and return
// futures, so a tool can fan out many requests and collect them.
//
// The deployment (Cloud or Data Center) comes from options or from GET /rest/api/2/serverInfo
// on first need, and decides api_prefix() ("/rest/api/3" vs "/rest/api/2") and the search
// endpoint. Paths passed in are relative to the site (they start with "/rest/..."); the
// context path of the base URL is prepended.
//
// Every method that reaches Jira takes the CallContext of the MCP call it serves (call.hpp): its
// `fresh` flag, its --timing trace and its W3C trace context. Async variants copy it into the
// task they queue. The default, {}, is "no call" (cached reads, untraced).
//
// Thread safety: every member is thread-safe. The destructor waits for queued async calls to
// finish (each is bounded by request_timeout); do not destroy a Client from one of its own
// callbacks.
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_view.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/call.hpp"
#include "jira_mcp/jira/errors.hpp"
#include "jira_mcp/jira/fleet_budget.hpp"
#include "jira_mcp/jira/options.hpp"
#include "jira_mcp/jira/pagination.hpp"
#include "jira_mcp/jira/rate_limiter.hpp"
#include "jira_mcp/jira/transport.hpp"

namespace jira_mcp::jira {

using Query = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string path;            // "/rest/api/3/issue/KEY-1" (no context path, no query)
  Query query;                 // percent-encoded by the client
  std::string body;
  std::string content_type;    // set with body
  HttpHeaders headers;         // per-request extras
  // Whether repeating a write is harmless. Defaults by method (PUT/DELETE yes, POST no). Reads
  // need no flag: GETs and the POSTs listed in is_read_only_post (retry.hpp) are reads and are
  // retried as such (500 included) whatever this says.
  std::optional<bool> idempotent;
  // 0: no limit; else the body is read only up to this many bytes (HttpRequest::max_body_bytes),
  // and a longer one fails the call with ErrorKind::too_large, not retried.
  std::size_t max_body_bytes = 0;
  // The cache tags a write invalidates (cache/tags.hpp), declared by the tool that sends it: the
  // tool knows what it changes, the client only sees a URL and a body. An undeclared write
  // (nullopt) invalidates every tag family; reads (GETs and read-only POSTs) invalidate nothing
  // unless they declare something.
  std::optional<std::vector<std::string>> invalidates;
};

struct Response {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The body as JSON (null for an empty body); ErrorKind::protocol when it is not JSON.
  Result<Json, JiraError> json() const;
  std::optional<std::string> header(std::string_view name) const { return find_header(headers, name); }
};

using ResponseFuture = std::future<Result<Response, JiraError>>;

struct ClientStats {
  PoolStats pool;
  RateLimiterStats rate;
  std::uint64_t calls = 0;     // send() calls
  std::uint64_t attempts = 0;  // HTTP attempts (calls + retries)
  std::uint64_t retries = 0;
  std::uint64_t failures = 0;  // calls that ended in a JiraError
  std::optional<FleetStats> fleet;  // fleet mode only: the shared budget's state
};

// The httplib transport create(options) uses: base URL, TLS, proxy, timeouts and pool from the
// options. No network I/O happens here.
Result<std::shared_ptr<HttpTransport>, JiraError> make_transport(const ClientOptions& options);

class Client {
 public:
  // Validates the options and builds the httplib transport; no network I/O happens here.
  static Result<std::unique_ptr<Client>, JiraError> create(ClientOptions options);
  // The same over a caller-supplied transport (tests, benchmarks).
  static Result<std::unique_ptr<Client>, JiraError> create(ClientOptions options,
                                                           std::shared_ptr<HttpTransport> transport);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Result<Response, JiraError> send(const Request& request, const CallContext& call = {});
  ResponseFuture send_async(Request request, CallContext call = {});

  // get() and post() of a search read through the cache when one is configured (a hit is
  // answered as status 200 with the cached document re-serialized; get_json avoids that);
  // post/put/del and send() of anything else invalidate what the write declares
  // (Request::invalidates; the post/put/del shorthands declare nothing, so they invalidate
  // every tag family: tools declare their writes through send()).
  Result<Response, JiraError> get(const std::string& path, const Query& query = {}, const CallContext& call = {});
  // A GET's parsed body through the cache: shared and immutable, a null document for an empty
  // body, ErrorKind::protocol for a non-JSON one. call.fresh bypasses the cached entry.
  Result<std::shared_ptr<const Json>, JiraError> get_json(const std::string& path, const Query& query = {},
                                                           const CallContext& call = {});
  // get_json() for a caller that can read a body in place: when the cache serves this read, its
  // document (doc); otherwise the body parsed with simdjson into `parser` (view, valid while
  // the caller keeps `parser` and does not reuse it), or, when simdjson refuses the body or
  // `parser` is null, the document get_json() would give (doc). Errors are get_json()'s.
  struct Read {
    std::shared_ptr<const Json> doc;  // set unless view is
    std::optional<JsonRef> view;
    JsonRef root() const { return view ? *view : JsonRef(*doc); }
  };
  Result<Read, JiraError> get_read(const std::string& path, const Query& query, const CallContext& call,
                                   JsonParser* parser);
  // A read-only POST (a search: Cloud /search/jql and /search/approximate-count, Data Center
  // /search) through the cache, keyed by the body too; other paths are sent uncached.
  Result<std::shared_ptr<const Json>, JiraError> search_json(const std::string& path, const Json& body,
                                                              const CallContext& call = {});
  Result<Response, JiraError> post(const std::string& path, const Json& body, bool idempotent = false,
                                   const CallContext& call = {});
  Result<Response, JiraError> put(const std::string& path, const Json& body, const CallContext& call = {});
  Result<Response, JiraError> del(const std::string& path, const Query& query = {}, const CallContext& call = {});
  ResponseFuture get_async(const std::string& path, const Query& query = {}, CallContext call = {});
  ResponseFuture post_async(const std::string& path, const Json& body, bool idempotent = false, CallContext call = {});

  // POST multipart/form-data with one "file" part and X-Atlassian-Token: no-check, to
  // {api_prefix}/issue/{issue_key}/attachments. Not retried once sent (it creates). The part's
  // headers are built only from values that pass valid_part_filename and valid_mime_type
  // (http.hpp); anything else is ErrorKind::bad_request before any I/O. '\\' in the file name
  // becomes '_' (some servers read it as a Windows path separator).
  Result<Json, JiraError> upload_attachment(const std::string& issue_key, const std::string& filename,
                                            const std::string& bytes,
                                            const std::string& mime_type = "application/octet-stream",
                                            const CallContext& call = {});
  // The raw body of a GET (attachment content: pass redirect=false on Cloud). With max_bytes > 0
  // a body longer than that is ErrorKind::too_large, having read at most about max_bytes of it.
  Result<std::string, JiraError> download(const std::string& path, const Query& query = {}, std::size_t max_bytes = 0,
                                          const CallContext& call = {});

  // GET /rest/api/2/serverInfo, parsed.
  Result<Json, JiraError> server_info(const CallContext& call = {});
  // GET {api_prefix}/myself.
  Result<Json, JiraError> myself(const CallContext& call = {});
  // From the options, or detected once from serverInfo (a failed detection is not cached); the
  // detecting request is sent as part of `call`.
  Result<Deployment, JiraError> deployment(const CallContext& call = {});
  // "/rest/api/3" (Cloud) or "/rest/api/2" (Data Center); needs the deployment.
  Result<std::string, JiraError> api_prefix(const CallContext& call = {});

  // One page of a JQL search on either deployment (pagination.hpp).
  Result<SearchPage, JiraError> search(const SearchRequest& request, const CallContext& call = {});
  std::future<Result<SearchPage, JiraError>> search_async(SearchRequest request, CallContext call = {});

  ClientStats stats() const;
  TlsInfo tls_info() const;
  const ClientOptions& options() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jira_mcp::jira
