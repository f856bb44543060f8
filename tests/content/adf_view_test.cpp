// adf_to_markdown_view over a simdjson document (the uncached read path) against
// adf_to_markdown over the nlohmann document of the same text: one renderer reads both through
// JsonRef, and these pin that the two views read alike, repeated keys included.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "content/content_test_support.hpp"
#include "jira_mcp/content/convert.hpp"
#include "jira_mcp/core/json_view.hpp"

using jira_mcp::Json;
using jira_mcp::JsonParser;
using jira_mcp::content::adf_to_markdown;
using jira_mcp::content::adf_to_markdown_view;

namespace {

// The Markdown of `adf_text` through the nlohmann document, after checking that the simdjson
// view of the same text renders the same bytes.
std::string both_views(const std::string& adf_text) {
  const std::string from_nlohmann = adf_to_markdown(Json::parse(adf_text));
  JsonParser parser;
  const auto view = parser.parse(std::string_view(adf_text));
  REQUIRE(view.has_value());
  const std::string from_simdjson = adf_to_markdown_view(*view);
  CHECK(from_simdjson == from_nlohmann);
  return from_nlohmann;
}

}  // namespace

TEST_CASE("the simdjson view of every corpus document renders as its nlohmann document") {
  const std::filesystem::path root(jira_mcp::testing::source_dir());
  int documents = 0;
  for (const auto& dir : {root / "tests/content/corpus", root / "tests/content/oracle/corpus"}) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.size() < 9 || name.substr(name.size() - 9) != ".adf.json") continue;
      INFO(name);
      CHECK_FALSE(both_views(content_test::read_file(entry.path())).empty());
      ++documents;
    }
  }
  // The Markdown corpus read back as ADF: every node and mark kind the writer makes.
  for (const auto& [name, markdown] : content_test::corpus()) {
    INFO(name);
    CHECK_FALSE(both_views(jira_mcp::content::markdown_to_adf(markdown).dump()).empty());
    ++documents;
  }
  CHECK(documents > 5);
}

TEST_CASE("a repeated key reads as its last occurrence in both views") {
  // simdjson keeps every occurrence; nlohmann's parser keeps the last.
  CHECK(both_views(R"({"type":"doc","content":[{"type":"heading","type":"paragraph","content":[)"
                   R"({"type":"text","text":"first","text":"last one","marks":[{"type":"link","attrs":{"href":"https://a.example"}}],)"
                   R"("marks":[{"type":"strong"},{"type":"em","type":"strike"}]}]}]})") == "**~~last one~~**\n");
}

TEST_CASE("a paragraph's whitespace is trimmed within it, not into the blocks before it") {
  // A blank paragraph between two paragraphs, and a heading whose text is blank: the separator
  // and the heading's "### " are not the paragraph's to trim.
  CHECK(both_views(R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},)"
                   R"({"type":"paragraph","marks":[],"content":[{"type":"text","text":"   "}]},)"
                   R"({"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"  "}]},)"
                   R"({"type":"paragraph","content":[{"type":"text","text":"b "},{"type":"text","text":"bold ","marks":[{"type":"strong"}]},{"type":"text","text":"c"}]}]})") ==
        "a\n\n###\n\nb **bold** c\n");
  CHECK(both_views(R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},)"
                   R"({"type":"paragraph","content":[{"type":"text","text":"  "},{"type":"hardBreak"},{"type":"text","text":" "}]}]})") ==
        "a\n\n\\\n");
  // A line break in a heading trims the spaces before it, but not the heading's own.
  CHECK(both_views(R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},)"
                   R"({"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"  "},{"type":"hardBreak"},{"type":"text","text":"x"}]}]})") ==
        "a\n\n##  x\n");
}

TEST_CASE("marks shared by neighbouring text stay open across it in both views") {
  // Links with and without a title, an autolink, a code span keeping its link, directive marks
  // around emphasis, and a "\r\n" inside marked text.
  CHECK(both_views(R"({"type":"doc","content":[{"type":"bulletList","content":[{"type":"listItem","content":[)"
                   R"({"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link","attrs":{"href":"https://l.example/1","title":"T"}}]},)"
                   R"({"type":"text","text":"y","marks":[{"type":"link","attrs":{"href":"https://l.example/2"}},{"type":"em"}]}]},)"
                   R"({"type":"orderedList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[)"
                   R"({"type":"text","text":"https://auto.example","marks":[{"type":"link","attrs":{"href":"https://auto.example"}}]},)"
                   R"({"type":"text","text":" and `code`","marks":[{"type":"code"},{"type":"link","attrs":{"href":"https://c.example"}}]}]}]}]}]}]}]})") ==
        "- [x](https://l.example/1 \"T\")[*y*](https://l.example/2)\n  1. <https://auto.example>[``  and `code` ``](https://c.example)\n");
  CHECK(both_views(R"({"type":"doc","content":[{"type":"paragraph","content":[)"
                   R"({"type":"text","text":"under","marks":[{"type":"underline"},{"type":"textColor","attrs":{"color":"#ff0000"}}]},)"
                   R"({"type":"text","text":"line\r\nnext","marks":[{"type":"underline"},{"type":"strong"}]}]}]})") ==
        ":underline[:textColor[under]{color=#ff0000}**line**]\\\n**:underline[next]**\n");
}

TEST_CASE("a number attribute past the range of an integer is written as JSON writes it") {
  // Converting 1e+20 to long long was undefined behaviour (found by libFuzzer under UBSan).
  const std::string doc = R"({"type":"doc","content":[{"type":"mediaSingle","content":[)"
                          R"({"type":"media","attrs":{"type":"file","id":1e20,"collection":"c"}}]},)"
                          R"({"type":"mediaSingle","content":[{"type":"media","attrs":{"type":"file","id":-2.5,"collection":"c"}}]}]})";
  const std::string md = both_views(doc);
  CHECK(md.find("media:1e+20") != std::string::npos);
  CHECK(md.find("media:-2") != std::string::npos);  // in range: truncated, as before
  const std::string wiki = jira_mcp::content::adf_to_wiki(Json::parse(doc));
  CHECK_FALSE(wiki.empty());
}
