// The metadata tier on disk: a second Cache instance (a new process, in effect) reads what the
// first wrote; damaged, foreign, expired or invalidated files are never served.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/cache/hash.hpp"

using namespace jira_mcp;
using namespace jira_mcp::cache;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("jira-mcp-l2-test-" + std::to_string(rd()) + std::to_string(rd()));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Options with_l2(const fs::path& dir, std::shared_ptr<FakeClock> clock) {
  Options o;
  o.l2_path = (dir / "l2").string();
  o.clock = std::move(clock);
  o.jitter_percent = 0;
  o.metadata.ttl = 3600s;
  return o;
}

Value doc(Json j) {
  std::string body = j.dump();
  return Value{std::make_shared<const Json>(std::move(j)), body.size()};
}

const std::string kKey = "https://x.atlassian.net|id:abc|GET /rest/api/3/field";

std::string file_for(const Options& o, const std::string& key) {
  return (fs::path(o.l2_path) / (sha256_hex(key) + ".l2")).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

TEST_CASE("sha256_hex matches the standard test vector") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("L2 round trip: a second cache reads the metadata the first one wrote") {
  TempDir dir;
  auto clock = std::make_shared<FakeClock>();
  const Options o = with_l2(dir.path, clock);
  {
    Cache first(o);
    first.put(Tier::metadata, kKey, doc(Json::array({{{"id", "summary"}}})), {"meta:field"});
    first.put(Tier::issues, "issue", doc(Json{{"key", "A-1"}}), {"issues"});  // never on disk
    CHECK(first.stats()[Tier::metadata].l2_writes == 1);
  }
  CHECK(fs::exists(file_for(o, kKey)));
  CHECK(std::distance(fs::directory_iterator(o.l2_path), fs::directory_iterator()) == 1);
  const auto perms = fs::status(file_for(o, kKey)).permissions();
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);

  Cache second(o);
  auto hit = second.get(Tier::metadata, kKey);
  REQUIRE(hit);
  CHECK((*hit->doc)[0]["id"] == "summary");
  auto s = second.stats()[Tier::metadata];
  CHECK(s.l2_hits == 1);
  CHECK(s.hits == 1);
  CHECK(s.entries == 1);  // promoted to L1
  CHECK(second.get(Tier::metadata, kKey));
  CHECK(second.stats()[Tier::metadata].l2_hits == 1);  // the second read came from memory

  // The promoted entry keeps the file's expiry, not a fresh TTL.
  clock->advance(3601s);
  CHECK_FALSE(second.get(Tier::metadata, kKey));
  CHECK_FALSE(fs::exists(file_for(o, kKey)));  // the expired file is removed
}

TEST_CASE("L2: an invalidated tag removes the files of other processes too") {
  TempDir dir;
  auto clock = std::make_shared<FakeClock>();
  const Options o = with_l2(dir.path, clock);
  {
    Cache first(o);
    first.put(Tier::metadata, kKey, doc(Json::array()), {"meta:field"});
    first.put(Tier::metadata, "projects", doc(Json::array()), {"meta:project"});
  }
  Cache second(o);
  second.invalidate("meta:project");
  CHECK_FALSE(fs::exists(file_for(o, "projects")));
  CHECK(fs::exists(file_for(o, kKey)));
  Cache third(o);
  CHECK_FALSE(third.get(Tier::metadata, "projects"));
  CHECK(third.get(Tier::metadata, kKey));
}

TEST_CASE("L2: corrupt, truncated, foreign and other-version files are ignored and removed") {
  TempDir dir;
  auto clock = std::make_shared<FakeClock>();
  const Options o = with_l2(dir.path, clock);
  { Cache(o).put(Tier::metadata, kKey, doc(Json{{"name", "the real one"}}), {"meta:field"}); }
  const std::string path = file_for(o, kKey);
  const std::string good = slurp(path);
  REQUIRE(good.rfind("JIRA-MCP-L2 1\n", 0) == 0);

  auto expect_rejected = [&](const std::string& content, const char* what) {
    CAPTURE(what);
    spit(path, content);
    Cache c(o);
    CHECK_FALSE(c.get(Tier::metadata, kKey));
    CHECK(c.stats()[Tier::metadata].l2_errors == 1);
    CHECK(c.stats()[Tier::metadata].misses == 1);
    CHECK_FALSE(fs::exists(path));
  };

  std::string flipped = good;
  flipped[flipped.size() - 3] ^= 0x01;  // inside the payload: the checksum catches it
  expect_rejected(flipped, "payload bit flip");
  expect_rejected(good.substr(0, good.size() - 5), "truncated payload");
  expect_rejected(good.substr(0, 20), "truncated header");
  expect_rejected("", "empty file");
  std::string other_version = good;
  other_version[12] = '9';
  expect_rejected(other_version, "other format version");

  // A well-formed file written for another key, copied under this key's name.
  const std::string other_key = kKey + "?other";
  { Cache(o).put(Tier::metadata, other_key, doc(Json{{"name", "someone else's"}}), {}); }
  const std::string foreign = slurp(file_for(o, other_key));
  expect_rejected(foreign, "foreign key");

  // And after all that a correct file still works.
  spit(path, good);
  Cache c(o);
  auto hit = c.get(Tier::metadata, kKey);
  REQUIRE(hit);
  CHECK((*hit->doc)["name"] == "the real one");
}

TEST_CASE("L2: an unwritable directory costs the disk level, not the cache") {
  TempDir dir;
  fs::create_directories(dir.path);
  spit((dir.path / "l2").string(), "a file where the directory should be");
  auto clock = std::make_shared<FakeClock>();
  Cache c(with_l2(dir.path, clock));
  c.put(Tier::metadata, kKey, doc(Json::array()), {});
  CHECK(c.get(Tier::metadata, kKey));
  CHECK(c.stats()[Tier::metadata].l2_errors == 1);
}
