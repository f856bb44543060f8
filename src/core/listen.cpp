#include "jira_mcp/core/listen.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace jira_mcp::core {

void set_listen_socket_options(int fd) {
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

bool widen_listen_backlog(int fd, int backlog) { return fd >= 0 && ::listen(fd, backlog) == 0; }

int listen_backlog(int fd) {
  int listening = 0;
  socklen_t len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) return -1;
  tcp_info info{};
  len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return -1;
  // For a listening socket Linux reports the accept queue's limit in tcpi_sacked.
  return static_cast<int>(info.tcpi_sacked);
}

}  // namespace jira_mcp::core
