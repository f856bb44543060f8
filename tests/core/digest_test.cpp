// core/digest against the published test vectors (FIPS 180-4 examples, RFC 4231 for HMAC-SHA256,
// RFC 3174 for SHA-1) and against OpenSSL on random inputs of every length around the block and
// padding boundaries.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>

#include "jira_mcp/core/digest.hpp"

using namespace jira_mcp::core;

namespace {

std::string unhex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16));
  return out;
}

std::string openssl_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) == 1);
  return to_hex(out, n);
}

std::string openssl_hmac_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
               data.size(), out, &n) != nullptr);
  return to_hex(out, n);
}

}  // namespace

TEST_CASE("sha256: FIPS 180-4 examples") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(to_hex(sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha1: RFC 3174 examples (Redis script ids)") {
  CHECK(to_hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(to_hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(to_hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("hmac_sha256: RFC 4231 test cases") {
  CHECK(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_hex(hmac_sha256(std::string(20, '\xaa'), std::string(50, '\xdd'))) ==
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  CHECK(to_hex(hmac_sha256(unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'))) ==
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // A key longer than the block is hashed first.
  CHECK(to_hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(to_hex(hmac_sha256(std::string(131, '\xaa'),
                           "This is a test using a larger than block-size key and a larger than block-size data. The "
                           "key needs to be hashed before being used by the HMAC algorithm.")) ==
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("digests agree with OpenSSL on random inputs of every length up to 300 bytes") {
  std::mt19937 rng(16);
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::size_t len = 0; len <= 300; ++len) {
    std::string data(len, '\0'), key(len % 150, '\0');
    for (auto& c : data) c = static_cast<char>(byte(rng));
    for (auto& c : key) c = static_cast<char>(byte(rng));
    CAPTURE(len);
    CHECK(to_hex(sha256(data)) == openssl_hex(EVP_sha256(), data));
    CHECK(to_hex(sha1(data)) == openssl_hex(EVP_sha1(), data));
    CHECK(to_hex(hmac_sha256(key, data)) == openssl_hmac_hex(key, data));
  }
}

TEST_CASE("random_bytes and equal_constant_time") {
  unsigned char a[64] = {}, b[64] = {};
  REQUIRE(random_bytes(a, sizeof a));
  REQUIRE(random_bytes(b, sizeof b));
  CHECK_FALSE(equal_constant_time(a, b, sizeof a));  // 2^-512 to fail by chance
  CHECK(equal_constant_time(a, a, sizeof a));
  b[0] = a[0];
  std::copy(a, a + 64, b);
  b[63] ^= 1;
  CHECK_FALSE(equal_constant_time(a, b, sizeof a));
  CHECK(equal_constant_time(a, b, 63));
  CHECK(equal_constant_time(a, b, 0));
}
