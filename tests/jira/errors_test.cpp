#include <doctest/doctest.h>

#include "jira_mcp/jira/errors.hpp"

using namespace jira_mcp::jira;

namespace {
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));
JiraError from(int status, std::string body, HttpHeaders headers = {}) {
  return error_from_response(HttpResponse{status, std::move(headers), std::move(body)}, kNow);
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("Jira's error body becomes messages and field errors") {
  auto e = from(400, R"({"errorMessages":["Bad JQL"],"errors":{"summary":"You must specify a summary.","priority":"bad"}})");
  CHECK(e.kind == ErrorKind::bad_request);
  CHECK(e.http_status == 400);
  REQUIRE(e.messages.size() == 1);
  CHECK(e.messages[0] == "Bad JQL");
  CHECK(e.field_errors.at("summary") == "You must specify a summary.");
  auto text = e.to_string();
  CHECK(contains(text, "Field 'summary': You must specify a summary."));
  CHECK(contains(text, "Field 'priority': bad"));
  CHECK(contains(text, "Bad JQL"));
}

TEST_CASE("each status maps to a kind with an actionable sentence") {
  auto auth = from(401, "");
  CHECK(auth.kind == ErrorKind::auth);
  CHECK(contains(auth.to_string(), "check JIRA_API_TOKEN/JIRA_EMAIL (Cloud) or JIRA_PAT (Data Center)"));
  auto perm = from(403, R"({"errorMessages":["You do not have permission"]})");
  CHECK(perm.kind == ErrorKind::permission);
  CHECK(contains(perm.to_string(), "permission"));
  auto missing = from(404, R"({"errorMessages":["Issue does not exist or you do not have permission to see it."]})");
  CHECK(missing.kind == ErrorKind::not_found);
  CHECK(contains(missing.to_string(), "missing or not visible to this user"));
  CHECK(from(409, "").kind == ErrorKind::conflict);
  auto limited = from(429, "", {{"Retry-After", "12"}});
  CHECK(limited.kind == ErrorKind::rate_limited);
  CHECK(limited.retry_after == std::chrono::milliseconds(12000));
  CHECK(contains(limited.to_string(), "wait 12s"));
  CHECK(from(500, "<html>oops</html>").kind == ErrorKind::server);
  CHECK(from(500, "<html>oops</html>").messages.empty());
  CHECK(from(503, "maintenance").messages == std::vector<std::string>{"maintenance"});
}

TEST_CASE("transport failures map to timeout, TLS, connect and unknown-outcome errors") {
  auto t = error_from_transport({TransportErrorKind::read_timeout, true, "no response"}, true);
  CHECK(t.kind == ErrorKind::timeout);
  auto unknown = error_from_transport({TransportErrorKind::read_timeout, true, "no response"}, false);
  CHECK(unknown.kind == ErrorKind::unknown_outcome);
  CHECK(unknown.may_have_been_applied);
  CHECK(contains(unknown.to_string(), "may or may not have been applied"));
  auto tls = error_from_transport({TransportErrorKind::tls_verify, false, "server certificate verification failed"}, true);
  CHECK(tls.kind == ErrorKind::tls);
  CHECK(contains(tls.to_string(), "ca_bundle"));
  CHECK(contains(tls.to_string(), "insecure"));
  auto conn = error_from_transport({TransportErrorKind::connect, false, "could not resolve or connect"}, false);
  CHECK(conn.kind == ErrorKind::connect);
  CHECK_FALSE(conn.may_have_been_applied);
  CHECK(contains(conn.to_string(), "JIRA_URL"));
  CHECK(error_from_transport({TransportErrorKind::read, true, ""}, true).kind == ErrorKind::dropped);
}
