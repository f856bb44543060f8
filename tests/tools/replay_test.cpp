// Replay: every read tool, in both flavours, against Jira responses recorded from real sites
// (tests/tools/replay_support.hpp serves them), and the null probe: each member of each
// recorded response set to null, or removed, one at a time.
//
// A call may fail only because Jira answered 404 for a route no fixture answers; a JSON-RPC
// error, an internal error or any other isError is a defect in reading Jira's JSON.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <set>
#include <variant>

#include "tools/replay_support.hpp"
#include "tools/stack.hpp"

namespace jira_mcp::testing {
namespace {

using replay::FixtureJira;

// What one call produced, for checks added on top of the replay (output schema, custom field
// values): each registered hook sees every call the replay makes.
struct ReplayCall {
  std::string tool;
  Json arguments;
  bool cloud = true;
  std::string scenario;  // the fixtures served, for messages
  Json response;         // the whole JSON-RPC response
  Json tool_spec;        // the tool's listing (inputSchema, outputSchema, annotations)
};
using ReplayHook = std::function<void(const ReplayCall&)>;
std::vector<ReplayHook>& replay_hooks() {
  static std::vector<ReplayHook> hooks;
  return hooks;
}

// Argument values by name; other required arguments get a value of their schema's type.
Json argument_for(const std::string& name, const Json& schema) {
  static const std::map<std::string, Json> known = {
      {"issue_key", "KEY-1"},    {"issue_keys", Json::array({"KEY-1"})}, {"project_key", "KEY"},
      {"epic_key", "KEY-2"},     {"jql", "project = KEY"},              {"query", "a"},
      {"user", "someone"},       {"name", "x"},                         {"field", "priority"},
      {"field_id", "priority"}, {"issue_type", "Task"}};
  if (auto it = known.find(name); it != known.end()) {
    if (schema.value("type", "") == "array" && it->second.is_string()) return Json::array({it->second});
    return it->second;
  }
  const std::string type = schema.value("type", "string");
  if (schema.contains("enum") && !schema["enum"].empty()) return schema["enum"][0];
  if (type == "integer" || type == "number") return 1;
  if (type == "boolean") return false;
  if (type == "array") return Json::array({"10000"});
  if (type == "object") return Json::object();
  if (schema.value("pattern", "") == "^[0-9]+$" || name.ends_with("_id")) return "10000";
  return "x";
}

// The argument sets a read tool is called with: its required arguments, and the same with
// format=json where the tool has that.
std::vector<Json> argument_sets(const Json& tool) {
  const Json& schema = tool["inputSchema"];
  Json args = Json::object();
  const Json props = schema.value("properties", Json::object());
  for (const auto& r : schema.value("required", Json::array())) {
    const std::string name = r.get<std::string>();
    args[name] = argument_for(name, props.value(name, Json::object()));
  }
  // Arguments a tool needs although its schema cannot require them (one of two), or that must
  // name something the recorded responses have (every recorded createmeta has a Task).
  static const std::map<std::string, Json> extra = {{"jira_search_assignable_users", {{"project_key", "KEY"}}}};
  if (auto it = extra.find(tool["name"]); it != extra.end()) args.update(it->second);
  std::vector<Json> sets{args};
  if (props.contains("format") && props["format"].contains("enum")) {
    for (const auto& v : props["format"]["enum"]) {
      if (v == "json") {
        Json j = args;
        j["format"] = "json";
        sets.push_back(j);
      }
    }
  }
  return sets;
}

std::vector<Json> read_tools(Stack& stack) {
  auto r = stack.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", stack.next_id++}, {"method", "tools/list"}}, stack.session);
  std::vector<Json> out;
  for (const auto& t : (*r)["result"]["tools"]) {
    if (t.value("annotations", Json::object()).value("readOnlyHint", false)) out.push_back(t);
  }
  return out;
}

struct Tally {
  int calls = 0, ok = 0, not_found = 0, unsupported = 0, defects = 0;
  std::map<std::string, int> by_tool_not_found, by_tool_unsupported;
  std::map<std::string, double> ms_by_tool;
};

// One call; a defect is reported through CHECK with the call, the fixtures served and the answer.
void run_call(Stack& stack, const Json& tool, const Json& args, bool cloud, const std::string& scenario, Tally& tally) {
  const std::string name = tool["name"];
  const auto t0 = std::chrono::steady_clock::now();
  auto response = stack.dispatcher->handle(Json{{"jsonrpc", "2.0"}, {"id", stack.next_id++}, {"method", "tools/call"},
                                                {"params", {{"name", name}, {"arguments", args}}}},
                                           stack.session);
  ++tally.calls;
  tally.ms_by_tool[name] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(response);
  for (const auto& hook : replay_hooks()) hook(ReplayCall{name, args, cloud, scenario, *response, tool});
  const std::string where = name + " " + args.dump() + (cloud ? " (cloud)" : " (dc)") + " on " + scenario;
  // The first defects are reported in full; past that they are only counted (the final CHECK on
  // the count fails the test), so one bug met by thousands of variants does not flood the log.
  static int reported = 0;
  const auto report = [&](const std::string& what) {
    ++tally.defects;
    if (std::getenv("JIRA_MCP_REPLAY_VERBOSE")) std::cerr << "DEFECT " << where << " → " << what << "\n";
    if (++reported <= 40) FAIL_CHECK(where << " → " << what);
  };
  if (response->contains("error")) {
    report("JSON-RPC error " + (*response)["error"].dump());
    return;
  }
  const Json& result = (*response)["result"];
  if (!result.value("isError", false)) {
    ++tally.ok;
    return;
  }
  const std::string t = text(result);
  if (t.find("404") != std::string::npos) {
    ++tally.not_found;
    ++tally.by_tool_not_found[name];
    return;
  }
  // A tool that says this flavour of Jira has no such endpoint (labels on Data Center), or that
  // an argument names nothing in the recorded response (a field not on that create screen).
  if (t.find("has no endpoint") != std::string::npos || t.rfind("Invalid argument", 0) == 0) {
    ++tally.unsupported;
    ++tally.by_tool_unsupported[name];
    return;
  }
  report("isError: " + t.substr(0, 600));
}

// Scenario i serves, for each route kind, its i-th recorded body (cycling), so every fixture is
// served in some scenario and every read tool meets it.
struct Scenarios {
  std::map<std::string, std::vector<std::pair<std::string, Json>>> by_route;
  size_t count = 0;
  std::map<std::string, Json> bodies(size_t i, std::string& names) const {
    std::map<std::string, Json> out;
    names.clear();
    for (const auto& [route, list] : by_route) {
      const auto& [file, body] = list[i % list.size()];
      out[route] = body;
      if (list.size() > 1 || i == 0) names += (names.empty() ? "" : ", ") + route + "=" + file.substr(file.rfind('/') + 1);
    }
    return out;
  }
};

Scenarios load_scenarios(const std::filesystem::path& dir) {
  Scenarios s;
  for (const auto& f : replay::fixtures()) {
    s.by_route[f.route].emplace_back(f.file, replay::load(dir, f));
  }
  for (const auto& [route, list] : s.by_route) s.count = std::max(s.count, list.size());
  return s;
}

}  // namespace

TEST_CASE("replay: every read tool on every recorded Jira response, cloud and dc") {
  auto dir = replay::fixtures_dir("every read tool replayed on Jira responses recorded from real sites");
  if (!dir) return;
  const auto started = std::chrono::steady_clock::now();
  const Scenarios scenarios = load_scenarios(*dir);
  Tally tally;
  for (bool cloud : {true, false}) {
    CAPTURE(cloud);
    FixtureJira jira(cloud);
    // The routes each call reads, learned in scenario 0. A later scenario repeats a call only when
    // one of its routes serves a fixture not served before (routes with fewer recordings cycle).
    std::map<std::string, std::set<std::string>> reads;
    for (size_t i = 0; i < scenarios.count; ++i) {
      std::string names;
      jira.serve(scenarios.bodies(i, names));
      Stack stack(jira.url(), jira::DeploymentMode::auto_detect);
      for (const auto& tool : read_tools(stack)) {
        for (const auto& args : argument_sets(tool)) {
          const std::string call = tool["name"].get<std::string>() + args.dump();
          if (i > 0) {
            bool fresh = false;
            for (const auto& route : reads[call]) {
              const auto served = scenarios.by_route.find(route);
              fresh = fresh || (served != scenarios.by_route.end() && served->second.size() > i);
            }
            if (!fresh) continue;
          }
          jira.take_hits();
          run_call(stack, tool, args, cloud, names, tally);
          if (i == 0) reads[call] = jira.take_hits();
        }
      }
    }
  }
  std::string nf;
  for (const auto& [tool, n] : tally.by_tool_not_found) nf += " " + tool + "=" + std::to_string(n);
  std::string un;
  for (const auto& [tool, n] : tally.by_tool_unsupported) un += " " + tool + "=" + std::to_string(n);
  std::vector<std::pair<double, std::string>> slow;
  for (const auto& [tool, ms] : tally.ms_by_tool) slow.emplace_back(ms, tool);
  std::sort(slow.rbegin(), slow.rend());
  std::string slowest;
  for (size_t i = 0; i < slow.size() && i < 5; ++i) slowest += " " + slow[i].second + "=" + std::to_string(static_cast<long>(slow[i].first)) + "ms";
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("replay: " << replay::fixtures().size() << " fixtures in " << scenarios.count << " scenarios x 2 flavours: "
                     << tally.calls << " calls, " << tally.ok << " ok, " << tally.not_found
                     << " answered Jira's 404 (no recorded route:" << nf << "), " << tally.unsupported
                     << " said the flavour has no such endpoint or the argument names nothing recorded ("
                     << un << "), " << tally.defects << " defects, " << ms << " ms (slowest:"
                     << slowest << ")");
  CHECK(tally.defects == 0);
  CHECK(tally.ok > tally.calls / 2);
}

}  // namespace jira_mcp::testing

namespace jira_mcp::testing {
namespace {

// Every member of `j` (objects at any depth) as a path of keys and array indices, once per
// generalized path (indices as "*"): the first array element that has a member stands for all.
using JsonPath = std::vector<std::variant<std::string, size_t>>;
void member_paths(const Json& j, JsonPath& at, std::string general, std::set<std::string>& seen, std::vector<JsonPath>& out) {
  // Expansions and decorations no tool reads member by member: probed whole, not inside.
  static const std::set<std::string> kWhole = {"avatarUrls", "names", "schema", "renderedFields", "editmeta",
                                               "operations", "versionedRepresentations"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string g = general + "/" + it.key();
      at.emplace_back(it.key());
      if (seen.insert(g).second) out.push_back(at);
      // (A field's "schema" in create/edit metadata is read, so only issue-level ones are whole.)
      const bool whole = it.key() == "avatarUrls" || (kWhole.count(it.key()) && general.find("/fields") == std::string::npos);
      if (!whole) member_paths(it.value(), at, g, seen, out);
      at.pop_back();
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      at.emplace_back(i);
      member_paths(j[i], at, general + "/*", seen, out);
      at.pop_back();
    }
  }
}

// `j` with the member at `path` set to null (remove=false) or taken out (remove=true).
Json mutated(Json j, const JsonPath& path, bool remove) {
  Json* node = &j;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    node = std::holds_alternative<size_t>(path[i]) ? &(*node)[std::get<size_t>(path[i])] : &(*node)[std::get<std::string>(path[i])];
  }
  const auto& key = std::get<std::string>(path.back());
  if (remove) {
    node->erase(key);
  } else {
    (*node)[key] = nullptr;
  }
  return j;
}

std::string path_text(const JsonPath& path) {
  std::string s;
  for (const auto& p : path) s += std::holds_alternative<size_t>(p) ? "/" + std::to_string(std::get<size_t>(p)) : "/" + std::get<std::string>(p);
  return s;
}

}  // namespace

TEST_CASE("null probe: each member of each recorded response null or missing, one at a time") {
  auto dir = replay::fixtures_dir("the null probe over Jira responses recorded from real sites");
  if (!dir) return;
  const auto started = std::chrono::steady_clock::now();
  const Scenarios scenarios = load_scenarios(*dir);
  std::string ignored;
  const std::map<std::string, Json> base = scenarios.bodies(0, ignored);
  // One server and stack per flavour. A member's null variant runs in one flavour and its
  // removal in the other (alternating by member), so both flavours meet both kinds of gap.
  struct Side {
    std::unique_ptr<FixtureJira> jira;
    std::unique_ptr<Stack> stack;
    std::map<std::string, std::vector<std::pair<Json, Json>>> readers;  // route → (tool, args)
    bool cloud;
  };
  std::vector<Side> sides;
  for (bool cloud : {true, false}) {
    Side side;
    side.cloud = cloud;
    side.jira = std::make_unique<FixtureJira>(cloud);
    side.jira->serve(base);
    side.stack = std::make_unique<Stack>(side.jira->url(), jira::DeploymentMode::auto_detect);
    // Which calls read which route: learned by running every read tool once on the base bodies.
    for (const auto& tool : read_tools(*side.stack)) {
      for (const auto& args : argument_sets(tool)) {
        side.jira->take_hits();
        Tally ignore;
        run_call(*side.stack, tool, args, cloud, "base", ignore);
        for (const auto& route : side.jira->take_hits()) side.readers[route].emplace_back(tool, args);
      }
    }
    sides.push_back(std::move(side));
  }
  int variants = 0, calls = 0, defects = 0, members = 0;
  // A member shape already probed on a route (same generalized path) is not probed again for
  // the next fixture of that route; expansions no tool reads are probed whole, not inside.
  std::map<std::string, std::set<std::string>> probed;
  size_t parity = 0;
  // A representative subset within the time budget: the recorded responses up to kMaxBytes
  // (every route has one; the larger ones repeat the same shapes many times over).
  constexpr std::uintmax_t kMaxBytes = 16 * 1024;
  int probed_fixtures = 0;
  for (const auto& f : replay::fixtures()) {
    if (std::filesystem::file_size(*dir / f.file) > kMaxBytes) continue;
    ++probed_fixtures;
    Json body = replay::load(*dir, f);
    std::vector<JsonPath> paths;
    JsonPath at;
    member_paths(body, at, "", probed[f.route], paths);
    members += static_cast<int>(paths.size());
    for (const auto& path : paths) {
      for (bool remove : {false, true}) {
        Side& side = sides[(parity + (remove ? 1 : 0)) % 2];
        auto bodies = base;
        bodies[f.route] = mutated(body, path, remove);
        side.jira->serve(std::move(bodies));
        ++variants;
        const std::string scenario = std::string(f.file) + " with " + path_text(path) + (remove ? " removed" : " = null");
        // One reader of the route per variant, taking turns, so every reader meets gaps and the
        // probe stays within its time budget.
        const auto& readers = side.readers[f.route];
        if (!readers.empty()) {
          const auto& [tool, args] = readers[static_cast<size_t>(variants) % readers.size()];
          Tally t;
          run_call(*side.stack, tool, args, side.cloud, scenario, t);
          calls += t.calls;
          defects += t.defects;
        }
      }
      ++parity;
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  MESSAGE("null probe: " << probed_fixtures << " of " << replay::fixtures().size() << " fixtures (those up to 16 KB), " << members << " member shapes, " << variants
                         << " variants (null / removed), " << calls << " calls, " << defects << " defects, " << ms << " ms");
  CHECK(defects == 0);
}

}  // namespace jira_mcp::testing
