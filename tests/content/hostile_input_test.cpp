#include <doctest/doctest.h>

#include <string>

#include "content/content_test_support.hpp"
#include "jira_mcp/content/convert.hpp"

using jira_mcp::Json;
using namespace jira_mcp::content;
using content_test::adf_violations;

TEST_CASE("unknown ADF nodes keep their text; missing and mistyped fields are skipped") {
  CHECK(adf_to_markdown(Json::parse(R"({"type":"doc","version":1,"content":[{"type":"futureBlock","content":[{"type":"paragraph","content":[{"type":"text","text":"inside"}]}]}]})")) == "inside\n");
  CHECK(adf_to_markdown(Json::parse(R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"futureInline","attrs":{"text":"ft"}},{"type":"text","text":" tail"}]}]})")) == "ft tail\n");
  CHECK(adf_to_markdown(Json::parse(R"({"type":"doc","version":1,"content":[{"type":"futureLeaf","text":"leaf"}]})")) == "leaf\n");
  const char* odd[] = {
      R"(null)", R"(42)", R"("text")", R"([])", R"({})", R"({"type":"doc"})", R"({"type":"doc","content":"nope"})",
      R"({"type":"doc","content":[null, 1, "x", [], {"type":5}]})",
      R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text"},{"type":"text","text":7},{"type":"text","text":"","marks":[{"type":"strong"}]}]}]})",
      R"({"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"m","marks":"bad"},{"type":"text","text":"n","marks":[null,{"type":"link"},{"type":"link","attrs":{"href":3}}]}]}]})",
      R"({"type":"doc","content":[{"type":"heading","attrs":{"level":"two"}},{"type":"heading","attrs":{"level":99}},{"type":"orderedList","attrs":{"order":-5},"content":[{"type":"listItem"}]}]})",
      R"({"type":"doc","content":[{"type":"table","content":[{"type":"tableRow"},{"type":"tableRow","content":[{"type":"tableCell"}]}]}]})",
      R"({"type":"doc","content":[{"type":"taskList","content":[{"type":"taskList"},{"type":"taskItem","attrs":{"state":7}}]}]})",
      R"({"type":"doc","content":[{"type":"date","attrs":{"timestamp":"soon"}},{"type":"date","attrs":{"timestamp":"-99999999999999999999"}},{"type":"mention","attrs":{"id":null}}]})",
      R"({"type":"doc","content":[{"type":"codeBlock","attrs":{"language":"a`b\nc"},"content":[{"type":"text","text":"x"},{"type":"hardBreak"}]}]})",
      R"({"type":"doc","content":[{"type":"mediaSingle","content":[{"type":"media"}]},{"type":"panel"},{"type":"expand","attrs":{"title":5}}]})",
  };
  for (const char* text : odd) {
    CAPTURE(text);
    const Json adf = Json::parse(text);
    std::string md;
    CHECK_NOTHROW(md = adf_to_markdown(adf));
    CHECK_NOTHROW(adf_to_wiki(adf));
    CHECK(adf_violations(markdown_to_adf(md)) == "");
  }
}

TEST_CASE("absurd ADF nesting is flattened, not recursed into without bound") {
  // Built by moving, so the test itself neither copies nor recurses 2000 levels deep.
  Json node = {{"type", "text"}, {"text", "bottom"}};
  for (int i = 0; i < 2000; ++i) {
    Json wrapper = {{"type", i % 2 == 0 ? "blockquote" : "unknownWrapper"}, {"content", Json::array()}};
    wrapper["content"].push_back(std::move(node));
    node = std::move(wrapper);
  }
  Json doc = {{"type", "doc"}, {"version", 1}, {"content", Json::array()}};
  doc["content"].push_back(std::move(node));
  std::string md;
  CHECK_NOTHROW(md = adf_to_markdown(doc));
  CHECK(md.find("bottom") != std::string::npos);
  CHECK_NOTHROW(adf_to_wiki(doc));
}

TEST_CASE("hostile Markdown never crashes and always yields schema-valid ADF") {
  std::string deep_list;
  for (int i = 0; i < 400; ++i) deep_list += std::string(static_cast<size_t>(i) * 2, ' ') + "- level " + std::to_string(i) + "\n";
  std::string deep_quote(3000, '>');
  deep_quote += " deep\n";
  std::string deep_emphasis;
  for (int i = 0; i < 2000; ++i) deep_emphasis += "*a ";
  std::string brackets(5000, '[');
  std::string huge;
  for (int i = 0; i < 3000; ++i) huge += "Line " + std::to_string(i) + " with **bold** and `code` and [link](https://x.test/" + std::to_string(i) + ")\n\n";
  const std::string invalid_utf8 = "bad \xC3\x28 bytes \xFF\xFE and \xE2\x82 cut\n- \xF0\x9F\x98\x80 ok\n";
  // Directive syntax at its worst: unclosed labels and attribute blocks on one long line,
  // thousands of nested fences, forged internal marker characters, typed attributes gone wrong.
  std::string open_labels;
  for (int i = 0; i < 60000; ++i) open_labels += ":a[";
  std::string open_attrs;
  for (int i = 0; i < 60000; ++i) open_attrs += "){";
  std::string fences;
  for (int i = 0; i < 3000; ++i) fences += ":::panel{panelType=info}\n\n";
  for (int i = 0; i < 3000; ++i) fences += ":::\n\n";
  std::string nested_marks;
  for (int i = 0; i < 500; ++i) nested_marks += ":underline[";
  nested_marks += "x" + std::string(500, ']');
  const std::string cases[] = {"", "\n\n\n", " ", deep_list, deep_quote, deep_emphasis, brackets, huge, invalid_utf8,
                               std::string("nul\0byte", 8), "| a |\n|---|\n" + std::string(200, '|'), "```\nunterminated",
                               open_labels, open_attrs, fences, nested_marks, "\xEF\xB7\x90" "0\xEF\xB7\x91 forged",
                               ":status{color=7}\n\n:date[not a date]\n\n:::panel{panelType=nope}\n\nx\n\n:::\n",
                               "![x](media:){width=\"w\"}\n\n::embedCard{}\n\n:::table\n\n:::\n",
                               ":::expand{title=5}\n\n:::expand\n\ndeep\n\n:::\n\n:::\n"};
  for (const std::string& md : cases) {
    CAPTURE(md.substr(0, 40));
    Json adf;
    CHECK_NOTHROW(adf = markdown_to_adf(md));
    CHECK(adf_violations(adf) == "");
    CHECK_NOTHROW((void)adf.dump());  // invalid UTF-8 was replaced, so the JSON serializes
    std::string back;
    CHECK_NOTHROW(back = adf_to_markdown(adf));
    CHECK_NOTHROW(markdown_to_wiki(md));
  }
}

TEST_CASE("hostile wiki markup never crashes and yields schema-valid ADF") {
  std::string deep_list;
  for (int i = 1; i < 300; ++i) deep_list += std::string(static_cast<size_t>(i), '*') + " item\n";
  std::string nested_quotes;
  for (int i = 0; i < 500; ++i) nested_quotes += "{quote}{panel}";
  const std::string cases[] = {"", "{code}", "{noformat}\nopen", "||", "|", "[", "[|]", "[~]", "{{", "*_-+^~",
                               "h7. no", "h1.", "bq.", "----", "{color:red}x", "!!", "\\", "\\\\",
                               "bad \xC3\x28 \xFF", deep_list, nested_quotes, std::string(10000, '{'),
                               std::string(10000, '*') + " x", "{panel:title=A|bgColor=#fff}\n* a\n{panel}"};
  for (const std::string& wiki : cases) {
    CAPTURE(wiki.substr(0, 40));
    Json adf;
    CHECK_NOTHROW(adf = wiki_to_adf(wiki));
    CHECK(adf_violations(adf) == "");
    CHECK_NOTHROW((void)adf.dump());
    CHECK_NOTHROW(wiki_to_markdown(wiki));
  }
}
