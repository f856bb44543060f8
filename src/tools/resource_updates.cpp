#include "jira_mcp/tools/resource_updates.hpp"

#include <cctype>
#include <string_view>

namespace jira_mcp::tools {

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  while (!path.empty()) {
    const auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// "ABC-12" (letters, digits and underscores, a dash, digits), upper-cased; empty otherwise.
std::string issue_key(std::string_view s) {
  const auto dash = s.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == s.size()) return {};
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool ok = i < dash ? (std::isalnum(c) || c == '_') : i == dash || std::isdigit(c);
    if (!ok) return {};
    out.push_back(static_cast<char>(std::toupper(c)));
  }
  return std::isalpha(static_cast<unsigned char>(out[0])) ? out : std::string();
}

// A project key: letters first, then letters, digits or underscores.
std::string project_key(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return {};
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '_') return {};
    out.push_back(static_cast<char>(std::toupper(c)));
  }
  return out;
}

}  // namespace

std::vector<std::string> resources_changed(const monitor::JiraCall& call) {
  if (call.status < 200 || call.status >= 300) return {};
  if (call.method == "GET" || call.method == "HEAD" || call.method == "OPTIONS") return {};
  const auto s = segments(call.path);
  // rest / api|agile / version / kind / key ...
  if (s.size() < 5 || s[0] != "rest" || (s[1] != "api" && s[1] != "agile")) return {};
  if (s[3] == "issue") {
    if (auto key = issue_key(s[4]); !key.empty()) return {"jira://issue/" + key};
  } else if (s[3] == "project" && s[1] == "api") {
    if (auto key = project_key(s[4]); !key.empty()) return {"jira://project/" + key};
  }
  return {};
}

monitor::JiraCallObserver publish_resource_updates(std::shared_ptr<mcp::SubscriptionHub> hub,
                                                   monitor::JiraCallObserver next) {
  return [hub = std::move(hub), next = std::move(next)](const monitor::JiraCall& call) {
    if (next) next(call);
    for (const auto& uri : resources_changed(call)) hub->resource_updated(uri);
  };
}

mcp::SubscriptionOptions subscription_options() {
  mcp::SubscriptionOptions o;
  o.resource_supported = [](std::string_view uri) {
    return uri.rfind("jira://issue/", 0) == 0 || uri.rfind("jira://project/", 0) == 0;
  };
  return o;
}

}  // namespace jira_mcp::tools
