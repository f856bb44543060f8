#pragma once
// The server stack one benchmark run drives: a Session and Dispatcher over the real tool registry
// and a jira::Client pointed at the sandbox. One ServerStack per run, so every run starts with an
// empty response cache and a cold connection pool.
//
// Thread safety: call() and raw_get() may run concurrently from many threads (the Dispatcher,
// Session and Client are thread-safe); construction and destruction are single-threaded.
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "bench/driver.hpp"
#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/cluster/shared_cache.hpp"
#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/mcp/context.hpp"
#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/mcp/session.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"
#include "jira_mcp/tools/tools.hpp"

namespace jira_mcp::bench::detail {

// Which features of the client are on. The full configuration has all of them.
struct Variant {
  std::string name = "full";
  bool pooling = true;
  bool cache = true;
  bool single_flight = true;
  bool render_memo = true;  // rendered results of cached documents (tools::RenderMemo)
  bool buffer_pool = true;  // replies serialized into pooled buffers (core::BufferPool)
  bool fast_parse = true;   // uncached reads parsed in place (tools::Options::fast_parse)
  bool native_http = true;  // the native Jira connection (jira_http/wire.cpp); false: cpp-httplib's
};


struct StackOptions {
  Variant variant;
  double client_rate_rps = 0;  // the client's own limiter; 0 = unlimited
  double client_rate_burst = 20;
  // Fleet mode: the cache's shared level in this Redis, as this instance; null: none. (A pointer:
  // string members here trip GCC 12's -Wmaybe-uninitialized where StackOptions is a temporary.)
  struct Fleet {
    std::string redis_url;  // unix://...
    std::string instance_id;
  };
  std::shared_ptr<const Fleet> fleet;
};

// Drops every message the core sends to the client (progress, log notifications).
class NullPeer final : public mcp::Peer {
 public:
  void send(const Json&) override {}
};

class ServerStack {
 public:
  static Result<std::unique_ptr<ServerStack>> create(const sandbox::Sandbox& sb, const StackOptions& options);
  ~ServerStack();
  ServerStack(const ServerStack&) = delete;
  ServerStack& operator=(const ServerStack&) = delete;

  // One tools/call, serialized, handed to Dispatcher::handle_text (parse → handle → serialize, as
  // the stdio transport does per line) and timed into `rec`, up to the reply's buffer going back
  // to its pool. call_text() also returns the serialized reply (copied outside the timing).
  // Era::Legacy sends a request of the stack's initialized 2025 session; Era::Stateless a
  // 2026-07-28 request whose params._meta carries the version, capabilities and client info.
  void call(const std::string& tool, const Json& arguments, Recorder& rec, mcp::Era era = mcp::Era::Legacy);
  std::string call_text(const std::string& tool, const Json& arguments, Recorder& rec);
  // A raw client GET of one issue with the fields jira_get_issue asks for: the sandbox's own
  // response time plus the client, without the MCP layer.
  void raw_get(const std::string& key, Recorder& rec);

  bool has_tool(const std::string& name) const;
  jira::Client& client() { return *client_; }
  // Starts the window cache_hit_rate() looks at (construction starts one too).
  void mark_cache();
  // Hits ÷ lookups of the response cache since mark_cache() (empty: no cache, or no lookups).
  std::optional<double> cache_hit_rate() const;
  // What the cache holds now, over all tiers (empty: no cache).
  std::optional<cache::Stats> cache_stats() const;
  // The issues tier's byte budget (empty: no cache).
  std::optional<std::int64_t> issue_cache_budget_bytes() const;

 private:
  ServerStack() = default;
  void run_call(const std::string& tool, const Json& arguments, Recorder& rec, std::string* copy, mcp::Era era);
  NullPeer peer_;
  std::unique_ptr<mcp::Session> session_;
  std::unique_ptr<jira::Client> client_;
  std::shared_ptr<tools::Services> services_;
  std::unique_ptr<mcp::Dispatcher> dispatcher_;
  std::string api_prefix_;
  std::shared_ptr<cache::Cache> cache_;
  std::shared_ptr<cluster::RedisSharedTier> shared_;
  std::unique_ptr<cluster::InvalidationFeed> feed_;  // stopped first by ~ServerStack
  std::uint64_t hits_mark_ = 0, misses_mark_ = 0;
  std::atomic<std::int64_t> next_id_{1};
};

// Whether a serialized tools/call reply is a successful result (not a JSON-RPC error, not
// isError). Looks at the text without parsing it, so the check costs little next to the call.
bool reply_ok(const std::string& reply);

// The i-th issue key of a sandbox dataset (issues are dealt round-robin to DEMO, OPS, WEB, MOB).
std::string issue_key(int index);

}  // namespace jira_mcp::bench::detail
