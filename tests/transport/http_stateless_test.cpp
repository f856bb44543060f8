// Streamable HTTP for MCP 2026-07-28 through a real loopback server: requests without sessions,
// the request metadata headers, 405 for GET/DELETE, cancellation by closing the response stream,
// and subscriptions/listen streams.
#include "http_support.hpp"

using namespace http_test;

namespace {

constexpr const char* kV = "2026-07-28";

Json meta() {
  return Json{{"io.modelcontextprotocol/protocolVersion", kV},
              {"io.modelcontextprotocol/clientInfo", {{"name", "t"}, {"version", "1"}}},
              {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
}

Json request(int id, const std::string& method, Json params = Json::object()) {
  params["_meta"] = meta();
  return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
}

Json tool_call(int id, const std::string& tool, Json args = Json::object()) {
  return request(id, "tools/call", Json{{"name", tool}, {"arguments", args}});
}

// The headers a conforming 2026 client sends for `body` (name: the Mcp-Name value, when any).
httplib::Headers headers_for(const Json& body, const std::string& name = {}) {
  httplib::Headers h{{"Accept", "application/json, text/event-stream"},
                     {"MCP-Protocol-Version", kV},
                     {"Mcp-Method", body["method"].get<std::string>()}};
  if (!name.empty()) h.emplace("Mcp-Name", name);
  return h;
}

// The raw HTTP/1.1 request for `body` with `headers` (each "Name: value\r\n").
std::string raw_post(int port, const Json& body, const std::string& headers) {
  const std::string b = dump_compact(body);
  return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\nAccept: application/json, text/event-stream\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(b.size()) + "\r\n" + headers + "\r\n" + b;
}

}  // namespace

TEST_CASE("HTTP 2026: a request stands alone: no session needed, none issued, one sent is ignored") {
  Harness h;
  auto body = tool_call(1, "echo");
  auto r = h.post(body, headers_for(body, "echo"));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK_FALSE(r->has_header("Mcp-Session-Id"));
  CHECK(response_of(r)["result"]["content"][0]["text"] == "hello");
  auto hdr = headers_for(body, "echo");
  hdr.emplace("Mcp-Session-Id", "0123456789abcdef0123456789abcdef");  // unknown: ignored in 2026
  auto again = h.post(body, hdr);
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK_FALSE(again->has_header("Mcp-Session-Id"));
  CHECK(h.server->stats().sessions == 0);
}

TEST_CASE("HTTP 2026: headers must mirror the body (400, HeaderMismatch -32020 naming the header)") {
  Harness h;
  auto refused = [&](const Json& body, const httplib::Headers& hdr, const std::string& header_named) {
    auto r = h.post(body, hdr);
    REQUIRE(r);
    CHECK(r->status == 400);
    auto j = Json::parse(r->body);
    CHECK(j["error"]["code"] == -32020);
    CHECK(j["id"] == body["id"]);
    CHECK_MESSAGE(j["error"]["message"].get<std::string>().find(header_named) != std::string::npos, r->body);
  };
  auto list = request(5, "tools/list");
  SUBCASE("Mcp-Method missing, different, or differing in case") {
    auto hdr = headers_for(list);
    hdr.erase("Mcp-Method");
    refused(list, hdr, "Mcp-Method");
    hdr.emplace("Mcp-Method", "prompts/list");
    refused(list, hdr, "Mcp-Method");
    hdr.erase("Mcp-Method");
    hdr.emplace("Mcp-Method", "TOOLS/LIST");
    refused(list, hdr, "Mcp-Method");
  }
  SUBCASE("MCP-Protocol-Version missing or not the body's version") {
    auto hdr = headers_for(list);
    hdr.erase("MCP-Protocol-Version");
    refused(list, hdr, "MCP-Protocol-Version");
    hdr.emplace("MCP-Protocol-Version", "2099-01-01");
    refused(list, hdr, "MCP-Protocol-Version");
  }
  SUBCASE("Mcp-Name missing or different for tools/call, prompts/get and resources/read") {
    auto call = tool_call(6, "echo");
    refused(call, headers_for(call), "Mcp-Name");
    refused(call, headers_for(call, "chatty"), "Mcp-Name");
    auto read = request(7, "resources/read", Json{{"uri", "test://x"}});
    refused(read, headers_for(read), "Mcp-Name");
    refused(read, headers_for(read, "test://y"), "Mcp-Name");
    auto prompt = request(8, "prompts/get", Json{{"name", "p"}});
    refused(prompt, headers_for(prompt, "q"), "Mcp-Name");
    // The tasks extension routes tasks/* by Mcp-Name: <taskId>.
    for (const char* m : {"tasks/get", "tasks/update", "tasks/cancel"}) {
      auto task = request(10, m, Json{{"taskId", "0123abcd"}});
      refused(task, headers_for(task), "Mcp-Name");
      refused(task, headers_for(task, "ffff"), "Mcp-Name");
    }
  }
  SUBCASE("header names in any case, values trimmed, Base64 sentinel values decoded") {
    auto call = tool_call(9, "echo");
    httplib::Headers hdr{{"Accept", "application/json, text/event-stream"},
                         {"mcp-protocol-version", kV},
                         {"MCP-METHOD", "tools/call"},
                         {"mcp-name", "=?base64?ZWNobw==?="}};  // "echo"
    auto r = h.post(call, hdr);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(response_of(r)["result"]["content"][0]["text"] == "hello");
    int fd = connect_loopback(h.port());
    send_all(fd, raw_post(h.port(), call,
                          "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name:   echo  \r\n"
                          "Connection: close\r\n"));
    const std::string out = read_until(fd, "\x01never");
    ::close(fd);
    CHECK(status_of(out) == 200);
    CHECK(out.find("hello") != std::string::npos);
  }
  SUBCASE("Mcp-Param-* for arguments the tool marks x-mcp-header") {
    auto call = tool_call(10, "regional", Json{{"region", "us-west1"}, {"limits", {{"max", 42}}}});
    auto hdr = headers_for(call, "regional");
    refused(call, hdr, "Mcp-Param-");  // the arguments hold both values, the headers neither
    hdr.emplace("Mcp-Param-Region", "eu-north1");
    hdr.emplace("Mcp-Param-Max", "42");
    refused(call, hdr, "Mcp-Param-Region");
    hdr.erase("Mcp-Param-Region");
    hdr.emplace("Mcp-Param-Region", "=?base64?dXMtd2VzdDE?=");  // unpadded Base64: invalid
    refused(call, hdr, "Mcp-Param-Region");
    hdr.erase("Mcp-Param-Region");
    hdr.emplace("Mcp-Param-Region", "=?base64?dXMtd2VzdDE=?=");  // "us-west1"
    hdr.erase("Mcp-Param-Max");
    hdr.emplace("Mcp-Param-Max", "42.0");  // integers compare as numbers
    auto r = h.post(call, hdr);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(response_of(r)["result"]["content"][0]["text"] == "region us-west1");
    auto without = tool_call(11, "regional", Json::object());  // no value: no header expected
    auto ok = h.post(without, headers_for(without, "regional"));
    REQUIRE(ok);
    CHECK(ok->status == 200);
  }
}

TEST_CASE("HTTP 2026: refusals carry their HTTP status; GET and DELETE are 405; 2025 is unchanged") {
  Harness h;
  auto unknown = request(3, "no/such/method");
  auto r = h.post(unknown, headers_for(unknown));
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(Json::parse(r->body)["error"]["code"] == -32601);
  // The header names 2026 but the body has no _meta: invalid params, 400.
  Json bare{{"jsonrpc", "2.0"}, {"id", 4}, {"method", "tools/list"}, {"params", Json::object()}};
  auto b = h.post(bare, headers_for(bare));
  REQUIRE(b);
  CHECK(b->status == 400);
  CHECK(Json::parse(b->body)["error"]["code"] == -32602);

  auto c = h.client();
  for (const char* method : {"GET", "DELETE"}) {
    const std::string out = raw_request(h.port(), method, "/mcp",
                                        "Accept: text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\n");
    CHECK(status_of(out) == 405);
    CHECK(header_of(out, "Allow") == "POST");
  }
  // A 2025 session's GET is served as before (here: 406, it does not accept SSE), and DELETE ends it.
  const std::string sid = h.initialize();
  const std::string legacy_get = raw_request(h.port(), "GET", "/mcp",
                                             "Accept: application/json\r\nMCP-Protocol-Version: 2025-11-25\r\n"
                                             "Mcp-Session-Id: " + sid + "\r\n");
  CHECK(status_of(legacy_get) == 406);
  auto del = c.Delete("/mcp", httplib::Headers{{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-11-25"}});
  REQUIRE(del);
  CHECK(del->status == 200);
}

TEST_CASE("HTTP 2026: a call that notifies streams as SSE with X-Accel-Buffering: no") {
  Harness h;
  auto call = tool_call(12, "chatty");
  call["params"]["_meta"]["io.modelcontextprotocol/logLevel"] = "info";  // 2026: log lines only when asked
  auto r = h.post(call, headers_for(call, "chatty"));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Content-Type") == "text/event-stream");
  CHECK(r->get_header_value("X-Accel-Buffering") == "no");
  CHECK(r->body.find("\"working\"") != std::string::npos);          // the log line, before the response
  CHECK(r->body.find("\"id\":12") > r->body.find("\"working\""));
  CHECK(response_of(r)["result"]["content"][0]["text"] == "chatty done");
}

TEST_CASE("HTTP 2026: closing the response stream cancels the call it carries") {
  Harness h;
  int fd = connect_loopback(h.port());
  auto call = tool_call(13, "until_cancelled");
  send_all(fd, raw_post(h.port(), call, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n"
                                        "Mcp-Name: until_cancelled\r\n"));
  // The call outlives the JSON window, so the reply becomes a stream; its headers arrive first.
  const std::string head = read_until(fd, "\r\n\r\n");
  CHECK(status_of(head) == 200);
  CHECK(header_of(head, "Content-Type") == "text/event-stream");
  CHECK(header_of(head, "X-Accel-Buffering") == "no");
  REQUIRE(eventually([&] { return h.slow_started.load() == 1; }));
  ::close(fd);
  CHECK(eventually([&] { return h.saw_cancel.load() == 1; }));
  CHECK(eventually([&] { return h.server->stats().open_streams == 0; }));
}

TEST_CASE("HTTP 2026: subscriptions/listen holds a stream with the acknowledgement, then tagged changes") {
  transport::HttpOptions opts;
  SubscriptionOptions so;
  so.tools_list_changed = true;
  so.max_listeners = 1;
  auto hub = std::make_shared<SubscriptionHub>(so);
  opts.subscriptions = hub;
  Harness h(opts);
  int fd = connect_loopback(h.port());
  auto listen = request(21, "subscriptions/listen",
                        Json{{"notifications",
                              {{"toolsListChanged", true},
                               {"promptsListChanged", true},  // not offered: left out of the acknowledgement
                               {"resourceSubscriptions", {"jira://issue/ABC-1"}}}}});
  send_all(fd, raw_post(h.port(), listen, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\n"));
  std::string buf;
  REQUIRE(read_more(fd, buf, "subscriptions/acknowledged"));
  REQUIRE(read_more(fd, buf, "\n\n", buf.find("subscriptions/acknowledged")));
  CHECK(status_of(buf) == 200);
  CHECK(header_of(buf, "X-Accel-Buffering") == "no");
  auto data_at = [&](std::size_t p) {
    auto d = buf.find("data: ", p);
    return Json::parse(buf.substr(d + 6, buf.find('\n', d) - d - 6));
  };
  Json ack = data_at(buf.find("\r\n\r\n"));
  CHECK(ack["method"] == "notifications/subscriptions/acknowledged");
  CHECK(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 21);
  CHECK(ack["params"]["notifications"] ==
        Json{{"toolsListChanged", true}, {"resourceSubscriptions", {"jira://issue/ABC-1"}}});
  REQUIRE(eventually([&] { return hub->listeners() == 1; }));

  // The listener limit: a second one is refused while the first is open.
  auto second = request(22, "subscriptions/listen", Json{{"notifications", {{"toolsListChanged", true}}}});
  auto busy = h.post(second, headers_for(second));
  REQUIRE(busy);
  CHECK(busy->status == 503);
  CHECK(Json::parse(busy->body)["error"]["code"] == -32000);

  hub->prompts_list_changed();                     // not opted into: not sent
  hub->resource_updated("jira://issue/OTHER-9");   // not subscribed: not sent
  hub->resource_updated("jira://issue/ABC-1");
  const auto from = buf.size();
  REQUIRE(read_more(fd, buf, "resources/updated", from));
  REQUIRE(read_more(fd, buf, "\n\n", buf.find("resources/updated", from)));
  Json upd = data_at(from);
  CHECK(upd["method"] == "notifications/resources/updated");
  CHECK(upd["params"]["uri"] == "jira://issue/ABC-1");
  CHECK(upd["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 21);
  CHECK(buf.find("prompts/list_changed") == std::string::npos);
  CHECK(buf.find("OTHER-9") == std::string::npos);

  // Closing the stream ends the listener.
  ::close(fd);
  CHECK(eventually([&] { return hub->listeners() == 0; }));
  CHECK(eventually([&] { return h.server->stats().open_streams == 0; }));
}

TEST_CASE("HTTP 2026: stop() ends an open listen stream with its closing response") {
  transport::HttpOptions opts;
  auto hub = std::make_shared<SubscriptionHub>();
  opts.subscriptions = hub;
  Harness h(opts);
  int fd = connect_loopback(h.port());
  auto listen = request(31, "subscriptions/listen", Json{{"notifications", Json::object()}});
  send_all(fd, raw_post(h.port(), listen, "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: subscriptions/listen\r\n"));
  std::string buf;
  REQUIRE(read_more(fd, buf, "subscriptions/acknowledged"));
  std::thread stopper([&] { h.server->stop(); });
  read_more(fd, buf, "\x01never");  // until the server closes
  stopper.join();
  ::close(fd);
  const auto p = buf.find("\"result\"");
  REQUIRE(p != std::string::npos);
  CHECK(buf.find("\"resultType\":\"complete\"") != std::string::npos);
  CHECK(buf.find("\"id\":31") != std::string::npos);
  CHECK(hub->listeners() == 0);
}
