#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_size.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace jira_mcp {

namespace {

// What a byte below 0x80 becomes inside a JSON string: 0 = itself, 1 = a short escape, 2 = \u00XX.
constexpr std::array<std::uint8_t, 128> kAsciiClass = [] {
  std::array<std::uint8_t, 128> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 2;
  for (unsigned char c : {'\b', '\t', '\n', '\f', '\r', '"', '\\'}) t[c] = 1;
  return t;
}();

char short_escape(unsigned char c) {
  switch (c) {
    case '\b': return 'b';
    case '\t': return 't';
    case '\n': return 'n';
    case '\f': return 'f';
    case '\r': return 'r';
    default: return static_cast<char>(c);  // '"' and '\\' escape as themselves
  }
}

// Length of the well-formed UTF-8 sequence (Unicode table 3-7: no overlongs, no surrogates,
// nothing above U+10FFFF) starting at s[i] with lead byte >= 0x80, or 0 if it is ill-formed.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned c = b(0);
  const auto cont = [](unsigned x) { return (x & 0xC0u) == 0x80u; };
  if (c >= 0xC2 && c <= 0xDF) return cont(b(1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(b(2)) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(b(2)) && cont(b(3)) ? 4 : 0;
  }
  return 0;
}

// Walks s as a JSON string writes it: calls escape(at, c) for each byte written escaped (below
// 0x20, '"' and '\\'), in order, and checks on the way that s is well-formed UTF-8: false, at the
// first ill-formed byte, when it is not. Runs of plain bytes are skipped 16 at a time with SSE2,
// and every byte needing care in those 16 is handled from the one load.
template <class Escape>
bool walk_string(std::string_view s, Escape&& escape) {
  std::size_t i = 0;  // the first byte not yet read
  // The byte at `at` needs care: an escape, or the lead byte of a multi-byte sequence.
  const auto care_at = [&](std::size_t at) {
    const auto c = static_cast<unsigned char>(s[at]);
    if (c < 0x80) {
      escape(at, c);
      i = at + 1;
      return true;
    }
    const std::size_t n = utf8_sequence(s, at);
    i = at + n;
    return n != 0;
  };
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  while (i + 16 <= s.size()) {
    const std::size_t chunk = i;
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + chunk));
    // A signed compare: below 0x20, and 0x80 and above (negative), at once.
    const __m128i care = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(care)); mask != 0; mask &= mask - 1) {
      const std::size_t at = chunk + static_cast<std::size_t>(__builtin_ctz(mask));
      if (at >= i && !care_at(at)) return false;  // below i: inside a sequence already read
    }
    i = std::max(i, chunk + 16);
  }
#endif
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80 && kAsciiClass[c] == 0) {
      ++i;
    } else if (!care_at(i)) {
      return false;
    }
  }
  return true;
}

// Appends s as a JSON string literal, byte-for-byte as nlohmann's dump (ensure_ascii = false)
// writes it. False, with `out` unchanged, when s is not valid UTF-8.
bool append_string(std::string& out, std::string_view s) {
  const std::size_t mark = out.size();
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  const bool valid = walk_string(s, [&](std::size_t at, unsigned char c) {
    out.append(s.data() + run, at - run);
    if (kAsciiClass[c] == 1) {
      const char esc[2] = {'\\', short_escape(c)};
      out.append(esc, 2);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(esc, 6);
    }
    run = at + 1;
  });
  if (!valid) {
    out.resize(mark);
    return false;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return true;
}

// The length append_string writes for s, or nullopt when s is not valid UTF-8.
std::optional<std::size_t> string_size(std::string_view s) {
  std::size_t n = 2 + s.size();  // the quotes, and each byte as itself
  const bool valid = walk_string(s, [&](std::size_t, unsigned char c) { n += kAsciiClass[c] == 1 ? 1 : 5; });
  if (!valid) return std::nullopt;
  return n;
}

std::size_t json_size(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      std::size_t n = 2 + (j.empty() ? 0 : j.size() - 1);  // braces, commas
      for (const auto& [k, v] : j.get_ref<const Json::object_t&>()) {
        const auto key = string_size(k);
        n += (key ? *key : Json(k).dump(-1, ' ', false, Json::error_handler_t::replace).size()) + 1 + json_size(v);
      }
      return n;
    }
    case Json::value_t::array: {
      std::size_t n = 2 + (j.empty() ? 0 : j.size() - 1);
      for (const auto& v : j.get_ref<const Json::array_t&>()) n += json_size(v);
      return n;
    }
    case Json::value_t::string: {
      const auto n = string_size(j.get_ref<const std::string&>());
      return n ? *n : j.dump(-1, ' ', false, Json::error_handler_t::replace).size();
    }
    case Json::value_t::boolean:
      return j.get<bool>() ? 4 : 5;
    case Json::value_t::null:
      return 4;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      char buf[24];
      const auto r = j.is_number_unsigned() ? std::to_chars(buf, buf + sizeof buf, j.get<std::uint64_t>())
                                            : std::to_chars(buf, buf + sizeof buf, j.get<std::int64_t>());
      return static_cast<std::size_t>(r.ptr - buf);
    }
    default:
      return j.dump(-1, ' ', false, Json::error_handler_t::replace).size();
  }
}

void append_json(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, v] : j.get_ref<const Json::object_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        if (!append_string(out, k)) out += Json(k).dump(-1, ' ', false, Json::error_handler_t::replace);
        out.push_back(':');
        append_json(out, v);
      }
      out.push_back('}');
      return;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& v : j.get_ref<const Json::array_t&>()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, v);
      }
      out.push_back(']');
      return;
    }
    case Json::value_t::string: {
      const auto& str = j.get_ref<const std::string&>();
      if (!append_string(out, str)) out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
    }
    case Json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      char buf[24];
      const auto r = j.is_number_unsigned() ? std::to_chars(buf, buf + sizeof buf, j.get<std::uint64_t>())
                                            : std::to_chars(buf, buf + sizeof buf, j.get<std::int64_t>());
      out.append(buf, r.ptr);
      return;
    }
    default:  // floats (nlohmann's shortest round-trip form, NaN as null), binary, discarded
      out += j.dump(-1, ' ', false, Json::error_handler_t::replace);
      return;
  }
}

// A rough size of the output, so the buffer grows a few times rather than byte by byte.
std::size_t size_hint(const Json& j) {
  return j.is_structured() ? 256 : 16;
}

}  // namespace

// The same bytes as j.dump(-1, ' ', false, error_handler_t::replace), written by a serializer
// that copies runs of plain bytes at once instead of decoding every byte: the reply of a cached
// tool call spent a sixth of its time in nlohmann's per-byte escaping. Invalid UTF-8, floats and
// binary values are left to nlohmann, so the output stays identical (tests/core/json_test.cpp
// compares the two on generated documents).
std::string dump_compact(const Json& j) {
  std::string out;
  out.reserve(size_hint(j));
  append_json(out, j);
  return out;
}

void dump_compact_to(const Json& j, std::string& out) { append_json(out, j); }

std::size_t compact_size(const Json& j) { return json_size(j); }

int json_nesting_depth(std::string_view text, int limit) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          max_depth = depth;
          if (max_depth > limit) return limit + 1;
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default: break;
    }
  }
  return max_depth;
}

std::string string_or(const Json& j, std::string_view key, std::string fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

}  // namespace jira_mcp
