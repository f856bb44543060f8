#pragma once
// The "fleet" part of the bench: fleet mode's shared cache, in process (fleet.cpp says how).
#include "jira_mcp/bench/bench.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"

namespace jira_mcp::bench::detail {

// nullopt with `skipped` set when redis-server is not installed or does not start.
Result<std::optional<FleetResult>> fleet(const Plan& plan, sandbox::Sandbox& sb, std::string& skipped);

}  // namespace jira_mcp::bench::detail
