// Text and TOML values are both reduced to typed candidates, range-checked against the key's
// row, and only then assigned, so a rejected value never half-overwrites a lower layer.
#include "config/layers.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "config/text.hpp"
#include "jira_mcp/core/text.hpp"

namespace jira_mcp::config::detail {
namespace {

using StringMap = std::map<std::string, std::string>;
using StringList = std::vector<std::string>;

// A value that passed the type check, waiting for the range check and assignment.
using Candidate = std::variant<std::string, bool, std::int64_t, double, StringList, StringMap>;

std::string must_be(const KeySpec& spec) { return "must be " + accepted_text(spec); }

// Returns the problem, or "" after assigning.
std::string assign(const KeySpec& spec, Candidate value, Config& config) {
  switch (spec.kind) {
    case ValueKind::String: {
      auto& s = std::get<std::string>(value);
      if (spec.check) {
        if (auto problem = spec.check(s); !problem.empty()) return problem;
      }
      std::get<FieldRef<std::string>>(spec.field).get(config) = std::move(s);
      return "";
    }
    case ValueKind::Enum: {
      const auto lowered = to_lower(trim(std::get<std::string>(value)));
      if (std::find(spec.allowed.begin(), spec.allowed.end(), lowered) == spec.allowed.end()) {
        return must_be(spec);
      }
      std::get<FieldRef<std::string>>(spec.field).get(config) = lowered;
      return "";
    }
    case ValueKind::Bool:
      std::get<FieldRef<bool>>(spec.field).get(config) = std::get<bool>(value);
      return "";
    case ValueKind::Int: {
      const auto n = std::get<std::int64_t>(value);
      if (n < spec.min || n > spec.max) return must_be(spec);
      if (const auto* as_int = std::get_if<FieldRef<int>>(&spec.field)) {
        as_int->get(config) = static_cast<int>(n);
      } else {
        std::get<FieldRef<std::size_t>>(spec.field).get(config) = static_cast<std::size_t>(n);
      }
      return "";
    }
    case ValueKind::Double: {
      const auto d = std::get<double>(value);
      if (!std::isfinite(d) || d < spec.dmin || d > spec.dmax) return must_be(spec);
      std::get<FieldRef<double>>(spec.field).get(config) = d;
      return "";
    }
    case ValueKind::StringList:
      std::get<FieldRef<StringList>>(spec.field).get(config) = std::get<StringList>(value);
      return "";
    case ValueKind::StringMap: {
      auto& m = std::get<StringMap>(value);
      if (spec.map_check) {
        if (auto problem = spec.map_check(m); !problem.empty()) return problem;
      }
      std::get<FieldRef<StringMap>>(spec.field).get(config) = std::move(m);
      return "";
    }
  }
  return "";
}

std::optional<bool> parse_bool_text(std::string_view text) {
  const auto v = to_lower(trim(text));
  if (v == "true" || v == "1" || v == "yes" || v == "y" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "n" || v == "off") return false;
  return std::nullopt;
}

// Parses "NAME=value,NAME2=value2". Values cannot contain commas in this form.
std::optional<StringMap> parse_map_text(std::string_view text) {
  StringMap out;
  for (const auto& piece : split_list(text)) {
    const auto eq = piece.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const auto name = trim(std::string_view(piece).substr(0, eq));
    if (name.empty()) return std::nullopt;
    out[std::string(name)] = std::string(trim(std::string_view(piece).substr(eq + 1)));
  }
  return out;
}

// The text form of every kind. Returns the candidate or the problem.
std::variant<Candidate, std::string> from_text(const KeySpec& spec, std::string_view text) {
  switch (spec.kind) {
    case ValueKind::String:
    case ValueKind::Enum:
      return Candidate(std::string(spec.kind == ValueKind::Enum ? trim(text) : text));
    case ValueKind::Bool:
      if (auto b = parse_bool_text(text)) return Candidate(*b);
      return std::string("must be true or false (1/0, yes/no and on/off are accepted too)");
    case ValueKind::Int: {
      const auto t = trim(text);
      std::int64_t n = 0;
      const auto res = std::from_chars(t.data(), t.data() + t.size(), n);
      if (t.empty() || res.ec != std::errc{} || res.ptr != t.data() + t.size()) return must_be(spec);
      return Candidate(n);
    }
    case ValueKind::Double: {
      const auto t = trim(text);
      double d = 0;
      const auto res = std::from_chars(t.data(), t.data() + t.size(), d);
      if (t.empty() || res.ec != std::errc{} || res.ptr != t.data() + t.size()) return must_be(spec);
      return Candidate(d);
    }
    case ValueKind::StringList:
      return Candidate(split_list(text));
    case ValueKind::StringMap:
      if (auto m = parse_map_text(text)) return Candidate(std::move(*m));
      return std::string("must be NAME=value pairs separated by commas, e.g. X-A=1,X-B=2");
  }
  return must_be(spec);
}

std::variant<Candidate, std::string> from_toml(const KeySpec& spec, const toml::node& node) {
  switch (spec.kind) {
    case ValueKind::String:
    case ValueKind::Enum:
      if (const auto* s = node.as_string()) return Candidate(s->get());
      break;
    case ValueKind::Bool:
      if (const auto* b = node.as_boolean()) return Candidate(b->get());
      break;
    case ValueKind::Int:
      if (const auto* i = node.as_integer()) return Candidate(i->get());
      break;
    case ValueKind::Double:
      if (const auto* f = node.as_floating_point()) return Candidate(f->get());
      if (const auto* i = node.as_integer()) return Candidate(static_cast<double>(i->get()));
      break;
    case ValueKind::StringList:
      if (const auto* arr = node.as_array()) {
        StringList out;
        for (const auto& element : *arr) {
          const auto* s = element.as_string();
          if (!s) return std::string("must be an array of strings, e.g. [\"a\", \"b\"]");
          out.push_back(s->get());
        }
        return Candidate(std::move(out));
      }
      return std::string("must be an array of strings, e.g. [\"a\", \"b\"]");
    case ValueKind::StringMap:
      if (const auto* table = node.as_table()) {
        StringMap out;
        for (const auto& [name, value] : *table) {
          const auto* s = value.as_string();
          if (!s) return std::string("must be a table of string values, e.g. { X-Team = \"a\" }");
          out[std::string(name.str())] = s->get();
        }
        return Candidate(std::move(out));
      }
      return std::string("must be a table of string values, e.g. { X-Team = \"a\" }");
  }
  return must_be(spec);
}

std::string show_text(const KeySpec& spec, std::string_view text) {
  if (spec.secret) return "***";
  return toml_quote(printable(mask_userinfo(text)));
}

std::string show_toml(const KeySpec* spec, const toml::node& node) {
  if (spec && spec->secret) return "***";
  if (const auto* s = node.as_string()) return toml_quote(printable(mask_userinfo(s->get())));
  if (node.is_table()) return "{...}";
  std::ostringstream os;
  node.visit([&](const auto& typed) { os << typed; });
  return printable(os.str());
}

void record_secret(const KeySpec& spec, std::string_view text, Sink& sink) {
  if (spec.secret && !text.empty()) sink.secrets.emplace_back(text);
}

void record_secret(const KeySpec& spec, const toml::node& node, Sink& sink) {
  if (!spec.secret) return;
  if (const auto* s = node.as_string()) {
    sink.secrets.push_back(s->get());
  } else if (const auto* table = node.as_table()) {
    for (const auto& [name, value] : *table) {
      if (const auto* v = value.as_string()) sink.secrets.push_back(v->get());
    }
  }
}

bool is_section(std::string_view dotted) {
  return std::any_of(keys().begin(), keys().end(), [&](const KeySpec& spec) {
    return spec.key.size() > dotted.size() && spec.key.substr(0, dotted.size()) == dotted &&
           spec.key[dotted.size()] == '.';
  });
}

std::string file_origin(const std::string& path, const toml::node& node) {
  return path + " line " + std::to_string(node.source().begin.line);
}

// Problems found in the file, by line: toml++ iterates keys in sorted order, the reader
// wants them in file order.
using LineProblems = std::vector<std::pair<std::uint32_t, std::string>>;

void walk(const toml::table& table, const std::string& prefix, const std::string& path,
          Config& config, Sink& sink, LineProblems& problems) {
  for (const auto& [name, node] : table) {
    const std::string dotted =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const KeySpec* spec = find_key(dotted)) {
      record_secret(*spec, node, sink);
      const auto origin = file_origin(path, node);
      auto parsed = from_toml(*spec, node);
      std::string problem;
      if (auto* candidate = std::get_if<Candidate>(&parsed)) {
        problem = assign(*spec, std::move(*candidate), config);
      } else {
        problem = std::get<std::string>(parsed);
      }
      if (problem.empty()) {
        config.origins[dotted] = origin;
      } else {
        sink.rejected.push_back(dotted);
        problems.emplace_back(node.source().begin.line, dotted + " = " + show_toml(spec, node) +
                                                            " (from " + origin + "): " + problem);
      }
      continue;
    }
    const bool section = is_section(dotted);
    if (const auto* sub = node.as_table(); sub && (section || !sub->empty())) {
      // Unknown tables are walked too, so each unknown key gets its own suggestion.
      walk(*sub, dotted, path, config, sink, problems);
      continue;
    }
    if (section) {
      problems.emplace_back(node.source().begin.line,
                            dotted + " = " + show_toml(nullptr, node) + " (from " +
                                file_origin(path, node) + "): must be a table, [" + dotted + "]");
      continue;
    }
    std::string line = "unknown key '" + printable(dotted) + "' (in " + file_origin(path, node) + ")";
    if (auto suggestion = suggest_key(dotted); !suggestion.empty()) {
      line += "; did you mean '" + suggestion + "'?";
    } else {
      line += "; config.toml.example lists every accepted key";
    }
    problems.emplace_back(node.source().begin.line, std::move(line));
  }
}

std::string_view leaf(std::string_view dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}

}  // namespace

void apply_text(const KeySpec& spec, std::string_view text, const std::string& origin,
                Config& config, Sink& sink) {
  record_secret(spec, text, sink);
  auto parsed = from_text(spec, text);
  std::string problem;
  if (auto* candidate = std::get_if<Candidate>(&parsed)) {
    problem = assign(spec, std::move(*candidate), config);
  } else {
    problem = std::get<std::string>(parsed);
  }
  if (problem.empty()) {
    config.origins[std::string(spec.key)] = origin;
  } else {
    sink.rejected.emplace_back(spec.key);
    sink.problems.push_back(std::string(spec.key) + " = " + show_text(spec, text) + " (from " +
                            origin + "): " + problem);
  }
}

void apply_file(const std::string& path, std::string_view named_by, Config& config, Sink& sink) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    const bool exists = std::filesystem::exists(path, ec);
    sink.problems.push_back("config file '" + printable(path) + "' (named by " +
                            std::string(named_by) + ") " +
                            (exists ? "is not a regular file" : "does not exist"));
    sink.file_failed = true;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) {
    sink.problems.push_back("config file '" + printable(path) + "' (named by " +
                            std::string(named_by) + ") cannot be read");
    sink.file_failed = true;
    return;
  }
  config.config_path = path;
  toml::table root;
  try {
    root = toml::parse(buffer.str(), path);
  } catch (const toml::parse_error& e) {
    sink.problems.push_back(path + " line " + std::to_string(e.source().begin.line) + ", column " +
                            std::to_string(e.source().begin.column) +
                            ": TOML syntax error: " + std::string(e.description()));
    sink.file_failed = true;
    return;
  }
  LineProblems problems;
  walk(root, "", path, config, sink, problems);
  std::stable_sort(problems.begin(), problems.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [line, problem] : problems) sink.problems.push_back(std::move(problem));
}

namespace {

// The first of `names` set to a non-empty value in `env`.
const std::pair<const std::string, std::string>* first_set(const std::vector<std::string_view>& names,
                                                          const std::map<std::string, std::string>& env) {
  for (const auto name : names) {
    const auto it = env.find(std::string(name));
    if (it != env.end() && !it->second.empty()) return &*it;
  }
  return nullptr;
}

// The value `text` gives `spec`, rendered as TOML, or nullopt when it is not valid.
std::optional<std::string> rendered(const KeySpec& spec, std::string_view text) {
  Config scratch;
  Sink ignored;
  apply_text(spec, text, "", scratch, ignored);
  if (!ignored.problems.empty()) return std::nullopt;
  return toml_value(spec, scratch, /*reveal=*/true);
}

// Text for `spec` from one of our variables (JIRA_MAX_MEMORY_MB is in MiB), or nullopt after
// reporting the problem.
std::optional<std::string> own_text(const KeySpec& spec, const std::string& name, const std::string& text,
                                    Sink& sink) {
  if (spec.env_scale == 1) return text;
  // A value in larger units (JIRA_MAX_MEMORY_MB): whole numbers only, scaled to the key's unit.
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0 || n > spec.max / spec.env_scale) {
    sink.rejected.emplace_back(spec.key);
    sink.problems.push_back(std::string(spec.key) + " = " + show_text(spec, text) + " (from environment variable " +
                            name + "): must be a whole number of MiB from " +
                            std::to_string((spec.min + spec.env_scale - 1) / spec.env_scale) + " to " +
                            std::to_string(spec.max / spec.env_scale));
    return std::nullopt;
  }
  return std::to_string(n * spec.env_scale);
}

}  // namespace

void apply_env(const std::map<std::string, std::string>& env, Config& config, Sink& sink) {
  for (const auto& spec : keys()) {
    const auto* ours = first_set(spec.env, env);
    std::optional<std::string> ours_text;
    if (ours) {
      ours_text = own_text(spec, ours->first, ours->second, sink);
      if (ours_text) apply_text(spec, *ours_text, "environment variable " + ours->first, config, sink);
    }
    for (const auto& alias : spec.aliases) {
      const auto it = env.find(std::string(alias.name));
      if (it == env.end() || it->second.empty()) continue;
      if (!alias.only_with.empty() && !first_set({alias.only_with}, env)) continue;
      const std::string origin = "environment variable " + std::string(alias.name) + " (" +
                                 std::string(kAliasSource) + "'s name)";
      record_secret(spec, it->second, sink);
      std::optional<std::string> text = alias.value ? alias.value(it->second) : it->second;
      if (!text) {
        sink.rejected.emplace_back(spec.key);
        sink.problems.push_back(std::string(spec.key) + " = " + show_text(spec, it->second) + " (from " + origin +
                                "): must be " + std::string(alias.accepted));
        break;
      }
      if (text->empty()) continue;  // e.g. MCP_VERBOSE=false: leaves the key alone
      if (ours) {
        if (ours_text && rendered(spec, *ours_text) != rendered(spec, *text)) {
          sink.warnings.push_back(std::string(alias.name) + " (" + std::string(kAliasSource) + "'s name for " +
                                  std::string(spec.key) + ") and " + ours->first +
                                  " are both set, to different values: using " + ours->first + "; unset " +
                                  std::string(alias.name) + " to silence this warning");
        }
        break;
      }
      apply_text(spec, *text, origin, config, sink);
      break;
    }
  }
}

std::string suggest_key(std::string_view unknown) {
  const auto unknown_leaf = leaf(unknown);
  // The same name in another section ("server.url" -> "jira.url") is the likeliest slip.
  for (const auto& spec : keys()) {
    if (leaf(spec.key) == unknown_leaf) return std::string(spec.key);
  }
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 4) + 1;
  for (const auto& spec : keys()) {
    const auto d = core::edit_distance(unknown, spec.key);
    if (d < best_distance) {
      best_distance = d;
      best = spec.key;
    }
  }
  if (!best.empty()) return best;
  // "jira.token" -> "jira.api_token": one name contains the other.
  for (const auto& spec : keys()) {
    const auto known_leaf = leaf(spec.key);
    if (unknown_leaf.size() >= 3 && (known_leaf.find(unknown_leaf) != std::string_view::npos ||
                                     unknown_leaf.find(known_leaf) != std::string_view::npos)) {
      return std::string(spec.key);
    }
  }
  return "";
}

}  // namespace jira_mcp::config::detail
