#include "jira_mcp/mcp/session.hpp"

#include <spdlog/spdlog.h>

namespace jira_mcp::mcp {

Session::Session(Peer& peer, std::string id) : peer_(peer), id_(std::move(id)) {}

Session::~Session() { close(); }

bool Session::initialized() const {
  std::lock_guard lock(mu_);
  return initialized_;
}

void Session::set_initialized(std::string protocol_version, Json client_capabilities, Json client_info) {
  std::lock_guard lock(mu_);
  initialized_ = true;
  protocol_version_ = std::move(protocol_version);
  client_capabilities_ = client_capabilities.is_object() ? std::move(client_capabilities) : Json::object();
  client_info_ = client_info.is_object() ? std::move(client_info) : Json::object();
}

std::string Session::protocol_version() const {
  std::lock_guard lock(mu_);
  return protocol_version_;
}

Json Session::client_capabilities() const {
  std::lock_guard lock(mu_);
  return client_capabilities_;
}

Json Session::client_info() const {
  std::lock_guard lock(mu_);
  return client_info_;
}

bool Session::client_supports(std::string_view capability) const {
  std::lock_guard lock(mu_);
  auto it = client_capabilities_.find(capability);
  return it != client_capabilities_.end() && it->is_object();
}

void Session::set_log_level(LogLevel level) { log_level_.store(level, std::memory_order_relaxed); }

LogLevel Session::log_level() const { return log_level_.load(std::memory_order_relaxed); }

void Session::log(LogLevel level, const Json& data, std::string_view logger, Peer* via) {
  if (level < log_level() || closed()) return;
  Json params{{"level", to_string(level)}, {"data", data}};
  if (!logger.empty()) params["logger"] = logger;
  (via ? *via : peer_).send(make_notification("notifications/message", std::move(params)));
}

void Session::notify(std::string_view method, std::optional<Json> params, Peer* via) {
  if (closed()) return;
  (via ? *via : peer_).send(make_notification(method, std::move(params)));
}

CancelTokenPtr Session::begin_request(const Json& id) {
  auto token = std::make_shared<CancelToken>();
  std::lock_guard lock(mu_);
  if (closed_) token->cancel();
  in_flight_[dump_compact(id)] = token;
  return token;
}

void Session::end_request(const Json& id, const CancelTokenPtr& token) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(dump_compact(id));
  if (it != in_flight_.end() && (!token || it->second == token)) in_flight_.erase(it);
}

bool Session::cancel_request(const Json& id) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(dump_compact(id));
  if (it == in_flight_.end()) return false;
  it->second->cancel();
  return true;
}

void Session::record_cancelled_outcome(Json outcome) {
  std::lock_guard lock(mu_);
  cancelled_outcomes_.push_back(std::move(outcome));
  while (cancelled_outcomes_.size() > kCancelledOutcomesKept) cancelled_outcomes_.pop_front();
}

std::vector<Json> Session::cancelled_outcomes() const {
  std::lock_guard lock(mu_);
  return {cancelled_outcomes_.begin(), cancelled_outcomes_.end()};
}

Result<Json, RpcError> Session::request(std::string_view method, Json params,
                                        std::chrono::milliseconds timeout,
                                        const CancelTokenPtr& cancel, Peer* via) {
  auto pending = std::make_shared<Pending>();
  Json id;
  {
    std::lock_guard lock(mu_);
    if (closed_ || input_closed_) return unexpected(RpcError{rpc::kInternalError, "the connection to the client is closed", {}});
    id = next_request_id_++;
    pending_[dump_compact(id)] = pending;
  }
  (via ? *via : peer_).send(make_request(id, method, std::move(params)));

  // Wait in short slices so a cancellation is noticed promptly without a second wake-up path.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mu_);
  for (;;) {
    if (pending->done) break;
    if (closed_ || input_closed_) break;
    if (cancel && cancel->cancelled()) break;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::milliseconds(50)));
  }
  pending_.erase(dump_compact(id));
  if (!pending->done || !pending->response) {
    if (closed_ || input_closed_) return unexpected(RpcError{rpc::kInternalError, "the connection to the client closed before it answered", {}});
    if (cancel && cancel->cancelled()) return unexpected(RpcError{rpc::kInternalError, "the request was cancelled", {}});
    return unexpected(RpcError{rpc::kRequestTimeout,
                               "the client did not answer " + std::string(method) + " within " +
                                   std::to_string(timeout.count()) + " ms",
                               {}});
  }
  const Json& response = *pending->response;
  if (auto err = response.find("error"); err != response.end()) {
    RpcError e;
    e.code = err->is_object() && err->contains("code") && (*err)["code"].is_number_integer() ? (*err)["code"].get<int>() : rpc::kInternalError;
    e.message = string_or(*err, "message", "the client answered with an error");
    if (err->is_object() && err->contains("data")) e.data = (*err)["data"];
    return unexpected(std::move(e));
  }
  auto res = response.find("result");
  return res != response.end() ? *res : Json::object();
}

bool Session::deliver_response(const Json& message) {
  auto id_it = message.find("id");
  if (id_it == message.end()) return false;
  std::lock_guard lock(mu_);
  auto it = pending_.find(dump_compact(*id_it));
  if (it == pending_.end()) return false;
  it->second->response = message;
  it->second->done = true;
  cv_.notify_all();
  return true;
}

void Session::subscribe(const std::string& uri) {
  std::lock_guard lock(mu_);
  subscriptions_.insert(uri);
}

void Session::unsubscribe(const std::string& uri) {
  std::lock_guard lock(mu_);
  subscriptions_.erase(uri);
}

bool Session::subscribed(const std::string& uri) const {
  std::lock_guard lock(mu_);
  return subscriptions_.count(uri) != 0;
}

void Session::end_of_input() {
  std::lock_guard lock(mu_);
  input_closed_ = true;
  cv_.notify_all();
}

void Session::close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  for (auto& [id, token] : in_flight_) token->cancel();
  cv_.notify_all();
}

bool Session::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace jira_mcp::mcp
