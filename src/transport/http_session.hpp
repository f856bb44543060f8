#pragma once
// One HTTP session: the mcp::Session the dispatcher sees, the client's bound identity, and the
// event logs of its SSE streams.
//
// Where a message goes: a POST whose reply is an SSE stream hands its PostStream to the
// dispatcher as the request's notification sink (mcp::Inbound::sink); what the call sends about
// itself (progress, log messages, elicitation) goes there, in order, before the response.
// Anything else goes to the session's GET stream (the Streamable HTTP GET stream, or the legacy
// /sse stream) through SessionPeer.
//
// Resumability (MCP 2025-11-25): every stream has a StreamLog, the bounded tail of what it
// carried. Stream 0 is the GET stream; POST streams are numbered 1, 2, ... per session. An
// event's id is "<stream>-<seq>" (seq from 1; "<stream>-0" is the priming event that opens a
// stream), unique within the session. The GET log doubles as the GET stream's outbox: its
// reader keeps a cursor into it, so a message sent while no GET stream is open is kept (up to
// the bound) for a client that reconnects with Last-Event-ID, and a fresh GET starts at the end.
// A POST stream keeps logging after its client went away, so a GET with Last-Event-ID
// "<n>-<seq>" replays the rest of that call (its response included) and ends with it.
//
// Thread safety: the mutable fields below, the StreamLogs included, are guarded by `mu`; `cv` is
// signalled when any log gains an event or finishes, or the session ends.
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "jira_mcp/mcp/inbound.hpp"
#include "jira_mcp/mcp/session.hpp"
#include "jira_mcp/transport/http.hpp"

namespace jira_mcp::transport::detail {

// "event: <event>\ndata: <data>\n\n"; `data` is compact JSON (no newlines).
std::string sse_frame(std::string_view event, std::string_view data);
// "<stream>-<seq>"
std::string event_id(std::uint64_t stream, std::uint64_t seq);
// The (stream, seq) of a Last-Event-ID value; nullopt when it is not one of ours.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_event_id(std::string_view id);
// The frame that opens a resumable stream: an id, the reconnection delay and empty data.
std::string priming_frame(std::uint64_t stream, std::uint64_t seq, std::chrono::milliseconds retry);

struct ReplayLimits {
  std::size_t events = 256;      // per stream
  std::size_t bytes = 1u << 20;  // per stream (the newest event is kept even when larger)
  std::size_t finished_post_streams = 4;  // finished POST streams kept per session
};

// One stream's retained events, oldest first. Guarded by the owning session's mu.
struct StreamLog {
  explicit StreamLog(std::uint64_t n) : stream(n) {}
  const std::uint64_t stream;
  std::deque<std::pair<std::uint64_t, std::string>> events;  // (seq, frame without its id line)
  std::uint64_t next_seq = 1;
  std::size_t bytes = 0;
  bool done = false;  // a POST stream whose response is logged: nothing more will come
};
using StreamLogPtr = std::shared_ptr<StreamLog>;

class HttpSession;

// `id` as the dispatcher carries it (mcp::Inbound::identity), its key computed once; null when
// the client presented no credentials.
mcp::CredentialsPtr credentials_of(const Identity& id);

// The SSE body of one POST, and the sink of that POST's call (mcp::Inbound::sink). Lives on the
// stack of the content provider for the whole call. write() and send() are serialized by `mu`
// (a tool may report from a helper thread); `broken` is read after the call under no lock.
struct PostStream final : mcp::Peer {
  PostStream(HttpSession* o, httplib::DataSink* s, StreamLogPtr l) : owner(o), sink(s), log(std::move(l)) {}
  HttpSession* const owner;
  httplib::DataSink* const sink;
  const StreamLogPtr log;  // null in stateless mode (nothing to resume)
  bool broken = false;     // the client went away; frames are still logged for a resume

  void write(const std::string& frame);
  void send(const Json& message) override;

 private:
  std::mutex mu;
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

  HttpSession(std::string id, Identity identity, bool legacy, TimePoint now, ReplayLimits limits = {})
      : id_(std::move(id)),
        identity_(std::move(identity)),
        credentials_(credentials_of(identity_)),
        legacy_(legacy),
        limits_(limits),
        peer_(*this),
        session_(peer_, id_) {
    last_active = now;
  }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  const std::string& id() const { return id_; }
  const Identity& identity() const { return identity_; }
  // What a request of this session brings to the dispatcher: its identity, and `sink` (the
  // POST's stream) when it has one.
  mcp::Inbound inbound(mcp::Peer* sink = nullptr) const { return mcp::Inbound{credentials_, sink}; }
  bool legacy() const { return legacy_; }
  mcp::Session& session() { return session_; }

  // Logs a frame for the GET/legacy stream (kept for replay even when no stream is open).
  void push(std::string frame);
  // A new POST stream's log (the oldest finished ones beyond the limit are forgotten).
  StreamLogPtr open_post_log();
  // The log of stream `n` (0: the GET stream), or null when it is no longer kept. Needs `mu`.
  StreamLogPtr log_of_locked(std::uint64_t n);
  // Appends to `log` and returns the event's seq. Needs `mu`.
  std::uint64_t append_locked(StreamLog& log, std::string frame);
  // Ends the session: streams close, in-flight requests are cancelled. Idempotent.
  void end();

  std::mutex mu;
  std::condition_variable cv;
  bool get_open = false;     // a GET (or legacy) stream is attached
  bool ended = false;
  std::size_t streams = 0;   // open SSE streams, GET and POST
  std::size_t busy = 0;      // requests being handled
  TimePoint last_active;
  bool used = false;         // a request came after initialize (legacy: a POST to /messages)
  std::string client;        // the client's address; set before the session is shared, then const

 private:
  const std::string id_;
  const Identity identity_;
  const mcp::CredentialsPtr credentials_;  // identity_ as the dispatcher sees it; null when empty
  const bool legacy_;
  const ReplayLimits limits_;
  const StreamLogPtr get_log_ = std::make_shared<StreamLog>(0);
  std::map<std::uint64_t, StreamLogPtr> post_logs_;  // by stream number
  std::uint64_t next_stream_ = 1;
  SessionPeer peer_;
  mcp::Session session_;
};

}  // namespace jira_mcp::transport::detail
