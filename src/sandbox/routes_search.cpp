// JQL search: Cloud's enhanced search (/search/jql with nextPageToken, no total) and
// approximate-count, Data Center's /search with startAt/total, and the shared page builder the
// agile routes use too.
#include "sandbox/jql.hpp"
#include "sandbox/render.hpp"
#include "sandbox/router.hpp"
#include "sandbox/search_page.hpp"

namespace jira_mcp::sandbox::detail {
namespace {

using Lock = std::shared_lock<std::shared_mutex>;

std::string b64(std::string_view in) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kChars[(buf >> bits) & 63];
    }
  }
  if (bits) out += kChars[(buf << (6 - bits)) & 63];
  return out;
}
std::string unb64(std::string_view in) {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    auto p = kChars.find(c);
    if (p == std::string_view::npos) return {};
    buf = (buf << 6) | static_cast<unsigned>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

struct SearchArgs {
  std::string jql, token, expand;
  std::vector<std::string> fields;
  std::int64_t start = 0, max = 50;
  bool has_max = false;
};

std::optional<SearchArgs> read_args(const Req& r, Resp& err) {
  SearchArgs a;
  if (r.method == "POST") {
    auto body = parse_body(r, err);
    if (!body) return std::nullopt;
    a.jql = string_or(*body, "jql");
    a.token = string_or(*body, "nextPageToken");
    if (auto e = body->find("expand"); e != body->end())
      a.expand = e->is_array() ? [&] {
        std::string s;
        for (const auto& x : *e) {
          if (!s.empty()) s += ',';
          if (x.is_string()) s += x.get_ref<const std::string&>();
        }
        return s;
      }() : string_or(*body, "expand");
    if (auto f = body->find("fields"); f != body->end() && f->is_array())
      for (const auto& x : *f)
        if (x.is_string()) a.fields.push_back(x);
    for (const char* k : {"startAt", "maxResults"})
      if (auto v = body->find(k); v != body->end()) {
        if (!v->is_number_integer()) {
          err = error_resp(400, {std::string("The value of '") + k + "' must be a number."});
          return std::nullopt;
        }
        (std::string_view(k) == "startAt" ? a.start : a.max) = v->get<std::int64_t>();
        if (std::string_view(k) == "maxResults") a.has_max = true;
      }
  } else {
    a.jql = r.q("jql");
    a.token = r.q("nextPageToken");
    a.expand = r.q("expand");
    a.fields = r.q_list("fields");
    auto page = page_params(r, err, 50, 100000);
    if (!page) return std::nullopt;
    a.start = page->start;
    a.max = page->max;
    a.has_max = r.has("maxResults");
  }
  if (a.start < 0) a.start = 0;
  return a;
}

IssueView view_of(const SearchArgs& a, bool default_all) {
  IssueView v;
  v.fields = FieldSelection::parse(a.fields, default_all);
  std::size_t i = 0;
  while (i <= a.expand.size()) {
    auto j = a.expand.find(',', i);
    if (j == std::string::npos) j = a.expand.size();
    if (j > i) v.expand.insert(a.expand.substr(i, j - i));
    i = j + 1;
  }
  return v;
}

Resp jql_error(const Error& e) { return error_resp(400, {e.message}); }

Resp cloud_search(World& w, const Req& r) {
  Resp err;
  auto a = read_args(r, err);
  if (!a) return err;
  std::int64_t offset = 0;
  if (!a->token.empty()) {
    const std::string decoded = unb64(a->token);
    if (decoded.rfind("o:", 0) != 0)
      return error_resp(400, {"The provided next page token is invalid or expired."});
    offset = std::atoll(decoded.c_str() + 2);
  }
  if (!a->has_max) a->max = 50;
  a->max = std::clamp<std::int64_t>(a->max, 1, 5000);
  // With fields beyond ids, Jira caps a page at 100 issues.
  if (!a->fields.empty() && !(a->fields.size() == 1 && a->fields[0] == "id")) a->max = std::min<std::int64_t>(a->max, 100);
  if (a->fields.empty()) a->fields = {"id"};
  const IssueView view = view_of(*a, false);
  Lock lock(w.mu);
  auto found = run_jql(a->jql, w, r.user, true);
  if (!found) return jql_error(found.error());
  const auto& list = *found;
  Json issues = Json::array();
  const auto total = static_cast<std::int64_t>(list.size());
  for (std::int64_t i = offset; i < total && i < offset + a->max; ++i)
    issues.push_back(issue_json(w, *list[static_cast<std::size_t>(i)], view));
  Json out = {{"issues", std::move(issues)}, {"isLast", offset + a->max >= total}};
  if (offset + a->max < total) {
    std::string token = "o:";
    token += std::to_string(offset + a->max);
    out["nextPageToken"] = b64(token);
  }
  if (view.expand.count("names")) {
    Json names = Json::object();
    for (const auto& f : field_defs())
      if (view.fields.wants(f.id)) names[f.id] = f.name;
    out["names"] = names;
  }
  return json_resp(200, out);
}

Resp approximate_count(World& w, const Req& r) {
  Resp err;
  auto body = parse_body(r, err);
  if (!body) return err;
  Lock lock(w.mu);
  auto found = run_jql(string_or(*body, "jql"), w, r.user, true);
  if (!found) return jql_error(found.error());
  return json_resp(200, {{"count", found->size()}});
}

Resp dc_search(World& w, const Req& r) {
  Resp err;
  auto a = read_args(r, err);
  if (!a) return err;
  a->max = std::clamp<std::int64_t>(a->max, 0, 1000);
  const IssueView view = view_of(*a, false);
  Lock lock(w.mu);
  auto found = run_jql(a->jql, w, r.user);
  if (!found) return jql_error(found.error());
  return json_resp(200, search_page(w, *found, a->start, a->max, view));
}

Resp search_gone(World&, const Req&) {
  return error_resp(410, {"The requested API has been removed. Please migrate to the "
                          "/rest/api/3/search/jql API. A full migration guideline is available "
                          "at https://developer.atlassian.com/changelog/#CHANGE-2046"});
}

// GET issue/picker: the suggestions behind Jira's issue search box (both flavours). A query
// matches the start of a key ("DEMO-1" → DEMO-1, DEMO-10, ...) or any part of a summary, case
// blind; currentJQL narrows the candidates (a bad one is Jira's 400). Jira answers two sections,
// "History Search" (issues the user viewed) and "Current Search"; the sandbox keeps no history,
// so the first is empty and the second holds up to 20 issues, newest first.
Resp issue_picker(World& w, const Req& r) {
  const std::string query = lower(r.q("query"));
  Lock lock(w.mu);
  auto found = run_jql(r.q("currentJQL"), w, r.user);
  if (!found) return jql_error(found.error());
  constexpr std::size_t kMax = 20;
  Json issues = Json::array();
  std::size_t matching = 0;
  for (const Issue* is : *found) {
    if (!query.empty() && lower(is->key).rfind(query, 0) != 0 && !icontains(is->summary, query)) continue;
    if (++matching > kMax) continue;
    issues.push_back({{"id", is->id}, {"key", is->key}, {"keyHtml", is->key}, {"img", "/images/icons/issuetypes/task.svg"},
                      {"summary", is->summary}, {"summaryText", is->summary}});
  }
  Json history = {{"label", "History Search"}, {"sub", "Showing 0 of 0 matching issues"}, {"id", "hs"},
                  {"issues", Json::array()}};
  Json current = {{"label", "Current Search"},
                  {"sub", "Showing " + std::to_string(issues.size()) + " of " + std::to_string(matching) + " matching issues"},
                  {"id", "cs"},
                  {"issues", std::move(issues)}};
  return json_resp(200, {{"sections", Json::array({std::move(history), std::move(current)})}});
}

}  // namespace

Json search_page(const World& w, const std::vector<const Issue*>& list, std::int64_t start,
                 std::int64_t max, const IssueView& view) {
  Json issues = Json::array();
  const auto total = static_cast<std::int64_t>(list.size());
  for (std::int64_t i = start; i < total && i < start + max; ++i)
    issues.push_back(issue_json(w, *list[static_cast<std::size_t>(i)], view));
  Json out = {{"expand", "schema,names"}, {"startAt", start}, {"maxResults", max},
              {"total", total}, {"issues", std::move(issues)}};
  if (view.expand.count("names")) {
    Json names = Json::object();
    for (const auto& f : field_defs())
      if (view.fields.wants(f.id)) names[f.id] = f.name;
    out["names"] = names;
  }
  return out;
}

void add_search_routes(Router& r, Flavor flavor) {
  r.add("GET", flavor == Flavor::Cloud ? "/rest/api/3/issue/picker" : "/rest/api/2/issue/picker", issue_picker);
  if (flavor == Flavor::Cloud) {
    r.add("GET", "/rest/api/3/search/jql", cloud_search);
    r.add("POST", "/rest/api/3/search/jql", cloud_search);
    r.add("POST", "/rest/api/3/search/approximate-count", approximate_count);
    r.add("GET", "/rest/api/3/search", search_gone);
    r.add("POST", "/rest/api/3/search", search_gone);
  } else {
    r.add("GET", "/rest/api/2/search", dc_search);
    r.add("POST", "/rest/api/2/search", dc_search);
  }
}

}  // namespace jira_mcp::sandbox::detail
