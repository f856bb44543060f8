#include "transport/http_session.hpp"

#include <spdlog/spdlog.h>

namespace jira_mcp::transport {

namespace {
thread_local const Identity* t_identity = nullptr;
}  // namespace

const Identity* current_identity() { return t_identity; }

namespace detail {

thread_local PostStream* PostStream::current = nullptr;

std::string sse_frame(std::string_view event, std::string_view data) {
  std::string f;
  f.reserve(event.size() + data.size() + 16);
  f.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
  return f;
}

void SessionPeer::send(const Json& message) {
  if (auto* stream = PostStream::current; stream && stream->owner == &owner_) {
    stream->write(sse_frame("message", dump_compact(message)));
    return;
  }
  owner_.push(sse_frame("message", dump_compact(message)));
}

void HttpSession::push(std::string frame) {
  {
    std::lock_guard lock(mu);
    if (ended || !get_open) {
      spdlog::debug("session {}: no stream open; a server message was dropped", id_.substr(0, 8));
      return;
    }
    if (outbox.size() >= kMaxOutbox) {
      spdlog::warn("session {}: the client reads its stream too slowly; a server message was dropped",
                   id_.substr(0, 8));
      return;
    }
    outbox.push_back(std::move(frame));
  }
  cv.notify_all();
}

void HttpSession::end() {
  {
    std::lock_guard lock(mu);
    if (ended) return;
    ended = true;
  }
  cv.notify_all();
  session_.close();
}

IdentityScope::IdentityScope(const Identity& id) : previous_(t_identity) {
  t_identity = id.empty() ? nullptr : &id;
}
IdentityScope::~IdentityScope() { t_identity = previous_; }

}  // namespace detail
}  // namespace jira_mcp::transport
