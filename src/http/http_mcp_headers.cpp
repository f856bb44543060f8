#include "transport/http_mcp_headers.hpp"

#include <array>
#include <cmath>
#include <vector>

#include "jira_mcp/core/base64.hpp"

namespace jira_mcp::transport::detail {

namespace {

constexpr std::string_view kVersionKey = "io.modelcontextprotocol/protocolVersion";
constexpr std::array<std::string_view, 4> kLegacyVersions = {"2025-11-25", "2025-06-18", "2025-03-26",
                                                             "2024-11-05"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool strict_base64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;  // '=' only at the end
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (!alpha) return false;
  }
  return pad <= 2;
}

// An x-mcp-header annotation: where its value sits in the arguments, and its type.
struct Mirrored {
  std::vector<std::string> path;
  std::string header;  // the {Name} of Mcp-Param-{Name}
  std::string type;
};

// Annotations reachable from the schema root through `properties` keys only (the spec ignores
// the rest; the tool's author is responsible for not placing them elsewhere).
void collect(const Json& schema, std::vector<std::string>& path, std::vector<Mirrored>& out) {
  if (!schema.is_object()) return;
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object()) return;
  for (const auto& [name, sub] : props->items()) {
    if (!sub.is_object()) continue;
    path.push_back(name);
    if (auto h = sub.find("x-mcp-header"); h != sub.end() && h->is_string() && !h->get_ref<const std::string&>().empty()) {
      out.push_back({path, h->get<std::string>(), sub.value("type", Json("")).is_string() ? sub.value("type", "") : ""});
    }
    collect(sub, path, out);
    path.pop_back();
  }
}

const Json* at_path(const Json& args, const std::vector<std::string>& path) {
  const Json* cur = &args;
  for (const auto& p : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(p);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur->is_null() ? nullptr : cur;
}

bool header_equals_value(const std::string& header, const Json& value) {
  if (value.is_string()) return header == value.get_ref<const std::string&>();
  if (value.is_boolean()) return header == (value.get<bool>() ? "true" : "false");
  if (value.is_number()) {
    // Compared as numbers: "42.0" and 42 agree.
    char* end = nullptr;
    const double h = std::strtod(header.c_str(), &end);
    if (header.empty() || end != header.c_str() + header.size()) return false;
    return h == value.get<double>();
  }
  return false;
}

}  // namespace

bool names_stateless_era(std::string_view header_version) {
  for (auto v : kLegacyVersions) {
    if (v == header_version) return false;
  }
  // Revisions are dates: an older or unknown-but-older one stays with the 2025 handling (which
  // refuses it as unsupported).
  return header_version > kLegacyVersions[0];
}

std::optional<std::string> decode_header_value(std::string_view raw) {
  const std::string_view v = trim(raw);
  for (unsigned char c : v) {
    if ((c < 0x20 && c != '\t') || c > 0x7E) return std::nullopt;
  }
  constexpr std::string_view kPrefix = "=?base64?", kSuffix = "?=";
  if (v.size() >= kPrefix.size() + kSuffix.size() && v.substr(0, kPrefix.size()) == kPrefix &&
      v.substr(v.size() - kSuffix.size()) == kSuffix) {
    const auto encoded = v.substr(kPrefix.size(), v.size() - kPrefix.size() - kSuffix.size());
    if (!strict_base64(encoded)) return std::nullopt;
    return core::base64_decode(encoded);
  }
  return std::string(v);
}

std::optional<std::string> header_mismatch(const httplib::Request& req, const Json& message, std::string_view version,
                                           const mcp::Registry& registry) {
  const std::string header_version(trim(req.get_header_value("MCP-Protocol-Version")));
  if (header_version.empty()) {
    return "the MCP-Protocol-Version header is required (it must equal params._meta[\"" + std::string(kVersionKey) +
           "\"], '" + std::string(version).substr(0, 40) + "')";
  }
  if (header_version != version) {
    return "the MCP-Protocol-Version header '" + header_version.substr(0, 40) +
           "' does not match the body's protocol version '" + std::string(version).substr(0, 40) + "'";
  }
  if (!message.contains("id")) return std::nullopt;  // notifications: no header rules in 2026-07-28
  const std::string method = message.value("method", Json("")).is_string() ? message.value("method", "") : "";
  if (!req.has_header("Mcp-Method")) return "the Mcp-Method header is required (it must equal the body's method '" + method.substr(0, 60) + "')";
  const std::string header_method(trim(req.get_header_value("Mcp-Method")));
  if (header_method != method) {
    return "the Mcp-Method header '" + header_method.substr(0, 60) + "' does not match the body's method '" +
           method.substr(0, 60) + "'";
  }
  // SEP-2243's name-shaped fields, and the tasks extension's (SEP-2663: Mcp-Name: <taskId>).
  const bool task_method = method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel";
  const char* name_field = method == "tools/call" || method == "prompts/get" ? "name"
                           : method == "resources/read"                     ? "uri"
                           : task_method                                    ? "taskId"
                                                                            : nullptr;
  if (!name_field) return std::nullopt;
  const Json params = message.value("params", Json::object());
  const Json body_name = params.is_object() ? params.value(name_field, Json()) : Json();
  const std::string expected = body_name.is_string() ? body_name.get<std::string>() : "";
  if (!req.has_header("Mcp-Name")) {
    return "the Mcp-Name header is required for " + method + " (it must equal params." + name_field + ")";
  }
  auto name = decode_header_value(req.get_header_value("Mcp-Name"));
  if (!name) return "the Mcp-Name header holds characters a header may not carry, or invalid Base64";
  if (*name != expected) {
    return "the Mcp-Name header '" + name->substr(0, 100) + "' does not match params." + name_field + " '" +
           expected.substr(0, 100) + "'";
  }
  if (method != "tools/call") return std::nullopt;
  const auto* tool = registry.find_tool(expected);
  if (!tool) return std::nullopt;  // the dispatcher answers for an unknown tool
  std::vector<Mirrored> mirrored;
  std::vector<std::string> path;
  collect(tool->listing.value("inputSchema", Json::object()), path, mirrored);
  const Json args = params.value("arguments", Json::object());
  for (const auto& m : mirrored) {
    if (m.type == "number" || m.type == "object" || m.type == "array") continue;  // not a valid annotation
    const std::string header = "Mcp-Param-" + m.header;
    const Json* value = at_path(args, m.path);
    if (!req.has_header(header)) {
      if (value) return "the " + header + " header is required: the arguments hold a value for it";
      continue;
    }
    auto decoded = decode_header_value(req.get_header_value(header));
    if (!decoded) return "the " + header + " header holds characters a header may not carry, or invalid Base64";
    if (!value) return "the " + header + " header is sent but the arguments hold no value for it";
    if (!header_equals_value(*decoded, *value)) {
      return "the " + header + " header '" + decoded->substr(0, 100) + "' does not match the argument's value";
    }
  }
  return std::nullopt;
}

}  // namespace jira_mcp::transport::detail
