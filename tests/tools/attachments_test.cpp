// The attachments toolset through the real dispatcher against the sandbox, in both flavours.
// The sandbox seeds DEMO-1 with notes.txt (text/plain) and screenshot.png (image/png).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include "jira/test_servers.hpp"
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

    // The PNG comes back as an image block (images_test.cpp); other binaries as an embedded resource.
    const std::string zip_bytes("PK\x03\x04\x14\0\0\0\x08\0\xff\xfe", 12);
    auto up = s.call("jira_upload_attachment", {{"issue_key", "DEMO-1"}, {"filename", "logs.zip"}, {"content_base64", core::base64_encode(zip_bytes)}});
    REQUIRE_MESSAGE(ok(up), text(up));
    const std::string zip = up["structuredContent"]["attachments"][0]["id"];
    auto bin = s.call("jira_download_attachment", {{"attachment_id", zip}});
    REQUIRE_MESSAGE(ok(bin), text(bin));
    REQUIRE(bin["content"].size() == 2);
    const Json& res = bin["content"][1];
    CHECK(res["type"] == "resource");
    CHECK(res["resource"]["mimeType"] == "application/zip");
    CHECK_FALSE(res["resource"]["uri"].get<std::string>().empty());
    auto bytes = core::base64_decode(res["resource"]["blob"].get<std::string>());
    REQUIRE(bytes);
    // Prism (spec-proxy mode) re-encodes binary bodies as text, so the bytes are only exact direct.
    if (!testing::spec_proxy_mode()) CHECK(*bytes == zip_bytes);

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
    Stack s(flavor);
    const std::string body(1000, 'x');
    auto up = s.call("jira_upload_attachment", {{"issue_key", "DEMO-3"}, {"filename", "long.log"}, {"content_base64", core::base64_encode(body)}});
    REQUIRE_MESSAGE(ok(up), text(up));
    const std::string id = up["structuredContent"]["attachments"][0]["id"];
    s.services->options.max_response_chars = 200;  // read at each call
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
    s.services->options.use_openat2 = flavor == sandbox::Flavor::Cloud;  // the kernel call on one, the walk on the other
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

TEST_CASE("attachments: hard links, symlinked directories, '..', FIFOs and unsafe header values are refused") {
  TempTree tree;
  tree.write("allowed/report.csv", "a,b\n1,2\n");
  tree.write("allowed/sub/in.txt", "inside");
  const fs::path secret = tree.write("outside/secret.txt", "OUTSIDE-SECRET");
  fs::create_hard_link(secret, tree.root / "allowed/hl.txt");
  fs::create_directory_symlink(tree.root / "allowed/sub", tree.root / "allowed/alias");  // even one pointing inside
  REQUIRE(::mkfifo((tree.root / "allowed/pipe").c_str(), 0600) == 0);
  Stack s(sandbox::Flavor::Cloud);
  s.services->options.attachment_dirs = {(tree.root / "allowed").string()};
  for (bool openat2 : {true, false}) {
    CAPTURE(openat2);
    s.services->options.use_openat2 = openat2;
    s.services->options.allow_hardlinked_attachments = false;
    auto hl = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"file_path", "hl.txt"}});
    CHECK_FALSE(ok(hl));
    CHECK(contains(text(hl), "2 hard links"));
    CHECK(contains(text(hl), "tools.allow_hardlinked_attachments"));
    auto alias = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"file_path", "alias/in.txt"}});
    CHECK_FALSE(ok(alias));
    CHECK(contains(text(alias), "symbolic link"));
    auto dots = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"file_path", "sub/../report.csv"}});
    CHECK_FALSE(ok(dots));
    CHECK(contains(text(dots), "'..'"));
    auto fifo = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"file_path", "pipe"}});  // must not block
    CHECK_FALSE(ok(fifo));
    CHECK(contains(text(fifo), "not a regular file"));
    auto fine = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"file_path", "sub/in.txt"}});
    CHECK_MESSAGE(ok(fine), text(fine));
  }
  CHECK(attachment_id(s, "DEMO-8", "hl.txt").empty());
  CHECK(attachment_id(s, "DEMO-8", "report.csv").empty());
  s.services->options.allow_hardlinked_attachments = true;
  auto allowed = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"file_path", "hl.txt"}});
  REQUIRE_MESSAGE(ok(allowed), text(allowed));
  CHECK_FALSE(attachment_id(s, "DEMO-8", "hl.txt").empty());

  const std::string b64 = core::base64_encode("x");
  for (const std::string& name : {std::string("a\r\nX-Injected: 1.txt"), std::string("a\"b.txt"), std::string("nul\0.txt", 8)}) {
    auto r = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"filename", name}, {"content_base64", b64}});
    CHECK_FALSE(ok(r));
    CHECK(contains(text(r), "filename"));
  }
  for (const std::string& mime : {std::string("text/plain\r\nX-Injected: 1"), std::string("text/plain; name=\"x\""), std::string("nonsense"),
                                  std::string("text/plain\n"), std::string("/plain")}) {
    CAPTURE(mime);
    auto r = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"filename", "m.txt"}, {"mime_type", mime}, {"content_base64", b64}});
    CHECK_FALSE(ok(r));
    CHECK(contains(text(r), "mime_type"));
  }
  CHECK(attachment_id(s, "DEMO-8", "m.txt").empty());
  auto params = s.call("jira_upload_attachment", {{"issue_key", "DEMO-8"}, {"filename", "p.txt"}, {"mime_type", "text/plain; charset=utf-8"},
                                                  {"content_base64", b64}});
  CHECK_MESSAGE(ok(params), text(params));
}

// The race seen in the audit: a path that is a regular file (or a real directory) one moment and
// a symlink to outside the next. Each swap is one atomic renameat2(RENAME_EXCHANGE), so at every
// instant each name is one or the other.
TEST_CASE("attachments: symlinks swapped in a loop during uploads never send an outside file") {
  TempTree tree;
  const std::string inside = "inside-bytes", outside = "OUTSIDE-SECRET-CONTENT";
  tree.write("allowed/f.txt", inside);
  tree.write("allowed/d/f.txt", inside);
  tree.write("outside/f.txt", outside);
  fs::create_symlink(tree.root / "outside/f.txt", tree.root / "allowed/f.alt");
  fs::create_directory_symlink(tree.root / "outside", tree.root / "allowed/d.alt");
  const std::string a = (tree.root / "allowed").string();
  Stack s(sandbox::Flavor::Cloud);
  s.services->options.attachment_dirs = {a};

  std::atomic<long> swaps{0};
  std::jthread swapper([&](std::stop_token st) {
    while (!st.stop_requested()) {
      ::renameat2(AT_FDCWD, (a + "/f.txt").c_str(), AT_FDCWD, (a + "/f.alt").c_str(), RENAME_EXCHANGE);
      ::renameat2(AT_FDCWD, (a + "/d").c_str(), AT_FDCWD, (a + "/d.alt").c_str(), RENAME_EXCHANGE);
      ++swaps;
    }
  });
  int sent = 0, refused = 0, other = 0;
  constexpr int kUploads = 400;
  for (int i = 0; i < kUploads; ++i) {
    s.services->options.use_openat2 = i % 4 < 2;  // half through openat2, half through the walk
    auto r = s.call("jira_upload_attachment", {{"issue_key", "DEMO-9"}, {"file_path", i % 2 ? "d/f.txt" : "f.txt"},
                                               {"filename", "race-" + std::to_string(i) + ".txt"}});
    if (ok(r)) {
      ++sent;
    } else if (contains(text(r), "symbolic link") || contains(text(r), "does not exist")) {
      ++refused;
    } else {
      ++other;
      MESSAGE(text(r));
    }
  }
  swapper.request_stop();
  swapper.join();

  // What the sandbox Jira holds: every race-* attachment's bytes.
  int received = 0, outside_received = 0, inside_received = 0;
  auto list = s.call("jira_list_attachments", {{"issue_key", "DEMO-9"}});
  REQUIRE(ok(list));
  for (const auto& att : list["structuredContent"]["attachments"]) {
    if (att["filename"].get<std::string>().rfind("race-", 0) != 0) continue;
    ++received;
    const std::string body = text(s.call("jira_download_attachment", {{"attachment_id", att["id"]}}));
    if (contains(body, outside)) ++outside_received;
    if (contains(body, inside)) ++inside_received;
  }
  MESSAGE("uploads " << kUploads << ": sent " << sent << ", refused " << refused << ", other " << other << "; swaps " << swaps.load()
                     << "; Jira received " << received << " (" << inside_received << " inside, " << outside_received << " outside)");
  CHECK(outside_received == 0);
  CHECK(other == 0);
  CHECK(received == sent);
  CHECK(inside_received == sent);
  CHECK(sent + refused == kUploads);
}

// A Jira that understates an attachment's size: the metadata says 10 bytes, the content is 64 MiB,
// chunked (no Content-Length to go by) or with an honest Content-Length.
TEST_CASE("attachments: a download is cut at tools.max_attachment_bytes however large Jira's real body is") {
  jira::testing::LoopbackServer srv;
  constexpr std::size_t kBody = 64u << 20, kChunk = 64u << 10, kCap = 1u << 20;
  std::atomic<std::uint64_t> server_sent{0};
  std::atomic<int> finished{0};
  srv.server.Get(R"(/rest/api/3/attachment/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    res.set_content(Json{{"id", id}, {"filename", "big-" + id + ".log"}, {"mimeType", "text/plain"}, {"size", 10}}.dump(),
                    "application/json");
  });
  auto provider = [&](std::size_t offset, httplib::DataSink& sink) {
    static const std::string chunk(kChunk, 'x');
    if (offset >= kBody) {
      sink.done();
      return true;
    }
    if (!sink.write(chunk.data(), chunk.size())) return false;
    server_sent += chunk.size();
    return true;
  };
  srv.server.Get("/rest/api/3/attachment/content/1", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", provider, [&](bool) { ++finished; });
  });
  srv.server.Get("/rest/api/3/attachment/content/2", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(kBody, "text/plain", [&](std::size_t offset, std::size_t, httplib::DataSink& sink) {
      return provider(offset, sink);
    }, [&](bool) { ++finished; });
  });
  srv.server.Get("/rest/api/3/attachment/content/3", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("small and honest", "text/plain");
  });

  Stack s(srv.url(), jira::DeploymentMode::cloud);
  s.services->options.max_attachment_bytes = kCap;
  auto chunked = s.call("jira_download_attachment", {{"attachment_id", "1"}});
  CHECK_FALSE(ok(chunked));
  CHECK(contains(text(chunked), "over this server's limit of 1048576 bytes (tools.max_attachment_bytes)"));
  CHECK(contains(text(chunked), "listed it as 10 bytes"));
  const std::string t = text(chunked);
  const auto at = t.find("stopped after reading ");
  REQUIRE(at != std::string::npos);
  const std::uint64_t read = std::stoull(t.substr(at + 22));
  CHECK(read > kCap);
  CHECK(read <= kCap + kChunk);  // one chunk past the cap at most

  auto announced = s.call("jira_download_attachment", {{"attachment_id", "2"}});
  CHECK_FALSE(ok(announced));
  CHECK(contains(text(announced), "Content-Length 67108864; nothing read"));

  auto small = s.call("jira_download_attachment", {{"attachment_id", "3"}});
  REQUIRE_MESSAGE(ok(small), text(small));
  CHECK(contains(text(small), "small and honest"));

  for (int i = 0; i < 500 && finished < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  MESSAGE("64 MiB bodies under a 1 MiB cap: the client read " << read << " bytes of the chunked one; the server wrote "
                                                              << server_sent.load() << " bytes in all (the rest is socket buffers)");
  CHECK(server_sent.load() < kBody);  // the client hung up: the server could not write it all
}
