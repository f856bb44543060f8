#pragma once
// A Client's statistics as the monitor reads them (monitor::ClientGauges): the one mapping, used
// by the server (main.cpp) and by the tests that wire a monitor to a client as the server does.
#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/monitor/monitor.hpp"

namespace jira_mcp::jira {

// Reads client.stats() once. Thread-safe, as Client::stats() is.
monitor::ClientGauges client_gauges(const Client& client);

}  // namespace jira_mcp::jira
