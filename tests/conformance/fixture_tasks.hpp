#pragma once
// The conformance fixture's tools for the tasks extension (see fixture_tasks.cpp).
#include "jira_mcp/mcp/registry.hpp"

namespace jira_mcp::fixture {

void add_task_tools(mcp::RegistryBuilder& b);

}  // namespace jira_mcp::fixture
