// Compiling a JSON Schema into the node tree of json_schema_node.hpp.
//
// Each schema location is compiled once, keyed by its canonical JSON pointer, and the node is
// registered before its children are compiled. A $ref resolves its pointer against the root
// document and asks for the node at that pointer: an already (or partly) compiled target is
// simply linked, which is what makes recursive schemas such as ADF terminate. Every keyword's
// form is checked as it is read, so the first malformed keyword becomes the error, named by its
// location. Definitions are compiled even when nothing refers to them, so a broken definition
// cannot hide until the day it is used.
#include "jira_mcp/core/json_schema.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json_schema_node.hpp"

namespace jira_mcp::core {
namespace detail {
namespace {

constexpr std::size_t kMaxSchemaDepth = 256;

std::string escape_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

const char* json_type_name(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "number";
    default:
      return "binary";
  }
}

std::optional<std::uint8_t> type_bit(const std::string& name) {
  if (name == "null") return kTypeNull;
  if (name == "boolean") return kTypeBoolean;
  if (name == "object") return kTypeObject;
  if (name == "array") return kTypeArray;
  if (name == "number") return kTypeNumber;
  if (name == "integer") return kTypeInteger;
  if (name == "string") return kTypeString;
  return std::nullopt;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_leaf(const Node& n) {
  return n.ref == nullptr && n.all_of.empty() && n.any_of.empty() && n.one_of.empty() &&
         n.not_schema == nullptr && n.if_schema == nullptr && n.properties.empty() &&
         n.pattern_properties.empty() && n.additional_properties == nullptr &&
         n.property_names == nullptr && n.dependent_schemas.empty() && n.items == nullptr &&
         n.prefix_items.empty() && n.contains == nullptr;
}

class Compiler {
 public:
  Compiler(const Json& root, CompiledSchema& out) : root_(root), out_(out) {}

  // The node for `schema`, which lives at `pointer` ("" or "/a/b") in the root document;
  // nullptr after an error (see error()).
  Node* compile(const Json& schema, const std::string& pointer, std::size_t depth) {
    if (auto it = by_pointer_.find(pointer); it != by_pointer_.end()) return it->second;
    if (depth > kMaxSchemaDepth) return fail(pointer, "schema is nested too deeply");
    if (!schema.is_object() && !schema.is_boolean()) {
      return fail(pointer, std::string("a schema must be an object or a boolean, got ") +
                               json_type_name(schema));
    }
    Node& node = out_.nodes.emplace_back();
    node.id = out_.nodes.size() - 1;
    node.location = "#" + pointer;
    by_pointer_.emplace(pointer, &node);
    if (schema.is_boolean()) {
      node.is_false = !schema.get<bool>();
      return &node;
    }
    return fill(node, schema, pointer, depth) ? &node : nullptr;
  }

  // Orders properties cheap-first and rejects $ref cycles that never consume input.
  bool finalize() {
    for (Node& n : out_.nodes) {
      n.property_order.clear();
      for (std::size_t i = 0; i < n.properties.size(); ++i) {
        if (is_leaf(*n.properties[i].second)) n.property_order.push_back(i);
      }
      for (std::size_t i = 0; i < n.properties.size(); ++i) {
        if (!is_leaf(*n.properties[i].second)) n.property_order.push_back(i);
      }
    }
    colors_.assign(out_.nodes.size(), 0);
    for (const Node& n : out_.nodes) {
      if (colors_[n.id] == 0 && !visit_in_place(n)) return false;
    }
    return true;
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  Node* fail(const std::string& pointer, std::string message) {
    if (!error_) error_ = Error{"invalid_schema", "#" + pointer + ": " + std::move(message)};
    return nullptr;
  }

  static std::string at(const std::string& pointer, std::string_view key) {
    return pointer + "/" + escape_token(key);
  }

  const Node* child(const Json& value, const std::string& pointer, std::size_t depth) {
    return compile(value, pointer, depth + 1);
  }

  bool read_count(const Json& s, const char* kw, std::optional<std::size_t>& out,
                  const std::string& ptr) {
    auto it = s.find(kw);
    if (it == s.end()) return true;
    if (it->is_number_unsigned()) {
      out = static_cast<std::size_t>(it->get<std::uint64_t>());
      return true;
    }
    if (it->is_number_integer() && it->get<std::int64_t>() >= 0) {
      out = static_cast<std::size_t>(it->get<std::int64_t>());
      return true;
    }
    if (it->is_number_float()) {
      double d = it->get<double>();
      if (d >= 0 && d < 9.0e15 && std::floor(d) == d) {
        out = static_cast<std::size_t>(d);
        return true;
      }
    }
    fail(at(ptr, kw), "must be a non-negative integer");
    return false;
  }

  bool read_number(const Json& s, const char* kw, std::optional<double>& out,
                   const std::string& ptr) {
    auto it = s.find(kw);
    if (it == s.end()) return true;
    if (!it->is_number()) {
      fail(at(ptr, kw), "must be a number");
      return false;
    }
    out = it->get<double>();
    return true;
  }

  // nullptr with no error when the keyword is absent.
  bool read_schema(const Json& s, const char* kw, const Node*& out, const std::string& ptr,
                   std::size_t depth) {
    auto it = s.find(kw);
    if (it == s.end()) return true;
    out = child(*it, at(ptr, kw), depth);
    return out != nullptr;
  }

  bool read_schema_array(const Json& s, const char* kw, std::vector<const Node*>& out,
                         const std::string& ptr, std::size_t depth) {
    auto it = s.find(kw);
    if (it == s.end()) return true;
    std::string base = at(ptr, kw);
    if (!it->is_array() || it->empty()) {
      fail(base, "must be a non-empty array of schemas");
      return false;
    }
    for (std::size_t i = 0; i < it->size(); ++i) {
      const Node* n = child((*it)[i], base + "/" + std::to_string(i), depth);
      if (n == nullptr) return false;
      out.push_back(n);
    }
    return true;
  }

  bool read_schema_map(const Json& s, const char* kw,
                       std::vector<std::pair<std::string, const Node*>>* out,
                       const std::string& ptr, std::size_t depth) {
    auto it = s.find(kw);
    if (it == s.end()) return true;
    std::string base = at(ptr, kw);
    if (!it->is_object()) {
      fail(base, "must be an object whose values are schemas");
      return false;
    }
    for (const auto& [name, value] : it->items()) {
      const Node* n = child(value, at(base, name), depth);
      if (n == nullptr) return false;
      if (out != nullptr) out->emplace_back(name, n);
    }
    return true;
  }

  bool read_string_array(const Json& value, std::vector<std::string>& out, const std::string& ptr) {
    if (!value.is_array()) {
      fail(ptr, "must be an array of strings");
      return false;
    }
    for (const Json& v : value) {
      if (!v.is_string()) {
        fail(ptr, "must be an array of strings");
        return false;
      }
      out.push_back(v.get<std::string>());
    }
    return true;
  }

  std::optional<Pattern> make_pattern(const std::string& source, const std::string& ptr) {
    // __polynomial selects libstdc++'s breadth-first executor: no recursion per input
    // character (the default executor overflows the stack on strings of ~20k characters) and
    // no exponential backtracking. It rejects back-references, which we accept as a limit.
    auto flags = std::regex::ECMAScript;
#if defined(__GLIBCXX__)
    flags |= std::regex_constants::__polynomial;
#endif
    try {
      return Pattern{source, std::regex(source, flags)};
    } catch (const std::regex_error& e) {
      fail(ptr, "invalid regular expression \"" + source + "\" (" + e.what() + ")");
      return std::nullopt;
    }
  }

  bool read_type(const Json& s, Node& n, const std::string& ptr) {
    auto it = s.find("type");
    if (it == s.end()) return true;
    std::string loc = at(ptr, "type");
    auto add = [&](const Json& name) {
      auto bit = name.is_string() ? type_bit(name.get<std::string>()) : std::nullopt;
      if (!bit) {
        fail(loc, "unknown type " + dump_compact(name) +
                      " (expected null, boolean, object, array, number, integer or string)");
        return false;
      }
      n.types |= *bit;
      return true;
    };
    if (it->is_array()) {
      if (it->empty()) {
        fail(loc, "must not be an empty array");
        return false;
      }
      for (const Json& name : *it) {
        if (!add(name)) return false;
      }
      return true;
    }
    return add(*it);
  }

  // Draft-04 `exclusiveMinimum: true` turns `minimum` exclusive; later drafts give a number.
  bool read_bound(const Json& s, const char* inclusive_kw, const char* exclusive_kw,
                  std::optional<double>& inclusive, std::optional<double>& exclusive,
                  const std::string& ptr) {
    if (!read_number(s, inclusive_kw, inclusive, ptr)) return false;
    auto it = s.find(exclusive_kw);
    if (it == s.end()) return true;
    if (it->is_boolean()) {
      if (it->get<bool>() && inclusive) {
        exclusive = inclusive;
        inclusive.reset();
      }
      return true;
    }
    if (!it->is_number()) {
      fail(at(ptr, exclusive_kw), "must be a number (or a boolean in draft-04)");
      return false;
    }
    exclusive = it->get<double>();
    return true;
  }

  bool read_items(const Json& s, Node& n, const std::string& ptr, std::size_t depth) {
    auto prefix = s.find("prefixItems");
    auto items = s.find("items");
    if (prefix != s.end()) {
      if (!read_schema_array(s, "prefixItems", n.prefix_items, ptr, depth)) return false;
      if (items != s.end() && items->is_array()) {
        fail(at(ptr, "items"), "must be a schema when prefixItems is present");
        return false;
      }
      return read_schema(s, "items", n.items, ptr, depth);
    }
    const Node* additional = nullptr;
    if (!read_schema(s, "additionalItems", additional, ptr, depth)) return false;
    if (items == s.end()) return true;  // additionalItems without tuple items means nothing
    if (items->is_array()) {
      std::string base = at(ptr, "items");
      for (std::size_t i = 0; i < items->size(); ++i) {
        const Node* c = child((*items)[i], base + "/" + std::to_string(i), depth);
        if (c == nullptr) return false;
        n.prefix_items.push_back(c);
      }
      n.items = additional;
      return true;
    }
    return read_schema(s, "items", n.items, ptr, depth);
  }

  bool read_dependencies(const Json& s, Node& n, const std::string& ptr, std::size_t depth) {
    if (auto it = s.find("dependentRequired"); it != s.end()) {
      std::string base = at(ptr, "dependentRequired");
      if (!it->is_object()) {
        fail(base, "must be an object whose values are arrays of strings");
        return false;
      }
      for (const auto& [name, value] : it->items()) {
        auto& entry = n.dependent_required.emplace_back(name, std::vector<std::string>{});
        if (!read_string_array(value, entry.second, at(base, name))) return false;
      }
    }
    if (!read_schema_map(s, "dependentSchemas", &n.dependent_schemas, ptr, depth)) return false;
    if (auto it = s.find("dependencies"); it != s.end()) {
      std::string base = at(ptr, "dependencies");
      if (!it->is_object()) {
        fail(base, "must be an object");
        return false;
      }
      for (const auto& [name, value] : it->items()) {
        if (value.is_array()) {
          auto& entry = n.dependent_required.emplace_back(name, std::vector<std::string>{});
          if (!read_string_array(value, entry.second, at(base, name))) return false;
        } else {
          const Node* c = child(value, at(base, name), depth);
          if (c == nullptr) return false;
          n.dependent_schemas.emplace_back(name, c);
        }
      }
    }
    return true;
  }

  bool read_ref(const Json& s, Node& n, const std::string& ptr) {
    auto it = s.find("$ref");
    if (it == s.end()) return true;
    std::string loc = at(ptr, "$ref");
    if (!it->is_string()) {
      fail(loc, "must be a string");
      return false;
    }
    const std::string& ref = it->get_ref<const std::string&>();
    if (ref.empty() || ref[0] != '#') {
      fail(loc, "unsupported reference \"" + ref +
                    "\" (only local references such as \"#/definitions/name\" are supported)");
      return false;
    }
    std::string fragment;
    for (std::size_t i = 1; i < ref.size(); ++i) {
      if (ref[i] != '%') {
        fragment += ref[i];
        continue;
      }
      int hi = i + 2 < ref.size() ? hex_value(ref[i + 1]) : -1;
      int lo = hi >= 0 ? hex_value(ref[i + 2]) : -1;
      if (lo < 0) {
        fail(loc, "bad %-escape in reference \"" + ref + "\"");
        return false;
      }
      fragment += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (!fragment.empty() && fragment[0] != '/') {
      fail(loc, "unsupported reference \"" + ref + "\" (anchors are not supported)");
      return false;
    }
    const Json* target = &root_;
    std::string canonical;
    std::size_t depth = 0;
    std::size_t pos = 0;
    while (pos < fragment.size()) {
      std::size_t next = fragment.find('/', pos + 1);
      if (next == std::string::npos) next = fragment.size();
      std::string token;
      for (std::size_t i = pos + 1; i < next; ++i) {
        if (fragment[i] != '~') {
          token += fragment[i];
        } else if (i + 1 < next && (fragment[i + 1] == '0' || fragment[i + 1] == '1')) {
          token += fragment[++i] == '0' ? '~' : '/';
        } else {
          fail(loc, "bad ~-escape in reference \"" + ref + "\"");
          return false;
        }
      }
      pos = next;
      ++depth;
      if (target->is_object()) {
        auto found = target->find(token);
        if (found == target->end()) {
          fail(loc, "unresolvable reference \"" + ref + "\"");
          return false;
        }
        target = &*found;
      } else if (target->is_array() && !token.empty() &&
                 token.find_first_not_of("0123456789") == std::string::npos && token.size() < 10 &&
                 std::stoul(token) < target->size()) {
        target = &(*target)[std::stoul(token)];
      } else {
        fail(loc, "unresolvable reference \"" + ref + "\"");
        return false;
      }
      canonical += "/" + escape_token(token);
    }
    n.ref = compile(*target, canonical, depth);
    return n.ref != nullptr;
  }

  bool fill(Node& n, const Json& s, const std::string& ptr, std::size_t depth) {
    for (const char* kw :
         {"$dynamicRef", "$recursiveRef", "unevaluatedProperties", "unevaluatedItems"}) {
      if (s.contains(kw)) {
        fail(at(ptr, kw), std::string(kw) + " is not supported");
        return false;
      }
    }
    if (!read_type(s, n, ptr)) return false;
    if (auto it = s.find("enum"); it != s.end()) {
      if (!it->is_array()) {
        fail(at(ptr, "enum"), "must be an array");
        return false;
      }
      if (it->empty()) {
        fail(at(ptr, "enum"), "must not be empty (nothing could match)");
        return false;
      }
      n.has_enum = true;
      n.enum_values.assign(it->begin(), it->end());
    }
    if (auto it = s.find("const"); it != s.end()) n.const_value = *it;

    // Objects.
    if (!read_schema_map(s, "properties", &n.properties, ptr, depth)) return false;
    if (auto it = s.find("required"); it != s.end()) {
      if (!read_string_array(*it, n.required, at(ptr, "required"))) return false;
    }
    if (auto it = s.find("patternProperties"); it != s.end()) {
      std::string base = at(ptr, "patternProperties");
      if (!it->is_object()) {
        fail(base, "must be an object whose values are schemas");
        return false;
      }
      for (const auto& [source, value] : it->items()) {
        auto pattern = make_pattern(source, at(base, source));
        if (!pattern) return false;
        const Node* c = child(value, at(base, source), depth);
        if (c == nullptr) return false;
        n.pattern_properties.emplace_back(std::move(*pattern), c);
      }
    }
    if (!read_schema(s, "additionalProperties", n.additional_properties, ptr, depth)) {
      return false;
    }
    if (!read_schema(s, "propertyNames", n.property_names, ptr, depth)) return false;
    if (!read_count(s, "minProperties", n.min_properties, ptr)) return false;
    if (!read_count(s, "maxProperties", n.max_properties, ptr)) return false;
    if (!read_dependencies(s, n, ptr, depth)) return false;

    // Arrays.
    if (!read_items(s, n, ptr, depth)) return false;
    if (!read_count(s, "minItems", n.min_items, ptr)) return false;
    if (!read_count(s, "maxItems", n.max_items, ptr)) return false;
    if (auto it = s.find("uniqueItems"); it != s.end()) {
      if (!it->is_boolean()) {
        fail(at(ptr, "uniqueItems"), "must be a boolean");
        return false;
      }
      n.unique_items = it->get<bool>();
    }
    if (!read_schema(s, "contains", n.contains, ptr, depth)) return false;
    if (!read_count(s, "minContains", n.min_contains, ptr)) return false;
    if (!read_count(s, "maxContains", n.max_contains, ptr)) return false;

    // Strings.
    if (!read_count(s, "minLength", n.min_length, ptr)) return false;
    if (!read_count(s, "maxLength", n.max_length, ptr)) return false;
    if (auto it = s.find("pattern"); it != s.end()) {
      if (!it->is_string()) {
        fail(at(ptr, "pattern"), "must be a string");
        return false;
      }
      n.pattern = make_pattern(it->get<std::string>(), at(ptr, "pattern"));
      if (!n.pattern) return false;
    }
    if (auto it = s.find("format"); it != s.end()) {
      if (!it->is_string()) {
        fail(at(ptr, "format"), "must be a string");
        return false;
      }
      const auto& f = it->get_ref<const std::string&>();
      if (f == "date") n.format = Format::kDate;
      if (f == "date-time") n.format = Format::kDateTime;
      if (f == "email") n.format = Format::kEmail;
      if (f == "uri") n.format = Format::kUri;
    }

    // Numbers.
    if (!read_bound(s, "minimum", "exclusiveMinimum", n.minimum, n.exclusive_minimum, ptr) ||
        !read_bound(s, "maximum", "exclusiveMaximum", n.maximum, n.exclusive_maximum, ptr) ||
        !read_number(s, "multipleOf", n.multiple_of, ptr)) {
      return false;
    }
    if (n.multiple_of && !(*n.multiple_of > 0)) {
      fail(at(ptr, "multipleOf"), "must be greater than 0");
      return false;
    }

    // Applicators and definitions.
    if (!read_ref(s, n, ptr)) return false;
    if (!read_schema_array(s, "allOf", n.all_of, ptr, depth) ||
        !read_schema_array(s, "anyOf", n.any_of, ptr, depth) ||
        !read_schema_array(s, "oneOf", n.one_of, ptr, depth) ||
        !read_schema(s, "not", n.not_schema, ptr, depth) ||
        !read_schema(s, "if", n.if_schema, ptr, depth) ||
        !read_schema(s, "then", n.then_schema, ptr, depth) ||
        !read_schema(s, "else", n.else_schema, ptr, depth) ||
        !read_schema_map(s, "$defs", nullptr, ptr, depth) ||
        !read_schema_map(s, "definitions", nullptr, ptr, depth)) {
      return false;
    }
    return true;
  }

  // Depth-first search over the edges that re-validate the same instance; a back edge is a
  // cycle that would recurse forever.
  bool visit_in_place(const Node& n) {
    colors_[n.id] = 1;
    auto edge = [&](const Node* next) {
      if (next == nullptr || colors_[next->id] == 2) return true;
      if (colors_[next->id] == 1) {
        if (!error_) {
          error_ = Error{"invalid_schema",
                         n.location + ": reference cycle through " + next->location +
                             " never descends into the instance (it would recurse forever)"};
        }
        return false;
      }
      return visit_in_place(*next);
    };
    bool ok = edge(n.ref) && edge(n.not_schema) && edge(n.if_schema) && edge(n.then_schema) &&
              edge(n.else_schema);
    for (const auto* list : {&n.all_of, &n.any_of, &n.one_of}) {
      for (const Node* c : *list) ok = ok && edge(c);
    }
    for (const auto& [name, c] : n.dependent_schemas) ok = ok && edge(c);
    colors_[n.id] = 2;
    return ok;
  }

  const Json& root_;
  CompiledSchema& out_;
  std::unordered_map<std::string, Node*> by_pointer_;
  std::vector<std::uint8_t> colors_;
  std::optional<Error> error_;
};

}  // namespace
}  // namespace detail

JsonSchema::JsonSchema(std::shared_ptr<const detail::CompiledSchema> compiled)
    : compiled_(std::move(compiled)) {}

Result<JsonSchema> JsonSchema::compile(const Json& schema) {
  auto compiled = std::make_shared<detail::CompiledSchema>();
  detail::Compiler compiler(schema, *compiled);
  const detail::Node* root = compiler.compile(schema, "", 0);
  if (root != nullptr && !compiler.error()) (void)compiler.finalize();
  if (compiler.error()) return unexpected(*compiler.error());
  compiled->root = root;
  return JsonSchema(std::move(compiled));
}

std::vector<SchemaViolation> JsonSchema::validate(const Json& instance, std::size_t max) const {
  std::vector<SchemaViolation> out;
  detail::run_validation(*compiled_, instance, &out, max == 0 ? 1 : max);
  return out;
}

bool JsonSchema::is_valid(const Json& instance) const {
  return detail::run_validation(*compiled_, instance, nullptr, 1);
}

std::string describe(const SchemaViolation& violation, std::string_view root_name) {
  std::string out = violation.path.empty() ? std::string(root_name) : violation.path;
  out += ' ';
  out += violation.message;
  return out;
}

std::string describe(const std::vector<SchemaViolation>& violations, std::string_view root_name) {
  std::string out;
  for (const auto& v : violations) {
    if (!out.empty()) out += "; ";
    out += describe(v, root_name);
  }
  return out;
}

}  // namespace jira_mcp::core
