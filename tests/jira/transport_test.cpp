// The transport's own concerns (through the client, so the native connection by default): URL
// parsing, proxying and NO_PROXY, TLS verification against a real loopback TLS server with a
// certificate minted for the test.
#include <doctest/doctest.h>

#include "jira/test_servers.hpp"
#include "jira_mcp/jira/doctor.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("base URLs parse with ports, context paths and IPv6; bad ones say what is wrong") {
  auto u = parse_base_url("https://jira.example.com/jira/");
  REQUIRE(u.ok());
  CHECK(u->host == "jira.example.com");
  CHECK(u->port == 443);
  CHECK(u->path == "/jira");
  CHECK(u->origin() == "https://jira.example.com:443");
  auto v6 = parse_base_url("http://[::1]:8080");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->origin() == "http://[::1]:8080");
  CHECK_FALSE(parse_base_url("jira.example.com").ok());
  CHECK_FALSE(parse_base_url("ftp://jira").ok());
  CHECK_FALSE(parse_base_url("https://jira:99999").ok());
  CHECK_FALSE(parse_base_url("https:///path").ok());
  auto creds = parse_base_url("https://bob:secret@jira");
  REQUIRE_FALSE(creds.ok());
  CHECK_FALSE(contains(creds.error().message, "secret"));
}

TEST_CASE("NO_PROXY matches exact hosts, domains and subdomains, and *") {
  CHECK(no_proxy_matches("localhost,127.0.0.1", "127.0.0.1"));
  CHECK(no_proxy_matches("example.com", "jira.example.com"));
  CHECK(no_proxy_matches(".example.com", "jira.example.com"));
  CHECK(no_proxy_matches("*.example.com", "JIRA.Example.com"));
  CHECK(no_proxy_matches("example.com", "example.com"));
  CHECK_FALSE(no_proxy_matches("example.com", "badexample.com"));
  CHECK(no_proxy_matches("foo, *", "anything"));
  CHECK(no_proxy_matches("jira.local:8443", "jira.local"));
  CHECK_FALSE(no_proxy_matches("", "jira.local"));
}

TEST_CASE("requests go through the HTTP proxy unless NO_PROXY lists the host") {
  LoopbackServer proxy;
  std::string seen_host, seen_target, seen_proxy_auth;
  proxy.server.Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    seen_host = req.get_header_value("Host");
    seen_target = req.target;
    seen_proxy_auth = req.get_header_value("Proxy-Authorization");
    res.set_content(R"({"via":"proxy"})", "application/json");
  });
  ClientOptions o = dc_options("http://jira.invalid:8080");
  o.proxy = "http://puser:ppass@127.0.0.1:" + std::to_string(proxy.port());
  auto c = make_client(o);
  auto r = c->get("/rest/api/2/myself");
  REQUIRE(r.ok());
  CHECK(r->json().value()["via"] == "proxy");
  CHECK(contains(seen_host, "jira.invalid"));
  CHECK(contains(seen_target, "/rest/api/2/myself"));
  CHECK(seen_proxy_auth == "Basic cHVzZXI6cHBhc3M=");

  LoopbackServer direct;
  direct.server.Get("/rest/api/2/myself", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"via":"direct"})", "application/json");
  });
  ClientOptions bypass = dc_options(direct.url());
  bypass.proxy = "http://127.0.0.1:" + std::to_string(closed_port());  // would fail if used
  bypass.no_proxy = "localhost, 127.0.0.1";
  auto d = make_client(bypass);
  auto rd = d->get("/rest/api/2/myself");
  REQUIRE(rd.ok());
  CHECK(rd->json().value()["via"] == "direct");
}

TEST_CASE("TLS: an untrusted certificate fails with advice, a CA bundle or insecure succeeds") {
  TestCert cert;
  TlsServer srv(cert);

  auto strict = make_client(dc_options(srv.url()));
  auto fail = strict->server_info();
  REQUIRE_FALSE(fail.ok());
  CHECK(fail.error().kind == ErrorKind::tls);
  CHECK(fail.error().attempts == 1);  // retrying cannot fix a certificate
  CHECK(contains(fail.error().to_string(), "ca_bundle"));
  CHECK(contains(fail.error().to_string(), "insecure"));

  ClientOptions with_ca = dc_options(srv.url());
  with_ca.ca_bundle = cert.cert;
  auto trusted = make_client(with_ca);
  auto ok = trusted->server_info();
  REQUIRE(ok.ok());
  CHECK((*ok)["version"] == "10.3.0");
  auto info = trusted->tls_info();
  CHECK(info.enabled);
  CHECK(info.verify);
  CHECK(info.ca_bundle == cert.cert);
  CHECK(info.protocol.rfind("TLSv1.", 0) == 0);

  auto report = run_doctor(with_ca, nullptr, 1);
  bool saw_tls = false;
  for (const auto& check : report.checks) {
    if (check.name != "tls") continue;
    saw_tls = true;
    CHECK(check.ok);
    CHECK(contains(check.detail, "TLSv1."));
    CHECK(contains(check.detail, "certificate verified"));
    CHECK(contains(check.detail, cert.cert));
  }
  CHECK(saw_tls);

  ClientOptions insecure = dc_options(srv.url());
  insecure.insecure = true;
  auto lax = make_client(insecure);
  CHECK(lax->server_info().ok());
  CHECK_FALSE(lax->tls_info().verify);
}

TEST_CASE("TLS: https against a plain HTTP port is a handshake failure; a missing CA file is a config error") {
  LoopbackServer plain;
  auto c = make_client(dc_options("https://127.0.0.1:" + std::to_string(plain.port())));
  auto r = c->get("/rest/api/2/serverInfo");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::tls);
  CHECK(contains(r.error().to_string(), "https"));

  ClientOptions o = dc_options("https://jira.local");
  o.ca_bundle = "/nonexistent/ca.pem";
  auto bad = Client::create(o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::config);
  CHECK(contains(bad.error().to_string(), "ca_bundle"));
}
