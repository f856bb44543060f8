// The bulk toolset: one change applied to many issues, each issue its own Jira call.
//
// Jira has no portable bulk endpoint for edits, transitions or comments (Cloud's bulk edit is an
// asynchronous task API that Data Center lacks), so each item is a short chain of ordinary calls:
// an edit is one PUT, a comment one POST, a transition a GET of the available transitions and
// then a POST. Items run concurrently through the client's async API, so they share its connection
// pool and rate limiter; run_items() keeps at most `concurrency` items in flight.
//
// The runner works on the handler's thread: it starts items, waits briefly on the oldest call in
// flight, then collects every call that has finished and runs its continuation, which either
// settles the item or starts its next call. Progress is reported as items settle. Cancellation
// stops new items from starting, and a transition whose read is done does not send its write;
// a write already sent runs to its end (bounded by the client's request timeout), so every item
// is reported truthfully as done, failed or not started. A cancelled call gets no response: the
// dispatcher sends its report (every item's outcome) as notifications/message and keeps it in
// the session, where jira_server_status shows it. Repeated keys are rejected (item lists) or
// dropped and reported (key lists), so no issue gets the same change twice.
//
// For a 2026-07-28 client that declares the tasks extension, each bulk call runs as a task
// (TaskSupport::optional): the client gets a task handle at once; tasks/get shows the progress
// and every issue's outcome as it settles, and the same report as the result when it ends;
// tasks/cancel stops it like a cancellation here (items not started stay untouched).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <set>

#include "jira_mcp/mcp/tasks.hpp"
#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

constexpr size_t kMaxItems = 1000;
constexpr long kDefaultConcurrency = 4;
constexpr long kMaxConcurrency = 10;

enum class ItemState { not_started, ok, failed };

struct Outcome {
  ItemState state = ItemState::not_started;
  std::string message;
};

using Reply = Result<jira::Response, jira::JiraError>;

// Where an item is: settled (done), or waiting for `call`, whose reply `then` turns into the
// item's next step.
struct Step {
  std::optional<Outcome> done;
  jira::ResponseFuture call;
  std::function<Step(Reply)> then;

  static Step ok(std::string message) { return Step{Outcome{ItemState::ok, std::move(message)}, {}, {}}; }
  static Step fail(std::string message) { return Step{Outcome{ItemState::failed, std::move(message)}, {}, {}}; }
  // Settled without sending its write: the call was cancelled between the item's read and its
  // write, so the issue is untouched.
  static Step not_sent() {
    return Step{Outcome{ItemState::not_started, "cancelled before its change was sent"}, {}, {}};
  }
  static Step await(jira::ResponseFuture call, std::function<Step(Reply)> then) {
    return Step{std::nullopt, std::move(call), std::move(then)};
  }
};

struct Item {
  std::string key;
  std::function<Step()> start;
};

std::vector<Outcome> run_items(std::vector<Item>& items, size_t concurrency, RequestContext& ctx) {
  std::vector<Outcome> out(items.size());
  struct Flight {
    size_t index;
    Step step;
  };
  std::list<Flight> flights;
  size_t next = 0, settled = 0;
  auto settle = [&](size_t index, Step step) {
    if (!step.done) {
      flights.push_back({index, std::move(step)});
      return;
    }
    out[index] = std::move(*step.done);
    ++settled;
    if (mcp::TaskControl* task = ctx.task()) {  // tasks/get lists each issue as it settles
      Json row{{"issue_key", items[index].key}, {"status", out[index].state == ItemState::ok ? "ok" : "error"}};
      if (out[index].state == ItemState::not_started) row["status"] = "not_started";
      if (!out[index].message.empty()) row["message"] = out[index].message;
      task->add_outcome(std::move(row));
    }
    ctx.progress(static_cast<double>(settled), static_cast<double>(items.size()),
                 items[index].key + (out[index].state == ItemState::ok ? " done" : " failed"));
  };
  for (;;) {
    while (flights.size() < concurrency && next < items.size() && !ctx.cancelled()) {
      const size_t i = next++;
      settle(i, items[i].start());
    }
    if (flights.empty()) break;
    flights.front().step.call.wait_for(std::chrono::milliseconds(20));
    // New steps are appended while iterating; std::list keeps the iterators valid.
    for (auto it = flights.begin(); it != flights.end();) {
      if (it->step.call.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        ++it;
        continue;
      }
      Flight f = std::move(*it);
      it = flights.erase(it);
      settle(f.index, f.step.then(f.step.call.get()));
    }
  }
  return out;
}

// The shared report: counts, failures and not-started items in full, successes compactly.
ToolResult report(const Jira& jira, const std::string& verb, const std::vector<Item>& items,
                  const std::vector<Outcome>& outcomes, const std::vector<std::string>& duplicates, bool cancelled) {
  size_t ok = 0, failed = 0, not_started = 0;
  std::string ok_list, failed_list, not_started_list;
  Json rows = Json::array();
  for (size_t i = 0; i < items.size(); ++i) {
    const Outcome& o = outcomes[i];
    Json row{{"issue_key", items[i].key}};
    switch (o.state) {
      case ItemState::ok:
        ++ok;
        ok_list += "- " + items[i].key + (o.message.empty() ? "" : ": " + o.message) + "\n";
        row["status"] = "ok";
        break;
      case ItemState::failed:
        ++failed;
        failed_list += "- " + items[i].key + ": " + o.message + "\n";
        row["status"] = "error";
        break;
      case ItemState::not_started:
        ++not_started;
        not_started_list += (not_started_list.empty() ? "" : ", ") + items[i].key;
        row["status"] = "not_started";
        break;
    }
    if (!o.message.empty()) row["message"] = o.message;
    rows.push_back(std::move(row));
  }
  std::string text = verb + " " + std::to_string(ok) + " of " + std::to_string(items.size()) + " issues";
  if (failed) text += "; " + std::to_string(failed) + " FAILED";
  if (not_started) text += "; " + std::to_string(not_started) + " NOT STARTED" + (cancelled ? " (cancelled)" : "");
  text += ".\n";
  if (!duplicates.empty()) {
    std::string d;
    for (const auto& k : duplicates) d += (d.empty() ? "" : ", ") + k;
    text += "Repeated keys done once: " + d + "\n";
  }
  if (!failed_list.empty()) text += "Failed:\n" + failed_list;
  if (!not_started_list.empty()) text += "Not started (nothing changed; resend them): " + not_started_list + "\n";
  if (!ok_list.empty()) text += "Done:\n" + ok_list;
  ToolResult out = text_result(jira, text, "The structured result lists every item.");
  out.structured = Json{{"total", items.size()}, {"succeeded", ok},   {"failed", failed},
                        {"not_started", not_started}, {"cancelled", cancelled}, {"items", rows}};
  if (!duplicates.empty()) (*out.structured)["duplicates_ignored"] = duplicates;
  out.is_error = failed > 0 || not_started > 0;
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Keys as given, without repeats (Jira keys are case-insensitive); the repeats are returned.
std::vector<std::string> unique_keys(const Json& keys, std::vector<std::string>& repeated) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& k : keys) {
    const std::string key = k.get<std::string>();
    if (seen.insert(upper(key)).second) {
      out.push_back(key);
    } else if (std::find(repeated.begin(), repeated.end(), key) == repeated.end()) {
      repeated.push_back(key);
    }
  }
  return out;
}

// An item list naming one key twice is ambiguous (which change wins?): the field is named.
std::optional<ToolResult> reject_repeats(const Json& items, const std::string& field) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string key = items[i]["issue_key"];
    auto [it, fresh] = first.emplace(upper(key), i);
    if (!fresh) {
      return bad_argument(field + "[" + std::to_string(i) + "].issue_key",
                          key + " is also " + field + "[" + std::to_string(it->second) +
                              "]; give each issue once (merge the two items)");
    }
  }
  return std::nullopt;
}

size_t concurrency_of(const Json& args) { return static_cast<size_t>(args.value("concurrency", kDefaultConcurrency)); }

// --- jira_bulk_update_issues ----------------------------------------------------------------

ToolResult bulk_update(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  const bool by_items = args.contains("items");
  if (by_items == args.contains("issue_keys")) {
    return bad_argument("items", "give either items (a change per issue) or issue_keys with update (one change for all), not both");
  }
  if (!by_items && (!args.contains("update") || args["update"].empty())) {
    return bad_argument("update", "give the change to apply to every key in issue_keys, e.g. {\"priority\": \"High\"}");
  }
  if (by_items) {
    if (auto bad = reject_repeats(args["items"], "items")) return *bad;
  }
  Jira jira(s, ctx);
  JIRA_READY(jira);
  std::vector<std::string> repeated;
  std::vector<std::pair<std::string, Json>> work;  // key, arguments of its change
  if (by_items) {
    for (const auto& it : args["items"]) {
      Json change = it;
      change.erase("issue_key");
      work.emplace_back(it["issue_key"].get<std::string>(), std::move(change));
    }
  } else {
    for (auto& k : unique_keys(args["issue_keys"], repeated)) work.emplace_back(k, args["update"]);
  }
  // Fields are built before anything runs so a bad argument (an unknown assignee) changes nothing.
  UserCache users;
  std::vector<Item> items;
  for (size_t i = 0; i < work.size(); ++i) {
    const auto& [key, change] = work[i];
    const std::string where = by_items ? "items[" + std::to_string(i) + "]." : "update.";
    auto fields = build_issue_fields(jira, change, where, &users);
    if (!fields) return fields.error();
    if (fields->empty()) return bad_argument(where.substr(0, where.size() - 1), "nothing to change for " + key);
    std::string changed;
    for (auto f = fields->begin(); f != fields->end(); ++f) changed += (changed.empty() ? "" : ", ") + f.key();
    const std::string path = jira::path(jira.api(), "issue", key);
    Json body{{"fields", std::move(*fields)}};
    items.push_back({key, [&jira, key = std::string(key), path, body = std::move(body), changed] {
                       return Step::await(jira.client().send_async(json_write("PUT", path, body, affects::issue(key)), jira.call()), [changed](Reply r) {
                         return r ? Step::ok(changed) : Step::fail(r.error().to_string());
                       });
                     }});
  }
  auto outcomes = run_items(items, concurrency_of(args), ctx);
  return report(jira, "Updated", items, outcomes, repeated, ctx.cancelled());
}

// --- jira_bulk_transition_issues ------------------------------------------------------------

ToolResult bulk_transition(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  Jira jira(s, ctx);
  JIRA_READY(jira);
  std::vector<std::string> repeated;
  const auto keys = unique_keys(args["issue_keys"], repeated);
  const std::string wanted = args["transition"];
  Json extra = Json::object();  // what every transition POST carries besides the transition id
  if (args.contains("resolution")) extra["fields"]["resolution"] = Json{{"name", args["resolution"]}};
  if (args.contains("comment")) {
    extra["update"]["comment"] = Json::array({Json{{"add", {{"body", jira.rich_text(args["comment"])}}}}});
  }
  const std::string api = jira.api();
  std::vector<Item> items;
  for (const auto& key : keys) {
    items.push_back({key, [&jira, &ctx, api, key, wanted, extra] {
                       auto post = [&jira, &ctx, api, key, wanted, extra](Reply r) -> Step {
                         if (!r) return Step::fail(r.error().to_string());
                         if (ctx.cancelled()) return Step::not_sent();  // the write's safe point
                         auto j = r->json();
                         if (!j) return Step::fail(j.error().to_string());
                         const Json ts = rd::arr(*j, "transitions");
                         for (const auto& t : ts) {
                           const std::string to = rd::str(rd::obj(t, "to"), "name");
                           if (rd::str(t, "id") != wanted && lower(rd::str(t, "name")) != lower(wanted) && lower(to) != lower(wanted)) {
                             continue;
                           }
                           Json body = extra;
                           body["transition"] = Json{{"id", rd::str(t, "id")}};
                           return Step::await(jira.client().send_async(json_write("POST", jira::path(api, "issue", key, "transitions"), body, affects::issue(key), false), jira.call()),
                                              [to](Reply done) {
                                                return done ? Step::ok("now " + to) : Step::fail(done.error().to_string());
                                              });
                         }
                         std::string names;
                         for (const auto& t : ts) names += (names.empty() ? "" : ", ") + rd::str(t, "name");
                         return Step::fail("'" + wanted + "' is not available from its status; available: " +
                                           (names.empty() ? "none" : names));
                       };
                       return Step::await(jira.client().get_async(jira::path(api, "issue", key, "transitions"), {}, jira.call()), post);
                     }});
  }
  auto outcomes = run_items(items, concurrency_of(args), ctx);
  return report(jira, "Transitioned", items, outcomes, repeated, ctx.cancelled());
}

// --- jira_bulk_add_comments -----------------------------------------------------------------

ToolResult bulk_comments(const ServicesPtr& s, const Json& args, RequestContext& ctx) {
  if (auto bad = reject_repeats(args["items"], "items")) return *bad;
  Jira jira(s, ctx);
  JIRA_READY(jira);
  std::vector<Item> items;
  for (const auto& it : args["items"]) {
    const std::string key = it["issue_key"];
    const std::string path = jira::path(jira.api(), "issue", key, "comment");
    Json body{{"body", jira.rich_text(it["body"].get<std::string>())}};
    items.push_back({key, [&jira, key, path, body = std::move(body)] {
                       return Step::await(jira.client().send_async(json_write("POST", path, body, affects::comment(key), false), jira.call()), [](Reply r) {
                         if (!r) return Step::fail(r.error().to_string());
                         auto j = r->json();
                         return Step::ok(j && j->is_object() ? "comment " + rd::str(*j, "id") : std::string());
                       });
                     }});
  }
  auto outcomes = run_items(items, concurrency_of(args), ctx);
  return report(jira, "Commented on", items, outcomes, {}, ctx.cancelled());
}

Json bulk_output_schema() {
  return Json{{"type", "object"},
              {"properties",
               {{"total", {{"type", "integer"}}},
                {"succeeded", {{"type", "integer"}}},
                {"failed", {{"type", "integer"}}},
                {"not_started", {{"type", "integer"}}},
                {"cancelled", {{"type", "boolean"}}},
                {"duplicates_ignored", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                {"items",
                 {{"type", "array"},
                  {"items",
                   {{"type", "object"},
                    {"properties",
                     {{"issue_key", {{"type", "string"}}},
                      {"status", {{"type", "string"}, {"enum", {"ok", "error", "not_started"}}}},
                      {"message", {{"type", "string"}}}}},
                    {"required", {"issue_key", "status"}}}}}}}},
              {"required", {"total", "succeeded", "failed", "not_started", "items"}}};
}

Json keys_prop(const std::string& description) {
  return Json{{"type", "array"}, {"items", issue_key_prop()}, {"minItems", 1}, {"maxItems", kMaxItems}, {"description", description}};
}

Json concurrency_prop() {
  return int_prop("How many issues to work on at once", 1, kMaxConcurrency, kDefaultConcurrency);
}

}  // namespace

void add_bulk_tools(ToolTable& t, const ServicesPtr& s) {
  Json item_props = editable_issue_properties();
  item_props["issue_key"] = issue_key_prop();
  t.push_back({"bulk",
               {"jira_bulk_update_issues", "Update many issues",
                "Changes fields of up to 1000 issues, several at a time, and reports each issue's outcome. Either give "
                "items (each its own change) or issue_keys plus one update for all of them. Fields as in "
                "jira_update_issue (description in Markdown; labels and components replace the existing ones). "
                "Any failure makes the reply an error that lists what succeeded, what failed and what was not "
                "started. Examples: {\"issue_keys\": [\"PROJ-1\", \"PROJ-2\"], \"update\": {\"priority\": \"High\"}}; "
                "{\"items\": [{\"issue_key\": \"PROJ-1\", \"summary\": \"New title\"}, {\"issue_key\": \"PROJ-2\", "
                "\"assignee\": \"alice@example.com\"}]}.",
                object_schema({{"items", Json{{"type", "array"}, {"minItems", 1}, {"maxItems", kMaxItems},
                                              {"items", object_schema(item_props, {"issue_key"})},
                                              {"description", "A change per issue (each issue at most once)"}}},
                               {"issue_keys", keys_prop("Issues that all get the change in update (repeats are done once)")},
                               {"update", object_schema(editable_issue_properties())},
                               {"concurrency", concurrency_prop()}}),
                bulk_output_schema(), writes(false, true),
                [s](const Json& a, RequestContext& ctx) { return bulk_update(s, a, ctx); }, mcp::TaskSupport::optional}});
  t.push_back({"bulk",
               {"jira_bulk_transition_issues", "Transition many issues",
                "Moves up to 1000 issues through their workflow with the same transition (name, id, or target "
                "status name), optionally with a resolution and a Markdown comment on each, several at a time; "
                "reports each issue's outcome (an issue whose status does not offer the transition fails alone). "
                "Example: {\"issue_keys\": [\"PROJ-1\", \"PROJ-2\"], \"transition\": \"Done\", \"resolution\": \"Fixed\", "
                "\"comment\": \"Released in 2.1\"}.",
                object_schema({{"issue_keys", keys_prop("Issues to move (repeats are done once)")},
                               {"transition", Json{{"type", "string"}, {"minLength", 1}, {"description", "Transition name or id, or the target status name"}}},
                               {"comment", Json{{"type", "string"}, {"minLength", 1}, {"description", "Comment added to each issue with the transition, in Markdown"}}},
                               {"resolution", str_prop("Resolution name, e.g. Fixed, when the transition asks for one")},
                               {"concurrency", concurrency_prop()}},
                              {"issue_keys", "transition"}),
                bulk_output_schema(), writes(false, false),
                [s](const Json& a, RequestContext& ctx) { return bulk_transition(s, a, ctx); }, mcp::TaskSupport::optional}});
  t.push_back({"bulk",
               {"jira_bulk_add_comments", "Comment on many issues",
                "Adds a Markdown comment to each of up to 1000 issues, several at a time, and reports each "
                "outcome with the new comment ids. Each issue at most once per call. Example: {\"items\": "
                "[{\"issue_key\": \"PROJ-1\", \"body\": \"Fixed in **2.1**\"}, {\"issue_key\": \"PROJ-2\", \"body\": \"Won't fix\"}]}.",
                object_schema({{"items", Json{{"type", "array"}, {"minItems", 1}, {"maxItems", kMaxItems},
                                              {"items", object_schema({{"issue_key", issue_key_prop()},
                                                                       {"body", Json{{"type", "string"}, {"minLength", 1}, {"description", "Comment text in Markdown"}}}},
                                                                      {"issue_key", "body"})},
                                              {"description", "The comments to add"}}},
                               {"concurrency", concurrency_prop()}},
                              {"items"}),
                bulk_output_schema(), writes(false, false),
                [s](const Json& a, RequestContext& ctx) { return bulk_comments(s, a, ctx); }, mcp::TaskSupport::optional}});
}

}  // namespace jira_mcp::tools::detail
