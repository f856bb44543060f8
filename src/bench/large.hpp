#pragma once
// The large-document workloads of --bench (see bench.hpp: large_issue, large_search).
#include "bench/stack.hpp"
#include "jira_mcp/bench/bench.hpp"
#include "jira_mcp/sandbox/sandbox.hpp"

namespace jira_mcp::bench::detail {

// Creates its issue in `sb` (a Cloud sandbox) and sets the sandbox's faults to none.
Result<LargeReadResult> large_issue(const Plan& plan, sandbox::Sandbox& sb);
// Needs 100 issues in project DEMO (plan.dataset_issues >= 400).
Result<LargeReadResult> large_search(const Plan& plan, sandbox::Sandbox& sb);

}  // namespace jira_mcp::bench::detail
