#pragma once
// Small text helpers for the config module (private).
#include <string>
#include <string_view>
#include <vector>

namespace jira_mcp::config::detail {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
// Splits on commas, trims each piece and drops empty ones.
std::vector<std::string> split_list(std::string_view s);

// A value for an error message: control characters escaped, cut to a readable length.
std::string printable(std::string_view s);
// "http://user:secret@host" -> "http://user:***@host"; without "://", "user:secret@host" ->
// "***@host" (a ':' before the '@', so an email address stays as it is); other text unchanged.
std::string mask_userinfo(std::string_view s);

std::string toml_quote(std::string_view s);  // a TOML basic string, with escapes
std::string toml_key(std::string_view s);    // bare key if possible, else quoted
std::string format_double(double v);         // shortest round-trip form, always with a '.'

struct ParsedUrl {
  bool ok = false;
  std::string problem;     // when !ok and a specific reason is known
  std::string scheme;      // lower case
  std::string normalized;  // scheme lower-cased, trailing '/' removed
};
// Accepts http(s)://[userinfo@]host[:port][/path]; no query or fragment.
ParsedUrl parse_http_url(std::string_view url, bool allow_userinfo, bool require_port,
                         bool allow_path);

}  // namespace jira_mcp::config::detail
