#pragma once
// Shared fixtures for the content tests: the corpus of realistic Jira documents and the ADF
// schema validator (Atlassian's schema from ../shared; without it the schema checks are skipped
// with one line saying so, and every other check runs).
#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_schema.hpp"
#include "support/paths.hpp"
#include "support/shared.hpp"

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
  const std::filesystem::path dir = std::filesystem::path(jira_mcp::testing::source_dir()) / "tests/content/corpus";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".md") docs.emplace_back(entry.path().filename().string(), read_file(entry.path()));
  }
  std::sort(docs.begin(), docs.end());
  return docs;
}

// Atlassian's ADF schema, compiled once; null when ../shared is missing.
inline const jira_mcp::core::JsonSchema* adf_schema() {
  static const std::optional<jira_mcp::core::JsonSchema> schema =
      []() -> std::optional<jira_mcp::core::JsonSchema> {
    auto path = jira_mcp::testing::shared_file("jira-openapi/adf-full-schema-v1.json",
                                                "the ADF documents the converters write are not validated against Atlassian's schema");
    if (!path) return std::nullopt;
    auto compiled = jira_mcp::core::JsonSchema::compile(jira_mcp::Json::parse(read_file(*path)));
    if (!compiled.ok()) throw std::runtime_error("ADF schema does not compile: " + compiled.error().message);
    return std::move(compiled).value();
  }();
  return schema ? &*schema : nullptr;
}

// "" when valid (or when the schema is not there: skipped, see adf_schema), else the
// violations, one per line.
inline std::string adf_violations(const jira_mcp::Json& doc) {
  const auto* schema = adf_schema();
  if (!schema) return "";
  std::string out;
  for (const auto& v : schema->validate(doc)) out += v.path + ": " + v.message + "\n";
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
