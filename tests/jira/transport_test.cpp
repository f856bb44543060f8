// The httplib transport's own concerns: URL parsing, proxying and NO_PROXY, TLS verification
// against a real loopback TLS server with a certificate minted for the test.
#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>

#include "jira/test_servers.hpp"
#include "jira_mcp/jira/doctor.hpp"

using namespace jira_mcp;
using namespace jira_mcp::jira;
using namespace jira_mcp::jira::testing;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// A self-signed certificate for IP 127.0.0.1, written as PEM files in a temp directory.
struct TestCert {
  std::filesystem::path dir;
  std::string cert, key;

  TestCert() {
    dir = std::filesystem::temp_directory_path() / ("jira-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cert = (dir / "cert.pem").string();
    key = (dir / "key.pem").string();
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(x, pkey, EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~TestCert() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

class TlsServer {
 public:
  explicit TlsServer(const TestCert& c) : server(c.cert.c_str(), c.key.c_str()) {
    server.Get("/rest/api/2/serverInfo", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"deploymentType":"Server","version":"10.3.0"})", "application/json");
    });
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::jthread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~TlsServer() { server.stop(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  httplib::SSLServer server;

 private:
  int port_ = 0;
  std::jthread thread_;
};

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
