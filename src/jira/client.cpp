// Client: one call is a loop of attempts. Each attempt passes the rate limiter (429 pause,
// token bucket, concurrency cap), goes out through the transport, and is judged by the retry
// policy (retry.hpp). Two clocks are in play on purpose: the injected Clock decides *when* to
// send (waits, backoff, budgets) and real-time Deadlines bound the socket I/O; each attempt's
// I/O deadline is the time left on the injected clock's request deadline.
#include "jira_mcp/jira/client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <random>

#include "cached.hpp"
#include "jira_mcp/cache/tags.hpp"
#include "executor.hpp"
#include "jira_mcp/core/log.hpp"
#include "jira_mcp/jira/path.hpp"
#include "jira_mcp/jira/retry.hpp"
#include "jira_mcp/monitor/trace.hpp"

namespace jira_mcp::jira {

namespace {

std::chrono::milliseconds to_ms(Clock::duration d) {
  return std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(d));
}

}  // namespace

Result<Json, JiraError> Response::json() const {
  if (body.empty()) return Json();
  const bool too_deep = json_nesting_depth(body, detail::kMaxResponseDepth) > detail::kMaxResponseDepth;
  Json j = too_deep ? Json(Json::value_t::discarded) : Json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    JiraError e;
    e.kind = ErrorKind::protocol;
    e.http_status = status;
    e.detail = too_deep ? "the response body is JSON nested deeper than " + std::to_string(detail::kMaxResponseDepth) + " levels"
                        : "the response body is not JSON";
    return unexpected(std::move(e));
  }
  return j;
}

struct Client::Impl {
  Impl(ClientOptions opts, std::shared_ptr<HttpTransport> t, BaseUrl url, std::string auth)
      : options(std::move(opts)),
        clock(options.clock ? options.clock : real_clock()),
        transport(std::move(t)),
        base(std::move(url)),
        authorization(std::move(auth)),
        // In fleet mode the shared budget paces and adapts; this limiter keeps the pause and the cap.
        limiter(RateLimitOptions{options.fleet ? 0.0 : options.rate_rps, options.rate_burst, options.max_concurrency},
                clock),
        retry{options.retry_attempts, options.retry_budget, options.retry_base_delay, options.retry_max_delay},
        rng(options.jitter_seed ? options.jitter_seed : std::random_device{}()),
        cache_layer(options.cache, options),
        executor(options.executor_threads) {
    if (options.fleet) identity = detail::identity_hash(options);
    if (options.deployment == DeploymentMode::cloud) deployment = Deployment::cloud;
    if (options.deployment == DeploymentMode::datacenter) deployment = Deployment::datacenter;
  }

  HttpRequest build(const Request& r) const {
    HttpRequest h;
    h.method = r.method;
    h.target = base.path + r.path;
    char sep = r.path.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : r.query) {
      h.target += sep;
      h.target += encode_component(k) + "=" + encode_component(v);
      sep = '&';
    }
    h.headers = {{"Accept", "application/json"}, {"User-Agent", "jira-mcp"}, {"Authorization", authorization}};
    for (const auto& kv : options.headers) h.headers.push_back(kv);
    for (const auto& kv : r.headers) h.headers.push_back(kv);
    h.body = r.body;
    h.content_type = r.content_type;
    h.max_body_bytes = r.max_body_bytes;
    h.body_limit = options.max_body_bytes;
    return h;
  }

  std::string scrub(std::string text) const {
    return redact(std::move(text), {options.api_token, options.pat, options.password, authorization});
  }

  JiraError finish(JiraError e, const Request& r, int attempts_made) {
    e.method = r.method;
    e.path = r.path;
    e.attempts = attempts_made;
    e.detail = scrub(std::move(e.detail));
    for (auto& m : e.messages) m = scrub(std::move(m));
    for (auto& [f, m] : e.field_errors) m = scrub(std::move(m));
    ++failures;
    return e;
  }

  std::chrono::milliseconds jitter(int retry_number) {
    std::lock_guard lock(rng_mu);
    return backoff_delay(retry_number, retry, rng);
  }

  // Sends `r` (retried per the options) as part of `call`: with its trace context headers, and
  // reported to options.on_call with its trace.
  Result<Response, JiraError> send(const Request& r, const CallContext& call);
  // The attempts loop; fills `tally` (waits, round trips, attempts, 429s) when not null.
  Result<Response, JiraError> send_attempts(const Request& r, const HttpRequest& http, monitor::JiraCall* tally);

  ClientOptions options;
  std::shared_ptr<Clock> clock;
  std::shared_ptr<HttpTransport> transport;
  BaseUrl base;
  std::string authorization;  // secret
  RateLimiter limiter;
  std::string identity;  // fleet mode: the identity hash, the budget's identity scope
  RetryOptions retry;
  std::mutex rng_mu;
  std::mt19937_64 rng;
  std::mutex deployment_mu;
  std::optional<Deployment> deployment;
  std::atomic<std::uint64_t> calls{0}, attempts{0}, retries{0}, failures{0};
  detail::CacheLayer cache_layer;
  detail::Executor executor;  // last: its threads are joined before anything they use dies
};

// Refuses a request that check_request() finds unsafe; reports each other call to
// options.on_call (without an observer, nothing is measured).
Result<Response, JiraError> Client::Impl::send(const Request& r, const CallContext& call) {
  HttpRequest http = build(r);
  // The MCP request's W3C trace context, so Jira-side traces join the client's. Only well-formed
  // values are sent: anything else could break the header block (check_request would then
  // refuse the whole call).
  if (valid_traceparent(call.traceparent)) {
    http.headers.emplace_back("traceparent", call.traceparent);
    if (valid_tracestate(call.tracestate)) http.headers.emplace_back("tracestate", call.tracestate);
  }
  if (auto unsafe = check_request(http)) {
    // Nothing is sent: a value from the caller would have changed the request line or headers
    // (a CR LF starting a second request, a ".." walking the path). Not counted as a call, so
    // the raw path never becomes a metrics label.
    JiraError e;
    e.kind = ErrorKind::invalid_argument;
    e.detail = *unsafe;
    Request shown;
    shown.method = r.method;
    shown.path = printable(r.path);
    return unexpected(finish(std::move(e), shown, 0));
  }
  if (!options.on_call) return send_attempts(r, http, nullptr);
  monitor::JiraCall tally;
  tally.trace = call.trace.get();
  tally.method = r.method;
  tally.path = r.path;
  const auto start = clock->now();
  auto res = send_attempts(r, http, &tally);
  tally.elapsed = clock->now() - start;
  tally.status = res ? res->status : res.error().http_status;
  options.on_call(tally);
  return res;
}

Result<Response, JiraError> Client::Impl::send_attempts(const Request& r, const HttpRequest& http,
                                                       monitor::JiraCall* tally) {
  ++calls;
  const Repeat repeat = repeat_kind(r.method, r.path, r.idempotent);
  const bool idempotent = repeat != Repeat::write;
  const auto start = clock->now();
  const auto hard_deadline = start + options.request_timeout;
  const auto retry_deadline = start + std::min(retry.budget, options.request_timeout);

  JiraError last;
  int attempt = 0;
  const FleetRequest fleet_request{r.method, r.path, identity};
  auto refused = [&](const RateLimitRefusal& why) {
    JiraError e;
    if (why.paused_by_429) {
      e.kind = ErrorKind::rate_limited;
      e.http_status = 429;
      e.retry_after = to_ms(why.ready_at - clock->now());
    } else {
      e.kind = ErrorKind::timeout;
      e.detail = "waited for the rate limit / concurrency cap past request_timeout";
    }
    return unexpected(finish(std::move(e), r, attempt - 1));
  };
  for (;;) {
    ++attempt;
    // Fleet mode: the site's shared budget first (its slot, or the local fallback's).
    std::optional<FleetBudget::Permit> fleet_permit;
    if (options.fleet) {
      const auto gate = clock->now();
      auto fp = options.fleet->acquire(fleet_request, hard_deadline);
      if (tally) tally->waited += fp ? fp->waited : clock->now() - gate;
      if (!fp) return refused(fp.error());
      fleet_permit = std::move(*fp);
    }
    const auto gate = clock->now();
    Result<RateLimiter::Permit, RateLimitRefusal> permit = limiter.acquire(hard_deadline);
    // A permit knows whether it waited: one that went at once adds nothing to the wait time
    // (/metrics, --timing), not even the moment it took to get it.
    if (tally) tally->waited += permit ? permit->waited() : clock->now() - gate;
    if (!permit) return refused(permit.error());
    ++attempts;
    const auto sent = clock->now();
    auto res = transport->send(http, Deadline::after(hard_deadline - clock->now()));
    if (tally) {
      tally->round_trip += clock->now() - sent;
      ++tally->attempts;
      if (res && res->status == 429) ++tally->throttled;
    }
    { RateLimiter::Permit done = std::move(*permit); }  // frees the slot before any backoff sleep
    fleet_permit.reset();

    AttemptOutcome outcome;
    std::optional<std::chrono::milliseconds> server_wait;
    LimitScope scope = LimitScope::site;  // what a 429 is about (RateLimit-Reason)
    if (res) {
      // The pacer eases off before a 429; a 429 gets the stronger reaction below instead.
      if (res->status != 429) {
        const ServerQuota quota = parse_server_quota(res->headers);
        if (options.fleet) {
          options.fleet->observe(quota);
        } else {
          limiter.observe(quota);
          // Jira Cloud's quota is spent (Beta-RateLimit r=0): every request until it resets
          // would be a 429, so nobody sends one.
          if (auto spent = quota.quota_exhausted_for()) {
            limiter.pause_until(clock->now() + std::chrono::milliseconds(static_cast<std::int64_t>(*spent * 1000)));
          }
        }
      }
      if (res->status < 400) {
        return Response{res->status, std::move(res->headers), std::move(res->body)};
      }
      outcome.status = res->status;
      outcome.has_retry_after = find_header(res->headers, "Retry-After").has_value();
      if (res->status == 429) scope = limit_scope(res->headers);
      last = error_from_response(*res, clock->wall_now());
      server_wait = last.retry_after;
    } else {
      outcome.transport = res.error();
      last = error_from_transport(res.error(), idempotent);
    }

    const auto now = clock->now();
    std::chrono::milliseconds delay{0};
    if (outcome.status == 429 && options.fleet) {
      // Fleet mode: the scope the reason names (site, endpoint or issue) pauses for every
      // instance and slows down (shared AIMD); this request retries after the pause.
      delay = server_wait ? *server_wait : jitter(attempt);
      options.fleet->throttled(fleet_request, scope, delay);
      limiter.record_429();
      last.retry_after = delay;
    } else if (outcome.status == 429 && scope == LimitScope::issue) {
      // Too many writes to this one issue (RateLimit-Reason: jira-per-issue-on-write): only this
      // request waits; the site's budget is fine, so nobody else pauses or slows down.
      delay = server_wait ? *server_wait : jitter(attempt);
      limiter.record_429();
      last.retry_after = delay;
    } else if (outcome.status == 429) {
      // Everyone waits: the pause is host-wide, and the pacer slows down (AIMD). Without a
      // server hint, back off with jitter.
      auto pause = server_wait ? *server_wait : jitter(attempt);
      limiter.throttled(now + pause);
      last.retry_after = pause;
    } else if (server_wait) {
      delay = *server_wait;
    } else {
      delay = jitter(attempt);
    }
    if (!is_retryable(outcome, repeat) || attempt >= retry.max_attempts) break;
    const auto next = std::max(now + delay, outcome.status == 429 ? limiter.paused_until() : now);
    if (next > retry_deadline || next >= hard_deadline) break;
    ++retries;
    spdlog::debug("jira: retry {} of {} {} after {} ({} ms)", attempt, r.method, r.path,
                  outcome.status ? std::to_string(*outcome.status) : to_string(outcome.transport->kind),
                  to_ms(next - now).count());
    clock->sleep_until(now + delay);
  }
  return unexpected(finish(std::move(last), r, attempt));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
// Drain the executor first: queued calls use the Impl (and search_async uses this Client), so
// they must finish while both are whole.
Client::~Client() { impl_->executor.shutdown(); }

Result<std::shared_ptr<HttpTransport>, JiraError> make_transport(const ClientOptions& options) {
  TransportOptions t;
  t.base_url = options.url;
  t.verify_tls = !options.insecure;
  t.ca_bundle = options.ca_bundle;
  t.proxy = options.proxy;
  t.no_proxy = options.no_proxy;
  t.connect_timeout = options.connect_timeout;
  t.read_timeout = options.read_timeout;
  t.pool = PoolOptions{options.max_connections_per_host, options.pool_wait_timeout, options.pooling};
  t.native_http = options.native_http;
  auto transport = open_http_transport(t);
  if (!transport) {
    JiraError e;
    e.kind = ErrorKind::config;
    e.detail = transport.error().message;
    return unexpected(std::move(e));
  }
  return std::shared_ptr<HttpTransport>(std::move(*transport));
}

Result<std::unique_ptr<Client>, JiraError> Client::create(ClientOptions options) {
  if (auto v = validate(options); !v) return unexpected(v.error());
  auto transport = make_transport(options);
  if (!transport) return unexpected(transport.error());
  return create(std::move(options), std::move(*transport));
}

Result<std::unique_ptr<Client>, JiraError> Client::create(ClientOptions options,
                                                          std::shared_ptr<HttpTransport> transport) {
  if (auto v = validate(options); !v) return unexpected(v.error());
  auto auth = authorization_header(options);
  if (!auth) return unexpected(auth.error());
  auto base = parse_base_url(options.url);  // validated above
  auto impl = std::make_unique<Impl>(std::move(options), std::move(transport), std::move(*base), std::move(*auth));
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<Response, JiraError> Client::send(const Request& request, const CallContext& call) {
  auto res = impl_->send(request, call);
  impl_->cache_layer.after_write(request);
  return res;
}

ResponseFuture Client::send_async(Request request, CallContext call) {
  // The call's context (its trace and trace headers) goes to the executor thread with the request.
  return impl_->executor.submit([impl = impl_.get(), r = std::move(request), call = std::move(call)] {
    auto res = impl->send(r, call);
    impl->cache_layer.after_write(r);
    return res;
  });
}

Result<Response, JiraError> Client::get(const std::string& path, const Query& query, const CallContext& call) {
  Request r;
  r.path = path;
  r.query = query;
  if (!impl_->cache_layer.caches(r)) return send(r, call);
  auto doc = impl_->cache_layer.read(r, call, [&] { return impl_->send(r, call); });
  if (!doc) return unexpected(std::move(doc).error());
  return detail::CacheLayer::as_response(**doc);
}

Result<std::shared_ptr<const Json>, JiraError> Client::get_json(const std::string& path, const Query& query,
                                                                const CallContext& call) {
  Request r;
  r.path = path;
  r.query = query;
  return impl_->cache_layer.read(r, call, [&] { return impl_->send(r, call); });
}

Result<Client::Read, JiraError> Client::get_read(const std::string& path, const Query& query, const CallContext& call,
                                                 JsonParser* parser) {
  Request r;
  r.path = path;
  r.query = query;
  if (parser == nullptr || impl_->cache_layer.caches(r)) {
    auto doc = impl_->cache_layer.read(r, call, [&] { return impl_->send(r, call); });
    if (!doc) return unexpected(std::move(doc).error());
    return Read{std::move(*doc), std::nullopt};
  }
  auto res = impl_->send(r, call);
  if (!res) return unexpected(std::move(res).error());
  if (auto view = parser->parse(res->body)) return Read{nullptr, view};
  // Bodies simdjson refuses (and empty ones) take the cache layer's own parse: today's
  // documents and today's errors.
  auto doc = impl_->cache_layer.read(r, call, [&] { return std::move(res); });
  if (!doc) return unexpected(std::move(doc).error());
  return Read{std::move(*doc), std::nullopt};
}

namespace {
Request json_request(std::string method, const std::string& path, const Json& body) {
  Request r;
  r.method = std::move(method);
  r.path = path;
  r.body = dump_compact(body);
  r.content_type = "application/json";
  return r;
}
}  // namespace

Result<Response, JiraError> Client::post(const std::string& path, const Json& body, bool idempotent,
                                         const CallContext& call) {
  Request r = json_request("POST", path, body);
  r.idempotent = idempotent;
  if (!idempotent || !impl_->cache_layer.caches(r)) return send(r, call);
  auto doc = impl_->cache_layer.read(r, call, [&] { return impl_->send(r, call); });
  if (!doc) return unexpected(std::move(doc).error());
  return detail::CacheLayer::as_response(**doc);
}

Result<std::shared_ptr<const Json>, JiraError> Client::search_json(const std::string& path, const Json& body,
                                                                   const CallContext& call) {
  Request r = json_request("POST", path, body);
  r.idempotent = true;
  if (!impl_->cache_layer.caches(r)) {
    auto res = send(r, call);  // not a search: sent as is (and a write invalidates)
    if (!res) return unexpected(std::move(res).error());
    CallContext uncached = call;
    uncached.fresh = true;
    return impl_->cache_layer.read(r, uncached, [&] { return res; });
  }
  return impl_->cache_layer.read(r, call, [&] { return impl_->send(r, call); });
}

Result<Response, JiraError> Client::put(const std::string& path, const Json& body, const CallContext& call) {
  return send(json_request("PUT", path, body), call);
}

Result<Response, JiraError> Client::del(const std::string& path, const Query& query, const CallContext& call) {
  Request r;
  r.method = "DELETE";
  r.path = path;
  r.query = query;
  return send(r, call);
}

ResponseFuture Client::get_async(const std::string& path, const Query& query, CallContext call) {
  // Through get(), so the cache and the call's `fresh` apply on the executor thread too.
  return impl_->executor.submit([this, path, query, call = std::move(call)] { return get(path, query, call); });
}

ResponseFuture Client::post_async(const std::string& path, const Json& body, bool idempotent, CallContext call) {
  Request r = json_request("POST", path, body);
  r.idempotent = idempotent;
  return send_async(std::move(r), std::move(call));
}

Result<Json, JiraError> Client::upload_attachment(const std::string& issue_key, const std::string& filename,
                                                  const std::string& bytes, const std::string& mime_type,
                                                  const CallContext& call) {
  auto refuse = [](std::string why) {
    JiraError e;
    e.kind = ErrorKind::bad_request;
    e.detail = std::move(why);
    return unexpected(std::move(e));
  };
  if (!valid_part_filename(filename)) {
    return refuse("the attachment file name is empty, longer than 255 bytes, or has a control character or '\"'");
  }
  if (!valid_mime_type(mime_type)) return refuse("the attachment's mime type is not of the form type/subtype[; parameters]");
  auto prefix = api_prefix(call);
  if (!prefix) return unexpected(prefix.error());
  std::string boundary;
  {
    std::lock_guard lock(impl_->rng_mu);
    boundary = "jira-mcp-" + std::to_string(impl_->rng()) + std::to_string(impl_->rng());
  }
  std::string safe_name = filename;
  std::replace(safe_name.begin(), safe_name.end(), '\\', '_');
  Request r;
  r.method = "POST";
  r.path = path(*prefix, "issue", issue_key, "attachments");
  r.content_type = "multipart/form-data; boundary=" + boundary;
  r.headers = {{"X-Atlassian-Token", "no-check"}};
  r.body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + safe_name +
           "\"\r\nContent-Type: " + mime_type + "\r\n\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
  r.idempotent = false;
  // What it changes is in its signature: the issue's attachments (and searches on them).
  r.invalidates = std::vector<std::string>{cache::tags::kSearch, cache::tags::issue(issue_key)};
  auto res = send(r, call);
  if (!res) return unexpected(res.error());
  return res->json();
}

Result<std::string, JiraError> Client::download(const std::string& path, const Query& query, std::size_t max_bytes,
                                                const CallContext& call) {
  Request r;
  r.path = path;
  r.query = query;
  r.headers = {{"Accept", "*/*"}};
  r.max_body_bytes = max_bytes;
  auto res = send(r, call);
  if (!res) return unexpected(res.error());
  return std::move(res->body);
}

namespace {
Result<Json, JiraError> server_info_at(Client& client, const std::string& path, const CallContext& call) {
  auto res = client.get(path, {}, call);
  if (!res) return unexpected(res.error());
  auto j = res->json();
  if (j && !j->is_object()) {
    JiraError e;
    e.kind = ErrorKind::protocol;
    e.http_status = res->status;
    e.path = path;
    e.detail = "serverInfo is not a JSON object";
    return unexpected(std::move(e));
  }
  return j;
}
}  // namespace

Result<Json, JiraError> Client::server_info(const CallContext& call) {
  // The deployment's own API version (Jira Cloud's v3 spec has no /rest/api/2 paths); detection,
  // before the deployment is known, asks /rest/api/2/serverInfo, which both deployments answer.
  auto prefix = api_prefix(call);
  if (!prefix) return unexpected(prefix.error());
  return server_info_at(*this, *prefix + "/serverInfo", call);
}

Result<Json, JiraError> Client::myself(const CallContext& call) {
  auto prefix = api_prefix(call);
  if (!prefix) return unexpected(prefix.error());
  auto res = get(*prefix + "/myself", {}, call);
  if (!res) return unexpected(res.error());
  return res->json();
}

Result<Deployment, JiraError> Client::deployment(const CallContext& call) {
  std::lock_guard lock(impl_->deployment_mu);
  if (impl_->deployment) return *impl_->deployment;
  auto info = server_info_at(*this, "/rest/api/2/serverInfo", call);
  if (!info) return unexpected(info.error());
  const std::string type = string_or(*info, "deploymentType");
  Deployment d = type == "Cloud" ? Deployment::cloud : Deployment::datacenter;
  if (type.empty() && impl_->base.host.ends_with(".atlassian.net")) d = Deployment::cloud;
  spdlog::info("jira: {} deployment detected (deploymentType '{}', version {})", to_string(d), type,
               string_or(*info, "version", "?"));
  impl_->deployment = d;
  return d;
}

Result<std::string, JiraError> Client::api_prefix(const CallContext& call) {
  auto d = deployment(call);
  if (!d) return unexpected(d.error());
  return std::string(*d == Deployment::cloud ? "/rest/api/3" : "/rest/api/2");
}

std::future<Result<SearchPage, JiraError>> Client::search_async(SearchRequest request, CallContext call) {
  return impl_->executor.submit([this, r = std::move(request), call = std::move(call)] { return search(r, call); });
}

ClientStats Client::stats() const {
  ClientStats s;
  s.pool = impl_->transport->pool_stats();
  s.rate = impl_->limiter.stats();
  s.calls = impl_->calls.load(std::memory_order_relaxed);
  s.attempts = impl_->attempts.load(std::memory_order_relaxed);
  s.retries = impl_->retries.load(std::memory_order_relaxed);
  s.failures = impl_->failures.load(std::memory_order_relaxed);
  if (impl_->options.fleet) s.fleet = impl_->options.fleet->stats();
  return s;
}

TlsInfo Client::tls_info() const { return impl_->transport->tls_info(); }
const ClientOptions& Client::options() const { return impl_->options; }

}  // namespace jira_mcp::jira
