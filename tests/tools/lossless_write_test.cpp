// Read, then write back: the Markdown jira_get_issue returns, given unchanged to
// jira_update_issue, leaves Jira's document as it was (Cloud ADF with panels, media, status,
// dates, mentions, emoji, cards, colour; Data Center wiki with images, user-name mentions and
// panels). A document holding what Markdown cannot carry is not overwritten unless the caller
// says accept_loss, and the refusal names what would be lost.
#include <doctest/doctest.h>

#include "jira_mcp/content/convert.hpp"
#include "jira/test_servers.hpp"
#include "tools/stack.hpp"

namespace jira_mcp::testing {
namespace {

std::string api(const Stack& s) { return s.cloud() ? "/rest/api/3" : "/rest/api/2"; }

Json description_of(Stack& s, const std::string& key) {
  auto r = s.client->get(api(s) + "/issue/" + key, {{"fields", "description"}});
  REQUIRE_MESSAGE(r.ok(), key);
  auto j = r->json();
  REQUIRE(j.ok());
  return (*j)["fields"]["description"];
}

// A Cloud description as Jira's editor stores it, with every node Markdown alone cannot say.
Json rich_cloud_document() {
  return Json::parse(R"J({"type":"doc","version":1,"content":[
    {"type":"panel","attrs":{"panelType":"warning"},"content":[
      {"type":"paragraph","content":[{"type":"text","text":"Checkout fails for "},
        {"type":"mention","attrs":{"id":"5b10a2844c20165700ede21g","text":"@Alice Example"}},
        {"type":"text","text":" since "},{"type":"date","attrs":{"timestamp":"1767225600000"}}]}]},
    {"type":"paragraph","content":[{"type":"status","attrs":{"text":"IN REVIEW","color":"blue"}},
      {"type":"text","text":" "},{"type":"emoji","attrs":{"shortName":":warning:","id":"atlassian-warning","text":":warning:"}},
      {"type":"text","text":" see "},{"type":"inlineCard","attrs":{"url":"https://example.com/a?q=a+b&page=2"}},
      {"type":"text","text":" and "},
      {"type":"text","text":"red","marks":[{"type":"textColor","attrs":{"color":"#ff5630"}}]},
      {"type":"text","text":" "},{"type":"text","text":"under","marks":[{"type":"underline"}]}]},
    {"type":"mediaSingle","attrs":{"layout":"center"},"content":[
      {"type":"media","attrs":{"id":"6e7c7f2c-1c7a-4b8e-9a55-1f2d3c4b5a69","type":"file","collection":"","width":1280,"height":720,"alt":"screenshot.png"}}]},
    {"type":"expand","attrs":{"title":"Stack trace"},"content":[
      {"type":"codeBlock","attrs":{"language":"java"},"content":[{"type":"text","text":"at Checkout.pay(Checkout.java:42)"}]}]},
    {"type":"decisionList","attrs":{"localId":"d1"},"content":[
      {"type":"decisionItem","attrs":{"localId":"d2","state":"DECIDED"},"content":[{"type":"text","text":"Ship the fix in 2.1"}]}]}
  ]})J");
}

}  // namespace

TEST_CASE("round trip: a Cloud description read as Markdown and written back unchanged is the same document") {
  Stack s(sandbox::Flavor::Cloud);
  const Json original = rich_cloud_document();
  auto created = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Round trip"}, {"fields", {{"description", original}}}});
  REQUIRE_MESSAGE(ok(created), text(created));
  const std::string key = created["structuredContent"]["key"];
  REQUIRE(content::normalize_adf(description_of(s, key)) == content::normalize_adf(original));

  auto read = s.call("jira_get_issue", {{"issue_key", key}, {"format", "json"}});
  REQUIRE_MESSAGE(ok(read), text(read));
  const std::string markdown = read["structuredContent"]["description"];
  CHECK(markdown.find(":::panel") != std::string::npos);
  CHECK(markdown.find("](media:6e7c7f2c") != std::string::npos);
  CHECK(markdown.find("a+b&page=2") != std::string::npos);  // no backslash in the URL

  auto wrote = s.call("jira_update_issue", {{"issue_key", key}, {"description", markdown}});
  REQUIRE_MESSAGE(ok(wrote), text(wrote));
  CHECK(content::normalize_adf(description_of(s, key)) == content::normalize_adf(original));
}

TEST_CASE("round trip: a Data Center description keeps images, user-name mentions and macros") {
  Stack s(sandbox::Flavor::DataCenter);
  const std::string original =
      "{panel:title=Impact}Checkout fails for [~jsmith].{panel}\n\n"
      "!screenshot.png|thumbnail!\n\n"
      "See [the log|https://example.com/a?q=a+b&page=2] -- twice.";
  auto created = s.call("jira_create_issue", {{"project_key", "DEMO"}, {"summary", "Round trip"}, {"fields", {{"description", original}}}});
  REQUIRE_MESSAGE(ok(created), text(created));
  const std::string key = created["structuredContent"]["key"];
  auto read = s.call("jira_get_issue", {{"issue_key", key}, {"format", "json"}});
  REQUIRE_MESSAGE(ok(read), text(read));
  const std::string markdown = read["structuredContent"]["description"];
  auto wrote = s.call("jira_update_issue", {{"issue_key", key}, {"description", markdown}});
  REQUIRE_MESSAGE(ok(wrote), text(wrote));
  const std::string back = description_of(s, key);
  CAPTURE(markdown);
  CAPTURE(back);
  CHECK(back.find("[~jsmith]") != std::string::npos);
  CHECK(back.find("!screenshot.png|thumbnail!") != std::string::npos);
  CHECK(back.find("{panel:title=Impact}") != std::string::npos);
  CHECK(back.find("https://example.com/a?q=a+b&page=2") != std::string::npos);
  CHECK(back.find(" -- twice") != std::string::npos);
  // Meaning kept: the same Markdown reads from both.
  CHECK(content::wiki_to_markdown(back) == content::wiki_to_markdown(original));
}

TEST_CASE("round trip: a write that would lose content is refused, naming it, unless accept_loss") {
  // A Cloud document holding a URL as plain text: Markdown links bare URLs, so a write of its
  // Markdown would turn it into a link. The refusal names the place; accept_loss writes.
  jira::testing::LoopbackServer srv;
  const Json lossy = Json::parse(
      R"({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"see https://example.com/x"}]}]})");
  int puts = 0;
  srv.server.Get("/rest/api/3/issue/PROJ-1", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(Json{{"id", "10001"}, {"key", "PROJ-1"}, {"fields", {{"description", lossy}}}}.dump(), "application/json");
  });
  srv.server.Get("/rest/api/3/issue/PROJ-1/comment/7", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(Json{{"id", "7"}, {"body", lossy}}.dump(), "application/json");
  });
  srv.server.Put("/rest/api/3/issue/PROJ-1", [&](const httplib::Request&, httplib::Response& res) {
    ++puts;
    res.status = 204;
  });
  srv.server.Put("/rest/api/3/issue/PROJ-1/comment/7", [&](const httplib::Request&, httplib::Response& res) {
    ++puts;
    res.set_content(Json{{"id", "7"}}.dump(), "application/json");
  });
  Stack s(srv.url(), jira::DeploymentMode::cloud);

  auto refused = s.call("jira_update_issue", {{"issue_key", "PROJ-1"}, {"description", "see https://example.com/x"}});
  CHECK_FALSE(ok(refused));
  CHECK(text(refused).find("Not changed") != std::string::npos);
  CHECK(text(refused).find("/content/0") != std::string::npos);
  CHECK(text(refused).find("accept_loss") != std::string::npos);
  CHECK(puts == 0);

  auto comment = s.call("jira_edit_comment", {{"issue_key", "PROJ-1"}, {"comment_id", "7"}, {"body", "new text"}});
  CHECK_FALSE(ok(comment));
  CHECK(puts == 0);

  auto accepted = s.call("jira_update_issue", {{"issue_key", "PROJ-1"}, {"description", "see https://example.com/x"}, {"accept_loss", true}});
  CHECK_MESSAGE(ok(accepted), text(accepted));
  CHECK(puts == 1);
  auto other = s.call("jira_update_issue", {{"issue_key", "PROJ-1"}, {"summary", "only the summary"}});
  CHECK_MESSAGE(ok(other), text(other));  // no description given: nothing checked
  CHECK(puts == 2);
}

}  // namespace jira_mcp::testing
