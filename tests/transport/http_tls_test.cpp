// HTTPS serving: a self-signed certificate made here with OpenSSL, the server started with it,
// and a TLS client that trusts exactly that certificate.

#include <filesystem>

#include "support/test_cert.hpp"
#include "transport/http_support.hpp"

using namespace http_test;

namespace {

// Names localhost as well as 127.0.0.1.
struct SelfSigned : jira_mcp::testing::TestCert {
  SelfSigned() : TestCert("localhost", "DNS:localhost,IP:127.0.0.1") {}
};

}  // namespace

TEST_CASE("TLS: the server speaks HTTPS with the configured certificate") {
  SelfSigned tls;
  transport::HttpOptions o;
  o.tls_cert = tls.cert;
  o.tls_key = tls.key;
  Harness h(o);
  CHECK(h.server->tls());

  httplib::SSLClient c("127.0.0.1", h.port());
  c.set_ca_cert_path(tls.cert.c_str());
  c.enable_server_certificate_verification(true);
  auto r = c.Post("/mcp", Harness::json_headers(), dump_compact(init_body()), "application/json");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->get_header_value("Mcp-Session-Id").size() == 32);

  // Plain HTTP to the TLS port gets no MCP answer.
  httplib::Client plain("127.0.0.1", h.port());
  plain.set_read_timeout(2, 0);
  auto p = plain.Get("/healthz");
  CHECK((!p || p->status != 200));
}

TEST_CASE("TLS: missing or unusable certificate files are start-up errors") {
  SelfSigned tls;
  transport::HttpOptions o;
  o.tls_cert = (tls.dir / "absent.pem").string();
  o.tls_key = tls.key;
  Harness missing(o, /*start=*/false);
  auto st = missing.server->start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("absent.pem") != std::string::npos);

  transport::HttpOptions swapped;
  swapped.tls_cert = tls.key;  // a key where the certificate belongs
  swapped.tls_key = tls.cert;
  Harness bad(swapped, false);
  auto st2 = bad.server->start();
  REQUIRE_FALSE(st2.ok());
  CHECK(st2.error().message.find("TLS certificate") != std::string::npos);
}
