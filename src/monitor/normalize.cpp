// Endpoint templates: metrics are kept per endpoint, so a path's variable parts (ids, keys)
// must collapse, or every issue would get its own time series.
#include <cctype>
#include <string>

#include "jira_mcp/monitor/monitor.hpp"

namespace jira_mcp::monitor {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// PROJ-123, ABC_2-7
bool issue_key(std::string_view s) {
  const auto dash = s.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || !all_digits(s.substr(dash + 1))) return false;
  if (!std::isupper(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s.substr(0, dash)) {
    if (!std::isupper(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A project key after /project/: upper-case letters, digits, underscores.
bool project_key(std::string_view s) {
  if (s.empty() || !std::isupper(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isupper(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Account ids, UUIDs, hashes: long tokens with digits in them.
bool opaque(std::string_view s) {
  if (s.size() < 16) return false;
  bool digit = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != ':' && c != '_') return false;
  }
  return digit;
}

// Route words are letters, digits, '.', '_' and '-'; anything else (percent-escapes, spaces,
// quotes, ...) can only come from data.
bool route_word(std::string_view s) {
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// Collections whose member, under an issue or comment (/issue/{key}/comment/<id>), is always an
// id, whatever it looks like: every distinct value would otherwise become a label of its own.
bool member_collection(std::string_view s) {
  return s == "comment" || s == "worklog" || s == "remotelink" || s == "properties" || s == "votes";
}

}  // namespace

std::string normalize_endpoint(std::string_view path) {
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  std::string out;
  std::string_view prev;
  bool prev_placeholder = false;    // `prev` became a placeholder
  bool before_placeholder = false;  // the segment before `prev` did
  std::size_t index = 0;
  bool rest = path.starts_with("/rest/");
  std::size_t pos = path.starts_with('/') ? 1 : 0;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(pos, end - pos);
    out += '/';
    const auto before = out.size();
    // /rest/<api>/<version>/...: the first three segments name the API and stay as they are.
    if (rest && index < 3) {
      out += seg;
    } else if (!route_word(seg) || (before_placeholder && member_collection(prev) && !seg.empty())) {
      out += "{id}";
    } else if (prev == "attachment" && seg != "content" && seg != "meta" && seg != "thumbnail" && !seg.empty()) {
      out += "{id}";
    } else if ((prev == "content" || prev == "thumbnail") && index >= 4 && !seg.empty() &&
               path.find("/attachment/") != std::string_view::npos) {
      out += "{id}";
    } else if (all_digits(seg)) {
      out += "{id}";
    } else if (issue_key(seg)) {
      out += "{key}";
    } else if (prev == "project" && project_key(seg)) {
      out += "{key}";
    } else if (seg.starts_with("customfield_") && all_digits(seg.substr(12))) {
      out += "{field}";
    } else if (opaque(seg)) {
      out += "{id}";
    } else {
      out += seg;
    }
    before_placeholder = prev_placeholder;
    prev_placeholder = out.compare(before, std::string::npos, "{id}") == 0 ||
                       out.compare(before, std::string::npos, "{key}") == 0;
    prev = seg;
    ++index;
    pos = end + 1;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace jira_mcp::monitor
