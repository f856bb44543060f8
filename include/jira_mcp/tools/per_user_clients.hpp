#pragma once
// PerUserClients: one jira::Client per end user, for a team server whose HTTP clients present
// their own Jira credentials (transport::Identity). The composition root builds one from the
// configured ClientOptions and resolves Services::client_for_call through it.
//
// Each user's client is the configured options with that user's credentials substituted
// (email + API token → Basic on Cloud; a personal access token → Bearer), so it has its own
// rate limiter, connection pool and executor threads. The response cache object and the call
// observer are shared (one memory budget, one set of metrics); cache entries are still
// partitioned, because ClientOptions::identity is set to the user's key and every cache key
// carries a SHA-256 of it.
//
// Bounded: at most `capacity` clients; the least recently used one is forgotten when a new user
// arrives. A call that still holds it keeps it alive (shared_ptr) until the call ends.
//
// Thread safety: get() and size() may be called from any thread.
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/jira/options.hpp"

namespace jira_mcp::tools {

// Credentials one user presented. `key` identifies them without the secrets (e.g.
// transport::Identity::key()); two different credential sets must have different keys.
struct UserCredentials {
  std::string key;
  std::string email, api_token;  // Jira Cloud
  std::string pat;               // Jira Data Center personal access token (wins when set)
};

class PerUserClients {
 public:
  static constexpr std::size_t kDefaultCapacity = 64;

  // `base`: the configured client options (URL, TLS, proxy, timeouts, limits, cache, observer);
  // its own credentials are never used for a user.
  explicit PerUserClients(jira::ClientOptions base, std::size_t capacity = kDefaultCapacity);

  // The user's client, created on first use. Errors: the credentials do not make valid client
  // options (e.g. a PAT against a Cloud-only configuration); never another user's client.
  Result<std::shared_ptr<jira::Client>, jira::JiraError> get(const UserCredentials& who);

  std::size_t size() const;

  // The options a user's client is created with (exposed for tests).
  static jira::ClientOptions options_for(const jira::ClientOptions& base, const UserCredentials& who);

 private:
  struct Entry {
    std::shared_ptr<jira::Client> client;
    std::list<std::string>::iterator lru;
  };
  jira::ClientOptions base_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, Entry> clients_;
};

}  // namespace jira_mcp::tools
