#include "jira_mcp/jira/client_gauges.hpp"

namespace jira_mcp::jira {

monitor::ClientGauges client_gauges(const Client& client) {
  const ClientStats s = client.stats();
  monitor::ClientGauges g;
  g.pool_acquires = s.pool.created + s.pool.reused;
  g.pool_waits = s.pool.waits;
  g.pool_wait_timeouts = s.pool.wait_timeouts;
  g.pool_in_use = s.pool.in_use;
  g.pool_idle = s.pool.idle;
  g.pool_capacity = client.options().max_connections_per_host;
  g.in_flight = s.rate.in_flight;
  g.rate_limit_rps = s.rate.current_rps;
  // Fleet mode: the pace is the shared budget's (or its local fallback's), not this client's.
  if (s.fleet) g.rate_limit_rps = s.fleet->mode == FleetMode::shared ? s.fleet->shared_rps : s.fleet->local_rps;
  g.rate_limit_slowdowns_429 = s.rate.slowdowns_429;
  g.rate_limit_slowdowns_low_budget = s.rate.slowdowns_low_budget;
  g.rate_limit_waits = s.rate.waits;
  return g;
}

}  // namespace jira_mcp::jira
