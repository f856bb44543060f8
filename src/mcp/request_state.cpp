#include "jira_mcp/mcp/request_state.hpp"

#include "jira_mcp/core/digest.hpp"

#include <stdexcept>

#include "jira_mcp/core/base64.hpp"

namespace jira_mcp::mcp {

namespace detail {

std::string base64url_encode(std::string_view bytes) {
  std::string s = core::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    // The standard alphabet's own characters would decode too; refuse them so one state has
    // exactly one spelling.
    else if (c == '+' || c == '/' || c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') return std::nullopt;
  }
  return core::base64_decode(s);
}

}  // namespace detail

namespace {
constexpr std::string_view kVersion = "v1.";

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

RequestStateCodec::RequestStateCodec(std::string key, std::shared_ptr<Clock> clock, std::chrono::seconds ttl)
    : key_(std::move(key)), clock_(clock ? std::move(clock) : real_clock()), ttl_(ttl) {
  random_key_ = key_.empty();
}

RequestStateCodec::RequestStateCodec(KeySource source, std::shared_ptr<Clock> clock, std::chrono::seconds ttl)
    : clock_(clock ? std::move(clock) : real_clock()), ttl_(ttl), source_(std::move(source)) {
  if (!source_) throw std::logic_error("RequestStateCodec: the key source is empty");
}

std::vector<std::string> RequestStateCodec::keys() const {
  if (source_) {
    auto k = source_();
    if (k.empty() || k.front().empty()) throw std::logic_error("RequestStateCodec: the key source gave no key");
    return k;
  }
  return {key()};
}

const std::string& RequestStateCodec::key() const {
  std::call_once(key_drawn_, [this] {
    if (!random_key_) return;
    std::string drawn(32, '\0');
    if (!core::random_bytes(drawn.data(), drawn.size())) {
      // The flag is not set (an exception leaves call_once unfinished): the next call tries again.
      throw std::runtime_error("the kernel could not draw a random request-state key (getrandom)");
    }
    key_ = std::move(drawn);
  });
  return key_;
}

std::string RequestStateCodec::mac(std::string_view data, const std::string& key_bytes) const {
  const core::Sha256Digest out = core::hmac_sha256(key_bytes, data);
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

std::string RequestStateCodec::seal(Json payload) const {
  if (!payload.is_object()) throw std::logic_error("RequestStateCodec::seal: the payload must be a JSON object");
  payload["exp"] = unix_ms(clock_->wall_now() + ttl_);
  std::string signed_part(kVersion);
  signed_part += detail::base64url_encode(dump_compact(payload));
  return signed_part + "." + detail::base64url_encode(mac(signed_part, keys().front()));
}

Result<Json, RequestStateCodec::Refusal> RequestStateCodec::open(std::string_view state) const {
  auto malformed = [] {
    return unexpected(Refusal{Failure::Malformed,
                              "requestState is not one this server issued (malformed); echo the requestState of "
                              "the last InputRequiredResult unchanged, or retry without requestState and "
                              "inputResponses to start over"});
  };
  if (state.substr(0, kVersion.size()) != kVersion) return malformed();
  const auto dot = state.rfind('.');
  if (dot == std::string_view::npos || dot < kVersion.size()) return malformed();
  const std::string_view signed_part = state.substr(0, dot);
  auto signature = detail::base64url_decode(state.substr(dot + 1));
  if (!signature) return malformed();
  // Constant time, so the comparison leaks nothing about how much of a forged tag was right.
  bool verified = false;
  for (const auto& k : keys()) {
    const std::string expected = mac(signed_part, k);
    verified = verified || (signature->size() == expected.size() &&
                            core::equal_constant_time(signature->data(), expected.data(), expected.size()));
  }
  if (!verified) {
    return unexpected(Refusal{Failure::BadSignature,
                              "requestState failed its integrity check (it was altered, or issued under another "
                              "server key); retry without requestState and inputResponses to start over"});
  }
  auto text = detail::base64url_decode(signed_part.substr(kVersion.size()));
  if (!text) return malformed();
  Json payload;
  try {
    payload = Json::parse(*text);
  } catch (const Json::exception&) {
    return malformed();
  }
  if (!payload.is_object() || !payload.contains("exp") || !payload["exp"].is_number_integer()) return malformed();
  if (payload["exp"].get<std::int64_t>() <= unix_ms(clock_->wall_now())) {
    return unexpected(Refusal{Failure::Expired,
                              "requestState has expired (it is valid for " + std::to_string(ttl_.count()) +
                                  " s); retry without requestState and inputResponses to be asked again"});
  }
  return payload;
}

}  // namespace jira_mcp::mcp
