#pragma once
// RequestStateCodec: seals and opens the `requestState` of a multi round-trip request (MCP
// 2026-07-28, InputRequiredResult).
//
// The state travels through the client, so it is attacker-controlled input. A sealed state is
//   "v1." base64url(payload JSON) "." base64url(HMAC-SHA256(key, "v1." base64url(payload)))
// with the expiry ("exp", Unix milliseconds of the wall clock) inside the signed payload. The
// payload is signed, not encrypted: it holds only what the client already sent or answered (the
// request's digest, the answers it gave), never a secret. Every instance of a fleet that shares
// the key (server.state_key) can open what another sealed; with no key configured each process
// draws a random one, so a retry that reaches another instance is refused and must start over.
// In fleet mode (cluster.redis_url) without a state_key the keys come from a KeySource: the
// fleet's key shared through Redis (cluster/routing.hpp), sealed with the first key it gives and
// opened with any of them.
//
// Thread safety: seal() and open() may run concurrently. A random key is drawn on the first of
// them (std::call_once), not at construction: most sessions never seal a state.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/clock.hpp"
#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"

namespace jira_mcp::mcp {

class RequestStateCodec {
 public:
  static constexpr std::chrono::seconds kDefaultTtl{600};

  // `key`: the shared secret (any bytes; 32 or more recommended). Empty draws a random 32-byte
  // key for this process. `clock` supplies the wall time the expiry is measured against.
  explicit RequestStateCodec(std::string key = {}, std::shared_ptr<Clock> clock = real_clock(),
                             std::chrono::seconds ttl = kDefaultTtl);

  // The keys to use, asked on every seal() and open(): seal with the first, open with any. Must
  // be thread-safe and never return an empty list.
  using KeySource = std::function<std::vector<std::string>()>;
  RequestStateCodec(KeySource source, std::shared_ptr<Clock> clock, std::chrono::seconds ttl = kDefaultTtl);

  // True when the key was drawn at random (no state_key configured).
  bool random_key() const { return random_key_; }
  std::chrono::seconds ttl() const { return ttl_; }

  // `payload` must be a JSON object; "exp" is set in it (now + ttl).
  std::string seal(Json payload) const;

  enum class Failure { Malformed, BadSignature, Expired };
  struct Refusal {
    Failure failure;
    std::string message;  // says what happened and what the client should do, names no secret
  };
  // The payload (with "exp") when `state` was sealed with this key and has not expired.
  Result<Json, Refusal> open(std::string_view state) const;

 private:
  std::string mac(std::string_view data, const std::string& key) const;
  std::vector<std::string> keys() const;
  const std::string& key() const;

  mutable std::string key_;  // drawn by key() when random_key_
  mutable std::once_flag key_drawn_;
  bool random_key_ = false;
  std::shared_ptr<Clock> clock_;
  std::chrono::seconds ttl_;
  KeySource source_;  // when set, the keys come from it
};

namespace detail {
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
}  // namespace detail

}  // namespace jira_mcp::mcp
