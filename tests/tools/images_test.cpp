// Image attachments come back as MCP image blocks (jira_download_attachment, jira_get_issue_images),
// typed from Jira's attachment metadata checked against the bytes, never from the download's
// Content-Type. Against the sandbox (DEMO-1 has screenshot.png, a whole 1x1 PNG) and against a
// loopback Jira that lies.
#include <doctest/doctest.h>

#include <string>

#include "jira/test_servers.hpp"
#include "jira_mcp/core/base64.hpp"
#include "jira_mcp/core/json_schema.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89", 33);
const std::string kJpeg("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11);
const std::string kGif("GIF89a\1\0\1\0\0\0\0;", 14);
const std::string kWebp("RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0", 20);

// The content blocks of `result` of one type.
std::vector<Json> blocks(const Json& result, const std::string& type) {
  std::vector<Json> out;
  for (const auto& c : result["content"]) {
    if (c["type"] == type) out.push_back(c);
  }
  return out;
}

// structuredContent validates against the tool's declared outputSchema.
void check_output_schema(Stack& s, const std::string& tool, const Json& result) {
  auto r = s.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", s.next_id++}, {"method", "tools/list"}}, s.session);
  REQUIRE(r);
  for (const auto& t : (*r)["result"]["tools"]) {
    if (t["name"] != tool) continue;
    REQUIRE(t.contains("outputSchema"));
    auto schema = core::JsonSchema::compile(t["outputSchema"]);
    REQUIRE(schema.ok());
    const auto violations = schema->validate(result["structuredContent"]);
    std::string all;
    for (const auto& v : violations) all += v.path + ": " + v.message + "\n";
    CHECK_MESSAGE(violations.empty(), all);
    return;
  }
  FAIL("tool not listed: " << tool);
}

}  // namespace

TEST_CASE("images: the sandbox's PNG comes back as an image block from both tools") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto list = s.call("jira_list_attachments", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(list));
    std::string png_id;
    for (const auto& a : list["structuredContent"]["attachments"]) {
      if (a["filename"] == "screenshot.png") png_id = a["id"];
    }
    REQUIRE_FALSE(png_id.empty());
    auto got = s.call("jira_download_attachment", {{"attachment_id", png_id}});
    REQUIRE_MESSAGE(ok(got), text(got));
    if (testing::spec_proxy_mode()) {
      // Prism re-encodes binary bodies as text: the bytes are no PNG any more, so no image block.
      MESSAGE("spec-proxy mode: image bytes are not exact; image assertions skipped");
      continue;
    }
    auto images = blocks(got, "image");
    REQUIRE(images.size() == 1);
    CHECK(images[0]["mimeType"] == "image/png");
    auto bytes = core::base64_decode(images[0]["data"].get<std::string>());
    REQUIRE(bytes);
    CHECK(bytes->size() == 70);
    CHECK(bytes->rfind("\x89PNG\r\n\x1a\n", 0) == 0);
    CHECK(bytes->find("IEND") == bytes->size() - 8);
    CHECK(blocks(got, "resource").empty());
    CHECK(contains(text(got), "follows as an image"));

    auto all = s.call("jira_get_issue_images", {{"issue_key", "DEMO-1"}});
    REQUIRE_MESSAGE(ok(all), text(all));
    auto issue_images = blocks(all, "image");
    REQUIRE(issue_images.size() == 1);
    CHECK(issue_images[0]["data"] == images[0]["data"]);
    CHECK(contains(text(all), "DEMO-1: 1 image(s); "));
    CHECK(contains(text(all), "other attachment(s) are not images"));
    CHECK(all["structuredContent"]["images"][0]["id"] == png_id);
    CHECK(all["structuredContent"]["skipped"].empty());
    check_output_schema(s, "jira_get_issue_images", all);

    // Over the cap: skipped with why, and no image sent.
    s.services->options.max_attachment_bytes = 50;
    auto capped = s.call("jira_get_issue_images", {{"issue_key", "DEMO-1"}});
    REQUIRE(ok(capped));
    CHECK(blocks(capped, "image").empty());
    CHECK(contains(text(capped), "Skipped screenshot.png (id " + png_id + "): it is 70 B"));
    CHECK(contains(text(capped), "tools.max_attachment_bytes"));
    CHECK(capped["structuredContent"]["skipped"].size() == 1);
    check_output_schema(s, "jira_get_issue_images", capped);
    s.services->options.max_attachment_bytes = 10 * 1024 * 1024;

    // An issue with no images says so.
    auto none = s.call("jira_get_issue_images", {{"issue_key", "DEMO-2"}});
    REQUIRE(ok(none));
    CHECK(blocks(none, "image").empty());
    CHECK(contains(text(none), "0 image(s)"));
    CHECK_FALSE(ok(s.call("jira_get_issue_images", {{"issue_key", "DEMO-99999"}})));
  }
}

// A Jira whose downloads all claim "text/html" (as a misconfigured proxy does): the metadata
// decides, the bytes are checked, and an image that is not one is not sent as an image.
TEST_CASE("images: the type comes from Jira's metadata checked against the bytes, not from the Content-Type") {
  jira::testing::LoopbackServer srv;
  struct Fake {
    const char* id;
    const char* filename;
    const char* mime;
    std::string bytes;
  };
  const std::vector<Fake> fakes = {{"1", "a.png", "image/png", kPng},
                                   {"2", "b.jpg", "image/jpeg", kJpeg},
                                   {"3", "c.gif", "image/gif", kGif},
                                   {"4", "d.webp", "image/webp", kWebp},
                                   {"5", "login.png", "image/png", "<html><body>Please log in</body></html>"},
                                   {"6", "really-a-jpeg.png", "image/png", kJpeg},
                                   {"7", "notes.bin", "application/octet-stream", kPng}};
  auto meta = [](const Fake& f) {
    return Json{{"id", f.id}, {"filename", f.filename}, {"mimeType", f.mime}, {"size", f.bytes.size()},
                {"content", std::string("http://jira.invalid/attachment/content/") + f.id}};
  };
  srv.server.Get(R"(/rest/api/3/attachment/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    for (const auto& f : fakes) {
      if (req.matches[1] == f.id) return res.set_content(meta(f).dump(), "application/json");
    }
    res.status = 404;
  });
  srv.server.Get(R"(/rest/api/3/attachment/content/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    for (const auto& f : fakes) {
      if (req.matches[1] == f.id) return res.set_content(f.bytes, "text/html; charset=utf-8");
    }
    res.status = 404;
  });
  srv.server.Get("/rest/api/3/issue/IMG-1", [&](const httplib::Request&, httplib::Response& res) {
    Json atts = Json::array();
    for (const auto& f : fakes) atts.push_back(meta(f));
    res.set_content(Json{{"id", "100"}, {"key", "IMG-1"}, {"fields", {{"attachment", atts}}}}.dump(), "application/json");
  });
  Stack s(srv.url(), jira::DeploymentMode::cloud);

  for (const auto& f : std::vector<Fake>(fakes.begin(), fakes.begin() + 4)) {
    CAPTURE(f.filename);
    auto got = s.call("jira_download_attachment", {{"attachment_id", f.id}});
    REQUIRE_MESSAGE(ok(got), text(got));
    auto images = blocks(got, "image");
    REQUIRE(images.size() == 1);
    CHECK(images[0]["mimeType"] == f.mime);
    CHECK(core::base64_decode(images[0]["data"].get<std::string>()).value_or("") == f.bytes);
  }
  auto login = s.call("jira_download_attachment", {{"attachment_id", "5"}});
  REQUIRE(ok(login));
  CHECK(blocks(login, "image").empty());
  REQUIRE(blocks(login, "resource").size() == 1);
  CHECK(blocks(login, "resource")[0]["resource"]["mimeType"] == "image/png");
  CHECK(contains(text(login), "its bytes are not a PNG, JPEG, GIF or WebP image"));

  auto mislabelled = s.call("jira_download_attachment", {{"attachment_id", "6"}});
  REQUIRE(ok(mislabelled));
  REQUIRE(blocks(mislabelled, "image").size() == 1);
  CHECK(blocks(mislabelled, "image")[0]["mimeType"] == "image/jpeg");
  CHECK(contains(text(mislabelled), "Jira lists it as image/png, but its bytes are image/jpeg"));

  auto octets = s.call("jira_download_attachment", {{"attachment_id", "7"}});
  REQUIRE(ok(octets));
  CHECK(blocks(octets, "image").empty());  // not listed as an image: stays a file
  CHECK(blocks(octets, "resource").size() == 1);

  auto all = s.call("jira_get_issue_images", {{"issue_key", "IMG-1"}});
  REQUIRE_MESSAGE(ok(all), text(all));
  auto images = blocks(all, "image");
  REQUIRE(images.size() == 5);
  CHECK(images[4]["mimeType"] == "image/jpeg");
  CHECK(contains(text(all), "IMG-1: 5 image(s), 1 skipped; 1 other attachment(s) are not images"));
  CHECK(contains(text(all), "Skipped login.png (id 5): Jira lists it as image/png, but its bytes are not"));
  CHECK(all["structuredContent"]["skipped"][0]["id"] == "5");
  check_output_schema(s, "jira_get_issue_images", all);

  // The images share one cap: the ones that no longer fit are named, with the call that gets them.
  s.services->options.max_attachment_bytes = kPng.size() + kJpeg.size();
  auto capped = s.call("jira_get_issue_images", {{"issue_key", "IMG-1"}});
  REQUIRE(ok(capped));
  CHECK(blocks(capped, "image").size() == 2);
  CHECK(contains(text(capped), "Skipped c.gif (id 3): the images before it fill this answer's"));
  CHECK(contains(text(capped), "jira_download_attachment {\"attachment_id\": \"4\"}"));
}
