// The attachments toolset through the real dispatcher against the sandbox, in both flavours.
// The sandbox seeds DEMO-1 with notes.txt (text/plain) and screenshot.png (image/png).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "jira_mcp/core/base64.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;

using jira_mcp::testing::Stack;
using jira_mcp::testing::ok;
using jira_mcp::testing::text;

namespace fs = std::filesystem;

namespace {

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The id of the attachment named `filename` on `key`, or "".
std::string attachment_id(Stack& s, const std::string& key, const std::string& filename) {
  auto list = s.call("jira_list_attachments", {{"issue_key", key}});
  REQUIRE_MESSAGE(ok(list), text(list));
  for (const auto& a : list["structuredContent"]["attachments"]) {
    if (a["filename"] == filename) return a["id"];
  }
  return {};
}

// A scratch directory tree, removed at the end of the test.
struct TempTree {
  fs::path root;
  TempTree() {
    std::random_device rd;
    root = fs::temp_directory_path() / ("jira-mcp-attachments-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(root);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path write(const std::string& rel, const std::string& bytes) const {
    fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
};

}  // namespace

TEST_CASE("attachments: list and download text and binary content") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto list = s.call("jira_list_attachments", {{"issue_key", "DEMO-1"}});
    REQUIRE_MESSAGE(ok(list), text(list));
    const Json& atts = list["structuredContent"]["attachments"];
    REQUIRE(atts.size() >= 2);
    CHECK(contains(text(list), "**notes.txt** (id "));
    CHECK(contains(text(list), "text/plain"));
    const std::string notes = attachment_id(s, "DEMO-1", "notes.txt");
    const std::string png = attachment_id(s, "DEMO-1", "screenshot.png");
    REQUIRE_FALSE(notes.empty());
    REQUIRE_FALSE(png.empty());
    for (const auto& a : atts) {
      if (a["id"] != notes) continue;
      CHECK(a["mime_type"] == "text/plain");
      CHECK(a["size"].get<long>() > 0);
      CHECK_FALSE(a["author"].get<std::string>().empty());
      CHECK_FALSE(a["created"].get<std::string>().empty());
    }
    CHECK_FALSE(ok(s.call("jira_list_attachments", {{"issue_key", "DEMO-99999"}})));

    auto txt = s.call("jira_download_attachment", {{"attachment_id", notes}});
    REQUIRE_MESSAGE(ok(txt), text(txt));
    CHECK(contains(text(txt), "Sandbox notes for DEMO-1\nLine two."));
    REQUIRE(txt["content"].size() == 1);

    auto bin = s.call("jira_download_attachment", {{"attachment_id", png}});
    REQUIRE_MESSAGE(ok(bin), text(bin));
    REQUIRE(bin["content"].size() == 2);
    const Json& res = bin["content"][1];
    CHECK(res["type"] == "resource");
    CHECK(res["resource"]["mimeType"] == "image/png");
    CHECK_FALSE(res["resource"]["uri"].get<std::string>().empty());
    auto bytes = core::base64_decode(res["resource"]["blob"].get<std::string>());
    REQUIRE(bytes);
    // Prism (spec-proxy mode) re-encodes binary bodies as text, so the bytes are only exact direct.
    if (!testing::spec_proxy_mode()) CHECK(bytes->rfind("\x89PNG", 0) == 0);

    s.services->options.max_attachment_bytes = 10;
    auto big = s.call("jira_download_attachment", {{"attachment_id", notes}});
    CHECK_FALSE(ok(big));
    CHECK(contains(text(big), "limit of 10 bytes"));
    CHECK(contains(text(big), "tools.max_attachment_bytes"));
    s.services->options.max_attachment_bytes = 10 * 1024 * 1024;

    CHECK_FALSE(ok(s.call("jira_download_attachment", {{"attachment_id", "99999999"}})));
    auto bad_id = s.call("jira_download_attachment", {{"attachment_id", "abc"}});
    CHECK_FALSE(ok(bad_id));
    CHECK(contains(text(bad_id), "attachment_id"));
  }
}

TEST_CASE("attachments: a long text attachment is cut by the response budget") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor, {{"all"}, {}, {}, false}, 200);
    const std::string body(1000, 'x');
    auto up = s.call("jira_upload_attachment", {{"issue_key", "DEMO-3"}, {"filename", "long.log"}, {"content_base64", core::base64_encode(body)}});
    REQUIRE_MESSAGE(ok(up), text(up));
    const std::string id = up["structuredContent"]["attachments"][0]["id"];
    auto got = s.call("jira_download_attachment", {{"attachment_id", id}});
    REQUIRE(ok(got));
    CHECK(contains(text(got), "[Output cut at 200 characters"));
    CHECK(text(got).size() < 500);
  }
}

TEST_CASE("attachments: upload base64 content, then delete") {
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto up = s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"filename", "hello.txt"}, {"content_base64", core::base64_encode("hello world")}});
    REQUIRE_MESSAGE(ok(up), text(up));
    CHECK(contains(text(up), "Attached **hello.txt**"));
    CHECK(contains(text(up), "DEMO-5"));
    const std::string id = attachment_id(s, "DEMO-5", "hello.txt");
    REQUIRE_FALSE(id.empty());
    CHECK(up["structuredContent"]["attachments"][0]["id"] == id);
    CHECK(up["structuredContent"]["attachments"][0]["mime_type"] == "text/plain");
    CHECK(contains(text(s.call("jira_download_attachment", {{"attachment_id", id}})), "hello world"));

    auto typed = s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"filename", "data"}, {"mime_type", "application/json"},
                                                   {"content_base64", core::base64_encode("{\"a\":1}")}});
    REQUIRE_MESSAGE(ok(typed), text(typed));
    CHECK(typed["structuredContent"]["attachments"][0]["mime_type"] == "application/json");

    auto no_name = s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"content_base64", "aGk="}});
    CHECK_FALSE(ok(no_name));
    CHECK(contains(text(no_name), "filename"));
    auto neither = s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"filename", "x.txt"}});
    CHECK_FALSE(ok(neither));
    CHECK(contains(text(neither), "exactly one"));
    CHECK_FALSE(ok(s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"filename", "x.txt"}, {"content_base64", "aGk="}, {"file_path", "x.txt"}})));
    auto garbage = s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"filename", "x.txt"}, {"content_base64", "!!not base64!!"}});
    CHECK_FALSE(ok(garbage));
    CHECK(contains(text(garbage), "content_base64"));
    CHECK_FALSE(ok(s.call("jira_upload_attachment", {{"issue_key", "DEMO-99999"}, {"filename", "x.txt"}, {"content_base64", "aGk="}})));
    s.services->options.max_attachment_bytes = 4;
    auto too_big = s.call("jira_upload_attachment", {{"issue_key", "DEMO-5"}, {"filename", "x.txt"}, {"content_base64", core::base64_encode("hello world")}});
    CHECK_FALSE(ok(too_big));
    CHECK(contains(text(too_big), "limit of 4 bytes"));
    s.services->options.max_attachment_bytes = 10 * 1024 * 1024;
    CHECK(attachment_id(s, "DEMO-5", "x.txt").empty());

    auto del = s.call("jira_delete_attachment", {{"attachment_id", id}});
    REQUIRE_MESSAGE(ok(del), text(del));
    CHECK(contains(text(del), "hello.txt"));
    CHECK(attachment_id(s, "DEMO-5", "hello.txt").empty());
    CHECK_FALSE(ok(s.call("jira_download_attachment", {{"attachment_id", id}})));
    CHECK_FALSE(ok(s.call("jira_delete_attachment", {{"attachment_id", id}})));
  }
}

TEST_CASE("attachments: upload from a file only inside the allowed directories") {
  TempTree tree;
  const fs::path report = tree.write("allowed/report.csv", "a,b\n1,2\n");
  tree.write("outside/secret.txt", "secret");
  tree.write("allowed2/other.txt", "other");
  fs::create_directories(tree.root / "allowed/sub");
  fs::create_symlink(tree.root / "outside/secret.txt", tree.root / "allowed/link.txt");
  fs::create_directory_symlink(tree.root / "outside", tree.root / "allowed/escape");
  FOR_EACH_FLAVOR(flavor) {
    Stack s(flavor);
    auto off = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", report.string()}});
    CHECK_FALSE(ok(off));
    CHECK(contains(text(off), "tools.attachment_dirs"));

    s.services->options.attachment_dirs = {(tree.root / "allowed").string()};
    auto up = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", report.string()}});
    REQUIRE_MESSAGE(ok(up), text(up));
    const std::string id = attachment_id(s, "DEMO-6", "report.csv");
    REQUIRE_FALSE(id.empty());
    CHECK(up["structuredContent"]["attachments"][0]["mime_type"] == "text/csv");
    CHECK(contains(text(s.call("jira_download_attachment", {{"attachment_id", id}})), "a,b\n1,2\n"));
    auto relative = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", "report.csv"}, {"filename", "copy.csv"}});
    REQUIRE_MESSAGE(ok(relative), text(relative));
    CHECK_FALSE(attachment_id(s, "DEMO-6", "copy.csv").empty());

    for (const std::string& refused : {(tree.root / "allowed/../outside/secret.txt").string(), (tree.root / "allowed/link.txt").string(),
                                       (tree.root / "allowed/escape/secret.txt").string(), std::string("../outside/secret.txt"),
                                       (tree.root / "allowed2/other.txt").string(), std::string("/etc/passwd")}) {
      CAPTURE(refused);
      auto r = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", refused}});
      CHECK_FALSE(ok(r));
      CHECK(contains(text(r), "outside the directories"));
    }
    CHECK(attachment_id(s, "DEMO-6", "secret.txt").empty());
    CHECK(attachment_id(s, "DEMO-6", "other.txt").empty());
    auto missing = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", (tree.root / "allowed/missing.txt").string()}});
    CHECK_FALSE(ok(missing));
    CHECK(contains(text(missing), "does not exist"));
    auto dir = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", (tree.root / "allowed/sub").string()}});
    CHECK_FALSE(ok(dir));
    CHECK(contains(text(dir), "not a regular file"));
    s.services->options.max_attachment_bytes = 3;
    auto big = s.call("jira_upload_attachment", {{"issue_key", "DEMO-6"}, {"file_path", report.string()}});
    CHECK_FALSE(ok(big));
    CHECK(contains(text(big), "limit of 3 bytes"));
  }
}
