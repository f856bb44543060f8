#pragma once
// The listening sockets of our HTTP servers (the MCP HTTP transport and the sandbox).
//
// Debian's cpp-httplib 0.11 is a compiled library that listens with a backlog of 5. A burst of
// more connections than that (eight clients connecting at once, or a client that opens a
// connection per request) overflows the accept queue; Linux then drops the handshake and the
// client waits for its 1 s SYN retransmit. `jira-mcp --bench` showed it as calls taking a whole
// second (TcpExtListenOverflows counted each). Calling listen() again on the bound socket sets a
// larger queue.
//
// Thread safety: plain functions over a file descriptor.

namespace jira_mcp::core {

inline constexpr int kListenBacklog = 1024;  // capped by net.core.somaxconn

// SO_REUSEADDR (fast restarts) but not SO_REUSEPORT, which would let a second server bind the
// same port silently and take some of its connections. For httplib's set_socket_options.
void set_listen_socket_options(int fd);

// listen(fd, backlog) on a socket already bound and listening. False (errno set) on failure.
bool widen_listen_backlog(int fd, int backlog = kListenBacklog);

// The accept-queue limit of a listening TCP socket (TCP_INFO), or -1 when it is not one.
int listen_backlog(int fd);

}  // namespace jira_mcp::core
