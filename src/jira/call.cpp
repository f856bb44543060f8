#include "jira_mcp/jira/call.hpp"

#include <algorithm>

namespace jira_mcp::jira {

namespace {
bool lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool all_zeros(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}
}  // namespace

bool valid_traceparent(std::string_view v) {
  constexpr std::size_t kLength = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2
  if (v.size() < kLength || v[2] != '-' || v[35] != '-' || v[52] != '-') return false;
  const std::string_view version = v.substr(0, 2), trace_id = v.substr(3, 32), parent = v.substr(36, 16),
                         flags = v.substr(53, 2);
  if (!lower_hex(version) || !lower_hex(trace_id) || !lower_hex(parent) || !lower_hex(flags)) return false;
  if (version == "ff" || all_zeros(trace_id) || all_zeros(parent)) return false;
  if (v.size() == kLength) return true;
  // Version 00 has exactly these fields; a later version may append "-..." (kept if printable).
  if (version == "00" || v[kLength] != '-' || v.size() > 256) return false;
  return std::all_of(v.begin() + kLength, v.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool valid_tracestate(std::string_view v) {
  if (v.empty() || v.size() > 512) return false;
  return std::all_of(v.begin(), v.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace jira_mcp::jira
