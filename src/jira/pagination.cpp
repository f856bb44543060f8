#include "jira_mcp/jira/pagination.hpp"

#include "jira_mcp/jira/client.hpp"

namespace jira_mcp::jira {

namespace {

JiraError malformed(std::string what) {
  JiraError e;
  e.kind = ErrorKind::protocol;
  e.detail = std::move(what);
  return e;
}

std::optional<std::int64_t> int_field(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace

Result<SearchPage, JiraError> parse_cloud_search_page(const Json& body) {
  // A member present as null (as Jira sends for nothing) reads as an empty page; a missing one
  // means the answer is not Jira's.
  if (!body.is_object() || !body.contains("issues") || !(body["issues"].is_array() || body["issues"].is_null())) {
    return unexpected(malformed("search response has no issues array"));
  }
  SearchPage page;
  page.issues = body["issues"].is_array() ? body["issues"] : Json::array();
  std::string token = string_or(body, "nextPageToken");
  // isLast is authoritative when present; a missing token also ends the walk.
  auto is_last = body.find("isLast");
  page.is_last = is_last != body.end() && is_last->is_boolean() ? is_last->get<bool>() : token.empty();
  if (token.empty() || body["issues"].is_null()) page.is_last = true;
  if (!page.is_last) page.next = PageCursor{token, 0};
  return page;
}

Result<SearchPage, JiraError> parse_dc_search_page(const Json& body, std::int64_t start_at) {
  // A member present as null (as Jira sends for nothing) reads as an empty page; a missing one
  // means the answer is not Jira's.
  if (!body.is_object() || !body.contains("issues") || !(body["issues"].is_array() || body["issues"].is_null())) {
    return unexpected(malformed("search response has no issues array"));
  }
  SearchPage page;
  page.issues = body["issues"].is_array() ? body["issues"] : Json::array();
  const auto start = int_field(body, "startAt").value_or(start_at);
  const auto count = static_cast<std::int64_t>(page.issues.size());
  page.total = int_field(body, "total");
  const auto end = start + count;
  page.is_last = count == 0 || (page.total && end >= *page.total);
  if (!page.is_last) page.next = PageCursor{{}, end};
  return page;
}

Result<AgilePage, JiraError> parse_agile_page(const Json& body, std::int64_t start_at) {
  // A member present as null (as Jira sends for nothing) reads as an empty page; a missing one
  // means the answer is not Jira's.
  if (!body.is_object() || !body.contains("values") || !(body["values"].is_array() || body["values"].is_null())) {
    return unexpected(malformed("agile response has no values array"));
  }
  AgilePage page;
  page.values = body["values"].is_array() ? body["values"] : Json::array();
  const auto start = int_field(body, "startAt").value_or(start_at);
  const auto count = static_cast<std::int64_t>(page.values.size());
  page.total = int_field(body, "total");
  if (auto it = body.find("isLast"); it != body.end() && it->is_boolean()) {
    page.is_last = it->get<bool>();
  } else {
    page.is_last = count == 0 || (page.total && start + count >= *page.total);
  }
  if (count == 0) page.is_last = true;  // never loop on an empty page that claims more
  if (!page.is_last) page.next_start_at = start + count;
  return page;
}

Result<AgilePage, JiraError> get_agile_page(Client& client, const std::string& path,
                                            std::vector<std::pair<std::string, std::string>> query,
                                            std::int64_t start_at, int max_results, const CallContext& call) {
  query.emplace_back("startAt", std::to_string(start_at));
  query.emplace_back("maxResults", std::to_string(max_results));
  auto res = client.get(path, query, call);
  if (!res) return unexpected(res.error());
  auto body = res->json();
  if (!body) return unexpected(body.error());
  return parse_agile_page(*body, start_at);
}

// Defined here rather than in client.cpp: it is pagination logic that only needs the public
// Client API.
Result<SearchPage, JiraError> Client::search(const SearchRequest& request, const CallContext& call) {
  auto d = deployment(call);
  if (!d) return unexpected(d.error());
  Json body = {{"jql", request.jql}, {"maxResults", request.max_results}};
  if (!request.fields.empty()) body["fields"] = request.fields;

  if (*d == Deployment::cloud) {
    if (!request.cursor.token.empty()) body["nextPageToken"] = request.cursor.token;
    if (!request.expand.empty()) body["expand"] = join(request.expand);  // a string on Cloud
    // Searches read through the cache (ClientOptions::cache) as parsed documents.
    auto json = search_json("/rest/api/3/search/jql", body, call);
    if (!json) return unexpected(json.error());
    auto page = parse_cloud_search_page(**json);
    if (!page) return page;
    if (request.want_total) {
      auto cj = search_json("/rest/api/3/search/approximate-count", Json{{"jql", request.jql}}, call);
      if (!cj) return unexpected(cj.error());
      if (auto c = (*cj)->is_object() ? int_field(**cj, "count") : std::nullopt) page->total = *c;
    }
    return page;
  }

  body["startAt"] = request.cursor.offset;
  if (!request.expand.empty()) body["expand"] = request.expand;  // an array on Data Center
  auto json = search_json("/rest/api/2/search", body, call);
  if (!json) return unexpected(json.error());
  return parse_dc_search_page(**json, request.cursor.offset);
}

}  // namespace jira_mcp::jira
