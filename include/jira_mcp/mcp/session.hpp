#pragma once
// Session: the state of one MCP connection (one stdio process, one HTTP session).
//
// Thread safety: every member function is thread-safe. The transport creates one Session per
// connection and passes it to Dispatcher::handle for every incoming message; handlers running
// on worker threads reach the client through it (notifications, server-to-client requests).
// Lock order: Session's own mutex is never held while calling into the Peer.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/protocol.hpp"

namespace jira_mcp::mcp {

// How the core reaches the client. Implemented by each transport.
// send() must be thread-safe and must not block on the client for long (queue it).
class Peer {
 public:
  virtual ~Peer() = default;
  virtual void send(const Json& message) = 0;
};

// Set when a request is cancelled by the client or the connection ends. Handlers poll it.
class CancelToken {
 public:
  bool cancelled() const noexcept { return flag_.load(std::memory_order_acquire); }
  void cancel() noexcept { flag_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};
using CancelTokenPtr = std::shared_ptr<CancelToken>;

class Session {
 public:
  explicit Session(Peer& peer, std::string id = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& id() const { return id_; }

  // Lifecycle, as negotiated by initialize.
  bool initialized() const;
  void set_initialized(std::string protocol_version, Json client_capabilities, Json client_info);
  std::string protocol_version() const;  // empty before initialize
  Json client_capabilities() const;
  Json client_info() const;
  bool client_supports(std::string_view capability) const;  // "elicitation", "sampling", "roots"

  // Logging (notifications/message) honours the level set by logging/setLevel.
  void set_log_level(LogLevel level);
  LogLevel log_level() const;
  // Sends notifications/message when `level` is at or above the session's level.
  // What the session sends goes through its Peer, or through `via` when given: the response
  // stream of the request it concerns (mcp::Inbound::sink).
  void log(LogLevel level, const Json& data, std::string_view logger = {}, Peer* via = nullptr);

  void notify(std::string_view method, std::optional<Json> params = std::nullopt, Peer* via = nullptr);

  // Requests from the client that are queued or running, for notifications/cancelled. A
  // transport registers a request when it queues it, so a cancellation that arrives while it
  // waits is not lost. end_request forgets the entry only while it still holds `token` (a later
  // request reusing the id keeps its own); without a token it forgets whatever holds the id.
  CancelTokenPtr begin_request(const Json& id);
  void end_request(const Json& id, const CancelTokenPtr& token = nullptr);
  // Cancels the named queued or in-flight request; false if it is neither.
  bool cancel_request(const Json& id);

  // What became of calls the client cancelled after they could have changed something (a write
  // that had started, a bulk run with its per-item outcomes, or a queued write that never
  // started), newest last; the oldest are forgotten past kCancelledOutcomesKept. The dispatcher
  // records them because a cancelled request gets no response; tools read them back
  // (jira_server_status) so the outcome stays retrievable after the notification is gone.
  static constexpr std::size_t kCancelledOutcomesKept = 16;
  void record_cancelled_outcome(Json outcome);
  std::vector<Json> cancelled_outcomes() const;

  // A request from server to client (sampling/createMessage, elicitation/create). Blocks until
  // the client answers, `timeout` passes, `cancel` is set, or the session closes. The client's
  // JSON-RPC error comes back as an RpcError.
  Result<Json, RpcError> request(std::string_view method, Json params,
                                 std::chrono::milliseconds timeout,
                                 const CancelTokenPtr& cancel = nullptr, Peer* via = nullptr);
  // Routes a client's response to the waiting request; false if nobody waits for that id.
  bool deliver_response(const Json& message);

  // Resource subscriptions.
  void subscribe(const std::string& uri);
  void unsubscribe(const std::string& uri);
  bool subscribed(const std::string& uri) const;

  // The client can send nothing more (end of input): pending and future server-to-client
  // requests fail at once, while in-flight requests run on and may still reply. Idempotent.
  void end_of_input();
  // The connection ended: also cancels every in-flight request. Idempotent.
  void close();
  bool closed() const;

 private:
  struct Pending {
    std::optional<Json> response;
    bool done = false;
  };
  Peer& peer_;
  std::string id_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool initialized_ = false;
  bool closed_ = false;
  bool input_closed_ = false;
  std::string protocol_version_;
  Json client_capabilities_ = Json::object();
  Json client_info_ = Json::object();
  std::atomic<LogLevel> log_level_{LogLevel::Info};
  std::map<std::string, CancelTokenPtr> in_flight_;  // key: compact id
  std::map<std::string, std::shared_ptr<Pending>> pending_;
  std::set<std::string> subscriptions_;
  std::deque<Json> cancelled_outcomes_;
  std::int64_t next_request_id_ = 1;
};

}  // namespace jira_mcp::mcp
