#pragma once
// Pagination across Jira's three styles:
//   Cloud search   POST /rest/api/3/search/jql       nextPageToken / isLast, no total
//                  (POST /rest/api/3/search/approximate-count when a count is asked for)
//   DC search      POST /rest/api/2/search           startAt / maxResults / total
//   Agile          GET  /rest/agile/1.0/...          values / isLast / startAt
// The removed Cloud endpoint /rest/api/3/search is never used.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/call.hpp"
#include "jira_mcp/jira/errors.hpp"

namespace jira_mcp::jira {

class Client;

// Where a page starts: a Cloud token or a Data Center offset. A default cursor is the first
// page on both.
struct PageCursor {
  std::string token;      // Cloud nextPageToken; empty: first page
  std::int64_t offset = 0;  // Data Center startAt
};

struct SearchRequest {
  std::string jql;
  std::vector<std::string> fields;  // empty: the server default
  std::vector<std::string> expand;
  PageCursor cursor;
  int max_results = 50;
  bool want_total = false;  // Cloud: one extra approximate-count call; DC: always known
};

struct SearchPage {
  Json issues = Json::array();
  bool is_last = true;
  std::optional<PageCursor> next;      // absent on the last page
  std::optional<std::int64_t> total;   // DC always; Cloud only with want_total (approximate)
};

struct AgilePage {
  Json values = Json::array();
  bool is_last = true;
  std::optional<std::int64_t> next_start_at;
  std::optional<std::int64_t> total;
};

// Response parsers (pure; ErrorKind::protocol on a malformed body).
Result<SearchPage, JiraError> parse_cloud_search_page(const Json& body);
Result<SearchPage, JiraError> parse_dc_search_page(const Json& body, std::int64_t start_at);
Result<AgilePage, JiraError> parse_agile_page(const Json& body, std::int64_t start_at);

// GET one page of an agile list endpoint (startAt/maxResults added to `query`).
Result<AgilePage, JiraError> get_agile_page(Client& client, const std::string& path,
                                            std::vector<std::pair<std::string, std::string>> query,
                                            std::int64_t start_at, int max_results, const CallContext& call = {});

}  // namespace jira_mcp::jira
