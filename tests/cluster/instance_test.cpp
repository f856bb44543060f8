#include <doctest/doctest.h>
#include <jira_mcp/cluster/instance.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>

using jira_mcp::cluster::instance_id_or_default;

TEST_CASE("the instance id is the configured one, else hostname-pid in plain characters") {
  CHECK(instance_id_or_default("mcp-a.1") == "mcp-a.1");
  const auto id = instance_id_or_default("");
  const std::string pid = "-" + std::to_string(::getpid());
  CHECK(id.size() > pid.size());
  CHECK(id.size() <= 64);
  CHECK(id.ends_with(pid));
  CHECK(std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  }));
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof host - 1) == 0);
  const std::string h = host;
  const bool plain_host = std::all_of(h.begin(), h.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-'; });
  if (plain_host && h.size() + pid.size() <= 64) CHECK(id == h + pid);
}
