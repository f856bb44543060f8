#include <doctest/doctest.h>

#include <string>

#include "content/content_test_support.hpp"
#include "jira_mcp/content/convert.hpp"

using jira_mcp::Json;
using jira_mcp::content::adf_to_markdown;
using jira_mcp::content::markdown_to_adf;

namespace {
std::string md_of(const char* content_json) {
  Json doc = {{"type", "doc"}, {"version", 1}, {"content", Json::parse(content_json)}};
  return adf_to_markdown(doc);
}
std::string md_inline(const char* inline_json) {
  Json doc = {{"type", "doc"},
              {"version", 1},
              {"content", Json::array({Json{{"type", "paragraph"}, {"content", Json::parse(inline_json)}}})}};
  return adf_to_markdown(doc);
}
}  // namespace

TEST_CASE("adf_to_markdown renders every block node") {
  CHECK(md_of(R"([{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Title #1"}]}])") == "## Title \\#1\n");
  CHECK(md_of(R"([{"type":"paragraph","content":[{"type":"text","text":"a"},{"type":"hardBreak"},{"type":"text","text":"b"}]}])") == "a\\\nb\n");
  // A line break that opens a paragraph is kept (found by the Atlaskit oracle); one that ends it
  // means nothing and goes.
  const char* leading = R"([{"type":"paragraph","content":[{"type":"hardBreak"},{"type":"text","text":"# b"},{"type":"hardBreak"}]}])";
  CHECK(md_of(leading) == "\\\n\\# b\n");
  CHECK(markdown_to_adf(md_of(leading))["content"][0]["content"] == Json::parse(R"([{"type":"hardBreak"},{"type":"text","text":"# b"}])"));
  CHECK(md_of(R"([{"type":"paragraph","content":[{"type":"hardBreak"}]}])") == "::paragraph\n");  // an empty paragraph
  CHECK(md_of(R"([{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"one"}]},{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"nested"}]}]}]}]}]}])") ==
        "- one\n  - nested\n");
  CHECK(md_of(R"([{"type":"orderedList","attrs":{"order":9},"content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"nine"}]}]},{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"ten"}]}]}]}])") ==
        "9. nine\n10. ten\n");
  CHECK(md_of(R"([{"type":"taskList","attrs":{"localId":"l"},"content":[{"type":"taskItem","attrs":{"localId":"a","state":"TODO"},"content":[{"type":"text","text":"open"}]},{"type":"taskItem","attrs":{"localId":"b","state":"DONE"},"content":[{"type":"text","text":"done"}]}]}])") ==
        "- [ ] open\n- [x] done\n");
  CHECK(md_of(R"([{"type":"decisionList","attrs":{"localId":"l"},"content":[{"type":"decisionItem","attrs":{"localId":"a","state":"DECIDED"},"content":[{"type":"text","text":"ship it"}]}]}])") ==
        ":::decisionList\n\n- ship it\n\n:::\n");
  CHECK(md_of(R"([{"type":"codeBlock","attrs":{"language":"python"},"content":[{"type":"text","text":"print(1)\n```"}]}])") ==
        "````python\nprint(1)\n```\n````\n");
  CHECK(md_of(R"([{"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"q1"}]},{"type":"paragraph","content":[{"type":"text","text":"q2"}]}]}])") ==
        "> q1\n>\n> q2\n");
  CHECK(md_of(R"([{"type":"rule"}])") == "---\n");
  CHECK(md_of(R"([{"type":"panel","attrs":{"panelType":"warning"},"content":[{"type":"paragraph","content":[{"type":"text","text":"careful"}]}]}])") ==
        ":::panel{panelType=warning}\n\ncareful\n\n:::\n");
  CHECK(md_of(R"([{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"H"}]}]},{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"I"}]}]}]},{"type":"tableRow","content":[{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"a|b"}]}]}]}]}])") ==
        ":::::table\n\n::::tableRow\n\n:::tableHeader\n\nH\n\n:::\n\n:::tableHeader\n\nI\n\n:::\n\n::::\n\n::::tableRow\n\n:::tableCell\n\na|b\n\n:::\n\n::::\n\n:::::\n");
  CHECK(md_of(R"([{"type":"mediaSingle","attrs":{"layout":"center"},"content":[{"type":"media","attrs":{"type":"file","id":"abc","collection":"c","alt":"screenshot.png"}},{"type":"caption","content":[{"type":"text","text":"Figure 1"}]}]}])") ==
        "::::mediaSingle{layout=center}\n\n![screenshot.png](media:abc){collection=c}\n\n:::caption\n\nFigure 1\n\n:::\n\n::::\n");
  CHECK(md_of(R"([{"type":"mediaGroup","content":[{"type":"media","attrs":{"type":"file","id":"f1","collection":"c"}},{"type":"media","attrs":{"type":"external","url":"https://x.test/i.png"}}]}])") ==
        ":::mediaGroup\n\n![](media:f1){collection=c}\n\n![](https://x.test/i.png)\n\n:::\n");
  CHECK(md_of(R"([{"type":"expand","attrs":{"title":"Details"},"content":[{"type":"paragraph","content":[{"type":"text","text":"hidden"}]}]}])") ==
        ":::expand{title=Details}\n\nhidden\n\n:::\n");
  CHECK(md_of(R"([{"type":"nestedExpand","attrs":{"title":""},"content":[{"type":"paragraph","content":[{"type":"text","text":"inner"}]}]}])") == ":::nestedExpand{title=\"\"}\n\ninner\n\n:::\n");
  CHECK(md_of(R"([{"type":"layoutSection","content":[{"type":"layoutColumn","attrs":{"width":50},"content":[{"type":"paragraph","content":[{"type":"text","text":"left"}]}]},{"type":"layoutColumn","attrs":{"width":50},"content":[{"type":"paragraph","content":[{"type":"text","text":"right"}]}]}]}])") ==
        "::::layoutSection\n\n:::layoutColumn{width=50}\n\nleft\n\n:::\n\n:::layoutColumn{width=50}\n\nright\n\n:::\n\n::::\n");
  CHECK(md_of(R"([{"type":"extension","attrs":{"extensionType":"x","extensionKey":"k","text":"macro text"}}])") == "::extension{extensionKey=k extensionType=x text=\"macro text\"}\n");
  CHECK(md_of(R"([{"type":"bodiedExtension","attrs":{"extensionType":"x","extensionKey":"k"},"content":[{"type":"paragraph","content":[{"type":"text","text":"body"}]}]}])") == ":::bodiedExtension{extensionKey=k extensionType=x}\n\nbody\n\n:::\n");
  CHECK(md_of(R"([{"type":"multiBodiedExtension","attrs":{},"content":[{"type":"extensionFrame","content":[{"type":"paragraph","content":[{"type":"text","text":"frame"}]}]}]}])") == "frame\n");
  CHECK(md_of(R"([{"type":"blockCard","attrs":{"url":"https://x.test/card"}}])") == "::blockCard{url=https://x.test/card}\n");
  CHECK(md_of(R"([{"type":"embedCard","attrs":{"url":"https://x.test/embed","layout":"wide"}}])") == "::embedCard{layout=wide url=https://x.test/embed}\n");
}

TEST_CASE("adf_to_markdown renders every inline node") {
  CHECK(md_inline(R"([{"type":"mention","attrs":{"id":"abc:123","text":"@Ana [QA]"}}])") == "@[Ana \\[QA\\]](accountid:abc:123)\n");
  CHECK(md_inline(R"([{"type":"mention","attrs":{"id":"abc"}}])") == "@[abc](accountid:abc){text=null}\n");
  CHECK(md_inline(R"([{"type":"emoji","attrs":{"shortName":":smile:","text":"😄"}}])") == ":emoji[:smile:]{text=\"😄\"}\n");
  CHECK(md_inline(R"([{"type":"emoji","attrs":{"shortName":":thumbs_up:"}}])") == ":emoji[:thumbs_up:]\n");
  CHECK(md_inline(R"([{"type":"date","attrs":{"timestamp":"1710374400000"}}])") == ":date[2024-03-14]\n");
  CHECK(md_inline(R"([{"type":"date","attrs":{"timestamp":0}}])") == ":date[1970-01-01]{timestamp=0}\n");
  CHECK(md_inline(R"([{"type":"status","attrs":{"text":"IN PROGRESS","color":"blue"}}])") == ":status[IN PROGRESS]{color=blue}\n");
  CHECK(md_inline(R"([{"type":"inlineCard","attrs":{"url":"https://x.test/browse/P-1"}}])") == ":inlineCard{url=https://x.test/browse/P-1}\n");
  CHECK(md_inline(R"([{"type":"placeholder","attrs":{"text":"Type here"}}])") == ":placeholder[Type here]\n");
  CHECK(md_inline(R"([{"type":"mediaInline","attrs":{"type":"file","id":"m1","collection":"c","alt":"log.txt"}}])") == ":mediaInline[log.txt]{collection=c id=m1 type=file}\n");
  CHECK(md_inline(R"([{"type":"inlineExtension","attrs":{"extensionType":"x","extensionKey":"k","text":"inline ext"}}])") == ":inlineExtension{extensionKey=k extensionType=x text=\"inline ext\"}\n");
}

TEST_CASE("adf_to_markdown renders every mark") {
  CHECK(md_inline(R"([{"type":"text","text":"s","marks":[{"type":"strong"}]}])") == "**s**\n");
  CHECK(md_inline(R"([{"type":"text","text":"e","marks":[{"type":"em"}]}])") == "*e*\n");
  CHECK(md_inline(R"([{"type":"text","text":"x","marks":[{"type":"strike"}]}])") == "~~x~~\n");
  CHECK(md_inline(R"([{"type":"text","text":"a`b","marks":[{"type":"code"}]}])") == "``a`b``\n");
  CHECK(md_inline(R"J([{"type":"text","text":"docs","marks":[{"type":"link","attrs":{"href":"https://x.test/a b(c)"}}]}])J") ==
        "[docs](<https://x.test/a b(c)>)\n");
  // Marks Markdown has no syntax for are inline directives, which parse back to the same marks.
  CHECK(md_inline(R"([{"type":"text","text":"u","marks":[{"type":"underline"}]}])") == ":underline[u]\n");
  CHECK(md_inline(R"([{"type":"text","text":"2","marks":[{"type":"subsup","attrs":{"type":"sub"}}]}])") == ":subsup[2]{type=sub}\n");
  CHECK(md_inline(R"([{"type":"text","text":"red","marks":[{"type":"textColor","attrs":{"color":"#ff0000"}}]}])") ==
        ":textColor[red]{color=#ff0000}\n");
  CHECK(md_inline(R"([{"type":"text","text":"c","marks":[{"type":"annotation","attrs":{"id":"a","annotationType":"inlineComment"}}]}])") ==
        ":annotation[c]{annotationType=inlineComment id=a}\n");
  // Marks that mean nothing on text (block marks, editor state) keep their text.
  for (const char* mark : {R"({"type":"alignment","attrs":{"align":"center"}})", R"({"type":"indentation","attrs":{"level":1}})",
                           R"({"type":"breakout","attrs":{"mode":"wide"}})", R"({"type":"border","attrs":{"size":1,"color":"#000"}})",
                           R"({"type":"dataConsumer","attrs":{"sources":["x"]}})", R"({"type":"fragment","attrs":{"localId":"f"}})"}) {
    CAPTURE(mark);
    const std::string content = std::string(R"([{"type":"text","text":"kept","marks":[)") + mark + "]}]";
    CHECK(md_inline(content.c_str()) == "kept\n");
  }
}

TEST_CASE("adf_to_markdown output parses back to the same nodes where Markdown can express them") {
  const char* blocks = R"([
    {"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"Plan"}]},
    {"type":"paragraph","content":[{"type":"text","text":"Owner: "},{"type":"mention","attrs":{"id":"u1","text":"@Kim"}},{"type":"text","text":" see "},{"type":"text","text":"PROJ-1","marks":[{"type":"link","attrs":{"href":"https://x.test/browse/PROJ-1"}}]}]},
    {"type":"taskList","attrs":{"localId":"task-list-1"},"content":[
      {"type":"taskItem","attrs":{"localId":"task-1","state":"TODO"},"content":[{"type":"text","text":"write"}]},
      {"type":"taskList","attrs":{"localId":"task-list-2"},"content":[{"type":"taskItem","attrs":{"localId":"task-2","state":"DONE"},"content":[{"type":"text","text":"sub"}]}]}]},
    {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]}]}]},
    {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]},
    {"type":"codeBlock","attrs":{"language":"js"},"content":[{"type":"text","text":"x = 1"}]}
  ])";
  const Json doc = {{"type", "doc"}, {"version", 1}, {"content", Json::parse(blocks)}};
  CHECK(markdown_to_adf(adf_to_markdown(doc)) == doc);
}

TEST_CASE("adf_to_markdown accepts a single node or an array as well as a doc") {
  CHECK(adf_to_markdown(Json::parse(R"({"type":"paragraph","content":[{"type":"text","text":"p"}]})")) == "p\n");
  CHECK(adf_to_markdown(Json::parse(R"([{"type":"rule"}])")) == "---\n");
}
