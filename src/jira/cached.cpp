#include "cached.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "jira_mcp/cache/hash.hpp"
#include "jira_mcp/cache/tags.hpp"
#include "jira_mcp/jira/retry.hpp"
#include "jira_mcp/monitor/trace.hpp"

namespace jira_mcp::jira::detail {

namespace {

using cache::Tags;
using cache::Tier;

std::vector<std::string> segments_after(const std::string& path, std::string_view prefix) {
  std::vector<std::string> out;
  std::string rest = path.substr(prefix.size(), path.find('?') == std::string::npos ? std::string::npos
                                                                                    : path.find('?') - prefix.size());
  std::size_t start = 0;
  while (start <= rest.size()) {
    const std::size_t slash = rest.find('/', start);
    const std::size_t end = slash == std::string::npos ? rest.size() : slash;
    if (end > start) out.push_back(rest.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// "/rest/api/2/", "/rest/api/3/" or "/rest/api/latest/" → platform; "/rest/agile/1.0/" → agile.
enum class Api { none, platform, agile };
std::pair<Api, std::vector<std::string>> split(const std::string& path) {
  for (std::string_view p : {"/rest/api/2/", "/rest/api/3/", "/rest/api/latest/"}) {
    if (path.rfind(p, 0) == 0) return {Api::platform, segments_after(path, p)};
  }
  if (path.rfind("/rest/agile/1.0/", 0) == 0) return {Api::agile, segments_after(path, "/rest/agile/1.0/")};
  return {Api::none, {}};
}

std::string issue_id(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}
std::string issue_tag(const std::string& key_or_id) { return "issue:" + issue_id(key_or_id); }

constexpr const char* kAnyProject = "meta:project:*";

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// A project key (upper-case letter, then upper-case letters, digits, '_') or a numeric id, as
// opposed to "search", "recent", "type" and the like under /project.
bool project_ref(const std::string& s) {
  if (all_digits(s)) return true;
  if (s.empty() || s[0] < 'A' || s[0] > 'Z') return false;
  return std::all_of(s.begin(), s.end(),
                     [](unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

// A project as a response names it: a key string (upper-cased) or a numeric id (number or string).
std::string project_form(const Json& doc, const char* field) {
  auto it = doc.find(field);
  if (it == doc.end()) return {};
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  if (it->is_string()) return issue_id(it->get<std::string>());
  return {};
}

bool in(const std::string& s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

// The metadata family a platform path belongs to, if any.
std::optional<std::string> meta_family(const std::string& first) {
  if (in(first, {"project", "component", "version", "projectCategory", "projects"})) return "meta:project";
  if (in(first, {"field", "issuetype", "priority", "status", "statuscategory", "resolution", "issueLinkType",
                 "issuetypescheme", "screens", "customFieldOption", "issuesecurityschemes", "fieldconfiguration"})) {
    return "meta:field";
  }
  if (in(first, {"user", "users", "myself", "group", "groups", "groupuserpicker", "mypermissions"})) return "meta:user";
  if (in(first, {"serverInfo", "configuration", "application-properties"})) return "meta:server";
  return std::nullopt;
}

bool no_store(const Response& r) {
  auto cc = r.header("Cache-Control");
  if (!cc) return false;
  std::string v = *cc;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return v.find("no-store") != std::string::npos;
}

JiraError not_json(const Request& r, int status) {
  JiraError e;
  e.kind = ErrorKind::protocol;
  e.http_status = status;
  e.method = r.method;
  e.path = r.path;
  e.detail = "the response body is not JSON";
  return e;
}

}  // namespace

std::optional<ReadRoute> classify_read(const std::string& method, const std::string& path) {
  auto [api, s] = split(path);
  if (api == Api::none || s.empty()) return std::nullopt;
  const bool get = method == "GET";
  if (!get && method != "POST") return std::nullopt;
  auto route = [](Tier t, Tags tags, std::string issue = {}) {
    if (!issue.empty()) tags.push_back(issue_tag(issue));
    return ReadRoute{t, std::move(tags), issue.empty() ? issue : issue_id(issue), "issue:", {}, {}};
  };

  if (api == Api::platform) {
    if (s[0] == "search") return route(Tier::search, {"search"});  // GET (DC) or POST search
    if (!get) return std::nullopt;
    if (s[0] == "issue") {
      if (s.size() < 2) return std::nullopt;
      // Both list the allowed components and versions, of any project.
      if (s[1] == "createmeta") return route(Tier::metadata, {"meta:field", "meta:project", kAnyProject});
      if (s[1] == "picker") return route(Tier::search, {"search"});
      if (s.size() >= 3 && s[2] == "editmeta") {
        return route(Tier::metadata, {"meta:field", "meta:project", kAnyProject}, s[1]);
      }
      if (s.size() == 3 && s[2] == "transitions") {
        const std::string id = issue_id(s[1]);
        return ReadRoute{Tier::issues, {"issues", "workflow:" + id}, id, "workflow:", {}, {}};
      }
      return route(Tier::issues, {"issues"}, s[1]);
    }
    if (s[0] == "label") return route(Tier::search, {"search"});  // changes with any issue edit
    if (s[0] == "jql" && s.size() > 1 && s[1] == "autocompletedata") return route(Tier::metadata, {"meta:field"});
    auto family = meta_family(s[0]);
    if (!family) return std::nullopt;
    if (*family != "meta:project") return route(Tier::metadata, {*family});
    if ((s[0] == "component" || s[0] == "version") && s.size() >= 2 && all_digits(s[1])) {
      // Issue counts of a component or version change with any issue edit: not metadata.
      if (s.size() > 2) return std::nullopt;
      ReadRoute r = route(Tier::metadata, {"meta:project", "meta:" + s[0] + ":" + s[1]});
      r.object = s[0] + ":" + s[1];
      return r;
    }
    if (s[0] == "project" && s.size() >= 2 && project_ref(s[1])) {
      ReadRoute r = route(Tier::metadata, {"meta:project", "meta:project:" + s[1]});
      r.project = s[1];
      if (s.size() == 3 && s[2] == "components") r.object = "component:";
      if (s.size() == 3 && (s[2] == "versions" || s[2] == "version")) r.object = "version:";
      return r;
    }
    return route(Tier::metadata, {"meta:project", kAnyProject});  // lists and categories
  }

  // Agile.
  if (!get) return std::nullopt;
  const bool issue_list = s.back() == "issue" || s.back() == "backlog";
  if (issue_list) return route(Tier::search, {"search"});
  if (s[0] == "board") {
    if (s.size() <= 2 || s[2] == "configuration") return route(Tier::metadata, {"meta:agile"});
    return route(Tier::issues, {"issues", "agile"});  // sprints, epics, versions of a board
  }
  if (s[0] == "sprint" || s[0] == "epic") return route(Tier::issues, {"issues", "agile"});
  if (s[0] == "issue" && s.size() >= 2) return route(Tier::issues, {"issues"}, s[1]);
  return std::nullopt;
}

namespace {
std::string identity_preimage(const ClientOptions& o) {
  std::string who = !o.identity.empty() ? "identity:" + o.identity
                    : !o.pat.empty()    ? "pat:" + o.pat
                    : !o.email.empty()  ? "email:" + o.email
                                        : "user:" + o.username;
  return "jira-mcp cache identity\n" + who;
}
}  // namespace

std::string identity_hash(const ClientOptions& o) { return cache::sha256_hex(identity_preimage(o)); }

CacheLayer::CacheLayer(std::shared_ptr<cache::Cache> cache, const ClientOptions& options)
    : cache_(std::move(cache)), clock_(options.clock ? options.clock : real_clock()) {
  if (!cache_) return;
  url_ = options.url;
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  identity_ = identity_preimage(options);
}

const std::string& CacheLayer::prefix() const {
  std::call_once(prefix_once_, [this] {
    prefix_ = url_ + '\n' + cache::sha256_hex(identity_) + '\n';
    identity_.clear();
  });
  return prefix_;
}

bool CacheLayer::caches(const Request& r) const {
  return cache_ && cache_->enabled() && classify_read(r.method, r.path).has_value();
}

std::string CacheLayer::key(const Request& r) const {
  std::string k = prefix() + r.method + ' ' + r.path;
  auto query = r.query;
  std::stable_sort(query.begin(), query.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  char sep = '?';
  for (const auto& [name, value] : query) {
    // Length-prefixed, so "a=b&c" and "a=b%26c" cannot collide.
    k += sep + std::to_string(name.size()) + ':' + name + '=' + std::to_string(value.size()) + ':' + value;
    sep = '&';
  }
  if (!r.body.empty()) k += '\n' + cache::sha256_hex(r.body);
  return k;
}

void CacheLayer::learn_alias(const std::string& a, const std::string& b) {
  std::lock_guard lock(alias_mu_);
  if (aliases_.size() > 100000) aliases_.clear();  // a bound, not a policy: re-learned on the next read
  aliases_[a] = b;
  aliases_[b] = a;
}

std::optional<std::string> CacheLayer::alias_of(const std::string& issue) const {
  std::lock_guard lock(alias_mu_);
  auto it = aliases_.find(issue);
  if (it == aliases_.end()) return std::nullopt;
  return it->second;
}

cache::Tags CacheLayer::learn_projects(const ReadRoute& route, const Json& doc) {
  std::lock_guard lock(alias_mu_);
  if (projects_.size() > 100000) projects_.clear();  // a bound, as for aliases_
  auto pair = [this](const std::string& a, const std::string& b) {
    if (a.empty() || b.empty() || a == b || all_digits(a) == all_digits(b)) return;  // a key and an id
    projects_["project:" + a] = b;
    projects_["project:" + b] = a;
  };
  if (!route.project.empty()) {
    if (route.object.empty() && doc.is_object()) {
      const std::string key = project_form(doc, "key"), id = project_form(doc, "id");
      if (route.project == key || route.project == id) pair(key, id);
    }
    const Json* list = doc.is_array() ? &doc : nullptr;
    if (doc.is_object()) {
      if (auto v = doc.find("values"); v != doc.end() && v->is_array()) list = &*v;
    }
    if (list && !route.object.empty()) {
      for (const auto& item : *list) {
        if (!item.is_object()) continue;
        pair(route.project, project_form(item, "projectId"));
        pair(route.project, project_form(item, "project"));
        if (const std::string id = string_or(item, "id"); !id.empty()) projects_[route.object + id] = route.project;
      }
    }
    return {};
  }
  // One component or version: it names its project.
  if (route.object.empty() || route.object.back() == ':' || !doc.is_object()) return {};
  const std::string key = project_form(doc, "project"), id = project_form(doc, "projectId");
  pair(key, id);
  const std::string owner = key.empty() ? id : key;
  if (owner.empty()) return {};
  projects_[route.object] = owner;
  cache::Tags tags{"meta:project:" + owner};
  if (auto it = projects_.find("project:" + owner); it != projects_.end()) tags.push_back("meta:project:" + it->second);
  return tags;
}

std::optional<cache::Tags> CacheLayer::project_tags(const std::string& project) const {
  std::lock_guard lock(alias_mu_);
  auto it = projects_.find("project:" + project);
  if (it == projects_.end()) return std::nullopt;
  return cache::Tags{"meta:project:" + project, "meta:project:" + it->second};
}

// GCC 12 reports the Value inside a moved Result<Loaded, JiraError> (a std::variant) as maybe
// uninitialized once read_through is inlined here; it is the variant false positive of GCC bug
// 80635, not a real read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
Result<std::shared_ptr<const Json>, JiraError> CacheLayer::read(const Request& r, const CallContext& call,
                                                          const Fetch& fetch) {
  auto parse = [&r](const Response& res) -> Result<std::shared_ptr<const Json>, JiraError> {
    if (res.body.empty()) return std::make_shared<const Json>();
    if (json_nesting_depth(res.body, detail::kMaxResponseDepth) > detail::kMaxResponseDepth) {
      JiraError e = not_json(r, res.status);
      e.detail = "the response body is JSON nested deeper than " + std::to_string(detail::kMaxResponseDepth) + " levels";
      return unexpected(std::move(e));
    }
    auto doc = std::make_shared<Json>(Json::parse(res.body, nullptr, false));
    if (doc->is_discarded()) return unexpected(not_json(r, res.status));
    return std::shared_ptr<const Json>(std::move(doc));
  };
  std::optional<ReadRoute> route;
  if (cache_ && cache_->enabled()) route = classify_read(r.method, r.path);
  if (!route) {
    auto res = fetch();
    if (!res) return unexpected(std::move(res).error());
    return parse(*res);
  }

  const auto started = clock_->now();
  Clock::duration fetching{0};
  auto load = [&]() -> Result<cache::Loaded, JiraError> {
    const auto sent = clock_->now();
    auto res = fetch();
    fetching += clock_->now() - sent;
    if (!res) return unexpected(std::move(res).error());
    auto doc = parse(*res);
    if (!doc) return unexpected(std::move(doc).error());
    // bytes 0: the cache charges the parsed document's heap footprint when it stores it.
    cache::Loaded loaded{cache::Value{*doc, 0}, route->tags, true};
    loaded.cacheable = res->status >= 200 && res->status < 300 && !(*doc)->is_null() && !no_store(*res);
    const Json& d = **doc;
    if (!route->issue.empty() && d.is_object()) {
      // An issue document names both its key and its id: tag the entry with both.
      const std::string key = issue_id(string_or(d, "key"));
      const std::string id = string_or(d, "id");
      if (!key.empty() && !id.empty() && (route->issue == key || route->issue == id)) learn_alias(key, id);
    }
    if (!route->issue.empty()) {
      if (auto other = alias_of(route->issue)) loaded.tags.push_back(route->issue_prefix + *other);
    }
    if (!route->project.empty() || !route->object.empty()) {
      for (auto& t : learn_projects(*route, d)) loaded.tags.push_back(std::move(t));
    }
    return loaded;
  };
  // The route's tags are what the entry will carry as far as they are known before the fetch
  // (the shared level's versioned put checks them).
  auto v = cache_->read_through(flights_, route->tier, key(r), call.fresh, load, route->tags);
  monitor::trace_add(call.trace.get(), monitor::Phase::cache, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                std::max(Clock::duration::zero(), clock_->now() - started - fetching)));
  if (!v) return unexpected(std::move(v).error());
  return std::move(v->doc);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

cache::Tags CacheLayer::expand(const cache::Tags& declared) const {
  namespace tg = cache::tags;
  Tags tags;
  auto add = [&tags](std::string t) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(std::move(t));
  };
  bool family = false;   // the whole project family goes
  bool narrowed = false; // one project's tags were added
  auto project = [&](const std::string& p) {
    if (auto both = project_tags(p)) {
      for (auto& t : *both) add(std::move(t));
      narrowed = true;
    } else {
      family = true;  // an entry read by the other form must not survive
    }
  };
  for (const auto& t : declared) {
    if (t.rfind("meta:project:", 0) == 0 && t != tg::kAnyProject) {
      project(t.substr(std::string_view("meta:project:").size()));
      continue;
    }
    add(t);
    for (std::string_view prefix : {"issue:", "workflow:"}) {
      if (t.rfind(prefix, 0) != 0) continue;
      if (auto other = alias_of(t.substr(prefix.size()))) add(std::string(prefix) + *other);
    }
    for (std::string_view prefix : {"meta:component:", "meta:version:"}) {
      if (t.rfind(prefix, 0) != 0) continue;
      // The project that owns it, as learned from the responses that listed it.
      std::optional<std::string> owner;
      {
        std::lock_guard lock(alias_mu_);
        auto it = projects_.find(t.substr(5));  // "component:ID" / "version:ID"
        if (it != projects_.end()) owner = it->second;
      }
      if (owner) project(*owner);
      else family = true;
    }
  }
  if (family) add(tg::kMetaProject);
  if (narrowed || family) add(tg::kAnyProject);
  return tags;
}

void CacheLayer::after_write(const Request& r) {
  if (!cache_ || !cache_->enabled()) return;
  const bool read = r.method == "GET" || r.method == "HEAD" || r.method == "OPTIONS" ||
                    (r.method == "POST" && is_read_only_post(r.path));
  if (read && !r.invalidates) return;
  const Tags tags = expand(r.invalidates ? *r.invalidates : cache::tags::everything());
  if (!tags.empty()) cache_->invalidate(tags);
}

Response CacheLayer::as_response(const Json& doc) {
  Response r;
  r.status = 200;
  r.headers = {{"Content-Type", "application/json"}};
  if (!doc.is_null()) r.body = dump_compact(doc);
  return r;
}

}  // namespace jira_mcp::jira::detail
