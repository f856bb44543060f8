// A self-signed certificate for loopback TLS tests: EC P-256 signed with SHA-256, valid from an
// hour ago for a day, its own CA (basicConstraints CA:TRUE, so a client trusts it by taking
// `cert` as its CA bundle), written as PEM files in a temp directory removed with it.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace jira_mcp::testing {

struct TestCert {
  std::filesystem::path dir;
  std::string cert, key;

  // `alt_names` in OpenSSL's subjectAltName syntax ("DNS:localhost,IP:127.0.0.1").
  explicit TestCert(const std::string& common_name = "127.0.0.1", const char* alt_names = "IP:127.0.0.1") {
    static std::atomic<int> made{0};
    dir = std::filesystem::temp_directory_path() /
          ("jira-mcp-tls-" + std::to_string(::getpid()) + "-" + std::to_string(made.fetch_add(1)));
    std::filesystem::create_directories(dir);
    cert = (dir / "cert.pem").string();
    key = (dir / "key.pem").string();
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    if (!pkey || !x) throw std::runtime_error("TestCert: could not make a key");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, alt_names}, std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      if (!ext) throw std::runtime_error(std::string("TestCert: bad extension ") + value);
      X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (X509_sign(x, pkey, EVP_sha256()) <= 0) throw std::runtime_error("TestCert: could not sign");
    write(cert, [&](FILE* f) { return PEM_write_X509(f, x); });
    write(key, [&](FILE* f) { return PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(x);
    EVP_PKEY_free(pkey);
  }
  ~TestCert() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TestCert(const TestCert&) = delete;
  TestCert& operator=(const TestCert&) = delete;

 private:
  template <class F>
  static void write(const std::string& path, F&& pem) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f) throw std::runtime_error("TestCert: cannot write " + path);
    const int ok = pem(f);
    std::fclose(f);
    if (ok != 1) throw std::runtime_error("TestCert: cannot write " + path);
  }
};

}  // namespace jira_mcp::testing
