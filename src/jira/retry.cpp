#include "jira_mcp/jira/retry.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <string>
#include <vector>

namespace jira_mcp::jira {

namespace {
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const auto slash = path.find('/');
    if (slash != 0) out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}
}  // namespace

bool is_read_only_post(std::string_view path) {
  path = path.substr(0, path.find('?'));
  const auto s = segments(path);
  // "rest" "api" "2"|"3"|"latest" then the resource.
  if (s.size() < 4 || s[0] != "rest" || s[1] != "api" || (s[2] != "2" && s[2] != "3" && s[2] != "latest")) return false;
  const std::vector<std::string_view> r(s.begin() + 3, s.end());
  auto is = [&](std::initializer_list<std::string_view> want) {
    return r.size() == want.size() && std::equal(want.begin(), want.end(), r.begin());
  };
  if (r[0] == "search") return true;  // search, search/jql, search/approximate-count: all reads
  return is({"issue", "bulkfetch"}) || is({"changelog", "bulkfetch"}) || is({"changelog", "list"}) ||
         is({"comment", "list"}) || is({"worklog", "list"}) || is({"jql", "parse"}) || is({"jql", "match"}) ||
         is({"expression", "eval"}) || is({"expression", "evaluate"}) ||
         (r.size() == 4 && r[0] == "issue" && r[2] == "changelog" && r[3] == "list");
}

Repeat repeat_kind(std::string_view method, std::string_view path, std::optional<bool> idempotent) {
  if (method == "GET" || method == "HEAD" || method == "OPTIONS") return Repeat::read;
  if (method == "POST" && is_read_only_post(path)) return Repeat::read;
  return idempotent.value_or(method != "POST") ? Repeat::idempotent_write : Repeat::write;
}

bool is_retryable(const AttemptOutcome& outcome, Repeat repeat) {
  const bool idempotent = repeat != Repeat::write;
  if (outcome.transport) {
    const auto& t = *outcome.transport;
    switch (t.kind) {
      case TransportErrorKind::tls_verify:
      case TransportErrorKind::tls_setup:
        return false;  // retrying cannot fix a certificate or a CA file
      case TransportErrorKind::pool_timeout:
        return false;  // the caller's time went to waiting already
      case TransportErrorKind::body_too_large:
        return false;  // the same answer would come again
      default:
        break;
    }
    return idempotent || !t.request_sent;
  }
  if (!outcome.status) return false;
  switch (*outcome.status) {
    case 429: return true;  // Jira rejected it before doing anything
    case 500: return repeat == Repeat::read;  // a write may have been applied before the error
    case 503: return idempotent || outcome.has_retry_after;
    case 502:
    case 504: return idempotent;
    default: return false;
  }
}

std::chrono::milliseconds backoff_delay(int retry, const RetryOptions& options, std::mt19937_64& rng) {
  using std::chrono::milliseconds;
  const auto base = std::max<std::int64_t>(1, options.base_delay.count());
  const auto cap = std::max<std::int64_t>(base, options.max_delay.count());
  std::int64_t ceiling = base;
  for (int i = 1; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  std::uniform_int_distribution<std::int64_t> dist(0, ceiling);
  return milliseconds(dist(rng));
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <class T>
bool to_number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::chrono::milliseconds until(std::chrono::system_clock::time_point t,
                                std::chrono::system_clock::time_point now) {
  auto d = std::chrono::ceil<std::chrono::milliseconds>(t - now);
  return std::max(d, std::chrono::milliseconds(0));
}

std::optional<std::chrono::system_clock::time_point> make_time(int y, int mo, int d, int h, int mi,
                                                               int s) {
  using namespace std::chrono;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
}

// "Wed, 21 Oct 2015 07:28:00 GMT" (IMF-fixdate, the only form servers send today).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view v) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto comma = v.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  v.remove_prefix(comma + 2);
  if (v.size() < 20) return std::nullopt;
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  if (!to_number(v.substr(0, 2), d) || !to_number(v.substr(7, 4), y) ||
      !to_number(v.substr(12, 2), h) || !to_number(v.substr(15, 2), mi) ||
      !to_number(v.substr(18, 2), s)) {
    return std::nullopt;
  }
  auto mon = v.substr(3, 3);
  auto it = std::find(kMonths.begin(), kMonths.end(), mon);
  if (it == kMonths.end()) return std::nullopt;
  return make_time(y, static_cast<int>(it - kMonths.begin()) + 1, d, h, mi, s);
}

// "2026-01-01T00:00:10Z", "2026-01-01T00:00:10.123+01:00", "2026-01-01T00:00:10+0100".
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view v) {
  if (v.size() < 16 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' && v[10] != ' ') || v[13] != ':') {
    return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!to_number(v.substr(0, 4), y) || !to_number(v.substr(5, 2), mo) ||
      !to_number(v.substr(8, 2), d) || !to_number(v.substr(11, 2), h) ||
      !to_number(v.substr(14, 2), mi)) {
    return std::nullopt;
  }
  std::string_view rest = v.substr(16);
  if (!rest.empty() && rest[0] == ':') {
    if (rest.size() < 3 || !to_number(rest.substr(1, 2), s)) return std::nullopt;
    rest.remove_prefix(3);
  }
  std::chrono::milliseconds frac{0};
  if (!rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    std::size_t n = 0;
    int ms = 0, scale = 100;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) {
      if (scale > 0) ms += (rest[n] - '0') * scale;
      scale /= 10;
      ++n;
    }
    frac = std::chrono::milliseconds(ms);
    rest.remove_prefix(n);
  }
  auto t = make_time(y, mo, d, h, mi, s);
  if (!t) return std::nullopt;
  *t += frac;
  if (rest.empty() || rest == "Z" || rest == "z") return t;
  if (rest[0] != '+' && rest[0] != '-') return std::nullopt;
  int sign = rest[0] == '+' ? 1 : -1;
  rest.remove_prefix(1);
  int oh = 0, om = 0;
  if (rest.size() == 5 && rest[2] == ':') {
    if (!to_number(rest.substr(0, 2), oh) || !to_number(rest.substr(3, 2), om)) return std::nullopt;
  } else if (rest.size() == 4) {
    if (!to_number(rest.substr(0, 2), oh) || !to_number(rest.substr(2, 2), om)) return std::nullopt;
  } else {
    return std::nullopt;
  }
  // Local time = UTC + offset, so UTC = local - offset.
  *t -= sign * (std::chrono::hours(oh) + std::chrono::minutes(om));
  return t;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One item of an RFC 8941 list as the RateLimit drafts use it: "name";r=1;t=2 (or a bare token
// name). Unknown parameters are skipped; a malformed item is skipped, never the whole header.
struct StructuredItem {
  std::string name;
  std::optional<double> r, t, q, w;
};

std::vector<StructuredItem> structured_items(std::string_view v) {
  std::vector<StructuredItem> out;
  while (!v.empty()) {
    const auto comma = v.find(',');
    std::string_view item = trim(v.substr(0, comma));
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
    StructuredItem it;
    const auto semi = item.find(';');
    std::string_view name = trim(item.substr(0, semi));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    it.name = std::string(name);
    item = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    while (!item.empty()) {
      const auto next = item.find(';');
      std::string_view param = trim(item.substr(0, next));
      item = next == std::string_view::npos ? std::string_view() : item.substr(next + 1);
      const auto eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string key = lower(trim(param.substr(0, eq)));
      const std::string_view value = trim(param.substr(eq + 1));
      double d = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
      if (ec != std::errc() || p != value.data() + value.size() || d < 0) continue;
      if (key == "r") it.r = d;
      if (key == "t") it.t = d;
      if (key == "q") it.q = d;
      if (key == "w") it.w = d;
    }
    out.push_back(std::move(it));
  }
  return out;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                            std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (all_digits(value)) {
    std::int64_t secs = 0;
    if (!to_number(value, secs)) return std::nullopt;
    return std::chrono::milliseconds(std::min<std::int64_t>(secs, 86400) * 1000);
  }
  auto t = parse_http_date(value);
  if (!t) return std::nullopt;
  return until(*t, now);
}

std::optional<std::chrono::milliseconds> parse_rate_limit_reset(std::string_view value,
                                                                 std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (all_digits(value)) {
    std::int64_t n = 0;
    if (!to_number(value, n)) return std::nullopt;
    // Epoch seconds stay below 1e11 until the year 5138; anything larger is milliseconds.
    auto t = n < 100000000000LL
                 ? std::chrono::system_clock::time_point(std::chrono::seconds(n))
                 : std::chrono::system_clock::time_point(std::chrono::milliseconds(n));
    return until(t, now);
  }
  auto t = parse_iso8601(value);
  if (!t) return std::nullopt;
  return until(*t, now);
}

std::optional<std::chrono::milliseconds> server_requested_wait(const HttpHeaders& headers,
                                                                std::chrono::system_clock::time_point now) {
  std::optional<std::chrono::milliseconds> retry_after, reset;
  if (auto v = find_header(headers, "Retry-After")) retry_after = parse_retry_after(*v, now);
  if (auto v = find_header(headers, "X-RateLimit-Reset")) reset = parse_rate_limit_reset(*v, now);
  if (retry_after && reset && *reset < *retry_after && *retry_after - *reset < std::chrono::seconds(1)) {
    return reset;
  }
  return retry_after ? retry_after : reset;
}

ServerQuota parse_server_quota(const HttpHeaders& headers) {
  ServerQuota q;
  auto number = [&](const char* name) -> std::optional<double> {
    auto v = find_header(headers, name);
    if (!v) return std::nullopt;
    auto t = trim(*v);
    double d = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (ec != std::errc() || p != t.data() + t.size() || d < 0) return std::nullopt;
    return d;
  };
  q.limit = number("X-RateLimit-Limit");
  q.remaining = number("X-RateLimit-Remaining");
  q.fill_rate = number("X-RateLimit-FillRate");
  q.interval_seconds = number("X-RateLimit-Interval-Seconds");
  for (const char* name : {"X-RateLimit-NearLimit", "X-Beta-RateLimit-NearLimit"}) {
    if (auto v = find_header(headers, name)) q.near_limit = q.near_limit || lower(trim(*v)) == "true";
  }
  // Structured fields: a list of items, each a quoted policy name and ;key=number parameters.
  // Of several policies, the one leaving the least per second is the one that binds.
  std::vector<StructuredItem> policies;
  for (const char* name : {"Beta-RateLimit-Policy", "RateLimit-Policy"}) {
    if (auto v = find_header(headers, name)) {
      policies = structured_items(*v);
      break;
    }
  }
  for (const char* name : {"Beta-RateLimit", "RateLimit"}) {
    auto v = find_header(headers, name);
    if (!v) continue;
    for (const auto& item : structured_items(*v)) {
      if (!item.r || !item.t) continue;
      const double per_second = *item.t > 0 ? *item.r / *item.t : *item.r;
      const double best = q.quota_remaining && q.quota_reset_seconds && *q.quota_reset_seconds > 0
                              ? *q.quota_remaining / *q.quota_reset_seconds
                              : std::numeric_limits<double>::infinity();
      if (q.quota_remaining && per_second >= best) continue;
      q.quota_remaining = item.r;
      q.quota_reset_seconds = item.t;
      q.quota.reset();
      for (const auto& p : policies) {
        if (p.name == item.name && p.q) q.quota = p.q;
      }
    }
    break;
  }
  // Under a fifth of the quota left: as Jira's own NearLimit says.
  if (q.quota && q.quota_remaining && *q.quota > 0 && *q.quota_remaining * 5 <= *q.quota) q.near_limit = true;
  return q;
}

LimitScope limit_scope(const HttpHeaders& headers) {
  for (const char* name : {"RateLimit-Reason", "X-Beta-RateLimit-Reason"}) {
    auto v = find_header(headers, name);
    if (!v) continue;
    const std::string reason = lower(trim(*v));
    if (reason.find("jira-per-issue-on-write") != std::string::npos) return LimitScope::issue;
    if (reason.find("jira-burst-based") != std::string::npos) return LimitScope::endpoint;
    return LimitScope::site;  // jira-quota-tenant-based, jira-quota-global-based, anything new
  }
  return LimitScope::site;
}

const char* to_string(LimitScope scope) {
  switch (scope) {
    case LimitScope::site: return "site";
    case LimitScope::endpoint: return "endpoint";
    case LimitScope::issue: return "issue";
  }
  return "site";
}

}  // namespace jira_mcp::jira
