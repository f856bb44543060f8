#include <doctest/doctest.h>

#include "jira_mcp/core/text.hpp"

using jira_mcp::core::edit_distance;

TEST_CASE("edit_distance: Levenshtein, ASCII letters without case") {
  CHECK(edit_distance("server.prot", "server.port") == 2);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("isues", "issues") == 1);
  CHECK(edit_distance("JIRA_GET_ISSUE", "jira_get_issue") == 0);
  CHECK(edit_distance("kitten", "sitting") == 3);
  // Only ASCII letters fold: other bytes compare as they are.
  CHECK(edit_distance("\xc3\x89", "\xc3\xa9") == 1);
}
