// Every tool, every string argument, every hostile value: each request reaching Jira is exactly
// one well-formed request to the path intended.
//
// The calls are generated from the tools' own input schemas (tools/list), so a tool added later
// is covered without touching this file. Between the client and the sandbox sits a RawRelay
// that parses the byte stream the way a pipelining front end does and records every request:
// a CR LF that split a request line would show up there as an extra request. For each call:
// - the relay saw exactly as many requests as the client sent (stats().attempts): none smuggled;
// - every request line is "METHOD SP target SP HTTP/1.1" with a printable-ASCII target, and every
//   header line is "Name: value";
// - no path segment is "." or "..", raw or percent-decoded;
// - where the hostile value reached a path, it is one whole segment (it added no '/'), and where
//   it reached the query, it stayed inside one parameter's value;
// - writes that were not asked for did not happen: DEMO-2, the target of the classic splitting
//   attack, still exists at the end.
#include <doctest/doctest.h>

#include <set>

#include "support/raw_relay.hpp"
#include "tools/stack.hpp"

using namespace jira_mcp;
using jira_mcp::testing::RawRelay;

namespace {

const std::vector<std::string>& hostile_values() {
  static const std::vector<std::string> v{
      "1\r\n\r\nDELETE /rest/api/3/issue/DEMO-2 HTTP/1.1\r\nHost: x\r\n\r\n",
      "1\nDELETE /rest/api/2/issue/DEMO-2",
      "../../../rest/api/3/myself",
      "..",
      "%2e%2e",
      "%2e%2e%2fmyself",
      std::string("10000\0DELETE", 12),
      "DEMO-1/../DEMO-2",
      "DEMO-1?expand=x&a=b#f",
      "D\xC3\xA9MO-1 \xF0\x9F\x98\x80 \xE2\x80\xAE",
      "..\\..\\x",
  };
  return v;
}

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (;;) {
    auto next = s.find(sep, at);
    out.emplace_back(s.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) break;
    at = next + 1;
  }
  return out;
}

// A valid value for a property, from its schema.
Json sample(const std::string& name, const Json& schema) {
  if (schema.contains("enum") && !schema["enum"].empty()) return schema["enum"][0];
  if (schema.contains("const")) return schema["const"];
  Json type = schema.value("type", Json("string"));
  if (type.is_array()) type = type[0];
  const std::string pattern = schema.value("pattern", "");
  if (type == "integer" || type == "number") return schema.value("minimum", 1);
  if (type == "boolean") return false;
  if (type == "object") return Json::object();
  if (type == "array") {
    const Json items = schema.value("items", Json::object());
    return Json::array({sample(name, items)});
  }
  if (pattern.find("-[0-9]+") != std::string::npos) return "DEMO-1";
  if (pattern.find("[0-9]{4}-") != std::string::npos) return "2026-03-01";
  if (pattern == "^[0-9]+$") return "10000";
  if (!pattern.empty()) return "DEMO";
  if (name.find("jql") != std::string::npos) return "project = DEMO";
  if (name.find("project") != std::string::npos) return "DEMO";
  if (name.find("key") != std::string::npos || name.find("issue") != std::string::npos) return "DEMO-1";
  return "x";
}

// The tool stack of every tools test, with a RawRelay between the client and the sandbox.
struct World {
  std::unique_ptr<RawRelay> relay;
  testing::Stack stack;

  explicit World(sandbox::Flavor flavor)
      : stack(flavor, tools::Selection{{"all"}, {}, {}, false}, 40000, nullptr, [this](const std::string& sandbox_url) {
          const int port = std::stoi(sandbox_url.substr(sandbox_url.rfind(':') + 1));
          relay = std::make_unique<RawRelay>("127.0.0.1", port);
          return relay->url();
        }) {}
  jira::Client* client() const { return stack.client.get(); }
  Json request(const std::string& method, Json params = Json::object()) {
    auto r = stack.dispatcher->handle(
        Json{{"jsonrpc", "2.0"}, {"id", stack.next_id++}, {"method", method}, {"params", std::move(params)}}, stack.session);
    REQUIRE(r);
    return *r;
  }
};

// Checks the requests the relay saw since `from` for one call that put `value` in `arg`.
void check_requests(const std::vector<RawRelay::Seen>& seen, std::size_t from, const std::string& where) {
  for (std::size_t i = from; i < seen.size(); ++i) {
    const auto& s = seen[i];
    INFO(where << " request: " << s.head.substr(0, s.head.find("\r\n")));
    REQUIRE(s.well_formed);
    for (unsigned char c : s.target) REQUIRE((c > 0x20 && c < 0x7F));
    const auto q = s.target.find('?');
    const auto segments = split(std::string_view(s.target).substr(1, q == std::string::npos ? std::string::npos : q - 1), '/');
    for (const auto& seg : segments) {
      const std::string d = decode(seg);
      CHECK(d != ".");
      CHECK(d != "..");
      // Whatever a value held, it stayed inside its segment: the decoded path has the shape of
      // the raw one (no '/' or '\\' hidden in a segment for a front end to decode and follow).
      CHECK(d.find('/') == std::string::npos);
      CHECK(d.find('\\') == std::string::npos);
    }
    if (q != std::string::npos) {
      for (const auto& param : split(std::string_view(s.target).substr(q + 1), '&')) {
        const auto eq = param.find('=');
        const std::string name = decode(param.substr(0, eq));
        // Parameter names come from the code, never from a value.
        bool plain = !name.empty();
        for (char c : name) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
        CHECK_MESSAGE(plain, "query parameter name " << name);
      }
    }
  }
}

}  // namespace

TEST_CASE("every string argument of every tool, hostile: each request is one well-formed request to its own path") {
  for (auto flavor : {sandbox::Flavor::Cloud, sandbox::Flavor::DataCenter}) {
    const std::string flavour_name = flavor == sandbox::Flavor::Cloud ? "cloud" : "dc";
    CAPTURE(flavour_name);
    World w(flavor);
    Json tools_list = w.request("tools/list");
    std::vector<Json> tools;
    for (const auto& t : tools_list["result"]["tools"]) tools.push_back(t);
    // Destructive tools last, so the others see the seeded data.
    std::stable_sort(tools.begin(), tools.end(), [](const Json& a, const Json& b) {
      auto destructive = [](const Json& t) { return t.value("annotations", Json::object()).value("destructiveHint", false); };
      return !destructive(a) && destructive(b);
    });
    long calls = 0, refused_by_schema = 0, sent = 0;
    std::set<std::string> covered;
    for (const auto& tool : tools) {
      const std::string name = tool["name"];
      const Json schema = tool["inputSchema"];
      const Json props = schema.value("properties", Json::object());
      Json base = Json::object();
      for (const auto& r : schema.value("required", Json::array())) base[r.get<std::string>()] = sample(r, props[r.get<std::string>()]);
      for (const auto& [prop, ps] : props.items()) {
        Json type = ps.value("type", Json());
        const bool is_string = type == "string" || (type.is_array() && std::find(type.begin(), type.end(), "string") != type.end());
        const bool is_string_array = type == "array" && ps.value("items", Json::object()).value("type", "") == "string";
        if (!is_string && !is_string_array) continue;
        for (const auto& value : hostile_values()) {
          Json args = base;
          args[prop] = is_string ? Json(value) : Json::array({value});
          const std::size_t before = w.relay->count();
          const auto attempts_before = w.client()->stats().attempts;
          Json reply = w.request("tools/call", {{"name", name}, {"arguments", args}});
          ++calls;
          const std::string where = name + "." + prop;
          INFO(where << " = " << Json(value).dump());
          // Always a result (an isError one when the input schema refuses the value), never a
          // protocol error.
          REQUIRE_MESSAGE(reply.contains("result"), reply.dump());
          const Json& content = reply["result"]["content"];
          if (!content.empty() && content[0].value("text", "").rfind("Invalid arguments for", 0) == 0) ++refused_by_schema;
          const auto seen = w.relay->seen();
          const auto attempts = w.client()->stats().attempts - attempts_before;
          CHECK_MESSAGE(seen.size() - before == attempts, "the relay parsed " << seen.size() - before << " requests, the client sent "
                                                                               << attempts);
          sent += static_cast<long>(seen.size() - before);
          if (seen.size() > before) covered.insert(where);
          check_requests(seen, before, where);
        }
      }
    }
    // The classic attack's target survived every call above.
    auto demo2 = w.client()->get(std::string(flavor == sandbox::Flavor::Cloud ? "/rest/api/3" : "/rest/api/2") + "/issue/DEMO-2");
    CHECK(demo2);
    MESSAGE(tools.size() << " tools, " << calls << " calls with a hostile string, " << refused_by_schema
                         << " refused by the input schema, " << sent << " requests reached the relay from "
                         << covered.size() << " tool arguments, each one well-formed");
  }
}

TEST_CASE("the relay is a faithful witness: a request line split by CR LF arrives as two requests") {
  sandbox::Sandbox sb(sandbox::Options{sandbox::Flavor::Cloud, "127.0.0.1", 0, 10, 42, {}, nullptr, 2});
  REQUIRE(sb.start().ok());
  RawRelay relay("127.0.0.1", sb.port());
  const int port = std::stoi(relay.url().substr(relay.url().rfind(':') + 1));
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  // What an unencoded comment_id of "1 HTTP/1.1\r\nHost: x\r\n\r\nDELETE /rest/api/3/issue/DEMO-2" made.
  const std::string smuggled =
      "DELETE /rest/api/3/issue/DEMO-1/comment/1 HTTP/1.1\r\nHost: x\r\n\r\nDELETE /rest/api/3/issue/DEMO-2 HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\n\r\n";
  REQUIRE(::send(fd, smuggled.data(), smuggled.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(smuggled.size()));
  char buf[4096];
  for (int i = 0; i < 100 && relay.count() < 2; ++i) {
    (void)::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::close(fd);
  REQUIRE(relay.count() == 2);
  CHECK(relay.seen()[1].target == "/rest/api/3/issue/DEMO-2");
}

TEST_CASE("the splitting attack on jira_delete_comment deletes nothing and desynchronizes nothing") {
  World w(sandbox::Flavor::Cloud);
  Json reply = w.request("tools/call", {{"name", "jira_delete_comment"},
                                         {"arguments", {{"issue_key", "DEMO-1"},
                                                        {"comment_id", "1 HTTP/1.1\r\nHost: x\r\n\r\nDELETE /rest/api/3/issue/DEMO-2"}}}});
  CHECK((reply.contains("error") || reply["result"].value("isError", false)));
  CHECK(w.relay->count() == 0);
  // The pooled connection still answers each read with its own issue.
  for (const char* key : {"DEMO-2", "DEMO-3", "DEMO-1"}) {
    Json r = w.request("tools/call", {{"name", "jira_get_issue"}, {"arguments", {{"issue_key", key}}}});
    REQUIRE(r.contains("result"));
    std::string text;
    for (const auto& c : r["result"]["content"]) text += c.value("text", "");
    CHECK_MESSAGE(text.find(key) != std::string::npos, "asked for " << key << ": " << text.substr(0, 200));
  }
}
