// Store lookups and the small text/time helpers shared by routes and JQL.
#include "sandbox/model.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>

namespace jira_mcp::sandbox::detail {

namespace {
std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}
}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char x, char y) {
                          return std::tolower(static_cast<unsigned char>(x)) ==
                                 std::tolower(static_cast<unsigned char>(y));
                        });
  return it != haystack.end();
}

Issue* Store::find_issue(std::string_view id_or_key) {
  return const_cast<Issue*>(std::as_const(*this).find_issue(id_or_key));
}
const Issue* Store::find_issue(std::string_view id_or_key) const {
  if (auto id = to_int(id_or_key)) return issue_by_id(*id);
  std::string upper(id_or_key);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto it = key_index.find(upper);
  return it == key_index.end() ? nullptr : issue_by_id(it->second);
}
Issue* Store::issue_by_id(std::int64_t id) {
  auto it = issues.find(id);
  return it == issues.end() ? nullptr : &it->second;
}
const Issue* Store::issue_by_id(std::int64_t id) const {
  auto it = issues.find(id);
  return it == issues.end() ? nullptr : &it->second;
}
const Project* Store::find_project(std::string_view id_or_key) const {
  for (const auto& p : projects)
    if (p.id == id_or_key || iequals(p.key, id_or_key)) return &p;
  return nullptr;
}
Project* Store::find_project(std::string_view id_or_key) {
  return const_cast<Project*>(std::as_const(*this).find_project(id_or_key));
}
int Store::find_user(std::string_view ident) const {
  for (std::size_t i = 0; i < users.size(); ++i) {
    const auto& u = users[i];
    if (u.account_id == ident || iequals(u.name, ident) || u.key == ident || iequals(u.email, ident))
      return static_cast<int>(i);
  }
  return -1;
}
const StatusDef* Store::status(std::string_view id) const {
  for (const auto& s : statuses)
    if (s.id == id || iequals(s.name, id)) return &s;
  return nullptr;
}
const IssueType* Store::issue_type(std::string_view id_or_name) const {
  for (const auto& t : issue_types)
    if (t.id == id_or_name || iequals(t.name, id_or_name)) return &t;
  return nullptr;
}
const Named* Store::priority(std::string_view id_or_name) const {
  for (const auto& p : priorities)
    if (p.id == id_or_name || iequals(p.name, id_or_name)) return &p;
  return nullptr;
}
const Named* Store::resolution(std::string_view id_or_name) const {
  for (const auto& r : resolutions)
    if (r.id == id_or_name || iequals(r.name, id_or_name)) return &r;
  return nullptr;
}
const LinkType* Store::link_type(std::string_view id_or_name) const {
  for (const auto& t : link_types)
    if (t.id == id_or_name || iequals(t.name, id_or_name)) return &t;
  return nullptr;
}
const Board* Store::board(std::int64_t id) const {
  for (const auto& b : boards)
    if (b.id == id) return &b;
  return nullptr;
}

std::string format_time(Millis t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%03d+0000", buf, static_cast<int>(((t % 1000) + 1000) % 1000));
  return out;
}

std::string format_date(Millis t) {
  std::time_t secs = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

namespace {
// Days since the epoch of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

std::optional<Millis> parse_date(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4] ||
      !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31)
    return std::nullopt;
  if (s.size() > 10) {
    if (s.size() != 16 || s[10] != ' ' || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi))
      return std::nullopt;
  }
  return (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
          h * 3600 + mi * 60) * 1000;
}

std::optional<Millis> parse_datetime(std::string_view s) {
  // 2024-05-01T10:00:00[.000][+0000|Z|+00:00]
  auto day = parse_date(s.substr(0, std::min<std::size_t>(10, s.size())));
  if (!day) return std::nullopt;
  if (s.size() == 10) return day;
  int h = 0, mi = 0, sec = 0, ms = 0;
  if (s.size() < 19 || s[10] != 'T' || !digits(s, 11, 2, h) || !digits(s, 14, 2, mi) ||
      !digits(s, 17, 2, sec))
    return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t end = pos + 1;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    int frac = 0;
    if (end - pos - 1 >= 3 && digits(s, pos + 1, 3, frac)) ms = frac;
    pos = end;
  }
  Millis offset = 0;
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    std::string_view z = s.substr(pos + 1);
    std::string compact;
    for (char c : z)
      if (c != ':') compact += c;
    if (!digits(compact, 0, 2, oh) || !digits(compact, 2, 2, om)) return std::nullopt;
    offset = (oh * 60 + om) * 60000 * (s[pos] == '-' ? -1 : 1);
  }
  return *day + ((h * 60 + mi) * 60 + sec) * 1000 + ms - offset;
}

std::string plain_text(const Json& doc) {
  if (doc.is_string()) return doc.get<std::string>();
  std::string out;
  std::function<void(const Json&)> walk = [&](const Json& n) {
    if (!n.is_object()) return;
    if (auto t = n.find("text"); t != n.end() && t->is_string()) out += t->get<std::string>();
    if (auto c = n.find("content"); c != n.end() && c->is_array()) {
      for (const auto& child : *c) walk(child);
      if (!out.empty() && out.back() != '\n') out += '\n';
    }
  };
  walk(doc);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Json adf_text(std::string_view text) {
  Json content = Json::array();
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    Json para = {{"type", "paragraph"}, {"content", Json::array()}};
    if (!line.empty()) para["content"].push_back({{"type", "text"}, {"text", std::string(line)}});
    content.push_back(std::move(para));
    start = end + 1;
  }
  return {{"type", "doc"}, {"version", 1}, {"content", std::move(content)}};
}

}  // namespace jira_mcp::sandbox::detail
