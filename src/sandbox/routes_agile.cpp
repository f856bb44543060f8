// Agile 1.0: boards, sprints, backlog, epics and rank. Boards map one-to-one onto projects; a
// board's issues are its project's issues (sub-tasks included), ordered by rank.
#include "sandbox/jql.hpp"
#include "sandbox/render.hpp"
#include "sandbox/router.hpp"
#include "sandbox/search_page.hpp"

#include <set>

namespace jira_mcp::sandbox::detail {
namespace {

using Lock = std::shared_lock<std::shared_mutex>;
using WLock = std::unique_lock<std::shared_mutex>;

const Board* board_or(const World& w, const Req& r, Resp& err) {
  const Board* b = w.store.board(std::atoll(r.p("boardId").c_str()));
  if (!b) err = error_resp(404, {"Board does not exist or you do not have permission to see it."});
  return b;
}

Sprint* sprint_or(World& w, const std::string& id, Resp& err) {
  auto it = w.store.sprints.find(std::atoll(id.c_str()));
  if (it == w.store.sprints.end()) {
    err = error_resp(404, {"Sprint with id " + id + " does not exist or you do not have permission to see it."});
    return nullptr;
  }
  return &it->second;
}

// Issues filtered by `keep`, then by the optional jql= parameter, ordered by rank.
Resp issue_list(World& w, const Req& r, const std::function<bool(const Issue&)>& keep) {
  Resp err;
  auto page = page_params(r, err, 50, 1000);
  if (!page) return err;
  IssueView view;
  view.fields = FieldSelection::parse(r.q_list("fields"), false);
  for (const auto& e : r.q_list("expand")) view.expand.insert(e);
  std::vector<const Issue*> list;
  std::optional<JqlQuery> q;
  if (!r.q("jql").empty()) {
    auto parsed = parse_jql(r.q("jql"));
    if (!parsed) return error_resp(400, {parsed.error().message});
    auto st = prepare_jql(*parsed, w, r.user, w.now());
    if (!st) return error_resp(400, {st.error().message});
    q = std::move(parsed).value();
  }
  for (const auto& [id, is] : w.store.issues)
    if (keep(is) && (!q || jql_matches(*q, w, is))) list.push_back(&is);
  if (q && !q->order.empty()) list = jql_search(*q, w), std::erase_if(list, [&](const Issue* i) { return !keep(*i); });
  else std::sort(list.begin(), list.end(), [](const Issue* a, const Issue* b) { return a->rank < b->rank; });
  return json_resp(200, search_page(w, list, page->start, page->max, view));
}

bool in_open_sprint(const World& w, const Issue& is) {
  for (auto id : is.sprints)
    if (auto it = w.store.sprints.find(id); it != w.store.sprints.end() && it->second.state != "closed")
      return true;
  return false;
}

Resp boards_list(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 50, 50);
  if (!page) return err;
  Lock lock(w.mu);
  const std::string type = r.q("type"), name = r.q("name"), proj = r.q("projectKeyOrId");
  Json all = Json::array();
  for (const auto& b : w.store.boards) {
    if (!type.empty() && type.find(b.type) == std::string::npos) continue;
    if (!name.empty() && !icontains(b.name, name)) continue;
    if (!proj.empty()) {
      const Project* p = w.store.find_project(proj);
      if (!p || p->key != b.project_key) continue;
    }
    all.push_back(board_json(w, b));
  }
  return json_resp(200, paged_values(all, *page));
}

Resp board_get(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Board* b = board_or(w, r, err);
  return b ? json_resp(200, board_json(w, *b)) : err;
}

Resp board_issues(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Board* b = board_or(w, r, err);
  if (!b) return err;
  const std::string pk = b->project_key;
  return issue_list(w, r, [&](const Issue& is) { return is.project_key == pk; });
}

Resp board_backlog(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Board* b = board_or(w, r, err);
  if (!b) return err;
  const std::string pk = b->project_key;
  const bool kanban = b->type == "kanban";
  return issue_list(w, r, [&](const Issue& is) {
    if (is.project_key != pk || is.type_id == "10000") return false;
    if (kanban) return is.status_id == "10000";
    return !in_open_sprint(w, is) && w.store.status(is.status_id)->category != 3;
  });
}

Resp board_sprints(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 50, 50);
  if (!page) return err;
  Lock lock(w.mu);
  const Board* b = board_or(w, r, err);
  if (!b) return err;
  if (b->type != "scrum") return error_resp(400, {"The board does not support sprints"});
  const auto states = r.q_list("state");
  Json all = Json::array();
  for (const auto& [id, s] : w.store.sprints) {
    if (s.board_id != b->id) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), s.state) == states.end()) continue;
    all.push_back(sprint_json(w, s));
  }
  return json_resp(200, paged_values(all, *page));
}

Json epic_json(const World& w, const Issue& e) {
  return {{"id", e.id}, {"key", e.key},
          {"self", w.base_url + "/rest/agile/1.0/epic/" + std::to_string(e.id)},
          {"name", e.summary}, {"summary", e.summary},
          {"color", {{"key", "color_" + std::to_string(1 + e.id % 9)}}},
          {"done", w.store.status(e.status_id)->category == 3}};
}

Resp board_epics(World& w, const Req& r) {
  Resp err;
  auto page = page_params(r, err, 50, 50);
  if (!page) return err;
  Lock lock(w.mu);
  const Board* b = board_or(w, r, err);
  if (!b) return err;
  const std::string done = r.q("done");
  Json all = Json::array();
  for (const auto& [id, is] : w.store.issues) {
    if (is.project_key != b->project_key || is.type_id != "10000") continue;
    Json e = epic_json(w, is);
    if (!done.empty() && e["done"].get<bool>() != (done == "true")) continue;
    all.push_back(std::move(e));
  }
  return json_resp(200, paged_values(all, *page));
}

Resp epic_issues(World& w, const Req& r, const std::string& epic_ref, const Board* board) {
  const Issue* e = w.store.find_issue(epic_ref);
  if (!e || e->type_id != "10000")
    return error_resp(404, {"Epic does not exist or you do not have permission to see it."});
  const std::int64_t eid = e->id;
  const std::string pk = board ? board->project_key : "";
  return issue_list(w, r, [&](const Issue& is) {
    return is.epic_id == eid && (pk.empty() || is.project_key == pk);
  });
}

Resp sprint_issues(World& w, const Req& r, const Board* board) {
  Resp err;
  const Sprint* s = sprint_or(w, r.p("sprintId"), err);
  if (!s) return err;
  const std::int64_t sid = s->id;
  const std::string pk = board ? board->project_key : "";
  return issue_list(w, r, [&](const Issue& is) {
    return std::find(is.sprints.begin(), is.sprints.end(), sid) != is.sprints.end() &&
           (pk.empty() || is.project_key == pk);
  });
}

// Sets the sprint fields from a create/update body. `full` (PUT) resets omitted fields.
Resp apply_sprint(World& w, Sprint& s, const Json& b, bool creating) {
  // Data Center: "Sprints that are in a closed state cannot be updated."
  if (!creating && s.state == "closed" && !w.cloud()) return error_resp(400, {"Sprints that are in a closed state cannot be updated."});
  if (b.contains("name")) s.name = string_or(b, "name");
  if (s.name.empty()) return field_error("name", "Sprint name is required.");
  if (s.name.size() > 255) return field_error("name", "Sprint name must not exceed 255 characters.");
  if (b.contains("goal")) s.goal = string_or(b, "goal");
  // Cloud: "For closed sprints, only the name and goal can be updated; changes to other fields
  // will be ignored."
  if (!creating && s.state == "closed") return Resp{};
  for (const char* k : {"startDate", "endDate"}) {
    if (!b.contains(k)) continue;
    if (b[k].is_null()) continue;
    auto t = parse_datetime(string_or(b, k));
    if (!t) return field_error(k, "Invalid date format. Please use ISO 8601, e.g. 2025-01-06T10:00:00.000Z.");
    (std::string_view(k) == "startDate" ? s.start : s.end) = *t;
  }
  if (s.start && s.end && s.end < s.start) return field_error("endDate", "The sprint end date must be after the start date.");
  const std::string state = b.contains("state") ? lower(string_or(b, "state")) : s.state;
  if (creating) return Resp{};
  if (state != s.state) {
    if (state == "active") {
      if (s.state != "future") return error_resp(400, {"A closed sprint cannot be reopened this way."});
      if (!s.start || !s.end) return error_resp(400, {"Sprint start and end dates are required to start a sprint."});
      for (const auto& [id, other] : w.store.sprints)
        if (other.board_id == s.board_id && other.state == "active")
          return error_resp(400, {"This board already has an active sprint."});
    } else if (state == "closed") {
      if (s.state != "active") return error_resp(400, {"Only an active sprint can be closed."});
      s.complete = w.now();
    } else {
      return error_resp(400, {"Sprint state '" + state + "' is not valid."});
    }
    s.state = state;
  }
  return Resp{};
}

Resp sprint_create(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  const Json ob = body->value("originBoardId", Json());
  const Board* b = ob.is_number_integer() ? w.store.board(ob.get<std::int64_t>()) : nullptr;
  if (!b) return field_error("originBoardId", "Board with id " + ob.dump() + " does not exist.");
  if (b->type != "scrum") return error_resp(400, {"The board does not support sprints"});
  Sprint s;
  s.board_id = b->id;
  s.state = "future";
  Resp v = apply_sprint(w, s, *body, true);
  if (v.status != 200) return v;
  s.id = w.store.sprints.empty() ? 1 : w.store.sprints.rbegin()->first + 1;
  w.store.sprints[s.id] = s;
  return json_resp(201, sprint_json(w, s));
}

Resp sprint_get(World& w, const Req& r) {
  Lock lock(w.mu);
  Resp err;
  const Sprint* s = sprint_or(w, r.p("sprintId"), err);
  return s ? json_resp(200, sprint_json(w, *s)) : err;
}

Resp sprint_update(World& w, const Req& r, bool full) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Sprint* s = sprint_or(w, r.p("sprintId"), err);
  if (!s) return err;
  Sprint copy = *s;
  if (full && !body->contains("goal")) copy.goal.clear();
  Resp v = apply_sprint(w, copy, *body, false);
  if (v.status != 200) return v;
  *s = copy;
  return json_resp(200, sprint_json(w, *s));
}

Resp sprint_delete(World& w, const Req& r) {
  WLock lock(w.mu);
  Resp err;
  Sprint* s = sprint_or(w, r.p("sprintId"), err);
  if (!s) return err;
  if (s->state == "active") return error_resp(400, {"An active sprint cannot be deleted. Complete the sprint first."});
  const auto id = s->id;
  for (auto& [iid, is] : w.store.issues) std::erase(is.sprints, id);
  w.store.sprints.erase(id);
  return no_content();
}

std::optional<std::vector<Issue*>> issues_from(World& w, const Json& body, Resp& err) {
  const Json list = body.value("issues", Json());
  if (!list.is_array() || list.empty()) {
    err = field_error("issues", "At least one issue must be given.");
    return std::nullopt;
  }
  if (list.size() > 50) {
    err = field_error("issues", "At most 50 issues can be moved in one request.");
    return std::nullopt;
  }
  std::vector<Issue*> out;
  for (const auto& x : list) {
    Issue* is = x.is_string() ? w.store.find_issue(x.get<std::string>()) : nullptr;
    if (!is) {
      err = error_resp(400, {"Issue '" + (x.is_string() ? x.get<std::string>() : x.dump()) + "' does not exist or you do not have permission to see it."});
      return std::nullopt;
    }
    out.push_back(is);
  }
  return out;
}

void rank_relative(World& w, std::vector<Issue*>& issues, const Json& body) {
  const std::string before = string_or(body, "rankBeforeIssue"), after = string_or(body, "rankAfterIssue");
  const Issue* anchor = w.store.find_issue(before.empty() ? after : before);
  if (!anchor || (before.empty() && after.empty())) return;
  const std::int64_t a = anchor->rank;
  const auto n = static_cast<std::int64_t>(issues.size());
  // Open a gap of n ranks right before (or after) the anchor and move the issues into it.
  const std::int64_t gap_start = before.empty() ? a + 1 : a;
  for (auto& [id, is] : w.store.issues)
    if (is.rank >= gap_start) is.rank += n;
  for (std::int64_t i = 0; i < n; ++i) issues[static_cast<std::size_t>(i)]->rank = gap_start + i;
  w.store.next_rank += n;
}

Resp sprint_move(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  Sprint* s = sprint_or(w, r.p("sprintId"), err);
  if (!s) return err;
  if (s->state == "closed") return error_resp(400, {"Issues can't be moved to a closed sprint."});
  auto issues = issues_from(w, *body, err);
  if (!issues) return err;
  for (Issue* is : *issues) {
    std::erase_if(is->sprints, [&](std::int64_t id) { return w.store.sprints.at(id).state != "closed"; });
    is->sprints.push_back(s->id);
    is->updated = w.now();
  }
  rank_relative(w, *issues, *body);
  return no_content();
}

Resp backlog_move(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  auto issues = issues_from(w, *body, err);
  if (!issues) return err;
  for (Issue* is : *issues) {
    std::erase_if(is->sprints, [&](std::int64_t id) { return w.store.sprints.at(id).state != "closed"; });
    is->updated = w.now();
  }
  return no_content();
}

Resp rank(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  WLock lock(w.mu);
  auto issues = issues_from(w, *body, err);
  if (!issues) return err;
  const std::string before = string_or(*body, "rankBeforeIssue"), after = string_or(*body, "rankAfterIssue");
  if (before.empty() == after.empty())
    return error_resp(400, {"Exactly one of rankBeforeIssue and rankAfterIssue must be given."});
  if (!w.store.find_issue(before.empty() ? after : before))
    return error_resp(400, {"Issue '" + (before.empty() ? after : before) + "' does not exist or you do not have permission to see it."});
  rank_relative(w, *issues, *body);
  return no_content();
}

}  // namespace

void add_agile_routes(Router& r, Flavor) {
  const std::string a = "/rest/agile/1.0";
  r.add("GET", a + "/board", boards_list);
  r.add("GET", a + "/board/{boardId}", board_get);
  r.add("GET", a + "/board/{boardId}/issue", board_issues);
  r.add("GET", a + "/board/{boardId}/backlog", board_backlog);
  r.add("GET", a + "/board/{boardId}/sprint", board_sprints);
  r.add("GET", a + "/board/{boardId}/epic", board_epics);
  r.add("GET", a + "/board/{boardId}/epic/{epicId}/issue", [](World& w, const Req& q) {
    Lock lock(w.mu);
    Resp err;
    const Board* b = board_or(w, q, err);
    return b ? epic_issues(w, q, q.p("epicId"), b) : err;
  });
  r.add("GET", a + "/board/{boardId}/sprint/{sprintId}/issue", [](World& w, const Req& q) {
    Lock lock(w.mu);
    Resp err;
    const Board* b = board_or(w, q, err);
    return b ? sprint_issues(w, q, b) : err;
  });
  r.add("POST", a + "/sprint", sprint_create);
  r.add("GET", a + "/sprint/{sprintId}", sprint_get);
  r.add("PUT", a + "/sprint/{sprintId}", [](World& w, const Req& q) { return sprint_update(w, q, true); });
  r.add("POST", a + "/sprint/{sprintId}", [](World& w, const Req& q) { return sprint_update(w, q, false); });
  r.add("DELETE", a + "/sprint/{sprintId}", sprint_delete);
  r.add("GET", a + "/sprint/{sprintId}/issue", [](World& w, const Req& q) {
    Lock lock(w.mu);
    return sprint_issues(w, q, nullptr);
  });
  r.add("POST", a + "/sprint/{sprintId}/issue", sprint_move);
  r.add("POST", a + "/backlog/issue", backlog_move);
  r.add("GET", a + "/epic/{epicIdOrKey}/issue", [](World& w, const Req& q) {
    Lock lock(w.mu);
    return epic_issues(w, q, q.p("epicIdOrKey"), nullptr);
  });
  r.add("PUT", a + "/issue/rank", rank);
}

}  // namespace jira_mcp::sandbox::detail
