// Validating an instance against the compiled node tree.
//
// One recursive walk serves both entry points. Without an output vector it is a predicate that
// returns at the first failure and formats nothing (is_valid, and the trial runs of anyOf, oneOf,
// not, if and contains). With one it collects violations until the limit; the current instance
// path is a stack of pointers to keys and indices, turned into a string only when a violation is
// recorded, so the walk copies no JSON.
//
// anyOf/oneOf: when no alternative matches, every alternative is re-run collecting its own
// violations and ranked: an alternative for another type of value is worst, one whose
// discriminator (an enum or const on the value itself or on one of its direct properties, like
// ADF's "type") rejects the value is next, anything else is a near miss. The near miss with the
// fewest violations is reported as-is; if there is none, the discriminators are merged into one
// "must be one of" (or the types into one "must be a string or an object"), which is what a
// caller needs to pick the right shape.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/json_schema_node.hpp"
#include "jira_mcp/core/text.hpp"

namespace jira_mcp::core::detail {
namespace {

constexpr std::size_t kMaxInstanceDepth = 256;  // path segments; deeper input is refused
constexpr std::size_t kBranchLimit = 8;         // violations collected per anyOf alternative
constexpr std::size_t kMaxListed = 30;          // enum values or property names in a message
constexpr std::size_t kUnlimited = static_cast<std::size_t>(-1);

enum class Kind : std::uint8_t { kOther, kType, kEnum };

struct Violation {
  std::string path;
  std::string message;
  Kind kind = Kind::kOther;
  std::size_t depth = 0;             // path segments
  std::uint8_t types = 0;            // kType: the accepted types
  std::vector<const Json*> allowed;  // kEnum: the accepted values
};

struct Segment {
  const std::string* key;  // nullptr: an array index
  std::size_t index;
};

class PathGuard {
 public:
  PathGuard(std::vector<Segment>& path, const std::string* key) : path_(path) {
    path_.push_back({key, 0});
  }
  PathGuard(std::vector<Segment>& path, std::size_t index) : path_(path) {
    path_.push_back({nullptr, index});
  }
  ~PathGuard() { path_.pop_back(); }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;

 private:
  std::vector<Segment>& path_;
};

std::uint8_t bits_of(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return kTypeNull;
    case Json::value_t::boolean:
      return kTypeBoolean;
    case Json::value_t::object:
      return kTypeObject;
    case Json::value_t::array:
      return kTypeArray;
    case Json::value_t::string:
      return kTypeString;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return kTypeNumber | kTypeInteger;
    case Json::value_t::number_float: {
      double d = v.get<double>();
      bool integral = std::isfinite(d) && std::floor(d) == d;
      return static_cast<std::uint8_t>(kTypeNumber | (integral ? kTypeInteger : 0));
    }
    default:
      return 0;
  }
}

const char* got_name(const Json& v) {
  switch (v.type()) {
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
      return "binary data";
  }
}

std::string join_words(const std::vector<std::string>& parts, const char* last = " or ") {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? last : ", ";
    out += parts[i];
  }
  return out;
}

std::string type_phrase(std::uint8_t types) {
  std::vector<std::string> parts;
  if (types & kTypeObject) parts.emplace_back("an object");
  if (types & kTypeArray) parts.emplace_back("an array");
  if (types & kTypeString) parts.emplace_back("a string");
  if (types & kTypeNumber) {
    parts.emplace_back("a number");
  } else if (types & kTypeInteger) {
    parts.emplace_back("an integer");
  }
  if (types & kTypeBoolean) parts.emplace_back("a boolean");
  if (types & kTypeNull) parts.emplace_back("null");
  return join_words(parts);
}

std::string enum_message(const std::vector<const Json*>& allowed) {
  if (allowed.size() == 1) return "must be " + dump_compact(*allowed[0]);
  std::string out = "must be one of: ";
  for (std::size_t i = 0; i < allowed.size() && i < kMaxListed; ++i) {
    if (i > 0) out += ", ";
    out += dump_compact(*allowed[i]);
  }
  if (allowed.size() > kMaxListed) {
    out += ", ... (" + std::to_string(allowed.size() - kMaxListed) + " more)";
  }
  return out;
}

std::string format_number(double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15) {
    return std::to_string(static_cast<long long>(d));
  }
  return dump_compact(Json(d));
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

bool is_identifier(const std::string& key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '$' || c == '@';
  });
}

bool is_multiple_of(const Json& v, double m) {
  if (std::floor(m) == m && m < 9.0e15) {
    auto divisor = static_cast<std::int64_t>(m);
    if (v.is_number_unsigned())
      return v.get<std::uint64_t>() % static_cast<std::uint64_t>(divisor) == 0;
    if (v.is_number_integer()) return v.get<std::int64_t>() % divisor == 0;
  }
  double q = v.get<double>() / m;
  if (!std::isfinite(q)) return false;
  return std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
}

std::string unknown_property_message(const Node& n, const std::string& key) {
  std::string out = "is not allowed (unknown property";
  if (n.properties.empty() && n.pattern_properties.empty()) return out + "; none are allowed here)";
  if (key.size() < 64) {
    std::size_t best = key.size() <= 4 ? 2 : 3;
    const std::string* suggestion = nullptr;
    for (const auto& [name, child] : n.properties) {
      std::size_t d = core::edit_distance(key, name);
      if (d < best) {
        best = d;
        suggestion = &name;
      }
    }
    if (suggestion != nullptr) out += "; did you mean " + dump_compact(Json(*suggestion)) + "?";
  }
  out += "; allowed: ";
  for (std::size_t i = 0; i < n.properties.size() && i < kMaxListed; ++i) {
    if (i > 0) out += ", ";
    out += n.properties[i].first;
  }
  if (n.properties.size() > kMaxListed) {
    out += ", ... (" + std::to_string(n.properties.size() - kMaxListed) + " more)";
  }
  for (std::size_t i = 0; i < n.pattern_properties.size(); ++i) {
    out += (i == 0 && n.properties.empty()) ? "names matching /" : ", names matching /";
    out += n.pattern_properties[i].first.source + "/";
  }
  return out + ")";
}

bool has_property(const Node& n, const std::string& key) {
  auto it =
      std::lower_bound(n.properties.begin(), n.properties.end(), key,
                       [](const auto& entry, const std::string& k) { return entry.first < k; });
  return it != n.properties.end() && it->first == key;
}

const char* format_message(Format f) {
  switch (f) {
    case Format::kDate:
      return "must be a date in the form YYYY-MM-DD";
    case Format::kDateTime:
      return "must be a date-time in RFC 3339 form, e.g. 2024-01-31T09:30:00Z";
    case Format::kEmail:
      return "must be an email address";
    case Format::kUri:
      return "must be an absolute URI with a scheme, e.g. https://example.com";
    case Format::kNone:
      break;
  }
  return "has an invalid format";
}

class Validator {
 public:
  // `horizon`: values deeper than this many path segments are not looked at (assumed valid).
  Validator(std::vector<Segment>& path, std::vector<Violation>* out, std::size_t limit,
            std::size_t horizon = kUnlimited)
      : path_(path), out_(out), limit_(limit), horizon_(horizon) {}

  bool check(const Node& n, const Json& v) {
    if (path_.size() > horizon_) return true;
    if (path_.size() > kMaxInstanceDepth) {
      if (out_ != nullptr) emit("is nested too deeply to validate");
      return false;
    }
    if (n.is_false) {
      if (out_ != nullptr) emit("is not allowed");
      return false;
    }
    std::uint8_t bits = bits_of(v);
    if (n.types != 0 && (n.types & bits) == 0) {
      if (out_ != nullptr) {
        emit("must be " + type_phrase(n.types) + ", got " + got_name(v), Kind::kType, nullptr,
             n.types);
      }
      return false;
    }
    bool ok = true;
    if (n.const_value && !(v == *n.const_value)) {
      if (out_ != nullptr) {
        std::vector<const Json*> allowed{&*n.const_value};
        std::string message = enum_message(allowed);
        emit(std::move(message), Kind::kEnum, nullptr, 0, std::move(allowed));
      }
      if (failed(ok)) return false;
    }
    if (n.has_enum && std::none_of(n.enum_values.begin(), n.enum_values.end(),
                                   [&](const Json& e) { return e == v; })) {
      if (out_ != nullptr) {
        std::vector<const Json*> allowed;
        for (const Json& e : n.enum_values) allowed.push_back(&e);
        std::string message = enum_message(allowed);
        emit(std::move(message), Kind::kEnum, nullptr, 0, std::move(allowed));
      }
      if (failed(ok)) return false;
    }
    bool typed_ok = true;
    if (bits & kTypeObject) typed_ok = check_object(n, v);
    if (bits & kTypeArray) typed_ok = check_array(n, v);
    if (bits & kTypeString) typed_ok = check_string(n, v);
    if (bits & kTypeNumber) typed_ok = check_number(n, v);
    if (!typed_ok && failed(ok)) return false;
    if (!check_applicators(n, v) && failed(ok)) return false;
    return ok;
  }

 private:
  // Marks a failure; true when the walk should unwind now (predicate mode or limit reached).
  bool failed(bool& ok) const {
    ok = false;
    return out_ == nullptr || out_->size() >= limit_;
  }

  std::string path_string(const std::string* extra_key) const {
    std::string out;
    auto add_key = [&](const std::string& key) {
      if (is_identifier(key)) {
        if (!out.empty()) out += '.';
        out += key;
      } else {
        out += '[' + dump_compact(Json(key)) + ']';
      }
    };
    for (const Segment& s : path_) {
      if (s.key != nullptr) {
        add_key(*s.key);
      } else {
        out += '[' + std::to_string(s.index) + ']';
      }
    }
    if (extra_key != nullptr) add_key(*extra_key);
    return out;
  }

  void emit(std::string message, Kind kind = Kind::kOther, const std::string* extra_key = nullptr,
            std::uint8_t types = 0, std::vector<const Json*> allowed = {}) {
    Violation v{path_string(extra_key),
                std::move(message),
                kind,
                path_.size() + (extra_key != nullptr ? 1 : 0),
                types,
                std::move(allowed)};
    push(std::move(v));
  }

  void push(Violation v) {
    if (out_->size() >= limit_) return;
    for (const Violation& existing : *out_) {
      if (existing.path == v.path && existing.message == v.message) return;
    }
    out_->push_back(std::move(v));
  }

  bool matches(const Node& n, const Json& v) {
    Validator trial(path_, nullptr, 0, horizon_);
    return trial.check(n, v);
  }

  std::vector<Violation> collect(const Node& n, const Json& v, std::size_t horizon) {
    std::vector<Violation> found;
    Validator trial(path_, &found, kBranchLimit, horizon);
    (void)trial.check(n, v);
    return found;
  }

  bool check_object(const Node& n, const Json& v) {
    bool ok = true;
    std::size_t count = v.size();
    if (n.min_properties && count < *n.min_properties) {
      if (out_ != nullptr) {
        emit("must have at least " + plural(*n.min_properties, "property", "properties") +
             ", got " + std::to_string(count));
      }
      if (failed(ok)) return false;
    }
    if (n.max_properties && count > *n.max_properties) {
      if (out_ != nullptr) {
        emit("must have at most " + plural(*n.max_properties, "property", "properties") + ", got " +
             std::to_string(count));
      }
      if (failed(ok)) return false;
    }
    for (const std::string& name : n.required) {
      if (!v.contains(name)) {
        if (out_ != nullptr) emit("is required", Kind::kOther, &name);
        if (failed(ok)) return false;
      }
    }
    for (std::size_t i : n.property_order) {
      const auto& [name, child] = n.properties[i];
      auto it = v.find(name);
      if (it == v.end()) continue;
      PathGuard guard(path_, &name);
      if (!check(*child, *it) && failed(ok)) return false;
    }
    if (!n.pattern_properties.empty() || n.additional_properties != nullptr) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& key = it.key();
        bool known = has_property(n, key);
        for (const auto& [pattern, child] : n.pattern_properties) {
          if (!std::regex_search(key, pattern.regex)) continue;
          known = true;
          PathGuard guard(path_, &key);
          if (!check(*child, it.value()) && failed(ok)) return false;
        }
        if (known || n.additional_properties == nullptr) continue;
        if (n.additional_properties->is_false) {
          if (out_ != nullptr) emit(unknown_property_message(n, key), Kind::kOther, &key);
          if (failed(ok)) return false;
        } else {
          PathGuard guard(path_, &key);
          if (!check(*n.additional_properties, it.value()) && failed(ok)) return false;
        }
      }
    }
    if (n.property_names != nullptr) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string& key = it.key();
        Json name(key);
        if (out_ == nullptr) {
          if (!matches(*n.property_names, name)) return false;
          continue;
        }
        std::vector<Violation> problems = collect(*n.property_names, name, horizon_);
        if (problems.empty()) continue;
        emit("is not an allowed property name: it " + problems.front().message, Kind::kOther, &key);
        if (failed(ok)) return false;
      }
    }
    for (const auto& [name, dependencies] : n.dependent_required) {
      if (!v.contains(name)) continue;
      for (const std::string& dependency : dependencies) {
        if (v.contains(dependency)) continue;
        if (out_ != nullptr) {
          emit("is required when " + dump_compact(Json(name)) + " is present", Kind::kOther,
               &dependency);
        }
        if (failed(ok)) return false;
      }
    }
    for (const auto& [name, child] : n.dependent_schemas) {
      if (v.contains(name) && !check(*child, v) && failed(ok)) return false;
    }
    return ok;
  }

  bool check_array(const Node& n, const Json& v) {
    bool ok = true;
    std::size_t size = v.size();
    if (n.min_items && size < *n.min_items) {
      if (out_ != nullptr) {
        emit("must have at least " + plural(*n.min_items, "item", "items") + ", got " +
             std::to_string(size));
      }
      if (failed(ok)) return false;
    }
    if (n.max_items && size > *n.max_items) {
      if (out_ != nullptr) {
        emit("must have at most " + plural(*n.max_items, "item", "items") + ", got " +
             std::to_string(size));
      }
      if (failed(ok)) return false;
    }
    for (std::size_t i = 0; i < size; ++i) {
      const Node* schema = i < n.prefix_items.size() ? n.prefix_items[i] : n.items;
      if (schema == nullptr) {
        if (i < n.prefix_items.size()) continue;
        break;
      }
      PathGuard guard(path_, i);
      if (!check(*schema, v[i]) && failed(ok)) return false;
    }
    if (n.unique_items) {
      for (std::size_t i = 0; i < size && ok; ++i) {
        for (std::size_t j = i + 1; j < size; ++j) {
          if (v[i] != v[j]) continue;
          if (out_ != nullptr) {
            emit("must not contain duplicate items (items " + std::to_string(i) + " and " +
                 std::to_string(j) + " are equal)");
          }
          if (failed(ok)) return false;
          break;
        }
      }
    }
    if (n.contains != nullptr) {
      std::size_t at_least = n.min_contains.value_or(1);
      std::size_t found = 0;
      for (std::size_t i = 0; i < size; ++i) {
        PathGuard guard(path_, i);
        if (matches(*n.contains, v[i])) ++found;
      }
      if (found < at_least) {
        if (out_ != nullptr) {
          emit("must contain at least " + plural(at_least, "item", "items") +
               " matching the \"contains\" schema, got " + std::to_string(found));
        }
        if (failed(ok)) return false;
      }
      if (n.max_contains && found > *n.max_contains) {
        if (out_ != nullptr) {
          emit("must contain at most " + plural(*n.max_contains, "item", "items") +
               " matching the \"contains\" schema, got " + std::to_string(found));
        }
        if (failed(ok)) return false;
      }
    }
    return ok;
  }

  bool check_string(const Node& n, const Json& v) {
    bool ok = true;
    const auto& s = v.get_ref<const std::string&>();
    if (n.min_length || n.max_length) {
      std::size_t length = utf8_length(s);
      if (n.min_length && length < *n.min_length) {
        if (out_ != nullptr) {
          emit("must be at least " + plural(*n.min_length, "character", "characters") +
               " long, got " + std::to_string(length));
        }
        if (failed(ok)) return false;
      }
      if (n.max_length && length > *n.max_length) {
        if (out_ != nullptr) {
          emit("must be at most " + plural(*n.max_length, "character", "characters") +
               " long, got " + std::to_string(length));
        }
        if (failed(ok)) return false;
      }
    }
    if (n.pattern && !std::regex_search(s, n.pattern->regex)) {
      if (out_ != nullptr) emit("must match the pattern /" + n.pattern->source + "/");
      if (failed(ok)) return false;
    }
    if (n.format != Format::kNone && !is_valid_format(n.format, s)) {
      if (out_ != nullptr) emit(format_message(n.format));
      if (failed(ok)) return false;
    }
    return ok;
  }

  bool check_number(const Node& n, const Json& v) {
    bool ok = true;
    double d = v.get<double>();
    auto bound = [&](bool violated, const char* relation, double limit) {
      if (!violated) return false;
      if (out_ != nullptr) emit(std::string("must be ") + relation + " " + format_number(limit));
      return failed(ok);
    };
    if (n.minimum && bound(d < *n.minimum, ">=", *n.minimum)) return false;
    if (n.exclusive_minimum && bound(d <= *n.exclusive_minimum, ">", *n.exclusive_minimum)) {
      return false;
    }
    if (n.maximum && bound(d > *n.maximum, "<=", *n.maximum)) return false;
    if (n.exclusive_maximum && bound(d >= *n.exclusive_maximum, "<", *n.exclusive_maximum)) {
      return false;
    }
    if (n.multiple_of && !is_multiple_of(v, *n.multiple_of)) {
      if (out_ != nullptr) emit("must be a multiple of " + format_number(*n.multiple_of));
      if (failed(ok)) return false;
    }
    return ok;
  }

  bool check_applicators(const Node& n, const Json& v) {
    bool ok = true;
    if (n.ref != nullptr && !check(*n.ref, v) && failed(ok)) return false;
    for (const Node* child : n.all_of) {
      if (!check(*child, v) && failed(ok)) return false;
    }
    if (!n.any_of.empty() && !check_alternatives(n.any_of, v, false) && failed(ok)) return false;
    if (!n.one_of.empty() && !check_alternatives(n.one_of, v, true) && failed(ok)) return false;
    if (n.not_schema != nullptr && matches(*n.not_schema, v)) {
      if (out_ != nullptr) emit("must not match the schema under \"not\"");
      if (failed(ok)) return false;
    }
    if (n.if_schema != nullptr) {
      const Node* branch = matches(*n.if_schema, v) ? n.then_schema : n.else_schema;
      if (branch != nullptr && !check(*branch, v) && failed(ok)) return false;
    }
    return ok;
  }

  bool check_alternatives(const std::vector<const Node*>& alternatives, const Json& v,
                          bool exactly_one) {
    std::vector<std::size_t> matched;
    for (std::size_t i = 0; i < alternatives.size(); ++i) {
      if (!matches(*alternatives[i], v)) continue;
      if (!exactly_one) return true;
      matched.push_back(i);
      if (matched.size() > 1 && out_ == nullptr) return false;
    }
    if (matched.size() == 1) return true;
    if (out_ == nullptr) return false;
    if (matched.size() > 1) {
      std::vector<std::string> numbers;
      for (std::size_t i : matched) numbers.push_back(std::to_string(i + 1));
      emit("must match exactly one of " +
           plural(alternatives.size(), "alternative", "alternatives") + " but matches " +
           std::to_string(matched.size()) + " of them (alternatives " +
           join_words(numbers, " and ") + ")");
      return false;
    }
    report_closest(alternatives, v);
    return false;
  }

  // Ranking looks only at the value and its direct properties or items, so it costs the same
  // at every level; only the near misses are then validated in depth. Collecting every
  // alternative in depth would multiply the work by the number of alternatives at each level
  // of a recursive schema such as ADF.
  void report_closest(const std::vector<const Node*>& alternatives, const Json& v) {
    const std::size_t base = path_.size();
    const std::size_t shallow = std::min(horizon_, base + 1);
    std::vector<std::vector<Violation>> found;
    std::vector<int> ranks;
    for (const Node* alternative : alternatives) {
      found.push_back(collect(*alternative, v, shallow));
      int rank = 1;
      for (const Violation& x : found.back()) {
        if (x.kind == Kind::kType && x.depth == base) {
          rank = 3;
          break;
        }
        if (x.kind == Kind::kEnum && x.depth <= base + 1) rank = 2;
      }
      ranks.push_back(rank);
    }
    int best = *std::min_element(ranks.begin(), ranks.end());
    if (best == 1) {
      const std::vector<Violation>* closest = nullptr;
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (ranks[i] != 1) continue;
        if (shallow < horizon_) found[i] = collect(*alternatives[i], v, horizon_);
        if (closest == nullptr || found[i].size() < closest->size()) closest = &found[i];
      }
      for (const Violation& x : *closest) push(x);
      if (closest->empty()) emit(no_match_message(alternatives.size()));
      return;
    }
    if (best == 3) {
      std::uint8_t types = 0;
      for (const auto& list : found) {
        for (const Violation& x : list) {
          if (x.kind == Kind::kType && x.depth == base) types |= x.types;
        }
      }
      emit("must be " + type_phrase(types) + ", got " + got_name(v), Kind::kType, nullptr, types);
      return;
    }
    // Every remaining alternative is rejected by a discriminator: merge them if they agree on
    // where it is.
    const Violation* first = nullptr;
    std::vector<const Json*> allowed;
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (ranks[i] != 2) continue;
      const Violation* discriminator = nullptr;
      for (const Violation& x : found[i]) {
        if (x.kind == Kind::kEnum && x.depth <= base + 1 &&
            (discriminator == nullptr || x.depth < discriminator->depth)) {
          discriminator = &x;
        }
      }
      if (first == nullptr) first = discriminator;
      if (discriminator->path != first->path) {
        emit(no_match_message(alternatives.size()));
        return;
      }
      for (const Json* value : discriminator->allowed) {
        if (std::none_of(allowed.begin(), allowed.end(),
                         [&](const Json* a) { return *a == *value; })) {
          allowed.push_back(value);
        }
      }
    }
    std::string message = enum_message(allowed);
    if (first->depth == base) {
      // A value-level enum next to alternatives for other types (a nullable enum, say): those
      // types are valid answers too.
      std::uint8_t other_types = 0;
      for (std::size_t i = 0; i < found.size(); ++i) {
        if (ranks[i] != 3) continue;
        for (const Violation& x : found[i]) {
          if (x.kind == Kind::kType && x.depth == base) other_types |= x.types;
        }
      }
      if (other_types != 0) message += " (or " + type_phrase(other_types) + ")";
    }
    push(Violation{first->path, std::move(message), Kind::kEnum, first->depth, 0,
                   std::move(allowed)});
  }

  static std::string no_match_message(std::size_t count) {
    return "must match one of " + plural(count, "alternative", "alternatives") +
           " but matches none";
  }

  std::vector<Segment>& path_;
  std::vector<Violation>* out_;
  std::size_t limit_;
  std::size_t horizon_;
};

}  // namespace

bool run_validation(const CompiledSchema& schema, const Json& instance,
                    std::vector<SchemaViolation>* out, std::size_t max) {
  std::vector<Segment> path;
  path.reserve(32);
  if (out == nullptr) {
    Validator validator(path, nullptr, 0);
    return validator.check(*schema.root, instance);
  }
  std::vector<Violation> found;
  Validator validator(path, &found, max);
  bool ok = validator.check(*schema.root, instance);
  for (Violation& v : found) out->push_back({std::move(v.path), std::move(v.message)});
  return ok;
}

}  // namespace jira_mcp::core::detail
