// The sandbox's custom fields over HTTP: one field of each schema type in /field, values on the
// seeded issues in each flavour's shape, allowedValues on the screens, Jira's 400 for a value it
// does not allow, and the createmeta of Data Center before 8.4.
#include <doctest/doctest.h>
#include <httplib.h>
#include <jira_mcp/core/json.hpp>
#include <jira_mcp/sandbox/sandbox.hpp>

using jira_mcp::Json;
using namespace jira_mcp::sandbox;

namespace {

struct Dc {
  Sandbox sb;
  std::unique_ptr<httplib::Client> cli;
  explicit Dc(bool legacy, Flavor flavor = Flavor::DataCenter) : sb(options(legacy, flavor)) {
    REQUIRE(sb.start().ok());
    cli = std::make_unique<httplib::Client>(sb.base_url());
    const auto c = sb.credentials();
    if (flavor == Flavor::Cloud) cli->set_basic_auth(c.email, c.api_token);
    else cli->set_bearer_token_auth(c.pat);
  }
  static Options options(bool legacy, Flavor flavor) {
    Options o;
    o.flavor = flavor;
    o.issues = 40;
    o.threads = 2;
    o.legacy_createmeta = legacy;
    return o;
  }
  std::pair<int, Json> get(const std::string& path) {
    auto r = cli->Get(path);
    REQUIRE(r);
    return {r->status, Json::parse(r->body, nullptr, false)};
  }
};

Json by_id(const Json& list, const std::string& id) {
  for (const auto& f : list)
    if (f.value("id", "") == id) return f;
  return nullptr;
}

}  // namespace

TEST_CASE("sandbox custom fields: schema types in /field, values on DEMO-1 in each flavour's shape") {
  for (Flavor flavor : {Flavor::Cloud, Flavor::DataCenter}) {
    CAPTURE(to_string(flavor));
    Dc s(false, flavor);
    const std::string api = flavor == Flavor::Cloud ? "/rest/api/3" : "/rest/api/2";
    auto [st, fields] = s.get(api + "/field");
    REQUIRE(st == 200);
    CHECK(by_id(fields, "customfield_10061")["schema"]["custom"] == "com.atlassian.jira.plugin.system.customfieldtypes:cascadingselect");
    CHECK(by_id(fields, "customfield_10062")["schema"]["items"] == "user");
    CHECK(by_id(fields, "customfield_10020")["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-sprint");
    auto [ist, issue] = s.get(api + "/issue/DEMO-1?fields=*all");
    REQUIRE(ist == 200);
    const Json& f = issue["fields"];
    CHECK(f["customfield_10061"]["value"] == "Europe");
    CHECK(f["customfield_10061"]["child"]["value"] == "Berlin");
    CHECK(f["customfield_10016"] == 3.0);
    if (flavor == Flavor::Cloud) {
      CHECK(f["customfield_10020"][0]["state"] == "active");
      CHECK(f["customfield_10068"]["type"] == "doc");
      CHECK(f["customfield_10062"][0].contains("accountId"));
    } else {
      const std::string sprint = f["customfield_10020"][0];
      CHECK(sprint.rfind("com.atlassian.greenhopper.service.sprint.Sprint@", 0) == 0);
      CHECK(sprint.find("state=ACTIVE,name=DEMO Sprint 3,") != std::string::npos);
      CHECK(f["customfield_10068"] == "Ships behind the *beta* flag.");
      CHECK(f["customfield_10062"][0].contains("name"));
    }
    // A value Jira does not allow: 400 with Jira's error collection, nothing changed.
    auto r = s.cli->Put(api + "/issue/DEMO-1", Json{{"fields", {{"customfield_10061", {{"value", "Europe"}, {"child", {{"value", "Tokyo"}}}}}}}}.dump(),
                        "application/json");
    REQUIRE(r);
    CHECK(r->status == 400);
    const Json err = Json::parse(r->body, nullptr, false);
    CHECK(err["errors"]["customfield_10061"] == "Option value 'Tokyo' is not valid for parent option 10300");
    CHECK(err.contains("errorMessages"));
    CHECK(s.get(api + "/issue/DEMO-1?fields=customfield_10061").second["fields"]["customfield_10061"]["child"]["value"] == "Berlin");
  }
}

TEST_CASE("sandbox custom fields: Data Center before 8.4 has only the old createmeta") {
  Dc old_jira(true);
  CHECK(old_jira.get("/rest/api/2/issue/createmeta/DEMO/issuetypes").first == 404);
  CHECK(old_jira.get("/rest/api/2/issue/createmeta/DEMO/issuetypes/10003").first == 404);
  auto [st, meta] = old_jira.get("/rest/api/2/issue/createmeta?projectKeys=DEMO&issuetypeIds=10003&expand=projects.issuetypes.fields");
  REQUIRE(st == 200);
  REQUIRE(meta["projects"].size() == 1);
  const Json& type = meta["projects"][0]["issuetypes"][0];
  CHECK(type["name"] == "Bug");
  const Json& region = type["fields"]["customfield_10061"];
  CHECK(region["name"] == "Region");
  CHECK(region["allowedValues"][0]["children"][1]["value"] == "London");
  // Without the expand: types only; an unknown project is left out.
  auto [st2, bare] = old_jira.get("/rest/api/2/issue/createmeta?projectKeys=DEMO,NOPE");
  REQUIRE(st2 == 200);
  REQUIRE(bare["projects"].size() == 1);
  CHECK(bare["projects"][0]["issuetypes"].size() == 5);
  CHECK_FALSE(bare["projects"][0]["issuetypes"][0].contains("fields"));

  Dc current(false);
  CHECK(current.get("/rest/api/2/issue/createmeta/DEMO/issuetypes").first == 200);
  CHECK(current.get("/rest/api/2/issue/createmeta?projectKeys=DEMO").first == 200);  // still served before 9.0
}
