#include "sandbox/router.hpp"

#include <charconv>

namespace jira_mcp::sandbox::detail {
namespace {
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}
bool is_param(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
std::optional<std::int64_t> parse_int(const std::string& s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
}  // namespace

const std::string& Req::p(const std::string& name) const {
  auto it = path_params.find(name);
  if (it == path_params.end()) throw std::logic_error("no path parameter " + name);
  return it->second;
}

std::string Req::q(const std::string& name, std::string fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::vector<std::string> Req::q_list(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = query.equal_range(name);
  for (auto it = b; it != e; ++it) {
    std::size_t i = 0;
    const std::string& v = it->second;
    while (i <= v.size()) {
      auto j = v.find(',', i);
      if (j == std::string::npos) j = v.size();
      std::string part = v.substr(i, j - i);
      while (!part.empty() && part.front() == ' ') part.erase(part.begin());
      while (!part.empty() && part.back() == ' ') part.pop_back();
      if (!part.empty()) out.push_back(part);
      i = j + 1;
    }
  }
  return out;
}

std::string Req::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

void Router::add(std::string method, std::string route, Handler handler) {
  Entry e;
  e.key = method + " " + route;
  e.method = std::move(method);
  e.segments = split_path(route);
  e.handler = std::move(handler);
  entries_.push_back(std::move(e));
}

std::optional<Router::Match> Router::match(const std::string& method,
                                           const std::string& path) const {
  const auto segs = split_path(path);
  const Entry* best = nullptr;
  int best_literals = -1;
  for (const auto& e : entries_) {
    if (e.method != method || e.segments.size() != segs.size()) continue;
    int literals = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_param(e.segments[i])) continue;
      if (e.segments[i] == segs[i]) ++literals;
      else ok = false;
    }
    if (ok && literals > best_literals) {
      best = &e;
      best_literals = literals;
    }
  }
  if (!best) return std::nullopt;
  Match m{&best->key, &best->handler, {}};
  for (std::size_t i = 0; i < segs.size(); ++i)
    if (is_param(best->segments[i]))
      m.params[best->segments[i].substr(1, best->segments[i].size() - 2)] = segs[i];
  return m;
}

std::vector<std::string> Router::routes() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.key);
  return out;
}

Resp json_resp(int status, const Json& body) {
  Resp r;
  r.status = status;
  r.body = dump_compact(body);
  return r;
}

Resp no_content() {
  Resp r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Resp error_resp(int status, std::vector<std::string> messages, Json errors) {
  return json_resp(status, {{"errorMessages", std::move(messages)}, {"errors", std::move(errors)}});
}

Resp field_error(const std::string& field, const std::string& message) {
  return error_resp(400, {}, {{field, message}});
}

Resp issue_not_found() {
  return error_resp(404, {"Issue does not exist or you do not have permission to see it."});
}

std::optional<Json> parse_body(const Req& req, Resp& error) {
  // Parsing is iterative, but everything after it (validation, ADF and wiki rendering, dumping)
  // walks the document recursively: a body nested 50,000 deep would overflow the stack.
  if (json_nesting_depth(req.body, kMaxBodyDepth) > kMaxBodyDepth) {
    error = error_resp(400, {"The request body is JSON nested deeper than " + std::to_string(kMaxBodyDepth) +
                             " levels; send a flatter document."});
    return std::nullopt;
  }
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    error = error_resp(400, {"Unexpected character or malformed JSON in the request body."});
    return std::nullopt;
  }
  return body;
}

std::optional<Page> page_params(const Req& req, Resp& error, std::int64_t default_max,
                                std::int64_t cap) {
  Page page;
  page.max = default_max;
  for (const char* name : {"startAt", "maxResults"}) {
    if (!req.has(name)) continue;
    auto v = parse_int(req.q(name));
    if (!v) {
      error = error_resp(400, {std::string("The value of '") + name + "' must be a number."});
      return std::nullopt;
    }
    (std::string_view(name) == "startAt" ? page.start : page.max) = *v;
  }
  if (page.start < 0) page.start = 0;
  if (page.max < 0) page.max = default_max;
  if (page.max > cap) page.max = cap;
  return page;
}

Json paged_values(const Json& all, const Page& page) {
  Json values = Json::array();
  const auto total = static_cast<std::int64_t>(all.size());
  for (std::int64_t i = page.start; i < total && i < page.start + page.max; ++i)
    values.push_back(all[static_cast<std::size_t>(i)]);
  return {{"startAt", page.start}, {"maxResults", page.max}, {"total", total},
          {"isLast", page.start + page.max >= total}, {"values", std::move(values)}};
}

}  // namespace jira_mcp::sandbox::detail
