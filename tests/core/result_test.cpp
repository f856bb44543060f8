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

#include "jira_mcp/core/base64.hpp"

TEST_CASE("base64 round-trips every length and rejects garbage") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 37));
    auto enc = core::base64_encode(bytes);
    CHECK(enc.size() % 4 == 0);
    auto dec = core::base64_decode(enc);
    REQUIRE(dec.has_value());
    CHECK(*dec == bytes);
  }
  CHECK(core::base64_encode("Man") == "TWFu");
  CHECK(core::base64_encode("Ma") == "TWE=");
  CHECK(*core::base64_decode("TW\nFu") == "Man");
  CHECK_FALSE(core::base64_decode("TW*u").has_value());
  CHECK_FALSE(core::base64_decode("TQ==TQ==").has_value());
}
