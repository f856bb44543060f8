#pragma once
// The time seam of the Jira client: token buckets, 429 pauses, backoff sleeps and retry budgets
// read time from a Clock, so tests move time by hand instead of sleeping. The interface lives
// in core/clock.hpp (the cache and the monitor, which sit below jira, use it too); these are
// the same types under their jira names.
#include "jira_mcp/core/clock.hpp"

namespace jira_mcp::jira {

using jira_mcp::Clock;
using jira_mcp::FakeClock;
using jira_mcp::real_clock;

}  // namespace jira_mcp::jira
