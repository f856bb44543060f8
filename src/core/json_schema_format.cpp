// Lenient checks for the string formats worth checking in tool arguments. Anything a reasonable
// client could send for the format passes; the aim is to catch a value in the wrong field (a key
// where a date belongs), not to enforce every corner of RFC 3339, 5322 or 3986.
#include <algorithm>
#include <string_view>

#include "core/json_schema_node.hpp"

namespace jira_mcp::core::detail {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int number_at(std::string_view s, std::size_t pos, std::size_t count) {
  int n = 0;
  for (std::size_t i = pos; i < pos + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

bool valid_date(std::string_view s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
      !digits(s, 8, 2)) {
    return false;
  }
  int year = number_at(s, 0, 4);
  int month = number_at(s, 5, 2);
  int day = number_at(s, 8, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// RFC 3339 date-time; lenient on the separator (T, t or space), on fractional seconds, and on
// offsets written without a colon (+0000, as Jira does).
bool valid_date_time(std::string_view s) {
  if (s.size() < 20 || !valid_date(s.substr(0, 10))) return false;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2)) {
    return false;
  }
  if (number_at(s, 11, 2) > 23 || number_at(s, 14, 2) > 59 || number_at(s, 17, 2) > 60) {
    return false;
  }
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") return true;
  if (zone.size() < 5 || (zone[0] != '+' && zone[0] != '-') || !digits(zone, 1, 2)) return false;
  if (zone.size() == 6) return zone[3] == ':' && digits(zone, 4, 2);
  return zone.size() == 5 && digits(zone, 3, 2);
}

bool valid_email(std::string_view s) {
  std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  std::string_view domain = s.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.') return false;
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool valid_uri(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  return std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\';
  });
}

}  // namespace

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool is_valid_format(Format format, std::string_view s) {
  switch (format) {
    case Format::kDate:
      return valid_date(s);
    case Format::kDateTime:
      return valid_date_time(s);
    case Format::kEmail:
      return valid_email(s);
    case Format::kUri:
      return valid_uri(s);
    case Format::kNone:
      break;
  }
  return true;
}

}  // namespace jira_mcp::core::detail
