// HTTPS serving: a self-signed certificate made here with OpenSSL, the server started with it,
// and a TLS client that trusts exactly that certificate.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>

#include "transport/http_support.hpp"

using namespace http_test;

namespace {

struct SelfSigned {
  std::filesystem::path dir, cert, key;
  SelfSigned() {
    dir = std::filesystem::temp_directory_path() / ("jira-mcp-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    REQUIRE(pkey);
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1")) {
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    REQUIRE(X509_sign(x, pkey, EVP_sha256()) > 0);
    FILE* f = std::fopen(cert.c_str(), "w");
    REQUIRE(f);
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    REQUIRE(f);
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~SelfSigned() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("TLS: the server speaks HTTPS with the configured certificate") {
  SelfSigned tls;
  transport::HttpOptions o;
  o.tls_cert = tls.cert.string();
  o.tls_key = tls.key.string();
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
  o.tls_key = tls.key.string();
  Harness missing(o, /*start=*/false);
  auto st = missing.server->start();
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("absent.pem") != std::string::npos);

  transport::HttpOptions swapped;
  swapped.tls_cert = tls.key.string();  // a key where the certificate belongs
  swapped.tls_key = tls.cert.string();
  Harness bad(swapped, false);
  auto st2 = bad.server->start();
  REQUIRE_FALSE(st2.ok());
  CHECK(st2.error().message.find("TLS certificate") != std::string::npos);
}
