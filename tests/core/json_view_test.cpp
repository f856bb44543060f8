// JsonRef::find_members: several members in one pass, each read as operator[] reads it, over a
// nlohmann document and over a simdjson one (which keeps every occurrence of a repeated key).
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "jira_mcp/core/json_view.hpp"

using jira_mcp::Json;
using jira_mcp::JsonParser;
using jira_mcp::JsonRef;

namespace {

// Keys of each length class same_key compares differently: 4 to 8 bytes, 9 to 16, longer, shorter.
constexpr std::string_view kKeys[] = {"type", "text", "marks", "content", "collection", "a_rather_long_key_name", "ab"};
constexpr std::size_t kCount = std::size(kKeys);

// What find_members gives for kKeys, as "key=value" lines (values as JSON, "-" when missing),
// after checking it against one operator[] per key.
std::string found(JsonRef j) {
  JsonRef out[kCount];
  j.find_members(kKeys, out, kCount);
  std::string text;
  for (std::size_t i = 0; i < kCount; ++i) {
    INFO(kKeys[i]);
    CHECK(out[i].missing() == j[kKeys[i]].missing());
    CHECK(out[i].to_json() == j[kKeys[i]].to_json());
    text += std::string(kKeys[i]) + "=" + (out[i].missing() ? "-" : out[i].to_json().dump()) + "\n";
  }
  return text;
}

// found() through both views of `json`, which must agree.
std::string found_in_both(const std::string& json) {
  const Json doc = Json::parse(json);
  JsonParser parser;
  const auto view = parser.parse(std::string_view(json));
  REQUIRE(view.has_value());
  const std::string from_nlohmann = found(JsonRef(doc));
  CHECK(found(*view) == from_nlohmann);
  return from_nlohmann;
}

}  // namespace

TEST_CASE("find_members reads the members asked for, missing the others") {
  CHECK(found_in_both(R"({"type":"text","text":"hi","other":1,"ab":[1],"collection":"c","a_rather_long_key_name":{"x":null}})") ==
        "type=\"text\"\ntext=\"hi\"\nmarks=-\ncontent=-\ncollection=\"c\"\na_rather_long_key_name={\"x\":null}\nab=[1]\n");
  // Keys that share a length and a prefix with the ones asked for are not taken for them.
  CHECK(found_in_both(R"({"typo":1,"texts":2,"mark":3,"contents":4,"collectiom":5,"Collection":5,"a_rather_long_key_namE":6,"a":7,"abc":8,"aB":9,"":10})") ==
        "type=-\ntext=-\nmarks=-\ncontent=-\ncollection=-\na_rather_long_key_name=-\nab=-\n");
}

TEST_CASE("find_members reads a repeated key as its last occurrence, as nlohmann's parser keeps it") {
  CHECK(found_in_both(R"({"type":"a","text":"x","type":"b","ab":1,"ab":null,"type":"c"})") ==
        "type=\"c\"\ntext=\"x\"\nmarks=-\ncontent=-\ncollection=-\na_rather_long_key_name=-\nab=null\n");
}

TEST_CASE("find_members of anything but an object finds nothing and leaves the outputs alone") {
  for (const char* json : {"[1,2]", "\"type\"", "5", "null", "true", "{}"}) {
    INFO(json);
    CHECK(found_in_both(json) == "type=-\ntext=-\nmarks=-\ncontent=-\ncollection=-\na_rather_long_key_name=-\nab=-\n");
  }
  const Json doc = Json::parse(R"({"type":"t"})");
  const Json kept = "kept";
  JsonRef out[2] = {JsonRef(kept), JsonRef(kept)};
  const std::string_view keys[] = {"type", "text"};
  JsonRef(doc).find_members(keys, out, 2);
  CHECK(out[0].str() == "t");
  CHECK(out[1].str() == "kept");  // not there: untouched
  JsonRef().find_members(keys, out, 2);
  CHECK(out[0].str() == "t");
}
