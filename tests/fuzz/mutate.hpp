#pragma once
// Deterministic input generation for the fuzz harnesses and the whole-process fuzz run.
//
// A Mutator turns seed inputs into hostile variants from one seeded RNG, so a failure is
// reproduced by its seed and index. It knows the shapes that broke parsers here before: numbers
// outside double's range (1e400), invalid UTF-8, a BOM, NUL and control bytes, deep nesting,
// huge strings, CR LF and "../" inside ids, wrong JSON types, truncation.
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::fuzz {

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  // One hostile variant of `seed`: one to four mutations of random kinds.
  std::string mutate(const std::string& seed) {
    std::string s = seed;
    const int rounds = 1 + static_cast<int>(below(4));
    for (int i = 0; i < rounds; ++i) mutate_once(s);
    return s;
  }

  // A variant that stays JSON text but for the hostile token itself: one to three values of
  // the parsed seed (leaves or whole members) replaced, so the message gets past the parser to
  // validation and the tools. A seed that is not JSON gets mutate().
  std::string mutate_values(const std::string& seed) {
    Json doc = Json::parse(seed, nullptr, false);
    if (doc.is_discarded()) return mutate(seed);
    std::vector<std::string> tokens;
    const int rounds = 1 + static_cast<int>(below(3));
    for (int i = 0; i < rounds; ++i) {
      std::vector<Json::json_pointer> places;
      collect(doc, Json::json_pointer(), places);
      if (places.empty()) break;
      doc[places[below(places.size())]] = Json(std::string("\x01hostile") + std::to_string(i) + "\x01");
      tokens.push_back(hostile_tokens()[below(hostile_tokens().size())]);
    }
    std::string out = doc.dump();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string mark = "\"\\u0001hostile" + std::to_string(i) + "\\u0001\"";
      if (auto at = out.find(mark); at != std::string::npos) out.replace(at, mark.size(), tokens[i]);
    }
    return out;
  }

  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }

  // Values that are valid JSON tokens but hostile to whoever reads them.
  static const std::vector<std::string>& hostile_tokens() {
    static const std::vector<std::string> t{
        "1e400", "-1e400", "1E+999", "-0", "1e-400", "123456789012345678901234567890", "18446744073709551616",
        "-9223372036854775809", "0.0000000000000000000000000001", "NaN", "Infinity", "null", "true", "[]", "{}",
        "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"a\\r\\nDELETE /rest/api/3/issue/DEMO-2 HTTP/1.1\\r\\n\\r\\n\"",
        "\"../../../etc/passwd\"", "\"%2e%2e/%2e%2e\"", "\"DEMO-1/../DEMO-2\"", "\"\\u202e\\ufeff\"", "\"😀😀\"",
        "\"1\\u0000\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}", "\"" + std::string(70000, 'x') + "\"", "-1", "0",
        "2147483648", "4294967296", "1.5", "\"*\"", "\"<script>\"", "\"]]>\"", "\"{{\"", "\"\\\\\""};
    return t;
  }

 private:
  // Raw bytes that are not valid JSON text or not valid UTF-8.
  static const std::vector<std::string>& hostile_bytes() {
    static const std::vector<std::string> b{std::string("\xEF\xBB\xBF"), std::string("\0", 1), "\xC0\xAF", "\xFF",
                                            "\xED\xA0\x80", "\xF4\x90\x80\x80", "\r", "\r\n", "\x1b[31m", "\\", "\"",
                                            "\xE2\x80\xA8", "}", "]", ",", ":", "{", "["};
    return b;
  }

  void mutate_once(std::string& s) {
    if (s.empty()) {
      s = hostile_tokens()[below(hostile_tokens().size())];
      return;
    }
    switch (below(10)) {
      case 0:
      case 1:
      case 2: {  // replace a JSON scalar (number, string, literal) with a hostile token
        std::size_t at = 0, len = 0;
        if (find_scalar(s, at, len)) s.replace(at, len, hostile_tokens()[below(hostile_tokens().size())]);
        break;
      }
      case 3: {  // insert hostile bytes
        const auto& b = hostile_bytes()[below(hostile_bytes().size())];
        s.insert(below(s.size() + 1), b);
        break;
      }
      case 4:  // truncate
        s.resize(below(s.size() + 1));
        break;
      case 5: {  // flip a byte
        std::size_t i = below(s.size());
        s[i] = static_cast<char>(s[i] ^ (1u << below(8)));
        break;
      }
      case 6:  // a BOM in front
        s.insert(0, "\xEF\xBB\xBF");
        break;
      case 7: {  // duplicate a slice (repeated keys, nested copies)
        std::size_t a = below(s.size()), n = below(std::min<std::size_t>(64, s.size() - a) + 1);
        s.insert(below(s.size() + 1), s.substr(a, n));
        break;
      }
      case 8: {  // delete a slice
        std::size_t a = below(s.size()), n = below(std::min<std::size_t>(16, s.size() - a) + 1);
        s.erase(a, n);
        break;
      }
      default: {  // wrap a value in deep nesting
        std::size_t at = 0, len = 0;
        if (find_scalar(s, at, len)) {
          const std::size_t depth = 1 + below(200);
          s.replace(at, len, std::string(depth, '[') + s.substr(at, len) + std::string(depth, ']'));
        }
        break;
      }
    }
  }

  // A random scalar token of `s`: a quoted string, a number or a literal.
  bool find_scalar(const std::string& s, std::size_t& at, std::size_t& len) {
    for (int tries = 0; tries < 8; ++tries) {
      std::size_t i = below(s.size());
      while (i < s.size() && !(s[i] == '"' || s[i] == '-' || (s[i] >= '0' && s[i] <= '9') || s[i] == 't' || s[i] == 'f' ||
                               s[i] == 'n')) {
        ++i;
      }
      if (i >= s.size()) continue;
      std::size_t j = i + 1;
      if (s[i] == '"') {
        while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
        j = std::min(j + 1, s.size());
      } else {
        while (j < s.size() && s[j] != ',' && s[j] != '}' && s[j] != ']' && s[j] != ' ') ++j;
      }
      at = i;
      len = j - i;
      return true;
    }
    return false;
  }

  // Every place below the root that a value can be put at.
  static void collect(const Json& j, const Json::json_pointer& at, std::vector<Json::json_pointer>& out) {
    if (j.is_object()) {
      for (const auto& [k, v] : j.items()) {
        out.push_back(at / k);
        collect(v, at / k, out);
      }
    } else if (j.is_array()) {
      for (std::size_t i = 0; i < j.size(); ++i) {
        out.push_back(at / i);
        collect(j[i], at / i, out);
      }
    }
  }

  std::mt19937_64 rng_;
};

}  // namespace jira_mcp::fuzz
