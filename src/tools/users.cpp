// The users and server toolsets.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/monitor/monitor.hpp"
#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

std::string user_row(const Json& u) {
  std::string row = "- " + user_label(u);
  if (const auto email = rd::str(u, "emailAddress"); !email.empty() && row.find(email) == std::string::npos) row += " <" + email + ">";
  if (const auto account = rd::str(u, "accountId"); !account.empty()) row += " accountId " + account;
  if (const auto name = rd::str(u, "name"); !name.empty()) row += " username " + name;
  if (!rd::boolean_of(rd::at(u, "active"), true)) row += " (inactive)";
  return row + "\n";
}

ToolResult list_users(Jira& jira, const Result<Json, jira::JiraError>& r, const std::string& what) {
  if (!r) return jira_failure(r.error(), what);
  std::string text;
  for (const auto& u : *r) text += user_row(u);
  if (text.empty()) text = "No users found.\n";
  return text_result(jira, text);
}

// The members of a Jira user that jira_user_schema() declares, read leniently: a text member that
// is a number becomes its digits, any other type is left out (Jira's JSON is not trusted to match).
Json user_structured(const Json& u) {
  Json out = Json::object();
  for (const char* k : {"accountId", "name", "key", "displayName", "emailAddress", "timeZone", "locale", "accountType"}) {
    const Json& v = rd::at(u, k);
    if (v.is_string() || v.is_number()) out[k] = rd::text_of(v);
  }
  if (const Json& a = rd::at(u, "active"); a.is_boolean()) out["active"] = a;
  return out;
}

ToolResult current_user(const ServicesPtr& s, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  auto me = jira.client().myself(jira.call());
  if (!me) return jira_failure(me.error(), "Getting the current user");
  std::string text = "Authenticated as " + user_label(*me) + " on " + jira.client().options().url + " (" +
                     (jira.cloud() ? "Jira Cloud" : "Jira Data Center") + ")\n" + user_row(*me);
  ToolResult out = ToolResult::text(text);
  out.structured = user_structured(*me);
  return out;
}

ToolResult search_users(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string q = args["query"];
  const std::string max = std::to_string(args.value("max_results", 20));
  return list_users(jira,
                    jira.get_json(jira::path(jira.api(), "user", "search"),
                                  jira.cloud() ? jira::Query{{"query", q}, {"maxResults", max}} : jira::Query{{"username", q}, {"maxResults", max}}),
                    "Searching users");
}

ToolResult assignable_users(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  if (!args.contains("project_key") && !args.contains("issue_key")) {
    return bad_argument("project_key", "give project_key or issue_key");
  }
  jira::Query q;
  if (args.contains("issue_key")) q.emplace_back("issueKey", args["issue_key"].get<std::string>());
  if (args.contains("project_key")) q.emplace_back("project", args["project_key"].get<std::string>());
  if (args.contains("query")) q.emplace_back(jira.cloud() ? "query" : "username", args["query"].get<std::string>());
  q.emplace_back("maxResults", std::to_string(args.value("max_results", 20)));
  return list_users(jira, jira.get_json(jira::path(jira.api(), "user", "assignable", "search"), q), "Searching assignable users");
}

ToolResult get_user(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["user"];
  auto r = jira.get_json(jira::path(jira.api(), "user"), {{jira.cloud() ? "accountId" : "username", id}});
  if (!r) return jira_failure(r.error(), "Getting user " + id);
  ToolResult out = ToolResult::text(user_row(*r));
  out.structured = user_structured(*r);
  return out;
}

// The monitor's compact view: totals, latencies, memory, the busiest tools and active alerts.
Json monitor_summary(const monitor::Snapshot& snap) {
  auto tools = snap.tools;
  std::sort(tools.begin(), tools.end(), [](const auto& a, const auto& b) { return a.ok + a.errors > b.ok + b.errors; });
  if (tools.size() > 10) tools.resize(10);
  Json busiest = Json::array();
  for (const auto& t : tools) {
    busiest.push_back({{"tool", t.tool}, {"calls", t.ok + t.errors}, {"errors", t.errors}, {"p95_ms", t.latency.p95_ms}});
  }
  Json alerts = Json::array();
  for (const auto& a : snap.active_alerts) alerts.push_back(monitor::to_json(a));
  return Json{{"uptime_seconds", snap.uptime_seconds},
              {"tool_calls", {{"total", snap.tool_calls}, {"errors", snap.tool_errors}, {"in_flight", snap.tools_in_flight},
                              {"latency", monitor::to_json(snap.tool_latency)}}},
              {"busiest_tools", std::move(busiest)},
              {"jira_calls", {{"total", snap.jira_calls}, {"errors", snap.jira_errors}, {"retries", snap.jira_retries},
                              {"throttled_429", snap.jira_throttled}, {"latency", monitor::to_json(snap.jira_latency)}}},
              {"resident_memory_bytes", snap.resident_bytes},
              {"active_alerts", std::move(alerts)}};
}

std::string monitor_text(const monitor::Snapshot& snap) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "\nMetrics since start (%.0f s): tool calls %llu (%llu errors), latency p50 %.1f / p95 %.1f / p99 %.1f / max "
                "%.1f ms; Jira calls %llu (%llu errors, %llu retries, %llu rate-limited), p95 %.1f ms; memory %.1f MiB.\n",
                snap.uptime_seconds, static_cast<unsigned long long>(snap.tool_calls),
                static_cast<unsigned long long>(snap.tool_errors), snap.tool_latency.p50_ms, snap.tool_latency.p95_ms,
                snap.tool_latency.p99_ms, snap.tool_latency.max_ms, static_cast<unsigned long long>(snap.jira_calls),
                static_cast<unsigned long long>(snap.jira_errors), static_cast<unsigned long long>(snap.jira_retries),
                static_cast<unsigned long long>(snap.jira_throttled), snap.jira_latency.p95_ms,
                static_cast<double>(snap.resident_bytes) / (1024.0 * 1024.0));
  std::string text = buf;
  if (snap.active_alerts.empty()) return text + "Active alerts: none.\n";
  text += "Active alerts:\n";
  for (const auto& a : snap.active_alerts) text += std::string("- [") + monitor::to_string(a.severity) + "] " + a.message + "\n";
  return text;
}

// What became of this session's cancelled calls that could have written (mcp::Session records
// them, since a cancelled call gets no response): the one place a client can read them back.
std::string cancelled_calls_text(const std::vector<Json>& calls) {
  std::string text = "Cancelled calls of this session that could have changed something (newest last):\n";
  for (const auto& c : calls) {
    text += "- request " + dump_compact(rd::at(c, "requestId")) + " " + rd::str(c, "tool") + ": " +
            rd::str(c, "message");
    if (auto o = c.find("outcome"); o != c.end() && o->is_object()) {
      if (auto sc = o->find("structuredContent"); sc != o->end()) {
        text += " Outcome: " + dump_compact(*sc);
      } else {
        std::string t;
        for (const auto& b : rd::arr(*o, "content")) t += rd::str(b, "text");
        if (!t.empty()) text += " Outcome: " + t;
      }
    }
    text += "\n";
  }
  return text;
}

ToolResult server_status(const ServicesPtr& s, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const auto start = std::chrono::steady_clock::now();
  auto info = jira.client().server_info(jira.call());
  const auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (!info) return jira_failure(info.error(), "Reaching Jira");
  auto st = jira.client().stats();
  Json structured{{"url", jira.client().options().url},
                  {"deployment", jira.cloud() ? "cloud" : "datacenter"},
                  {"version", rd::str(*info, "version")},
                  {"server_title", rd::str(*info, "serverTitle")},
                  {"round_trip_ms", static_cast<double>(rtt.count()) / 1000.0},
                  {"jira_calls", st.calls},
                  {"jira_retries", st.retries},
                  {"jira_failures", st.failures},
                  {"rate_limit", {{"configured_rps", jira.client().options().rate_rps},
                                  {"current_rps", st.rate.current_rps},
                                  {"waits", st.rate.waits},
                                  {"waited_ms", static_cast<double>(st.rate.waited.count()) / 1e6},
                                  {"in_flight", st.rate.in_flight},
                                  {"slowdowns", {{"throttled_429", st.rate.slowdowns_429},
                                                 {"low_budget", st.rate.slowdowns_low_budget}}}}}};
  std::string text = "Jira " + structured["deployment"].get<std::string>() + " " + structured["version"].get<std::string>() +
                     " at " + structured["url"].get<std::string>() + " is reachable (round trip " +
                     std::to_string(rtt.count() / 1000) + " ms).\nJira calls so far: " + std::to_string(st.calls) +
                     ", retries: " + std::to_string(st.retries) + ", failures: " + std::to_string(st.failures) + "\n";
  if (st.rate.current_rps > 0) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "Client-side rate limit: %.1f requests/s now (configured %.1f); slowed down %llu times by 429s and "
                  "%llu times by Jira's low rate-limit headers; %llu requests waited for it (%.1f ms in all).\n",
                  st.rate.current_rps, jira.client().options().rate_rps,
                  static_cast<unsigned long long>(st.rate.slowdowns_429),
                  static_cast<unsigned long long>(st.rate.slowdowns_low_budget),
                  static_cast<unsigned long long>(st.rate.waits), static_cast<double>(st.rate.waited.count()) / 1e6);
    text += buf;
  }
  if (st.fleet) {
    const auto& f = *st.fleet;
    structured["rate_limit"]["fleet"] = {{"mode", jira::to_string(f.mode)},
                                         {"live_instances", f.live_instances},
                                         {"site_rps", f.site_rps},
                                         {"shared_rps", f.shared_rps},
                                         {"local_rps", f.local_rps},
                                         {"fallbacks", f.fallbacks},
                                         {"recoveries", f.recoveries},
                                         {"redis_errors", f.redis_errors}};
    char buf[320];
    if (f.mode == jira::FleetMode::shared) {
      std::snprintf(buf, sizeof buf,
                    "Fleet rate budget: shared through Redis, %.1f requests/s for the site now (configured %.1f), "
                    "%d live instance(s).\n",
                    f.shared_rps, f.site_rps, f.live_instances);
    } else {
      std::snprintf(buf, sizeof buf,
                    "Fleet rate budget: local fallback (Redis is not answering): %.2f requests/s here, the site's %.1f "
                    "shared by %d live instance(s) last seen.\n",
                    f.local_rps, f.site_rps, f.live_instances);
    }
    text += buf;
  }
  if (const auto& cache = jira.client().options().cache) {
    if (auto sh = cache->shared_stats()) {
      structured["shared_cache"] = Json{{"up", sh->up},
                                        {"hits", sh->hits},
                                        {"misses", sh->misses},
                                        {"puts", sh->puts},
                                        {"stale_puts", sh->stale_puts},
                                        {"errors", sh->errors},
                                        {"published", sh->published},
                                        {"received", sh->received},
                                        {"clears", sh->clears}};
      text += std::string("Shared cache (Redis): ") + (sh->up ? "up" : "DOWN, serving from this instance's cache") +
              "; " + std::to_string(sh->hits) + " hits, " + std::to_string(sh->misses) + " misses, " +
              std::to_string(sh->errors) + " errors; invalidations sent " + std::to_string(sh->published) +
              ", received " + std::to_string(sh->received) + ".\n";
    }
  }
  if (s->monitor) {
    const auto snap = s->monitor->snapshot();
    structured["monitor"] = monitor_summary(snap);
    text += monitor_text(snap);
  }
  if (auto cancelled = ctx.session().cancelled_outcomes(); !cancelled.empty()) {
    text += cancelled_calls_text(cancelled);
    structured["cancelled_calls"] = cancelled;
  }
  ToolResult out = ToolResult::text(text);
  out.structured = structured;
  return out;
}

}  // namespace

// The user object as Jira sends it (Cloud: accountId; Data Center: name and key). Jira's spec
// lets every member be absent, and Data Center sends null display names and emails.
Json jira_user_schema() {
  const Json text{{"type", {"string", "null"}}};
  return Json{{"type", "object"},
              {"properties",
               {{"accountId", text}, {"name", text}, {"key", text}, {"displayName", text}, {"emailAddress", text},
                {"timeZone", text}, {"locale", text}, {"accountType", text}, {"active", {{"type", {"boolean", "null"}}}}}}};
}

void add_user_tools(ToolTable& t, const ServicesPtr& s) {
  t.push_back({"users",
               {"jira_get_current_user", "Who am I (connection check)",
                "Shows the Jira user the server is authenticated as, and so checks the connection and credentials. "
                "Call it first when other tools fail with authentication errors.",
                object_schema(Json::object()), jira_user_schema(), read_only(),
                [s](const Json&, RequestContext& ctx) { return current_user(s, ctx); }}});
  t.push_back({"users",
               {"jira_search_users", "Search users",
                "Finds users by name or email (Cloud) or username (Data Center), showing the ids other tools accept. "
                "Example: {\"query\": \"alice\"}.",
                object_schema({{"query", Json{{"type", "string"}, {"minLength", 1}, {"description", "Part of a name, email or username"}}},
                               {"max_results", int_prop("Users to return", 1, 100, 20)}},
                              {"query"}),
                std::nullopt, read_only(), [s](const Json& a, RequestContext& ctx) { return search_users(s, a, ctx); }}});
  t.push_back({"users",
               {"jira_search_assignable_users", "Search assignable users",
                "Lists users who can be assigned issues in a project or a given issue. Example: "
                "{\"project_key\": \"PROJ\", \"query\": \"al\"}.",
                object_schema({{"project_key", str_prop("Project key")}, {"issue_key", issue_key_prop()},
                               {"query", str_prop("Part of a name, email or username")},
                               {"max_results", int_prop("Users to return", 1, 100, 20)}}),
                std::nullopt, read_only(), [s](const Json& a, RequestContext& ctx) { return assignable_users(s, a, ctx); }}});
  t.push_back({"users",
               {"jira_get_user", "Get user",
                "Gets one user by account id (Cloud) or username (Data Center). Example: {\"user\": \"5b10a2844c20165700ede21g\"}.",
                object_schema({{"user", str_prop("Account id (Cloud) or username (Data Center)")}}, {"user"}),
                jira_user_schema(), read_only(), [s](const Json& a, RequestContext& ctx) { return get_user(s, a, ctx); }}});
}

void add_server_tools(ToolTable& t, const ServicesPtr& s) {
  t.push_back({"server",
               {"jira_server_status", "Server status",
                "Reports the Jira deployment, version and URL, whether it is reachable (with the round-trip time), and "
                "this server's Jira call counters and client-side rate limit (its adapted rate and why it slowed down), "
                "with its metrics (tool and Jira call counts and latencies, memory) and any active alerts, and what "
                "became of this session's cancelled calls that could have changed something (e.g. a cancelled bulk "
                "run's per-issue outcomes).",
                object_schema(Json::object()),
                Json{{"type", "object"},
                     {"properties", {{"deployment", {{"type", "string"}}}, {"version", {{"type", "string"}}}, {"url", {{"type", "string"}}},
                                     {"rate_limit", {{"type", "object"}}}, {"monitor", {{"type", "object"}}},
                                     {"cancelled_calls", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}},
                read_only(), [s](const Json&, RequestContext& ctx) { return server_status(s, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
