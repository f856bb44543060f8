#include "jira_mcp/core/read.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace jira_mcp::lenient {

namespace {
const Json kNull;
const Json kEmptyObject = Json::object();
const Json kEmptyArray = Json::array();

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
}  // namespace

const Json& member(const Json& j, std::string_view key) {
  if (!j.is_object()) return kNull;
  const auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

const Json& empty_object() { return kEmptyObject; }
const Json& empty_array() { return kEmptyArray; }

std::string text_of(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return v.get_ref<const std::string&>();
    case Json::value_t::number_integer: return std::to_string(v.get<std::int64_t>());
    case Json::value_t::number_unsigned: return std::to_string(v.get<std::uint64_t>());
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
      return v.dump();
    }
    case Json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    default: return {};
  }
}

long long integer_of(const Json& v, long long fallback) {
  switch (v.type()) {
    case Json::value_t::number_integer: return v.get<std::int64_t>();
    case Json::value_t::number_unsigned: {
      const auto u = v.get<std::uint64_t>();
      return u > static_cast<std::uint64_t>(INT64_MAX) ? fallback : static_cast<long long>(u);
    }
    case Json::value_t::number_float: {
      const double d = v.get<double>();
      return std::isfinite(d) && std::fabs(d) < 9e18 ? static_cast<long long>(d) : fallback;
    }
    case Json::value_t::string: {
      const std::string_view s = trim(v.get_ref<const std::string&>());
      long long out = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      return ec == std::errc() && p == s.data() + s.size() && !s.empty() ? out : fallback;
    }
    default: return fallback;
  }
}

double number_of(const Json& v, double fallback) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const std::string s(trim(v.get_ref<const std::string&>()));
    if (s.empty()) return fallback;
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size() && std::isfinite(d) ? d : fallback;
  }
  return fallback;
}

bool boolean_of(const Json& v, bool fallback) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return fallback;
}

std::string first_str(const Json& j, std::initializer_list<std::string_view> keys) {
  for (auto k : keys) {
    std::string s = text_of(member(j, k));
    if (!s.empty()) return s;
  }
  return {};
}

std::string id_of(const Json& j) {
  std::string id = text_of(member(j, "id"));
  if (!id.empty()) return id;
  const Json& self = member(j, "self");
  if (!self.is_string()) return {};
  std::string_view s = self.get_ref<const std::string&>();
  if (auto q = s.find_first_of("?#"); q != std::string_view::npos) s = s.substr(0, q);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  const auto slash = s.rfind('/');
  if (slash == std::string_view::npos) return {};
  s = s.substr(slash + 1);
  // Only a plain id (digits, or a key-like token) is taken: "serverInfo" is not an id.
  bool digits = !s.empty();
  for (char c : s) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  return digits ? std::string(s) : std::string();
}

long long duration_seconds(std::string_view text) {
  text = trim(text);
  if (text.empty()) return -1;
  long long total = 0;
  bool any = false;
  while (!text.empty()) {
    text = trim(text);
    if (text.empty()) break;
    double n = 0;
    std::size_t i = 0;
    std::string number;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) number += text[i++];
    while (i < text.size() && text[i] == ' ') ++i;  // "2 days"
    if (number.empty() || i >= text.size()) return -1;
    n = std::strtod(number.c_str(), nullptr);
    long long unit = 0;
    switch (std::tolower(static_cast<unsigned char>(text[i]))) {
      case 'w': unit = 5LL * 8 * 3600; break;
      case 'd': unit = 8LL * 3600; break;
      case 'h': unit = 3600; break;
      case 'm': unit = 60; break;
      case 's': unit = 1; break;
      default: return -1;
    }
    ++i;
    // "2 days", "3 hours": skip the rest of a spelled-out unit.
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    if (i < text.size() && text[i] == ',') ++i;
    total += static_cast<long long>(n * static_cast<double>(unit));
    any = true;
    text.remove_prefix(i);
  }
  return any ? total : -1;
}

}  // namespace jira_mcp::lenient
