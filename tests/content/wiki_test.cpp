#include <doctest/doctest.h>

#include <string>

#include "content/content_test_support.hpp"
#include "jira_mcp/content/convert.hpp"

using jira_mcp::Json;
using namespace jira_mcp::content;
using content_test::adf_violations;
using content_test::nodes_of;

namespace {
std::string via_wiki(const std::string& md) { return wiki_to_markdown(markdown_to_wiki(md)); }
}  // namespace

TEST_CASE("corpus: Markdown -> wiki -> Markdown is stable after one pass") {
  for (const auto& [name, md] : content_test::corpus()) {
    CAPTURE(name);
    const std::string md1 = via_wiki(md);
    CAPTURE(md1);
    CHECK(via_wiki(md1) == md1);
    CHECK(markdown_to_wiki(md1) == markdown_to_wiki(via_wiki(md1)));
    CHECK(adf_violations(wiki_to_adf(markdown_to_wiki(md))) == "");
    // Structure survives the trip through wiki markup.
    const Json direct = markdown_to_adf(md);
    const Json through = markdown_to_adf(md1);
    for (const char* type : {"heading", "codeBlock", "table", "taskItem", "mention", "blockquote", "rule"}) {
      CAPTURE(type);
      CHECK(nodes_of(through, type).size() == nodes_of(direct, type).size());
    }
  }
}

TEST_CASE("markdown_to_wiki writes Jira wiki markup") {
  CHECK(markdown_to_wiki("# One\n\n###### Six\n") == "h1. One\n\nh6. Six\n");
  CHECK(markdown_to_wiki("**b** *i* ~~s~~ `c` [t](https://x.test) <https://y.test>\n") ==
        "*b* _i_ -s- {{c}} [t|https://x.test] https://y.test\n");  // Jira links a bare URL itself
  CHECK(markdown_to_wiki("- a\n  - b\n    1. c\n- d\n") == "* a\n** b\n**# c\n* d\n");
  CHECK(markdown_to_wiki("```sql\nSELECT 1;\n```\n\n```\nplain\n```\n") == "{code:sql}\nSELECT 1;\n{code}\n\n{code}\nplain\n{code}\n");  // code stays code
  CHECK(markdown_to_wiki("> quoted\n") == "bq. quoted\n");
  CHECK(markdown_to_wiki("> one\n>\n> two\n") == "{quote}\none\n\ntwo\n{quote}\n");
  CHECK(markdown_to_wiki("| h | i |\n|---|---|\n| 1 | 2 |\n") == "||h||i||\n|1|2|\n");
  CHECK(markdown_to_wiki("---\n") == "----\n");
  CHECK(markdown_to_wiki("a\\\nb\n") == "a\nb\n");
  CHECK(markdown_to_wiki("hi @[Jo](accountid:abc-1)\n") == "hi [~accountid:abc-1]\n");
  CHECK(markdown_to_wiki("- [ ] todo\n- [x] done\n") == "* [ ] todo\n* [x] done\n");
  CHECK(markdown_to_wiki("2 * 3 {x} [y] a|b snake_case -5 e-mail\n") == "2 * 3 \\{x\\} \\[y\\] a\\|b snake_case \\-5 e-mail\n");
  CHECK(markdown_to_wiki("\\- not a list\n\nh1\\. not a heading\n") == "\\- not a list\n\nh1\\. not a heading\n");
}

TEST_CASE("wiki_to_markdown reads Jira wiki markup") {
  CHECK(wiki_to_markdown("h2. Title\n\nSome *bold* and _em_ and -gone- and +under+ and {{code}} text.\n") ==
        "## Title\n\nSome **bold** and *em* and ~~gone~~ and :underline[under] and `code` text.\n");
  CHECK(wiki_to_markdown("[Docs|https://x.test/docs] and [https://y.test] and [~jsmith] and [~accountid:5b10]\n") ==
        "[Docs](https://x.test/docs) and <https://y.test> and @[jsmith](user:jsmith) and @[5b10](accountid:5b10)\n");
  CHECK(wiki_to_markdown("* one\n** nested\n*# numbered\n* two\n# first\n# second\n") ==
        "- one\n  - nested\n\n  1. numbered\n- two\n\n1. first\n2. second\n");
  CHECK(wiki_to_markdown("- dash item\n") == "- dash item\n");
  CHECK(wiki_to_markdown("{code:language=python|title=x.py}\nprint('hi')\n{code}\n") == "```python {title=x.py}\nprint('hi')\n```\n");
  CHECK(wiki_to_markdown("{noformat}\n*not bold*\n{noformat}\n") == "```{noformat=true}\n*not bold*\n```\n");
  CHECK(wiki_to_markdown("bq. a quote\n") == "> a quote\n");
  CHECK(wiki_to_markdown("{quote}\nline one\nline two\n{quote}\n") == "> line one\\\n> line two\n");
  CHECK(wiki_to_markdown("{panel:title=Heads up|borderStyle=dashed}\nCareful.\n{panel}\n") ==
        ":::panel{borderStyle=dashed panelType=custom title=\"Heads up\"}\n\nCareful.\n\n:::\n");
  CHECK(wiki_to_markdown("||Key||Value||\n|a|[link|https://x.test]|\n|b|{{x|y}}|\n") ==
        "| Key | Value |\n| --- | --- |\n| a | [link](https://x.test) |\n| b | `x\\|y` |\n");
  CHECK(wiki_to_markdown("----\n") == "---\n");
  CHECK(wiki_to_markdown("first\\\\second\nthird\n") == "first\\\nsecond\\\nthird\n");
  CHECK(wiki_to_markdown("{color:red}red text{color} stays\n") == "red text stays\n");
  CHECK(wiki_to_markdown("* [ ] open\n* [x] closed\n") == "- [ ] open\n- [x] closed\n");
  CHECK(wiki_to_markdown("!screenshot.png|thumbnail!\n") == "![](screenshot.png){thumbnail=true}\n");
  CHECK(wiki_to_markdown("a \\*literal\\* star, e-mail, 3 - 2, snake_case\n") == "a \\*literal\\* star, e-mail, 3 - 2, snake_case\n");
}

TEST_CASE("wiki_to_adf produces schema-valid ADF for nesting wiki allows and ADF does not") {
  const char* cases[] = {
      "{quote}\nh1. heading in a quote\n||a||b||\n----\n{quote}\n",
      "{panel}\n* [ ] task in a panel\n{panel}\n",
      "* item\n{code}\nx\n{code}\n",
      "h1. *bold heading* with [link|https://x.test]\n",
  };
  for (const char* wiki : cases) {
    CAPTURE(wiki);
    CHECK(adf_violations(wiki_to_adf(wiki)) == "");
  }
}

TEST_CASE("ADF -> wiki for nodes wiki has no syntax for") {
  const Json doc = Json::parse(R"({"type":"doc","version":1,"content":[
    {"type":"panel","attrs":{"panelType":"info"},"content":[{"type":"paragraph","content":[{"type":"text","text":"note"}]}]},
    {"type":"paragraph","content":[{"type":"status","attrs":{"text":"DONE"}},{"type":"text","text":" on "},{"type":"date","attrs":{"timestamp":"1710374400000"}},{"type":"text","text":" "},{"type":"emoji","attrs":{"shortName":":tada:"}}]},
    {"type":"decisionList","attrs":{"localId":"d"},"content":[{"type":"decisionItem","attrs":{"localId":"i","state":"DECIDED"},"content":[{"type":"text","text":"go"}]}]},
    {"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"underline"}]},{"type":"text","text":"2","marks":[{"type":"subsup","attrs":{"type":"sup"}}]}]}
  ]})");
  CHECK(adf_to_wiki(doc) == "{info}\nnote\n{info}\n\nDONE on 2024-03-14 :tada:\n\n* Decision: go\n\n+x+^2^\n");
}
