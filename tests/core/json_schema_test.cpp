#include "jira_mcp/core/json_schema.hpp"

#include <doctest/doctest.h>

#include "support/shared.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& lines) {
    std::string out = "{";
    for (const auto& line : lines) out += "\n  " + line;
    out += lines.empty() ? "}" : "\n}";
    return String(out.c_str());
  }
};
}  // namespace doctest

using jira_mcp::Json;
using jira_mcp::core::describe;
using jira_mcp::core::JsonSchema;
using jira_mcp::core::SchemaViolation;

namespace {

JsonSchema schema_of(const std::string& text) {
  auto compiled = JsonSchema::compile(Json::parse(text));
  if (!compiled.ok()) FAIL("schema did not compile: " << compiled.error().message);
  return std::move(compiled).value();
}

// The violations of `instance` as "path: message" lines, for compact assertions.
std::vector<std::string> problems(const JsonSchema& schema, const std::string& instance,
                                  std::size_t max = 20) {
  Json value = Json::parse(instance);
  std::vector<std::string> out;
  for (const SchemaViolation& v : schema.validate(value, max)) {
    out.push_back(v.path + ": " + v.message);
  }
  // is_valid must always agree with validate.
  CHECK(schema.is_valid(value) == out.empty());
  return out;
}

using Lines = std::vector<std::string>;

std::string compile_error(const std::string& text) {
  auto compiled = JsonSchema::compile(Json::parse(text));
  if (compiled.ok()) return "(compiled)";
  CHECK(compiled.error().code == "invalid_schema");
  return compiled.error().message;
}

Json load_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return Json::parse(buffer.str());
}

}  // namespace

TEST_CASE("type accepts the named JSON types and says what it got") {
  auto s = schema_of(R"({"type": "string"})");
  CHECK(problems(s, R"("x")").empty());
  CHECK(problems(s, "3") == Lines{": must be a string, got number"});
  CHECK(problems(s, "null") == Lines{": must be a string, got null"});

  auto integer = schema_of(R"({"type": "integer"})");
  CHECK(problems(integer, "3").empty());
  CHECK(problems(integer, "3.0").empty());
  CHECK(problems(integer, "-7").empty());
  CHECK(problems(integer, "3.5") == Lines{": must be an integer, got number"});
  CHECK(problems(integer, "true") == Lines{": must be an integer, got boolean"});

  auto number = schema_of(R"({"type": "number"})");
  CHECK(problems(number, "3").empty());
  CHECK(problems(number, "3.5").empty());
  CHECK(problems(number, R"("3")") == Lines{": must be a number, got string"});

  auto several = schema_of(R"({"type": ["string", "null"]})");
  CHECK(problems(several, "null").empty());
  CHECK(problems(several, R"("a")").empty());
  CHECK(problems(several, "1") == Lines{": must be a string or null, got number"});
  auto three = schema_of(R"({"type": ["object", "array", "boolean"]})");
  CHECK(problems(three, "1") == Lines{": must be an object, an array or a boolean, got number"});
  CHECK(problems(three, "[]").empty());
  CHECK(problems(three, "{}").empty());
  CHECK(problems(three, "false").empty());
}

TEST_CASE("enum and const compare JSON values, numbers by value") {
  auto e = schema_of(R"({"enum": ["a", "b", 1, null]})");
  CHECK(problems(e, R"("a")").empty());
  CHECK(problems(e, "1.0").empty());
  CHECK(problems(e, "null").empty());
  CHECK(problems(e, R"("c")") == Lines{R"(: must be one of: "a", "b", 1, null)"});
  CHECK(problems(e, R"("1")") == Lines{R"(: must be one of: "a", "b", 1, null)"});

  auto c = schema_of(R"({"const": {"k": [1, 2]}})");
  CHECK(problems(c, R"({"k": [1, 2]})").empty());
  CHECK(problems(c, R"({"k": [2, 1]})") == Lines{R"(: must be {"k":[1,2]})"});
}

TEST_CASE("object keywords report the property that is wrong") {
  auto s = schema_of(R"({
    "type": "object",
    "properties": {"key": {"type": "string"}, "summary": {"type": "string"},
                   "fields": {"type": "object", "properties": {
                     "labels": {"type": "array", "items": {"type": "string"}}}}},
    "required": ["key", "summary"],
    "additionalProperties": false})");
  CHECK(problems(s, R"({"key": "A-1", "summary": "s"})").empty());
  CHECK(problems(s, R"({"key": "A-1"})") == Lines{"summary: is required"});
  CHECK(problems(s, R"({"key": 5, "summary": "s"})") == Lines{"key: must be a string, got number"});
  CHECK(problems(s, R"({"key": "A-1", "summary": "s", "fields": {"labels": ["a", "b", 3]}})") ==
        Lines{"fields.labels[2]: must be a string, got number"});
  CHECK(problems(s, R"({"key": "A-1", "summary": "s", "colour": 1})") ==
        Lines{"colour: is not allowed (unknown property; allowed: fields, key, summary)"});
  CHECK(problems(s, R"({"key": "A-1", "summray": "s"})") ==
        Lines{"summary: is required",
              "summray: is not allowed (unknown property; did you mean \"summary\"?; allowed: "
              "fields, key, summary)"});
  CHECK(problems(s, R"({"key": "A-1", "summary": "s", "a b": 1})") ==
        Lines{R"(["a b"]: is not allowed (unknown property; allowed: fields, key, summary))"});
  CHECK(problems(s, "[]") == Lines{": must be an object, got array"});
}

TEST_CASE("additionalProperties as a schema, patternProperties and propertyNames") {
  auto s = schema_of(R"({
    "properties": {"name": {"type": "string"}},
    "patternProperties": {"^customfield_[0-9]+$": {"type": "number"}},
    "additionalProperties": {"type": "boolean"}})");
  CHECK(problems(s, R"({"name": "x", "customfield_10": 3, "flag": true})").empty());
  CHECK(problems(s, R"({"customfield_10": "three"})") ==
        Lines{"customfield_10: must be a number, got string"});
  CHECK(problems(s, R"({"flag": "yes"})") == Lines{"flag: must be a boolean, got string"});

  auto only_patterns = schema_of(R"({
    "patternProperties": {"^x-": {}}, "additionalProperties": false})");
  CHECK(problems(only_patterns, R"({"x-a": 1})").empty());
  CHECK(problems(only_patterns, R"({"y": 1})") ==
        Lines{"y: is not allowed (unknown property; allowed: names matching /^x-/)"});
  auto closed = schema_of(R"({"additionalProperties": false})");
  CHECK(problems(closed, R"({"y": 1})") ==
        Lines{"y: is not allowed (unknown property; none are allowed here)"});

  auto names = schema_of(R"({"propertyNames": {"pattern": "^[a-z]+$"}})");
  CHECK(problems(names, R"({"abc": 1})").empty());
  CHECK(problems(names, R"({"aBc": 1})") ==
        Lines{"aBc: is not an allowed property name: it must match the pattern /^[a-z]+$/"});
}

TEST_CASE("property counts and dependencies") {
  auto s = schema_of(R"({"minProperties": 1, "maxProperties": 2})");
  CHECK(problems(s, R"({"a": 1})").empty());
  CHECK(problems(s, "{}") == Lines{": must have at least 1 property, got 0"});
  CHECK(problems(s, R"({"a": 1, "b": 2, "c": 3})") ==
        Lines{": must have at most 2 properties, got 3"});
  CHECK(problems(s, "[1, 2, 3]").empty());  // object keywords ignore other types

  auto dependent = schema_of(R"({"dependentRequired": {"start": ["end"]},
                                 "dependencies": {"page": ["limit"], "mode": {"required": ["x"]}},
                                 "dependentSchemas": {"q": {"properties": {"q": {"type": "string"}}}}})");
  CHECK(problems(dependent, R"({"start": 1, "end": 2})").empty());
  CHECK(problems(dependent, R"({"end": 2})").empty());
  CHECK(problems(dependent, R"({"start": 1})") ==
        Lines{R"(end: is required when "start" is present)"});
  CHECK(problems(dependent, R"({"page": 1})") ==
        Lines{R"(limit: is required when "page" is present)"});
  CHECK(problems(dependent, R"({"mode": 1})") == Lines{"x: is required"});
  CHECK(problems(dependent, R"({"q": 1})") == Lines{"q: must be a string, got number"});
}

TEST_CASE("array keywords: items, tuples, counts, uniqueness, contains") {
  auto items = schema_of(R"({"items": {"type": "integer"}, "minItems": 1, "maxItems": 3})");
  CHECK(problems(items, "[1, 2]").empty());
  CHECK(problems(items, "[]") == Lines{": must have at least 1 item, got 0"});
  CHECK(problems(items, "[1, 2, 3, 4]") == Lines{": must have at most 3 items, got 4"});
  CHECK(problems(items, R"([1, "2", "3"])") ==
        Lines{"[1]: must be an integer, got string", "[2]: must be an integer, got string"});

  auto tuple = schema_of(R"({"items": [{"type": "string"}, {"type": "number"}],
                             "additionalItems": false})");
  CHECK(problems(tuple, R"(["a", 1])").empty());
  CHECK(problems(tuple, R"(["a"])").empty());
  CHECK(problems(tuple, R"([1, 1])") == Lines{"[0]: must be a string, got number"});
  CHECK(problems(tuple, R"(["a", 1, 2])") == Lines{"[2]: is not allowed"});
  auto open_tuple = schema_of(R"({"items": [{"type": "string"}]})");
  CHECK(problems(open_tuple, R"(["a", 1, null])").empty());

  auto prefix = schema_of(R"({"prefixItems": [{"type": "string"}], "items": {"type": "number"}})");
  CHECK(problems(prefix, R"(["a", 1, 2])").empty());
  CHECK(problems(prefix, R"(["a", 1, "b"])") == Lines{"[2]: must be a number, got string"});

  auto unique = schema_of(R"({"uniqueItems": true})");
  CHECK(problems(unique, R"([1, "1", {"a": 1}, {"a": 2}])").empty());
  CHECK(problems(unique, R"([1, 2, 1.0])") ==
        Lines{": must not contain duplicate items (items 0 and 2 are equal)"});

  auto contains = schema_of(R"({"contains": {"const": "x"}})");
  CHECK(problems(contains, R"(["a", "x"])").empty());
  CHECK(problems(contains, R"(["a", "b"])") ==
        Lines{R"(: must contain at least 1 item matching the "contains" schema, got 0)"});
  auto counted =
      schema_of(R"({"contains": {"type": "integer"}, "minContains": 2, "maxContains": 3})");
  CHECK(problems(counted, "[1, 2]").empty());
  CHECK(problems(counted, R"([1, "a"])") ==
        Lines{R"(: must contain at least 2 items matching the "contains" schema, got 1)"});
  CHECK(problems(counted, "[1, 2, 3, 4]") ==
        Lines{R"(: must contain at most 3 items matching the "contains" schema, got 4)"});
}

TEST_CASE("string lengths count code points and patterns search unanchored") {
  auto s = schema_of(R"({"minLength": 2, "maxLength": 5})");
  CHECK(problems(s, R"("ab")").empty());
  CHECK(problems(s, "\"h\xc3\xa9llo\"").empty());                      // 5 code points, 6 bytes
  CHECK(problems(s, "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"").empty());  // two emoji, 8 bytes
  CHECK(problems(s, R"("a")") == Lines{": must be at least 2 characters long, got 1"});
  CHECK(problems(s, R"("abcdef")") == Lines{": must be at most 5 characters long, got 6"});
  CHECK(problems(s, "12").empty());  // string keywords ignore other types

  auto key = schema_of(R"({"pattern": "^[A-Z][A-Z0-9_]+-[0-9]+$"})");
  CHECK(problems(key, R"("PROJ-12")").empty());
  CHECK(problems(key, R"("proj-12")") ==
        Lines{": must match the pattern /^[A-Z][A-Z0-9_]+-[0-9]+$/"});
  auto inner = schema_of(R"({"pattern": "b+"})");
  CHECK(problems(inner, R"("abbc")").empty());
  CHECK_FALSE(problems(inner, R"("ac")").empty());
}

TEST_CASE("a pattern on a very long string neither overflows the stack nor backtracks") {
  auto s = schema_of(R"({"pattern": "^(a|b)*c$"})");
  std::string long_text(200000, 'a');
  CHECK_FALSE(s.is_valid(Json(long_text)));
  CHECK(s.is_valid(Json(long_text + "c")));
  auto evil = schema_of(R"({"pattern": "^(a+)+$"})");
  CHECK_FALSE(evil.is_valid(Json(std::string(5000, 'a') + "!")));
}

TEST_CASE("formats date, date-time, email and uri are checked leniently, others ignored") {
  auto date = schema_of(R"({"format": "date"})");
  CHECK(problems(date, R"("2024-02-29")").empty());
  CHECK(problems(date, R"("2023-02-29")") == Lines{": must be a date in the form YYYY-MM-DD"});
  CHECK_FALSE(problems(date, R"("2024-13-01")").empty());
  CHECK_FALSE(problems(date, R"("24-01-01")").empty());

  auto dt = schema_of(R"({"format": "date-time"})");
  CHECK(problems(dt, R"("2024-01-31T09:30:00Z")").empty());
  CHECK(problems(dt, R"("2024-01-31T09:30:00.123+02:00")").empty());
  CHECK(problems(dt, R"("2024-01-31T09:30:00.000+0000")").empty());
  CHECK_FALSE(problems(dt, R"("2024-01-31")").empty());
  CHECK_FALSE(problems(dt, R"("2024-01-31T25:30:00Z")").empty());

  auto email = schema_of(R"({"format": "email"})");
  CHECK(problems(email, R"("jane.doe@example.com")").empty());
  CHECK(problems(email, R"("jane")") == Lines{": must be an email address"});
  CHECK_FALSE(problems(email, R"("jane doe@example.com")").empty());

  auto uri = schema_of(R"({"format": "uri"})");
  CHECK(problems(uri, R"("https://example.atlassian.net/browse/A-1")").empty());
  CHECK(problems(uri, R"("mailto:x@y.z")").empty());
  CHECK_FALSE(problems(uri, R"("/browse/A-1")").empty());
  CHECK_FALSE(problems(uri, R"("https://exa mple.com")").empty());

  auto unknown = schema_of(R"({"format": "jira-key"})");
  CHECK(problems(unknown, R"("anything")").empty());
}

TEST_CASE("numeric bounds in both draft-04 and later forms, and multipleOf") {
  auto s = schema_of(R"({"minimum": 1, "maximum": 6})");
  CHECK(problems(s, "1").empty());
  CHECK(problems(s, "6").empty());
  CHECK(problems(s, "0") == Lines{": must be >= 1"});
  CHECK(problems(s, "6.5") == Lines{": must be <= 6"});

  auto draft4 = schema_of(R"({"minimum": 0, "exclusiveMinimum": true,
                              "maximum": 10, "exclusiveMaximum": true})");
  CHECK(problems(draft4, "5").empty());
  CHECK(problems(draft4, "0") == Lines{": must be > 0"});
  CHECK(problems(draft4, "10") == Lines{": must be < 10"});
  auto draft4_inclusive = schema_of(R"({"minimum": 0, "exclusiveMinimum": false})");
  CHECK(problems(draft4_inclusive, "0").empty());

  auto numeric = schema_of(R"({"exclusiveMinimum": 0, "exclusiveMaximum": 1.5})");
  CHECK(problems(numeric, "0.5").empty());
  CHECK(problems(numeric, "0") == Lines{": must be > 0"});
  CHECK(problems(numeric, "1.5") == Lines{": must be < 1.5"});

  auto step = schema_of(R"({"multipleOf": 5})");
  CHECK(problems(step, "15").empty());
  CHECK(problems(step, "-10").empty());
  CHECK(problems(step, "7") == Lines{": must be a multiple of 5"});
  auto cents = schema_of(R"({"multipleOf": 0.01})");
  CHECK(problems(cents, "0.07").empty());
  CHECK(problems(cents, "19.99").empty());
  CHECK(problems(cents, "0.075") == Lines{": must be a multiple of 0.01"});
  CHECK(problems(s, R"("x")").empty());  // numeric keywords ignore other types
}

TEST_CASE("allOf, not and if/then/else") {
  auto all = schema_of(R"({"allOf": [{"type": "string"}, {"maxLength": 2}]})");
  CHECK(problems(all, R"("ab")").empty());
  CHECK(problems(all, R"("abc")") == Lines{": must be at most 2 characters long, got 3"});

  auto negated = schema_of(R"({"not": {"type": "null"}})");
  CHECK(problems(negated, "1").empty());
  CHECK(problems(negated, "null") == Lines{R"(: must not match the schema under "not")"});

  auto conditional = schema_of(R"({
    "if": {"properties": {"kind": {"const": "epic"}}, "required": ["kind"]},
    "then": {"required": ["epic_name"]},
    "else": {"properties": {"epic_name": false}}})");
  CHECK(problems(conditional, R"({"kind": "epic", "epic_name": "E"})").empty());
  CHECK(problems(conditional, R"({"kind": "epic"})") == Lines{"epic_name: is required"});
  CHECK(problems(conditional, R"({"kind": "task"})").empty());
  CHECK(problems(conditional, R"({"kind": "task", "epic_name": "E"})") ==
        Lines{"epic_name: is not allowed"});
}

TEST_CASE("anyOf and oneOf failures produce one helpful message") {
  auto types = schema_of(R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})");
  CHECK(problems(types, R"("a")").empty());
  CHECK(problems(types, "2").empty());
  CHECK(problems(types, "{}") == Lines{": must be a string or an integer, got object"});

  auto nullable = schema_of(R"({"anyOf": [{"type": "null"}, {"enum": ["low", "high"]}]})");
  CHECK(problems(nullable, "null").empty());
  CHECK(problems(nullable, R"("mid")") == Lines{R"(: must be one of: "low", "high" (or null))"});

  // Alternatives told apart by a discriminator: an unknown kind lists every kind.
  auto shapes = schema_of(R"({"anyOf": [
    {"properties": {"kind": {"const": "user"}, "account_id": {"type": "string"}},
     "required": ["kind", "account_id"], "additionalProperties": false},
    {"properties": {"kind": {"const": "group"}, "name": {"type": "string"}},
     "required": ["kind", "name"], "additionalProperties": false},
    {"properties": {"kind": {"enum": ["role", "project-role"]}, "id": {"type": "integer"}},
     "required": ["kind", "id"], "additionalProperties": false}]})");
  CHECK(problems(shapes, R"({"kind": "group", "name": "devs"})").empty());
  CHECK(problems(shapes, R"({"kind": "team", "name": "devs"})") ==
        Lines{R"(kind: must be one of: "user", "group", "role", "project-role")"});
  // A known kind with a mistake: the violations of the closest alternative only.
  CHECK(problems(shapes, R"({"kind": "group", "name": 7})") ==
        Lines{"name: must be a string, got number"});
  CHECK(problems(shapes, R"({"kind": "role"})") == Lines{"id: is required"});

  auto exactly =
      schema_of(R"({"oneOf": [{"type": "integer"}, {"minimum": 2}, {"type": "string"}]})");
  CHECK(problems(exactly, "1").empty());
  CHECK(problems(exactly, "2.5").empty());
  CHECK(problems(exactly, "null").empty());  // only {"minimum": 2}, which ignores non-numbers
  CHECK(problems(exactly, "3") ==
        Lines{": must match exactly one of 3 alternatives but matches 2 of them (alternatives 1 "
              "and 2)"});
  CHECK(problems(exactly, R"("s")") ==
        Lines{": must match exactly one of 3 alternatives but matches 2 of them (alternatives 2 "
              "and 3)"});
  // No alternative matches: the near miss (not the ones for other types) explains why.
  CHECK(problems(exactly, "1.5") == Lines{": must be >= 2"});
}

TEST_CASE("$ref resolves local pointers, escapes and recursion") {
  auto tree = schema_of(R"({
    "$ref": "#/definitions/node",
    "definitions": {"node": {"type": "object", "required": ["name"],
      "properties": {"name": {"type": "string"},
                     "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}}}}})");
  CHECK(problems(tree, R"({"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]})")
            .empty());
  CHECK(
      problems(tree, R"({"name": "a", "children": [{"name": "b", "children": [{"nom": "c"}]}]})") ==
      Lines{"children[0].children[0].name: is required"});

  auto self = schema_of(R"({"type": ["integer", "array"], "items": {"$ref": "#"}})");
  CHECK(problems(self, "[1, [2, [3]]]").empty());
  CHECK(problems(self, R"([1, [2, ["x"]]])") ==
        Lines{"[1][1][0]: must be an array or an integer, got string"});

  auto defs = schema_of(R"({"$defs": {"a/b": {"type": "string"}, "c~d": {"type": "number"},
                                      "e%f": {"type": "boolean"}},
    "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"},
                   "z": {"$ref": "#/$defs/e%25f"}, "w": {"$ref": "#/properties/x"}}})");
  CHECK(problems(defs, R"({"x": "s", "y": 1, "z": true, "w": "t"})").empty());
  CHECK(problems(defs, R"({"x": 1, "y": "s", "z": 0, "w": 2})") ==
        Lines{"w: must be a string, got number", "x: must be a string, got number",
              "y: must be a number, got string", "z: must be a boolean, got number"});

  auto siblings = schema_of(R"({"$defs": {"s": {"type": "string"}},
                                "$ref": "#/$defs/s", "maxLength": 1})");
  CHECK(problems(siblings, R"("ab")") == Lines{": must be at most 1 character long, got 2"});
}

TEST_CASE("deep input against a recursive schema is refused, not a crash") {
  auto self = schema_of(R"({"type": ["integer", "array"], "items": {"$ref": "#"}})");
  Json deep = 1;
  for (int i = 0; i < 1000; ++i) deep = Json::array({std::move(deep)});
  auto found = self.validate(deep);
  REQUIRE(found.size() == 1);
  CHECK(found[0].message == "is nested too deeply to validate");
  CHECK_FALSE(self.is_valid(deep));
}

TEST_CASE("boolean schemas and ignored annotations") {
  CHECK(schema_of("true").is_valid(Json::parse(R"({"anything": [1]})")));
  CHECK(problems(schema_of("false"), "1") == Lines{": is not allowed"});
  auto annotated = schema_of(R"({"title": "T", "description": "D", "default": 3,
    "examples": [1], "$schema": "http://json-schema.org/draft-07/schema#", "$id": "urn:x",
    "$comment": "c", "readOnly": true, "deprecated": false, "x-custom": {"type": "string"},
    "type": "integer"})");
  CHECK(problems(annotated, "3").empty());
  CHECK(problems(annotated, R"("3")") == Lines{": must be an integer, got string"});
}

TEST_CASE("an invalid schema is an error naming its location") {
  CHECK(
      compile_error(R"({"properties": {"a": {"type": "strin"}}})") ==
      R"(#/properties/a/type: unknown type "strin" (expected null, boolean, object, array, number, integer or string))");
  CHECK(compile_error(R"({"required": "a"})") == "#/required: must be an array of strings");
  CHECK(compile_error(R"({"minLength": -1})") == "#/minLength: must be a non-negative integer");
  CHECK(compile_error(R"({"maxItems": 1.5})") == "#/maxItems: must be a non-negative integer");
  CHECK(compile_error(R"({"properties": []})") ==
        "#/properties: must be an object whose values are schemas");
  CHECK(compile_error(R"({"properties": {"a": 3}})") ==
        "#/properties/a: a schema must be an object or a boolean, got number");
  CHECK(compile_error(R"({"anyOf": []})") == "#/anyOf: must be a non-empty array of schemas");
  CHECK(compile_error(R"({"enum": "a"})") == "#/enum: must be an array");
  CHECK(compile_error(R"({"enum": []})") == "#/enum: must not be empty (nothing could match)");
  CHECK(compile_error(R"({"minimum": "1"})") == "#/minimum: must be a number");
  CHECK(compile_error(R"({"multipleOf": 0})") == "#/multipleOf: must be greater than 0");
  CHECK(compile_error(R"({"uniqueItems": 1})") == "#/uniqueItems: must be a boolean");
  CHECK(compile_error(R"({"items": {"pattern": "("}})")
            .rfind(R"(#/items/pattern: invalid regular expression "(")", 0) == 0);
  CHECK(compile_error(R"({"definitions": {"a": {"$ref": "#/definitions/b"}}})") ==
        R"(#/definitions/a/$ref: unresolvable reference "#/definitions/b")");
  CHECK(
      compile_error(R"({"$ref": "https://example.com/schema.json"})") ==
      R"(#/$ref: unsupported reference "https://example.com/schema.json" (only local references such as "#/definitions/name" are supported))");
  CHECK(compile_error(R"({"$ref": "#foo"})") ==
        R"(#/$ref: unsupported reference "#foo" (anchors are not supported))");
  CHECK(compile_error(R"({"unevaluatedProperties": false})") ==
        "#/unevaluatedProperties: unevaluatedProperties is not supported");
  CHECK(compile_error(R"({"definitions": {"a": {"allOf": [{"$ref": "#/definitions/b"}]},
                                          "b": {"$ref": "#/definitions/a"}}})")
            .find("never descends into the instance") != std::string::npos);
  CHECK(compile_error("[]") == "#: a schema must be an object or a boolean, got array");
  CHECK(compile_error(R"({"prefixItems": [{}], "items": [{}]})") ==
        "#/items: must be a schema when prefixItems is present");
}

TEST_CASE("validate stops at max violations, and describe writes sentences") {
  auto s = schema_of(R"({"items": {"type": "string"}})");
  CHECK(s.validate(Json::parse("[1, 2, 3, 4]"), 2).size() == 2);
  CHECK(s.validate(Json::parse("[1, 2, 3, 4]"), 0).size() == 1);
  CHECK(s.validate(Json::parse("[1, 2, 3, 4]")).size() == 4);

  auto found =
      schema_of(R"({"type": "object", "required": ["issue_key"]})").validate(Json::parse("{}"));
  CHECK(describe(found) == "issue_key is required");
  std::vector<SchemaViolation> two{{"", "must be an object, got array"}, {"a[1]", "is required"}};
  CHECK(describe(two, "arguments") == "arguments must be an object, got array; a[1] is required");
}

TEST_CASE("the ADF schema compiles and checks documents") {
  const auto path = jira_mcp::testing::shared_file(
      "jira-openapi/adf-full-schema-v1.json", "the validator is not run on Atlassian's ADF schema");
  if (!path) return;
  Json adf = load_json(path->string());
  auto compiled = JsonSchema::compile(adf);
  REQUIRE_MESSAGE(compiled.ok(), compiled.error().message);
  const JsonSchema& schema = *compiled;

  Json valid = Json::parse(R"({
    "version": 1, "type": "doc", "content": [
      {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Title"}]},
      {"type": "paragraph", "content": [
        {"type": "text", "text": "Hello "},
        {"type": "text", "text": "world", "marks": [{"type": "strong"}]},
        {"type": "text", "text": "link", "marks": [{"type": "link", "attrs": {"href": "https://x.y"}}]}]},
      {"type": "bulletList", "content": [
        {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]},
        {"type": "listItem", "content": [
          {"type": "paragraph", "content": [{"type": "text", "text": "two"}]},
          {"type": "bulletList", "content": [{"type": "listItem", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "nested"}]}]}]}]}]},
      {"type": "codeBlock", "attrs": {"language": "cpp"}, "content": [{"type": "text", "text": "int x;"}]},
      {"type": "table", "content": [
        {"type": "tableRow", "content": [
          {"type": "tableHeader", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "H"}]}]}]},
        {"type": "tableRow", "content": [
          {"type": "tableCell", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "C"}]}]}]}]}]})");
  CHECK(schema.validate(valid).empty());
  CHECK(schema.is_valid(valid));

  SUBCASE("an unknown node type is one message listing the known ones") {
    Json doc = valid;
    doc["content"][1] = Json::parse(R"({"type": "paragraf", "content": []})");
    auto found = schema.validate(doc);
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == "content[1].type");
    CHECK(found[0].message.rfind("must be one of: ", 0) == 0);
    CHECK(found[0].message.find("\"paragraph\"") != std::string::npos);
    CHECK(found[0].message.find("\"bulletList\"") != std::string::npos);
    CHECK_FALSE(schema.is_valid(doc));
  }
  SUBCASE("a heading without attrs.level") {
    Json doc = valid;
    doc["content"][0]["attrs"].erase("level");
    CHECK(problems(schema, doc.dump()) == Lines{"content[0].attrs.level: is required"});
    doc["content"][0].erase("attrs");
    CHECK(problems(schema, doc.dump()) == Lines{"content[0].attrs: is required"});
  }
  SUBCASE("a text node with empty text, deep in a list") {
    Json doc = valid;
    doc["content"][2]["content"][1]["content"][1]["content"][0]["content"][0]["content"][0]
       ["text"] = "";
    CHECK(problems(schema, doc.dump()) ==
          Lines{"content[2].content[1].content[1].content[0].content[0].content[0].text: must be "
                "at least 1 character long, got 0"});
  }
  SUBCASE("a mistake at the bottom of deeply nested lists is found and named") {
    // Every level offers many alternatives; reporting must not re-validate each of them in depth
    // at every level (that is exponential and would not finish).
    Json item = Json::parse(
        R"({"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}]})");
    Json list = {{"type", "bulletList"}, {"content", Json::array({item})}};
    std::string expected_path = "content[0].content[0].content[0].text";
    for (int i = 0; i < 10; ++i) {
      Json outer = item;
      outer["content"].push_back(list);
      list = {{"type", "bulletList"}, {"content", Json::array({outer})}};
      expected_path = "content[0].content[1]." + expected_path;
    }
    Json doc = {{"version", 1}, {"type", "doc"}, {"content", Json::array({list})}};
    CHECK(schema.is_valid(doc));
    Json* innermost = &doc["content"][0];
    for (int i = 0; i < 10; ++i) innermost = &(*innermost)["content"][0]["content"][1];
    (*innermost)["content"][0]["content"][0]["content"][0]["text"] = "";
    CHECK(problems(schema, doc.dump()) ==
          Lines{"content[0]." + expected_path + ": must be at least 1 character long, got 0"});
  }
  SUBCASE("a document without a version") {
    Json doc = valid;
    doc.erase("version");
    CHECK(problems(schema, doc.dump()) == Lines{"version: is required"});
  }
  SUBCASE("an unknown mark") {
    Json doc = valid;
    doc["content"][1]["content"][1]["marks"][0]["type"] = "bold";
    auto found = schema.validate(doc);
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == "content[1].content[1].marks[0].type");
    CHECK(found[0].message.find("\"strong\"") != std::string::npos);
  }
}
