#pragma once
// Recorded Jira responses (../shared/real-jira-fixtures, see its SOURCES.md) served by a real
// loopback HTTP server at the routes they answer, for the replay and null-probe tests.
//
// Each fixture file is assigned to one route kind (kFixtures below). A route kind matches both
// the /rest/api/3 and /rest/api/2 forms of its path (agile routes have one form). Where a modern
// route wraps the same payload in a newer envelope (SOURCES.md: /search/jql pages, the changelog
// page, the paged createmeta), the served body is adapted from the recorded one; webhook payloads
// give their `issue` member. A single recorded comment or worklog is served as a one-item page of
// the list route (the item representation is the same). Everything else is served byte for byte
// as recorded. /serverInfo answers the flavour under test (deploymentType Cloud or Server), so the
// client's deployment detection runs as against a real site.
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <utility>
#include <sstream>
#include <string>
#include <vector>

#include "jira/test_servers.hpp"
#include "jira_mcp/core/json.hpp"
#include "support/shared.hpp"

namespace jira_mcp::testing::replay {

// How a recorded body becomes the body of its route.
enum class Adapt { none, webhook_issue, comment_page, worklog_page, one_item_array, attachments_issue };

struct Fixture {
  const char* file;   // under real-jira-fixtures/
  const char* route;  // a route kind of kRoutes
  Adapt adapt = Adapt::none;
};

// Route kind → path regexes (matched against the whole path, without the query).
// In match order: a more specific route before the one it would also match.
inline const std::vector<std::pair<std::string, std::vector<std::string>>>& routes() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> r = {
      {"search", {R"(/rest/api/[23]/search)", R"(/rest/api/3/search/jql)"}},
      {"comments", {R"(/rest/api/[23]/issue/[^/]+/comment)"}},
      {"transitions", {R"(/rest/api/[23]/issue/[^/]+/transitions)"}},
      {"worklogs", {R"(/rest/api/[23]/issue/[^/]+/worklog)"}},
      {"watchers", {R"(/rest/api/[23]/issue/[^/]+/watchers)"}},
      {"remotelinks", {R"(/rest/api/[23]/issue/[^/]+/remotelink)"}},
      {"editmeta", {R"(/rest/api/[23]/issue/[^/]+/editmeta)"}},
      {"createmeta", {R"(/rest/api/[23]/issue/createmeta/[^/]+/issuetypes(/[^/]+)?)", R"(/rest/api/[23]/issue/createmeta)"}},
      {"fields", {R"(/rest/api/[23]/field)"}},
      {"components", {R"(/rest/api/[23]/project/[^/]+/components)", R"(/rest/api/[23]/component/[^/]+)"}},
      {"versions", {R"(/rest/api/[23]/project/[^/]+/versions)", R"(/rest/api/[23]/version/[^/]+)"}},
      {"project_statuses", {R"(/rest/api/[23]/project/[^/]+/statuses)"}},
      {"statuses", {R"(/rest/api/[23]/status)"}},
      {"priorities", {R"(/rest/api/[23]/priority)"}},
      {"link_types", {R"(/rest/api/[23]/issueLinkType)"}},
      {"issue_link", {R"(/rest/api/[23]/issueLink/[^/]+)"}},
      {"myself", {R"(/rest/api/[23]/myself)"}},
      {"user_search", {R"(/rest/api/[23]/user/search)", R"(/rest/api/[23]/user/picker)"}},
      {"assignable", {R"(/rest/api/[23]/user/assignable/search)"}},
      {"attachment", {R"(/rest/api/[23]/attachment/[^/]+)"}},
      {"labels", {R"(/rest/api/[23]/label)"}},
      {"boards", {R"(/rest/agile/1\.0/board)"}},
      {"board_sprints", {R"(/rest/agile/1\.0/board/[^/]+/sprint)"}},
      {"board_issues", {R"(/rest/agile/1\.0/board/[^/]+/(issue|backlog))"}},
      {"sprint_issues", {R"(/rest/agile/1\.0/sprint/[^/]+/issue)"}},
      {"epic_issues", {R"(/rest/agile/1\.0/epic/[^/]+/issue)"}},
      {"projects", {R"(/rest/api/[23]/project)", R"(/rest/api/[23]/project/search)"}},
      {"issue", {R"(/rest/api/[23]/issue/[^/]+)"}},
      {"project", {R"(/rest/api/[23]/project/[^/]+)"}},
      {"user", {R"(/rest/api/[23]/user)"}},
      {"board", {R"(/rest/agile/1\.0/board/[^/]+)"}},
      {"sprint", {R"(/rest/agile/1\.0/sprint/[^/]+)"}},
      {"epic", {R"(/rest/agile/1\.0/epic/[^/]+)"}},
  };
  return r;
}

inline const std::vector<Fixture>& fixtures() {
  static const std::vector<Fixture> f = {
      // ctreminiom/go-atlassian (Cloud)
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-issue.json", "issue"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/search-issues.json", "search"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-issue-comments.json", "comments"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-transitions.json", "transitions"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-fields.json", "fields"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-issue-create-metadata.json", "createmeta"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-issue-metadata.json", "editmeta"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-myselft.json", "myself"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get_priorities.json", "priorities"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get_issue_link_types.json", "link_types"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-issue-link-by-id.json", "issue_link"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/search-users.json", "user_search"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/find-users-assignable-to-projects.json", "assignable"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-issue-watchers.json", "watchers"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-attachments.json", "issue", Adapt::attachments_issue},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-attachment-metadata.json", "attachment"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-project.json", "project"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/search-projects.json", "projects"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-project-components.json", "components"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-project-versions.json", "versions"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-project-statuses.json", "project_statuses"},
      {"ctreminiom__go-atlassian/jira/v3/mocks/get-instance-labels.json", "labels"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-board.json", "board"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-boards-by-filter-id.json", "boards"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-board-sprints.json", "board_sprints"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-sprint-by-id.json", "sprint"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-sprint-issues.json", "sprint_issues"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-issues-by-sprint.json", "sprint_issues"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-board-issues.json", "board_issues"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-board-backlog.json", "board_issues"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-epic-issues.json", "epic_issues"},
      {"ctreminiom__go-atlassian/jira/agile/mocks/get-epic.json", "epic"},
      // mikebowler/jirametrics (Cloud, v2 issues with changelog)
      {"mikebowler__jirametrics/spec/testdata/SP-1.json", "issue"},
      {"mikebowler__jirametrics/spec/testdata/SP-2.json", "issue"},
      {"mikebowler__jirametrics/spec/testdata/SP-10.json", "issue"},
      {"mikebowler__jirametrics/spec/testdata/SP-13.json", "issue"},
      {"mikebowler__jirametrics/spec/testdata/SP-15.json", "issue"},
      {"mikebowler__jirametrics/spec/testdata/sample_statuses.json", "statuses"},
      // mattermost/mattermost-plugin-jira (Cloud and Server createmeta, Server webhooks)
      {"mattermost__mattermost-plugin-jira/webapp/src/testdata/cloud-get-create-issue-metadata-for-project-many-fields.json", "createmeta"},
      {"mattermost__mattermost-plugin-jira/webapp/src/testdata/server-get-create-issue-metadata-for-project-many-fields.json", "createmeta"},
      {"mattermost__mattermost-plugin-jira/server/testdata/webhook-server-issue-updated-commented-mention-user.json", "issue", Adapt::webhook_issue},
      {"mattermost__mattermost-plugin-jira/server/testdata/webhook-server-issue-updated-comment-edited.json", "issue", Adapt::webhook_issue},
      {"mattermost__mattermost-plugin-jira/server/testdata/webhook-server-issue-updated-closed.json", "issue", Adapt::webhook_issue},
      {"mattermost__mattermost-plugin-jira/server/testdata/webhook-server-issue-updated-many-fields.json", "issue", Adapt::webhook_issue},
      {"mattermost__mattermost-plugin-jira/server/testdata/webhook-server-issue-updated-in-progress.json", "issue", Adapt::webhook_issue},
      {"mattermost__mattermost-plugin-jira/server/testdata/webhook-server-issue-updated-commented-3.json", "issue", Adapt::webhook_issue},
      // schrepfler/jira-rest-java-client (Server 4.x/5.x)
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-all-expanded.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-all-expanded-with-resolution.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-5.0-with-changelog.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-visibility.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-user-picker-custom-field-filled-out.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-unassigned-no-time-tracking.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-anonymous-comment.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/issue-with-project-name-present.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/subtasks-5.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/valid-no-votes-no-watchers.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/issue/jrjc49.json", "issue"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/search/issues1.json", "search"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/search/many-issues.json", "search"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/comment/valid.json", "comments", Adapt::comment_page},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/worklog/valid.json", "worklogs", Adapt::worklog_page},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/worklog/valid-roleLevel.json", "worklogs", Adapt::worklog_page},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/worklog/valid-anonymousAuthor.json", "worklogs", Adapt::worklog_page},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/field/valid-multiple-fields.json", "fields"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/createmeta/valid-with-fields-expanded.json", "createmeta"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/project/project-jira-5-0.json", "project"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/project/projects.json", "projects"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/users/valid.json", "user_search"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/user/valid.json", "user"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/user/valid-basic-deleted-JRA-30263.json", "user"},
      {"schrepfler__jira-rest-java-client/test/src/test/resources/json/watcher/complete-valid.json", "watchers"},
      // sumoheavy/jira-ruby (Server 5)
      {"sumoheavy__jira-ruby/spec/mock_responses/issue/10002.json", "issue"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issue/10002/comment.json", "comments"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issue/10002/transitions.json", "transitions"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issue/10002/worklog.json", "worklogs"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issue/10002/watchers.json", "watchers"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issue/10002/attachments/10000.json", "attachment"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issue.json", "search"},
      {"sumoheavy__jira-ruby/spec/mock_responses/field.json", "fields"},
      {"sumoheavy__jira-ruby/spec/mock_responses/project.json", "projects"},
      {"sumoheavy__jira-ruby/spec/mock_responses/project/SAMPLEPROJECT.json", "project"},
      {"sumoheavy__jira-ruby/spec/mock_responses/priority.json", "priorities"},
      {"sumoheavy__jira-ruby/spec/mock_responses/status.json", "statuses"},
      {"sumoheavy__jira-ruby/spec/mock_responses/issueLinkType.json", "link_types"},
      {"sumoheavy__jira-ruby/spec/mock_responses/component/10000.json", "components", Adapt::one_item_array},
      {"sumoheavy__jira-ruby/spec/mock_responses/version/10000.json", "versions", Adapt::one_item_array},
      {"sumoheavy__jira-ruby/spec/mock_responses/board/1.json", "boards"},
      {"sumoheavy__jira-ruby/spec/mock_responses/board/1_issues.json", "board_issues"},
      {"sumoheavy__jira-ruby/spec/mock_responses/sprint/1.json", "sprint"},
      {"sumoheavy__jira-ruby/spec/mock_responses/sprint/1_issues.json", "sprint_issues"},
      {"sumoheavy__jira-ruby/spec/mock_responses/user_accountId=1234567890abcdef01234567.json", "user"},
      // andygrunwald/go-jira (issues.apache.org Data Center)
      {"andygrunwald__go-jira/testing/mock-data/all_projects.json", "projects"},
      {"andygrunwald__go-jira/testing/mock-data/project.json", "project"},
      {"andygrunwald__go-jira/testing/mock-data/all_priorities.json", "priorities"},
      {"andygrunwald__go-jira/testing/mock-data/all_statuses.json", "statuses"},
      {"andygrunwald__go-jira/testing/mock-data/all_issuelinktypes.json", "link_types"},
      {"andygrunwald__go-jira/testing/mock-data/all_boards.json", "boards"},
      {"andygrunwald__go-jira/testing/mock-data/sprints.json", "board_sprints"},
      {"andygrunwald__go-jira/testing/mock-data/transitions.json", "transitions"},
      {"andygrunwald__go-jira/testing/mock-data/remote_links.json", "remotelinks"},
      {"andygrunwald__go-jira/testing/mock-data/component_get.json", "components", Adapt::one_item_array},
      {"andygrunwald__go-jira/mocks/issues_in_sprint_with_changelog.json", "sprint_issues"},
      // ankitpokhrel/jira-cli (trimmed Cloud)
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/issue.json", "issue"},
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/createmetav9.json", "createmeta"},
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/sprints.json", "board_sprints"},
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/boards.json", "boards"},
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/transitions.json", "transitions"},
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/users.json", "user_search"},
      {"ankitpokhrel__jira-cli/pkg/jira/testdata/releases.json", "versions"},
  };
  return f;
}

// The fixtures folder, or nullopt (after the standard skip line) when ../shared is absent.
inline std::optional<std::filesystem::path> fixtures_dir(std::string_view unchecked) {
  auto sources = shared_file("real-jira-fixtures/SOURCES.md", unchecked);
  if (!sources) return std::nullopt;
  return sources->parent_path();
}

inline Json load(const std::filesystem::path& dir, const Fixture& f) {
  std::ifstream in(dir / f.file);
  std::stringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str());
  switch (f.adapt) {
    case Adapt::none: return j;
    case Adapt::webhook_issue: return j["issue"];
    case Adapt::comment_page: return Json{{"startAt", 0}, {"maxResults", 1}, {"total", 1}, {"comments", Json::array({j})}};
    case Adapt::worklog_page: return Json{{"startAt", 0}, {"maxResults", 1}, {"total", 1}, {"worklogs", Json::array({j})}};
    case Adapt::one_item_array: return Json::array({j});
    case Adapt::attachments_issue:
      return Json{{"id", "10000"}, {"key", "KEY-1"}, {"fields", {{"summary", "attachments"}, {"attachment", j}}}};
  }
  return j;
}

// The body a route answers for `path`, given the recorded body of its route kind: the envelope
// the modern route puts around the same payload, where it differs.
inline Json adapt_to_path(const std::string& kind, const std::string& path, const Json& recorded) {
  const auto array_member = [](const Json& j, const char* name) {
    return j.is_object() && j.contains(name) && j[name].is_array() ? j[name] : Json::array();
  };
  if (kind == "search" && path == "/rest/api/3/search/jql") {
    return Json{{"issues", array_member(recorded, "issues")}, {"isLast", true}};
  }
  if (kind == "issue" && path.size() > 10 && path.ends_with("/changelog")) return recorded;  // unreachable
  if (kind == "createmeta" && path.find("/issuetypes") != std::string::npos) {
    if (recorded.contains("values")) {  // already the paged shape (jira-cli's createmetav9)
      return recorded;
    }
    Json types = Json::array();
    for (const auto& p : array_member(recorded, "projects")) {
      for (const auto& t : array_member(p, "issuetypes")) types.push_back(t);
    }
    const bool one_type = path.find("/issuetypes/") != std::string::npos;
    if (!one_type) {
      Json page = Json::array();
      for (auto t : types) {
        if (t.is_object()) t.erase("fields");
        page.push_back(t);
      }
      return Json{{"startAt", 0}, {"maxResults", 200}, {"total", page.size()}, {"issueTypes", page}, {"values", page}};
    }
    Json fields = Json::array();
    if (!types.empty() && types[0].is_object() && types[0].contains("fields") && types[0]["fields"].is_object()) {
      for (auto& [id, f] : types[0]["fields"].items()) {
        Json x = f;
        if (x.is_object() && !x.contains("fieldId")) x["fieldId"] = id;
        fields.push_back(x);
      }
    }
    return Json{{"startAt", 0}, {"maxResults", 200}, {"total", fields.size()}, {"fields", fields}, {"values", fields}};
  }
  if (kind == "projects" && path.ends_with("/project/search")) {
    if (recorded.is_array()) return Json{{"startAt", 0}, {"maxResults", 50}, {"total", recorded.size()}, {"isLast", true}, {"values", recorded}};
    return recorded;
  }
  if (kind == "projects" && recorded.is_object()) return array_member(recorded, "values");
  if (kind == "components" && path.find("/component/") != std::string::npos && recorded.is_array()) {
    return recorded.empty() ? Json::object() : recorded[0];
  }
  if (kind == "versions" && path.find("/version/") != std::string::npos) {
    const Json& list = recorded.is_array() ? recorded : array_member(recorded, "values");
    return list.empty() ? Json::object() : list[0];
  }
  if (kind == "versions" && recorded.is_object() && path.ends_with("/versions")) return array_member(recorded, "values");
  return recorded;
}

// The issue's changelog as the modern /issue/{key}/changelog page.
inline Json changelog_page(const Json& issue) {
  Json histories = Json::array();
  if (issue.is_object() && issue.contains("changelog") && issue["changelog"].is_object() &&
      issue["changelog"].contains("histories") && issue["changelog"]["histories"].is_array()) {
    histories = issue["changelog"]["histories"];
  }
  return Json{{"startAt", 0}, {"maxResults", 100}, {"total", histories.size()}, {"isLast", true}, {"values", histories}};
}

// A loopback Jira answering from a table of route kind → body, swappable between calls.
class FixtureJira {
 public:
  explicit FixtureJira(bool cloud) : cloud_(cloud) {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { answer(req, res); };
    server_.server.Get(".*", handler);
    server_.server.Post(".*", handler);
  }
  std::string url() const { return server_.url(); }
  // The bodies served from now on (route kind → body); routes not in it answer 404.
  void serve(std::map<std::string, Json> bodies) {
    std::lock_guard lock(mu_);
    bodies_ = std::move(bodies);
    served_.clear();
  }
  int not_found() const {
    std::lock_guard lock(mu_);
    return not_found_;
  }
  // The route kinds requested since the last call (serverInfo not counted), and forgets them.
  std::set<std::string> take_hits() {
    std::lock_guard lock(mu_);
    return std::exchange(hits_, {});
  }

 private:
  void answer(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    const std::string& path = req.path;
    if (path.ends_with("/serverInfo")) {
      Json info{{"baseUrl", url()}, {"version", cloud_ ? "1001.0.0-SNAPSHOT" : "9.12.0"},
                {"versionNumbers", cloud_ ? Json::array({1001, 0, 0}) : Json::array({9, 12, 0})},
                {"deploymentType", cloud_ ? "Cloud" : "Server"}, {"buildNumber", 100000},
                {"serverTitle", "Replay"}};
      res.set_content(info.dump(), "application/json");
      return;
    }
    if (cloud_ && path.ends_with("/changelog") && path.starts_with("/rest/api/3/issue/")) {
      hits_.insert("issue");
      auto it = bodies_.find("issue");
      if (it != bodies_.end()) {
        res.set_content(changelog_page(it->second).dump(), "application/json");
        return;
      }
    }
    for (const auto& [kind, patterns] : compiled()) {
      for (const auto& p : patterns) {
        if (!std::regex_match(path, p)) continue;
        hits_.insert(kind);
        auto it = bodies_.find(kind);
        if (it == bodies_.end()) return not_found(res);
        // The adapted text by path, until the next serve(): tools ask for the same route often.
        auto done = served_.find(path);
        if (done == served_.end()) done = served_.emplace(path, adapt_to_path(kind, path, it->second).dump()).first;
        res.set_content(done->second, "application/json");
        return;
      }
    }
    not_found(res);
  }
  void not_found(httplib::Response& res) {
    ++not_found_;
    res.status = 404;
    res.set_content(R"({"errorMessages":["No recorded response for this route"],"errors":{}})", "application/json");
  }

  static const std::vector<std::pair<std::string, std::vector<std::regex>>>& compiled() {
    static const auto c = [] {
      std::vector<std::pair<std::string, std::vector<std::regex>>> out;
      for (const auto& [kind, patterns] : routes()) {
        std::vector<std::regex> rs;
        for (const auto& p : patterns) rs.emplace_back(p);
        out.emplace_back(kind, std::move(rs));
      }
      return out;
    }();
    return c;
  }

  bool cloud_;
  jira::testing::LoopbackServer server_;
  mutable std::mutex mu_;
  std::map<std::string, Json> bodies_;
  std::set<std::string> hits_;
  std::map<std::string, std::string> served_;
  int not_found_ = 0;
};

}  // namespace jira_mcp::testing::replay
