// dump_compact must write exactly what nlohmann's dump(-1, ' ', false, replace) writes: it is a
// faster serializer of the same format, and every reply of the server goes through it.
#include <doctest/doctest.h>

#include <limits>
#include <random>
#include <string>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_size.hpp"

using namespace jira_mcp;

namespace {

std::string reference(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Strings that stress escaping: control bytes, quotes, backslashes, DEL, well-formed UTF-8 of
// every length, and ill-formed sequences (stray continuation bytes, overlongs, surrogates,
// truncated sequences, bytes above F4).
std::string random_string(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "plain ascii", "\"", "\\", "\b", "\f", "\n", "\r", "\t", std::string(1, '\0'), "\x01", "\x1f", "\x7f", "/",
      "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBF\xBD", "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF",
      "\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x80\x80\xAF", "\xF4\x90\x80\x80",
      "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "**Markdown** _text_ `code`", "{\"k\":[1,2]}"};
  std::string s;
  const int n = std::uniform_int_distribution<int>(0, 6)(rng);
  for (int i = 0; i < n; ++i) s += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
  return s;
}

Json random_json(std::mt19937& rng, int depth) {
  const int kind = std::uniform_int_distribution<int>(0, depth > 4 ? 6 : 8)(rng);
  switch (kind) {
    case 0: return nullptr;
    case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2: return std::uniform_int_distribution<std::int64_t>(std::numeric_limits<std::int64_t>::min(),
                                                               std::numeric_limits<std::int64_t>::max())(rng);
    case 3: return std::uniform_int_distribution<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max())(rng);
    case 4: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 5:
    case 6: return random_string(rng);
    case 7: {
      Json a = Json::array();
      const int n = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < n; ++i) a.push_back(random_json(rng, depth + 1));
      return a;
    }
    default: {
      Json o = Json::object();
      const int n = std::uniform_int_distribution<int>(0, 5)(rng);
      for (int i = 0; i < n; ++i) o[random_string(rng)] = random_json(rng, depth + 1);
      return o;
    }
  }
}

}  // namespace

TEST_CASE("dump_compact writes the bytes nlohmann's dump writes, and compact_size counts them") {
  SUBCASE("fixed cases") {
    for (const Json& j : {Json(nullptr), Json(true), Json(false), Json(0), Json(-1), Json(42u), Json(1.0), Json(0.1),
                          Json(-2.5e-300), Json(std::numeric_limits<double>::quiet_NaN()), Json(""), Json::array(),
                          Json::object(), Json{{"b", 1}, {"a", {1, "x", nullptr}}},
                          Json(std::numeric_limits<std::int64_t>::min()),
                          Json(std::numeric_limits<std::uint64_t>::max()), Json::binary({1, 2, 3}),
                          Json{{"ok\xFF", "bad key"}}}) {
      CAPTURE(reference(j));
      CHECK(dump_compact(j) == reference(j));
      CHECK(compact_size(j) == reference(j).size());
    }
  }
  SUBCASE("generated documents") {
    std::mt19937 rng(20261123);
    for (int i = 0; i < 3000; ++i) {
      const Json j = random_json(rng, 0);
      const std::string want = reference(j);
      CAPTURE(want);
      REQUIRE(dump_compact(j) == want);
      REQUIRE(compact_size(j) == want.size());
    }
  }
}

TEST_CASE("dump_compact writes long strings as nlohmann does, with several bytes needing care in one block") {
  // Markdown-sized strings: plain runs of every length between escapes and sequences, so blocks of
  // 16 bytes hold none, one or many bytes needing care, and sequences straddle their edges.
  // Well-formed pieces, so the string is written by the fast path rather than left to nlohmann;
  // every fifth string also gets an ill-formed one somewhere.
  static const std::vector<std::string> valid = {"\"", "\\", "\b", "\f", "\n", "\r", "\t", std::string(1, '\0'),
                                                 "\x01", "\x1f", "\x7f", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"};
  std::mt19937 rng(20261207);
  for (int i = 0; i < 1000; ++i) {
    std::string s;
    const int pieces = std::uniform_int_distribution<int>(10, 80)(rng);
    for (int p = 0; p < pieces; ++p) {
      s += i % 5 == 4 && p == pieces / 2 ? random_string(rng) : valid[std::uniform_int_distribution<std::size_t>(0, valid.size() - 1)(rng)];
      s.append(std::uniform_int_distribution<std::size_t>(0, 40)(rng), 'x');
    }
    const Json j{{"text", s}, {s, {s, 1}}};
    const std::string want = reference(j);
    CAPTURE(want);
    REQUIRE(dump_compact(j) == want);
    REQUIRE(compact_size(j) == want.size());
  }
}

TEST_CASE("dump_compact round-trips text with every escape") {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  const std::string out = dump_compact(Json{{"s", all}});
  CHECK(Json::parse(out)["s"] == all);
  CHECK(out.find("\\u0001") != std::string::npos);
  CHECK(out.find("\\n") != std::string::npos);
}

TEST_CASE("dump_compact finds a byte that needs care at every offset of a long plain run") {
  // The serializer skips plain ASCII 16 bytes at a time: each kind of byte that ends a run, at
  // every position of a block and across its edges, must be written as nlohmann writes it.
  const std::vector<std::string> stops = {"\"", "\\", "\n", std::string(1, '\0'), "\x1f", " ", "\x7f",
                                          "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xFF", "\xC3"};
  for (const std::string& stop : stops) {
    for (std::size_t at = 0; at <= 40; ++at) {
      std::string s(40, 'a');
      s.insert(at, stop);
      const Json j{{"s", s}, {"k" + s, 1}};
      CAPTURE(at);
      REQUIRE(dump_compact(j) == reference(j));
      REQUIRE(compact_size(j) == reference(j).size());
    }
  }
}
