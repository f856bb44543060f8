// The worklogs toolset: time logged on an issue, and how logging it changes the remaining
// estimate (Jira's adjustEstimate: auto, leave, new, manual).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <regex>

#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

// "1h 30m", "2d", "1w 2d 4h", "45m" (Jira's duration notation).
const char* const kDurationPattern = "^\\s*([0-9]+\\s*[wdhm]\\s*)+$";

Json duration_prop(std::string description) {
  return Json{{"type", "string"}, {"pattern", kDurationPattern}, {"description", std::move(description)}};
}

// Jira wants "2026-01-17T12:34:00.000+0000". Accepts an ISO date (logged at 12:00 UTC, which is
// the same calendar day in every time zone) or date-time with optional seconds, fraction and
// offset (Z, +HH:MM, +HHMM; none means UTC).
std::optional<std::string> jira_datetime(const std::string& iso) {
  static const std::regex date_only(R"(^(\d{4}-\d{2}-\d{2})$)");
  static const std::regex date_time(R"(^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$)");
  std::smatch m;
  if (std::regex_match(iso, m, date_only)) return m[1].str() + "T12:00:00.000+0000";
  if (!std::regex_match(iso, m, date_time)) return std::nullopt;
  if (std::stoi(m[2].str()) > 23 || std::stoi(m[3].str()) > 59 || (m[4].matched && std::stoi(m[4].str()) > 59)) return std::nullopt;
  std::string frac = m[5].matched ? m[5].str() : "000";
  frac = (frac + "000").substr(0, 3);
  std::string offset = "+0000";
  if (m[6].matched && m[6].str() != "Z") {
    offset.clear();
    for (char c : m[6].str())
      if (c != ':') offset += c;
  }
  return m[1].str() + "T" + m[2].str() + ":" + m[3].str() + ":" + (m[4].matched ? m[4].str() : "00") + "." + frac + offset;
}

std::string now_jira_datetime() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
  return buf;
}

std::string duration_label(long seconds) {
  const long h = seconds / 3600, m = (seconds % 3600) / 60;
  std::string s = h ? std::to_string(h) + "h" : "";
  if (m || s.empty()) s += (s.empty() ? "" : " ") + std::to_string(m) + "m";
  return s;
}

// The adjustEstimate query parameters, or a bad_argument. `extra` names the parameter the
// "manual" mode needs: reduceBy when logging, increaseBy when deleting; empty where Jira has no
// manual mode (update).
Result<jira::Query, ToolResult> estimate_query(const Json& args, const std::string& extra_field, const std::string& extra_param) {
  jira::Query q;
  const std::string mode = args.value("adjust_estimate", "auto");
  q.emplace_back("adjustEstimate", mode);
  if (mode == "new") {
    if (!args.contains("new_estimate")) return unexpected(bad_argument("new_estimate", "adjust_estimate \"new\" needs new_estimate, e.g. \"2h\""));
    q.emplace_back("newEstimate", args["new_estimate"].get<std::string>());
  } else if (mode == "manual") {
    if (!args.contains(extra_field)) {
      return unexpected(bad_argument(extra_field, "adjust_estimate \"manual\" needs " + extra_field + ", e.g. \"30m\""));
    }
    q.emplace_back(extra_param, args[extra_field].get<std::string>());
  }
  return q;
}

std::string estimate_note(const Json& args, const std::string& extra_field, const std::string& verb) {
  const std::string mode = args.value("adjust_estimate", "auto");
  if (mode == "leave") return "remaining estimate left as it was";
  if (mode == "new") return "remaining estimate set to " + args.value("new_estimate", "");
  if (mode == "manual") return "remaining estimate " + verb + " " + args.value(extra_field, "");
  return "remaining estimate adjusted automatically";
}

Json worklog_row(Jira& jira, const Json& w) {
  std::string comment = jira.markdown(rd::at(w, "comment"));
  while (!comment.empty() && (comment.back() == '\n' || comment.back() == ' ')) comment.pop_back();
  // Older Jira gives only timeSpent ("18w 2d"), Server 4.x only minutesSpent.
  long long seconds = rd::num(w, "timeSpentSeconds");
  if (seconds <= 0 && rd::has(w, "minutesSpent")) seconds = rd::num(w, "minutesSpent") * 60;
  if (seconds <= 0) seconds = std::max(0LL, rd::duration_seconds(rd::str(w, "timeSpent")));
  std::string spent = rd::str(w, "timeSpent");
  if (spent.empty()) spent = duration_label(static_cast<long>(seconds));
  return Json{{"id", rd::id_of(w)},
              {"author", author_label(rd::at(w, "author"))},
              {"started", rd::str(w, "started")},
              {"time_spent", spent},
              {"time_spent_seconds", seconds},
              {"comment", comment}};
}

ToolResult get_worklogs(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const long start = args.value("start_at", 0L);
  const long max = args.value("max_results", 50L);
  // Cloud pages on the server; the Data Center endpoint takes no paging parameters and returns
  // every worklog, so it pages here.
  jira::Query q;
  if (jira.cloud()) q = {{"startAt", std::to_string(start)}, {"maxResults", std::to_string(max)}};
  auto r = jira.get_json(jira::path(jira.api(), "issue", key, "worklog"), q);
  if (!r) return jira_failure(r.error(), "Getting the worklogs of " + key);
  Json all = rd::arr(*r, "worklogs");
  long total = rd::has(*r, "total") ? static_cast<long>(rd::num(*r, "total")) : static_cast<long>(all.size());
  Json page = Json::array();
  if (jira.cloud()) {
    page = std::move(all);
  } else {
    for (long i = start; i < static_cast<long>(all.size()) && i < start + max; ++i) page.push_back(all[static_cast<size_t>(i)]);
  }
  long seconds = 0;
  Json rows = Json::array();
  std::string body;
  for (const auto& w : page) {
    Json row = worklog_row(jira, w);
    seconds += row["time_spent_seconds"].get<long>();
    const std::string comment = row["comment"];
    const std::string id = row["id"];
    const std::string when = short_date(row["started"]);
    body += "- **" + row["author"].get<std::string>() + "**" + (when.empty() ? "" : " " + when) + " — " +
            row["time_spent"].get<std::string>() + (id.empty() ? "" : " (id " + id + ")") +
            (comment.empty() ? "" : ": " + comment) + "\n";
    rows.push_back(std::move(row));
  }
  std::string text = "Worklogs on " + key + " (" + std::to_string(page.size()) + " of " + std::to_string(total) + ", " +
                     duration_label(seconds) + " in these):\n" + body;
  if (start + static_cast<long>(page.size()) < total) {
    text += "More: call again with start_at " + std::to_string(start + static_cast<long>(page.size())) + ".\n";
  }
  ToolResult out = text_result(jira, text, "Use start_at and max_results to page.");
  out.structured = Json{{"worklogs", rows}, {"total", total}};
  return out;
}

// The worklog body shared by add and update; nullopt-free errors name the argument.
Result<Json, ToolResult> worklog_body(Jira& jira, const Json& args, bool create) {
  Json body = Json::object();
  if (args.contains("time_spent")) body["timeSpent"] = args["time_spent"];
  if (args.contains("started")) {
    auto started = jira_datetime(args["started"]);
    if (!started) {
      return unexpected(bad_argument("started", "'" + args["started"].get<std::string>() +
                                                    "' is not an ISO date or date-time; give e.g. 2026-01-17 or 2026-01-17T09:30:00+01:00"));
    }
    body["started"] = *started;
  } else if (create) {
    body["started"] = now_jira_datetime();
  }
  if (args.contains("comment")) body["comment"] = jira.rich_text(args["comment"]);
  return body;
}

ToolResult add_worklog(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  auto q = estimate_query(args, "reduce_by", "reduceBy");
  if (!q) return q.error();
  auto body = worklog_body(jira, args, true);
  if (!body) return body.error();
  auto r = jira.send(jira::Request{"POST", jira::path(jira.api(), "issue", key, "worklog"), *q, dump_compact(*body), "application/json", {}, false, 0, affects::issue(key)});
  if (!r) return jira_failure(r.error(), "Logging work on " + key);
  auto created = r->json();
  if (!created) return jira_failure(created.error(), "Logging work on " + key);
  const std::string id = rd::str(*created, "id");
  ToolResult out = ToolResult::text("Logged " + str_or(*created, "timeSpent", args["time_spent"].get<std::string>()) + " on " + key +
                                    " (worklog " + id + ", started " + short_date(rd::at(*created, "started")) + "); " +
                                    estimate_note(args, "reduce_by", "reduced by") + "\n" + jira.browse_url(key));
  out.structured = Json{{"issue_key", key}, {"worklog_id", id}, {"time_spent_seconds", rd::num(*created, "timeSpentSeconds")}};
  return out;
}

ToolResult update_worklog(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string id = args["worklog_id"];
  if (!args.contains("time_spent") && !args.contains("started") && !args.contains("comment")) {
    return bad_argument("time_spent", "nothing to change; give time_spent, started and/or comment");
  }
  auto q = estimate_query(args, "", "");
  if (!q) return q.error();
  auto body = worklog_body(jira, args, false);
  if (!body) return body.error();
  auto r = jira.send(jira::Request{"PUT", jira::path(jira.api(), "issue", key, "worklog", id), *q, dump_compact(*body), "application/json", {}, true, 0, affects::issue(key)});
  if (!r) return jira_failure(r.error(), "Updating worklog " + id + " on " + key);
  std::string changed;
  for (const auto& [arg, label] : {std::pair{"time_spent", "time spent"}, {"started", "start"}, {"comment", "comment"}}) {
    if (args.contains(arg)) changed += (changed.empty() ? "" : ", ") + std::string(label);
  }
  std::string text = "Updated worklog " + id + " on " + key + " (" + changed + ")";
  if (args.contains("time_spent")) text += "; " + estimate_note(args, "", "");
  ToolResult out = ToolResult::text(text);
  out.structured = Json{{"issue_key", key}, {"worklog_id", id}, {"changed", string_list(Json(changed))}};
  return out;
}

ToolResult delete_worklog(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["issue_key"];
  const std::string id = args["worklog_id"];
  auto q = estimate_query(args, "increase_by", "increaseBy");
  if (!q) return q.error();
  if (auto declined = confirm_destructive(s, ctx, "Delete worklog " + id + " from " + key + "?")) return *declined;
  auto r = jira.del(jira::path(jira.api(), "issue", key, "worklog", id), affects::issue(key), *q);
  if (!r) return jira_failure(r.error(), "Deleting worklog " + id + " from " + key);
  return ToolResult::text("Deleted worklog " + id + " from " + key + "; " + estimate_note(args, "increase_by", "increased by"));
}

Json obj_schema(Json properties, std::vector<std::string> required) {
  return Json{{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)}};
}

}  // namespace

void add_worklog_tools(ToolTable& t, const ServicesPtr& s) {
  const Json str{{"type", "string"}};
  const Json integer{{"type", "integer"}};
  const Json worklog_id = numeric_id_prop("Worklog id (jira_get_worklogs lists them)");
  const Json started = str_prop("When the work started: ISO date-time such as 2026-01-17T09:30:00+01:00 (no offset = UTC), or a date "
                                "(logged at 12:00 UTC)");
  const Json new_estimate = duration_prop("The remaining estimate to set when adjust_estimate is \"new\", e.g. \"3h\"");
  t.push_back({"worklogs",
               {"jira_get_worklogs", "Get worklogs",
                "Lists the time logged on an issue: who, when, how long, comment (Markdown) and the worklog ids (for "
                "update/delete). Example: {\"issue_key\": \"PROJ-1\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"start_at", int_prop("Offset of the first worklog", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Worklogs per page", 1, 500, 50)}},
                              {"issue_key"}),
                obj_schema({{"worklogs", {{"type", "array"},
                                          {"items", obj_schema({{"id", str}, {"author", str}, {"started", str}, {"time_spent", str},
                                                                {"time_spent_seconds", integer}, {"comment", str}},
                                                               {"id", "time_spent_seconds"})}}},
                            {"total", integer}},
                           {"worklogs", "total"}),
                read_only(), [s](const Json& a, RequestContext& ctx) { return get_worklogs(s, a, ctx); }}});
  t.push_back({"worklogs",
               {"jira_add_worklog", "Log work",
                "Logs time spent on an issue. time_spent uses Jira's notation (\"1h 30m\", \"2d\", \"45m\"; a day is "
                "the site's working day). started defaults to now. The remaining estimate is reduced automatically "
                "unless adjust_estimate says otherwise: \"leave\" keeps it, \"new\" sets new_estimate, \"manual\" "
                "reduces it by reduce_by. Example: {\"issue_key\": \"PROJ-1\", \"time_spent\": \"1h 30m\", "
                "\"comment\": \"Pairing on the *login* bug\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"time_spent", duration_prop("Time spent, e.g. \"1h 30m\"")},
                               {"started", started},
                               {"comment", str_prop("What was done, in Markdown")},
                               {"adjust_estimate", enum_prop("How the remaining estimate changes", {"auto", "leave", "new", "manual"}, "auto")},
                               {"new_estimate", new_estimate},
                               {"reduce_by", duration_prop("How much to reduce the remaining estimate by when adjust_estimate is \"manual\"")}},
                              {"issue_key", "time_spent"}),
                obj_schema({{"issue_key", str}, {"worklog_id", str}, {"time_spent_seconds", integer}}, {"issue_key", "worklog_id"}),
                writes(false, false), [s](const Json& a, RequestContext& ctx) { return add_worklog(s, a, ctx); }}});
  t.push_back({"worklogs",
               {"jira_update_worklog", "Update worklog",
                "Changes a worklog's time spent, start and/or comment (Markdown); only what is given changes. A "
                "changed time_spent adjusts the remaining estimate automatically unless adjust_estimate is \"leave\" "
                "or \"new\" (with new_estimate). Example: {\"issue_key\": \"PROJ-1\", \"worklog_id\": \"10100\", "
                "\"time_spent\": \"2h\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"worklog_id", worklog_id},
                               {"time_spent", duration_prop("New time spent, e.g. \"2h\"")},
                               {"started", started},
                               {"comment", str_prop("New comment, in Markdown")},
                               {"adjust_estimate", enum_prop("How the remaining estimate changes", {"auto", "leave", "new"}, "auto")},
                               {"new_estimate", new_estimate}},
                              {"issue_key", "worklog_id"}),
                obj_schema({{"issue_key", str}, {"worklog_id", str}, {"changed", {{"type", "array"}, {"items", str}}}}, {"issue_key", "worklog_id"}),
                writes(false, true), [s](const Json& a, RequestContext& ctx) { return update_worklog(s, a, ctx); }}});
  t.push_back({"worklogs",
               {"jira_delete_worklog", "Delete worklog",
                "Deletes a worklog. The remaining estimate grows back automatically unless adjust_estimate says "
                "otherwise: \"leave\", \"new\" (new_estimate) or \"manual\" (increase_by). Example: "
                "{\"issue_key\": \"PROJ-1\", \"worklog_id\": \"10100\"}.",
                object_schema({{"issue_key", issue_key_prop()},
                               {"worklog_id", worklog_id},
                               {"adjust_estimate", enum_prop("How the remaining estimate changes", {"auto", "leave", "new", "manual"}, "auto")},
                               {"new_estimate", new_estimate},
                               {"increase_by", duration_prop("How much to increase the remaining estimate by when adjust_estimate is \"manual\"")}},
                              {"issue_key", "worklog_id"}),
                std::nullopt, writes(true, true), [s](const Json& a, RequestContext& ctx) { return delete_worklog(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
