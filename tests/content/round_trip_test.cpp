#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "content/content_test_support.hpp"
#include "jira_mcp/content/convert.hpp"

using jira_mcp::Json;
using namespace jira_mcp::content;

TEST_CASE("scratch") {
  const auto dir = std::filesystem::path(jira_mcp::testing::source_dir()) / "tests/content/corpus";
  Json adf = Json::parse(content_test::read_file(dir / "cloud_bug_report.adf.json"));
  std::string md = adf_to_markdown(adf);
  MESSAGE(md);
  Json back = markdown_to_adf(md);
  for (const auto& l : round_trip_losses(adf)) MESSAGE(l);
  CHECK(normalize_adf(back) == normalize_adf(adf));
  CHECK(content_test::adf_violations(back) == "");
}
TEST_CASE("scratch2") {
  std::ifstream in("/tmp/in.txt");
  std::ofstream out("/tmp/out.txt");
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line);
    Json doc = j["inline"].get<bool>() ? Json{{"type", "doc"}, {"version", 1}, {"content", Json::array({Json{{"type", "paragraph"}, {"content", j["c"]}}})}}
                                       : Json{{"type", "doc"}, {"version", 1}, {"content", j["c"]}};
    out << Json(adf_to_markdown(doc)).dump() << "\n";
  }
}
TEST_CASE("scratch3") {
  std::ifstream in("/tmp/in3.txt");
  std::ofstream out("/tmp/out3.txt");
  std::string line;
  while (std::getline(in, line)) {
    Json j = Json::parse(line);
    std::string f = j["f"];
    std::string r = f == "w2m" ? wiki_to_markdown(j["s"].get<std::string>()) : f == "m2w" ? markdown_to_wiki(j["s"].get<std::string>()) : adf_to_wiki(Json::parse(j["s"].get<std::string>()));
    out << Json(r).dump() << "\n";
  }
}
