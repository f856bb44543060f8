#pragma once
// Input from the client while a request runs: elicitation, sampling, roots.
//
// In the 2025 era a handler asks with a server-to-client request and waits (Session::request).
// In the 2026-07-28 era there are no server-to-client requests: multi round-trip requests
// (MRTR) replace them. The server answers the request with an InputRequiredResult naming what
// it needs (inputRequests, keyed) and a signed requestState; the client retries the same request
// with inputResponses (the answers, by the same keys) and the requestState, and the handler
// runs again from the start.
//
// A handler is written once for both eras: it calls RequestContext::ask (or elicit, sample,
// list_roots). On a 2026 request the context looks the answer up in this request's
// InputExchange; when one is missing it throws InputRequired, which unwinds the handler to the
// dispatcher, which answers with the InputRequiredResult. So a handler must do nothing
// irreversible before it asks (reads are fine), and must let InputRequired and InputRefused
// pass (neither derives from std::exception, so `catch (const std::exception&)` does).
//
// What the requestState holds (signed, see request_state.hpp): the method and a digest of the
// request's own params (so a state answers only the request that produced it), the answers the
// handler already used (so a third round still has the first round's answers), the keys asked
// last (only answers to those are taken from inputResponses), the principal when there is one,
// and the expiry.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/protocol.hpp"
#include "jira_mcp/mcp/request_state.hpp"

namespace jira_mcp::mcp {

// One request from server to client, as carried in inputRequests.
struct InputRequest {
  std::string key;     // unique within the request; the answer comes back under the same key
  std::string method;  // "elicitation/create", "sampling/createMessage" or "roots/list"
  Json params = Json::object();
  // The answer counts only when it comes with the requestState this server issued when it
  // asked, which binds it to this request (method, arguments), principal and expiry. false also
  // takes an answer the client sent unasked (only the conformance fixture does that).
  bool bound = true;
};

// The client capability `method` needs ("elicitation", "sampling", "roots"); empty if unknown.
std::string_view required_capability(std::string_view method);

// Thrown by RequestContext, never by a handler itself: the 2026 request needs these inputs.
struct InputRequired {
  std::vector<InputRequest> requests;
};
// Thrown by RequestContext on a 2026 request: the input cannot be asked for (the client lacks
// the capability: -32021) or the client's answer is malformed (-32602). Becomes that error.
struct InputRefused {
  RpcError error;
};

// {"resultType": "input_required", "inputRequests": {...}, "requestState": ...}; an empty
// `request_state` is left out. Public so other features (the tasks extension's tasks/update)
// build the same shape.
Json make_input_required_result(const std::vector<InputRequest>& requests, const std::string& request_state);

// The MRTR side of one 2026 tools/call, prompts/get or resources/read: what the retry brought.
// Not thread-safe: used by the thread running the request.
class InputExchange {
 public:
  // Reads params.inputResponses and params.requestState. Errors are -32602 with a message that
  // says how to recover: inputResponses not an object, requestState not a string, a state that
  // fails verification (altered, another key, expired) or belongs to another request/principal.
  static Result<InputExchange, RpcError> begin(const std::string& method, const Json& params,
                                               const RequestStateCodec& codec, std::string principal = {});

  // The client's answer to `request`, if this retry carries it. Throws InputRefused (-32602)
  // when the answer is there but malformed for its method.
  std::optional<Json> answer(const InputRequest& request);
  // The InputRequiredResult asking for `requests`, its state carrying the answers used so far.
  Json input_required(const std::vector<InputRequest>& requests) const;

 private:
  InputExchange(const RequestStateCodec& codec) : codec_(&codec) {}

  // What binds a state to its request: a digest of the params without _meta, inputResponses and
  // requestState. Computed only when a state is read or issued (most calls ask nothing), from
  // params_, which the request owns and which outlives the exchange.
  const std::string& digest() const;

  const RequestStateCodec* codec_;
  const Json* params_ = nullptr;
  std::string method_, principal_;
  mutable std::string digest_;
  Json known_ = Json::object();    // bound answers: the state's own and those to the keys it asked
  Json unbound_ = Json::object();  // inputResponses that came without a state
  Json used_ = Json::object();     // answers the handler took this run, carried to the next state
};

}  // namespace jira_mcp::mcp
