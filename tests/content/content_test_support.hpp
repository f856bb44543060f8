#pragma once
// Shared fixtures for the content tests: the corpus of realistic Jira documents and the ADF
// schema validator.
#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_schema.hpp"

namespace content_test {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// (file name, Markdown) for every tests/content/corpus/*.md, sorted by name.
inline std::vector<std::pair<std::string, std::string>> corpus() {
  std::vector<std::pair<std::string, std::string>> docs;
  const std::filesystem::path dir = std::filesystem::path(JIRA_MCP_SOURCE_DIR) / "tests/content/corpus";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".md") docs.emplace_back(entry.path().filename().string(), read_file(entry.path()));
  }
  std::sort(docs.begin(), docs.end());
  return docs;
}

inline const jira_mcp::core::JsonSchema& adf_schema() {
  static const jira_mcp::core::JsonSchema schema = [] {
    const std::string text = read_file(std::filesystem::path(JIRA_MCP_SHARED_DIR) / "jira-openapi/adf-full-schema-v1.json");
    auto compiled = jira_mcp::core::JsonSchema::compile(jira_mcp::Json::parse(text));
    if (!compiled.ok()) throw std::runtime_error("ADF schema does not compile: " + compiled.error().message);
    return std::move(compiled).value();
  }();
  return schema;
}

// "" when valid, else the violations, one per line.
inline std::string adf_violations(const jira_mcp::Json& doc) {
  std::string out;
  for (const auto& v : adf_schema().validate(doc)) out += v.path + ": " + v.message + "\n";
  return out;
}

// Collects every node of the given type, depth-first.
inline void find_nodes(const jira_mcp::Json& node, const std::string& type, std::vector<jira_mcp::Json>& out) {
  if (node.is_array()) {
    for (const auto& child : node) find_nodes(child, type, out);
    return;
  }
  if (!node.is_object()) return;
  if (node.value("type", "") == type) out.push_back(node);
  if (node.contains("content")) find_nodes(node["content"], type, out);
}

inline std::vector<jira_mcp::Json> nodes_of(const jira_mcp::Json& doc, const std::string& type) {
  std::vector<jira_mcp::Json> out;
  find_nodes(doc, type, out);
  return out;
}

}  // namespace content_test
