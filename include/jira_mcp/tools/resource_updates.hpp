#pragma once
// Resource updates for subscriptions/listen: which jira:// resources a finished Jira call changed,
// and the Jira call observer that tells the SubscriptionHub about them. Only writes made through
// this server are seen (Jira webhooks would be the way to see the others).
//
// Thread safety: pure functions; the observer is as thread-safe as the hub (it is).
#include <memory>
#include <string>
#include <vector>

#include "jira_mcp/mcp/subscriptions.hpp"
#include "jira_mcp/monitor/observer.hpp"

namespace jira_mcp::tools {

// The resources a finished call changed: jira://issue/{KEY} for a successful (2xx) write whose
// path names the issue by key (/rest/api/N/issue/{KEY}/..., /rest/agile/1.0/issue/{KEY}/...),
// jira://project/{KEY} for one naming a project by key (/rest/api/N/project/{KEY}...). Keys
// are upper-cased; numeric ids, reads, failures and writes naming neither (create, bulk) give
// nothing.
std::vector<std::string> resources_changed(const monitor::JiraCall& call);

// Tells `hub` of every resource a call changed, then hands the call to `next` (when set).
monitor::JiraCallObserver publish_resource_updates(std::shared_ptr<mcp::SubscriptionHub> hub,
                                                   monitor::JiraCallObserver next);

// What jira-mcp's listeners may subscribe to: updates of jira://issue/{KEY} and
// jira://project/{KEY} (the tool, prompt and resource lists never change while it runs).
mcp::SubscriptionOptions subscription_options();

}  // namespace jira_mcp::tools
