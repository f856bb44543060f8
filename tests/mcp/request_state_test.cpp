#include <doctest/doctest.h>

#include "jira_mcp/cache/hash.hpp"
#include "jira_mcp/mcp/request_state.hpp"

using namespace jira_mcp;
using namespace jira_mcp::mcp;

TEST_CASE("request state: a sealed state opens with the same key and keeps its payload") {
  auto clock = std::make_shared<FakeClock>();
  RequestStateCodec codec("a fleet-wide secret of some length", clock);
  CHECK_FALSE(codec.random_key());
  const std::string state = codec.seal(Json{{"m", "tools/call"}, {"a", {{"confirm", {{"action", "accept"}}}}}});
  CHECK(state.rfind("v1.", 0) == 0);
  CHECK(state.find_first_of("+/= \n") == std::string::npos);  // URL-safe, one spelling

  auto opened = codec.open(state);
  REQUIRE(opened);
  CHECK((*opened)["m"] == "tools/call");
  CHECK((*opened)["a"]["confirm"]["action"] == "accept");

  // Another instance of the fleet with the same key opens it too.
  RequestStateCodec other("a fleet-wide secret of some length", clock);
  CHECK(other.open(state));
}

TEST_CASE("request state: any change to the state or a different key is refused") {
  auto clock = std::make_shared<FakeClock>();
  RequestStateCodec codec("key one", clock);
  const std::string state = codec.seal(Json{{"m", "tools/call"}, {"d", "abc"}});

  auto refused = [&](const std::string& s) {
    auto r = codec.open(s);
    return r ? std::optional<RequestStateCodec::Failure>() : r.error().failure;
  };
  CHECK(refused(state + "-TAMPERED").has_value());
  CHECK(refused(state + "A").has_value());
  CHECK(refused("").has_value());
  CHECK(refused("v1.").has_value());
  CHECK(refused("garbage").value() == RequestStateCodec::Failure::Malformed);

  // Flip one character of the payload: the signature no longer matches.
  std::string flipped = state;
  const size_t at = 5;
  flipped[at] = flipped[at] == 'A' ? 'B' : 'A';
  CHECK(refused(flipped).value() == RequestStateCodec::Failure::BadSignature);

  // A payload re-signed by someone without the key: swap in a forged payload, keep the tag.
  const auto dot = state.rfind('.');
  const std::string forged = "v1." + detail::base64url_encode(R"({"m":"tools/call","d":"evil","exp":99999999999999})") +
                             state.substr(dot);
  CHECK(refused(forged).value() == RequestStateCodec::Failure::BadSignature);

  RequestStateCodec other_key("key two", clock);
  auto r = other_key.open(state);
  REQUIRE_FALSE(r);
  CHECK(r.error().failure == RequestStateCodec::Failure::BadSignature);
  CHECK(r.error().message.find("key one") == std::string::npos);  // the message never names the key
  CHECK(r.error().message.find("start over") != std::string::npos);
}

TEST_CASE("request state: a state past its time-to-live is refused as expired") {
  auto clock = std::make_shared<FakeClock>();
  RequestStateCodec codec("k", clock, std::chrono::seconds(60));
  const std::string state = codec.seal(Json::object());
  clock->advance(std::chrono::seconds(59));
  CHECK(codec.open(state));
  clock->advance(std::chrono::seconds(2));
  auto r = codec.open(state);
  REQUIRE_FALSE(r);
  CHECK(r.error().failure == RequestStateCodec::Failure::Expired);
  CHECK(r.error().message.find("expired") != std::string::npos);
}

TEST_CASE("request state: without a configured key each codec draws its own random key") {
  RequestStateCodec a, b;
  CHECK(a.random_key());
  const std::string state = a.seal(Json{{"x", 1}});
  CHECK(a.open(state));
  CHECK_FALSE(b.open(state));
}

TEST_CASE("request state: base64url round-trips every byte value") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n : {0u, 1u, 2u, 3u, 255u, 256u}) {
    const std::string s = all.substr(0, n);
    auto back = detail::base64url_decode(detail::base64url_encode(s));
    REQUIRE(back);
    CHECK(*back == s);
  }
  CHECK_FALSE(detail::base64url_decode("ab+/"));
  CHECK(cache::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("request state: sealing and opening cost (printed, not asserted)") {
  RequestStateCodec codec("k");
  const Json payload{{"m", "tools/call"},
                     {"d", std::string(64, 'a')},
                     {"a", {{"elicitation-0123456789abcdef", {{"action", "accept"}, {"content", {{"confirm", true}}}}}}},
                     {"q", {"elicitation-0123456789abcdef"}}};
  constexpr int kRounds = 2000;
  const auto start = std::chrono::steady_clock::now();
  size_t opened = 0;
  for (int i = 0; i < kRounds; ++i) opened += codec.open(codec.seal(payload)).ok() ? 1 : 0;
  const auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  CHECK(opened == kRounds);
  MESSAGE("seal+open of a " << codec.seal(payload).size() << "-byte requestState: " << us / kRounds << " us per round trip");
}
