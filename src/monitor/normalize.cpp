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

}  // namespace

std::string normalize_endpoint(std::string_view path) {
  if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  std::string out;
  std::string_view prev;
  std::size_t index = 0;
  bool rest = path.starts_with("/rest/");
  std::size_t pos = path.starts_with('/') ? 1 : 0;
  while (pos <= path.size()) {
    auto end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(pos, end - pos);
    out += '/';
    // /rest/<api>/<version>/...: the first three segments name the API and stay as they are.
    if (rest && index < 3) {
      out += seg;
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
    prev = seg;
    ++index;
    pos = end + 1;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace jira_mcp::monitor
