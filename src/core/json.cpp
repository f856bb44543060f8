#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_size.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
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

// Whether any of the 8 bytes in w is one a JSON string writes other than as itself or one that
// starts a multi-byte sequence: below 0x20, '"', '\\' or 0x80 and above. Exact for the bytes that
// matter (a false positive only follows a true one), so runs of plain ASCII are skipped 8 at a time.
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
bool word_needs_care(std::uint64_t w) {
  const auto has_zero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  return (w & kHighs) != 0 || ((w - kOnes * 0x20) & ~w & kHighs) != 0 || has_zero(w ^ (kOnes * '"')) ||
         has_zero(w ^ (kOnes * '\\'));
}
// The index of the first byte at or after i that may need care (exactly, 16 bytes at a time
// with SSE2; else in steps of 8, stopping at the word that holds it).
std::size_t skip_plain(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  while (i + 16 <= s.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // A signed compare: below 0x20, and 0x80 and above (negative), at once.
    const __m128i care = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    if (const int mask = _mm_movemask_epi8(care); mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
#endif
  while (i + 8 <= s.size()) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (word_needs_care(w)) break;
    i += 8;
  }
  return i;
}

// Appends s as a JSON string literal, byte-for-byte as nlohmann's dump (ensure_ascii = false)
// writes it. False, with `out` unchanged, when s is not valid UTF-8.
bool append_string(std::string& out, std::string_view s) {
  const std::size_t mark = out.size();
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t i = skip_plain(s, 0);
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const std::uint8_t cls = kAsciiClass[c];
      if (cls == 0) {
        i = skip_plain(s, i + 1);
        continue;
      }
      out.append(s.data() + run, i - run);
      if (cls == 1) {
        out.push_back('\\');
        out.push_back(short_escape(c));
      } else {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, 6);
      }
      run = ++i;
      continue;
    }
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out.resize(mark);
      return false;
    }
    i += n;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
  return true;
}

// The length append_string writes for s, or nullopt when s is not valid UTF-8.
std::optional<std::size_t> string_size(std::string_view s) {
  std::size_t n = 2;  // the quotes
  std::size_t i = 0;
  while (i < s.size()) {
    if (const std::size_t j = skip_plain(s, i); j > i) {
      n += j - i;
      i = j;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      const std::uint8_t cls = kAsciiClass[c];
      n += cls == 0 ? 1 : cls == 1 ? 2 : 6;
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence(s, i);
    if (len == 0) return std::nullopt;
    n += len;
    i += len;
  }
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
