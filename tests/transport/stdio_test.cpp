#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "jira_mcp/mcp/subscriptions.hpp"
#include "jira_mcp/transport/stdio.hpp"
#include "support/eventually.hpp"
#include "support/process_threads.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;

namespace {

std::string thread_name(std::thread::id id) { return std::to_string(std::hash<std::thread::id>{}(id)); }

// Runs a StdioServer over two pipes on its own thread; the test writes client lines and reads
// server lines.
class Loop {
 public:
  explicit Loop(transport::StdioOptions opts = {}, std::shared_ptr<core::BufferPool> buffers = nullptr) {
    RegistryBuilder b;
    b.add_tool({"slow", "", "Sleeps until released or cancelled.", Json{{"type", "object"}}, {}, {},
                [this](const Json&, RequestContext& ctx) {
                  ++slow_started;
                  while (!release.load() && !ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
                  return ToolResult::text(ctx.cancelled() ? "cancelled" : "slow done");
                }});
    b.add_tool({"ask", "", "Elicits.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext& ctx) {
                  auto r = ctx.elicit("Sure?", Json{{"type", "object"}}, std::chrono::seconds(10));
                  return r ? ToolResult::text("answer: " + string_or(*r, "action")) : ToolResult::error(r.error().message);
                }});
    b.add_tool({"thread", "", "Answers with its thread's id.", Json{{"type", "object"}}, {}, {},
                [](const Json&, RequestContext&) { return ToolResult::text(thread_name(std::this_thread::get_id())); }});
    b.add_tool({"big", "", "Answers with `n` characters.",
                Json{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}}, {}, {},
                [](const Json& args, RequestContext&) {
                  const int n = args.value("n", 0);
                  std::string text;
                  for (int i = 0; i < n; ++i) text.push_back(static_cast<char>('a' + i % 26));
                  return ToolResult::text(text);
                }});
    auto reg = b.freeze();
    REQUIRE(reg.ok());
    DispatcherOptions dopts;
    dopts.buffers = std::move(buffers);
    dispatcher = std::make_unique<Dispatcher>(*reg, ServerInfo{"t", "", "1", ""}, dopts);
    int in[2], out[2];
    REQUIRE(pipe(in) == 0);
    REQUIRE(pipe(out) == 0);
    client_w = in[1];
    client_r = out[0];
    opts.in_fd = in[0];
    opts.out_fd = out[1];
    server_in = in[0];
    server_out = out[1];
    server = std::make_unique<transport::StdioServer>(*dispatcher, opts);
    thread = std::jthread([this] { rc = server->run(); });
  }
  ~Loop() {
    release = true;
    close_input();
    thread = {};
    server.reset();
    close(server_in);
    close(server_out);
    close(client_r);
  }
  void send(const std::string& line) {
    std::string s = line + "\n";
    REQUIRE(write(client_w, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
  }
  void send_raw(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = write(client_w, s.data() + off, s.size() - off);
      REQUIRE(n > 0);
      off += static_cast<size_t>(n);
    }
  }
  void close_input() {
    if (client_w >= 0) close(client_w);
    client_w = -1;
  }
  // The next line from the server, or nullopt after `timeout`.
  std::optional<Json> next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buf.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf.substr(0, nl);
        buf.erase(0, nl + 1);
        return Json::parse(line);  // throws (fails the test) on a partial or non-JSON line
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{client_r, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char tmp[65536];
      ssize_t n = read(client_r, tmp, sizeof tmp);
      if (n <= 0) return std::nullopt;
      buf.append(tmp, static_cast<size_t>(n));
    }
  }
  // Sends initialize without reading its reply.
  void initialize_unchecked(Json caps = Json::object()) {
    send(dump_compact(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                           {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", caps},
                                       {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}}));
  }
  void initialize(Json caps = Json::object()) {
    initialize_unchecked(std::move(caps));
    auto r = next();
    REQUIRE(r);
    REQUIRE((*r)["id"] == 0);
  }
  int wait_exit() {
    thread = {};  // joins
    return rc;
  }

  std::atomic<int> slow_started{0};
  std::atomic<bool> release{false};
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<transport::StdioServer> server;
  int client_w = -1, client_r = -1, server_in = -1, server_out = -1;
  std::string buf;
  int rc = -1;
  std::jthread thread;
};

using jira_mcp::testing::eventually;

std::string call(int id, const std::string& tool) {
  return dump_compact(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"}, {"params", {{"name", tool}}}});
}

}  // namespace

TEST_CASE("a slow request does not block a fast one; replies come out of order") {
  Loop loop;
  loop.initialize();
  loop.send(call(1, "slow"));
  while (loop.slow_started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  loop.send(R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  auto first = loop.next();
  REQUIRE(first);
  CHECK((*first)["id"] == 2);
  loop.release = true;
  auto second = loop.next();
  REQUIRE(second);
  CHECK((*second)["id"] == 1);
  CHECK((*second)["result"]["content"][0]["text"] == "slow done");
}

TEST_CASE("the handshake starts no thread: the reader writes the initialize reply, the writer starts later") {
  using jira_mcp::testing::process_threads;
  std::atomic<int> hook_calls{0};
  transport::StdioOptions opts;
  opts.after_first_line = [&] { hook_calls.fetch_add(1); };
  const std::size_t before = process_threads();
  {
    Loop loop(opts);
    CHECK(process_threads() == before + 1);  // the loop's own thread (the test's reader)
    loop.initialize();
    CHECK(process_threads() == before + 1);  // no writer, no worker: the reply came from the reader
    CHECK(jira_mcp::testing::eventually([&] { return hook_calls.load() == 1; }));
    // The next line goes through the writer thread, which starts with it.
    loop.send(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
    auto pong = loop.next();
    REQUIRE(pong);
    CHECK((*pong)["id"] == 1);
    CHECK(process_threads() == before + 2);
    loop.send(call(2, "big"));
    auto big = loop.next();
    REQUIRE(big);
    CHECK((*big)["id"] == 2);
    CHECK(hook_calls.load() == 1);  // once
    loop.close_input();
    CHECK(loop.wait_exit() == 0);
  }
  CHECK(process_threads() == before);  // every thread stopped by its owner
}

TEST_CASE("a worker writes its reply itself when stdout is idle; a blocked write holds back no one else") {
  using jira_mcp::testing::process_threads;
  const std::size_t before = process_threads();
  {
    Loop loop;
    loop.initialize();
    loop.send(call(1, "big"));
    auto r = loop.next();
    REQUIRE(r);
    CHECK((*r)["id"] == 1);
    CHECK(process_threads() == before + 2);  // the test's reader and the second stdin reader: no writer thread
    // Call 2 runs on the reader that read it; call 3, read by the other reader meanwhile, on a
    // worker. Its reply, four times the pipe's buffer, blocks that worker while the client reads
    // nothing. Input is still read: a cancellation and a ping, whose reply queues behind the write.
    loop.send(call(2, "slow"));
    REQUIRE(eventually([&] { return loop.slow_started.load() == 1; }));
    loop.send(dump_compact(Json{{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"},
                                {"params", {{"name", "big"}, {"arguments", {{"n", 256 * 1024}}}}}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the worker block in write()
    loop.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})");
    loop.send(R"({"jsonrpc":"2.0","id":4,"method":"ping"})");
    std::map<int, Json> replies;  // the ping comes second unless the worker had not reached write() yet
    while (replies.size() < 2) {
      auto reply = loop.next();
      REQUIRE(reply);
      // The cancelled call's outcome may be reported first (a notification, no id): it is queued
      // behind the blocked write as the ping's reply is.
      if (!reply->contains("id")) {
        CHECK((*reply)["method"] == "notifications/message");
        continue;
      }
      replies[(*reply)["id"].get<int>()] = *reply;
    }
    REQUIRE(replies.count(3) == 1);
    CHECK(replies[3]["result"]["content"][0]["text"].get<std::string>().size() == 256u * 1024u);
    CHECK(replies.count(4) == 1);
    // The cancelled call gets no reply (at most a log message about its outcome).
    loop.close_input();
    CHECK(loop.wait_exit() == 0);
    while (auto rest = loop.next(std::chrono::milliseconds(100))) CHECK_FALSE(rest->contains("id"));
  }
  CHECK(process_threads() == before);
}

TEST_CASE("a call read when nothing else runs runs on the thread that read it; the other reads meanwhile") {
  using jira_mcp::testing::process_threads;
  const std::size_t before = process_threads();
  {
    Loop loop;
    loop.initialize();
    // The first call is read by run()'s thread, the only reader yet: it runs there. Calls sent
    // one at a time then run on whichever of the two readers read them, never on a worker.
    std::set<std::string> threads;
    for (int id = 1; id <= 20; ++id) {
      loop.send(call(id, "thread"));
      auto r = loop.next();
      REQUIRE(r);
      CHECK((*r)["id"] == id);
      const std::string name = (*r)["result"]["content"][0]["text"];
      if (id == 1) CHECK(name == thread_name(loop.thread.get_id()));
      threads.insert(name);
    }
    CHECK(threads.size() <= 2u);
    // While a call runs on a reader, the other reads: a second call goes to a worker and is
    // answered first; a ping too.
    loop.send(call(21, "slow"));
    REQUIRE(eventually([&] { return loop.slow_started.load() == 1; }));
    loop.send(call(22, "big"));
    auto big = loop.next();
    REQUIRE(big);
    CHECK((*big)["id"] == 22);
    loop.send(R"({"jsonrpc":"2.0","id":23,"method":"ping"})");
    auto pong = loop.next();
    REQUIRE(pong);
    CHECK((*pong)["id"] == 23);
    loop.release = true;
    auto slow = loop.next();
    REQUIRE(slow);
    CHECK((*slow)["id"] == 21);
    CHECK((*slow)["result"]["content"][0]["text"] == "slow done");
    loop.close_input();
    CHECK(loop.wait_exit() == 0);
  }
  CHECK(process_threads() == before);
}

TEST_CASE("stdin a regular file (no epoll): every line is served by one reader and the pool") {
  RegistryBuilder b;
  b.add_tool({"echo", "", "Echoes n.", Json{{"type", "object"}, {"properties", {{"n", {{"type", "integer"}}}}}}, {}, {},
              [](const Json& args, RequestContext&) { return ToolResult::text(std::to_string(args.value("n", 0))); }});
  auto reg = b.freeze();
  REQUIRE(reg.ok());
  Dispatcher dispatcher(*reg, ServerInfo{"t", "", "1", ""});
  char in_path[] = "/tmp/stdio_test_in_XXXXXX";
  const int in = mkstemp(in_path);
  REQUIRE(in >= 0);
  unlink(in_path);
  std::string input = dump_compact(Json{{"jsonrpc", "2.0"}, {"id", 0}, {"method", "initialize"},
                                        {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                                                    {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}}) +
                      "\n";
  for (int id = 1; id <= 30; ++id) {
    input += dump_compact(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                               {"params", {{"name", "echo"}, {"arguments", {{"n", id}}}}}}) +
             "\n";
  }
  REQUIRE(write(in, input.data(), input.size()) == static_cast<ssize_t>(input.size()));
  REQUIRE(lseek(in, 0, SEEK_SET) == 0);
  int out[2];
  REQUIRE(pipe(out) == 0);
  std::string written;
  std::jthread drain([&] {
    char tmp[4096];
    for (ssize_t n; (n = read(out[0], tmp, sizeof tmp)) > 0;) written.append(tmp, static_cast<size_t>(n));
  });
  int rc = -1;
  {
    transport::StdioOptions opts;
    opts.in_fd = in;
    opts.out_fd = out[1];
    transport::StdioServer server(dispatcher, opts);
    rc = server.run();
  }
  close(out[1]);
  drain = {};
  close(in);
  close(out[0]);
  CHECK(rc == 0);
  std::set<int> answered;
  size_t start = 0;
  for (size_t nl; (nl = written.find('\n', start)) != std::string::npos; start = nl + 1) {
    const Json reply = Json::parse(written.substr(start, nl - start));
    const int id = reply["id"].get<int>();
    if (id > 0) CHECK(reply["result"]["content"][0]["text"] == std::to_string(id));
    answered.insert(id);
  }
  CHECK(answered.size() == 31u);
}

TEST_CASE("a line queued before initialize still comes out first") {
  Loop loop;
  loop.send("{not json");
  loop.initialize_unchecked();
  auto first = loop.next();
  REQUIRE(first);
  CHECK((*first)["error"]["code"] == -32700);
  auto second = loop.next();
  REQUIRE(second);
  CHECK((*second)["id"] == 0);
  CHECK((*second)["result"].contains("protocolVersion"));
}

TEST_CASE("end of input lets in-flight work finish and reply, then run() returns 0") {
  Loop loop;
  loop.initialize();
  loop.send(call(1, "slow"));
  while (loop.slow_started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  loop.close_input();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  loop.release = true;
  auto reply = loop.next();
  REQUIRE(reply);
  CHECK((*reply)["result"]["content"][0]["text"] == "slow done");
  CHECK(loop.wait_exit() == 0);
}

TEST_CASE("stop() ends the loop like end of input") {
  Loop loop;
  loop.initialize();
  loop.server->stop();
  CHECK(loop.wait_exit() == 0);
}

TEST_CASE("an over-long line is discarded with one error, and the next line is served") {
  transport::StdioOptions opts;
  opts.max_line_bytes = 1024;
  Loop loop(opts);
  loop.initialize();
  std::string huge = R"({"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":")" + std::string(200000, 'x') + "\"}}\n";
  loop.send_raw(huge);
  loop.send(R"({"jsonrpc":"2.0","id":6,"method":"ping"})");
  auto err = loop.next();
  REQUIRE(err);
  CHECK((*err)["error"]["code"] == -32600);
  CHECK_FALSE(err->contains("id"));
  CHECK((*err)["error"]["message"].get<std::string>().find("1024") != std::string::npos);
  auto ok = loop.next();
  REQUIRE(ok);
  CHECK((*ok)["id"] == 6);
  CHECK((*ok)["result"] == Json::object());
}

TEST_CASE("a flood beyond the queue gets fast busy errors carrying the request id") {
  transport::StdioOptions opts;
  opts.workers = 1;
  opts.max_queue = 2;
  Loop loop(opts);
  loop.initialize();
  loop.send(call(1, "slow"));
  while (loop.slow_started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int id = 2; id <= 6; ++id) loop.send(call(id, "slow"));
  // Two calls queue; three are refused at once, while the worker is still busy.
  std::set<int> busy;
  for (int i = 0; i < 3; ++i) {
    auto r = loop.next();
    REQUIRE(r);
    CHECK((*r)["error"]["code"] == -32000);
    busy.insert((*r)["id"].get<int>());
  }
  CHECK(busy == std::set<int>{4, 5, 6});
  CHECK(loop.slow_started.load() == 1);
  // A full queue does not hold up a ping.
  loop.send(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  auto pong = loop.next();
  REQUIRE(pong);
  CHECK((*pong)["id"] == 7);
  CHECK((*pong)["result"] == Json::object());
  loop.release = true;
  std::set<int> served;
  for (int i = 0; i < 3; ++i) {
    auto r = loop.next();
    REQUIRE(r);
    served.insert((*r)["id"].get<int>());
  }
  CHECK(served == std::set<int>{1, 2, 3});
}

TEST_CASE("ping and logging/setLevel are answered ahead of 100 queued calls") {
  transport::StdioOptions opts;
  opts.workers = 2;
  Loop loop(opts);
  loop.initialize();
  std::string burst;
  for (int id = 1; id <= 100; ++id) burst += call(id, "slow") + "\n";
  loop.send_raw(burst);
  while (loop.slow_started.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // 2 calls run and 98 wait; none can finish until released, so any reply to them would come
  // after these two only if they were answered behind the queue.
  const auto start = std::chrono::steady_clock::now();
  loop.send(R"({"jsonrpc":"2.0","id":"p","method":"ping"})");
  auto pong = loop.next();
  const auto latency = std::chrono::steady_clock::now() - start;
  REQUIRE(pong);
  CHECK((*pong)["id"] == "p");
  CHECK((*pong)["result"] == Json::object());
  MESSAGE("ping answered in " << std::chrono::duration<double, std::milli>(latency).count()
                              << " ms with 2 calls running and 98 queued");
  CHECK(latency < std::chrono::seconds(2));  // generous: the queue itself would take forever
  loop.send(R"({"jsonrpc":"2.0","id":"l","method":"logging/setLevel","params":{"level":"error"}})");
  auto level = loop.next();
  REQUIRE(level);
  CHECK((*level)["id"] == "l");
  CHECK(loop.slow_started.load() == 2);
  loop.release = true;
  std::set<int> served;
  for (int i = 0; i < 100; ++i) {
    auto r = loop.next();
    REQUIRE(r);
    served.insert((*r)["id"].get<int>());
  }
  CHECK(served.size() == 100);
}

TEST_CASE("a request cancelled while it waits in the queue never runs and gets no reply") {
  transport::StdioOptions opts;
  opts.workers = 1;
  Loop loop(opts);
  loop.initialize();
  loop.send(call(1, "slow"));
  while (loop.slow_started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  loop.send(call(2, "slow"));
  loop.send(call(3, "slow"));
  loop.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"user"}})");
  // The ping is answered on the reader thread after the lines before it: once it is back, the
  // cancellation has been handled, and only then may the worker move on.
  loop.send(R"({"jsonrpc":"2.0","id":"sync","method":"ping"})");
  auto pong = loop.next();
  REQUIRE(pong);
  CHECK((*pong)["id"] == "sync");
  loop.release = true;
  // Replies to 1 and 3, and (the "slow" tool has no readOnlyHint, so it may write) a log message
  // saying that 2 never started; nothing else.
  std::set<int> replied;
  std::optional<Json> report;
  for (int i = 0; i < 3; ++i) {
    auto r = loop.next();
    REQUIRE(r);
    if (r->contains("id")) {
      replied.insert((*r)["id"].get<int>());
    } else {
      CHECK((*r)["method"] == "notifications/message");
      report = (*r)["params"];
    }
  }
  CHECK(replied == std::set<int>{1, 3});
  REQUIRE(report);
  CHECK((*report)["data"]["requestId"] == 2);
  CHECK((*report)["data"]["started"] == false);
  CHECK((*report)["data"]["tool"] == "slow");
  CHECK(loop.slow_started.load() == 2);  // 1 and 3; 2 never ran
  CHECK(loop.server->session().cancelled_outcomes().size() == 1);
  loop.close_input();
  CHECK(loop.wait_exit() == 0);
  CHECK_FALSE(loop.next(std::chrono::milliseconds(100)).has_value());
}

TEST_CASE("a cancelled request's reply is never sent; a tool that may write reports its outcome") {
  Loop loop;
  loop.initialize();
  loop.send(call(1, "slow"));
  while (loop.slow_started.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  loop.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})");
  loop.send(R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  bool pong = false;
  std::optional<Json> report;
  for (int i = 0; i < 2; ++i) {
    auto r = loop.next();
    REQUIRE(r);
    CHECK((*r).value("id", Json()) != 1);
    if ((*r).value("id", Json()) == 2) pong = true;
    if ((*r).value("method", "") == "notifications/message") report = (*r)["params"];
  }
  CHECK(pong);
  REQUIRE(report);
  CHECK((*report)["level"] == "warning");
  CHECK((*report)["data"]["requestId"] == 1);
  CHECK((*report)["data"]["started"] == true);
  CHECK((*report)["data"]["outcome"]["content"][0]["text"] == "cancelled");
  loop.close_input();
  CHECK(loop.wait_exit() == 0);
  CHECK_FALSE(loop.next(std::chrono::milliseconds(100)).has_value());
}

TEST_CASE("an elicitation round trip through the loop") {
  Loop loop;
  loop.initialize(Json{{"elicitation", Json::object()}});
  loop.send(call(1, "ask"));
  auto request = loop.next();
  REQUIRE(request);
  CHECK((*request)["method"] == "elicitation/create");
  CHECK((*request)["params"]["message"] == "Sure?");
  loop.send(dump_compact(Json{{"jsonrpc", "2.0"}, {"id", (*request)["id"]}, {"result", {{"action", "decline"}}}}));
  auto reply = loop.next();
  REQUIRE(reply);
  CHECK((*reply)["id"] == 1);
  CHECK((*reply)["result"]["content"][0]["text"] == "answer: decline");
}

TEST_CASE("end of input fails a pending elicitation at once instead of waiting for its timeout") {
  Loop loop;
  loop.initialize(Json{{"elicitation", Json::object()}});
  loop.send(call(1, "ask"));
  auto request = loop.next();
  REQUIRE(request);
  loop.close_input();
  auto reply = loop.next(std::chrono::seconds(5));
  REQUIRE(reply);
  CHECK((*reply)["result"]["isError"] == true);
  CHECK(loop.wait_exit() == 0);
}

TEST_CASE("replies are written from pooled buffers, which all go back to the pool, intact whatever their size") {
  auto pool = std::make_shared<core::BufferPool>(8, 64 * 1024);
  Loop loop({}, pool);
  loop.initialize();
  // Sizes around and past the pool's 64 KiB limit: small replies reuse buffers, the 200 KB one
  // is written whole and then freed rather than kept.
  const int sizes[] = {10, 5000, 60000, 200000, 10, 5000, 60000, 10};
  int id = 1;
  for (int n : sizes) {
    loop.send(dump_compact(Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", "tools/call"},
                                {"params", {{"name", "big"}, {"arguments", {{"n", n}}}}}}));
    auto r = loop.next();
    REQUIRE(r);
    CHECK((*r)["id"] == id);
    const std::string text = (*r)["result"]["content"][0]["text"];
    REQUIRE(text.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) REQUIRE(text[static_cast<size_t>(i)] == static_cast<char>('a' + i % 26));
    ++id;
  }
  loop.close_input();
  CHECK(loop.wait_exit() == 0);
  const auto s = pool->stats();
  CHECK(s.acquired == 1 + std::size(sizes));  // initialize's reply, then one per call
  CHECK(s.reused + s.idle + s.dropped == s.acquired);  // every buffer came back once
  CHECK(s.dropped >= 1);                              // the 200 KB reply's buffer was not kept
  CHECK(s.idle >= 1);
  CHECK(s.idle_bytes <= s.idle * 64 * 1024);
}

TEST_CASE("stdio 2026: subscriptions/listen stays open, its notifications tagged; cancel or stop ends it") {
  SubscriptionOptions so;
  so.tools_list_changed = true;
  auto hub = std::make_shared<SubscriptionHub>(so);
  transport::StdioOptions opts;
  opts.subscriptions = hub;
  Loop loop(opts);
  auto listen = [&](int id, Json notifications) {
    loop.send(dump_compact(Json{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", "subscriptions/listen"},
        {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                               {"io.modelcontextprotocol/clientCapabilities", Json::object()}}},
                    {"notifications", notifications}}}}));
    auto ack = loop.next();
    REQUIRE(ack);
    CHECK((*ack)["method"] == "notifications/subscriptions/acknowledged");
    CHECK((*ack)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == id);
    return *ack;
  };
  // No initialize: a 2026 listener needs none.
  listen(7, Json{{"resourceSubscriptions", {"jira://issue/ABC-1"}}});
  listen(8, Json{{"toolsListChanged", true}});
  REQUIRE(hub->listeners() == 2);
  hub->resource_updated("jira://issue/ABC-1");
  auto upd = loop.next();
  REQUIRE(upd);
  CHECK((*upd)["method"] == "notifications/resources/updated");
  CHECK((*upd)["params"]["uri"] == "jira://issue/ABC-1");
  CHECK((*upd)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 7);
  hub->tools_list_changed();
  auto tools = loop.next();
  REQUIRE(tools);
  CHECK((*tools)["method"] == "notifications/tools/list_changed");
  CHECK((*tools)["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 8);

  // A bad filter is refused with -32602 and opens nothing.
  loop.send(dump_compact(Json{{"jsonrpc", "2.0"}, {"id", 9}, {"method", "subscriptions/listen"},
                              {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}},
                                          {"notifications", {{"toolsListChanged", "yes"}}}}}}));
  auto bad = loop.next();
  REQUIRE(bad);
  CHECK((*bad)["id"] == 9);
  CHECK((*bad)["error"]["code"] == -32602);

  // Cancelling listener 7 ends it without a response; 8 goes on.
  loop.send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}})");
  REQUIRE(eventually([&] { return hub->listeners() == 1; }));
  hub->resource_updated("jira://issue/ABC-1");  // nobody listens for it now
  hub->tools_list_changed();
  auto next = loop.next();
  REQUIRE(next);
  CHECK((*next)["method"] == "notifications/tools/list_changed");

  // stop(): the remaining listener gets its closing response.
  loop.server->stop();
  CHECK(loop.wait_exit() == 0);
  auto closing = loop.next();
  REQUIRE(closing);
  CHECK((*closing)["id"] == 8);
  CHECK((*closing)["result"]["resultType"] == "complete");
  CHECK((*closing)["result"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 8);
  CHECK(hub->listeners() == 0);
}
