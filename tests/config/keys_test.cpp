#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "config/config_fixture.hpp"
#include "support/paths.hpp"
#include "config/text.hpp"
#include "jira_mcp/config/keys.hpp"

using namespace config_test;
using jira_mcp::config::Config;
using jira_mcp::config::KeySpec;
using jira_mcp::config::ValueKind;
using jira_mcp::config::keys;
using jira_mcp::config::toml_value;

namespace {

std::string read_example() {
  std::ifstream in(jira_mcp::testing::source_dir() + "/config.toml.example");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string section_of(std::string_view key) { return std::string(key.substr(0, key.find('.'))); }

// "name = value" or "# name = value" (a setting shown commented out); not "# Example: ...".
std::optional<std::pair<std::string, std::string>> assignment(std::string line) {
  if (line.starts_with("#")) {
    line.erase(0, 1);
    while (line.starts_with(" ")) line.erase(0, 1);
    if (line.starts_with("Example:") || line.starts_with("Default:")) return std::nullopt;
  }
  const auto eq = line.find(" = ");
  if (eq == std::string::npos) return std::nullopt;
  const auto name = line.substr(0, eq);
  const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!bare) return std::nullopt;
  return std::make_pair(name, line.substr(eq + 3));
}

template <class T>
bool holds(const KeySpec& spec) {
  return std::holds_alternative<jira_mcp::config::FieldRef<T>>(spec.field);
}

}  // namespace

TEST_CASE("the key table is consistent") {
  std::set<std::string_view> names, env_names, flags, sandbox_flags;
  const Config defaults;
  for (const auto& spec : keys()) {
    CAPTURE(spec.key);
    CHECK(names.insert(spec.key).second);
    for (const auto e : spec.env) CHECK(env_names.insert(e).second);
    if (!spec.flag.empty()) CHECK(flags.insert(spec.flag).second);
    if (!spec.sandbox_flag.empty()) CHECK(sandbox_flags.insert(spec.sandbox_flag).second);
    CHECK(std::set<std::string>{"server", "jira", "tools", "sandbox", "cluster", "performance",
                                "monitoring", "logging", "http"}
              .count(section_of(spec.key)) == 1);
    CHECK_FALSE(spec.description.empty());
    CHECK_FALSE(spec.description.ends_with("."));
    // The row's kind matches the type of the field it fills.
    switch (spec.kind) {
      case ValueKind::String:
      case ValueKind::Enum: CHECK(holds<std::string>(spec)); break;
      case ValueKind::Bool: CHECK(holds<bool>(spec)); break;
      case ValueKind::Int: CHECK((holds<int>(spec) || holds<std::size_t>(spec))); break;
      case ValueKind::Double: CHECK(holds<double>(spec)); break;
      case ValueKind::StringList: CHECK(holds<std::vector<std::string>>(spec)); break;
      case ValueKind::StringMap: CHECK(holds<std::map<std::string, std::string>>(spec)); break;
    }
    // Defaults are themselves valid.
    if (spec.kind == ValueKind::Enum) {
      const auto& value = std::get<jira_mcp::config::FieldRef<std::string>>(spec.field).read(defaults);
      CHECK(std::find(spec.allowed.begin(), spec.allowed.end(), value) != spec.allowed.end());
    }
    if (spec.kind == ValueKind::Int) {
      const auto text = toml_value(spec, defaults, true);
      const auto n = std::stoll(text);
      CHECK(n >= spec.min);
      CHECK(n <= spec.max);
    }
  }
  CHECK(jira_mcp::config::find_key("server.port") != nullptr);
  CHECK(jira_mcp::config::find_key("server.nope") == nullptr);
}

TEST_CASE("config.toml.example parses to exactly the defaults") {
  const auto s = startup({"--config", jira_mcp::testing::source_dir() + "/config.toml.example",
                          "--sandbox"});
  const Config defaults;
  for (const auto& spec : keys()) {
    CAPTURE(spec.key);
    CHECK(toml_value(spec, s.config, true) == toml_value(spec, defaults, true));
  }
  CHECK(s.warnings.empty());
}

TEST_CASE("config.toml.example documents every key with its default, and nothing else") {
  const auto lines = lines_of(read_example());
  const Config defaults;

  // Which section each line is in, and every setting line (shown or commented out).
  std::map<std::string, std::vector<std::size_t>> found;  // dotted key -> line indexes
  std::string section;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (line.starts_with("[") && line.ends_with("]")) {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    if (auto a = assignment(line)) {
      const auto dotted = section + "." + a->first;
      CAPTURE(line);
      CHECK_MESSAGE(jira_mcp::config::find_key(dotted) != nullptr,
                    "config.toml.example shows '" << dotted << "', which is not a key");
      found[dotted].push_back(i);
    }
  }

  for (const auto& spec : keys()) {
    CAPTURE(spec.key);
    const auto it = found.find(std::string(spec.key));
    REQUIRE_MESSAGE(it != found.end(), "config.toml.example does not mention " << spec.key);
    REQUIRE(it->second.size() == 1);
    const auto index = it->second.front();
    const auto default_text = toml_value(spec, defaults, true);
    CHECK(assignment(lines[index])->second == default_text);

    // The comment block right above the setting.
    std::string comment;
    for (auto j = index; j > 0 && lines[j - 1].starts_with("#"); --j) {
      comment = lines[j - 1] + "\n" + comment;
    }
    CHECK_MESSAGE(comment.find("Default: " + default_text) != std::string::npos,
                  "the comment above " << spec.key << " must give its default");
    CHECK(comment.find(std::string(spec.description)) != std::string::npos);
    if (spec.kind == ValueKind::Int || spec.kind == ValueKind::Double ||
        spec.kind == ValueKind::Enum || spec.kind == ValueKind::Bool) {
      CHECK_MESSAGE(comment.find(jira_mcp::config::accepted_text(spec)) != std::string::npos,
                    "the comment above " << spec.key << " must give its range or values");
    }
    for (const auto e : spec.env) CHECK(comment.find(std::string(e)) != std::string::npos);
    if (!spec.flag.empty()) CHECK(comment.find(std::string(spec.flag)) != std::string::npos);
    if (!spec.sandbox_flag.empty()) {
      CHECK(comment.find("sandbox " + std::string(spec.sandbox_flag)) != std::string::npos);
    }
  }
}

TEST_CASE("text helpers: userinfo masking, TOML quoting") {
  using namespace jira_mcp::config::detail;
  CHECK(mask_userinfo("http://u:p@h:1") == "http://u:***@h:1");
  CHECK(mask_userinfo("http://token@h/a@b") == "http://***@h/a@b");
  CHECK(mask_userinfo("https://h/path@x") == "https://h/path@x");
  CHECK(mask_userinfo("no url") == "no url");
  CHECK(mask_userinfo("user:pass@proxy:8080") == "***@proxy:8080");
  CHECK(mask_userinfo("redis:/:pass@host:6379") == "***@host:6379");
  CHECK(mask_userinfo("name@example.com") == "name@example.com");
  CHECK(toml_quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  CHECK(toml_key("X-Team") == "X-Team");
  CHECK(toml_key("X Team") == "\"X Team\"");
  CHECK(format_double(10) == "10.0");
  CHECK(format_double(0.1) == "0.1");
  CHECK(split_list(" a, ,b ,") == std::vector<std::string>{"a", "b"});
}
