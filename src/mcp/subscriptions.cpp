#include "jira_mcp/mcp/subscriptions.hpp"

#include <algorithm>
#include <set>

namespace jira_mcp::mcp {

Json SubscriptionFilter::to_json() const {
  Json j = Json::object();
  if (tools_list_changed) j["toolsListChanged"] = true;
  if (prompts_list_changed) j["promptsListChanged"] = true;
  if (resources_list_changed) j["resourcesListChanged"] = true;
  if (!resource_uris.empty()) j["resourceSubscriptions"] = resource_uris;
  return j;
}

Result<SubscriptionFilter, RpcError> parse_subscription_filter(const Json& params) {
  auto invalid = [](const std::string& what) {
    return unexpected(RpcError{rpc::kInvalidParams,
                               "Invalid params: subscriptions/listen " + what +
                                   " (expected notifications: {toolsListChanged?, promptsListChanged?, "
                                   "resourcesListChanged?: boolean, resourceSubscriptions?: string[]})",
                               std::nullopt});
  };
  SubscriptionFilter f;
  if (!params.is_object() || !params.contains("notifications") || params["notifications"].is_null()) return f;
  const Json& n = params["notifications"];
  if (!n.is_object()) return invalid("params.notifications is not an object");
  auto flag = [&](const char* key, bool& out) -> bool {
    if (!n.contains(key) || n[key].is_null()) return true;
    if (!n[key].is_boolean()) return false;
    out = n[key].get<bool>();
    return true;
  };
  for (auto [key, out] : {std::pair{"toolsListChanged", &f.tools_list_changed},
                          std::pair{"promptsListChanged", &f.prompts_list_changed},
                          std::pair{"resourcesListChanged", &f.resources_list_changed}}) {
    if (!flag(key, *out)) return invalid(std::string("notifications.") + key + " is not a boolean");
  }
  if (n.contains("resourceSubscriptions") && !n["resourceSubscriptions"].is_null()) {
    const Json& uris = n["resourceSubscriptions"];
    if (!uris.is_array()) return invalid("notifications.resourceSubscriptions is not an array");
    std::set<std::string> seen;
    for (const auto& u : uris) {
      if (!u.is_string() || u.get_ref<const std::string&>().empty()) {
        return invalid("notifications.resourceSubscriptions holds something other than a URI string");
      }
      if (seen.insert(u.get<std::string>()).second) f.resource_uris.push_back(u.get<std::string>());
    }
  }
  return f;
}

SubscriptionHub::Listener::~Listener() { hub_.remove(key_); }

SubscriptionHub::SubscriptionHub(SubscriptionOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<SubscriptionHub::Listener>, RpcError> SubscriptionHub::listen(const Json& id,
                                                                                     const SubscriptionFilter& requested,
                                                                                     Sink sink) {
  SubscriptionFilter agreed;
  agreed.tools_list_changed = requested.tools_list_changed && options_.tools_list_changed;
  agreed.prompts_list_changed = requested.prompts_list_changed && options_.prompts_list_changed;
  agreed.resources_list_changed = requested.resources_list_changed && options_.resources_list_changed;
  for (const auto& uri : requested.resource_uris) {
    if (!options_.resource_supported || options_.resource_supported(uri)) agreed.resource_uris.push_back(uri);
  }
  Json ack_params{{"_meta", {{std::string(kSubscriptionIdKey), id}}}, {"notifications", agreed.to_json()}};
  std::lock_guard lock(mu_);
  if (entries_.size() >= options_.max_listeners) {
    return unexpected(RpcError{rpc::kServerBusy,
                               "Server busy: " + std::to_string(entries_.size()) +
                                   " subscriptions are open, the most this server keeps; close one and retry",
                               std::nullopt});
  }
  // Under the lock, before the entry is visible: nothing can be published to it first.
  sink(make_notification("notifications/subscriptions/acknowledged", std::move(ack_params)));
  const std::uint64_t key = next_key_++;
  entries_.emplace(key, std::make_shared<const Entry>(Entry{id, agreed, std::move(sink)}));
  return std::unique_ptr<Listener>(new Listener(*this, key, id, std::move(agreed)));
}

void SubscriptionHub::remove(std::uint64_t key) {
  std::shared_ptr<const Entry> gone;  // its sink is destroyed outside the lock
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    gone = std::move(it->second);
    entries_.erase(it);
  }
}

std::size_t SubscriptionHub::listeners() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SubscriptionHub::publish(std::string_view method, const Json& params,
                              const std::function<bool(const Entry&)>& wants) {
  std::vector<std::shared_ptr<const Entry>> targets;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, e] : entries_) {
      if (wants(*e)) targets.push_back(e);
    }
  }
  for (const auto& e : targets) {
    Json p = params;
    p["_meta"] = Json{{std::string(kSubscriptionIdKey), e->id}};
    e->sink(make_notification(method, std::move(p)));
  }
}

void SubscriptionHub::tools_list_changed() {
  publish("notifications/tools/list_changed", Json::object(), [](const Entry& e) { return e.filter.tools_list_changed; });
}
void SubscriptionHub::prompts_list_changed() {
  publish("notifications/prompts/list_changed", Json::object(),
          [](const Entry& e) { return e.filter.prompts_list_changed; });
}
void SubscriptionHub::resources_list_changed() {
  publish("notifications/resources/list_changed", Json::object(),
          [](const Entry& e) { return e.filter.resources_list_changed; });
}
void SubscriptionHub::resource_updated(const std::string& uri) {
  publish("notifications/resources/updated", Json{{"uri", uri}}, [&](const Entry& e) {
    const auto& u = e.filter.resource_uris;
    return std::find(u.begin(), u.end(), uri) != u.end();
  });
}

Json SubscriptionHub::closing_response(const Json& id) {
  return make_result(id, Json{{"resultType", "complete"}, {"_meta", {{std::string(kSubscriptionIdKey), id}}}});
}

}  // namespace jira_mcp::mcp
