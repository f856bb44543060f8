#pragma once
// The name fleet mode gives a Jira site in Redis keys: every key that belongs to one site (its
// rate budget, its heartbeat set, its shared cache) carries it, so fleets serving different
// sites can share one Redis and key prefix without touching each other's state. Pure function,
// thread-safe.
#include <string>
#include <string_view>

namespace jira_mcp::cluster {

// The first 16 hex digits of the SHA-256 of `base_url`, lower-cased and without trailing '/':
// "https://x.atlassian.net/" and "https://X.atlassian.net" are one site. Never a credential.
std::string site_hash(std::string_view base_url);

}  // namespace jira_mcp::cluster
