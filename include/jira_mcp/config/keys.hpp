#pragma once
// The key table: every configuration setting, declared once as data.
//
// A row names the setting in each source (TOML dotted key, environment variables, command-line
// flags), its type and accepted range, a one-line description, whether it is secret, and the
// Config field it fills. The default is the Config member initializer, read through the same
// field accessor, so it cannot drift from the struct. parse(), --help, describe() and the
// config.toml.example test all iterate this table.
//
// The table is built once (on first use) and immutable afterwards: safe to read from any thread.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "jira_mcp/config/config.hpp"

namespace jira_mcp::config {

enum class ValueKind { String, Bool, Int, Double, Enum, StringList, StringMap };

// Reads and writes one Config member. Built by field<&Config::section, &Section::member>().
template <class T>
struct FieldRef {
  T& (*get)(Config&);
  const T& (*read)(const Config&);
};

using Field = std::variant<FieldRef<std::string>, FieldRef<bool>, FieldRef<int>,
                           FieldRef<std::size_t>, FieldRef<double>,
                           FieldRef<std::vector<std::string>>,
                           FieldRef<std::map<std::string, std::string>>>;

template <auto Section, auto Member>
Field field() {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*Section.*Member)>;
  return FieldRef<T>{+[](Config& c) -> T& { return (c.*Section).*Member; },
                     +[](const Config& c) -> const T& { return (c.*Section).*Member; }};
}

// Extra validation for a string value after the type check. Returns the problem ("must be
// ...") or an empty string; may normalize the value in place (e.g. trim a URL's trailing '/').
using StringCheck = std::string (*)(std::string& value);
using MapCheck = std::string (*)(const std::map<std::string, std::string>& value);

// Rewrites another server's spelling of a value into this key's text form. Returns nullopt when
// the value is not one that server accepts, or "" when the value means "leave the key alone"
// (e.g. MCP_VERBOSE=false).
using AliasValue = std::optional<std::string> (*)(std::string_view value);

// An environment variable another Jira MCP server reads (sooperset/mcp-atlassian), accepted for
// this key so its users can switch without renaming their settings. Our own variables (`env`)
// win over an alias; when both are set to different values, parse() warns naming both. Aliases
// are tried in order, the first non-empty one is used.
struct EnvAlias {
  std::string_view name{};
  AliasValue value = nullptr;     // null: the value is spelled as ours
  std::string_view only_with{};   // used only when this variable is set too (PORT needs TRANSPORT)
  std::string_view accepted{};    // what that server accepts, for errors; empty: as the key
};

// The server the aliases come from, as named in messages.
inline constexpr std::string_view kAliasSource = "mcp-atlassian";

struct KeySpec {
  std::string_view key{};               // TOML dotted key, "section.name"
  std::vector<std::string_view> env{};  // environment variables, first non-empty wins
  std::string_view flag{};              // top-level command-line flag, e.g. "--port"
  std::string_view sandbox_flag{};      // flag of the `sandbox` subcommand
  ValueKind kind = ValueKind::String;
  std::int64_t min = 0, max = 0;        // Int range, inclusive
  double dmin = 0, dmax = 0;            // Double range, inclusive
  std::vector<std::string_view> allowed{};  // Enum values (lower case; input is case-insensitive)
  std::string_view description{};       // one line, no trailing period
  bool secret = false;                  // never printed; StringMap: values never printed
  Field field{};
  StringCheck check = nullptr;          // String kinds only
  MapCheck map_check = nullptr;         // StringMap only
  std::int64_t env_scale = 1;           // Int: an environment value is multiplied by this (MiB)
  std::vector<EnvAlias> aliases{};      // other servers' environment variables for this key
};

std::span<const KeySpec> keys();

// nullptr if `dotted` is not a key.
const KeySpec* find_key(std::string_view dotted);

// What a key accepts, as used in errors and help: "an integer from 1 to 65535",
// "one of: stdio, http", "true or false", ...
std::string accepted_text(const KeySpec& spec);

// The value of `spec` in `config`, rendered as TOML (strings quoted, lists as arrays, maps as
// inline tables). Secrets render as "***" when non-empty; `reveal` disables masking (for the
// default value only, which is never a secret's actual value).
std::string toml_value(const KeySpec& spec, const Config& config, bool reveal = false);

}  // namespace jira_mcp::config
