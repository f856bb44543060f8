#include "tools/common.hpp"

#include <algorithm>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/content/convert.hpp"
#include "tools/custom_fields.hpp"

namespace jira_mcp::tools::detail {

Json str_prop(std::string description) { return Json{{"type", "string"}, {"description", std::move(description)}}; }

Json int_prop(std::string description, std::optional<long> min, std::optional<long> max, std::optional<long> def) {
  Json j{{"type", "integer"}, {"description", std::move(description)}};
  if (min) j["minimum"] = *min;
  if (max) j["maximum"] = *max;
  if (def) j["default"] = *def;
  return j;
}

Json bool_prop(std::string description, std::optional<bool> def) {
  Json j{{"type", "boolean"}, {"description", std::move(description)}};
  if (def) j["default"] = *def;
  return j;
}

Json enum_prop(std::string description, std::vector<std::string> values, std::optional<std::string> def) {
  Json j{{"type", "string"}, {"enum", std::move(values)}, {"description", std::move(description)}};
  if (def) j["default"] = *def;
  return j;
}

Json str_array_prop(std::string description) {
  return Json{{"type", "array"}, {"items", {{"type", "string"}}}, {"description", std::move(description)}};
}

Json issue_key_prop(std::string description) {
  return Json{{"type", "string"},
              {"pattern", "^([A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+)$"},
              {"description", std::move(description)}};
}

Json numeric_id_prop(std::string description) {
  return Json{{"type", "string"}, {"pattern", "^[0-9]+$"}, {"description", std::move(description)}};
}

Json object_schema(Json properties, std::vector<std::string> required) {
  Json j{{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) j["required"] = std::move(required);
  return j;
}

mcp::ToolAnnotations read_only() { return mcp::ToolAnnotations{true, false, true, true}; }
mcp::ToolAnnotations writes(bool destructive, bool idempotent) {
  return mcp::ToolAnnotations{false, destructive, idempotent, true};
}

Jira Jira::reading(const ServicesPtr& services, const RequestContext& call) {
  Jira view(services, call);
  view.cancel_ = nullptr;
  return view;
}

Jira::Jira(const ServicesPtr& services, const RequestContext& call)
    : services_(services),
      client_(services->client),
      cancel_(call.cancel_token()),
      call_{call.call().fresh, call.call().trace, call.meta().traceparent, call.meta().tracestate} {
  if (!services_->client_for_call) return;
  auto chosen = services_->client_for_call(call.inbound().identity.get());
  if (!chosen) {
    client_ = nullptr;
    resolve_error_ = std::move(chosen).error();
  } else if (*chosen) {
    lease_ = std::move(*chosen);
    client_ = lease_.get();
  }
}

std::optional<jira::JiraError> Jira::refuse_if_cancelled(const std::string& method, const std::string& path) const {
  if (!cancelled()) return std::nullopt;
  jira::JiraError e;
  e.kind = jira::ErrorKind::cancelled;
  e.method = method;
  e.path = path;
  return e;
}

Status<jira::JiraError> Jira::ready() {
  if (resolve_error_) return unexpected(*resolve_error_);
  auto d = client_->deployment(call_);
  if (!d) return unexpected(d.error());
  cloud_ = *d == jira::Deployment::cloud;
  api_ = cloud_ ? "/rest/api/3" : "/rest/api/2";
  return Ok{};
}

bool Jira::caches_reads() const {
  if (!client_) return false;
  const auto& cache = client_->options().cache;
  return cache && cache->enabled();
}

std::string Jira::browse_url(const std::string& key) const {
  std::string base = client_->options().url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + jira::path("/browse", key);
}

namespace {
Result<Json, jira::JiraError> body_json(Result<jira::Response, jira::JiraError> r) {
  if (!r) return unexpected(std::move(r).error());
  if (r->body.empty()) return Json::object();
  return r->json();
}
}  // namespace

// Reads through the client's cache (a hit is neither a round trip nor a parse; the copy out of
// the shared document is the only cost). A tool call's `fresh` argument arrives in call_
// (set by the catalog's wrapper, catalog.cpp).
Result<Json, jira::JiraError> Jira::get_json(const std::string& path, const jira::Query& query) {
  auto doc = get_doc(path, query);
  if (!doc) return unexpected(std::move(doc).error());
  return **doc;
}

Result<std::shared_ptr<const Json>, jira::JiraError> Jira::get_doc(const std::string& path, const jira::Query& query) {
  auto doc = client().get_json(path, query, call_);
  if (!doc) return unexpected(std::move(doc).error());
  if (!*doc || (*doc)->is_null()) return std::make_shared<const Json>(Json::object());
  return std::move(*doc);
}
jira::Request json_write(std::string method, const std::string& path, const Json& body, const Tags& affects,
                         std::optional<bool> idempotent) {
  jira::Request r;
  r.method = std::move(method);
  r.path = path;
  r.body = dump_compact(body);
  r.content_type = "application/json";
  r.idempotent = idempotent;
  r.invalidates = affects;
  return r;
}

namespace affects {
namespace tg = cache::tags;
Tags issue(const std::string& key) { return {tg::kSearch, tg::issue(key), tg::workflow(key)}; }
Tags issues(const std::vector<std::string>& keys) {
  Tags t{tg::kSearch};
  for (const auto& k : keys) {
    t.push_back(tg::issue(k));
    t.push_back(tg::workflow(k));
  }
  return t;
}
Tags comment(const std::string& key) { return {tg::kSearch, tg::issue(key)}; }
Tags new_issue(const std::string& parent) { return parent.empty() ? Tags{tg::kSearch} : issue(parent); }
Tags created(const Json& fields) {
  const Json parent = rd::obj(fields, "parent");
  std::string p = rd::str(parent, "key");
  if (p.empty()) p = rd::str(parent, "id");
  return new_issue(p);
}
Tags any_issue() { return {tg::kSearch, tg::kIssues}; }
Tags agile(const std::vector<std::string>& keys) {
  Tags t = issues(keys);
  t.push_back(tg::kAgile);
  t.push_back(tg::kMetaAgile);
  return t;
}
Tags project(const std::string& key_or_id) { return {tg::project(key_or_id)}; }
Tags component(const std::string& id, bool removed) {
  Tags t{tg::component(id)};
  if (removed) t.insert(t.end(), {tg::kSearch, tg::kIssues});  // Jira moves or clears the issues' values
  return t;
}
Tags version(const std::string& id, bool removed) {
  Tags t{tg::version(id)};
  if (removed) t.insert(t.end(), {tg::kSearch, tg::kIssues});
  return t;
}
}  // namespace affects

Result<Json, jira::JiraError> Jira::post_json(const std::string& path, const Json& body, const Tags& affects,
                                              bool idempotent) {
  if (auto no = refuse_if_cancelled("POST", path)) return unexpected(std::move(*no));
  return body_json(client().send(json_write("POST", path, body, affects, idempotent), call_));
}
Result<Json, jira::JiraError> Jira::put_json(const std::string& path, const Json& body, const Tags& affects) {
  if (auto no = refuse_if_cancelled("PUT", path)) return unexpected(std::move(*no));
  return body_json(client().send(json_write("PUT", path, body, affects), call_));
}
Result<jira::Response, jira::JiraError> Jira::send(const jira::Request& request) {
  if (request.method != "GET") {
    if (auto no = refuse_if_cancelled(request.method, request.path)) return unexpected(std::move(*no));
  }
  return client().send(request, call_);
}
Result<Json, jira::JiraError> Jira::search_json(const std::string& path, const Json& body) {
  auto doc = client().search_json(path, body, call_);
  if (!doc) return unexpected(std::move(doc).error());
  if (!*doc || (*doc)->is_null()) return Json::object();
  return **doc;
}
Status<jira::JiraError> Jira::del(const std::string& path, const Tags& affects, const jira::Query& query) {
  if (auto no = refuse_if_cancelled("DELETE", path)) return unexpected(std::move(*no));
  jira::Request r;
  r.method = "DELETE";
  r.path = path;
  r.query = query;
  r.invalidates = affects;
  auto res = client().send(r, call_);
  if (!res) return unexpected(std::move(res).error());
  return Ok{};
}

Json Jira::rich_text(const std::string& markdown) const {
  if (cloud_) return content::markdown_to_adf(markdown);
  return content::markdown_to_wiki(markdown);
}

std::string Jira::markdown(const Json& rich) const {
  if (rich.is_null()) return {};
  if (rich.is_string()) return cloud_ ? rich.get<std::string>() : content::wiki_to_markdown(rich.get<std::string>());
  if (rich.is_object()) return content::adf_to_markdown(rich);
  return {};
}

Result<Json, std::string> Jira::resolve_user(const std::string& who_raw) {
  std::string who = who_raw;
  if (who.empty()) return unexpected(std::string("an empty user was given"));
  // An explicit id needs no lookup.
  if (cloud_ && who.rfind("accountid:", 0) == 0) return Json{{"accountId", who.substr(10)}};
  jira::Query q = cloud_ ? jira::Query{{"query", who}, {"maxResults", "20"}} : jira::Query{{"username", who}, {"maxResults", "20"}};
  auto found = get_json(jira::path(api_, "user", "search"), q);
  if (!found) return unexpected("looking up user '" + who + "' failed: " + found.error().to_string());
  std::vector<Json> users;
  if (found->is_array()) users.assign(found->begin(), found->end());
  const std::string w = lower(who);
  std::vector<Json> exact;
  for (const auto& u : users) {
    for (const char* field : {"accountId", "name", "key", "emailAddress", "displayName"}) {
      if (u.contains(field) && u[field].is_string() && lower(u[field].get<std::string>()) == w) {
        exact.push_back(u);
        break;
      }
    }
  }
  const std::vector<Json>& pool = exact.empty() ? users : exact;
  if (pool.empty()) {
    return unexpected("no Jira user matches '" + who + "'; give a display name, email" +
                      std::string(cloud_ ? " or account id (accountid:...)" : " or username") +
                      " (jira_search_users finds them)");
  }
  if (pool.size() > 1) {
    std::string names;
    for (size_t i = 0; i < pool.size() && i < 5; ++i) names += (i ? "; " : "") + user_label(pool[i]);
    return unexpected("'" + who + "' matches " + std::to_string(pool.size()) + " users (" + names +
                      "); give the email" + std::string(cloud_ ? " or account id" : " or username") + " instead");
  }
  const Json& u = pool.front();
  if (cloud_) return Json{{"accountId", rd::str(u, "accountId")}};
  return Json{{"name", rd::first_str(u, {"name", "key"})}};
}

ToolResult jira_failure(const jira::JiraError& error, const std::string& doing) {
  return ToolResult::error(doing + " failed: " + error.to_string());
}

ToolResult bad_argument(const std::string& field, const std::string& problem) {
  return ToolResult::error("Invalid argument " + field + ": " + problem);
}

std::optional<ToolResult> confirm_destructive(const ServicesPtr& s, RequestContext& ctx, const std::string& what) {
  if (!s->options.confirm_destructive || !ctx.client_supports("elicitation")) return std::nullopt;
  auto answer = ctx.elicit(what + " This cannot be undone. Proceed?",
                           Json{{"type", "object"}, {"properties", {{"confirm", {{"type", "boolean"}, {"title", "Yes, do it"}}}}},
                                {"required", {"confirm"}}});
  if (!answer) return ToolResult::error("Could not ask for confirmation (" + answer.error().message + "); nothing was changed.");
  if (rd::str(*answer, "action") != "accept" || !rd::boolean(rd::obj(*answer, "content"), "confirm")) {
    return ToolResult::error("The user did not confirm; nothing was changed.");
  }
  return std::nullopt;
}

namespace {
// The lenient reads of core/read.hpp over a view: a nlohmann value is read by them, a value read
// in place as they read the document Json::parse makes of the same text.
std::string text_of(JsonRef v) {
  if (const Json* j = v.nlohmann()) return rd::text_of(*j);
  if (v.is_string()) return std::string(v.str());
  if (v.is_number() || v.is_boolean()) return rd::text_of(v.to_json());  // a scalar: no allocation
  return {};
}
long long integer_of(JsonRef v) {
  if (const Json* j = v.nlohmann()) return rd::integer_of(*j);
  if (v.is_object() || v.is_array()) return 0;  // as integer_of reads them, without copying them
  return rd::integer_of(v.to_json());
}
// rd::id_of of an entity from its `id` and `self` members.
std::string id_of(JsonRef id, JsonRef self) {
  if (std::string s = text_of(id); !s.empty()) return s;
  if (!self.is_string()) return {};
  Json probe = Json::object();  // rd::id_of reads the id out of the self URL
  probe["self"] = std::string(self.str());
  return rd::id_of(probe);
}
std::string id_of(JsonRef j) {
  if (const Json* n = j.nlohmann()) return rd::id_of(*n);
  return id_of(j["id"], j["self"]);
}
// Members of an object by name, each its last occurrence, found in one pass
// (JsonRef::find_members); missing where absent.
template <std::size_t N>
void pick(JsonRef object, const std::pair<std::string_view, JsonRef*> (&wanted)[N]) {
  std::string_view keys[N];
  JsonRef found[N];
  for (std::size_t i = 0; i < N; ++i) keys[i] = wanted[i].first;
  object.find_members(keys, found, N);
  for (std::size_t i = 0; i < N; ++i) *wanted[i].second = found[i];
}
// An object with at least one member (rd::obj(...).empty() negated), without counting them.
bool filled_object(JsonRef j) {
  if (!j.is_object()) return false;
  if (const Json* n = j.nlohmann()) return !n->empty();
  bool any = false;
  j.for_each_member([&](std::string_view, JsonRef) { any = true; });
  return any;
}
}  // namespace

namespace {
// The members of a user the labels read, each its last occurrence, found in one pass (a member
// lookup in a simdjson object is a scan of all of it); `filled`: the object has a member.
struct UserMembers {
  JsonRef display_name, email, name, account_id, key;
  bool filled = false;
};
UserMembers user_members(JsonRef user) {
  UserMembers m;
  if (const Json* n = user.nlohmann()) {
    m.filled = n->is_object() && !n->empty();
    m.display_name = user["displayName"];
    m.email = user["emailAddress"];
    m.name = user["name"];
    m.account_id = user["accountId"];
    m.key = user["key"];
    return m;
  }
  user.for_each_member([&](std::string_view k, JsonRef v) {
    m.filled = true;
    if (k == "displayName") m.display_name = v;
    else if (k == "emailAddress") m.email = v;
    else if (k == "name") m.name = v;
    else if (k == "accountId") m.account_id = v;
    else if (k == "key") m.key = v;
  });
  return m;
}
// The display name (email or name); without one, the email or name, else the account id or key.
std::string label_of(const UserMembers& m) {
  const std::string name = text_of(m.display_name);
  std::string id = text_of(m.email);
  if (id.empty()) id = text_of(m.name);
  if (name.empty()) {
    if (!id.empty()) return id;
    std::string account = text_of(m.account_id);
    if (account.empty()) account = text_of(m.key);
    return account.empty() ? "unknown user" : account;
  }
  if (id.empty() || id == name) return name;
  std::string out;
  out.reserve(name.size() + id.size() + 3);
  out.append(name).append(" (").append(id).append(1, ')');
  return out;
}
}  // namespace

std::string user_label(JsonRef user) { return user.is_object() ? label_of(user_members(user)) : "Unassigned"; }
std::string user_label(const Json& user) { return user_label(JsonRef(user)); }

std::string author_label(JsonRef user) {
  if (!user.is_object()) return "Anonymous";
  const UserMembers m = user_members(user);
  return m.filled ? label_of(m) : "Anonymous";
}
std::string author_label(const Json& user) { return author_label(JsonRef(user)); }

std::string id_note(JsonRef entity) {
  const std::string id = id_of(entity);
  return id.empty() ? std::string() : " (id " + id + ")";
}
std::string id_note(const Json& entity) { return id_note(JsonRef(entity)); }

std::string short_date(JsonRef ts) {
  if (!ts.is_string()) return {};
  const std::string_view s = ts.str();
  if (s.size() < 16 || s[10] != 'T') return std::string(s);
  std::string out;
  out.reserve(16);
  out.append(s.substr(0, 10)).append(1, ' ').append(s.substr(11, 5));
  return out;
}
std::string short_date(const Json& ts) { return short_date(JsonRef(ts)); }

namespace {
constexpr std::string_view kViewFields[IssueView::kFieldCount] = {
    "summary", "status", "issuetype", "priority", "assignee", "reporter", "created", "updated", "duedate",
    "resolutiondate", "labels", "components", "fixVersions", "versions", "parent", "subtasks", "issuelinks",
    "description", "comment"};

// The view's slot for a member of `fields`, or kFieldCount. Most of a real issue's ~90 fields
// are none of these: the length and first letter turn nearly all of them away at once.
IssueView::Field slot_of(std::string_view key) {
  for (int f = 0; f < IssueView::kFieldCount; ++f) {
    const std::string_view name = kViewFields[f];
    if (name.size() == key.size() && name[0] == key[0] && name == key) return static_cast<IssueView::Field>(f);
  }
  return IssueView::kFieldCount;
}
}  // namespace

IssueView::IssueView(JsonRef issue, const KeptFields* keep) {
  JsonRef fields;  // the last "fields", as nlohmann keeps it
  pick(issue, {{"key", &key_}, {"id", &id_}, {"self", &self_}, {"fields", &fields}});
  if (!fields.is_object()) return;
  if (!keep) custom_ = fields.nlohmann();  // a document read whole: its custom fields as they are
  // In document order (simdjson): a repeated key overwrites, so its last occurrence stays.
  fields.for_each_member([&](std::string_view key, JsonRef value) {
    if (key.substr(0, 12) == "customfield_") {
      if (custom_) return;
      if (value.is_null()) {
        // Left out: the custom field renderers skip null values. A repeated key's later null
        // still hides its earlier value, as in the document nlohmann would make.
        if (const auto it = own_custom_.find(key); it != own_custom_.end()) own_custom_.erase(it);
        return;
      }
      if (!keep || keep->has(key)) own_custom_[std::string(key)] = value.to_json();
      return;
    }
    if (const Field f = slot_of(key); f != kFieldCount && (!keep || keep->has(key))) fields_[f] = value;
  });
  for (const JsonRef c : fields_[kComment]["comments"]) {
    Comment& m = comments_.emplace_back();
    pick(c, {{"author", &m.author}, {"body", &m.body}, {"created", &m.created}, {"id", &m.id}, {"self", &m.self}});
    m.author_label = detail::author_label(m.author);
  }
}

IssueRichText issue_rich_text(const Jira& jira, const IssueView& issue) {
  IssueRichText out;
  if (const JsonRef d = issue[IssueView::kDescription]; !d.is_null()) out.description = jira.markdown(d);
  out.comments.reserve(issue.comments().size());
  for (const auto& c : issue.comments()) out.comments.push_back(jira.markdown(c.body));
  return out;
}

namespace {
std::string name_of(JsonRef value) { return text_of(value["name"]); }

// "a, b, c" from the `member` of each object in `list` (empty ones left out).
std::string joined(JsonRef list, std::string_view member) {
  std::string out;
  for (const JsonRef x : list) {
    const std::string v = x.is_string() ? std::string(x.str()) : text_of(x[member]);
    if (v.empty()) continue;
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// One issue link as "blocks KEY-2" (the phrase from the side of the issue that holds it).
struct LinkView {
  std::string phrase, key, id;
};
std::optional<LinkView> link_view(JsonRef l) {
  const JsonRef type = l["type"];
  for (auto [side, phrase] : {std::pair{"outwardIssue", "outward"}, {"inwardIssue", "inward"}}) {
    const JsonRef other = l[side];
    if (!filled_object(other)) continue;
    std::string p = text_of(type[phrase]);
    if (p.empty()) p = text_of(type["name"]);
    if (p.empty()) p = "relates to";
    return LinkView{p, text_of(other["key"]), id_of(l)};
  }
  return std::nullopt;
}

using F = IssueView::Field;
}  // namespace

std::string issue_line(const Json& json) {
  const IssueView issue(json);
  std::string line = "- **" + text_of(issue.key()) + "** " + text_of(issue[F::kSummary]);
  std::vector<std::string> parts;
  for (const F field : {F::kStatus, F::kIssueType, F::kPriority}) {
    std::string n = name_of(issue[field]);
    if (!n.empty()) parts.push_back(n);
  }
  if (!issue[F::kAssignee].missing()) parts.push_back(user_label(issue[F::kAssignee]));
  if (!parts.empty()) {
    line += " —";
    for (size_t i = 0; i < parts.size(); ++i) line += (i ? " · " : " ") + parts[i];
  }
  return line;
}

std::string issue_markdown(Jira& jira, const IssueView& issue, const IssueRenderOptions& opts) {
  const std::string key = text_of(issue.key());
  std::string out;
  // The rich text is the bulk of the reply: room for it up front, so it is copied once.
  size_t rich = opts.description_markdown ? opts.description_markdown->size() : 0;
  if (opts.comment_markdown) {
    for (const auto& c : *opts.comment_markdown) rich += c.size() + 80;
  }
  out.reserve(1024 + rich);
  out.append("# ").append(key.empty() ? id_of(issue.id(), issue.self()) : key).append(": ").append(text_of(issue[F::kSummary])).append(1, '\n');
  auto row = [&](std::string_view label, const std::string& value) {
    if (!value.empty()) out.append(label).append(": ").append(value).append(1, '\n');
  };
  std::string meta;
  for (auto [label, field] : {std::pair{"Type", F::kIssueType}, {"Status", F::kStatus}, {"Priority", F::kPriority}}) {
    std::string n = name_of(issue[field]);
    if (!n.empty()) meta += (meta.empty() ? "" : " | ") + std::string(label) + ": " + n;
  }
  if (!meta.empty()) out.append(meta).append(1, '\n');
  if (!issue[F::kAssignee].missing()) row("Assignee", user_label(issue[F::kAssignee]));
  if (!issue[F::kReporter].is_null()) row("Reporter", user_label(issue[F::kReporter]));
  std::string dates;
  for (auto [label, field] : {std::pair{"Created", F::kCreated}, {"Updated", F::kUpdated}, {"Due", F::kDueDate}, {"Resolved", F::kResolutionDate}}) {
    std::string d = short_date(issue[field]);
    if (!d.empty()) dates += (dates.empty() ? "" : " | ") + std::string(label) + ": " + d;
  }
  if (!dates.empty()) out.append(dates).append(1, '\n');
  row("Labels", joined(issue[F::kLabels], "name"));
  row("Components", joined(issue[F::kComponents], "name"));
  row("Fix versions", joined(issue[F::kFixVersions], "name"));
  row("Affects versions", joined(issue[F::kVersions], "name"));
  if (const JsonRef p = issue[F::kParent]; filled_object(p)) {
    const std::string ps = text_of(p["fields"]["summary"]);
    row("Parent", text_of(p["key"]) + (ps.empty() ? "" : " (" + ps + ")"));
  }
  row("Subtasks", joined(issue[F::kSubtasks], "key"));
  std::string links;
  for (const JsonRef l : issue[F::kIssueLinks]) {
    auto v = link_view(l);
    // The link id is what jira_delete_issue_link takes.
    if (v) links += "- " + v->phrase + " " + v->key + (v->id.empty() ? "" : " (link " + v->id + ")") + "\n";
  }
  if (!links.empty()) out.append("Links:\n").append(links);
  if (opts.catalog) out += custom_field_rows(jira, *opts.catalog, issue.custom_fields());
  if (!key.empty()) row("URL", jira.browse_url(key));
  if (opts.description && !issue[F::kDescription].is_null()) {
    std::string rendered;
    const std::string& d = opts.description_markdown ? *opts.description_markdown : (rendered = jira.markdown(issue[F::kDescription]));
    if (!d.empty()) {
      out += "\n## Description\n";
      out += d;
      if (d.back() != '\n') out += '\n';
    }
  }
  if (opts.comments > 0) {
    const auto& comments = issue.comments();
    const JsonRef total_member = issue[F::kComment]["total"];
    const long long total = !total_member.is_null() ? integer_of(total_member) : static_cast<long long>(comments.size());
    if (!comments.empty()) {
      size_t from = comments.size() > static_cast<size_t>(opts.comments) ? comments.size() - static_cast<size_t>(opts.comments) : 0;
      out += "\n## Comments (" + std::to_string(comments.size() - from) + " newest of " + std::to_string(total) + ")\n";
      for (size_t i = from; i < comments.size(); ++i) {
        const IssueView::Comment& cm = comments[i];
        std::string rendered;
        const std::string& body = opts.comment_markdown && i < opts.comment_markdown->size()
                                      ? (*opts.comment_markdown)[i]
                                      : (rendered = jira.markdown(cm.body));
        const std::string when = short_date(cm.created);
        // A blank line before each comment: a comment ending in a table or list would otherwise
        // swallow the next author line.
        out += "\n**";
        out += cm.author_label;
        out += "**";
        if (!when.empty()) {
          out += ' ';
          out += when;
        }
        if (const std::string id = id_of(cm.id, cm.self); !id.empty()) out.append(" (id ").append(id).append(1, ')');
        out += ":\n";
        out += body;
        if (!body.empty() && body.back() != '\n') out += '\n';
      }
    }
  }
  return out;
}

std::string issue_markdown(Jira& jira, const Json& issue, const IssueRenderOptions& opts) {
  return issue_markdown(jira, IssueView(issue), opts);
}

Json issue_summary_json(Jira& jira, const IssueView& issue, bool with_description, const FieldCatalog* catalog,
                        const std::vector<std::string>* comment_markdown) {
  const std::string key = text_of(issue.key());
  Json j = Json::object();
  j["key"] = key;
  j["id"] = id_of(issue.id(), issue.self());
  if (!key.empty()) j["url"] = jira.browse_url(key);
  auto put = [&](const char* name, std::string v) {
    if (!v.empty()) j[name] = std::move(v);
  };
  put("summary", text_of(issue[F::kSummary]));
  for (auto [name, field] : {std::pair{"status", F::kStatus}, {"type", F::kIssueType}, {"priority", F::kPriority}}) {
    put(name, name_of(issue[field]));
  }
  if (!issue[F::kAssignee].missing()) j["assignee"] = user_label(issue[F::kAssignee]);
  if (filled_object(issue[F::kReporter])) j["reporter"] = user_label(issue[F::kReporter]);
  for (auto [name, field] : {std::pair{"created", F::kCreated}, {"updated", F::kUpdated}, {"duedate", F::kDueDate},
                             {"resolutiondate", F::kResolutionDate}}) {
    put(name, text_of(issue[field]));
  }
  const auto names = [](JsonRef list, std::string_view member) {
    Json out = Json::array();
    for (const JsonRef x : list) {
      std::string v = x.is_string() ? std::string(x.str()) : text_of(x[member]);
      if (!v.empty()) out.push_back(std::move(v));
    }
    return out;
  };
  if (!issue[F::kLabels].missing()) j["labels"] = names(issue[F::kLabels], "name");
  for (auto [name, field] : {std::pair{"components", F::kComponents}, {"fix_versions", F::kFixVersions}, {"affects_versions", F::kVersions}}) {
    if (Json n = names(issue[field], "name"); !n.empty()) j[name] = std::move(n);
  }
  if (const JsonRef p = issue[F::kParent]; filled_object(p)) j["parent"] = text_of(p["key"]);
  if (Json n = names(issue[F::kSubtasks], "key"); !n.empty()) j["subtasks"] = std::move(n);
  Json links = Json::array();
  for (const JsonRef l : issue[F::kIssueLinks]) {
    if (auto v = link_view(l)) {
      Json x = Json::object();
      x["type"] = std::move(v->phrase);
      x["key"] = std::move(v->key);
      if (!v->id.empty()) x["id"] = std::move(v->id);
      links.push_back(std::move(x));
    }
  }
  if (!links.empty()) j["links"] = std::move(links);
  if (with_description && !issue[F::kDescription].is_null()) j["description"] = jira.markdown(issue[F::kDescription]);
  Json comments = Json::array();
  const auto& list = issue.comments();
  for (size_t i = 0; i < list.size(); ++i) {
    const IssueView::Comment& cm = list[i];
    // Assigned, not an initializer list (which copies each value once more).
    Json c = Json::object();
    c["author"] = cm.author_label;
    c["body"] = comment_markdown && i < comment_markdown->size() ? (*comment_markdown)[i] : jira.markdown(cm.body);
    if (auto id = id_of(cm.id, cm.self); !id.empty()) c["id"] = std::move(id);
    if (auto created = text_of(cm.created); !created.empty()) c["created"] = std::move(created);
    comments.push_back(std::move(c));
  }
  if (!comments.empty()) {
    j["comments"] = std::move(comments);
    if (const JsonRef total = issue[F::kComment]["total"]; !total.is_null()) j["comments_total"] = integer_of(total);
  }
  if (catalog) {
    Json custom = custom_fields_json(jira, *catalog, issue.custom_fields());
    if (!custom.empty()) j["custom_fields"] = std::move(custom);
  }
  return j;
}

Json issue_summary_json(Jira& jira, const Json& issue, bool with_description, const FieldCatalog* catalog,
                        const std::vector<std::string>* comment_markdown) {
  return issue_summary_json(jira, IssueView(issue), with_description, catalog, comment_markdown);
}

ToolResult text_result(const Jira& jira, std::string text, const std::string& continue_hint) {
  const size_t budget = jira.options().max_response_chars;
  if (budget > 0 && text.size() > budget) {
    size_t cut = budget;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    const size_t dropped = text.size() - cut;
    text.resize(cut);
    text += "\n\n[Output cut at " + std::to_string(budget) + " characters; " + std::to_string(dropped) +
            " more not shown. " + (continue_hint.empty() ? "Ask for fewer fields or a smaller page." : continue_hint) + "]";
  }
  return ToolResult::text(std::move(text));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> string_list(const Json& value) {
  std::vector<std::string> out;
  auto add = [&](std::string s) {
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(s.substr(b, e - b + 1));
  };
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    size_t start = 0;
    for (size_t comma; (comma = s.find(',', start)) != std::string::npos; start = comma + 1) add(s.substr(start, comma - start));
    add(s.substr(start));
  } else if (value.is_array()) {
    for (const auto& v : value) {
      if (v.is_string()) add(v.get<std::string>());
    }
  }
  return out;
}

Json accept_loss_prop() {
  return bool_prop("Replace the text even though the current one holds content its Markdown form cannot carry (the "
                   "refusal names it); that content is then lost",
                   false);
}

std::optional<ToolResult> refuse_lossy_rewrite(const Jira& jira, const Json& current, const std::string& what) {
  std::vector<std::string> losses;
  if (current.is_object()) {
    losses = content::round_trip_losses(current);
  } else if (current.is_string() && !current.get_ref<const std::string&>().empty()) {
    losses = jira.cloud() ? std::vector<std::string>{} : content::round_trip_losses(content::wiki_to_adf(current.get<std::string>()));
  }
  if (losses.empty()) return std::nullopt;
  std::string list;
  for (const auto& l : losses) list += "\n- " + l;
  return ToolResult::error("Not changed: " + what + " holds content its Markdown form cannot carry, so writing Markdown over it " +
                           "would lose it:" + list + "\nEdit those parts in Jira itself, or call again with accept_loss: true " +
                           "to replace the text anyway.");
}

Json editable_issue_properties() {
  return Json{{"summary", str_prop("One-line summary")},
              {"description", str_prop("Description in Markdown (converted for Jira)")},
              {"assignee", str_prop("Assignee: display name, email, account id (Cloud) or username (Data Center)")},
              {"priority", str_prop("Priority name, e.g. High")},
              {"labels", str_array_prop("Labels (replaces the issue's labels)")},
              {"components", str_array_prop("Component names (replaces the issue's components)")},
              {"due_date", Json{{"type", "string"}, {"pattern", "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, {"description", "Due date, YYYY-MM-DD"}}},
              {"fields", Json{{"type", "object"}, {"description", "Other fields by name or id, e.g. {\"Story Points\": 5, \"Sprint\": \"DEMO Sprint 3\", "
                                                       "\"Severity\": \"Major\"}: Jira's own values, or options by value, \"Parent > Child\", "
                                                       "sprints by name, users by name or email, Markdown for rich text"}}}};
}

Json create_issue_properties() {
  Json props = editable_issue_properties();
  props["project_key"] = str_prop("Project key, e.g. PROJ");
  props["issue_type"] = Json{{"type", "string"}, {"description", "Issue type name: Task, Bug, Story, Epic, Sub-task ..."}, {"default", "Task"}};
  props["parent"] = issue_key_prop("Parent issue key (for a sub-task, or an epic's child on Cloud)");
  return props;
}

Result<Json, ToolResult> build_issue_fields(Jira& jira, const Json& args, const std::string& where, UserCache* users) {
  Json fields = args.contains("fields") ? args["fields"] : Json::object();
  // Custom fields by name, values in friendly forms (custom_fields.hpp), checked against the
  // create screen (create) or the issue's edit screen (update).
  const WriteScreen screen{args.value("project_key", ""), args.value("issue_type", ""), args.value("issue_key", "")};
  if (auto resolved = resolve_custom_fields(jira, fields, screen, where + "fields.", users); !resolved) {
    return unexpected(std::move(resolved).error());
  }
  if (args.contains("summary")) fields["summary"] = args["summary"];
  if (args.contains("description")) fields["description"] = jira.rich_text(args["description"].get<std::string>());
  if (args.contains("priority")) fields["priority"] = Json{{"name", args["priority"]}};
  if (args.contains("labels")) fields["labels"] = args["labels"];
  if (args.contains("components")) {
    Json comps = Json::array();
    for (const auto& c : args["components"]) comps.push_back(Json{{"name", c}});
    fields["components"] = comps;
  }
  if (args.contains("due_date")) fields["duedate"] = args["due_date"];
  if (args.contains("assignee")) {
    const std::string who = args["assignee"].get<std::string>();
    auto cached = users ? users->find(who) : UserCache::iterator{};
    Result<Json, std::string> user = users && cached != users->end() ? cached->second : jira.resolve_user(who);
    if (users) users->insert_or_assign(who, user);
    if (!user) return unexpected(bad_argument(where + "assignee", user.error()));
    fields["assignee"] = *user;
  }
  return fields;
}

Result<Json, ToolResult> build_create_fields(Jira& jira, const Json& args, const std::string& where, UserCache* users) {
  auto fields = build_issue_fields(jira, args, where, users);
  if (!fields) return fields;
  (*fields)["project"] = Json{{"key", args["project_key"]}};
  (*fields)["issuetype"] = Json{{"name", args.value("issue_type", "Task")}};
  if (args.contains("parent")) (*fields)["parent"] = Json{{"key", args["parent"]}};
  return fields;
}

}  // namespace jira_mcp::tools::detail
