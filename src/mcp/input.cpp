#include "jira_mcp/mcp/input.hpp"

#include "jira_mcp/cache/hash.hpp"

namespace jira_mcp::mcp {

namespace {

RpcError invalid(std::string message) { return RpcError{rpc::kInvalidParams, std::move(message), {}}; }

// What makes an answer usable for its method; empty when it is. Deliberately shallow: the
// handler reads the members leniently, this only refuses what cannot be an answer at all.
std::string malformed(const std::string& method, const Json& a) {
  if (!a.is_object()) return "must be an object";
  if (method == "elicitation/create") {
    auto action = a.find("action");
    if (action == a.end() || !action->is_string() ||
        (*action != "accept" && *action != "decline" && *action != "cancel")) {
      return "must be an ElicitResult: {\"action\": \"accept\" | \"decline\" | \"cancel\", \"content\"?: {...}}";
    }
    if (auto c = a.find("content"); c != a.end() && !c->is_object() && !c->is_null()) {
      return "has a \"content\" that is not an object";
    }
  } else if (method == "sampling/createMessage") {
    if (!a.contains("role") || !a.contains("content")) {
      return "must be a CreateMessageResult: {\"role\", \"content\", \"model\", ...}";
    }
  } else if (method == "roots/list") {
    if (!a.contains("roots") || !a["roots"].is_array()) return "must be a ListRootsResult: {\"roots\": [...]}";
  }
  return {};
}

}  // namespace

std::string_view required_capability(std::string_view method) {
  if (method == "elicitation/create") return "elicitation";
  if (method == "sampling/createMessage") return "sampling";
  if (method == "roots/list") return "roots";
  return {};
}

Json make_input_required_result(const std::vector<InputRequest>& requests, const std::string& request_state) {
  Json result{{"resultType", "input_required"}};
  if (!requests.empty()) {
    Json asked = Json::object();
    for (const auto& r : requests) asked[r.key] = Json{{"method", r.method}, {"params", r.params}};
    result["inputRequests"] = std::move(asked);
  }
  if (!request_state.empty()) result["requestState"] = request_state;
  return result;
}

Result<InputExchange, RpcError> InputExchange::begin(const std::string& method, const Json& params,
                                                     const RequestStateCodec& codec, std::string principal) {
  InputExchange ex(codec);
  ex.method_ = method;
  ex.principal_ = std::move(principal);
  ex.params_ = &params;

  Json responses = Json::object();
  if (auto r = params.find("inputResponses"); r != params.end()) {
    if (!r->is_object()) {
      return unexpected(invalid("Invalid params: \"inputResponses\" must be an object mapping each key of the "
                                "last InputRequiredResult's inputRequests to the client's answer"));
    }
    responses = *r;
  }
  auto s = params.find("requestState");
  if (s == params.end()) {
    ex.unbound_ = std::move(responses);
    return ex;
  }
  if (!s->is_string()) {
    return unexpected(invalid("Invalid params: \"requestState\" must be the string the last InputRequiredResult "
                              "carried, echoed unchanged"));
  }
  auto payload = codec.open(s->get<std::string>());
  if (!payload) return unexpected(invalid("Invalid params: " + payload.error().message));
  if (string_or(*payload, "m") != method || string_or(*payload, "d") != ex.digest()) {
    return unexpected(invalid("Invalid params: requestState belongs to another request (a different method, "
                              "tool, prompt, resource or arguments); send it only with the request that "
                              "received it, unchanged"));
  }
  if (string_or(*payload, "p") != ex.principal_) {
    return unexpected(invalid("Invalid params: requestState was issued to another user; start the request again "
                              "without requestState and inputResponses"));
  }
  if (auto a = payload->find("a"); a != payload->end() && a->is_object()) ex.known_ = *a;
  if (auto q = payload->find("q"); q != payload->end() && q->is_array()) {
    for (const auto& key : *q) {
      if (!key.is_string()) continue;
      const std::string k = key.get<std::string>();
      // An answer the state already holds stays as signed; the client answers only what was asked.
      if (auto it = responses.find(k); it != responses.end() && !ex.known_.contains(k)) ex.known_[k] = *it;
    }
  }
  return ex;
}

const std::string& InputExchange::digest() const {
  if (digest_.empty()) {
    Json salient = params_ && params_->is_object() ? *params_ : Json::object();
    for (const char* k : {"_meta", "inputResponses", "requestState"}) salient.erase(k);
    digest_ = cache::sha256_hex(dump_compact(salient));
  }
  return digest_;
}

std::optional<Json> InputExchange::answer(const InputRequest& request) {
  const Json* found = nullptr;
  if (auto it = known_.find(request.key); it != known_.end()) {
    found = &*it;
  } else if (!request.bound) {
    if (auto u = unbound_.find(request.key); u != unbound_.end()) found = &*u;
  }
  if (!found) return std::nullopt;
  if (std::string problem = malformed(request.method, *found); !problem.empty()) {
    throw InputRefused{invalid("Invalid params: inputResponses[\"" + request.key + "\"] " + problem +
                               " (the answer to the " + request.method + " request of that key)")};
  }
  used_[request.key] = *found;
  return *found;
}

Json InputExchange::input_required(const std::vector<InputRequest>& requests) const {
  Json asked = Json::array();
  for (const auto& r : requests) asked.push_back(r.key);
  Json payload{{"m", method_}, {"d", digest()}, {"a", used_}, {"q", std::move(asked)}};
  if (!principal_.empty()) payload["p"] = principal_;
  return make_input_required_result(requests, codec_->seal(std::move(payload)));
}

}  // namespace jira_mcp::mcp
