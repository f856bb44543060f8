#include <doctest/doctest.h>

#include <set>
#include <string>

#include "content/content_test_support.hpp"
#include "jira_mcp/content/convert.hpp"

using jira_mcp::Json;
using jira_mcp::content::adf_to_markdown;
using jira_mcp::content::markdown_to_adf;
using content_test::adf_violations;
using content_test::nodes_of;

namespace {
std::string round_trip(const std::string& md) { return adf_to_markdown(markdown_to_adf(md)); }

const Json& first(const Json& doc, const std::string& type) {
  static const Json kNull;
  static thread_local std::vector<Json> found;
  found = nodes_of(doc, type);
  return found.empty() ? kNull : found.front();
}
}  // namespace

TEST_CASE("corpus: Markdown -> ADF -> Markdown is stable after one pass and every ADF is schema-valid") {
  const auto docs = content_test::corpus();
  REQUIRE(docs.size() >= 4);
  for (const auto& [name, md] : docs) {
    CAPTURE(name);
    const Json adf = markdown_to_adf(md);
    CHECK(adf_violations(adf) == "");
    const std::string md1 = adf_to_markdown(adf);
    const Json adf1 = markdown_to_adf(md1);
    CHECK(adf1 == adf);  // the Markdown we write means exactly what the model wrote
    CHECK(adf_to_markdown(adf1) == md1);
  }
}

TEST_CASE("corpus: the converted documents keep their structure") {
  const auto docs = content_test::corpus();
  for (const auto& [name, md] : docs) {
    CAPTURE(name);
    const Json adf = markdown_to_adf(md);
    CHECK(adf["type"] == "doc");
    CHECK(adf["version"] == 1);
    CHECK(!nodes_of(adf, "heading").empty());
    if (name == "bug_report.md") {
      CHECK(nodes_of(adf, "table").size() == 1);
      CHECK(nodes_of(adf, "tableHeader").size() == 2);
      CHECK(first(adf, "codeBlock")["attrs"]["language"] == "java");
      CHECK(nodes_of(adf, "mention").size() == 1);
      CHECK(nodes_of(adf, "orderedList").size() == 1);
    }
    if (name == "meeting_notes.md") {
      CHECK(nodes_of(adf, "taskList").size() == 2);
      const auto items = nodes_of(adf, "taskItem");
      REQUIRE(items.size() == 5);
      std::set<std::string> ids;
      for (const Json& item : items) ids.insert(item["attrs"]["localId"].get<std::string>());
      CHECK(ids.size() == 5);
      CHECK(items[1]["attrs"]["state"] == "DONE");
      CHECK(nodes_of(adf, "mention").size() == 4);
    }
    if (name == "release_notes.md") {
      CHECK(first(adf, "orderedList")["attrs"]["order"] == 3);
      CHECK(nodes_of(adf, "bulletList").size() == 3);
      CHECK(nodes_of(adf, "blockquote").size() == 1);
    }
    if (name == "runbook.md") {
      CHECK(nodes_of(adf, "codeBlock").size() == 3);
      CHECK(nodes_of(adf, "rule").size() == 1);
    }
  }
}

TEST_CASE("markdown_to_adf maps inline marks") {
  const Json adf = markdown_to_adf("**b** *e* ~~s~~ `c` [l](https://x.test \"T\")\n");
  const Json& content = adf["content"][0]["content"];
  CHECK(content[0] == Json::parse(R"({"type":"text","text":"b","marks":[{"type":"strong"}]})"));
  CHECK(content[2] == Json::parse(R"({"type":"text","text":"e","marks":[{"type":"em"}]})"));
  CHECK(content[4] == Json::parse(R"({"type":"text","text":"s","marks":[{"type":"strike"}]})"));
  CHECK(content[6] == Json::parse(R"({"type":"text","text":"c","marks":[{"type":"code"}]})"));
  CHECK(content[8] == Json::parse(R"({"type":"text","text":"l","marks":[{"type":"link","attrs":{"href":"https://x.test","title":"T"}}]})"));
}

TEST_CASE("markdown_to_adf: mentions use @[Name](accountid:ID)") {
  const Json adf = markdown_to_adf("ping @[Jane Doe](accountid:5b10ac) now\n");
  const Json& content = adf["content"][0]["content"];
  REQUIRE(content.size() == 3);
  CHECK(content[0]["text"] == "ping ");
  CHECK(content[1] == Json::parse(R"({"type":"mention","attrs":{"id":"5b10ac","text":"@Jane Doe"}})"));
  CHECK(content[2]["text"] == " now");
  CHECK(adf_to_markdown(adf) == "ping @[Jane Doe](accountid:5b10ac) now\n");
}

TEST_CASE("markdown_to_adf: blocks") {
  SUBCASE("headings keep their level") {
    const Json adf = markdown_to_adf("### Three\n\n###### Six\n");
    CHECK(adf["content"][0]["attrs"]["level"] == 3);
    CHECK(adf["content"][1]["attrs"]["level"] == 6);
  }
  SUBCASE("hard breaks and soft breaks") {
    const Json adf = markdown_to_adf("a\\\nb\nc\n");
    CHECK(adf["content"][0]["content"] ==
          Json::parse(R"([{"type":"text","text":"a"},{"type":"hardBreak"},{"type":"text","text":"b c"}])"));
  }
  SUBCASE("code block without language has no attrs, empty code block no text") {
    const Json adf = markdown_to_adf("```\nx\n```\n\n```\n```\n");
    CHECK(adf["content"][0] == Json::parse(R"({"type":"codeBlock","content":[{"type":"text","text":"x"}]})"));
    CHECK(adf["content"][1] == Json::parse(R"({"type":"codeBlock","content":[]})"));
  }
  SUBCASE("code marks drop emphasis (the schema allows code only with link)") {
    const Json adf = markdown_to_adf("**`x`**\n");
    CHECK(adf["content"][0]["content"][0] == Json::parse(R"({"type":"text","text":"x","marks":[{"type":"code"}]})"));
  }
  SUBCASE("images are images: an external media node, not a link") {
    const Json adf = markdown_to_adf("![diagram](https://x.test/a.png)\n");
    CHECK(adf["content"][0] ==
          Json::parse(R"({"type":"mediaSingle","attrs":{"layout":"center"},"content":[{"type":"media","attrs":{"type":"external","url":"https://x.test/a.png","alt":"diagram"}}]})"));
    CHECK(adf_violations(adf) == "");
  }
  SUBCASE("a mixed list keeps its checkboxes as text") {
    const Json adf = markdown_to_adf("- [ ] task\n- plain\n");
    CHECK(adf["content"][0]["type"] == "bulletList");
    CHECK(adf["content"][0]["content"][0]["content"][0]["content"][0]["text"] == "[ ] task");
    CHECK(round_trip(round_trip("- [ ] task\n- plain\n")) == round_trip("- [ ] task\n- plain\n"));
  }
}

TEST_CASE("markdown_to_adf makes nesting the schema forbids valid") {
  const char* cases[] = {
      "- # heading in a list\n",
      "> # heading in a quote\n>\n> > nested quote\n",
      "> | a | b |\n> |---|---|\n> | 1 | 2 |\n",
      "- | a | b |\n  |---|---|\n  | 1 | 2 |\n",
      "> - [ ] task in a quote\n>   - [x] nested\n",
      "> ---\n",
      "- > quote in a list\n  > - with a list\n",
      "- [ ] task with code\n\n  ```\n  x\n  ```\n  - plain nested\n",
      "- - - deep\n",
      "-\n  - item without text\n",
      "| a |\n|---|\n|  |\n",
      "<div>\nhtml block\n</div>\n",
      "> \n",
      "1. a\n\n   # h\n",
      "[x]: https://ref.test\n\n[ref][x] and [x]\n",
      "- [ ] \n",
  };
  for (const char* md : cases) {
    CAPTURE(md);
    const Json adf = markdown_to_adf(md);
    CHECK(adf_violations(adf) == "");
    const std::string md1 = adf_to_markdown(adf);
    CHECK(adf_violations(markdown_to_adf(md1)) == "");
    CHECK(round_trip(md1) == md1);
  }
}

TEST_CASE("Markdown-special text survives Markdown -> ADF -> Markdown -> ADF") {
  const char* texts[] = {
      "2 * 3 * 4", "snake_case_name and _leading", "[not a link](really)", "a] b[ c", "<b>not html</b>",
      "AT&T &amp; &#35;", "`tick` and ``double``", "back\\slash\\", "~tilde~ ~~two~~", "1. not a list",
      "# not a heading", "- not a bullet", "+ nor this", "> not a quote", "=== not setext", "|pipe|",
      "![not image](x)", "@[not a mention](accountid:", "trailing #", "***", "_*_", "**",
      "http://autolinked.test/a_b", "www.example.com", "mail me: a@b.test", "[ ] not a task",
  };
  for (const char* text : texts) {
    CAPTURE(text);
    Json adf = Json::parse(R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[]}]})");
    adf["content"][0]["content"].push_back(Json{{"type", "text"}, {"text", text}});
    const std::string md = adf_to_markdown(adf);
    const Json back = markdown_to_adf(md);
    const std::string plain = jira_mcp::Json(back["content"][0]["content"]).dump();
    CAPTURE(md);
    CAPTURE(plain);
    // The text comes back character for character (links may be added by GFM autolinking).
    std::string joined;
    for (const Json& node : back["content"][0]["content"]) joined += node.value("text", "");
    CHECK(joined == text);
    // GFM autolinking may turn a bare URL into a link once; after that the Markdown is fixed.
    CHECK(round_trip(round_trip(md)) == round_trip(md));
  }
}

TEST_CASE("marks on neighbouring text nodes nest instead of colliding") {
  const char* docs[] = {
      R"([{"type":"text","text":"a","marks":[{"type":"strong"}]},{"type":"text","text":"b","marks":[{"type":"strong"},{"type":"em"}]},{"type":"text","text":"c","marks":[{"type":"em"}]}])",
      R"([{"type":"text","text":"bold ","marks":[{"type":"strong"}]},{"type":"text","text":"link","marks":[{"type":"strong"},{"type":"link","attrs":{"href":"https://x.test"}}]},{"type":"text","text":" more","marks":[{"type":"link","attrs":{"href":"https://x.test"}}]}])",
      R"([{"type":"text","text":"x","marks":[{"type":"strike"}]},{"type":"text","text":" "},{"type":"text","text":"y ","marks":[{"type":"em"}]},{"type":"text","text":"z","marks":[{"type":"em"},{"type":"strike"}]}])",
      R"([{"type":"text","text":"a","marks":[{"type":"em"}]},{"type":"text","text":"b","marks":[{"type":"em"},{"type":"strong"}]},{"type":"text","text":"c","marks":[{"type":"strong"}]},{"type":"text","text":"d","marks":[{"type":"em"}]}])",
      R"([{"type":"text","text":"code","marks":[{"type":"link","attrs":{"href":"https://x.test"}},{"type":"code"}]},{"type":"text","text":" tail","marks":[{"type":"link","attrs":{"href":"https://x.test"}}]}])",
  };
  for (const char* content : docs) {
    CAPTURE(content);
    Json adf = Json{{"type", "doc"}, {"version", 1}, {"content", Json::array({Json{{"type", "paragraph"}, {"content", Json::parse(content)}}})}};
    const std::string md = adf_to_markdown(adf);
    CAPTURE(md);
    // Marks come back in Atlassian's schema order (link, em, strong, ...), the order Jira stores.
    CHECK(markdown_to_adf(md) == jira_mcp::content::normalize_adf(adf));
  }
  // Whitespace at the edge of emphasis moves outside the delimiters ("** b**" is not bold).
  const Json spaced = Json::parse(R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"a"},{"type":"text","text":" b ","marks":[{"type":"strong"}]},{"type":"text","text":"c"}]}]})");
  CHECK(adf_to_markdown(spaced) == "a **b** c\n");
}

TEST_CASE("markdown_to_adf is deterministic and pure") {
  const std::string md = "- [ ] a\n- [ ] b\n";
  CHECK(markdown_to_adf(md) == markdown_to_adf(md));
  CHECK(markdown_to_adf("")["content"] == Json::array());
  CHECK(adf_to_markdown(markdown_to_adf("")) == "");
}

TEST_CASE("hand-written Markdown Atlassian's validator would refuse is made valid") {
  // Found by validating random Markdown through the Atlaskit oracle's validator.
  const Json card = jira_mcp::content::markdown_to_adf(":inlineCard{url=\"x\"} and :inlineCard{url=\"https://ok.test\"}\n");
  CHECK(content_test::adf_violations(card) == "");
  CHECK(content_test::nodes_of(card, "inlineCard").size() == 1);  // the card to "x" is its text
  // A decision holds inline content only: an image or quote inside one is its text.
  const Json decision = jira_mcp::content::markdown_to_adf(":::decisionList\n1. > quoted *i*\n2. ![](media:abc)\n:::\n");
  CHECK(content_test::adf_violations(decision) == "");
  CHECK(content_test::nodes_of(decision, "decisionItem").size() == 2);
  CHECK(content_test::nodes_of(decision, "media").empty());
}
