// The lenient reader of Jira JSON: nothing throws, absent is empty, ids come from self.
#include <doctest/doctest.h>

#include "jira_mcp/core/read.hpp"

using jira_mcp::Json;
namespace rd = jira_mcp::lenient;

TEST_CASE("str: strings, numbers as decimal text, everything else empty") {
  const Json j = Json::parse(R"({"a":"x","n":42,"f":1.5,"whole":3.0,"b":true,"z":null,"o":{"p":{"q":"deep"}},"arr":[1]})");
  CHECK(rd::str(j, "a") == "x");
  CHECK(rd::str(j, "n") == "42");
  CHECK(rd::str(j, "f") == "1.5");
  CHECK(rd::str(j, "whole") == "3");
  CHECK(rd::str(j, "b") == "true");
  CHECK(rd::str(j, "z").empty());
  CHECK(rd::str(j, "missing").empty());
  CHECK(rd::str(j, "o").empty());
  CHECK(rd::str(j, "arr").empty());
  CHECK(rd::str(j, "o", "p", "q") == "deep");
  CHECK(rd::str(j, "z", "p", "q").empty());
  CHECK(rd::str(j, "a", "p").empty());  // a string has no members
  CHECK(rd::str(Json(), "a").empty());
  CHECK(rd::str(Json::array({1, 2}), "a").empty());
}

TEST_CASE("num, real, boolean: numbers or their text, else the fallback") {
  const Json j = Json::parse(R"({"n":7,"s":"12","bad":"12a","f":2.9,"z":null,"t":true,"ts":"false","big":18446744073709551615})");
  CHECK(rd::num(j, "n") == 7);
  CHECK(rd::num(j, "s") == 12);
  CHECK(rd::num(j, "bad") == 0);
  CHECK(rd::num(j, "f") == 2);
  CHECK(rd::num(j, "z") == 0);
  CHECK(rd::num(j, "big") == 0);
  CHECK(rd::integer_of(rd::at(j, "z"), -1) == -1);
  CHECK(rd::real(j, "s") == doctest::Approx(12.0));
  CHECK(rd::boolean(j, "t"));
  CHECK_FALSE(rd::boolean(j, "ts"));
  CHECK(rd::boolean_of(rd::at(j, "z"), true));
}

TEST_CASE("obj and arr give empty containers for null, missing and other types") {
  const Json j = Json::parse(R"({"o":{"k":1},"a":[1,2],"z":null,"s":"x"})");
  CHECK(rd::obj(j, "o").size() == 1);
  CHECK(rd::obj(j, "z").is_object());
  CHECK(rd::obj(j, "z").empty());
  CHECK(rd::obj(j, "a").is_object());
  CHECK(rd::arr(j, "a").size() == 2);
  CHECK(rd::arr(j, "z").is_array());
  CHECK(rd::arr(j, "s").empty());
  int n = 0;
  for (const auto& x : rd::arr(j, "missing", "deeper")) n += static_cast<int>(x.size());
  CHECK(n == 0);
  CHECK_FALSE(rd::has(j, "z"));
  CHECK(rd::has(j, "s"));
}

TEST_CASE("id_of: the id (string or number), else the last segment of self") {
  CHECK(rd::id_of(Json::parse(R"({"id":"10000"})")) == "10000");
  CHECK(rd::id_of(Json::parse(R"({"id":10001})")) == "10001");
  CHECK(rd::id_of(Json::parse(R"({"self":"https://x/rest/api/2/version/10002"})")) == "10002");
  CHECK(rd::id_of(Json::parse(R"({"self":"https://x/rest/api/2/issue/1/worklog/10010/"})")) == "10010");
  CHECK(rd::id_of(Json::parse(R"({"id":null,"self":"https://x/rest/api/2/attachment/7?x=1"})")) == "7");
  CHECK(rd::id_of(Json::parse(R"({"self":"https://x/rest/api/2/serverInfo"})")).empty());
  CHECK(rd::id_of(Json::parse(R"({"self":null})")).empty());
  CHECK(rd::id_of(Json()).empty());
}

TEST_CASE("duration_seconds reads Jira's duration text with its 8-hour days and 5-day weeks") {
  CHECK(rd::duration_seconds("18w 2d") == (18 * 5 + 2) * 8 * 3600);
  CHECK(rd::duration_seconds("1h 30m") == 5400);
  CHECK(rd::duration_seconds("45m") == 2700);
  CHECK(rd::duration_seconds("2 days, 3 hours") == (2 * 8 + 3) * 3600);
  CHECK(rd::duration_seconds("1.5h") == 5400);
  CHECK(rd::duration_seconds("") == -1);
  CHECK(rd::duration_seconds("soon") == -1);
  CHECK(rd::duration_seconds("3x") == -1);
}

TEST_CASE("first_str takes the first non-empty member") {
  const Json u = Json::parse(R"({"displayName":null,"name":"","key":"jdoe"})");
  CHECK(rd::first_str(u, {"displayName", "name", "key"}) == "jdoe");
  CHECK(rd::first_str(u, {"displayName"}).empty());
}
