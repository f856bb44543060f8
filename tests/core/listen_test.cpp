// listen_backlog reads a listening socket's accept-queue limit; widen_listen_backlog raises it
// on a socket that already listens (what our HTTP servers do after httplib's listen(fd, 5)).
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "jira_mcp/core/listen.hpp"

using namespace jira_mcp;

TEST_CASE("a bound socket listening with backlog 5 is widened to the configured queue") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  core::set_listen_socket_options(fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  CHECK(core::listen_backlog(fd) == -1);  // bound, not listening
  REQUIRE(::listen(fd, 5) == 0);
  CHECK(core::listen_backlog(fd) == 5);
  REQUIRE(core::widen_listen_backlog(fd));
  int somaxconn = core::kListenBacklog;
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  CHECK(core::listen_backlog(fd) == std::min(core::kListenBacklog, somaxconn));
  int reuse = 0;
  socklen_t len = sizeof reuse;
  REQUIRE(::getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &reuse, &len) == 0);
  CHECK(reuse == 0);
  ::close(fd);
  CHECK_FALSE(core::widen_listen_backlog(-1));
}
