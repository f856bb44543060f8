// Fuzz harness: the Markdown / wiki markup / ADF converters, on text and on arbitrary JSON.
//
// Contract checked: no exception escapes; what comes out of valid UTF-8 is valid UTF-8 (a
// converter that cuts a character in half would make the reply unserializable); every ADF
// produced serializes; arbitrary JSON read as ADF (Jira's, or a broken one) never fails.
#include "fuzz/harness.hpp"
#include "jira_mcp/content/convert.hpp"

using namespace jira_mcp;

namespace {

bool valid_utf8(std::string_view s) {
  Json probe = s;  // nlohmann checks UTF-8 when it serializes a string strictly
  try {
    (void)probe.dump();
    return true;
  } catch (const Json::exception&) {
    return false;
  }
}

std::string utf8_only(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += c < 0x80 ? static_cast<char>(c) : '?';
  return out;
}

void check_text(const std::string& produced, const char* what, const std::string& input) {
  if (!valid_utf8(produced)) jira_mcp::fuzz::fail(what, input);
}

void check_adf(const Json& adf, const char* what, const std::string& input) {
  try {
    (void)adf.dump();
  } catch (const Json::exception&) {
    jira_mcp::fuzz::fail(what, input);
  }
}

}  // namespace

namespace jira_mcp::fuzz {
std::vector<std::string> seeds() {
  return {
      "# Title\n\nSome *em* and **strong** and `code` and ~~gone~~, a [link](https://x.example/a?b=c).\n\n- a\n- b\n  - c\n\n1. one\n2. two\n",
      "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n> more\n\n```cpp\nint main() {}\n```\n\n---\n\n- [ ] task\n- [x] done\n",
      "h1. Title\n\n*bold* _it_ {{mono}} [link|https://x.example] !image.png|thumbnail!\n\n||h1||h2||\n|c1|c2|\n\n{code:java}\nclass A {}\n{code}\n{quote}q{quote}\n{panel:title=T}p{panel}\n# n1\n## n2\n* b1\n** b2\n{color:red}red{color} [~accountid:123] :)\n",
      R"J({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi","marks":[{"type":"strong"},{"type":"link","attrs":{"href":"https://x"}}]},{"type":"mention","attrs":{"id":"1","text":"@A"}},{"type":"emoji","attrs":{"shortName":":smile:","text":"😄"}},{"type":"hardBreak"}]},{"type":"panel","attrs":{"panelType":"info"},"content":[{"type":"paragraph","content":[{"type":"text","text":"p"}]}]},{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"h"}]}]}]}]},{"type":"codeBlock","attrs":{"language":"js"},"content":[{"type":"text","text":"x()"}]},{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"i"}]}]}]},{"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"m","type":"file","collection":"c"}}]},{"type":"expand","attrs":{"title":"t"},"content":[]},{"type":"status","attrs":{"text":"DONE","color":"green"}},{"type":"inlineCard","attrs":{"url":"https://x"}},{"type":"date","attrs":{"timestamp":"1700000000000"}},{"type":"rule"},{"type":"heading","attrs":{"level":7},"content":null}]})J",
      R"({"type":"doc","content":[{"type":"text","text":null},{"type":"paragraph","content":{"not":"an array"}},{"type":5},{"content":[[]]},null,"text"]})",
      "plain text with unicode é 😀 \xe2\x80\xae and <html> & entities &amp;",
  };
}
}  // namespace jira_mcp::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string raw(reinterpret_cast<const char*>(data), size);
  // Text reaching the converters came out of a JSON string, so it is valid UTF-8.
  const std::string text = valid_utf8(raw) ? raw : utf8_only(raw);
  try {
    Json adf = content::markdown_to_adf(text);
    check_adf(adf, "markdown_to_adf made ADF that does not serialize", raw);
    check_text(content::adf_to_markdown(adf), "adf_to_markdown(markdown_to_adf(x)) is not UTF-8", raw);
    check_text(content::adf_to_wiki(adf), "adf_to_wiki(markdown_to_adf(x)) is not UTF-8", raw);
    check_text(content::markdown_to_wiki(text), "markdown_to_wiki is not UTF-8", raw);
    check_text(content::wiki_to_markdown(text), "wiki_to_markdown is not UTF-8", raw);
    Json from_wiki = content::wiki_to_adf(text);
    check_adf(from_wiki, "wiki_to_adf made ADF that does not serialize", raw);
    // The input as a Jira document: any JSON at all must render.
    Json doc = Json::parse(raw, nullptr, false);
    if (!doc.is_discarded()) {
      check_text(content::adf_to_markdown(doc), "adf_to_markdown(any JSON) is not UTF-8", raw);
      check_text(content::adf_to_wiki(doc), "adf_to_wiki(any JSON) is not UTF-8", raw);
    }
  } catch (const std::exception& e) {
    jira_mcp::fuzz::fail((std::string("a converter threw: ") + e.what()).c_str(), raw);
  }
  return 0;
}
