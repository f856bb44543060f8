// JQL evaluation. prepare_jql maps each clause's field to a canonical name, rejects what Jira
// would reject (unknown fields, values, functions and unsupported operators, with Jira's
// messages) and resolves values once: functions become strings or timestamps, relative dates
// become absolute. Matching then compares an issue's "aliases" for a field (every spelling that
// names the value: id, key, name, accountId, e-mail...) case-insensitively.
#include "sandbox/jql.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace jira_mcp::sandbox::detail {
namespace {

enum class Kind { Set, Text, Date, Number, Key };

struct FieldInfo {
  const char* canonical;
  Kind kind;
};

const std::map<std::string, FieldInfo>& field_table() {
  static const std::map<std::string, FieldInfo> t = {
      {"project", {"project", Kind::Set}},        {"key", {"key", Kind::Key}},
      {"issuekey", {"key", Kind::Key}},           {"id", {"key", Kind::Key}},
      {"summary", {"summary", Kind::Text}},       {"description", {"description", Kind::Text}},
      {"text", {"text", Kind::Text}},             {"comment", {"comment", Kind::Text}},
      {"status", {"status", Kind::Set}},          {"statuscategory", {"statuscategory", Kind::Set}},
      {"assignee", {"assignee", Kind::Set}},      {"reporter", {"reporter", Kind::Set}},
      {"creator", {"creator", Kind::Set}},        {"priority", {"priority", Kind::Set}},
      {"type", {"type", Kind::Set}},              {"issuetype", {"type", Kind::Set}},
      {"labels", {"labels", Kind::Set}},          {"label", {"labels", Kind::Set}},
      {"component", {"component", Kind::Set}},    {"fixversion", {"fixversion", Kind::Set}},
      {"affectedversion", {"affectedversion", Kind::Set}},
      {"sprint", {"sprint", Kind::Set}},          {"cf[10020]", {"sprint", Kind::Set}},
      {"parent", {"parent", Kind::Set}},          {"epic link", {"epic link", Kind::Set}},
      {"cf[10014]", {"epic link", Kind::Set}},    {"created", {"created", Kind::Date}},
      {"createddate", {"created", Kind::Date}},   {"updated", {"updated", Kind::Date}},
      {"updateddate", {"updated", Kind::Date}},   {"resolution", {"resolution", Kind::Set}},
      {"resolved", {"resolved", Kind::Date}},     {"resolutiondate", {"resolved", Kind::Date}},
      {"duedate", {"duedate", Kind::Date}},       {"due", {"duedate", Kind::Date}},
      {"story points", {"story points", Kind::Number}},
      {"cf[10016]", {"story points", Kind::Number}},
      {"watcher", {"watcher", Kind::Set}},        {"severity", {"severity", Kind::Set}},
      {"cf[10050]", {"severity", Kind::Set}},     {"team", {"team", Kind::Set}},
      {"cf[10001]", {"team", Kind::Set}},         {"rank", {"rank", Kind::Number}}};
  return t;
}

const FieldInfo* lookup(const std::string& field) {
  auto it = field_table().find(lower(field));
  return it == field_table().end() ? nullptr : &it->second;
}

void user_aliases(const Store& s, int u, std::vector<std::string>& out) {
  if (u < 0) return;
  const User& x = s.users[static_cast<std::size_t>(u)];
  out.insert(out.end(), {x.account_id, x.name, x.key, x.email, x.display_name});
}

std::vector<std::string> aliases(const World& w, const Issue& is, const std::string& field) {
  const Store& s = w.store;
  std::vector<std::string> out;
  if (field == "project") {
    if (auto* p = s.find_project(is.project_key)) out = {p->key, p->id, p->name};
  } else if (field == "key") {
    out = {is.key, std::to_string(is.id)};
  } else if (field == "status") {
    if (auto* st = s.status(is.status_id)) out = {st->id, st->name};
  } else if (field == "statuscategory") {
    if (auto* st = s.status(is.status_id)) {
      const int c = st->category;
      out = {std::to_string(c), c == 2 ? "new" : c == 4 ? "indeterminate" : "done",
             c == 2 ? "To Do" : c == 4 ? "In Progress" : "Done"};
    }
  } else if (field == "assignee") {
    user_aliases(s, is.assignee, out);
  } else if (field == "reporter") {
    user_aliases(s, is.reporter, out);
  } else if (field == "creator") {
    user_aliases(s, is.creator, out);
  } else if (field == "watcher") {
    for (int u : is.watchers) user_aliases(s, u, out);
  } else if (field == "priority") {
    if (auto* p = s.priority(is.priority_id)) out = {p->id, p->name};
  } else if (field == "type") {
    if (auto* t = s.issue_type(is.type_id)) out = {t->id, t->name};
  } else if (field == "labels") {
    out = is.labels;
  } else if (field == "component") {
    for (auto id : is.components)
      if (auto it = s.components.find(id); it != s.components.end())
        out.insert(out.end(), {std::to_string(id), it->second.name});
  } else if (field == "fixversion" || field == "affectedversion") {
    for (auto id : field == "fixversion" ? is.fix_versions : is.versions)
      if (auto it = s.versions.find(id); it != s.versions.end())
        out.insert(out.end(), {std::to_string(id), it->second.name});
  } else if (field == "sprint") {
    for (auto id : is.sprints)
      if (auto it = s.sprints.find(id); it != s.sprints.end())
        out.insert(out.end(), {std::to_string(id), it->second.name});
  } else if (field == "parent" || field == "epic link") {
    std::int64_t pid = field == "epic link" ? is.epic_id : is.parent_id;
    if (field == "parent" && !pid && w.cloud()) pid = is.epic_id;
    if (const Issue* p = pid ? s.issue_by_id(pid) : nullptr) out = {p->key, std::to_string(p->id)};
  } else if (field == "resolution") {
    if (auto* r = is.resolution_id.empty() ? nullptr : s.resolution(is.resolution_id))
      out = {r->id, r->name};
  } else if (field == "severity") {
    for (const auto& o : s.severity_options)
      if (o.id == is.severity) out = {o.id, o.value};
  } else if (field == "team") {
    if (!is.team.empty()) out = {is.team};
  }
  return out;
}

std::string text_of(const Issue& is, const std::string& field) {
  if (field == "summary") return is.summary;
  if (field == "description") return is.description_text;
  std::string t = field == "text" ? is.summary + "\n" + is.description_text : std::string();
  for (const auto& c : is.comments) t += "\n" + plain_text(c.body);
  return t;
}

std::optional<Millis> date_of(const Issue& is, const std::string& field) {
  if (field == "created") return is.created;
  if (field == "updated") return is.updated;
  if (field == "resolved") return is.resolution_date ? std::optional<Millis>(is.resolution_date)
                                                     : std::nullopt;
  if (field == "duedate" && !is.due_date.empty()) return parse_date(is.due_date);
  return std::nullopt;
}

std::optional<double> number_of(const Issue& is, const std::string& field) {
  if (field == "story points") return is.story_points;
  if (field == "rank") return static_cast<double>(is.rank);
  return std::nullopt;
}

// "-7d", "2w", "-1h", "30m", "-1w 2d" (units: y M w d h m).
std::optional<Millis> relative_offset(std::string_view s) {
  if (s.empty()) return std::nullopt;
  Millis sign = 1, total = 0;
  std::size_t i = 0;
  if (s[0] == '-' || s[0] == '+') sign = s[i++] == '-' ? -1 : 1;
  bool any = false;
  while (i < s.size()) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    Millis n = 0;
    std::size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) n = n * 10 + (s[i++] - '0');
    if (i == start || i >= s.size()) return std::nullopt;
    const char u = s[i++];
    Millis unit = 0;
    switch (u) {
      case 'y': unit = 365 * kDay; break;
      case 'M': unit = 30 * kDay; break;
      case 'w': unit = 7 * kDay; break;
      case 'd': unit = kDay; break;
      case 'h': unit = 3'600'000; break;
      case 'm': unit = 60'000; break;
      default: return std::nullopt;
    }
    total += n * unit;
    any = true;
  }
  if (!any) return std::nullopt;
  return sign * total;
}

Error jql_error(std::string msg) { return Error{"jql", std::move(msg)}; }

Status<Error> prepare_clause(JqlNode& n, const World& w, int user, Millis now) {
  const FieldInfo* info = lookup(n.field);
  if (!info)
    return unexpected(jql_error("Field '" + n.field +
                                "' does not exist or you do not have permission to view it."));
  const std::string written = n.field;
  n.field = info->canonical;
  const bool text_op = n.op == JqlOp::Like || n.op == JqlOp::NotLike;
  const bool order_op = n.op == JqlOp::Lt || n.op == JqlOp::Le || n.op == JqlOp::Gt ||
                        n.op == JqlOp::Ge;
  const bool list_op = n.op == JqlOp::In || n.op == JqlOp::NotIn;
  auto unsupported = [&](JqlOp) {
    static const char* kNames[] = {"=", "!=", "in", "not in", "~", "!~", "is", "is not",
                                   "<", "<=", ">", ">="};
    return unexpected(jql_error(std::string("The operator '") +
                                kNames[static_cast<int>(n.op)] +
                                "' is not supported by the '" + written + "' field."));
  };
  if (info->kind == Kind::Text && !(text_op || n.op == JqlOp::Is || n.op == JqlOp::IsNot))
    return unsupported(n.op);
  if (info->kind != Kind::Text && text_op) return unsupported(n.op);
  if (info->kind == Kind::Set && order_op) return unsupported(n.op);
  if (!list_op && n.list)
    return unexpected(jql_error("The operator '" + std::string(n.op == JqlOp::Eq ? "=" : "!=") +
                                "' does not support the list value."));
  const Store& s = w.store;
  const Millis start_of_day = now - ((now % kDay) + kDay) % kDay;
  for (const auto& v : n.values) {
    if (v.kind == JqlValue::Kind::Empty) {
      n.has_empty = true;
      continue;
    }
    if (v.kind == JqlValue::Kind::Function) {
      const std::string fn = lower(v.text);
      Millis base = 0;
      if (fn == "currentuser") {
        user_aliases(s, user, n.resolved);
        continue;
      } else if (fn == "opensprints" || fn == "closedsprints" || fn == "futuresprints") {
        const std::string state = fn == "opensprints" ? "active"
                                  : fn == "closedsprints" ? "closed" : "future";
        for (const auto& [id, sp] : s.sprints)
          if (sp.state == state) n.resolved.push_back(std::to_string(id));
        if (n.resolved.empty()) n.resolved.push_back("\x01none");
        continue;
      } else if (fn == "now") {
        base = now;
      } else if (fn == "startofday" || fn == "endofday") {
        base = start_of_day + (fn == "endofday" ? kDay - 1 : 0);
      } else if (fn == "startofweek" || fn == "endofweek") {
        // 1970-01-01 was a Thursday; Jira's weeks start on Sunday.
        const Millis days = start_of_day / kDay;
        base = (days - ((days + 4) % 7)) * kDay + (fn == "endofweek" ? 7 * kDay - 1 : 0);
      } else if (fn == "startofmonth") {
        base = start_of_day - (std::stoi(format_date(now).substr(8, 2)) - 1) * kDay;
      } else {
        return unexpected(jql_error("Unable to find JQL function '" + v.text + "()'."));
      }
      if (!v.args.empty()) {
        auto off = relative_offset(v.args[0]);
        if (!off)
          return unexpected(jql_error("Date value '" + v.args[0] + "' for function '" + v.text +
                                      "' is invalid."));
        base += *off;
      }
      n.dates.push_back(base);
      continue;
    }
    const std::string& t = v.text;
    switch (info->kind) {
      case Kind::Date: {
        auto abs = parse_date(t);
        auto rel = abs ? std::nullopt : relative_offset(t);
        if (!abs && !rel)
          return unexpected(jql_error(
              "Date value '" + t + "' for field '" + written +
              "' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', "
              "'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."));
        n.dates.push_back(abs ? *abs : now + *rel);
        break;
      }
      case Kind::Number: {
        char* end = nullptr;
        double d = std::strtod(t.c_str(), &end);
        if (end == t.c_str() || *end != '\0')
          return unexpected(jql_error("The value '" + t + "' does not exist for the field '" +
                                      written + "'."));
        n.numbers.push_back(d);
        break;
      }
      case Kind::Key: {
        if (!s.find_issue(t)) {
          if (order_op) break;
          return unexpected(jql_error("The issue key '" + t + "' for field '" + written +
                                      "' is invalid."));
        }
        n.resolved.push_back(t);
        break;
      }
      case Kind::Text:
        n.resolved.push_back(t);
        break;
      case Kind::Set: {
        const std::string& f = n.field;
        bool known = true;
        if (f == "project") known = s.find_project(t) != nullptr;
        else if (f == "status") known = s.status(t) != nullptr;
        else if (f == "type") known = s.issue_type(t) != nullptr;
        else if (f == "priority") known = s.priority(t) != nullptr;
        else if (f == "resolution") known = s.resolution(t) != nullptr;
        else if (f == "assignee" || f == "reporter" || f == "creator" || f == "watcher")
          known = s.find_user(t) >= 0 || std::any_of(s.users.begin(), s.users.end(),
                                                    [&](const User& u) {
                                                      return iequals(u.display_name, t);
                                                    });
        else if (f == "component")
          known = std::any_of(s.components.begin(), s.components.end(), [&](const auto& c) {
            return iequals(c.second.name, t) || std::to_string(c.first) == t;
          });
        else if (f == "fixversion" || f == "affectedversion")
          known = std::any_of(s.versions.begin(), s.versions.end(), [&](const auto& v2) {
            return iequals(v2.second.name, t) || std::to_string(v2.first) == t;
          });
        else if (f == "parent" || f == "epic link")
          known = s.find_issue(t) != nullptr;
        if (!known)
          return unexpected(jql_error("The value '" + t + "' does not exist for the field '" +
                                      written + "'."));
        n.resolved.push_back(t);
        break;
      }
    }
  }
  return Ok{};
}

Status<Error> prepare_node(JqlNode& n, const World& w, int user, Millis now) {
  if (n.kind != JqlNode::Kind::Clause) {
    for (auto& c : n.children) {
      auto st = prepare_node(*c, w, user, now);
      if (!st) return st;
    }
    return Ok{};
  }
  return prepare_clause(n, w, user, now);
}

bool text_match(const std::string& haystack, const std::string& query) {
  // Every word must occur; a trailing * is a prefix wildcard, which substring search covers.
  std::size_t i = 0;
  bool any = false;
  while (i < query.size()) {
    while (i < query.size() && !std::isalnum(static_cast<unsigned char>(query[i]))) ++i;
    std::size_t j = i;
    while (j < query.size() && std::isalnum(static_cast<unsigned char>(query[j]))) ++j;
    if (j > i) {
      any = true;
      if (!icontains(haystack, std::string_view(query).substr(i, j - i))) return false;
    }
    i = j;
  }
  return any;
}

template <class T>
bool compare(JqlOp op, T a, T b) {
  switch (op) {
    case JqlOp::Eq: case JqlOp::In: return a == b;
    case JqlOp::Ne: case JqlOp::NotIn: return a != b;
    case JqlOp::Lt: return a < b;
    case JqlOp::Le: return a <= b;
    case JqlOp::Gt: return a > b;
    case JqlOp::Ge: return a >= b;
    default: return false;
  }
}

bool clause_matches(const JqlNode& n, const World& w, const Issue& is) {
  const FieldInfo* info = lookup(n.field);
  const bool negative = n.op == JqlOp::Ne || n.op == JqlOp::NotIn || n.op == JqlOp::NotLike;
  switch (info->kind) {
    case Kind::Text: {
      const std::string text = text_of(is, n.field);
      if (n.op == JqlOp::Is) return text.empty();
      if (n.op == JqlOp::IsNot) return !text.empty();
      const bool hit = !n.resolved.empty() && text_match(text, n.resolved[0]);
      return negative ? !hit : hit;
    }
    case Kind::Date:
    case Kind::Number: {
      std::optional<double> v;
      if (info->kind == Kind::Date) {
        if (auto d = date_of(is, n.field)) v = static_cast<double>(*d);
      } else {
        v = number_of(is, n.field);
      }
      if (n.op == JqlOp::Is) return !v;
      if (n.op == JqlOp::IsNot) return v.has_value();
      if (!v) return n.has_empty && !negative;
      std::vector<double> targets;
      for (auto d : n.dates) targets.push_back(static_cast<double>(d));
      targets.insert(targets.end(), n.numbers.begin(), n.numbers.end());
      if (n.op == JqlOp::NotIn || n.op == JqlOp::Ne)
        return std::none_of(targets.begin(), targets.end(),
                            [&](double t) { return *v == t; });
      return std::any_of(targets.begin(), targets.end(),
                         [&](double t) { return compare(n.op, *v, t); });
    }
    case Kind::Key: {
      if (n.op == JqlOp::Is) return false;
      if (n.op == JqlOp::IsNot) return true;
      if (n.op == JqlOp::Lt || n.op == JqlOp::Le || n.op == JqlOp::Gt || n.op == JqlOp::Ge) {
        for (const auto& r : n.resolved) {
          const Issue* other = w.store.find_issue(r);
          if (other && other->project_key == is.project_key &&
              compare(n.op, is.number, other->number))
            return true;
        }
        return false;
      }
      [[fallthrough]];
    }
    case Kind::Set: {
      const auto mine = aliases(w, is, n.field);
      if (n.op == JqlOp::Is) return mine.empty();
      if (n.op == JqlOp::IsNot) return !mine.empty();
      bool hit = false;
      for (const auto& a : mine)
        for (const auto& r : n.resolved)
          hit = hit || iequals(a, r);
      if (n.has_empty && mine.empty()) return !negative;
      if (negative) return !hit && !mine.empty();  // != and NOT IN never match EMPTY
      return hit;
    }
  }
  return false;
}

bool node_matches(const JqlNode& n, const World& w, const Issue& is) {
  switch (n.kind) {
    case JqlNode::Kind::And:
      return node_matches(*n.children[0], w, is) && node_matches(*n.children[1], w, is);
    case JqlNode::Kind::Or:
      return node_matches(*n.children[0], w, is) || node_matches(*n.children[1], w, is);
    case JqlNode::Kind::Not:
      return !node_matches(*n.children[0], w, is);
    case JqlNode::Kind::Clause:
      return clause_matches(n, w, is);
  }
  return false;
}

// Sort key: a number (ordinal or timestamp) or a string; missing values sort last ascending.
struct SortKey {
  bool missing = true;
  double num = 0;
  std::string str;
};

SortKey sort_key(const World& w, const Issue& is, const std::string& field) {
  SortKey k;
  k.missing = false;
  const Store& s = w.store;
  if (field == "key") {
    k.str = is.project_key;
    k.num = is.number;
  } else if (field == "priority") {
    k.num = 6 - std::stod(is.priority_id);  // DESC = Highest first, as in Jira
  } else if (field == "status") {
    auto* st = s.status(is.status_id);
    k.num = st ? static_cast<double>(st - s.statuses.data()) : 0;
  } else if (field == "summary") {
    k.str = lower(is.summary);
  } else if (field == "assignee" || field == "reporter") {
    const int u = field == "assignee" ? is.assignee : is.reporter;
    if (u < 0) k.missing = true;
    else k.str = lower(s.users[static_cast<std::size_t>(u)].display_name);
  } else if (field == "type") {
    k.num = std::stod(is.type_id);
  } else if (auto d = date_of(is, field)) {
    k.num = static_cast<double>(*d);
  } else if (auto v = number_of(is, field)) {
    k.num = *v;
  } else if (field == "project") {
    k.str = is.project_key;
  } else {
    k.missing = true;
  }
  return k;
}

}  // namespace

Status<Error> prepare_jql(JqlQuery& q, const World& w, int user, Millis now) {
  if (q.where) {
    auto st = prepare_node(*q.where, w, user, now);
    if (!st) return st;
  }
  for (auto& o : q.order) {
    const FieldInfo* info = lookup(o.field);
    if (!info)
      return unexpected(jql_error("Field '" + o.field +
                                  "' does not exist or you do not have permission to view it."));
    o.field = info->canonical;
  }
  return Ok{};
}

bool jql_matches(const JqlQuery& q, const World& w, const Issue& is) {
  return !q.where || node_matches(*q.where, w, is);
}

std::vector<const Issue*> jql_search(const JqlQuery& q, const World& w) {
  std::vector<const Issue*> out;
  for (auto it = w.store.issues.rbegin(); it != w.store.issues.rend(); ++it)
    if (jql_matches(q, w, it->second)) out.push_back(&it->second);
  if (q.order.empty()) return out;  // newest first
  std::vector<std::pair<std::vector<SortKey>, const Issue*>> keyed;
  keyed.reserve(out.size());
  for (const Issue* is : out) {
    std::vector<SortKey> ks;
    for (const auto& o : q.order) ks.push_back(sort_key(w, *is, o.field));
    keyed.emplace_back(std::move(ks), is);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    for (std::size_t i = 0; i < q.order.size(); ++i) {
      const SortKey& x = a.first[i];
      const SortKey& y = b.first[i];
      if (x.missing != y.missing) return !x.missing;  // missing values last either way
      if (x.missing) continue;
      const int c = x.str != y.str ? (x.str < y.str ? -1 : 1)
                                   : (x.num != y.num ? (x.num < y.num ? -1 : 1) : 0);
      if (c != 0) return q.order[i].desc ? c > 0 : c < 0;
    }
    return false;
  });
  for (std::size_t i = 0; i < keyed.size(); ++i) out[i] = keyed[i].second;
  return out;
}

Result<std::vector<const Issue*>> run_jql(std::string_view text, const World& w, int user,
                                          bool require_bounded) {
  auto q = parse_jql(text);
  if (!q) return unexpected(q.error());
  auto st = prepare_jql(*q, w, user, w.now());
  if (!st) return unexpected(st.error());
  if (require_bounded && !q->where)
    return unexpected(Error{"jql", "Unbounded JQL queries are not allowed here. Please add a "
                                   "search restriction to your query."});
  return jql_search(*q, w);
}

}  // namespace jira_mcp::sandbox::detail
