#pragma once
// Loopback sockets for tests: a TCP socket bound to 127.0.0.1 on a port the kernel picks, and a
// port nothing listens on.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace jira_mcp::testing {

// A TCP socket bound to 127.0.0.1 on an ephemeral port (SO_REUSEADDR); `port` gets the port.
// The caller listens on it (or closes it). -1 when the socket could not be made.
inline int bind_loopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// A port nothing listens on right now (bound, then closed): connecting to it is refused, and a
// server told to use it can bind it.
inline int unused_loopback_port() {
  int port = 0;
  int fd = bind_loopback(port);
  if (fd >= 0) ::close(fd);
  return port;
}

}  // namespace jira_mcp::testing
