#include "jira_mcp/jira/errors.hpp"

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/jira/retry.hpp"

namespace jira_mcp::jira {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::config: return "config";
    case ErrorKind::auth: return "auth";
    case ErrorKind::permission: return "permission";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::bad_request: return "bad_request";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::server: return "server";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::tls: return "tls";
    case ErrorKind::connect: return "connect";
    case ErrorKind::dropped: return "dropped";
    case ErrorKind::unknown_outcome: return "unknown_outcome";
    case ErrorKind::protocol: return "protocol";
    case ErrorKind::invalid_argument: return "invalid_argument";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::too_large: return "too_large";
  }
  return "unknown";
}

namespace {

std::string request_label(const JiraError& e) {
  if (e.method.empty() && e.path.empty()) return "";
  return " for " + e.method + " " + e.path;
}

std::string status_label(const JiraError& e) {
  return e.http_status ? " (HTTP " + std::to_string(e.http_status) + ")" : "";
}

std::string attempts_label(const JiraError& e) {
  return e.attempts > 1 ? " after " + std::to_string(e.attempts) + " attempts" : "";
}

std::string jira_says(const JiraError& e) {
  std::string out;
  for (const auto& m : e.messages) out += (out.empty() ? "" : "; ") + m;
  if (out.empty()) return "";
  const char last = out.back();
  return " Jira says: " + out + (last == '.' || last == '!' || last == '?' ? "" : ".");
}

std::string truncate(std::string s, std::size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "...";
  }
  return s;
}

}  // namespace

std::string JiraError::to_string() const {
  const std::string where = request_label(*this);
  const std::string why = detail.empty() ? "" : " (" + detail + ")";
  std::string out;
  switch (kind) {
    case ErrorKind::config:
      out = "Jira client configuration problem: " + detail + ".";
      break;
    case ErrorKind::auth:
      out = "Jira authentication failed" + status_label(*this) + where +
            ": check JIRA_API_TOKEN/JIRA_EMAIL (Cloud) or JIRA_PAT (Data Center); the token may be "
            "wrong, expired or revoked." + jira_says(*this);
      break;
    case ErrorKind::permission:
      out = "Jira denied permission" + status_label(*this) + where +
            ": the authenticated user lacks the permission for this action or project; use an "
            "account with access or ask a Jira administrator to grant it." + jira_says(*this);
      break;
    case ErrorKind::not_found:
      out = "Not found" + status_label(*this) + where +
            ": the issue or resource is missing or not visible to this user; check the key or ID "
            "and that the user can browse the project." + jira_says(*this);
      break;
    case ErrorKind::bad_request: {
      if (http_status == 0 && !detail.empty()) {  // refused by the client before sending
        out = "Not sent to Jira" + where + ": " + detail + "; fix that value and retry.";
        break;
      }
      out = "Jira rejected the request" + status_label(*this) + where + ".";
      for (const auto& [field, msg] : field_errors) out += " Field '" + field + "': " + msg + ".";
      out += jira_says(*this);
      out += field_errors.empty() ? " Check the request parameters." : " Fix these fields and retry.";
      break;
    }
    case ErrorKind::conflict:
      out = "Conflict" + status_label(*this) + where +
            ": the resource changed or is locked; reload it and retry." + jira_says(*this);
      break;
    case ErrorKind::rate_limited: {
      out = "Jira rate limit" + status_label(*this) + " persisted" + attempts_label(*this) + where;
      if (retry_after) {
        out += "; Jira asked to wait " + std::to_string((retry_after->count() + 999) / 1000) + "s";
      }
      out += ". Retry later, or lower rate_rps / max_concurrency." + jira_says(*this);
      break;
    }
    case ErrorKind::server:
      out = "Jira server error" + status_label(*this) + attempts_label(*this) + where +
            ": Jira is failing or overloaded; retry later." + jira_says(*this);
      break;
    case ErrorKind::timeout:
      out = "Jira did not answer in time" + where + why +
            ": Jira is slow or unreachable; retry, narrow the query, or raise read_timeout / "
            "request_timeout.";
      break;
    case ErrorKind::tls:
      out = "TLS failure talking to Jira" + where + why + ": ";
      out += detail.find("certificate") != std::string::npos || detail.find("verif") != std::string::npos ||
                     detail.find("CA") != std::string::npos
                 ? "set ca_bundle to the PEM file of the CA that signed the server certificate "
                   "(or insecure=true, for testing only)."
                 : "check that JIRA_URL points at an https port, and the proxy settings.";
      break;
    case ErrorKind::connect:
      out = "Could not connect to Jira" + where + why +
            ": check JIRA_URL (host and port), DNS, the network and the proxy / no_proxy settings.";
      break;
    case ErrorKind::dropped:
      out = "The connection to Jira dropped before a complete answer" + attempts_label(*this) + where +
            why + "; retry later.";
      break;
    case ErrorKind::unknown_outcome:
      out = "The connection failed after the request was sent" + where + why +
            ": the change may or may not have been applied. Check the current state in Jira before "
            "retrying, to avoid a duplicate.";
      break;
    case ErrorKind::invalid_argument:
      out = "Refused to send" + where + ": " + detail +
            ". Nothing was sent to Jira; give keys and ids as Jira shows them (PROJ-123, 10001) and retry.";
      break;
    case ErrorKind::protocol:
      out = "Unexpected response from Jira" + status_label(*this) + where + why +
            "; check that JIRA_URL points at Jira (and its context path)." + jira_says(*this);
      break;
    case ErrorKind::cancelled:
      out = "Not sent" + where + ": the call was cancelled before this request went to Jira, so it changed "
            "nothing.";
      break;
    case ErrorKind::too_large:
      out = "Jira's answer was larger than this call allows" + where + why +
            "; reading it was stopped. Ask for less (a smaller max_results, fewer fields)" +
            (why.find("jira.max_response_bytes") != std::string::npos ? ", or raise jira.max_response_bytes." : ".");
      break;
  }
  return out;
}

JiraError error_from_response(const HttpResponse& response, std::chrono::system_clock::time_point now) {
  JiraError e;
  e.http_status = response.status;
  e.retry_after = server_requested_wait(response.headers, now);
  switch (response.status) {
    case 401: e.kind = ErrorKind::auth; break;
    case 403: e.kind = ErrorKind::permission; break;
    case 404: e.kind = ErrorKind::not_found; break;
    case 409: e.kind = ErrorKind::conflict; break;
    case 429: e.kind = ErrorKind::rate_limited; break;
    default: e.kind = response.status >= 500 ? ErrorKind::server : ErrorKind::bad_request; break;
  }
  Json body = Json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    if (auto it = body.find("errorMessages"); it != body.end() && it->is_array()) {
      for (const auto& m : *it) {
        e.messages.push_back(m.is_string() ? m.get<std::string>() : dump_compact(m));
      }
    }
    if (auto it = body.find("errors"); it != body.end() && it->is_object()) {
      for (const auto& [field, msg] : it->items()) {
        e.field_errors[field] = msg.is_string() ? msg.get<std::string>() : dump_compact(msg);
      }
    }
    if (auto m = string_or(body, "message"); !m.empty() && e.messages.empty()) e.messages.push_back(m);
  } else if (!response.body.empty() && response.body.find('<') == std::string::npos) {
    e.messages.push_back(truncate(response.body, 300));  // plain text; HTML pages say nothing useful
  }
  return e;
}

JiraError error_from_transport(const TransportError& error, bool idempotent) {
  JiraError e;
  e.detail = error.message;
  switch (error.kind) {
    case TransportErrorKind::connect: e.kind = ErrorKind::connect; break;
    case TransportErrorKind::connect_timeout:
      e.kind = ErrorKind::connect;
      e.detail = "connect timeout: " + error.message;
      break;
    case TransportErrorKind::tls_handshake:
    case TransportErrorKind::tls_verify:
    case TransportErrorKind::tls_setup: e.kind = ErrorKind::tls; break;
    case TransportErrorKind::pool_timeout: e.kind = ErrorKind::timeout; break;
    case TransportErrorKind::body_too_large: e.kind = ErrorKind::too_large; break;
    case TransportErrorKind::read_timeout:
    case TransportErrorKind::read:
    case TransportErrorKind::write:
    case TransportErrorKind::other:
      if (error.request_sent && !idempotent) {
        e.kind = ErrorKind::unknown_outcome;
        e.may_have_been_applied = true;
      } else {
        e.kind = error.kind == TransportErrorKind::read_timeout ? ErrorKind::timeout : ErrorKind::dropped;
      }
      break;
  }
  return e;
}

}  // namespace jira_mcp::jira
