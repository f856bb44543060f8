#pragma once
// JSON Schema validation: tool arguments against a tool's inputSchema, ADF documents against the
// Atlassian schema, and "is this a schema at all" checks for the tool catalog.
//
// Supported (draft-04, draft-07 and 2020-12 keywords, chosen by each keyword's form, not by
// $schema):
//   type (string or array; "integer" accepts 3.0), enum, const;
//   properties, required, additionalProperties (bool or schema), patternProperties,
//   propertyNames, minProperties/maxProperties, dependentRequired, dependentSchemas,
//   dependencies (draft-04/07, both forms);
//   items (schema, or the array-of-schemas tuple form), prefixItems, additionalItems,
//   minItems/maxItems, uniqueItems, contains (+ minContains/maxContains);
//   minLength/maxLength (Unicode code points), pattern (ECMAScript, compiled once, searched
//   unanchored as the spec says), format ("date", "date-time", "email", "uri" checked leniently;
//   other formats ignored);
//   minimum/maximum, exclusiveMinimum/exclusiveMaximum (draft-04 boolean form and the numeric
//   form), multipleOf;
//   allOf/anyOf/oneOf/not, if/then/else, boolean schemas, $defs/definitions, and $ref to local
//   JSON pointers ("#", "#/definitions/x", "#/$defs/x", any "#/..." with ~0/~1 and %-escapes).
//   Keywords next to $ref are applied too (2019-09+ behaviour; draft-04 would ignore them).
//   Recursive schemas work; a $ref cycle that never descends into the instance (e.g. a schema that
//   is its own allOf) is a compile error rather than an infinite loop.
//   Annotations (title, description, default, examples, $schema, $id, $comment, readOnly, ...) and
//   unknown keywords are ignored.
// Not supported (compile error, so a schema never silently validates less than it says):
//   remote $ref (anything not starting with '#'), "#anchor" refs, $dynamicRef, $recursiveRef,
//   unevaluatedProperties, unevaluatedItems. Patterns with back-references are rejected too: the
//   regex engine runs in its polynomial (non-backtracking) mode so a long string can neither
//   overflow the stack nor take exponential time. Patterns match bytes, not code points.
// Numbers are compared as doubles (integers beyond 2^53 lose precision).
//
// Thread safety: a JsonSchema is immutable after compile(); validate() and is_valid() may run
// concurrently on the same object. Copies are cheap and share the compiled tree.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/result.hpp"

namespace jira_mcp::core {

namespace detail {
struct CompiledSchema;
}

struct SchemaViolation {
  // Where in the instance: "" for the root, "issue_key", "fields.labels[2]". A property name that
  // is not a plain identifier is quoted: fields["customfield 1"].
  std::string path;
  // What is wrong and what would be right, without echoing the offending value: "is required",
  // "must be a string, got number", "must be one of: \"a\", \"b\"",
  // "is not allowed (unknown property; allowed: key, summary)".
  std::string message;

  friend bool operator==(const SchemaViolation&, const SchemaViolation&) = default;
};

class JsonSchema {
 public:
  // Compiles `schema` (an object or a boolean) into a tree of nodes; nothing is copied from it at
  // validation time. An invalid schema is an Error with code "invalid_schema" whose message names
  // the schema location as a JSON pointer, e.g. "#/properties/limit/minimum: must be a number".
  static Result<JsonSchema> compile(const Json& schema);

  // All violations, up to `max` (0 is treated as 1), most useful first; empty means valid.
  // For anyOf/oneOf failures only the closest alternative's violations are reported, or one
  // merged message when every alternative fails on the same discriminator ("type must be one
  // of: ...") or on the instance's type.
  std::vector<SchemaViolation> validate(const Json& instance, std::size_t max = 20) const;

  // Same verdict as validate().empty(), but stops at the first failure and builds no messages.
  bool is_valid(const Json& instance) const;

 private:
  explicit JsonSchema(std::shared_ptr<const detail::CompiledSchema> compiled);
  std::shared_ptr<const detail::CompiledSchema> compiled_;
};

// One violation as a sentence: "issue_key is required", "fields.labels[2] must be a string, got
// number"; a root violation is prefixed with `root_name` ("arguments must be an object, got
// array").
std::string describe(const SchemaViolation& violation, std::string_view root_name = "value");

// All violations as one sentence list joined by "; ".
std::string describe(const std::vector<SchemaViolation>& violations,
                     std::string_view root_name = "value");

}  // namespace jira_mcp::core
