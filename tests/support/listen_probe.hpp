#pragma once
// Finds this process's listening TCP socket on `port` (through /proc/self/fd) and reads its
// accept-queue limit, so a test can check what a server it started really listens with.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <string>

#include "jira_mcp/core/listen.hpp"

namespace jira_mcp::test {

inline int listen_backlog_of_port(int port) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (...) {
      continue;
    }
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) continue;
    int p = -1;
    if (addr.ss_family == AF_INET) p = ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    if (addr.ss_family == AF_INET6) p = ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
    if (p != port) continue;
    if (const int backlog = core::listen_backlog(fd); backlog >= 0) return backlog;
  }
  return -1;
}

}  // namespace jira_mcp::test
