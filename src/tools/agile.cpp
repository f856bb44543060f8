// The agile toolset: boards, sprints, backlog, epics and rank through Jira Software's agile REST
// API (/rest/agile/1.0), which Cloud and Data Center share.
//
// Sprint state changes go through the partial update (POST /sprint/{id}): only the fields given
// change. Jira allows exactly two state changes (future → active, active → closed); the handler
// reads the sprint first and refuses anything else with the reason, instead of letting Jira
// answer with a bare 400. Moving issues is capped at 50 per request by both specs; the tools
// split longer lists into batches and say how far they got when a batch fails.
#include <algorithm>

#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

const std::string kAgile = "/rest/agile/1.0";
constexpr size_t kMoveBatch = 50;        // per request, both specs
constexpr long kMaxIssuesPerCall = 500;  // per tool call, split into batches
const char* kListFields = "summary,status,issuetype,priority,assignee,updated";

std::string id_string(const Json& j, const char* field = "id") {
  return std::string_view(field) == "id" ? rd::id_of(j) : rd::str(j, field);
}

// Ids are digit strings in every tool's schema (one JSON type per property); the registry turns
// a number given for one into its digits before validation.
// The number a digit string names, for Jira bodies that want ids as numbers; nullopt when it has
// more digits than any Jira id.
std::optional<long long> id_number(const std::string& digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  long long v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

Json id_prop(std::string description) { return numeric_id_prop(std::move(description)); }

Json issue_keys_prop(long max_items, std::string description) {
  return Json{{"type", "array"},
              {"items", {{"type", "string"}, {"pattern", "^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$"}}},
              {"minItems", 1},
              {"maxItems", max_items},
              {"description", std::move(description)}};
}

// A date alone means 00:00 UTC that day; a date-time is passed through.
Json date_time_prop(std::string description) {
  return Json{{"type", "string"},
              {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$"},
              {"description", std::move(description) + " (YYYY-MM-DD, taken as 00:00 UTC, or an ISO 8601 date-time such as 2026-01-05T09:00:00.000Z)"}};
}

std::string jira_date_time(const std::string& v) { return v.size() == 10 ? v + "T00:00:00.000Z" : v; }

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// --- sprints ----------------------------------------------------------------------------------

// The structured form of a sprint. Ids are strings in every tool's structured output (Jira's
// platform API sends strings, the agile API integers; one type per kind for the agent). The
// state is lower-cased: Jira sends "active" and "ACTIVE" alike, and its spec allows any string.
Json sprint_summary(const Json& s) {
  Json j{{"id", id_string(s)}, {"name", rd::str(s, "name")}};
  if (const std::string st = rd::str(s, "state"); !st.empty()) j["state"] = lower(st);
  for (auto [out, in] : {std::pair{"start_date", "startDate"}, {"end_date", "endDate"}, {"complete_date", "completeDate"}}) {
    if (s.contains(in) && s[in].is_string()) j[out] = s[in];
  }
  if (s.contains("goal") && s["goal"].is_string() && !s["goal"].get<std::string>().empty()) j["goal"] = s["goal"];
  if (s.contains("originBoardId") && (s["originBoardId"].is_number_integer() || s["originBoardId"].is_string())) {
    j["board_id"] = id_string(s, "originBoardId");
  }
  return j;
}

Json sprint_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"id", {{"type", "string"}}},
                {"name", {{"type", "string"}}},
                {"state", {{"type", "string"}, {"description", "future, active or closed (lower-cased)"}}},
                {"start_date", {{"type", "string"}}},
                {"end_date", {{"type", "string"}}},
                {"complete_date", {{"type", "string"}}},
                {"goal", {{"type", "string"}}},
                {"board_id", {{"type", "string"}}}}},
              {"required", {"id", "name"}}};
}

Json keys_schema(std::vector<std::pair<const char*, Json>> extra, std::vector<std::string> required) {
  Json props{{"issue_keys", {{"type", "array"}, {"items", {{"type", "string"}}}}}};
  for (auto& [k, v] : extra) props[k] = std::move(v);
  required.insert(required.begin(), "issue_keys");
  return Json{{"type", "object"}, {"properties", std::move(props)}, {"required", std::move(required)}};
}

std::string sprint_line(const Json& s) {
  const std::string id = id_string(s), state = rd::str(s, "state");
  std::string line = "- **" + rd::str(s, "name") + "**" + (id.empty() ? "" : " (id " + id + ")") + (state.empty() ? "" : " — " + state);
  const std::string from = short_date(rd::at(s, "startDate")), to = short_date(rd::at(s, "endDate"));
  if (!from.empty() && !to.empty()) line += " · " + from + " → " + to;
  else if (!from.empty()) line += " · from " + from;
  else if (!to.empty()) line += " · until " + to;
  const std::string done = short_date(rd::at(s, "completeDate"));
  if (!done.empty()) line += " · completed " + done;
  const std::string goal = rd::str(s, "goal");
  if (!goal.empty()) line += " · Goal: " + goal;
  return line;
}

Result<Json, jira::JiraError> fetch_sprint(Jira& jira, const std::string& id) { return jira.get_json(jira::path(kAgile, "sprint", id)); }

// --- issue pages ------------------------------------------------------------------------------

Json issue_page_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"issues",
                 {{"type", "array"},
                  {"items",
                   {{"type", "object"},
                    {"properties",
                     {{"key", {{"type", "string"}}},
                      {"summary", {{"type", "string"}}},
                      {"status", {{"type", "string"}}},
                      {"type", {{"type", "string"}}},
                      {"priority", {{"type", "string"}}},
                      {"assignee", {{"type", "string"}}},
                      {"url", {{"type", "string"}}}}},
                    {"required", {"key"}}}}}},
                {"start_at", {{"type", "integer"}}},
                {"total", {{"type", "integer"}}},
                {"is_last", {{"type", "boolean"}}}}},
              {"required", {"issues", "start_at", "is_last"}}};
}

Json issue_page_props(Json extra) {
  extra["jql"] = str_prop("Optional JQL to narrow the list, e.g. \"assignee = currentUser() AND status != Done\"");
  extra["start_at"] = int_prop("Offset of the first issue", 0, std::nullopt, 0);
  extra["max_results"] = int_prop("Issues per page", 1, 100, 50);
  extra["fields"] = str_array_prop("Fields to return (default: summary, status, type, priority, assignee, updated)");
  return extra;
}

// GET an agile issue list (board, sprint or epic) and render it as lines plus structuredContent.
ToolResult issue_page(Jira& jira, const std::string& path, const Json& args, const std::string& title, const std::string& doing) {
  const long start = args.value("start_at", 0L);
  const long max = args.value("max_results", 50L);
  auto fields = string_list(args.value("fields", Json()));
  jira::Query q{{"startAt", std::to_string(start)}, {"maxResults", std::to_string(max)},
                {"fields", fields.empty() ? kListFields : join(fields, ",")}};
  if (args.contains("jql") && !args["jql"].get<std::string>().empty()) q.emplace_back("jql", args["jql"].get<std::string>());
  auto r = jira.get_json(path, q);
  if (!r) return jira_failure(r.error(), doing);
  const Json issues = rd::arr(*r, "issues");
  const long total = r->contains("total") && (*r)["total"].is_number_integer() ? (*r)["total"].get<long>() : -1;
  // Never more than asked for (a Jira may send a longer page), and only as many as fit the
  // budget in both forms, so the text and structuredContent list the same issues.
  const size_t asked = static_cast<size_t>(std::max(max, 1L));
  Json list = Json::array();
  std::vector<std::string> lines;
  for (const auto& issue : issues) {
    if (lines.size() == asked) break;
    Json sum = issue_summary_json(jira, issue, false);
    Json slim{{"key", rd::str(sum, "key")}, {"url", rd::str(sum, "url")}};
    for (const char* k : {"summary", "status", "type", "priority", "assignee"}) {
      if (sum.contains(k) && sum[k].is_string()) slim[k] = sum[k];
    }
    list.push_back(std::move(slim));
    lines.push_back(issue_line(issue));
  }
  const size_t keep = items_within_budget(jira.options().max_response_chars, lines, list, asked);
  list.erase(list.begin() + static_cast<std::ptrdiff_t>(keep), list.end());
  const size_t omitted = issues.size() - keep;
  const long next = start + static_cast<long>(keep);
  const bool is_last = omitted == 0 && (issues.empty() || (total >= 0 ? next >= total : static_cast<long>(issues.size()) < max));
  std::string text = title + ": " + std::to_string(keep) + " issue(s)" +
                     (total >= 0 ? " of " + std::to_string(total) : std::string()) +
                     (start > 0 ? " from " + std::to_string(start) : std::string()) + "\n";
  for (size_t i = 0; i < keep; ++i) text += lines[i] + "\n";
  if (issues.empty()) text += "(no issues)\n";
  if (omitted > 0) {
    text += "[" + std::to_string(omitted) + " more issue(s) of this page left out to stay within " +
            (keep < std::min(issues.size(), asked) ? "the response budget" : "max_results") + ".]\n";
  }
  if (!is_last) text += "More: call again with start_at " + std::to_string(next) + ".\n";
  ToolResult out = text_result(jira, text, "Use a smaller max_results, or a jql filter.");
  out.structured = Json{{"issues", list}, {"start_at", start}, {"is_last", is_last}};
  if (total >= 0) (*out.structured)["total"] = total;
  if (omitted > 0) {
    (*out.structured)["truncated"] = true;
    (*out.structured)["omitted"] = omitted;
    (*out.structured)["next_start_at"] = next;
    (*out.structured)["continue_hint"] = "call again with start_at " + std::to_string(next);
  }
  return out;
}

// --- handlers ---------------------------------------------------------------------------------

ToolResult list_boards(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const long start = args.value("start_at", 0L);
  jira::Query q{{"startAt", std::to_string(start)}, {"maxResults", std::to_string(args.value("max_results", 50))}};
  if (args.contains("project_key")) q.emplace_back("projectKeyOrId", args["project_key"].get<std::string>());
  if (args.contains("type")) q.emplace_back("type", args["type"].get<std::string>());
  if (args.contains("name")) q.emplace_back("name", args["name"].get<std::string>());
  auto r = jira.get_json(jira::path(kAgile, "board"), q);
  if (!r) return jira_failure(r.error(), "Listing boards");
  Json values = rd::arr(*r, "values");
  const long asked = std::max(args.value("max_results", 50L), 1L);  // never more, whatever Jira sent
  const bool cut = static_cast<long>(values.size()) > asked;
  if (cut) values.erase(values.begin() + asked, values.end());
  Json boards = Json::array();
  std::string text = std::to_string(values.size()) + " board(s):\n";
  for (const auto& b : values) {
    const Json& loc = rd::obj(b, "location");
    Json j{{"id", id_string(b)}, {"name", rd::str(b, "name")}};
    const std::string bid = id_string(b), btype = rd::str(b, "type"), pkey = rd::str(loc, "projectKey");
    if (!btype.empty()) j["type"] = btype;
    if (!pkey.empty()) j["project_key"] = pkey;
    text += "- **" + rd::str(b, "name") + "**" + (bid.empty() ? "" : " (id " + bid + ")") + (btype.empty() ? "" : " — " + btype) +
            (pkey.empty() ? std::string() : " · project " + pkey) + "\n";
    boards.push_back(std::move(j));
  }
  if (values.empty()) text = "No boards match.\n";
  const bool is_last = rd::boolean_of(rd::at(*r, "isLast"), true) && !cut;
  if (!is_last) text += "More: call again with start_at " + std::to_string(start + static_cast<long>(values.size())) + ".\n";
  ToolResult out = text_result(jira, text, "Filter by project_key, type or name.");
  out.structured = Json{{"boards", boards}, {"is_last", is_last}};
  return out;
}

ToolResult board_issues(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["board_id"].get<std::string>();
  return issue_page(jira, jira::path(kAgile, "board", id, "issue"), args, "Board " + id, "Getting the issues of board " + id);
}

ToolResult list_sprints(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string board = args["board_id"].get<std::string>();
  std::vector<std::string> states = string_list(args.value("state", Json::array({"active", "future"})));
  const long start = args.value("start_at", 0L);
  jira::Query q{{"startAt", std::to_string(start)}, {"maxResults", std::to_string(args.value("max_results", 50))}};
  if (!states.empty()) q.emplace_back("state", join(states, ","));
  auto r = jira.get_json(jira::path(kAgile, "board", board, "sprint"), q);
  if (!r) return jira_failure(r.error(), "Listing the sprints of board " + board + " (kanban boards have none)");
  Json values = rd::arr(*r, "values");
  const long asked = std::max(args.value("max_results", 50L), 1L);  // never more, whatever Jira sent
  const bool cut = static_cast<long>(values.size()) > asked;
  if (cut) values.erase(values.begin() + asked, values.end());
  Json sprints = Json::array();
  std::string text = "Sprints of board " + board + " (" + (states.empty() ? "all states" : join(states)) + "): " +
                     std::to_string(values.size()) + "\n";
  for (const auto& sp : values) {
    sprints.push_back(sprint_summary(sp));
    text += sprint_line(sp) + "\n";
  }
  if (values.empty()) text += "(none; state [\"closed\"] lists past sprints)\n";
  const bool is_last = rd::boolean_of(rd::at(*r, "isLast"), true) && !cut;
  if (!is_last) text += "More: call again with start_at " + std::to_string(start + static_cast<long>(values.size())) + ".\n";
  ToolResult out = text_result(jira, text, "Narrow the state filter.");
  out.structured = Json{{"sprints", sprints}, {"is_last", is_last}};
  return out;
}

ToolResult get_sprint(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["sprint_id"];
  auto r = fetch_sprint(jira, id);
  if (!r) return jira_failure(r.error(), "Getting sprint " + id);
  ToolResult out = text_result(jira, sprint_line(*r).substr(2) + "\nIssues: jira_get_sprint_issues {\"sprint_id\": \"" + id + "\"}");
  out.structured = sprint_summary(*r);
  return out;
}

ToolResult sprint_issues(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string id = args["sprint_id"].get<std::string>();
  return issue_page(jira, jira::path(kAgile, "sprint", id, "issue"), args, "Sprint " + id, "Getting the issues of sprint " + id);
}

ToolResult epic_issues(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira = Jira::reading(s, ctx);
  JIRA_READY(jira);
  const std::string key = args["epic_key"];
  return issue_page(jira, jira::path(kAgile, "epic", key, "issue"), args, "Epic " + key, "Getting the issues of epic " + key);
}

ToolResult create_sprint(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string board = args["board_id"];
  const auto board_number = id_number(board);
  if (!board_number) return bad_argument("board_id", "board " + board + " is not a Jira board id (jira_list_boards lists them)");
  Json body{{"name", args["name"]}, {"originBoardId", *board_number}};
  if (args.contains("goal")) body["goal"] = args["goal"];
  if (args.contains("start_date")) body["startDate"] = jira_date_time(args["start_date"]);
  if (args.contains("end_date")) body["endDate"] = jira_date_time(args["end_date"]);
  auto r = jira.post_json(jira::path(kAgile, "sprint"), body, affects::agile());
  if (!r) return jira_failure(r.error(), "Creating sprint '" + args["name"].get<std::string>() + "' on board " + board);
  ToolResult out = text_result(jira, "Created sprint " + sprint_line(*r).substr(2));
  out.structured = sprint_summary(*r);
  return out;
}

ToolResult update_sprint(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string sid = args["sprint_id"];
  auto current = fetch_sprint(jira, sid);
  if (!current) return jira_failure(current.error(), "Getting sprint " + sid);
  const std::string state = lower(rd::str(*current, "state"));
  // Data Center refuses any change to a closed sprint; Cloud takes a new name and goal only.
  if (state == "closed" && !jira.cloud() && (args.contains("name") || args.contains("goal"))) {
    return bad_argument(args.contains("name") ? "name" : "goal", "sprint " + sid + " is closed, and Jira Data Center does not change closed sprints");
  }
  Json body = Json::object();
  std::vector<std::string> changed;
  if (args.contains("name")) body["name"] = args["name"], changed.push_back("name");
  if (args.contains("goal")) body["goal"] = args["goal"], changed.push_back("goal");
  for (auto [arg, field] : {std::pair{"start_date", "startDate"}, {"end_date", "endDate"}}) {
    if (!args.contains(arg)) continue;
    if (state == "closed") {
      return bad_argument(arg, "sprint " + sid + " is closed; Jira does not change the dates of a closed sprint");
    }
    body[field] = jira_date_time(args[arg]);
    changed.push_back(arg);
  }
  if (args.contains("state") && args["state"] != state) {
    const std::string to = args["state"];
    if (to == "active") {
      if (state != "future") {
        return bad_argument("state", "sprint " + sid + " is " + state + "; only a future sprint can be started (Jira cannot reopen a closed sprint)");
      }
      const bool has_start = body.contains("startDate") || (current->contains("startDate") && (*current)["startDate"].is_string());
      const bool has_end = body.contains("endDate") || (current->contains("endDate") && (*current)["endDate"].is_string());
      if (!has_start || !has_end) {
        return bad_argument(has_start ? "end_date" : "start_date",
                            "starting a sprint needs a start and an end date; give start_date and end_date with state \"active\"");
      }
    } else if (to == "closed" && state != "active") {
      return bad_argument("state", "sprint " + sid + " is " + state + "; only an active sprint can be closed" +
                                       (state == "future" ? " (start it first with state \"active\")" : ""));
    }
    body["state"] = to;
    changed.push_back(to == "active" ? "started" : "closed");
  }
  if (body.empty()) {
    if (args.contains("state")) {
      ToolResult same = text_result(jira, "Sprint " + sid + " is already " + state + "; nothing changed.");
      same.structured = sprint_summary(*current);  // the outputSchema promises the sprint
      return same;
    }
    return bad_argument("sprint_id", "nothing to change: give name, goal, start_date, end_date or state");
  }
  auto r = jira.post_json(jira::path(kAgile, "sprint", sid), body, affects::agile());
  if (!r) return jira_failure(r.error(), "Updating sprint " + sid);
  const Json& updated = r->is_object() && r->contains("state") ? *r : *current;
  ToolResult out = text_result(jira, "Updated sprint " + sid + " (" + join(changed) + "):\n" + sprint_line(updated));
  out.structured = sprint_summary(updated);
  return out;
}

std::vector<std::string> unique_keys(const Json& value) {
  std::vector<std::string> keys;
  for (auto& k : string_list(value)) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(std::move(k));
  }
  return keys;
}

// Sends `keys` in batches of 50 through `send_batch`; on a failure says which issues moved and
// which did not, so the agent can retry the rest.
template <typename Send>
ToolResult in_batches(const std::vector<std::string>& keys, const std::string& doing, Send send_batch) {
  size_t done = 0;
  while (done < keys.size()) {
    const size_t n = std::min(kMoveBatch, keys.size() - done);
    std::vector<std::string> batch(keys.begin() + static_cast<long>(done), keys.begin() + static_cast<long>(done + n));
    auto r = send_batch(batch, done);
    if (!r) {
      std::vector<std::string> rest(keys.begin() + static_cast<long>(done), keys.end());
      ToolResult out = jira_failure(r.error(), doing);
      if (done > 0) {
        out.add_text("The first " + std::to_string(done) + " issue(s) were moved; these were not: " + join(rest));
      }
      return out;
    }
    done += n;
  }
  return ToolResult{};
}

ToolResult add_to_sprint(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const std::string sid = args["sprint_id"];
  const auto keys = unique_keys(args["issue_keys"]);
  if (args.contains("rank_before") && args.contains("rank_after")) {
    return bad_argument("rank_after", "give rank_before or rank_after, not both");
  }
  auto sprint = fetch_sprint(jira, sid);
  if (!sprint) return jira_failure(sprint.error(), "Getting sprint " + sid);
  if (lower(rd::str(*sprint, "state")) == "closed") {
    return bad_argument("sprint_id", "sprint " + sid + " is closed; issues can only be added to a future or active sprint (jira_list_sprints)");
  }
  // Batches keep the given order: before an anchor, each batch lands before it in turn; after an
  // anchor, each batch goes after the last issue of the previous one.
  std::string after = args.value("rank_after", "");
  auto r = in_batches(keys, "Adding issues to sprint " + sid, [&](const std::vector<std::string>& batch, size_t) {
    Json body{{"issues", batch}};
    if (args.contains("rank_before")) body["rankBeforeIssue"] = args["rank_before"];
    if (!after.empty()) body["rankAfterIssue"] = after;
    auto res = jira.post_json(jira::path(kAgile, "sprint", sid, "issue"), body, affects::agile(batch));
    if (res && !after.empty()) after = batch.back();
    return res;
  });
  if (r.is_error) return r;
  ToolResult out = text_result(jira, "Added " + std::to_string(keys.size()) + " issue(s) to sprint " + rd::str(*sprint, "name") +
                                    " (id " + sid + ", " + rd::str(*sprint, "state") + "): " + join(keys));
  out.structured = Json{{"sprint_id", sid}, {"issue_keys", keys}};
  return out;
}

ToolResult move_to_backlog(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const auto keys = unique_keys(args["issue_keys"]);
  auto r = in_batches(keys, "Moving issues to the backlog", [&](const std::vector<std::string>& batch, size_t) {
    return jira.post_json(jira::path(kAgile, "backlog", "issue"), Json{{"issues", batch}}, affects::agile(batch));
  });
  if (r.is_error) return r;
  ToolResult out = text_result(jira, "Moved " + std::to_string(keys.size()) + " issue(s) to the backlog (out of their future and active sprints): " + join(keys));
  out.structured = Json{{"issue_keys", keys}};
  return out;
}

ToolResult rank_issues(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  const auto keys = unique_keys(args["issue_keys"]);
  const bool before = args.contains("before");
  if (before == args.contains("after")) return bad_argument(before ? "after" : "before", "give exactly one of before and after (the issue to rank against)");
  const std::string anchor = args[before ? "before" : "after"];
  if (std::find(keys.begin(), keys.end(), anchor) != keys.end()) {
    return bad_argument(before ? "before" : "after", anchor + " is also in issue_keys; an issue cannot be ranked against itself");
  }
  Json body{{"issues", keys}, {before ? "rankBeforeIssue" : "rankAfterIssue", anchor}};
  auto r = jira.put_json(jira::path(kAgile, "issue", "rank"), body, affects::agile(keys));
  if (!r) return jira_failure(r.error(), "Ranking " + join(keys));
  // 207: some issues failed; the body lists each issue's status.
  std::vector<std::string> failed;
  for (const auto& e : rd::arr(*r, "entries")) {
    if (rd::integer_of(rd::at(e, "status"), 200) >= 300) {
      std::string why;
      for (const auto& m : rd::arr(e, "errors")) why += (why.empty() ? "" : "; ") + (m.is_string() ? m.get<std::string>() : m.dump());
      failed.push_back(str_or(e, "issueKey", id_string(e, "issueId")) + (why.empty() ? "" : " (" + why + ")"));
    }
  }
  if (!failed.empty()) {
    return ToolResult::error("Ranking failed for " + std::to_string(failed.size()) + " of " + std::to_string(keys.size()) +
                             " issue(s): " + join(failed, "; ") + ". The others were ranked; retry the failed ones.");
  }
  ToolResult out = text_result(jira, "Ranked " + join(keys) + " " + (before ? "before " : "after ") + anchor);
  out.structured = Json{{"issue_keys", keys}, {before ? "before" : "after", anchor}};
  return out;
}

}  // namespace

void add_agile_tools(ToolTable& t, const ServicesPtr& s) {
  const Json board_id = id_prop("Board id (jira_list_boards)");
  const Json sprint_id = id_prop("Sprint id (jira_list_sprints)");
  const Json name = Json{{"type", "string"}, {"minLength", 1}, {"maxLength", 255}, {"description", "Sprint name"}};
  t.push_back({"agile",
               {"jira_list_boards", "List boards",
                "Lists Jira Software boards (id, name, type, project), optionally filtered by project, type or name. "
                "Board ids feed jira_list_sprints and jira_get_board_issues. Example: {\"project_key\": \"PROJ\", \"type\": \"scrum\"}.",
                object_schema({{"project_key", Json{{"type", "string"}, {"pattern", "^([A-Za-z][A-Za-z0-9_]*|[0-9]+)$"}, {"description", "Only boards of this project (key or id)"}}},
                               {"type", enum_prop("Only boards of this type", {"scrum", "kanban", "simple"})},
                               {"name", str_prop("Only boards whose name contains this text")},
                               {"start_at", int_prop("Offset of the first board", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Boards per page", 1, 50, 50)}}),
                Json{{"type", "object"},
                     {"properties",
                      {{"boards",
                        {{"type", "array"},
                         {"items",
                          {{"type", "object"},
                           {"properties", {{"id", {{"type", "string"}}}, {"name", {{"type", "string"}}}, {"type", {{"type", "string"}}}, {"project_key", {{"type", "string"}}}}},
                           {"required", {"id", "name"}}}}}},
                       {"is_last", {{"type", "boolean"}}}}},
                     {"required", {"boards", "is_last"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return list_boards(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_get_board_issues", "Get board issues",
                "Lists the issues on a board in rank order, optionally narrowed by JQL, one page at a time. Example: "
                "{\"board_id\": 1, \"jql\": \"status = 'In Progress'\", \"max_results\": 20}.",
                object_schema(issue_page_props({{"board_id", board_id}}), {"board_id"}), issue_page_schema(), read_only(),
                [s](const Json& a, RequestContext& ctx) { return board_issues(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_list_sprints", "List sprints",
                "Lists the sprints of a scrum board (id, name, state, dates, goal); by default the active and future "
                "ones. Example: {\"board_id\": 1, \"state\": [\"closed\"]}.",
                object_schema({{"board_id", board_id},
                               {"state", Json{{"type", "array"},
                                              {"items", {{"type", "string"}, {"enum", {"future", "active", "closed"}}}},
                                              {"default", {"active", "future"}},
                                              {"description", "Sprint states to list (default active and future; [] for all)"}}},
                               {"start_at", int_prop("Offset of the first sprint", 0, std::nullopt, 0)},
                               {"max_results", int_prop("Sprints per page", 1, 50, 50)}},
                              {"board_id"}),
                Json{{"type", "object"},
                     {"properties", {{"sprints", {{"type", "array"}, {"items", sprint_schema()}}}, {"is_last", {{"type", "boolean"}}}}},
                     {"required", {"sprints", "is_last"}}},
                read_only(), [s](const Json& a, RequestContext& ctx) { return list_sprints(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_get_sprint", "Get sprint",
                "Gets one sprint: name, state (future, active, closed), dates, goal and board. Example: {\"sprint_id\": 12}.",
                object_schema({{"sprint_id", sprint_id}}, {"sprint_id"}), sprint_schema(), read_only(),
                [s](const Json& a, RequestContext& ctx) { return get_sprint(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_get_sprint_issues", "Get sprint issues",
                "Lists the issues in a sprint in rank order, optionally narrowed by JQL. Example: "
                "{\"sprint_id\": 12, \"jql\": \"assignee = currentUser()\"}.",
                object_schema(issue_page_props({{"sprint_id", sprint_id}}), {"sprint_id"}), issue_page_schema(), read_only(),
                [s](const Json& a, RequestContext& ctx) { return sprint_issues(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_create_sprint", "Create sprint",
                "Creates a future sprint on a scrum board; start it later with jira_update_sprint state \"active\". "
                "Example: {\"board_id\": 1, \"name\": \"Sprint 42\", \"start_date\": \"2026-01-05\", \"end_date\": "
                "\"2026-01-19\", \"goal\": \"Ship search\"}.",
                object_schema({{"board_id", board_id},
                               {"name", name},
                               {"start_date", date_time_prop("Planned start")},
                               {"end_date", date_time_prop("Planned end")},
                               {"goal", str_prop("Sprint goal")}},
                              {"board_id", "name"}),
                sprint_schema(), writes(false, false), [s](const Json& a, RequestContext& ctx) { return create_sprint(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_update_sprint", "Update sprint",
                "Changes only the given fields of a sprint: rename, dates, goal, and state. state \"active\" starts a "
                "future sprint (it needs start and end dates); state \"closed\" completes an active sprint. A closed "
                "sprint keeps its dates (Cloud still renames it and changes its goal; Data Center changes nothing). Example: {\"sprint_id\": 12, \"state\": \"active\", \"start_date\": "
                "\"2026-01-05\", \"end_date\": \"2026-01-19\"}.",
                object_schema({{"sprint_id", sprint_id},
                               {"name", name},
                               {"goal", str_prop("New sprint goal")},
                               {"start_date", date_time_prop("New start")},
                               {"end_date", date_time_prop("New end")},
                               {"state", enum_prop("active: start the sprint; closed: complete it", {"active", "closed"})}},
                              {"sprint_id"}),
                sprint_schema(), writes(false, true), [s](const Json& a, RequestContext& ctx) { return update_sprint(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_add_issues_to_sprint", "Add issues to sprint",
                "Moves issues into a future or active sprint (out of any other open sprint), optionally ranked before "
                "or after an issue. Jira takes 50 per request; longer lists are sent in batches. Example: "
                "{\"sprint_id\": 12, \"issue_keys\": [\"PROJ-1\", \"PROJ-2\"]}.",
                object_schema({{"sprint_id", sprint_id},
                               {"issue_keys", issue_keys_prop(kMaxIssuesPerCall, "Issues to move (keys or ids)")},
                               {"rank_before", issue_key_prop("Rank the issues just before this issue")},
                               {"rank_after", issue_key_prop("Rank the issues just after this issue")}},
                              {"sprint_id", "issue_keys"}),
                keys_schema({{"sprint_id", Json{{"type", "string"}}}}, {"sprint_id"}), writes(false, true),
                [s](const Json& a, RequestContext& ctx) { return add_to_sprint(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_move_issues_to_backlog", "Move issues to backlog",
                "Moves issues to the backlog: takes them out of their future and active sprints (closed sprints keep "
                "their history). Example: {\"issue_keys\": [\"PROJ-7\"]}.",
                object_schema({{"issue_keys", issue_keys_prop(kMaxIssuesPerCall, "Issues to move (keys or ids)")}}, {"issue_keys"}),
                keys_schema({}, {}), writes(false, true), [s](const Json& a, RequestContext& ctx) { return move_to_backlog(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_get_epic_issues", "Get epic issues",
                "Lists the issues in an epic in rank order, optionally narrowed by JQL. Example: {\"epic_key\": \"PROJ-10\"}.",
                object_schema(issue_page_props({{"epic_key", issue_key_prop("Epic key such as PROJ-10 (or its id)")}}), {"epic_key"}),
                issue_page_schema(), read_only(), [s](const Json& a, RequestContext& ctx) { return epic_issues(s, a, ctx); }}});
  t.push_back({"agile",
               {"jira_rank_issues", "Rank issues",
                "Moves issues (at most 50, kept in the given order) just before or just after another issue in the "
                "board's rank order. Give exactly one of before and after. Example: {\"issue_keys\": [\"PROJ-5\"], "
                "\"before\": \"PROJ-2\"}.",
                object_schema({{"issue_keys", issue_keys_prop(50, "Issues to rank, in the order they should end up")},
                               {"before", issue_key_prop("Rank them just before this issue")},
                               {"after", issue_key_prop("Rank them just after this issue")}},
                              {"issue_keys"}),
                keys_schema({{"before", Json{{"type", "string"}}}, {"after", Json{{"type", "string"}}}}, {}), writes(false, true),
                [s](const Json& a, RequestContext& ctx) { return rank_issues(s, a, ctx); }}});
}

}  // namespace jira_mcp::tools::detail
