#pragma once
// The one lenient reader of Jira JSON.
//
// Real Jira sends null where its documentation promises a string (a version's description, a
// Data Center user's displayName), numbers where others send strings (ids on Server 4.x), and
// leaves members out altogether on older versions. Nothing read from a Jira response may
// therefore throw: every accessor here takes any Json (object, array, null, scalar) and a path of
// member names, and answers a value of the asked type or an empty one. None of them throws or
// allocates a Json; obj() and arr() return references into `j` or to static empties, valid as
// long as `j` is. Thread-safe (pure functions over const data).
//
//   str(issue, "fields", "status", "name")   "In Progress", or "" when any step is missing/null
//   num(worklog, "timeSpentSeconds")          7200, or 0 (a string of digits counts)
//   obj(issue, "fields")                       the object, or an empty object
//   arr(fields, "components")                  the array, or an empty array
//   id_of(version)                             "10000": the id, else the last segment of `self`
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::lenient {

// j[key] when j is an object holding key, else a static null.
const Json& member(const Json& j, std::string_view key);

// Walks a path of member names; any step that is not an object gives a static null.
inline const Json& at(const Json& j) { return j; }
template <class... Keys>
const Json& at(const Json& j, std::string_view key, const Keys&... rest) {
  return at(member(j, key), rest...);
}

// A string as text; a number as its decimal text (integers without ".0"); a boolean as
// "true"/"false"; null, missing, object or array: "".
std::string text_of(const Json& v);
// An integer: a number (truncated), or a string holding one ("42", " 42 "); else `fallback`.
long long integer_of(const Json& v, long long fallback = 0);
// A number as double, or a numeric string; else `fallback`.
double number_of(const Json& v, double fallback = 0);
// true/false, or the strings "true"/"false"; else `fallback`.
bool boolean_of(const Json& v, bool fallback = false);

template <class... Keys>
std::string str(const Json& j, const Keys&... keys) {
  return text_of(at(j, keys...));
}
template <class... Keys>
long long num(const Json& j, const Keys&... keys) {
  return integer_of(at(j, keys...));
}
template <class... Keys>
double real(const Json& j, const Keys&... keys) {
  return number_of(at(j, keys...));
}
template <class... Keys>
bool boolean(const Json& j, const Keys&... keys) {
  return boolean_of(at(j, keys...));
}
// Whether the path leads to a present, non-null value.
template <class... Keys>
bool has(const Json& j, const Keys&... keys) {
  return !at(j, keys...).is_null();
}

const Json& empty_object();
const Json& empty_array();
// The object at the path, else a static empty object.
template <class... Keys>
const Json& obj(const Json& j, const Keys&... keys) {
  const Json& v = at(j, keys...);
  return v.is_object() ? v : empty_object();
}
// The array at the path, else a static empty array (iterate it without checks).
template <class... Keys>
const Json& arr(const Json& j, const Keys&... keys) {
  const Json& v = at(j, keys...);
  return v.is_array() ? v : empty_array();
}

// The first non-empty str() of the given members of j: first_str(user, "displayName", "name").
std::string first_str(const Json& j, std::initializer_list<std::string_view> keys);

// An entity's id: its "id" (string or number), else the last path segment of its "self" URL
// (".../rest/api/2/version/10000" → "10000"), else "".
std::string id_of(const Json& j);

// A Jira duration as seconds: "18w 2d 4h 30m 15s" (a week is 5 days, a day 8 hours, as Jira
// counts by default); "" or anything unreadable gives -1.
long long duration_seconds(std::string_view text);

}  // namespace jira_mcp::lenient
