#pragma once
// Inbound and CallState: the per-request state that travels with one request, explicitly, from
// the transport through the dispatcher (RequestContext) to the tool and the Jira client.
//
//   transport ──Inbound──▶ Dispatcher::handle/run/handle_text ──▶ RequestContext::inbound()
//                                                            └──▶ RequestContext::call() ◀── hooks, wrappers
//
// Inbound is what the transport knows about the message beyond its JSON: who sent it (the Jira
// credentials an HTTP client presented) and where the request's own notifications go (the SSE
// stream of the POST being answered). CallState is what the server adds while it handles the
// call: the tool's `fresh` flag and its --timing trace. What the request says about itself in
// params._meta (era, version, log level, W3C trace context) is RequestMeta (context.hpp). Nothing of this lives in a thread-local or a global: a reader follows it through
// function arguments.
//
// Plain data. An Inbound is copied into each request it describes; the Peer it names must
// outlive the dispatch (the transport's duty: the POST's stream lives for the whole call).
#include <memory>
#include <string>

#include "jira_mcp/monitor/trace.hpp"

namespace jira_mcp::mcp {

class Peer;

// Jira credentials a client presented with its requests (HTTP per-user credentials). `key`
// names them without the secrets (safe to log, a map key); two different credential sets have
// different keys.
struct Credentials {
  std::string key;
  std::string email, api_token;  // Jira Cloud
  std::string pat;               // Jira Data Center personal access token
};
using CredentialsPtr = std::shared_ptr<const Credentials>;

struct Inbound {
  // Who sent the request; null: nobody in particular (stdio, HTTP without per-user credentials),
  // so the server's own Jira credentials apply.
  CredentialsPtr identity;
  // Where this request's notifications (progress, log messages) and server-to-client requests
  // (elicitation) go: the response stream of the HTTP POST that carries it. Null: the session's
  // own peer (stdio; the HTTP GET stream). Thread-safe send(), as every Peer.
  Peer* sink = nullptr;
};

struct CallState {
  // Every Jira read of the call bypasses the cache (a read-only tool's `fresh` argument; set by
  // the catalog's wrapper before the tool runs).
  bool fresh = false;
  // The call's --timing trace (monitor/trace.hpp), set by DispatcherOptions::on_tool_start;
  // null: not traced.
  std::shared_ptr<monitor::CallTrace> trace;
};

}  // namespace jira_mcp::mcp
