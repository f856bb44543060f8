// The seeded dataset. Everything is drawn from one mt19937_64 in a fixed order, so the same
// (seed, size, flavour) always yields the same issues; timestamps are offsets before "now".
//
// Shape: four projects (DEMO, OPS, WEB, MOB) share one workflow (To Do → In Progress → In Review
// → Done, any-to-any transitions). Issues are dealt round-robin to the projects, so DEMO-1 is
// always the first issue; numbers 2-4 of each project are epics, later issues are stories, tasks,
// bugs and sub-tasks of earlier issues. DEMO, WEB and MOB have scrum boards with two closed
// sprints, one active and one future sprint; OPS has a kanban board.
#include "sandbox/model.hpp"

#include "sandbox/custom_fields.hpp"

#include <array>
#include <random>

namespace jira_mcp::sandbox::detail {
namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }
  template <class C>
  const auto& pick(const C& c) { return c[below(c.size())]; }

 private:
  std::mt19937_64 gen_;
};

constexpr std::array kVerbs = {"Fix", "Add", "Improve", "Refactor", "Investigate", "Update",
                               "Remove", "Document", "Migrate", "Speed up"};
constexpr std::array kObjects = {"login flow", "checkout page", "search index",
                                 "API rate limiter", "dashboard widgets", "payment retries",
                                 "user settings", "notification emails", "cache layer",
                                 "deployment pipeline", "mobile sync", "audit log",
                                 "password reset", "CSV export", "webhook delivery"};
constexpr std::array kSuffixes = {"", " for admins", " on Safari", " under load",
                                  " after upgrade", " in dark mode"};
constexpr std::array kLabels = {"backend", "frontend", "urgent", "tech-debt", "customer",
                                "security", "performance", "docs"};
constexpr std::array kCommentTexts = {
    "I can reproduce this on staging.", "Looks good to me, merging after CI passes.",
    "Could we add a test for the edge case with empty input?",
    "Blocked until the API change ships.", "Moved to the next sprint, see planning notes.",
    "Root cause: the retry loop ignored the Retry-After header."};

Json adf_description(const std::string& what, const std::vector<std::string>& criteria,
                     bool with_code) {
  Json content = Json::array();
  content.push_back({{"type", "heading"}, {"attrs", {{"level", 3}}},
                     {"content", {{{"type", "text"}, {"text", "Context"}}}}});
  content.push_back({{"type", "paragraph"},
                     {"content",
                      {{{"type", "text"}, {"text", "We need to " + what + ". "}},
                       {{"type", "text"}, {"text", "Acceptance criteria"},
                        {"marks", {{{"type", "strong"}}}}},
                       {{"type", "text"}, {"text", " below."}}}}});
  Json items = Json::array();
  for (const auto& c : criteria)
    items.push_back({{"type", "listItem"},
                     {"content", {{{"type", "paragraph"},
                                   {"content", {{{"type", "text"}, {"text", c}}}}}}}});
  content.push_back({{"type", "bulletList"}, {"content", std::move(items)}});
  if (with_code)
    content.push_back({{"type", "codeBlock"}, {"attrs", {{"language", "bash"}}},
                       {"content", {{{"type", "text"}, {"text", "curl -s $JIRA_URL/status"}}}}});
  return {{"type", "doc"}, {"version", 1}, {"content", std::move(content)}};
}

std::string wiki_description(const std::string& what, const std::vector<std::string>& criteria,
                             bool with_code) {
  std::string s = "h3. Context\nWe need to " + what + ". *Acceptance criteria* below.\n";
  for (const auto& c : criteria) s += "* " + c + "\n";
  if (with_code) s += "{code:bash}\ncurl -s $JIRA_URL/status\n{code}\n";
  return s;
}

void seed_reference_data(Store& s, Flavor flavor) {
  const std::array<std::array<const char*, 3>, 8> people = {{
      {"alice", "Alice Admin", "Europe/Berlin"}, {"bob", "Bob Builder", "America/New_York"},
      {"carol", "Carol Chen", "Asia/Singapore"}, {"dave", "Dave Diaz", "America/Los_Angeles"},
      {"erin", "Erin Evans", "Europe/London"},   {"frank", "Frank Fischer", "Europe/Berlin"},
      {"grace", "Grace Green", "Australia/Sydney"}, {"heidi", "Heidi Hill", "UTC"}}};
  for (std::size_t i = 0; i < people.size(); ++i) {
    User u;
    char acc[40];
    std::snprintf(acc, sizeof acc, "5b10ac8d82e05b22cc7d4e%02zx", i + 1);
    u.account_id = acc;
    u.name = people[i][0];
    u.key = "JIRAUSER" + std::to_string(10000 + i);
    u.email = std::string(people[i][0]) + "@example.com";
    u.display_name = people[i][1];
    u.time_zone = people[i][2];
    s.users.push_back(std::move(u));
  }
  (void)flavor;
  s.statuses = {{"10000", "To Do", "Work that has not been started.", 2},
                {"3", "In Progress", "This issue is being actively worked on.", 4},
                {"10001", "In Review", "Waiting for a code review.", 4},
                {"10002", "Done", "Work has finished.", 3}};
  s.issue_types = {{"10000", "Epic", "A big user story that needs to be broken down.", false, 1},
                   {"10001", "Story", "Functionality or a feature expressed as a user goal.",
                    false, 0},
                   {"10002", "Task", "A small, distinct piece of work.", false, 0},
                   {"10003", "Bug", "A problem or error.", false, 0},
                   {"10004", "Sub-task", "A small piece of work that's part of a larger task.",
                    true, -1}};
  s.priorities = {{"1", "Highest", "This problem will block progress.", "#d04437"},
                  {"2", "High", "Serious problem that could block progress.", "#f15C75"},
                  {"3", "Medium", "Has the potential to affect progress.", "#f79232"},
                  {"4", "Low", "Minor problem or easily worked around.", "#707070"},
                  {"5", "Lowest", "Trivial problem with little or no impact on progress.",
                   "#999999"}};
  s.resolutions = {{"10000", "Done", "Work has been completed on this issue.", ""},
                   {"10001", "Won't Do", "This issue won't be actioned.", ""},
                   {"10002", "Duplicate", "The problem is a duplicate of an existing issue.", ""},
                   {"10003", "Cannot Reproduce", "All attempts at reproducing this issue failed.",
                    ""}};
  s.link_types = {{"10000", "Blocks", "is blocked by", "blocks"},
                  {"10001", "Cloners", "is cloned by", "clones"},
                  {"10002", "Duplicate", "is duplicated by", "duplicates"},
                  {"10003", "Relates", "relates to", "relates to"}};
  s.severity_options = {{"10100", "Critical"}, {"10101", "Major"}, {"10102", "Minor"},
                        {"10103", "Trivial"}};
  s.teams = {"Platform", "Payments", "Growth", "Reliability"};

  const std::array<std::array<const char*, 6>, 4> projects = {{
      {"DEMO", "Demo Project", "Backend", "Frontend", "API", "A tour of the sandbox."},
      {"OPS", "Operations", "Infrastructure", "Monitoring", "Database", "Keeping the lights on."},
      {"WEB", "Web Platform", "UI", "Checkout", "Search", "The customer-facing web shop."},
      {"MOB", "Mobile Apps", "iOS", "Android", "Sync", "Our iOS and Android apps."}}};
  std::int64_t comp_id = 10000, ver_id = 10100;
  for (std::size_t p = 0; p < projects.size(); ++p) {
    Project pr{std::to_string(10000 + p), projects[p][0], projects[p][1], projects[p][5],
               static_cast<int>(p % 3), 1};
    for (int c = 2; c <= 4; ++c)
      s.components[comp_id] = {comp_id, pr.key, projects[p][c],
                               std::string("Work on the ") + projects[p][c] + " area.",
                               static_cast<int>((p + c) % 8)},
      ++comp_id;
    const std::array<std::array<const char*, 4>, 4> versions = {{
        {"1.0", "2024-01-15", "2024-03-01", "r"}, {"1.1", "2024-03-02", "2024-05-10", "r"},
        {"2.0", "2024-05-11", "2099-09-30", "u"}, {"2.1", "2024-10-01", "2099-12-15", "u"}}};
    for (const auto& v : versions) {
      s.versions[ver_id] = {ver_id, pr.key, v[0], std::string("Release ") + v[0], v[1], v[2],
                            v[3][0] == 'r', false};
      ++ver_id;
    }
    s.projects.push_back(std::move(pr));
  }
  s.boards = {{1, "DEMO board", "scrum", "DEMO"}, {2, "OPS board", "kanban", "OPS"},
              {3, "WEB board", "scrum", "WEB"}, {4, "MOB board", "scrum", "MOB"}};
}

void seed_sprints(Store& s, Millis now) {
  std::int64_t id = 1;
  for (const auto& b : s.boards) {
    if (b.type != "scrum") continue;
    for (int n = 0; n < 4; ++n) {
      Sprint sp;
      sp.id = id++;
      sp.board_id = b.id;
      sp.name = b.project_key + " Sprint " + std::to_string(n + 1);
      const Millis start = now - (3 - n) * 14 * kDay - 7 * kDay;
      sp.state = n < 2 ? "closed" : n == 2 ? "active" : "future";
      sp.goal = n == 2 ? "Ship the " + b.project_key + " beta" : "";
      if (sp.state != "future") {
        sp.start = start;
        sp.end = start + 14 * kDay;
      }
      if (sp.state == "closed") sp.complete = sp.end;
      s.sprints[sp.id] = sp;
    }
  }
}

std::vector<std::int64_t> sprints_of(const Store& s, const std::string& project_key) {
  std::vector<std::int64_t> out;
  for (const auto& b : s.boards)
    if (b.project_key == project_key)
      for (const auto& [id, sp] : s.sprints)
        if (sp.board_id == b.id) out.push_back(id);
  return out;
}

// The shapes real Jira sends that the tidy data above lacks (each seen in the recorded responses
// under ../shared/real-jira-fixtures): drawn from no random numbers, so the rest of the dataset
// is what it was. DEMO-2 carries the odd comments and worklog.
void seed_untidy(Store& s, Flavor flavor) {
  for (const auto& [id, v] : s.versions) {
    if (v.project_key == "MOB" && v.name == "2.1") s.untidy.versions_without_description_or_date.insert(id);
  }
  for (const auto& [id, c] : s.components) {
    if (c.project_key == "OPS" && c.name == "Database") s.untidy.components_without_description.insert(id);
  }
  s.untidy.projects_without_description.insert("OPS");
  auto it = s.key_index.find("DEMO-2");
  if (it == s.key_index.end()) return;
  Issue& is = s.issues.at(it->second);
  const bool cloud = flavor == Flavor::Cloud;
  const Millis when = is.updated;
  Comment anonymous;
  anonymous.id = s.new_id();
  anonymous.author = anonymous.update_author = -1;
  anonymous.body = cloud ? adf_text("Posted without signing in.") : Json("Posted without signing in.");
  anonymous.created = anonymous.updated = when;
  is.comments.push_back(std::move(anonymous));
  if (!cloud) {
    // A Data Center user whose display name Jira sends as null (a directory sync gone wrong).
    User u;
    u.name = u.key = "legacy.user";
    u.email = "legacy.user@example.com";
    u.time_zone = "UTC";
    s.users.push_back(u);
    const int legacy = static_cast<int>(s.users.size() - 1);
    s.untidy.users_without_display_name.insert(legacy);
    Comment cm;
    cm.id = s.new_id();
    cm.author = cm.update_author = legacy;
    cm.body = Json("Imported from the old tracker.");
    cm.created = cm.updated = when;
    is.comments.push_back(std::move(cm));
  }
  Worklog wl;
  wl.id = s.new_id();
  wl.author = wl.update_author = is.reporter;
  wl.seconds = 7 * 8 * 3600;  // "1w 2d"
  wl.started = wl.created = wl.updated = when;
  s.untidy.legacy_worklogs.insert(wl.id);
  is.worklogs.push_back(std::move(wl));
}

}  // namespace

void seed_store(Store& s, Flavor flavor, int count, std::uint64_t seed, Millis now) {
  Rng rng(seed);
  seed_reference_data(s, flavor);
  seed_sprints(s, now);
  const bool cloud = flavor == Flavor::Cloud;
  std::map<std::string, std::vector<std::int64_t>> epics, parents;
  std::map<std::string, std::vector<std::int64_t>> comps, vers;
  for (const auto& [id, c] : s.components) comps[c.project_key].push_back(id);
  for (const auto& [id, v] : s.versions) vers[v.project_key].push_back(id);

  for (int i = 0; i < count; ++i) {
    Project& p = s.projects[static_cast<std::size_t>(i) % s.projects.size()];
    Issue is;
    is.id = s.next_issue_id++;
    is.number = p.next_number++;
    is.key = p.key + "-" + std::to_string(is.number);
    is.project_key = p.key;
    is.rank = s.next_rank++;
    if (is.number >= 2 && is.number <= 4) {
      is.type_id = "10000";
    } else if (is.number > 8 && rng.chance(15) && !parents[p.key].empty()) {
      is.type_id = "10004";
      is.parent_id = rng.pick(parents[p.key]);
    } else {
      const auto r = rng.below(100);
      is.type_id = r < 50 ? "10001" : r < 78 ? "10002" : "10003";
    }
    const std::string what = std::string(lower(rng.pick(kVerbs))) + " the " + rng.pick(kObjects);
    is.summary = is.number == 1 ? "Welcome to the " + p.name + " sandbox"
                                : std::string(rng.pick(kVerbs)) + " " + rng.pick(kObjects) +
                                      rng.pick(kSuffixes);
    if (is.type_id == "10000") is.summary = std::string("Epic: ") + rng.pick(kObjects) + " revamp";
    std::vector<std::string> criteria = {"It works in Chrome and Firefox",
                                         "Errors are logged with a request id"};
    if (rng.chance(50)) criteria.push_back("Documentation is updated");
    const bool code = rng.chance(30);
    if (!rng.chance(10) || is.number == 1) {
      is.description = cloud ? adf_description(what, criteria, code)
                             : Json(wiki_description(what, criteria, code));
      is.description_text = plain_text(is.description);
    }
    const auto st = rng.below(100);
    is.status_id = st < 35 ? "10000" : st < 55 ? "3" : st < 65 ? "10001" : "10002";
    is.priority_id = std::to_string(1 + rng.below(5));
    is.created = now - static_cast<Millis>(1 + rng.below(180)) * kDay -
                 static_cast<Millis>(rng.below(kDay));
    is.updated = is.created + static_cast<Millis>(rng.below(static_cast<std::uint64_t>(now - is.created)));
    if (is.status_id == "10002") {
      is.resolution_id = rng.chance(85) ? "10000" : rng.chance(50) ? "10001" : "10002";
      is.resolution_date = is.updated;
    }
    is.reporter = static_cast<int>(rng.below(s.users.size()));
    is.creator = is.reporter;
    if (is.number == 1) {
      is.reporter = is.creator = 0;
      is.assignee = 0;
    } else if (rng.chance(80)) {
      is.assignee = static_cast<int>(rng.below(s.users.size()));
    }
    for (int n = static_cast<int>(rng.below(3)); n > 0; --n) {
      std::string l = rng.pick(kLabels);
      if (std::find(is.labels.begin(), is.labels.end(), l) == is.labels.end()) is.labels.push_back(l);
    }
    if (rng.chance(60)) is.components.push_back(rng.pick(comps[p.key]));
    if (rng.chance(50)) is.fix_versions.push_back(rng.pick(vers[p.key]));
    if (is.type_id == "10003" && rng.chance(50)) is.versions.push_back(rng.pick(vers[p.key]));
    if (rng.chance(30)) is.due_date = format_date(now + static_cast<Millis>(rng.below(60)) * kDay - 20 * kDay);
    if (is.type_id == "10001" || (is.type_id != "10000" && rng.chance(30))) {
      constexpr std::array kPoints = {1.0, 2.0, 3.0, 5.0, 8.0, 13.0};
      is.story_points = rng.pick(kPoints);
    }
    if (is.type_id == "10003") is.severity = rng.pick(s.severity_options).id;
    if (rng.chance(50)) is.team = rng.pick(s.teams);
    if (is.type_id != "10000" && is.type_id != "10004" && !epics[p.key].empty() && rng.chance(70))
      is.epic_id = rng.pick(epics[p.key]);
    const auto sprints = sprints_of(s, p.key);
    if (!sprints.empty() && is.type_id != "10000" && is.type_id != "10004" && rng.chance(70)) {
      // sprints: [closed, closed, active, future]
      if (is.status_id == "10002") {
        is.sprints.push_back(sprints[rng.below(3)]);
      } else {
        if (rng.chance(30)) is.sprints.push_back(sprints[rng.below(2)]);  // carried over
        is.sprints.push_back(rng.chance(70) ? sprints[2] : sprints[3]);
      }
    }
    const int comments = is.number == 1 ? 2 : static_cast<int>(rng.below(4));
    for (int c = 0; c < comments; ++c) {
      Comment cm;
      cm.id = s.new_id();
      cm.author = static_cast<int>(rng.below(s.users.size()));
      cm.update_author = cm.author;
      std::string text = rng.pick(kCommentTexts);
      cm.body = cloud ? adf_text(text) : Json(text);
      cm.created = cm.updated = is.created + (c + 1) * (is.updated - is.created) / (comments + 1);
      is.comments.push_back(std::move(cm));
    }
    for (int w = static_cast<int>(rng.below(3)); w > 0; --w) {
      Worklog wl;
      wl.id = s.new_id();
      wl.author = wl.update_author = static_cast<int>(rng.below(s.users.size()));
      wl.seconds = static_cast<std::int64_t>(1 + rng.below(16)) * 1800;
      wl.started = wl.created = wl.updated = is.created + (is.updated - is.created) / 2;
      if (rng.chance(50)) wl.comment = cloud ? adf_text("Pairing session") : Json("Pairing session");
      is.worklogs.push_back(std::move(wl));
    }
    is.watchers.push_back(is.reporter);
    if (is.assignee >= 0 && is.assignee != is.reporter) is.watchers.push_back(is.assignee);
    if (is.status_id != "10000") {
      const StatusDef* to = s.status(is.status_id);
      is.changelog.push_back({s.new_id(), is.assignee >= 0 ? is.assignee : is.reporter,
                              is.created + (is.updated - is.created) / 3,
                              {{"status", "10000", "To Do", to->id, to->name}}});
    }
    if (is.number == 1 || rng.chance(5)) {
      Attachment a{s.new_id(), is.id, "notes.txt", "text/plain",
                   "Sandbox notes for " + is.key + "\nLine two.\n", is.reporter, is.created};
      is.attachments.push_back(a.id);
      s.attachments[a.id] = std::move(a);
    }
    if (is.number == 1) {
      // A whole 1x1 RGBA PNG (signature, IHDR, IDAT, IEND with their CRCs): image decoders take it.
      static const unsigned char kPng[] = {
          0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
          0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
          0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xdf, 0xc0, 0xf0, 0x1f, 0x00, 0x06, 0x80, 0x02, 0x7f,
          0xcf, 0x12, 0x09, 0xf1, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
      Attachment a{s.new_id(), is.id, "screenshot.png", "image/png",
                   std::string(reinterpret_cast<const char*>(kPng), sizeof kPng), is.reporter,
                   is.created};
      is.attachments.push_back(a.id);
      s.attachments[a.id] = std::move(a);
      is.remote_links.push_back({s.new_id(), "system=https://docs.example.com&id=1", "mentioned in",
                                 {{"url", "https://docs.example.com/sandbox"},
                                  {"title", "Sandbox guide"}}});
    }
    if (is.type_id == "10000") epics[p.key].push_back(is.id);
    else if (is.type_id != "10004") parents[p.key].push_back(is.id);
    s.key_index[is.key] = is.id;
    s.issues.emplace(is.id, std::move(is));
  }
  // Links between random issues (also across projects): about one per five issues.
  std::vector<std::int64_t> ids;
  for (const auto& [id, is] : s.issues) ids.push_back(id);
  for (std::size_t n = 0; n < ids.size() / 5; ++n) {
    const auto a = ids[rng.below(ids.size())];
    const auto b = ids[rng.below(ids.size())];
    if (a == b) continue;
    const auto& lt = rng.pick(s.link_types);
    const std::int64_t id = s.new_id();
    s.links[id] = {id, lt.id, a, b};
  }
  seed_custom_values(s, flavor, seed, now);
  seed_untidy(s, flavor);
}

}  // namespace jira_mcp::sandbox::detail
