#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content {
Json wiki_to_adf(std::string_view) { return Json::object(); }
std::string adf_to_wiki(const Json&) { return {}; }
std::string markdown_to_wiki(std::string_view markdown) { return adf_to_wiki(markdown_to_adf(markdown)); }
std::string wiki_to_markdown(std::string_view wiki) { return adf_to_markdown(wiki_to_adf(wiki)); }
}  // namespace jira_mcp::content
