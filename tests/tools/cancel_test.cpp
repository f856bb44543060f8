// Cancellation of the real tools through the real stdio loop, against the sandbox (whose
// request counts show what reached Jira): a write cancelled while queued never reaches Jira; a
// write cancelled after its read but before its write sends nothing; a write cancelled after it
// was sent completes and reports its outcome as a log message; a cancelled bulk run leaves its
// unstarted items untouched, and its per-item outcomes are logged and shown by
// jira_server_status. The sandbox's added latency only widens the window the test cancels in;
// every wait is on an event (a request count, a message), none is a timing assertion.
#include <doctest/doctest.h>

#include <poll.h>
#include <unistd.h>

#include <functional>
#include <thread>

#include "jira_mcp/transport/stdio.hpp"
#include "tools/fresh_issues.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::ok;
using jira_mcp::testing::Stack;
using jira_mcp::testing::fresh_issues;
using jira_mcp::testing::text;

namespace {

// A client of a StdioServer over pipes, serving the Stack's dispatcher (a session of its own).
class StdioClient {
 public:
  StdioClient(const mcp::Dispatcher& dispatcher, transport::StdioOptions opts) {
    int in[2], out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    w_ = in[1];
    r_ = out[0];
    opts.in_fd = server_in_ = in[0];
    opts.out_fd = server_out_ = out[1];
    server_ = std::make_unique<transport::StdioServer>(dispatcher, opts);
    thread_ = std::jthread([this] { server_->run(); });
    send(Json{{"jsonrpc", "2.0"}, {"id", "init"}, {"method", "initialize"},
              {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                          {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}});
    REQUIRE(until([](const Json& m) { return m.value("id", Json()) == "init"; }));
  }
  ~StdioClient() {
    ::close(w_);
    thread_ = {};
    server_.reset();
    ::close(server_in_);
    ::close(server_out_);
    ::close(r_);
  }
  void send(const Json& message) { send_lines({message}); }
  // All in one write, so the reader handles them back to back.
  void send_lines(const std::vector<Json>& messages) {
    std::string s;
    for (const auto& m : messages) s += dump_compact(m) + "\n";
    REQUIRE(::write(w_, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  }
  // Reads messages (kept in `seen`) until one matches; nullopt after a generous timeout.
  std::optional<Json> until(const std::function<bool(const Json&)>& match,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
        Json m = Json::parse(buf_.substr(0, nl));
        buf_.erase(0, nl + 1);
        seen.push_back(m);
        if (match(m)) return m;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{r_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char tmp[65536];
      const ssize_t n = ::read(r_, tmp, sizeof tmp);
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  std::optional<Json> reply_to(const Json& id) {
    return until([&](const Json& m) { return m.value("id", Json()) == id && !m.contains("method"); });
  }
  // The notifications/message reporting what became of the cancelled request `id`.
  std::optional<Json> cancel_report(const Json& id) {
    return until([&](const Json& m) {
      return m.value("method", "") == "notifications/message" && m["params"]["data"].is_object() &&
             m["params"]["data"].value("requestId", Json()) == id;
    });
  }
  bool replied_to(const Json& id) const {
    for (const auto& m : seen) {
      if (m.value("id", Json()) == id && !m.contains("method")) return true;
    }
    return false;
  }

  std::vector<Json> seen;

 private:
  std::unique_ptr<transport::StdioServer> server_;
  int w_ = -1, r_ = -1, server_in_ = -1, server_out_ = -1;
  std::string buf_;
  std::jthread thread_;
};

Json call(const Json& id, const std::string& tool, Json args, Json meta = nullptr) {
  Json params{{"name", tool}, {"arguments", std::move(args)}};
  if (!meta.is_null()) params["_meta"] = std::move(meta);
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", std::move(params)}};
}
Json cancel(const Json& id) {
  return Json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", id}, {"reason", "test"}}}};
}
Json ping(const Json& id) { return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "ping"}}; }

const std::string kApi = "/rest/api/3";  // these tests run the Cloud flavour

Json fetch(Stack& s, const std::string& key, const std::string& fields) {
  auto r = s.client->get(kApi + "/issue/" + key, {{"fields", fields}});
  REQUIRE_MESSAGE(r.ok(), key);
  auto j = r->json();
  REQUIRE(j.ok());
  return (*j)["fields"];
}

long comments_on(Stack& s, const std::string& key) { return fetch(s, key, "comment")["comment"].value("total", -1L); }

void wait_count(Stack& s, const std::string& route, std::uint64_t at_least) {
  for (int i = 0; i < 30000 && s.sb->request_count(route) < at_least; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  REQUIRE(s.sb->request_count(route) >= at_least);
}

void set_latency(Stack& s, int ms) {
  sandbox::Faults f;
  f.latency_ms = ms;
  s.sb->set_faults(f);
}

const std::string kPostComment = "POST " + kApi + "/issue/{issueIdOrKey}/comment";

}  // namespace

TEST_CASE("stdio: a write cancelled while it waits in the queue never reaches Jira") {
  Stack s(sandbox::Flavor::Cloud);
  auto keys = fresh_issues(s, 2, "Cancel queued");
  transport::StdioOptions o;
  o.workers = 1;
  StdioClient c(*s.dispatcher, o);
  set_latency(s, 200);  // call 1 holds the only worker while 2 is queued and cancelled
  const auto posts = s.sb->request_count(kPostComment);
  c.send_lines({call(1, "jira_add_comment", {{"issue_key", keys[0]}, {"body", "first"}}),
                call(2, "jira_add_comment", {{"issue_key", keys[1]}, {"body", "never"}}), cancel(2), ping("sync")});
  REQUIRE(c.reply_to("sync"));
  auto first = c.reply_to(1);
  REQUIRE(first);
  CHECK_FALSE((*first)["result"].value("isError", false));
  auto report = c.cancel_report(2);  // sent when the worker took 2 from the queue and skipped it
  REQUIRE(report);
  set_latency(s, 0);
  CHECK((*report)["params"]["level"] == "notice");
  CHECK((*report)["params"]["data"]["started"] == false);
  CHECK((*report)["params"]["data"]["tool"] == "jira_add_comment");
  CHECK(s.sb->request_count(kPostComment) - posts == 1);  // only call 1's
  CHECK(comments_on(s, keys[1]) == 0);
  CHECK(comments_on(s, keys[0]) == 1);
  c.send(ping("end"));
  REQUIRE(c.reply_to("end"));
  CHECK_FALSE(c.replied_to(2));
}

TEST_CASE("stdio: a write cancelled after its read, before its write, sends nothing and says so") {
  Stack s(sandbox::Flavor::Cloud);
  auto keys = fresh_issues(s, 1, "Cancel before write");
  StdioClient c(*s.dispatcher, {});
  const std::string get_ts = "GET " + kApi + "/issue/{issueIdOrKey}/transitions";
  const std::string post_ts = "POST " + kApi + "/issue/{issueIdOrKey}/transitions";
  const auto reads = s.sb->request_count(get_ts);
  const auto writes = s.sb->request_count(post_ts);
  const std::string status_before = fetch(s, keys[0], "status")["status"]["name"];
  set_latency(s, 300);
  c.send(call("t", "jira_transition_issue", {{"issue_key", keys[0]}, {"transition", "Done"}}));
  wait_count(s, get_ts, reads + 1);  // its read has reached Jira and waits for the answer
  c.send(cancel("t"));
  auto report = c.cancel_report("t");
  REQUIRE(report);
  set_latency(s, 0);
  const Json& data = (*report)["params"]["data"];
  CHECK(data["started"] == true);
  CHECK(data["outcome"]["isError"] == true);
  CHECK(text(data["outcome"]).find("Not sent") != std::string::npos);
  CHECK(text(data["outcome"]).find("changed nothing") != std::string::npos);
  CHECK(s.sb->request_count(post_ts) == writes);
  CHECK(fetch(s, keys[0], "status")["status"]["name"] == status_before);
  c.send(ping("end"));
  REQUIRE(c.reply_to("end"));
  CHECK_FALSE(c.replied_to("t"));
}

TEST_CASE("stdio: a write cancelled after it was sent completes, and its outcome comes as a log message") {
  Stack s(sandbox::Flavor::Cloud);
  auto keys = fresh_issues(s, 1, "Cancel after write");
  StdioClient c(*s.dispatcher, {});
  const auto posts = s.sb->request_count(kPostComment);
  set_latency(s, 300);
  c.send(call("w", "jira_add_comment", {{"issue_key", keys[0]}, {"body", "sent before the cancel"}}));
  wait_count(s, kPostComment, posts + 1);  // the POST is at Jira, its answer 300 ms away
  c.send(cancel("w"));
  auto report = c.cancel_report("w");
  REQUIRE(report);
  set_latency(s, 0);
  CHECK((*report)["params"]["level"] == "warning");
  CHECK((*report)["params"]["logger"] == "jira-mcp.cancellation");
  const Json& data = (*report)["params"]["data"];
  CHECK(data["started"] == true);
  CHECK(data["outcome"].value("isError", false) == false);
  const std::string comment_id = data["outcome"]["structuredContent"].value("comment_id", "");
  CHECK_FALSE(comment_id.empty());
  CHECK(comments_on(s, keys[0]) == 1);  // applied, and said so
  c.send(ping("end"));
  REQUIRE(c.reply_to("end"));
  CHECK_FALSE(c.replied_to("w"));
}

TEST_CASE("stdio: a cancelled bulk run leaves unstarted items untouched; its outcomes are logged and retrievable") {
  Stack s(sandbox::Flavor::Cloud);
  auto keys = fresh_issues(s, 12, "Cancel bulk");
  StdioClient c(*s.dispatcher, {});
  const std::string put_route = "PUT " + kApi + "/issue/{issueIdOrKey}";
  const auto puts = s.sb->request_count(put_route);
  set_latency(s, 100);
  c.send(call("b", "jira_bulk_update_issues",
              {{"issue_keys", keys}, {"update", {{"labels", {"zz-cancel-bulk"}}}}, {"concurrency", 2}},
              Json{{"progressToken", "bt"}}));
  REQUIRE(c.until([](const Json& m) { return m.value("method", "") == "notifications/progress"; }));
  c.send(cancel("b"));
  auto report = c.cancel_report("b");
  REQUIRE(report);
  set_latency(s, 0);
  const Json sc = (*report)["params"]["data"]["outcome"]["structuredContent"];
  CHECK(sc["total"] == 12);
  CHECK(sc["cancelled"] == true);
  CHECK(sc["not_started"].get<int>() >= 1);
  CHECK(sc["succeeded"].get<int>() + sc["failed"].get<int>() + sc["not_started"].get<int>() == 12);
  CHECK(s.sb->request_count(put_route) - puts == sc["succeeded"].get<std::uint64_t>() + sc["failed"].get<std::uint64_t>());
  for (const auto& item : sc["items"]) {
    const std::string key = item["issue_key"];
    const bool labelled = fetch(s, key, "labels")["labels"] == Json::array({"zz-cancel-bulk"});
    CHECK_MESSAGE(labelled == (item["status"] == "ok"), key);
  }
  MESSAGE("cancelled bulk run: " << sc["succeeded"] << " done, " << sc["not_started"] << " not started");
  // The outcomes stay retrievable after the notification: jira_server_status shows them.
  c.send(call("st", "jira_server_status", Json::object()));
  auto status = c.reply_to("st");
  REQUIRE(status);
  const Json& kept = (*status)["result"]["structuredContent"]["cancelled_calls"];
  REQUIRE(kept.is_array());
  REQUIRE(kept.size() == 1);
  CHECK(kept[0]["requestId"] == "b");
  CHECK(kept[0]["outcome"]["structuredContent"] == sc);
  CHECK(text((*status)["result"]).find("jira_bulk_update_issues") != std::string::npos);
  CHECK_FALSE(c.replied_to("b"));
}

TEST_CASE("stdio: a bulk transition cancelled between an item's read and its write sends no write") {
  Stack s(sandbox::Flavor::Cloud);
  auto keys = fresh_issues(s, 3, "Cancel bulk transition");
  StdioClient c(*s.dispatcher, {});
  const std::string get_ts = "GET " + kApi + "/issue/{issueIdOrKey}/transitions";
  const std::string post_ts = "POST " + kApi + "/issue/{issueIdOrKey}/transitions";
  const auto reads = s.sb->request_count(get_ts);
  const auto writes = s.sb->request_count(post_ts);
  set_latency(s, 300);
  c.send(call("bt", "jira_bulk_transition_issues", {{"issue_keys", keys}, {"transition", "Done"}, {"concurrency", 1}}));
  wait_count(s, get_ts, reads + 1);  // the first item's read is at Jira
  c.send(cancel("bt"));
  auto report = c.cancel_report("bt");
  REQUIRE(report);
  set_latency(s, 0);
  const Json sc = (*report)["params"]["data"]["outcome"]["structuredContent"];
  CHECK(sc["not_started"] == 3);
  CHECK(sc["succeeded"] == 0);
  CHECK(sc["items"][0]["message"] == "cancelled before its change was sent");
  CHECK(s.sb->request_count(post_ts) == writes);
  CHECK(s.sb->request_count(get_ts) == reads + 1);  // the other two never started
  for (const auto& k : keys) CHECK(fetch(s, k, "status")["status"]["name"] != "Done");
}
