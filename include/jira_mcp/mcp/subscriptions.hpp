#pragma once
// SubscriptionHub: the listeners of `subscriptions/listen` (MCP 2026-07-28) and the change events
// fanned out to them.
//
// A listener is one open `subscriptions/listen` request: the transport keeps its response stream
// open (HTTP: the POST's SSE body; stdio: the request simply stays unanswered) and hands the hub a
// Sink that puts a message on that stream. The hub sends the acknowledgement first, then every
// change the listener opted into, each tagged with
// _meta["io.modelcontextprotocol/subscriptionId"] = the listen request's JSON-RPC id.
// Publishers (a tool that changed the tool list, the Jira client after a write to an issue) call
// the publish functions; they never learn who listens.
//
// Bounded: at most `max_listeners` at once; listen() refuses beyond that (the transport answers
// with a busy error). A listener ends when its Listener handle is destroyed (the client closed the
// stream or cancelled, the connection ended, or the server stops).
//
// Thread safety: every member is thread-safe. Sinks are called outside the hub's lock (a copy of
// the matching sinks is taken under it), possibly from several publishing threads at once, and
// must not block for long (queue the message). The acknowledgement is passed to the sink inside
// listen(), before the listener becomes visible to publishers, so it always comes first.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/protocol.hpp"

namespace jira_mcp::mcp {

inline constexpr std::string_view kSubscriptionIdKey = "io.modelcontextprotocol/subscriptionId";

// The `notifications` filter of a listen request (what the client opted into), or what the
// server agreed to (the acknowledgement's copy).
struct SubscriptionFilter {
  bool tools_list_changed = false;
  bool prompts_list_changed = false;
  bool resources_list_changed = false;
  std::vector<std::string> resource_uris;  // resourceSubscriptions, in the client's order, unique

  Json to_json() const;
};

// Reads params.notifications leniently (absent fields are false / empty); -32602 when a field
// has the wrong type, naming it.
Result<SubscriptionFilter, RpcError> parse_subscription_filter(const Json& params);

struct SubscriptionOptions {
  std::size_t max_listeners = 64;
  // What this server can deliver; what it cannot is left out of the acknowledgement.
  bool tools_list_changed = false;
  bool prompts_list_changed = false;
  bool resources_list_changed = false;
  // Which resource URIs may be subscribed (none: every URI). An URI refused here is left out of
  // the acknowledgement.
  std::function<bool(std::string_view uri)> resource_supported;
};

class SubscriptionHub {
 public:
  using Sink = std::function<void(const Json& message)>;

  // Unregisters its listener when destroyed. Move-only.
  class Listener {
   public:
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    ~Listener();
    const Json& id() const { return id_; }
    // What was acknowledged.
    const SubscriptionFilter& filter() const { return filter_; }

   private:
    friend class SubscriptionHub;
    Listener(SubscriptionHub& hub, std::uint64_t key, Json id, SubscriptionFilter filter)
        : hub_(hub), key_(key), id_(std::move(id)), filter_(std::move(filter)) {}
    SubscriptionHub& hub_;
    std::uint64_t key_;
    Json id_;
    SubscriptionFilter filter_;
  };

  explicit SubscriptionHub(SubscriptionOptions options = {});
  SubscriptionHub(const SubscriptionHub&) = delete;
  SubscriptionHub& operator=(const SubscriptionHub&) = delete;

  // Opens a listener for the listen request `id` wanting `requested`: sends the acknowledgement
  // through `sink`, then registers it. kServerBusy when max_listeners are open. The hub must
  // outlive the returned handle.
  Result<std::unique_ptr<Listener>, RpcError> listen(const Json& id, const SubscriptionFilter& requested, Sink sink);

  void tools_list_changed();
  void prompts_list_changed();
  void resources_list_changed();
  void resource_updated(const std::string& uri);

  std::size_t listeners() const;

  // The response that ends listener `id` gracefully (the server ends it, e.g. at shutdown).
  static Json closing_response(const Json& id);

 private:
  struct Entry {
    Json id;
    SubscriptionFilter filter;
    Sink sink;
  };
  void remove(std::uint64_t key);
  // Sends `method` with `params` (tagged per listener) to every listener `wants` accepts.
  void publish(std::string_view method, const Json& params, const std::function<bool(const Entry&)>& wants);

  const SubscriptionOptions options_;
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::shared_ptr<const Entry>> entries_;
  std::uint64_t next_key_ = 1;
};

}  // namespace jira_mcp::mcp
