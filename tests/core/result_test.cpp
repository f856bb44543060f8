#include <doctest/doctest.h>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/log.hpp"
#include "jira_mcp/core/result.hpp"

using namespace jira_mcp;

TEST_CASE("Result holds a value or an error, and refuses the wrong access") {
  Result<int> good = 42;
  CHECK(good.ok());
  CHECK(*good == 42);
  CHECK_THROWS_AS((void)good.error(), std::logic_error);

  Result<int> bad = unexpected(Error{"not_found", "no such issue"});
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().code == "not_found");
  CHECK(bad.value_or(7) == 7);
  CHECK_THROWS_AS((void)bad.value(), std::logic_error);
}

TEST_CASE("json_nesting_depth counts brackets outside strings and stops at the limit") {
  CHECK(json_nesting_depth(R"({"a":[1,{"b":2}]})", 64) == 3);
  CHECK(json_nesting_depth(R"({"a":"[[[[[[["})", 64) == 1);
  CHECK(json_nesting_depth(R"({"a":"\"[[["})", 64) == 1);
  std::string deep(10000, '[');
  CHECK(json_nesting_depth(deep, 64) == 65);
}

TEST_CASE("dump_compact replaces invalid UTF-8 instead of throwing") {
  Json j = std::string("ok\xff");
  CHECK(dump_compact(j) == "\"ok\xEF\xBF\xBD\"");
}

TEST_CASE("redact masks every secret occurrence") {
  CHECK(redact("token abc and abc", {"abc", ""}) == "token *** and ***");
}
