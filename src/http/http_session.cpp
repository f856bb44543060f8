#include "transport/http_session.hpp"

#include <spdlog/spdlog.h>

namespace jira_mcp::transport {

namespace detail {

mcp::CredentialsPtr credentials_of(const Identity& id) {
  if (id.empty()) return nullptr;
  return std::make_shared<const mcp::Credentials>(mcp::Credentials{id.key(), id.email, id.api_token, id.pat});
}

std::string sse_frame(std::string_view event, std::string_view data) {
  std::string f;
  f.reserve(event.size() + data.size() + 16);
  f.append("event: ").append(event).append("\ndata: ").append(data).append("\n\n");
  return f;
}

std::string event_id(std::uint64_t stream, std::uint64_t seq) {
  return std::to_string(stream) + "-" + std::to_string(seq);
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_event_id(std::string_view id) {
  auto number = [](std::string_view digits) -> std::optional<std::uint64_t> {
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
  };
  const auto dash = id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto stream = number(id.substr(0, dash)), seq = number(id.substr(dash + 1));
  if (!stream || !seq) return std::nullopt;
  return std::pair{*stream, *seq};
}

std::string priming_frame(std::uint64_t stream, std::uint64_t seq, std::chrono::milliseconds retry) {
  return "id: " + event_id(stream, seq) + "\nretry: " + std::to_string(retry.count()) + "\ndata: \n\n";
}

void PostStream::send(const Json& message) { write(sse_frame("message", dump_compact(message))); }

void PostStream::write(const std::string& frame) {
  std::lock_guard serial(mu);
  std::string id_line;
  if (log) {
    {
      std::lock_guard lock(owner->mu);
      id_line = "id: " + event_id(log->stream, owner->append_locked(*log, frame)) + "\n";
    }
    owner->cv.notify_all();  // a resumed reader may be waiting on this log
  }
  if (broken) return;
  // One write per event (an empty chunk would end the chunked body).
  const std::string event = id_line + frame;
  if (!sink->write(event.data(), event.size())) broken = true;
}

void SessionPeer::send(const Json& message) { owner_.push(sse_frame("message", dump_compact(message))); }

std::uint64_t HttpSession::append_locked(StreamLog& log, std::string frame) {
  const std::uint64_t seq = log.next_seq++;
  log.bytes += frame.size();
  log.events.emplace_back(seq, std::move(frame));
  while (log.events.size() > limits_.events || (log.bytes > limits_.bytes && log.events.size() > 1)) {
    log.bytes -= log.events.front().second.size();
    log.events.pop_front();
  }
  return seq;
}

void HttpSession::push(std::string frame) {
  {
    std::lock_guard lock(mu);
    if (ended) return;
    append_locked(*get_log_, std::move(frame));
  }
  cv.notify_all();
}

StreamLogPtr HttpSession::open_post_log() {
  std::lock_guard lock(mu);
  auto log = std::make_shared<StreamLog>(next_stream_++);
  std::size_t finished = 0;
  for (auto it = post_logs_.rbegin(); it != post_logs_.rend(); ++it) finished += it->second->done ? 1 : 0;
  for (auto it = post_logs_.begin(); it != post_logs_.end() && finished >= limits_.finished_post_streams;) {
    if (it->second->done) {
      it = post_logs_.erase(it);
      --finished;
    } else {
      ++it;
    }
  }
  post_logs_.emplace(log->stream, log);
  return log;
}

StreamLogPtr HttpSession::log_of_locked(std::uint64_t n) {
  if (n == 0) return get_log_;
  auto it = post_logs_.find(n);
  return it == post_logs_.end() ? nullptr : it->second;
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

}  // namespace detail

}  // namespace jira_mcp::transport
