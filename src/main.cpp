// jira-mcp: the composition root. Parses the configuration, builds the objects, runs the
// chosen command. Nothing here writes to stdout except the commands whose output is meant for
// a terminal (--help, --version, --doctor, `sandbox`'s exports); the MCP server's stdout
// carries protocol messages only.
#include <malloc.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/cache/from_config.hpp"
#include "jira_mcp/cluster/instance.hpp"
#include "jira_mcp/cluster/redis.hpp"
#include "jira_mcp/cluster/routing.hpp"
#include "jira_mcp/cluster/shared_cache.hpp"
#include "jira_mcp/cluster/site.hpp"
#include "jira_mcp/config/config.hpp"
#include "jira_mcp/core/log.hpp"
#include "jira_mcp/jira/client_gauges.hpp"
#include "jira_mcp/jira/fleet_budget.hpp"
#include "jira_mcp/jira/doctor.hpp"
#include "jira_mcp/jira/from_config.hpp"
#include "jira_mcp/jira/options.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "jira_mcp/net/net.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/tools/per_user_clients.hpp"
#include "jira_mcp/tools/resource_updates.hpp"
#include "jira_mcp/tools/render_memo.hpp"
#include "jira_mcp/tools/tools.hpp"
#include "jira_mcp/transport/http.hpp"
#include "jira_mcp/transport/stdio.hpp"

using namespace jira_mcp;

namespace {

// Signals: the first SIGINT/SIGTERM asks for a clean stop (finish in-flight work, flush);
// a second one exits at once.
std::atomic<bool> g_stopping{false};
std::atomic<transport::StdioServer*> g_server{nullptr};
int g_stop_fd = -1;

extern "C" void on_signal(int sig) {
  if (g_stopping.exchange(true)) _exit(128 + sig);
  if (auto* s = g_server.load()) s->stop();
  if (g_stop_fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(g_stop_fd, &one, sizeof one);
  }
}

void install_signal_handlers() {
  g_stop_fd = eventfd(0, EFD_CLOEXEC);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void wait_for_stop_signal() {
  pollfd p{g_stop_fd, POLLIN, 0};
  while (poll(&p, 1, -1) < 0 && errno == EINTR) {
  }
}

// [monitoring], [logging.performance], performance.max_memory_usage_bytes and --timing.
monitor::MonitorOptions monitor_options(const config::Startup& st) {
  const auto& m = st.config.monitoring;
  const auto& p = st.config.perf_log;
  monitor::MonitorOptions o;
  o.checks = m.enabled;
  o.interval = std::chrono::seconds(std::max(1, m.interval_seconds));
  o.breach_intervals = m.breach_intervals;
  o.resolve_intervals = m.resolve_intervals;
  o.thresholds.min_events = static_cast<std::uint64_t>(std::max(1, m.min_events));
  o.thresholds.p95_tool_latency_ms = m.p95_tool_latency_ms;
  o.thresholds.min_success_rate = m.min_success_rate;
  o.thresholds.max_error_rate = m.max_error_rate;
  o.thresholds.max_memory_bytes = st.config.performance.max_memory_usage_bytes;
  o.thresholds.max_requests_per_second = m.max_requests_per_second;
  o.thresholds.min_cache_hit_rate = m.min_cache_hit_rate;
  o.thresholds.cache_warmup_lookups = static_cast<std::uint64_t>(std::max(0, m.cache_warmup_lookups));
  o.thresholds.max_pool_saturation = m.max_pool_saturation;
  o.thresholds.max_rate_limit_wait_ratio = m.max_rate_limit_wait_ratio;
  o.perf_log_interval = std::chrono::seconds(std::max(0, p.log_interval_seconds));
  o.perf_log_sources = p.log_cache_stats;
  o.perf_log_pool = p.log_pool_stats;
  o.slow_call = std::chrono::milliseconds(std::max(0, p.slow_call_ms));
  o.timing = st.timing;
  return o;
}

sandbox::Options sandbox_options(const config::SandboxConfig& c) {
  sandbox::Options o;
  o.flavor = c.flavor == "dc" ? sandbox::Flavor::DataCenter : sandbox::Flavor::Cloud;
  o.port = c.port;
  o.issues = c.issues;
  o.faults.latency_ms = c.latency_ms;
  o.faults.jitter_ms = c.jitter_ms;
  o.faults.rate_limit_rps = c.rate_limit_rps;
  o.faults.rate_limit_burst = c.rate_limit_burst;
  o.faults.error_5xx_rate = c.error_rate;
  o.faults.drop_rate = c.drop_rate;
  return o;
}

// Points the client at a running sandbox with its demo credentials.
void use_sandbox(jira::ClientOptions& o, const net::RunningSandbox& sb) {
  const auto creds = sb.credentials();
  const bool cloud = sb.flavor() == sandbox::Flavor::Cloud;
  o.url = sb.base_url();
  o.email = cloud ? creds.email : "";
  o.api_token = cloud ? creds.api_token : "";
  o.pat = cloud ? "" : creds.pat;
  o.username.clear();
  o.password.clear();
  o.deployment = cloud ? jira::DeploymentMode::cloud : jira::DeploymentMode::datacenter;
}

int run_sandbox(const config::Startup& st) {
  auto sb = net::start_sandbox(sandbox_options(st.config.sandbox));
  if (!sb) {
    std::cerr << "jira-mcp sandbox: " << sb.error().message << "\n";
    return 1;
  }
  std::cout << (*sb)->shell_exports() << std::endl;
  spdlog::info("Jira sandbox ({}) serving at {}; Ctrl-C stops it", st.config.sandbox.flavor, (*sb)->base_url());
  wait_for_stop_signal();
  (*sb)->stop();
  return 0;
}

// Serves MCP over stdin/stdout until end of input or SIGINT/SIGTERM. The monitor's checks run
// meanwhile.
int serve_stdio(const config::Config& cfg, const mcp::Dispatcher& dispatcher, monitor::Monitor& mon,
                std::shared_ptr<mcp::SubscriptionHub> subscriptions) {
  transport::StdioOptions sopts;
  sopts.subscriptions = std::move(subscriptions);
  sopts.max_line_bytes = cfg.server.max_line_bytes;
  sopts.workers = static_cast<size_t>(cfg.server.workers);
  sopts.max_queue = static_cast<size_t>(cfg.server.max_queue);
  // The monitor's thread has nothing to do for a while (its first check is an interval away):
  // started after the first message, so the handshake does not wait for a thread's creation.
  sopts.after_first_line = [&mon] { mon.start(); };
  transport::StdioServer server(dispatcher, sopts);
  // Alerts reach the client as notifications/message (honouring logging/setLevel).
  mon.on_alert([&server](const monitor::Alert& a) {
    const auto level = !a.firing ? mcp::LogLevel::Info
                       : a.severity == monitor::Severity::error ? mcp::LogLevel::Error
                                                                : mcp::LogLevel::Warning;
    server.session().log(level, monitor::to_json(a), "monitor");
  });
  g_server.store(&server);
  if (g_stopping.load()) server.stop();
  spdlog::info("jira-mcp {} serving MCP over stdio", JIRA_MCP_VERSION);
  int rc = server.run();
  g_server.store(nullptr);
  mon.stop();
  return rc;
}

// `subscriptions`: the listeners of subscriptions/listen (none: the method is not offered).
int serve(const config::Config& cfg, const mcp::Dispatcher& dispatcher,
          std::function<transport::Readiness()> readiness, monitor::Monitor& mon,
          std::shared_ptr<mcp::SubscriptionHub> subscriptions = nullptr,
          const std::function<void(transport::HttpOptions&)>& fleet_http = {}) {
  if (cfg.server.transport == "http") {
    net::HttpServe http;
    http.config = &cfg;
    http.dispatcher = &dispatcher;
    http.readiness = std::move(readiness);
    http.monitor = &mon;
    http.subscriptions = std::move(subscriptions);
    http.fleet_http = fleet_http;
    http.wait_for_stop = wait_for_stop_signal;
    return net::serve_http(http);
  }
  return serve_stdio(cfg, dispatcher, mon, std::move(subscriptions));
}

// Fleet routing (issue #17, cluster/routing.hpp): with cluster.redis_url set, session ids name
// this instance, requestState is signed with the fleet's key (unless server.state_key fixes one),
// task snapshots go to Redis, and a heartbeat keeps this instance in the fleet's membership.
// Everything is empty when cluster.redis_url is.
struct FleetRouting {
  std::string instance_id;
  std::shared_ptr<cluster::RedisClient> redis;
  std::shared_ptr<cluster::FleetKey> key;
  std::shared_ptr<cluster::SessionIds> session_ids;
  std::shared_ptr<cluster::TaskBoard> tasks;
  std::unique_ptr<cluster::FleetHeartbeat> heartbeat;  // last: stopped first

  static constexpr std::chrono::milliseconds kMemberTtl{10000};

  explicit FleetRouting(const config::ClusterConfig& c) {
    if (c.redis_url.empty()) return;
    auto endpoint = cluster::parse_redis_url(c.redis_url);
    if (!endpoint) return;  // the configuration checked it already
    instance_id = cluster::instance_id_or_default(c.instance_id);
    cluster::RedisOptions ro;
    ro.endpoint = *endpoint;
    ro.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
    ro.command_timeout = std::chrono::milliseconds(c.command_timeout_ms);
    redis = cluster::make_redis_client(std::move(ro));
    key = std::make_shared<cluster::FleetKey>(redis, cluster::fleet_key_name(c.key_prefix));
    session_ids = std::make_shared<cluster::SessionIds>(
        instance_id, key, cluster::redis_liveness(redis, cluster::members_key_name(c.key_prefix), kMemberTtl));
    tasks = std::make_shared<cluster::TaskBoard>(redis, c.key_prefix, instance_id);
    heartbeat = std::make_unique<cluster::FleetHeartbeat>(redis, cluster::members_key_name(c.key_prefix), instance_id,
                                                          kMemberTtl);
    spdlog::info("fleet mode: instance {} with Redis at {}", instance_id, endpoint->display());
  }
  bool on() const { return redis != nullptr; }

  std::shared_ptr<const mcp::TaskMirror> task_mirror() const {
    auto m = std::make_shared<mcp::TaskMirror>();
    m->publish = [board = tasks](const std::string& id, const std::string& owner, std::uint64_t version,
                                 const Json& task, std::chrono::milliseconds ttl) {
      // Fail open: the task runs and is readable here; only other instances miss this snapshot.
      if (auto s = board->publish(id, owner, version, task, ttl); !s) {
        spdlog::debug("task {}: snapshot not shared with the fleet: {}", id, s.error().message);
      }
    };
    m->lookup = [board = tasks](const std::string& id, const std::string& owner)
        -> Result<std::optional<mcp::TaskMirror::Found>, mcp::RpcError> {
      auto found = board->lookup(id, owner);
      if (!found) {
        return unexpected(mcp::RpcError{mcp::rpc::kServerBusy,
                                        "Task " + id + " is not held by this instance (" + board->instance_id() +
                                            ") and the fleet's task records in Redis cannot be read (" +
                                            found.error().message + "); retry shortly",
                                        {}});
      }
      if (!*found) return std::optional<mcp::TaskMirror::Found>();
      return std::optional<mcp::TaskMirror::Found>(mcp::TaskMirror::Found{(*found)->instance, (*found)->task});
    };
    return m;
  }

  std::function<void(transport::HttpOptions&)> http() const {
    if (!on()) return {};
    return [ids = session_ids](transport::HttpOptions& o) {
      o.issue_session_id = [ids] { return ids->issue(); };
      o.explain_unknown_session = [ids](const std::string& id) {
        auto n = ids->explain_unknown(id);
        return std::pair<std::string, Json>(std::move(n.message), std::move(n.data));
      };
    };
  }
};

const char* const kInstructions = "Tools for Jira: search, read, create and change issues.";

// A configuration that cannot be used (the problem says which key, from where, and what is
// accepted) still gets a server: it completes the MCP handshake, lists the tools the user would
// have had, and answers every call with the problem, since hosts show their user only
// "Connection closed" for a server that exits first. No Jira client exists in this mode.
int run_unconfigured(const config::Startup& st, const std::string& problem) {
  if (st.config.server.transport == "stdio" && isatty(STDIN_FILENO)) {
    // A person at a terminal, not an MCP host: they read stderr, and an exit serves them better
    // than a server waiting for JSON-RPC.
    std::cerr << "jira-mcp: " << problem << "\n";
    return 2;
  }
  spdlog::error("the configuration cannot be used; every tool call will answer with this until it is fixed:\n{}",
                problem);
  const std::string message = tools::unconfigured_message(problem);
  const auto& t = st.config.tools;
  mcp::RegistryBuilder builder;
  builder.compile_schemas(mcp::SchemaCompilation::on_first_use);
  if (auto r = tools::register_unconfigured_tools(builder, {t.toolsets, t.enabled_tools, t.disabled_tools, t.read_only},
                                                  message);
      !r) {
    spdlog::critical("{}", r.error().message);
    return 1;
  }
  auto registry = builder.freeze();
  if (!registry) {
    spdlog::critical("{}", registry.error().message);
    return 1;
  }
  mcp::DispatcherOptions dopts;
  dopts.max_depth = st.config.server.max_depth;
  mcp::Dispatcher dispatcher(*registry,
                             mcp::ServerInfo{"jira-mcp", "Jira MCP", JIRA_MCP_VERSION,
                                             std::string(kInstructions) + "\n\n" + message +
                                                 "\nEvery tool answers with this error until then: tell the user "
                                                 "what to change."},
                             dopts);
  monitor::Monitor mon(monitor_options(st));
  return serve(st.config, dispatcher, [problem] { return transport::Readiness{false, problem}; }, mon);
}

// The configuration to serve run_unconfigured() with after config::parse failed, or null when
// there is nothing to serve on and the process exits 2 with the message: a command line that
// does not parse, another command than serving, a rejected transport, or (for HTTP) a rejected
// address or HTTP setting, which could expose the server where it was not meant to be.
const config::Startup* servable_despite(const config::ConfigError& e) {
  if (!e.partial || e.partial->command != config::Command::Serve) return nullptr;
  const auto& cfg = e.partial->config;
  const bool http = cfg.server.transport == "http";
  for (const auto& key : e.rejected) {
    if (key == "server.transport") return nullptr;
    if (http && (key == "server.host" || key == "server.port" || key.starts_with("http."))) return nullptr;
  }
  if (http && cfg.http.tls_cert.empty() != cfg.http.tls_key.empty()) return nullptr;
  return e.partial.get();
}

// Where the tool selection came from, for an error about it.
std::string selection_origins(const config::Config& cfg) {
  std::string out;
  for (const char* key : {"tools.toolsets", "tools.enabled_tools", "tools.disabled_tools"}) {
    if (auto it = cfg.origins.find(key); it != cfg.origins.end()) {
      out += std::string(out.empty() ? "\nThe tool selection came from: " : "; ") + key + " = " + it->second;
    }
  }
  return out;
}

// Fleet mode's shared rate budget for the site `o` points at, or null when [cluster] redis_url
// is empty or no rate is configured (nothing to share). The Redis client connects lazily, so
// a Redis that is down at start-up only means starting in the local fallback.
std::shared_ptr<jira::FleetBudget> make_fleet_budget(const config::Config& cfg, const jira::ClientOptions& o) {
  if (cfg.cluster.redis_url.empty()) return nullptr;
  if (o.rate_rps <= 0) {
    spdlog::info("fleet: no Jira rate configured (rate_limit_requests_per_second = 0): no shared rate budget");
    return nullptr;
  }
  auto endpoint = cluster::parse_redis_url(cfg.cluster.redis_url);
  if (!endpoint) {  // the configuration checked it already; never a reason not to serve
    spdlog::error("fleet: {}; the Jira rate budget stays local", endpoint.error().message);
    return nullptr;
  }
  cluster::RedisOptions ro;
  ro.endpoint = *endpoint;
  ro.connect_timeout = std::chrono::milliseconds(cfg.cluster.connect_timeout_ms);
  ro.command_timeout = std::chrono::milliseconds(cfg.cluster.command_timeout_ms);
  jira::FleetBudgetOptions fo;
  fo.redis = cluster::make_redis_client(ro);
  fo.key_prefix = cfg.cluster.key_prefix;
  fo.instance_id = cluster::instance_id_or_default(cfg.cluster.instance_id);
  fo.site_url = o.url;
  fo.site_rps = o.rate_rps;
  fo.burst = o.rate_burst;
  spdlog::info("fleet: instance {} shares the rate budget of {} ({:.2f} requests/s) through Redis at {}",
               fo.instance_id, o.url, o.rate_rps, endpoint->display());
  return std::make_shared<jira::FleetBudget>(std::move(fo));
}

// The fleet budget's state for /metrics (jira_mcp_source_value{source="rate_budget",...}).
monitor::Gauges fleet_gauges(const jira::FleetBudget& fleet) {
  const jira::FleetStats f = fleet.stats();
  return {{"shared", f.mode == jira::FleetMode::shared ? 1.0 : 0.0},
          {"live_instances", static_cast<double>(f.live_instances)},
          {"site_rps", f.site_rps},
          {"shared_rps", f.shared_rps},
          {"local_rps", f.local_rps},
          {"shared_grants", static_cast<double>(f.shared_grants)},
          {"shared_waits", static_cast<double>(f.shared_waits)},
          {"local_grants", static_cast<double>(f.local_grants)},
          {"fallbacks", static_cast<double>(f.fallbacks)},
          {"recoveries", static_cast<double>(f.recoveries)},
          {"redis_errors", static_cast<double>(f.redis_errors)},
          {"throttles", static_cast<double>(f.throttles)},
          {"low_budget_cuts", static_cast<double>(f.low_budget_cuts)}};
}

int run_serve(const config::Startup& st) {
  const auto& cfg = st.config;
  if (cfg.server.transport != "stdio" && cfg.server.transport != "http") {
    std::cerr << "jira-mcp: server.transport = " << cfg.server.transport << " is not supported; use stdio or http\n";
    return 2;
  }
  // The monitor outlives the client (whose threads report to it); its own thread is stopped
  // before the client and the server go.
  monitor::Monitor mon(monitor_options(st));
  // The tools are registered before anything reaches for Jira, so a wrong tool selection starts
  // neither the sandbox nor a client. Their handlers read `services` only when called, after
  // the client is set below.
  auto services = std::make_shared<tools::Services>();
  const bool serve_sandbox = st.use_sandbox || cfg.jira.url.empty();
  // Never a silent sandbox: a model (and so the person) must not take it for their Jira.
  if (serve_sandbox) services->notice = tools::sandbox_notice(st.use_sandbox);
  services->monitor = &mon;
  if (cfg.cache.enabled && cfg.cache.render_cache_max_bytes > 0) {
    // Results of at least ~1 KiB each: the byte budget binds before the entry count does.
    services->render_memo = std::make_shared<tools::RenderMemo>(cfg.cache.render_cache_max_bytes,
                                                                cfg.cache.render_cache_max_bytes / 1024);
  }
  services->options.max_response_chars = static_cast<size_t>(cfg.tools.max_response_chars);
  services->options.confirm_destructive = cfg.tools.confirm_destructive;
  services->options.attachment_dirs = cfg.tools.attachment_dirs;
  services->options.max_attachment_bytes = cfg.tools.max_attachment_bytes;
  services->options.allow_hardlinked_attachments = cfg.tools.allow_hardlinked_attachments;
  if (cfg.cache.enabled) {
    services->options.issue_ttl = std::chrono::seconds(std::max(0, cfg.cache.api_cache_ttl_seconds));
    services->options.metadata_ttl = std::chrono::seconds(std::max(0, cfg.cache.config_cache_ttl_seconds));
  }
  tools::Selection selection{cfg.tools.toolsets, cfg.tools.enabled_tools, cfg.tools.disabled_tools, cfg.tools.read_only};
  mcp::RegistryBuilder builder;
  // A session calls a few tools: each validator is compiled on its tool's first call, not before
  // the initialize reply (the catalog's tests compile them all at freeze).
  builder.compile_schemas(mcp::SchemaCompilation::on_first_use);
  if (auto r = tools::register_tools(builder, services, selection); !r) {
    return run_unconfigured(st, r.error().message + selection_origins(cfg));
  }
  auto registry = builder.freeze();
  if (!registry) {
    spdlog::critical("{}", registry.error().message);
    return 1;
  }

  jira::ClientOptions jira_options = jira::client_options_from_config(cfg);
  std::unique_ptr<net::RunningSandbox> sb;
  if (serve_sandbox) {
    auto started = net::start_sandbox(sandbox_options(cfg.sandbox));
    if (!started) {
      spdlog::critical("could not start the built-in Jira sandbox: {}", started.error().message);
      return 1;
    }
    sb = std::move(*started);
    use_sandbox(jira_options, *sb);
    spdlog::log(st.use_sandbox ? spdlog::level::info : spdlog::level::warn,
                "{}; serving the built-in Jira sandbox ({}) at {}, with made-up data",
                st.use_sandbox ? "--sandbox given" : "no Jira configured (set JIRA_URL to use yours)",
                cfg.sandbox.flavor, sb->base_url());
  }
  // Fleet mode's shared cache level: its tier goes into the cache's options, and its feed (the
  // invalidation stream's consumer, on its own connection) starts once the cache exists. The
  // feed is declared after jira_options, so it stops before the cache goes. Its keys name the
  // Jira site, known only once the sandbox (when served) is up.
  cache::Options cache_options = cache::options_from_config(cfg.cache);
  std::shared_ptr<cluster::RedisSharedTier> shared_tier;
  cluster::RedisOptions redis_options;
  if (cfg.cache.enabled && !cfg.cluster.redis_url.empty()) {
    if (auto endpoint = cluster::parse_redis_url(cfg.cluster.redis_url)) {  // the config validated it
      redis_options.endpoint = std::move(*endpoint);
      redis_options.connect_timeout = std::chrono::milliseconds(cfg.cluster.connect_timeout_ms);
      redis_options.command_timeout = std::chrono::milliseconds(cfg.cluster.command_timeout_ms);
      shared_tier = std::make_shared<cluster::RedisSharedTier>(
          std::shared_ptr<cluster::RedisClient>(cluster::make_redis_client(redis_options)),
          cluster::SharedCacheOptions{.key_prefix = cfg.cluster.key_prefix,
                                      .site = cluster::site_hash(jira_options.url),
                                      .instance_id = cluster::instance_id_or_default(cfg.cluster.instance_id)});
      cache_options.shared = shared_tier;
      spdlog::info("cluster: metadata and issues cached in Redis too ({}), invalidations shared",
                   redis_options.endpoint.display());
    }
  }
  jira_options.cache = std::make_shared<cache::Cache>(std::move(cache_options));
  std::unique_ptr<cluster::InvalidationFeed> invalidation_feed;
  if (shared_tier) {
    constexpr std::chrono::milliseconds kBlock{200};
    cluster::RedisOptions feed_options = redis_options;
    feed_options.command_timeout += kBlock;
    invalidation_feed = std::make_unique<cluster::InvalidationFeed>(cluster::make_redis_client(feed_options),
                                                                    *jira_options.cache, *shared_tier, kBlock);
  }
  // subscriptions/listen: writes through this server announce the issues and projects they change.
  auto subscriptions = std::make_shared<mcp::SubscriptionHub>(tools::subscription_options());
  jira_options.on_call = tools::publish_resource_updates(subscriptions, mon.jira_observer());
  // One shared budget for the site, used by every client of this process (per-user ones too).
  jira_options.fleet = make_fleet_budget(cfg, jira_options);
  if (auto fleet = jira_options.fleet) mon.add_source("rate_budget", [fleet] { return fleet_gauges(*fleet); });
  auto client = jira::Client::create(jira_options);
  if (!client) return run_unconfigured(st, client.error().to_string());
  mon.set_client_source([c = client->get()] { return jira::client_gauges(*c); });
  if (auto cache = jira_options.cache) {
    mon.add_source("cache", [cache] {
      const cache::Stats s = cache->stats();
      monitor::Gauges g;
      for (std::size_t i = 0; i < cache::kTierCount; ++i) {
        const std::string tier = cache::to_string(static_cast<cache::Tier>(i));
        const cache::TierStats& t = s.tiers[i];
        for (const auto& [name, v] : {std::pair<const char*, std::uint64_t>{"hits", t.hits}, {"misses", t.misses},
                                      {"entries", t.entries}, {"bytes", t.bytes}, {"evictions", t.evictions}}) {
          g.emplace_back(tier + "." + name, static_cast<double>(v));
        }
      }
      if (auto sh = cache->shared_stats()) {
        g.emplace_back("shared.up", sh->up ? 1.0 : 0.0);
        for (const auto& [name, v] : {std::pair<const char*, std::uint64_t>{"hits", sh->hits}, {"misses", sh->misses},
                                      {"puts", sh->puts}, {"stale_puts", sh->stale_puts}, {"errors", sh->errors},
                                      {"published", sh->published}, {"received", sh->received}, {"clears", sh->clears}}) {
          g.emplace_back(std::string("shared.") + name, static_cast<double>(v));
        }
      }
      return g;
    });
  }
  // Per-user Jira credentials (HTTP only): a client per identity, the least recently used of
  // PerUserClients::kDefaultCapacity (64) dropped first; all of them share the response cache
  // (keys carry each identity's hash) and report to the monitor.
  std::unique_ptr<tools::PerUserClients> user_clients;
  if (cfg.server.transport == "http" && cfg.http.per_user_credentials != "off") {
    user_clients = std::make_unique<tools::PerUserClients>(jira_options);
  }
  services->client = client->get();
  if (user_clients) {
    // The identity comes with each request (mcp::Inbound, set by the HTTP transport).
    services->client_for_call = [pool = user_clients.get()](const mcp::Credentials* who)
        -> Result<std::shared_ptr<jira::Client>, jira::JiraError> {
      if (!who) return std::shared_ptr<jira::Client>();
      return pool->get(tools::UserCredentials{who->key, who->email, who->api_token, who->pat});
    };
  }
  mcp::DispatcherOptions dopts;
  dopts.max_depth = cfg.server.max_depth;
  FleetRouting fleet(cfg.cluster);
  if (fleet.on() && cfg.server.state_key.empty()) {
    dopts.request_state = std::make_shared<mcp::RequestStateCodec>([key = fleet.key] { return key->keys(); },
                                                                   real_clock(),
                                                                   std::chrono::seconds(cfg.server.state_ttl_s));
  } else {
    dopts.request_state = std::make_shared<mcp::RequestStateCodec>(cfg.server.state_key, real_clock(),
                                                                   std::chrono::seconds(cfg.server.state_ttl_s));
  }
  if (cfg.server.state_key.empty() && cfg.server.transport == "http" && !fleet.on()) {
    spdlog::info("server.state_key is not set: the requestState of 2026 confirmations is signed with a key of this "
                 "process only; instances behind one load balancer must share a key (JIRA_MCP_STATE_KEY)");
  }
  if (cfg.performance.object_pooling) {
    dopts.buffers = std::make_shared<core::BufferPool>(static_cast<std::size_t>(cfg.performance.object_pool_size),
                                                       cfg.performance.string_pool_capacity);
    mon.add_source("reply_buffers", [b = dopts.buffers] { return monitor::pool_gauges(b->stats()); });
  }
  // Tasks (io.modelcontextprotocol/tasks, 2026-07-28 clients): the bulk tools run as tasks.
  dopts.tasks = mcp::TaskOptions{};
  dopts.tasks->keep_finished = std::chrono::seconds(cfg.server.task_ttl_seconds);
  dopts.tasks->max_tasks = static_cast<std::size_t>(cfg.server.max_tasks);
  dopts.tasks->max_bytes = cfg.server.task_memory_bytes;
  dopts.tasks->workers = static_cast<std::size_t>(cfg.server.workers);
  if (fleet.on()) dopts.tasks->mirror = fleet.task_mirror();
  // A task belongs to, and runs with the credentials of, the identity that started it (the
  // dispatcher takes it from the request's context).
  // The --timing trace lives in the call's context from start to end (monitor/trace.hpp).
  dopts.on_tool_start = [&mon](const std::string& tool, std::chrono::nanoseconds parse, mcp::RequestContext& call) {
    call.call().trace = mon.tool_started(tool, parse);
  };
  dopts.on_tool_call = [&mon](const std::string& tool, bool is_error, std::chrono::nanoseconds elapsed,
                              mcp::RequestContext& call) {
    mon.record_tool_call(tool, is_error, elapsed, call.call().trace.get());
  };
  mcp::Dispatcher dispatcher(*registry,
                             mcp::ServerInfo{"jira-mcp", "Jira MCP", JIRA_MCP_VERSION,
                                             services->notice.empty() ? std::string(kInstructions)
                                                                      : std::string(kInstructions) + "\n\n" +
                                                                            services->notice},
                             dopts);
  // Start-up (configuration, 72 tool specs and their compiled schemas, the frozen registry)
  // leaves freed blocks in the heap; hand them back once so an idle server holds what it uses.
  malloc_trim(0);
  jira::Client& jira_client = *client->get();
  return serve(cfg, dispatcher, [&jira_client] {
    auto me = jira_client.myself();
    if (!me) return transport::Readiness{false, me.error().to_string()};
    return transport::Readiness{true, "Jira reachable; authenticated as " +
                                          string_or(*me, "displayName", string_or(*me, "name", "?"))};
  }, mon, subscriptions, fleet.http());
}

// --doctor: what serving this configuration would do, checked. The tool selection goes through
// the same function serving uses; with no Jira configured the sandbox is what would be served,
// so that is reported (and, unless --offline, started and checked) instead of a failure.
int run_doctor(const config::Startup& st) {
  const auto& cfg = st.config;
  jira::DoctorReport prelude;
  for (const auto& w : st.warnings) prelude.checks.push_back({"configuration", true, w, "", true});
  const tools::Selection selection{cfg.tools.toolsets, cfg.tools.enabled_tools, cfg.tools.disabled_tools,
                                   cfg.tools.read_only};
  if (auto resolved = tools::resolve_selection(selection); !resolved) {
    prelude.checks.push_back({"tools", false, resolved.error().message,
                              "fix the names above in tools.toolsets / tools.enabled_tools / tools.disabled_tools "
                              "(or their environment variables and flags)"});
  } else {
    std::size_t listed = 0;
    for (const auto& t : tools::catalog()) listed += resolved->offers(t) ? 1 : 0;
    std::string sets;
    for (const auto& s : resolved->toolsets) sets += (sets.empty() ? "" : ", ") + s;
    prelude.checks.push_back({"tools", true,
                              std::to_string(listed) + " tools offered (toolsets: " + (sets.empty() ? "none" : sets) +
                                  ")" + (resolved->read_only ? ", read-only" : ""),
                              ""});
    for (const auto& note : resolved->notes) {
      jira::DoctorCheck c{"tools", true, note, ""};
      c.info = true;
      prelude.checks.push_back(std::move(c));
    }
  }

  jira::ClientOptions o = jira::client_options_from_config(cfg);
  jira::DoctorOptions d;
  d.offline = st.offline;
  const bool serve_sandbox = st.use_sandbox || jira::jira_unconfigured(o);
  std::unique_ptr<net::RunningSandbox> sb;
  jira::DoctorReport report;
  if (serve_sandbox && jira::jira_unconfigured(o) && !st.use_sandbox) {
    report = jira::run_doctor(o, nullptr, d);  // says the sandbox would be served, and how to configure Jira
  }
  if (serve_sandbox && !st.offline) {
    auto started = net::start_sandbox(sandbox_options(cfg.sandbox));
    if (!started) {
      report.checks.push_back({"sandbox", false, "the built-in sandbox did not start: " + started.error().message,
                               "report this as a bug"});
    } else {
      sb = std::move(*started);
      use_sandbox(o, *sb);
      d.pings = 1;
      auto against_sandbox = jira::run_doctor(o, nullptr, d);
      for (auto& c : against_sandbox.checks) {
        if (c.name == "tls") continue;  // plain HTTP on loopback with demo credentials is by design
        c.name = "sandbox " + c.name;
        report.checks.push_back(std::move(c));
      }
      if (!against_sandbox.deployment.empty()) report.deployment = against_sandbox.deployment + " (sandbox)";
      report.user = against_sandbox.user;
    }
  } else if (!serve_sandbox) {
    report = jira::run_doctor(o, nullptr, d);
  }
  prelude.checks.insert(prelude.checks.end(), report.checks.begin(), report.checks.end());
  report.checks = std::move(prelude.checks);
  std::cout << jira::render(report) << std::flush;
  return report.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc gives each thread that allocates its own arena (up to 8 per core), and each keeps the
  // blocks freed in it. Two arenas on this 2-core target bound that: with 10,000 issues read
  // through the cache on 8 threads, RSS grew 72 MiB instead of 77-80 MiB for a 64 MiB budget.
  mallopt(M_ARENA_MAX, 2);
  install_signal_handlers();
  auto parsed = config::parse(argc, argv, config::environment_map(), JIRA_MCP_VERSION);
  if (!parsed) {
    const config::Startup* partial = servable_despite(parsed.error());
    if (!partial) {
      std::cerr << "jira-mcp: " << parsed.error().message << "\n";
      return 2;
    }
    init_logging(partial->config.server.log_level);
    for (const auto& w : partial->warnings) spdlog::warn("{}", w);
    try {
      return run_unconfigured(*partial, parsed.error().message);
    } catch (const std::exception& e) {
      spdlog::critical("fatal: {}", e.what());
      return 1;
    }
  }
  if (auto* exit_request = std::get_if<config::ExitRequest>(&*parsed)) {
    std::cout << exit_request->text << std::flush;
    return exit_request->code;
  }
  const auto& st = std::get<config::Startup>(*parsed);
  init_logging(st.config.server.log_level);
  for (const auto& w : st.warnings) spdlog::warn("{}", w);
  try {
    switch (st.command) {
      case config::Command::Serve: return run_serve(st);
      case config::Command::SandboxServe: return run_sandbox(st);
      case config::Command::Doctor: return run_doctor(st);
      case config::Command::Bench: return net::run_bench(st);
    }
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
  return 0;
}
