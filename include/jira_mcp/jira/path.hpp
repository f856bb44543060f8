#pragma once
// Requests to Jira are built one way only.
//
// A path is a trusted literal prefix ("/rest/api/3", "/rest/agile/1.0") followed by segments,
// each percent-encoded here, whatever it holds: an issue key, an id, a user name. A segment can
// therefore never add a '/', a '?', a space or a CR LF to the request line. A segment that is
// "." or ".." (which encoding leaves as it is, and which Jira's servlet container would resolve
// by walking up the path) is refused by check_request before sending. Query names and values
// are encoded by the client with encode_component().
//
// Client::send checks every request with check_request() before anything is sent, so a path
// concatenated by hand somewhere (or a header value from data) is refused with
// ErrorKind::invalid_argument instead of reaching the wire: nothing that could split a request
// (CR, LF, NUL, space, any byte outside printable ASCII) or walk a path (a "." or ".." segment,
// raw or percent-encoded) is ever sent.
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "jira_mcp/jira/http.hpp"

namespace jira_mcp::jira {

// RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - _ . ~).
std::string encode_component(std::string_view s);
// One path segment: encode_component(). "", "." and ".." come out unchanged, and check_request
// refuses them.
inline std::string encode_segment(std::string_view s) { return encode_component(s); }

namespace detail {
inline void append_segment(std::string& out, std::string_view s) {
  out += '/';
  out += encode_segment(s);
}
template <class T>
void append_segment(std::string& out, const T& v)
  requires std::is_integral_v<T>
{
  out += '/';
  out += std::to_string(v);
}
}  // namespace detail

// path("/rest/api/3", "issue", key, "comment", id) == "/rest/api/3/issue/<key>/comment/<id>",
// each segment encoded. `prefix` is trusted: a literal, or a prefix built by path().
template <class... Segments>
std::string path(std::string_view prefix, const Segments&... segments) {
  std::string out(prefix);
  (detail::append_segment(out, segments), ...);
  return out;
}

// Why `request` must not be sent, or nullopt when it is safe: the target (path and query) is
// printable ASCII without spaces, every '%' starts a valid escape, no path segment is empty,
// ".", or ".." (also when percent-encoded); header names are tokens and header values hold no
// CR, LF or NUL. The reason quotes the offending part with control characters escaped.
std::optional<std::string> check_request(const HttpRequest& request);

// `text` with control characters and bytes outside printable ASCII escaped (\r, \n, \x00, ...),
// cut to `max` bytes: safe to put in a log line or an error message.
std::string printable(std::string_view text, std::size_t max = 200);

}  // namespace jira_mcp::jira
