// The HTTP front of the sandbox: one cpp-httplib server with a worker pool, a catch-all handler
// per method that runs, in order, the request counter, the fault knobs (latency, drop, rate
// limit, 5xx), authentication and the route table, then writes the Resp (dribbled when
// slow_body_ms is set) and counts its status. /_sandbox/stats is answered before all of that, so
// reading the counters never changes them and is never faulted.
//
// Dropping a connection "without a response" needs the socket, which httplib does not expose to
// handlers; the handler finds it by its (local port, peer port) pair and shuts it down, after
// which httplib's write fails and it closes the descriptor it owns.
#include <jira_mcp/core/log.hpp>
#include <jira_mcp/core/listen.hpp>
#include <jira_mcp/sandbox/sandbox.hpp>

#include "sandbox/router.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

namespace jira_mcp::sandbox {
namespace {
using namespace detail;

std::string base64_decode(std::string_view in) {
  static constexpr std::string_view kChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    auto pos = kChars.find(c);
    if (pos == std::string_view::npos) return {};
    buf = (buf << 6) | static_cast<unsigned>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

// Shuts down the accepted socket whose peer is `peer_port` on our `local_port`.
void drop_connection(int local_port, int peer_port) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  const int max_fd = static_cast<int>(std::min<rlim_t>(lim.rlim_cur, 65536));
  for (int fd = 3; fd < max_fd; ++fd) {
    sockaddr_storage local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    auto port_of = [](const sockaddr_storage& a) {
      if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
      if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
      return static_cast<std::uint16_t>(0);
    };
    if (port_of(local) == local_port && port_of(peer) == peer_port) {
      ::shutdown(fd, SHUT_RDWR);
      return;
    }
  }
}

std::string single_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const Credentials kCredentials{"alice@example.com", "sandbox-api-token",
                               "sandbox-personal-access-token", "alice", "sandbox-password"};
// A second account (user index 1 in the dataset), for tests of per-user credentials.
const Credentials kBobCredentials{"bob@example.com", "sandbox-api-token-bob",
                                  "sandbox-personal-access-token-bob", "bob", "sandbox-password-bob"};

}  // namespace

std::string_view to_string(Flavor flavor) {
  return flavor == Flavor::Cloud ? "cloud" : "datacenter";
}

struct Sandbox::Impl {
  Options opts;
  World world;
  Router router;
  httplib::Server server;
  int listen_fd = -1;  // the bound socket, as httplib's socket-options hook saw it
  std::jthread thread;
  std::mutex state_mu;  // guards start/stop transitions
  bool started = false, stopped = false;
  std::atomic<int> port{0};

  mutable std::mutex faults_mu;  // guards faults, rng and the token bucket
  Faults faults;
  std::mt19937_64 rng;
  double tokens = 0;
  Millis last_refill = 0;

  // One counter per route, created before serving so lookups need no lock.
  std::map<std::string, std::atomic<std::uint64_t>> counts;
  // Answers by route and status (0 = dropped). A lock per request is nothing beside an HTTP
  // exchange; the status set is open-ended, so a fixed array of atomics would not fit.
  mutable std::mutex status_mu;
  std::map<std::string, std::map<int, std::uint64_t>> statuses;
  std::atomic<std::uint64_t> rate_limited{0}, errors_injected{0}, dropped{0}, writes_applied{0};

  explicit Impl(Options o) : opts(std::move(o)), rng(opts.seed ^ 0x5eed) {
    faults = opts.faults;
    world.flavor = opts.flavor;
    world.legacy_createmeta = opts.legacy_createmeta && opts.flavor == Flavor::DataCenter;
    world.now = opts.clock ? opts.clock : [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
    seed_store(world.store, opts.flavor, std::max(opts.issues, 1), opts.seed, world.now());
    add_meta_routes(router, opts.flavor);
    add_issue_routes(router, opts.flavor);
    add_issue_extra_routes(router, opts.flavor);
    add_search_routes(router, opts.flavor);
    add_agile_routes(router, opts.flavor);
    for (const auto& r : router.routes()) counts[r];
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"})
      counts[std::string(m) + " <unmatched>"];
    last_refill = world.now();
    tokens = std::max(1, faults.rate_limit_burst);
  }

  void count(const std::string& key) {
    auto it = counts.find(key);
    if (it != counts.end()) it->second.fetch_add(1, std::memory_order_relaxed);
  }

  // The dataset index of the authenticated user (0 Alice, 1 Bob), or -1.
  int authenticate(const httplib::Request& req) const {
    const std::string auth = req.get_header_value("Authorization");
    const std::pair<int, const Credentials*> accounts[] = {{0, &kCredentials}, {1, &kBobCredentials}};
    if (auth.rfind("Basic ", 0) == 0) {
      const std::string creds = base64_decode(auth.substr(6));
      const auto colon = creds.find(':');
      if (colon == std::string::npos) return -1;
      const std::string user = creds.substr(0, colon), secret = creds.substr(colon + 1);
      for (const auto& [index, c] : accounts) {
        if (world.cloud() && iequals(user, c->email) && secret == c->api_token) return index;
        if (!world.cloud() && user == c->username && secret == c->password) return index;
      }
      return -1;
    }
    if (auth.rfind("Bearer ", 0) == 0 && !world.cloud()) {
      for (const auto& [index, c] : accounts)
        if (auth.substr(7) == c->pat) return index;
    }
    return -1;
  }

  struct Draw {
    Faults f;
    int delay_ms = 0;
    bool drop = false, fail = false;
    int fail_status = 500;
    bool limited = false;
    double retry_after = 0, remaining = 0;
  };

  Draw draw() {
    std::lock_guard lock(faults_mu);
    Draw d;
    d.f = faults;
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    d.delay_ms = faults.latency_ms;
    if (faults.jitter_ms > 0)
      d.delay_ms += static_cast<int>(rng() % static_cast<std::uint64_t>(faults.jitter_ms + 1));
    d.drop = faults.drop_rate > 0 && unit(rng) < faults.drop_rate;
    d.fail = faults.error_5xx_rate > 0 && unit(rng) < faults.error_5xx_rate;
    d.fail_status = rng() % 2 ? 503 : 500;
    if (faults.rate_limit_rps > 0) {
      const double burst = std::max(1, faults.rate_limit_burst);
      const Millis now = world.now();
      tokens = std::min(burst, tokens + (now - last_refill) / 1000.0 * faults.rate_limit_rps);
      last_refill = now;
      if (tokens >= 1) {
        tokens -= 1;
      } else {
        d.limited = true;
        d.retry_after = (1 - tokens) / faults.rate_limit_rps;
      }
      d.remaining = std::floor(tokens);
    }
    return d;
  }

  void count_status(const std::string& key, int status) {
    std::lock_guard lock(status_mu);
    ++statuses[key][status];
  }

  // A non-GET route that changes the dataset: everything but searches and counts.
  static bool writes(const std::string& method_and_route) {
    return !method_and_route.starts_with("GET ") && !method_and_route.ends_with("<unmatched>") &&
           method_and_route.find("/search") == std::string::npos;
  }

  void handle(const httplib::Request& hreq, httplib::Response& hres) {
    if (hreq.path == kStatsPath) return serve_stats(hreq, hres);
    auto match = router.match(hreq.method, hreq.path);
    const std::string key = match ? *match->route : hreq.method + " <unmatched>";
    count(key);
    Draw d = draw();
    if (d.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(d.delay_ms));
    if (d.drop) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      count_status(key, 0);
      drop_connection(hreq.local_port, hreq.remote_port);
      hres.status = 500;
      return;
    }
    Resp resp;
    if (d.f.rate_limit_rps > 0) {
      const int limit = std::max(1, d.f.rate_limit_burst);
      hres.set_header("X-RateLimit-Limit", std::to_string(limit));
      hres.set_header("X-RateLimit-Remaining", std::to_string(static_cast<int>(d.remaining)));
    }
    if (d.limited) {
      const int secs = std::max(1, static_cast<int>(std::ceil(d.retry_after)));
      resp = error_resp(429, {"Rate limit exceeded."});
      resp.headers.push_back({"Retry-After", std::to_string(secs)});
      resp.headers.push_back({"X-RateLimit-Reset", format_time(world.now() + secs * 1000)});
      resp.headers.push_back({"RateLimit-Reason", "jira-burst-based"});
      rate_limited.fetch_add(1, std::memory_order_relaxed);
    } else if (d.fail) {
      resp = error_resp(d.fail_status, {d.fail_status == 503
                                            ? "Service unavailable (injected by the sandbox)."
                                            : "Internal server error (injected by the sandbox)."});
      if (d.fail_status == 503) resp.headers.push_back({"Retry-After", "1"});
      errors_injected.fetch_add(1, std::memory_order_relaxed);
    } else {
      resp = dispatch(hreq, match);
      if (resp.status >= 200 && resp.status < 300 && writes(key))
        writes_applied.fetch_add(1, std::memory_order_relaxed);
    }
    count_status(key, resp.status);
    write(resp, hres, d.f.slow_body_ms);
  }

  Stats stats() const {
    Stats s;
    {
      std::lock_guard lock(status_mu);
      s.requests = statuses;
    }
    for (const auto& [route, by_status] : s.requests)
      for (const auto& [status, n] : by_status) s.requests_total += n;
    s.rate_limited = rate_limited.load(std::memory_order_relaxed);
    s.errors_injected = errors_injected.load(std::memory_order_relaxed);
    s.dropped = dropped.load(std::memory_order_relaxed);
    s.writes_applied = writes_applied.load(std::memory_order_relaxed);
    return s;
  }

  void reset() {
    for (auto& [k, v] : counts) v.store(0, std::memory_order_relaxed);
    {
      std::lock_guard lock(status_mu);
      statuses.clear();
    }
    for (auto* c : {&rate_limited, &errors_injected, &dropped, &writes_applied})
      c->store(0, std::memory_order_relaxed);
  }

  static constexpr std::string_view kStatsPath = "/_sandbox/stats";

  void serve_stats(const httplib::Request& hreq, httplib::Response& hres) {
    if (hreq.method == "DELETE") {
      reset();
      hres.status = 204;
      return;
    }
    if (hreq.method != "GET") {
      hres.set_header("Allow", "GET, DELETE");
      write(error_resp(405, {"/_sandbox/stats answers GET (the counters) and DELETE (reset them)."}),
            hres, 0);
      return;
    }
    const Stats s = stats();
    Json requests = Json::object();
    for (const auto& [route, by_status] : s.requests) {
      Json j = Json::object();
      for (const auto& [status, n] : by_status) j[status == 0 ? "dropped" : std::to_string(status)] = n;
      requests[route] = std::move(j);
    }
    Faults f;
    {
      std::lock_guard lock(faults_mu);
      f = faults;
    }
    const Json body = {
        {"requests_total", s.requests_total},
        {"rate_limited", s.rate_limited},
        {"errors_injected", s.errors_injected},
        {"dropped", s.dropped},
        {"writes_applied", s.writes_applied},
        {"requests", std::move(requests)},
        {"faults",
         {{"latency_ms", f.latency_ms}, {"jitter_ms", f.jitter_ms},
          {"rate_limit_rps", f.rate_limit_rps}, {"rate_limit_burst", f.rate_limit_burst},
          {"error_rate", f.error_5xx_rate}, {"drop_rate", f.drop_rate},
          {"slow_body_ms", f.slow_body_ms}}},
    };
    hres.status = 200;
    hres.set_content(body.dump(), "application/json;charset=UTF-8");
  }

  Resp dispatch(const httplib::Request& hreq, const std::optional<Router::Match>& match) {
    const bool anonymous_ok = match && match->route->find("/serverInfo") != std::string::npos;
    const int user = authenticate(hreq);
    if (user < 0 && !anonymous_ok) {
      Resp r = error_resp(401, {world.cloud() ? "Client must be authenticated to access this "
                                                "resource."
                                              : "You are not authenticated. Authentication "
                                                "required to perform this operation."});
      r.headers.push_back({"WWW-Authenticate", world.cloud()
                                                   ? "Basic realm=\"protected-by-api-gateway\""
                                                   : "Basic realm=\"protected-by-jira\""});
      if (!world.cloud()) r.headers.push_back({"X-Seraph-LoginReason", "AUTHENTICATED_FAILED"});
      return r;
    }
    if (!match)
      return error_resp(404, {"null for uri: " + world.base_url + hreq.path});
    Req req;
    req.method = hreq.method;
    req.path = hreq.path;
    req.path_params = match->params;
    for (const auto& [k, v] : hreq.params) req.query.emplace(k, v);
    for (const auto& [k, v] : hreq.headers) req.headers[lower(k)] = v;
    req.body = hreq.body;
    for (const auto& [k, f] : hreq.files)
      req.files.push_back({f.name, f.filename, f.content_type, f.content});
    req.user = std::max(user, 0);
    try {
      return (*match->handler)(world, req);
    } catch (const std::exception& e) {
      spdlog::error("sandbox: {} {} failed: {}", hreq.method, hreq.path, e.what());
      return error_resp(500, {"Internal server error."});
    }
  }

  static void write(const Resp& r, httplib::Response& hres, int slow_ms) {
    hres.status = r.status;
    for (const auto& [k, v] : r.headers) hres.set_header(k, v);
    if (r.status == 204 || r.body.empty()) {
      // Jira labels even empty answers as JSON, and the specs expect that media type.
      hres.set_header("Content-Type", "application/json;charset=UTF-8");
      return;
    }
    if (slow_ms <= 0 || r.body.empty()) {
      hres.set_content(r.body, r.content_type.c_str());
      return;
    }
    auto body = std::make_shared<std::string>(r.body);
    constexpr std::size_t kSteps = 10;
    const std::size_t chunk = std::max<std::size_t>(1, (body->size() + kSteps - 1) / kSteps);
    hres.set_content_provider(
        body->size(), r.content_type.c_str(),
        [body, chunk, slow_ms](std::size_t offset, std::size_t, httplib::DataSink& sink) {
          std::this_thread::sleep_for(std::chrono::milliseconds(slow_ms / static_cast<int>(kSteps)));
          const std::size_t n = std::min(chunk, body->size() - offset);
          return sink.write(body->data() + offset, n);
        });
  }
};

Sandbox::Sandbox(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Sandbox::~Sandbox() { stop(); }

Status<Error> Sandbox::start() {
  std::lock_guard lock(impl_->state_mu);
  if (impl_->started) return unexpected(Error{"sandbox.state", "the sandbox was already started"});
  Impl& im = *impl_;
  const int threads = std::max(1, im.opts.threads);
  im.server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  // Headers and body go out in separate writes: without this, a keep-alive response waits ~40 ms
  // for the client's delayed ACK (Nagle), which real Jira front ends do not add.
  im.server.set_tcp_nodelay(true);
  auto h = [&im](const httplib::Request& req, httplib::Response& res) { im.handle(req, res); };
  im.server.Get(".*", h);
  im.server.Post(".*", h);
  im.server.Put(".*", h);
  im.server.Delete(".*", h);
  im.server.Patch(".*", h);
  im.server.set_payload_max_length(64 * 1024 * 1024);
  im.server.set_socket_options([&im](int sock) {
    core::set_listen_socket_options(sock);
    im.listen_fd = sock;  // the last socket tried is the one bound
  });
  int port = im.opts.port;
  if (port == 0) {
    port = im.server.bind_to_any_port(im.opts.host);
  } else if (!im.server.bind_to_port(im.opts.host, port)) {
    port = -1;
  }
  if (port <= 0)
    return unexpected(Error{"sandbox.bind", "cannot bind " + im.opts.host + ":" +
                                                std::to_string(im.opts.port)});
  // httplib listens with a backlog of 5; see core/listen.hpp.
  if (!core::widen_listen_backlog(im.listen_fd)) spdlog::warn("sandbox: could not widen the listen backlog");
  im.port = port;
  im.world.base_url = "http://" + im.opts.host + ":" + std::to_string(port);
  im.started = true;
  im.thread = std::jthread([&im] { im.server.listen_after_bind(); });
  // httplib's stop() does nothing until the listener is running, so a stop() right after start()
  // would leave the thread in accept() forever: return only once it runs.
  for (int i = 0; i < 5000 && !im.server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("sandbox: {} Jira with {} issues at {}", to_string(im.opts.flavor),
               im.world.store.issues.size(), im.world.base_url);
  return Ok{};
}

void Sandbox::stop() {
  std::lock_guard lock(impl_->state_mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string Sandbox::base_url() const {
  return impl_->port ? "http://" + impl_->opts.host + ":" + std::to_string(impl_->port) : "";
}
int Sandbox::port() const { return impl_->port; }
Flavor Sandbox::flavor() const { return impl_->opts.flavor; }
Credentials Sandbox::credentials() const { return kCredentials; }
Credentials Sandbox::second_user_credentials() const { return kBobCredentials; }

std::string Sandbox::shell_exports() const {
  const auto c = credentials();
  if (impl_->opts.flavor == Flavor::Cloud)
    return "export JIRA_URL=" + single_quote(base_url()) + " JIRA_EMAIL=" + single_quote(c.email) +
           " JIRA_API_TOKEN=" + single_quote(c.api_token);
  return "export JIRA_URL=" + single_quote(base_url()) + " JIRA_PAT=" + single_quote(c.pat);
}

void Sandbox::set_faults(const Faults& faults) {
  std::lock_guard lock(impl_->faults_mu);
  impl_->faults = faults;
  impl_->tokens = std::max(1, faults.rate_limit_burst);
  impl_->last_refill = impl_->world.now();
}

Faults Sandbox::faults() const {
  std::lock_guard lock(impl_->faults_mu);
  return impl_->faults;
}

std::uint64_t Sandbox::request_count(std::string_view method_and_route) const {
  auto it = impl_->counts.find(std::string(method_and_route));
  return it == impl_->counts.end() ? 0 : it->second.load(std::memory_order_relaxed);
}

std::map<std::string, std::uint64_t> Sandbox::request_counts() const {
  std::map<std::string, std::uint64_t> out;
  for (const auto& [k, v] : impl_->counts)
    if (auto n = v.load(std::memory_order_relaxed)) out[k] = n;
  return out;
}

Stats Sandbox::stats() const { return impl_->stats(); }

void Sandbox::reset_counts() { impl_->reset(); }

}  // namespace jira_mcp::sandbox
