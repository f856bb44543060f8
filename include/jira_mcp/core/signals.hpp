#pragma once
// SIGPIPE: a write to a socket the peer closed raises it, and its default action ends the process.
// The server ignores it (main.cpp); code that writes to sockets through a library that cannot pass
// MSG_NOSIGNAL (hiredis, OpenSSL's socket BIO) calls this for library users that might not have.
#include <csignal>

namespace jira_mcp::core {

// Ignores SIGPIPE unless the process has its own handler (or already ignores it).
inline void ignore_sigpipe_if_default() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace jira_mcp::core
