#pragma once
// The stdio transport: newline-delimited compact JSON-RPC on a pair of file descriptors.
//
// Threads: run()'s thread reads, and from the first call a second thread shares the reading
// (stdin one-shot in epoll: input wakes one of them). A call that arrives when nothing else runs
// runs on the thread that read it, counted as one of `workers`, while the other reads on; every
// other call goes to a bounded worker pool. Lines never interleave: a reply is written by the
// thread that made it when stdout is idle, else queued for one writer thread, which starts with
// the first line queued; the reply to initialize, a session's first line, is written by run()'s
// thread itself, so the handshake waits for no thread. A slow request never blocks a fast one
// (replies may come out of order).
// Notifications, responses, `initialize` and the cheap requests (ping, logging/setLevel:
// Dispatcher::runs_inline) are handled by the thread that read them, so a cancellation, an
// elicitation answer or a liveness probe never waits behind queued work. A queued request is registered
// with the session as it is queued (mcp::QueuedRequest): cancelled before a worker takes it, it
// never runs and gets no reply.
//
// Shutdown: at end of input, or after stop(), the reader stops, in-flight requests finish and
// reply, the writer flushes, and run() returns 0. stop() is thread-safe and async-signal-safe
// in the sense that it only writes to an eventfd.
//
// Hostile input never crashes the server and never produces a partial line: a line over
// max_line_bytes is discarded with one -32600 error; invalid JSON or UTF-8 and over-deep
// nesting get -32700; a request that finds the queue full gets -32000 (server busy).
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

#include "jira_mcp/mcp/dispatcher.hpp"
#include "jira_mcp/mcp/subscriptions.hpp"

namespace jira_mcp::transport {

struct StdioOptions {
  size_t max_line_bytes = 16u << 20;
  size_t workers = 4;
  size_t max_queue = 256;
  int in_fd = 0;
  int out_fd = 1;
  // subscriptions/listen (2026-07-28): the listeners' registry; none: the method is left to the
  // dispatcher. A listener's request stays open (no response) while its notifications flow,
  // each tagged with its subscriptionId; notifications/cancelled naming it or the end of input
  // ends it, and stop() ends it with the closing response.
  std::shared_ptr<mcp::SubscriptionHub> subscriptions;
  // Called once, on run()'s thread, after the first line read has been handled (its reply
  // written when it is answered inline, as initialize is): for start-up work the handshake need
  // not wait for (jira-mcp starts its monitor's thread here). Not called when input ends first.
  // An exception it throws is logged, not propagated.
  std::function<void()> after_first_line;
};

class StdioServer {
 public:
  StdioServer(const mcp::Dispatcher& dispatcher, StdioOptions options);
  ~StdioServer();
  StdioServer(const StdioServer&) = delete;
  StdioServer& operator=(const StdioServer&) = delete;

  // Serves until end of input or stop(). Returns the process exit code (0 on a clean end).
  int run();
  void stop();
  // The session of this connection (for server-initiated notifications such as alerts).
  mcp::Session& session();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jira_mcp::transport
