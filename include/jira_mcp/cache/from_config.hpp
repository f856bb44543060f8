#pragma once
// [performance.cache] → cache::Options: the one mapping of the configuration onto the cache's
// tiers, used by the server (main.cpp) and by `--bench`, so the bench measures the cache a user
// runs. api_cache = issues, parsed_cache = search, config_cache = metadata (the tier with the
// optional on-disk level).
//
// Header-only on purpose: the cache library does not depend on the config module; only the
// composition roots that include this header (which link both) do.
#include <algorithm>
#include <chrono>
#include <cstddef>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/config/config.hpp"

namespace jira_mcp::cache {

inline Options options_from_config(const config::CacheConfig& c) {
  Options o;
  o.enabled = c.enabled;
  auto tier = [](int capacity, int ttl_seconds, std::size_t max_bytes) {
    return TierOptions{static_cast<std::size_t>(std::max(0, capacity)), max_bytes,
                       std::chrono::seconds(std::max(0, ttl_seconds))};
  };
  o.issues = tier(c.api_cache_capacity, c.api_cache_ttl_seconds, c.api_cache_max_bytes);
  o.search = tier(c.parsed_cache_capacity, c.parsed_cache_ttl_seconds, c.parsed_cache_max_bytes);
  o.metadata = tier(c.config_cache_capacity, c.config_cache_ttl_seconds, c.config_cache_max_bytes);
  o.l2_path = c.l2_path;
  o.jitter_percent = c.jitter_percent;
  o.shards = static_cast<std::size_t>(std::max(1, c.shards));
  o.single_flight = c.single_flight;
  return o;
}

}  // namespace jira_mcp::cache
