// The uncached read path of the issue tools (Options::fast_parse): a response body is parsed
// with simdjson into a pooled parser and read in place.
//
// Where the time went before (perf of jira_get_issue on a 38 KB Cloud issue, cache off): a
// third in nlohmann's parser and the tree it builds (a malloc per value, a std::map per object)
// for the issue and for /field, a fifth in rendering its ADF, twice per comment. Now the whole
// issue is read from the simdjson DOM: the rich text (description, comment bodies: nearly all of
// an issue's bytes) by the one ADF renderer (content::adf_to_markdown over a JsonRef), the rest
// by the issue renderers over an IssueView (common.hpp), which read a cached nlohmann document
// the same way, so both paths run the same code and the results are byte-identical
// (tests/tools/fast_read_test.cpp renders every fixture both ways). An earlier version copied
// the issue, less its rich text, into a nlohmann "skeleton" for renderers that read only Json:
// a tenth of a read went to building and freeing it. Cached reads keep the shared nlohmann
// document (every tool reading the cache needs it).
#include <algorithm>

#include "jira_mcp/content/convert.hpp"
#include "tools/common.hpp"

namespace jira_mcp::tools {

std::shared_ptr<JsonParserPool> make_json_parser_pool() {
  JsonParserPool::Options o;
  o.max_idle = 16;
  // A parser keeps buffers the size of the largest body it read; one that read a huge page is
  // not kept.
  o.recycle = [](JsonParser& p) { return p.capacity() <= (std::size_t{8} << 20); };
  o.footprint = [](const JsonParser& p) { return p.capacity() * 3; };
  return std::make_shared<JsonParserPool>(std::move(o));
}

namespace detail {

Result<jira::Client::Read, jira::JiraError> Jira::get_read(const std::string& path, const jira::Query& query,
                                                           std::optional<JsonParserPool::Lease>& parser) {
  JsonParser* p = nullptr;
  if (services_->options.fast_parse && services_->json_parsers) {
    parser.emplace(services_->json_parsers->acquire());
    p = &**parser;
  }
  auto read = client().get_read(path, query, call_, p);
  if (!read) return unexpected(std::move(read).error());
  // As get_doc: a null body reads as an empty object.
  if (read->view && read->view->is_null()) return jira::Client::Read{std::make_shared<const Json>(Json::object()), std::nullopt};
  if (!read->view && (!read->doc || read->doc->is_null())) read->doc = std::make_shared<const Json>(Json::object());
  return read;
}

std::string Jira::markdown(JsonRef rich) const {
  if (const Json* j = rich.nlohmann()) return markdown(*j);
  if (rich.is_string()) return cloud_ ? std::string(rich.str()) : content::wiki_to_markdown(rich.str());
  if (rich.is_object()) return content::adf_to_markdown_view(rich);
  return {};
}

bool KeptFields::has(std::string_view id) const {
  if (all_custom && id.substr(0, 12) == "customfield_") return true;
  // The last character first: ids of one length (customfield_N) mostly differ there.
  return std::any_of(ids.begin(), ids.end(), [&](const std::string& k) {
    return k.size() == id.size() && (id.empty() || k.back() == id.back()) && k == id;
  });
}

}  // namespace detail
}  // namespace jira_mcp::tools
