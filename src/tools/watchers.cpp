// The watchers toolset: who watches an issue, and adding or removing a watcher (by default the
// current user).
#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

struct Watcher {
  std::string id;     // accountId (Cloud) or username (Data Center): what the watcher calls take
  std::string label;  // for the confirmation
};

// The user named by the `user` argument, or the current user when it is absent.
Result<Watcher, ToolResult> watcher_of(Jira& jira, const Json& args) {
  const char* id_field = jira.cloud() ? "accountId" : "name";
  const std::string who = args.value("user", "");
  if (who.empty()) {
    auto me = jira.client().myself(jira.call());
    if (!me) return unexpected(jira_failure(me.error(), "Getting the current user"));
    return Watcher{rd::str(*me, id_field), "you (" + user_label(*me) + ")"};
  }
  auto user = jira.resolve_user(who);
  if (!user) return unexpected(bad_argument("user", user.error()));
  return Watcher{rd::str(*user, id_field), who};
}

ToolResult get_watchers(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto r = jira.get_json(jira::path(jira.api(), "issue", key, "watchers"));
  if (!r) return jira_failure(r.error(), "Getting the watchers of " + key);
  const Json watchers = rd::arr(*r, "watchers");
  const long count = rd::integer_of(rd::at(*r, "watchCount"), static_cast<long>(watchers.size()));
  const bool watching = rd::boolean(*r, "isWatching");
  std::string text = key + " has " + std::to_string(count) + " watcher(s)" + (watching ? ", including you" : "") +
                     (watchers.empty() ? ".\n" : ":\n");
  Json names = Json::array();
  for (const auto& u : watchers) {
    text += "- " + user_label(u) + "\n";
    names.push_back(user_label(u));
  }
  ToolResult out = text_result(jira, text);
  out.structured = Json{{"watch_count", count}, {"is_watching", watching}, {"watchers", names}};
  return out;
}

ToolResult add_watcher(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto w = watcher_of(jira, args);
  if (!w) return w.error();
  // The body is the user id as a JSON string ("5b10a2844c20165700ede21g"), as both specs say.
  // Adding a watcher twice changes nothing, so a retry is harmless.
  auto r = jira.post_json(jira::path(jira.api(), "issue", key, "watchers"), Json(w->id), affects::comment(key), true);
  if (!r) return jira_failure(r.error(), "Adding " + w->label + " as a watcher of " + key);
  return ToolResult::text("Added " + w->label + " as a watcher of " + key);
}

ToolResult remove_watcher(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto w = watcher_of(jira, args);
  if (!w) return w.error();
  auto r = jira.del(jira::path(jira.api(), "issue", key, "watchers"), affects::comment(key),
                    {{jira.cloud() ? "accountId" : "username", w->id}});
  if (!r) return jira_failure(r.error(), "Removing " + w->label + " from the watchers of " + key);
  return ToolResult::text("Removed " + w->label + " from the watchers of " + key);
}

}  // namespace

void add_watcher_tools(ToolTable& t, const ServicesPtr& s) {
  const Json user = str_prop("The user: display name, email, account id (Cloud) or username (Data Center); omit for yourself");
  t.push_back({"watchers",
               {"jira_get_watchers", "Get watchers",
                "Lists who watches an issue (gets its notifications) and whether you do. Example: {\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()}}, {"issue_key"}),
                Json{{"type", "object"},
                     {"properties", {{"watch_count", {{"type", "integer"}}}, {"is_watching", {{"type", "boolean"}}},
                                     {"watchers", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
                     {"required", {"watch_count", "is_watching", "watchers"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return get_watchers(s, a, ctx); }}});
  t.push_back({"watchers",
               {"jira_add_watcher", "Add watcher",
                "Makes a user (or you, when user is omitted) watch an issue, so they get its notifications. Adding "
                "someone who already watches changes nothing. Example: {\"issue_key\": \"PROJ-1\", \"user\": "
                "\"alice@example.com\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"user", user}}, {"issue_key"}), std::nullopt,
                writes(false, true), [s](const Json& a, RequestContext& ctx) { return add_watcher(s, a, ctx); }}});
  t.push_back({"watchers",
               {"jira_remove_watcher", "Remove watcher",
                "Stops a user (or you, when user is omitted) watching an issue. Example: {\"issue_key\": \"PROJ-1\", "
                "\"user\": \"Bob Builder\"}.",
                object_schema({{"issue_key", issue_key_prop()}, {"user", user}}, {"issue_key"}), std::nullopt,
                writes(false, true), [s](const Json& a, RequestContext& ctx) { return remove_watcher(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
