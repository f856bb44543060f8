#pragma once
// The compiled form of a JSON Schema, shared by the compiler (json_schema.cpp), the validator
// (json_schema_validate.cpp) and the format checks (json_schema_format.cpp). Every schema location
// compiles to exactly one Node, so a $ref is a plain pointer to the node of its target and
// recursion costs nothing extra. Nodes live in a deque owned by CompiledSchema, so the pointers
// stay valid for its whole life.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_schema.hpp"

namespace jira_mcp::core::detail {

// Bit mask of JSON types; an integral number carries both kNumber and kInteger.
enum TypeBits : std::uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeObject = 4,
  kTypeArray = 8,
  kTypeNumber = 16,
  kTypeInteger = 32,
  kTypeString = 64,
};

enum class Format : std::uint8_t { kNone, kDate, kDateTime, kEmail, kUri };

struct Pattern {
  std::string source;
  std::regex regex;
};

struct Node {
  std::size_t id = 0;      // index in CompiledSchema::nodes
  std::string location;    // "#/definitions/x", for messages
  bool is_false = false;   // the boolean schema `false`
  std::uint8_t types = 0;  // 0: any type

  bool has_enum = false;
  std::vector<Json> enum_values;
  std::optional<Json> const_value;

  // Objects. `properties` is sorted by name (binary search); `property_order` lists its indices
  // with the cheap schemas (no applicators, no children) first, so a wrong anyOf branch is
  // usually rejected by its discriminator before any deep descent.
  std::vector<std::pair<std::string, const Node*>> properties;
  std::vector<std::size_t> property_order;
  std::vector<std::string> required;
  std::vector<std::pair<Pattern, const Node*>> pattern_properties;
  const Node* additional_properties = nullptr;
  const Node* property_names = nullptr;
  std::optional<std::size_t> min_properties;
  std::optional<std::size_t> max_properties;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, const Node*>> dependent_schemas;

  // Arrays: prefix_items apply by position, `items` to every element after them.
  std::vector<const Node*> prefix_items;
  const Node* items = nullptr;
  std::optional<std::size_t> min_items;
  std::optional<std::size_t> max_items;
  bool unique_items = false;
  const Node* contains = nullptr;
  std::optional<std::size_t> min_contains;
  std::optional<std::size_t> max_contains;

  // Strings.
  std::optional<std::size_t> min_length;
  std::optional<std::size_t> max_length;
  std::optional<Pattern> pattern;
  Format format = Format::kNone;

  // Numbers.
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::optional<double> exclusive_minimum;
  std::optional<double> exclusive_maximum;
  std::optional<double> multiple_of;

  // Applicators on the same instance.
  const Node* ref = nullptr;
  std::vector<const Node*> all_of;
  std::vector<const Node*> any_of;
  std::vector<const Node*> one_of;
  const Node* not_schema = nullptr;
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;
  const Node* else_schema = nullptr;
};

struct CompiledSchema {
  std::deque<Node> nodes;
  const Node* root = nullptr;
};

// Validates `instance` against `schema`. With `out` null it only answers valid/invalid and stops
// at the first failure; otherwise it appends up to `max` violations to `out`.
bool run_validation(const CompiledSchema& schema, const Json& instance,
                    std::vector<SchemaViolation>* out, std::size_t max);

// Unicode code points in a UTF-8 string (continuation bytes are not counted).
std::size_t utf8_length(std::string_view s);

// Lenient format checks (see json_schema.hpp).
bool is_valid_format(Format format, std::string_view s);

}  // namespace jira_mcp::core::detail
