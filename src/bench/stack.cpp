#include "bench/stack.hpp"

#include "jira_mcp/cache/from_config.hpp"
#include "jira_mcp/cluster/site.hpp"
#include "jira_mcp/config/config.hpp"
#include "jira_mcp/jira/from_config.hpp"
#include "jira_mcp/tools/render_memo.hpp"

#include <tuple>

namespace jira_mcp::bench::detail {
namespace {

// The fields jira_get_issue asks for (src/tools/issues.cpp kDefaultFields), so raw_get measures
// the same response the tool receives.
constexpr const char* kIssueFields =
    "summary,status,issuetype,priority,assignee,reporter,created,updated,duedate,resolutiondate,labels,"
    "components,fixVersions,parent,subtasks,issuelinks,description,comment";

// The one place where a variant becomes client options. The cache is the server's default
// configuration (config::CacheConfig{} mapped as main.cpp maps it); "cache_off" runs without
// one, as `enabled = false` does.
void apply_variant(jira::ClientOptions& o, const Variant& v, std::shared_ptr<cache::SharedTier> shared) {
  o.pooling = v.pooling;
  o.native_http = v.native_http;
  if (v.cache) {
    cache::Options co = cache::options_from_config(config::CacheConfig{});
    co.single_flight = v.single_flight;
    co.shared = std::move(shared);
    o.cache = std::make_shared<cache::Cache>(co);
  }
}

std::pair<std::uint64_t, std::uint64_t> hits_and_misses(const cache::Stats& s) {
  std::uint64_t hits = 0, misses = 0;
  for (const auto& t : s.tiers) {
    hits += t.hits;
    misses += t.misses;
  }
  return {hits, misses};
}

}  // namespace

std::string issue_key(int index) {
  static constexpr const char* kProjects[] = {"DEMO", "OPS", "WEB", "MOB"};
  return std::string(kProjects[index % 4]) + "-" + std::to_string(index / 4 + 1);
}

bool reply_ok(const std::string& reply) {
  // dump_compact sorts keys: {"id":..,"jsonrpc":"2.0","result":{"content":[..],"isError":..,...}}.
  // Inside text content a quote is escaped, so an unescaped "isError":true is the result's own.
  return reply.find("\"jsonrpc\":\"2.0\",\"result\":") != std::string::npos &&
         reply.find("\"isError\":true") == std::string::npos;
}

Result<std::unique_ptr<ServerStack>> ServerStack::create(const sandbox::Sandbox& sb, const StackOptions& options) {
  std::unique_ptr<ServerStack> s(new ServerStack());
  // The client the server builds from a default configuration, pointed at the sandbox, with the
  // bench's own rate limit and the variant on top.
  jira::ClientOptions o = jira::client_options_from_config(config::Config{});
  o.url = sb.base_url();
  const auto creds = sb.credentials();
  if (sb.flavor() == sandbox::Flavor::Cloud) {
    o.email = creds.email;
    o.api_token = creds.api_token;
    o.deployment = jira::DeploymentMode::cloud;
    s->api_prefix_ = "/rest/api/3";
  } else {
    o.pat = creds.pat;
    o.deployment = jira::DeploymentMode::datacenter;
    s->api_prefix_ = "/rest/api/2";
  }
  o.rate_rps = options.client_rate_rps;
  o.rate_burst = options.client_rate_burst;
  cluster::RedisOptions redis;
  if (options.fleet && options.variant.cache) {
    auto endpoint = cluster::parse_redis_url(options.fleet->redis_url);
    if (!endpoint) return unexpected(Error{"bench.setup", endpoint.error().message});
    redis.endpoint = *endpoint;
    s->shared_ = std::make_shared<cluster::RedisSharedTier>(
        std::shared_ptr<cluster::RedisClient>(cluster::make_redis_client(redis)),
        cluster::SharedCacheOptions{.key_prefix = "jira-mcp-bench:",
                                    .site = cluster::site_hash(o.url),
                                    .instance_id = options.fleet->instance_id});
  }
  apply_variant(o, options.variant, s->shared_);
  s->cache_ = o.cache;
  if (s->shared_) {
    auto feed_options = redis;
    feed_options.command_timeout += std::chrono::milliseconds(200);
    s->feed_ = std::make_unique<cluster::InvalidationFeed>(cluster::make_redis_client(feed_options), *s->cache_,
                                                           *s->shared_);
  }
  auto client = jira::Client::create(o);
  if (!client) return unexpected(Error{"bench.setup", client.error().to_string()});
  s->client_ = std::move(*client);
  s->services_ = std::make_shared<tools::Services>();
  s->services_->client = s->client_.get();
  s->services_->options.fast_parse = options.variant.fast_parse;
  if (options.variant.cache && options.variant.render_memo) {
    const config::CacheConfig defaults;  // the server's default budget
    s->services_->render_memo =
        std::make_shared<tools::RenderMemo>(defaults.render_cache_max_bytes, defaults.render_cache_max_bytes / 1024);
  }

  mcp::RegistryBuilder builder;
  if (auto r = tools::register_tools(builder, s->services_, tools::Selection{{"all"}, {}, {}, false}); !r)
    return unexpected(Error{"bench.setup", r.error().message});
  auto registry = builder.freeze();
  if (!registry) return unexpected(Error{"bench.setup", registry.error().message});
  mcp::DispatcherOptions dopts;
  if (options.variant.buffer_pool) {
    const config::PerformanceConfig defaults;  // the server's default pool
    dopts.buffers = std::make_shared<core::BufferPool>(static_cast<std::size_t>(defaults.object_pool_size),
                                                       defaults.string_pool_capacity);
  }
  s->dispatcher_ =
      std::make_unique<mcp::Dispatcher>(*registry, mcp::ServerInfo{"jira-mcp", "Jira MCP", "bench", ""}, dopts);
  s->session_ = std::make_unique<mcp::Session>(s->peer_, "bench");
  const Json init{{"jsonrpc", "2.0"},
                  {"id", 0},
                  {"method", "initialize"},
                  {"params",
                   {{"protocolVersion", "2025-06-18"},
                    {"capabilities", Json::object()},
                    {"clientInfo", {{"name", "jira-mcp-bench"}, {"version", "1"}}}}}};
  auto reply = s->dispatcher_->handle(init, *s->session_);
  if (!reply || !reply->contains("result"))
    return unexpected(Error{"bench.setup", "initialize failed: " + (reply ? reply->dump() : std::string("no reply"))});
  s->dispatcher_->handle(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}, *s->session_);
  return s;
}

ServerStack::~ServerStack() {
  feed_.reset();
  if (session_) session_->close();
}

void ServerStack::call(const std::string& tool, const Json& arguments, Recorder& rec, mcp::Era era) {
  run_call(tool, arguments, rec, nullptr, era);
}

std::string ServerStack::call_text(const std::string& tool, const Json& arguments, Recorder& rec) {
  std::string out;
  run_call(tool, arguments, rec, &out, mcp::Era::Legacy);
  return out;
}

void ServerStack::run_call(const std::string& tool, const Json& arguments, Recorder& rec, std::string* copy,
                           mcp::Era era) {
  Json params{{"name", tool}, {"arguments", arguments}};
  if (era == mcp::Era::Stateless) {
    // What a 2026-07-28 client sends on every request.
    params["_meta"] = Json{{mcp::meta_key::kProtocolVersion, mcp::kStatelessProtocolVersion},
                           {mcp::meta_key::kClientCapabilities, Json::object()},
                           {mcp::meta_key::kClientInfo, {{"name", "jira-mcp-bench"}, {"version", "1"}}}};
  }
  const std::string text = dump_compact(Json{{"jsonrpc", "2.0"},
                                             {"id", next_id_.fetch_add(1, std::memory_order_relaxed)},
                                             {"method", "tools/call"},
                                             {"params", std::move(params)}});
  const auto start = std::chrono::steady_clock::now();
  bool ok = false;
  std::chrono::steady_clock::duration elapsed{};
  {
    auto reply = dispatcher_->handle_text(text, *session_);
    ok = reply && reply_ok(**reply);
    if (!copy) {
      reply.reset();  // the buffer goes back to the pool inside the timing, as a transport's does
      elapsed = std::chrono::steady_clock::now() - start;
    } else {
      elapsed = std::chrono::steady_clock::now() - start;
      if (reply) *copy = **reply;
    }
  }
  rec.add(elapsed, ok);
}

void ServerStack::raw_get(const std::string& key, Recorder& rec) {
  const auto start = std::chrono::steady_clock::now();
  auto r = client_->get(api_prefix_ + "/issue/" + key, {{"fields", kIssueFields}});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  rec.add(elapsed, r.ok() && r->status / 100 == 2);
}

bool ServerStack::has_tool(const std::string& name) const {
  for (const auto& t : dispatcher_->registry().tools()) {
    if (t.spec.name == name) return true;
  }
  return false;
}

void ServerStack::mark_cache() {
  if (!cache_) return;
  std::tie(hits_mark_, misses_mark_) = hits_and_misses(cache_->stats());
}

std::optional<double> ServerStack::cache_hit_rate() const {
  if (!cache_) return std::nullopt;
  auto [hits, misses] = hits_and_misses(cache_->stats());
  hits -= hits_mark_;
  misses -= misses_mark_;
  if (hits + misses == 0) return std::nullopt;
  return static_cast<double>(hits) / static_cast<double>(hits + misses);
}

std::optional<cache::Stats> ServerStack::cache_stats() const {
  if (!cache_) return std::nullopt;
  return cache_->stats();
}

std::optional<std::int64_t> ServerStack::issue_cache_budget_bytes() const {
  if (!cache_) return std::nullopt;
  return static_cast<std::int64_t>(cache_->options().issues.max_bytes);
}

}  // namespace jira_mcp::bench::detail
