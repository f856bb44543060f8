#pragma once
// SHA-256, SHA-1, HMAC-SHA256, random bytes and a constant-time comparison: the little
// cryptography the server needs outside TLS (cache keys, Redis script ids, signed requestState
// and session ids, HTTP tokens).
//
// Why not OpenSSL: libcrypto is the largest library the process maps, and relocating it at
// start-up costs ~150 page faults (~4 ms on a paravirtualized guest; issue #16). Only TLS needs
// it, and TLS is loaded with the HTTP code on first use (net/module.hpp). These are the
// FIPS 180-4 and RFC 2104 algorithms, checked against their published test vectors and against
// OpenSSL on random inputs (tests/core/digest_test.cpp). Pure functions, thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jira_mcp::core {

using Sha256Digest = std::array<std::uint8_t, 32>;
using Sha1Digest = std::array<std::uint8_t, 20>;

Sha256Digest sha256(std::string_view data);
Sha1Digest sha1(std::string_view data);  // only for Redis script ids (EVALSHA), never for security
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hex of any byte range.
std::string to_hex(const std::uint8_t* bytes, std::size_t n);
template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& d) {
  return to_hex(d.data(), N);
}

// Fills `out` from the kernel's CSPRNG (getrandom(2)); false only if the kernel refuses.
bool random_bytes(void* out, std::size_t n);

// Equal contents, in time that depends only on n.
bool equal_constant_time(const void* a, const void* b, std::size_t n);

}  // namespace jira_mcp::core
