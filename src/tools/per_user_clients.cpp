#include "jira_mcp/tools/per_user_clients.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace jira_mcp::tools {

PerUserClients::PerUserClients(jira::ClientOptions base, std::size_t capacity)
    : base_(std::move(base)), capacity_(std::max<std::size_t>(1, capacity)) {}

jira::ClientOptions PerUserClients::options_for(const jira::ClientOptions& base, const UserCredentials& who) {
  jira::ClientOptions o = base;
  o.username.clear();
  o.password.clear();
  if (!who.pat.empty()) {
    o.pat = who.pat;
    o.email.clear();
    o.api_token.clear();
  } else {
    o.pat.clear();
    o.email = who.email;
    o.api_token = who.api_token;
  }
  o.identity = who.key;
  return o;
}

Result<std::shared_ptr<jira::Client>, jira::JiraError> PerUserClients::get(const UserCredentials& who) {
  std::shared_ptr<jira::Client> evicted;  // released outside the lock (its destructor joins threads)
  std::lock_guard lock(mu_);
  if (auto it = clients_.find(who.key); it != clients_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.client;
  }
  // Creating a client does no I/O (the deployment is detected on first use), so holding the
  // lock here only serializes the first call of two new users.
  auto created = jira::Client::create(options_for(base_, who));
  if (!created) return unexpected(std::move(created).error());
  std::shared_ptr<jira::Client> client = std::move(*created);
  if (clients_.size() >= capacity_) {
    auto oldest = clients_.find(lru_.back());
    evicted = std::move(oldest->second.client);
    clients_.erase(oldest);
    lru_.pop_back();
    spdlog::debug("per-user Jira clients: the least recently used one was dropped (capacity {})", capacity_);
  }
  lru_.push_front(who.key);
  clients_.emplace(who.key, Entry{client, lru_.begin()});
  spdlog::info("Jira client created for {}", who.key);
  return client;
}

std::size_t PerUserClients::size() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

}  // namespace jira_mcp::tools
