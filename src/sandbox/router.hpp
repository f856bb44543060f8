#pragma once
// Routing and the request/response values the route files work with. Route files never see
// httplib: sandbox.cpp translates httplib requests into Req and Resp back, which keeps handlers
// plain functions of (World, Req) → Resp.
//
// A route is "METHOD /path/{param}/..."; matching is by whole segments, literal segments win over
// parameters (so /issue/createmeta beats /issue/{issueIdOrKey}). The template string is also the
// key of the per-endpoint request counter.
#include "sandbox/model.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jira_mcp::sandbox::detail {

struct UploadedFile {
  std::string name, filename, content_type, content;
};

struct Req {
  std::string method, path;
  std::map<std::string, std::string> path_params;
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::vector<UploadedFile> files;
  int user = 0;  // index of the authenticated user

  const std::string& p(const std::string& name) const;  // path parameter (must exist)
  bool has(const std::string& name) const { return query.count(name) > 0; }
  std::string q(const std::string& name, std::string fallback = {}) const;
  // All values of a repeated or comma-separated query parameter.
  std::vector<std::string> q_list(const std::string& name) const;
  std::string header(const std::string& lower_name) const;
};

struct Resp {
  int status = 200;
  std::string body;
  std::string content_type = "application/json;charset=UTF-8";
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Resp(World&, const Req&)>;

class Router {
 public:
  void add(std::string method, std::string route, Handler handler);
  struct Match {
    const std::string* route;  // "METHOD /template"
    const Handler* handler;
    std::map<std::string, std::string> params;
  };
  // nullopt if no route matches. Not thread-safe against add(); add everything before serving.
  std::optional<Match> match(const std::string& method, const std::string& path) const;
  std::vector<std::string> routes() const;  // every "METHOD /template"

 private:
  struct Entry {
    std::string method, key;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Entry> entries_;
};

// Response builders with Jira's error body: {"errorMessages":[...],"errors":{...}}.
Resp json_resp(int status, const Json& body);
Resp no_content();
Resp error_resp(int status, std::vector<std::string> messages, Json errors = Json::object());
Resp field_error(const std::string& field, const std::string& message);  // 400
Resp issue_not_found();
// Parses the request body as a JSON object; on failure returns a 400 like Jira's.
// Request bodies nested deeper than this are refused with a 400 (as Jira refuses them).
inline constexpr int kMaxBodyDepth = 256;
std::optional<Json> parse_body(const Req& req, Resp& error);
// startAt/maxResults query parameters with Jira's defaults and a cap.
struct Page {
  std::int64_t start = 0;
  std::int64_t max = 50;
};
std::optional<Page> page_params(const Req& req, Resp& error, std::int64_t default_max = 50,
                                std::int64_t cap = 1000);
// {"startAt":..,"maxResults":..,"total":..,"isLast":..,"values":[...]} from a full list.
Json paged_values(const Json& all, const Page& page);

// Route table builders, one per feature file.
void add_meta_routes(Router& r, Flavor flavor);
void add_issue_routes(Router& r, Flavor flavor);
void add_issue_extra_routes(Router& r, Flavor flavor);
void add_search_routes(Router& r, Flavor flavor);
void add_agile_routes(Router& r, Flavor flavor);

}  // namespace jira_mcp::sandbox::detail
