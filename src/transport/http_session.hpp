#pragma once
// One HTTP session: the mcp::Session the dispatcher sees, the client's bound identity, and
// the outbox of its server→client stream (the Streamable HTTP GET stream, or the legacy /sse
// stream).
//
// Where a message goes: a handler running on the thread of a POST whose reply is an SSE stream
// has that stream installed in a thread-local (PostStream::current); everything the session
// sends from that thread goes there, in order, before the response. Anything else goes to the
// outbox, which the GET stream's worker drains; with no GET stream open it is dropped (the
// spec lets a server drop messages nobody listens for).
//
// Thread safety: the mutable fields below are guarded by `mu`; `cv` is signalled when the
// outbox gains a frame or the session ends.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "jira_mcp/mcp/session.hpp"
#include "jira_mcp/transport/http.hpp"

namespace jira_mcp::transport::detail {

// "event: <event>\ndata: <data>\n\n"; `data` is compact JSON (no newlines).
std::string sse_frame(std::string_view event, std::string_view data);

class HttpSession;

// The SSE body of one POST, written only by the thread running that POST's call.
struct PostStream {
  HttpSession* owner = nullptr;
  httplib::DataSink* sink = nullptr;
  bool broken = false;  // the client went away; later frames are dropped

  void write(const std::string& frame) {
    if (!broken && !sink->write(frame.data(), frame.size())) broken = true;
  }
  static thread_local PostStream* current;
};

class SessionPeer final : public mcp::Peer {
 public:
  explicit SessionPeer(HttpSession& owner) : owner_(owner) {}
  void send(const Json& message) override;

 private:
  HttpSession& owner_;
};

class HttpSession {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxOutbox = 1024;  // frames waiting for a slow GET stream

  HttpSession(std::string id, Identity identity, bool legacy, TimePoint now)
      : id_(std::move(id)), identity_(std::move(identity)), legacy_(legacy), peer_(*this),
        session_(peer_, id_) {
    last_active = now;
  }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  const std::string& id() const { return id_; }
  const Identity& identity() const { return identity_; }
  bool legacy() const { return legacy_; }
  mcp::Session& session() { return session_; }

  // Queues a frame for the GET/legacy stream (dropped when none is open or the outbox is full).
  void push(std::string frame);
  // Ends the session: streams close, in-flight requests are cancelled. Idempotent.
  void end();

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> outbox;
  bool get_open = false;     // a GET (or legacy) stream is attached
  bool ended = false;
  std::size_t streams = 0;   // open SSE streams, GET and POST
  std::size_t busy = 0;      // requests being handled
  TimePoint last_active;

 private:
  const std::string id_;
  const Identity identity_;
  const bool legacy_;
  SessionPeer peer_;
  mcp::Session session_;
};

// Sets current_identity() for the scope of one dispatch.
class IdentityScope {
 public:
  explicit IdentityScope(const Identity& id);
  ~IdentityScope();
  IdentityScope(const IdentityScope&) = delete;
  IdentityScope& operator=(const IdentityScope&) = delete;

 private:
  const Identity* previous_;
};

}  // namespace jira_mcp::transport::detail
