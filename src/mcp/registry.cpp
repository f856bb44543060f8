#include "jira_mcp/mcp/registry.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

namespace jira_mcp::mcp {

ToolResult ToolResult::text(std::string text) {
  ToolResult r;
  r.add_text(std::move(text));
  return r;
}

ToolResult ToolResult::error(std::string message) {
  ToolResult r = text(std::move(message));
  r.is_error = true;
  return r;
}

ToolResult& ToolResult::add_text(std::string text) {
  content.push_back(Json{{"type", "text"}, {"text", std::move(text)}});
  return *this;
}

Json ToolResult::to_json() const& { return ToolResult(*this).to_json(); }

Json ToolResult::to_json() && {
  Json j = Json::object();
  j["content"] = content.is_array() ? std::move(content) : Json::array();
  if (structured) j["structuredContent"] = std::move(*structured);
  if (is_error) j["isError"] = true;
  return j;
}

Json ToolAnnotations::to_json() const {
  Json j = Json::object();
  if (read_only) j["readOnlyHint"] = *read_only;
  if (destructive) j["destructiveHint"] = *destructive;
  if (idempotent) j["idempotentHint"] = *idempotent;
  if (open_world) j["openWorldHint"] = *open_world;
  return j;
}

Json ResourceContents::to_json() const {
  Json j{{"uri", uri}};
  if (!mime_type.empty()) j["mimeType"] = mime_type;
  if (text) j["text"] = *text;
  if (blob) j["blob"] = *blob;
  return j;
}

namespace {

std::string schema_type(const Json& schema) {
  auto it = schema.find("type");
  return it != schema.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "-12", "7": a whole decimal number that fits a long long; anything else is left alone.
std::optional<long long> parse_integer(const std::string& s) {
  size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return std::nullopt;  // 18 digits never overflow
  long long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

// "a, b,,c" → ["a","b","c"]. A string holding a JSON array ("[\"a\",\"b\"]", as some clients
// send a list) is that array.
Json comma_list(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && s[first] == '[') {
    Json parsed = Json::parse(s, nullptr, false);
    if (parsed.is_array()) return parsed;
  }
  Json out = Json::array();
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    size_t b = start, e = end;
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    if (e > b) out.push_back(s.substr(b, e - b));
    start = end + 1;
  }
  return out;
}

void coerce(const Json& schema, Json& value, int depth) {
  if (!schema.is_object() || depth > 32) return;
  const std::string type = schema_type(schema);
  if (type == "string") {
    if (value.is_number_integer()) value = value.dump();
  } else if (type == "integer") {
    if (value.is_string()) {
      if (auto v = parse_integer(value.get_ref<const std::string&>())) value = *v;
    }
  } else if (type == "array") {
    const auto items = schema.find("items");
    if (items == schema.end()) return;
    if (value.is_string() && schema_type(*items) == "string") value = comma_list(value.get_ref<const std::string&>());
    if (value.is_array()) {
      for (auto& v : value) coerce(*items, v, depth + 1);
    }
  } else if (type == "object" && value.is_object()) {
    const auto props = schema.find("properties");
    if (props == schema.end() || !props->is_object()) return;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (auto p = props->find(it.key()); p != props->end()) coerce(*p, it.value(), depth + 1);
    }
  }
}

}  // namespace

void coerce_arguments(const Json& schema, Json& arguments) { coerce(schema, arguments, 0); }

OutputCheck output_check_from_env() {
  const char* v = std::getenv("JIRA_MCP_CHECK_OUTPUT");
  return v && std::string(v) == "1" ? OutputCheck::strict : OutputCheck::lenient;
}

std::vector<std::string> output_problems(const ToolResult& result, const core::JsonSchema* output_schema) {
  std::vector<std::string> problems;
  if (result.is_error) return problems;
  if (!result.structured) {
    if (output_schema) problems.push_back("structuredContent: is missing (the tool declares an outputSchema)");
    return problems;
  }
  if (!output_schema) {
    problems.push_back("structuredContent: is returned but the tool declares no outputSchema");
    return problems;
  }
  for (const auto& v : output_schema->validate(*result.structured, 5)) {
    problems.push_back("structuredContent" + std::string(v.path.empty() || v.path[0] == '[' ? "" : ".") + v.path + ": " +
                       v.message);
  }
  return problems;
}

namespace {

// The handler as the registry serves it: the tool's own, then the output check against `output`
// (null: the tool declares no outputSchema).
ToolHandler checked_handler(ToolHandler inner, const std::string& name, std::shared_ptr<const LazySchema> output,
                            OutputCheck mode) {
  // Logged once per tool in lenient mode: a broken result repeats on every call.
  auto logged = std::make_shared<std::atomic<bool>>(false);
  return [inner = std::move(inner), name, output = std::move(output), mode, logged](const Json& args,
                                                                                    RequestContext& ctx) {
    ToolResult result = inner(args, ctx);
    if (result.is_error) return result;  // not checked (clients do not validate errors)
    std::vector<std::string> problems;
    if (output && !output->get()) {
      problems.push_back("outputSchema is not a valid JSON Schema: " + output->get().error().message);
    } else {
      problems = output_problems(result, output ? &*output->get() : nullptr);
    }
    if (problems.empty()) return result;
    std::string list;
    for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
    if (mode == OutputCheck::strict) {
      spdlog::error("output check: tool {} returned a result that breaks its outputSchema: {}", name, list);
      return ToolResult::error("Output check failed (JIRA_MCP_CHECK_OUTPUT=1): tool " + name +
                               " returned a result that breaks its outputSchema: " + list);
    }
    if (!logged->exchange(true)) {
      spdlog::warn("tool {} returned structured content that breaks its outputSchema ({}); the structured form "
                   "is withheld from clients (logged once per tool)",
                   name, list);
    }
    result.structured.reset();
    if (output) {
      result.is_error = true;
      result.add_text("[jira-mcp: the structured form of this answer did not match the tool's outputSchema and was "
                      "withheld; the text above is complete. This is a jira-mcp bug: please report it.]");
    }
    return result;
  };
}

}  // namespace

const Result<core::JsonSchema>& LazySchema::get() const {
  std::call_once(once_, [this] {
    compiled_.emplace(schema_ ? core::JsonSchema::compile(*schema_)
                              : Result<core::JsonSchema>(unexpected(Error{"invalid_schema", "no schema is bound"})));
  });
  return *compiled_;
}

const Registry::Tool* Registry::find_tool(std::string_view name) const {
  ensure_tools();
  auto it = tool_index_.find(std::string(name));
  return it == tool_index_.end() ? nullptr : &tools_[it->second];
}

const ResourceSpec* Registry::find_resource(std::string_view uri) const {
  for (const auto& r : resources_) {
    if (r.uri == uri) return &r;
  }
  return nullptr;
}

namespace {

// Splits "test://template/{id}/data" into {"test://template/", "{id}", "/data"}.
Result<std::vector<std::string>> parse_template(const std::string& t) {
  std::vector<std::string> parts;
  std::string literal;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{') {
      auto close = t.find('}', i);
      if (close == std::string::npos) return unexpected(Error{"template", "unclosed '{' in " + t});
      std::string var = t.substr(i + 1, close - i - 1);
      std::string name = !var.empty() && var[0] == '+' ? var.substr(1) : var;
      if (name.empty() || name.find_first_of("{}/,") != std::string::npos) {
        return unexpected(Error{"template", "bad variable '{" + var + "}' in " + t});
      }
      if (!literal.empty()) parts.push_back(std::move(literal));
      literal.clear();
      if (!parts.empty() && parts.back().front() == '{') {
        return unexpected(Error{"template", "two variables without a literal between them in " + t});
      }
      parts.push_back("{" + var + "}");
      i = close;
    } else if (t[i] == '}') {
      return unexpected(Error{"template", "stray '}' in " + t});
    } else {
      literal += t[i];
    }
  }
  if (!literal.empty()) parts.push_back(std::move(literal));
  return parts;
}

bool match_parts(const std::vector<std::string>& parts, size_t pi, std::string_view uri,
                 std::map<std::string, std::string>& vars) {
  if (pi == parts.size()) return uri.empty();
  const std::string& part = parts[pi];
  if (part.front() != '{') {
    if (uri.substr(0, part.size()) != part) return false;
    return match_parts(parts, pi + 1, uri.substr(part.size()), vars);
  }
  bool reserved = part[1] == '+';
  std::string name = part.substr(reserved ? 2 : 1, part.size() - (reserved ? 3 : 2));
  // A variable takes at least one character; a simple one stops at '/', '?' and '#'.
  for (size_t len = 1; len <= uri.size(); ++len) {
    char c = uri[len - 1];
    if (!reserved && (c == '/' || c == '?' || c == '#')) break;
    vars[name] = std::string(uri.substr(0, len));
    if (match_parts(parts, pi + 1, uri.substr(len), vars)) return true;
  }
  vars.erase(name);
  return false;
}

bool valid_tool_name(const std::string& n) {
  if (n.empty() || n.size() > 128) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

const Registry::Template* Registry::match_template(std::string_view uri,
                                                   std::map<std::string, std::string>& vars) const {
  for (const auto& t : templates_) {
    vars.clear();
    if (match_parts(t.parts, 0, uri, vars)) return &t;
  }
  vars.clear();
  return nullptr;
}

const PromptSpec* Registry::find_prompt(std::string_view name) const {
  for (const auto& p : prompts_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

RegistryBuilder& RegistryBuilder::add_tool(ToolSpec spec) {
  tools_.emplace_back(std::move(spec));
  return *this;
}
RegistryBuilder& RegistryBuilder::add_tool_source(ToolSource source) {
  tools_.emplace_back(std::move(source));
  return *this;
}
RegistryBuilder& RegistryBuilder::add_resource(ResourceSpec spec) {
  resources_.push_back(std::move(spec));
  return *this;
}
RegistryBuilder& RegistryBuilder::add_resource_template(ResourceTemplateSpec spec) {
  templates_.push_back(std::move(spec));
  return *this;
}
RegistryBuilder& RegistryBuilder::check_output(OutputCheck mode) {
  output_check_ = mode;
  return *this;
}
RegistryBuilder& RegistryBuilder::compile_schemas(SchemaCompilation when) {
  compilation_ = when;
  return *this;
}
RegistryBuilder& RegistryBuilder::add_prompt(PromptSpec spec) {
  prompts_.push_back(std::move(spec));
  return *this;
}

namespace {

// The specifications of `pending` in order, each source called once. Nothing of `pending` is
// consumed until every source has returned, so a source that throws leaves it as it was.
std::vector<ToolSpec> take_specs(Registry::Pending& pending) {
  std::vector<std::vector<ToolSpec>> made;
  for (auto& p : pending) {
    if (auto* source = std::get_if<ToolSource>(&p)) made.push_back((*source)());
  }
  std::vector<ToolSpec> specs;
  std::size_t next = 0;
  for (auto& p : pending) {
    if (auto* spec = std::get_if<ToolSpec>(&p)) {
      specs.push_back(std::move(*spec));
    } else {
      for (auto& s : made[next++]) specs.push_back(std::move(s));
    }
  }
  pending.clear();
  pending.shrink_to_fit();
  return specs;
}

// Checks `specs` and makes them the registry's tools (`tools`, `index`); each problem found goes
// to `problems`, and a tool with any is left out. `compile`: compile every validator now (each
// failure is a problem) instead of on first use.
// `tools` and `index` start empty.
void build_tools(std::vector<ToolSpec> specs, OutputCheck output_check, bool compile,
                 std::vector<Registry::Tool>& tools, std::unordered_map<std::string, size_t>& index,
                 std::vector<std::string>& problems) {
  tools.reserve(specs.size());
  // Each tool's validators (input, output or null), bound to the listing once the tools stop moving.
  std::vector<std::pair<std::shared_ptr<LazySchema>, std::shared_ptr<LazySchema>>> validators;
  for (auto& spec : specs) {
    const std::string where = "tool '" + spec.name + "'";
    const std::size_t before = problems.size();
    if (!valid_tool_name(spec.name)) problems.push_back(where + ": name must be 1-128 of [A-Za-z0-9_.-]");
    if (index.count(spec.name)) problems.push_back(where + ": declared twice");
    if (spec.description.empty()) problems.push_back(where + ": has no description");
    if (!spec.handler) problems.push_back(where + ": has no handler");
    if (!spec.input_schema.is_object() || spec.input_schema.value("type", "") != "object") {
      problems.push_back(where + ": inputSchema must be an object schema with \"type\": \"object\"");
    }
    if (spec.output_schema &&
        (!spec.output_schema->is_object() || spec.output_schema->value("type", "") != "object")) {
      problems.push_back(where + ": outputSchema must have \"type\": \"object\"");
    }
    if (problems.size() != before) continue;
    auto input = std::make_shared<LazySchema>();
    auto output = spec.output_schema ? std::make_shared<LazySchema>() : nullptr;
    spec.handler = checked_handler(std::move(spec.handler), spec.name, output, output_check);
    Json listing{{"name", spec.name}};
    if (!spec.title.empty()) listing["title"] = spec.title;
    listing["description"] = spec.description;
    // Moved, not copied: the listing is the only reader of the schemas after this (an idle
    // server would otherwise hold all 73 tools' schemas twice, about 0.2 MB of heap).
    listing["inputSchema"] = std::exchange(spec.input_schema, Json());
    if (spec.output_schema) listing["outputSchema"] = *std::exchange(spec.output_schema, std::nullopt);
    Json ann = spec.annotations.to_json();
    if (!ann.empty()) listing["annotations"] = std::move(ann);
    index[spec.name] = tools.size();
    tools.push_back(Registry::Tool{std::move(spec), std::move(listing), input, output});
    validators.emplace_back(std::move(input), std::move(output));
  }
  // The tools no longer move: each validator can point at its schema in the listing.
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const Registry::Tool& tool = tools[i];
    validators[i].first->bind(&tool.listing.at("inputSchema"));
    if (validators[i].second) validators[i].second->bind(&tool.listing.at("outputSchema"));
    if (!compile) continue;
    const std::string where = "tool '" + tool.spec.name + "'";
    if (const auto& in = tool.input->get(); !in) {
      problems.push_back(where + ": inputSchema is not a valid JSON Schema: " + in.error().message);
    }
    if (tool.output) {
      if (const auto& out = tool.output->get(); !out) {
        problems.push_back(where + ": outputSchema is not a valid JSON Schema: " + out.error().message);
      }
    }
  }
}

}  // namespace

void Registry::ensure_tools() const {
  if (built_.load(std::memory_order_acquire)) return;
  std::call_once(tools_once_, [this] {
    std::vector<std::string> problems;
    build_tools(take_specs(pending_), output_check_, false, tools_, tool_index_, problems);
    if (!problems.empty()) {
      std::string list;
      for (const auto& p : problems) list += "\n  - " + p;
      spdlog::error("tools left out, their declarations are invalid (a jira-mcp bug: please report it):{}", list);
    }
    built_.store(true, std::memory_order_release);
  });
}

Result<std::shared_ptr<const Registry>> RegistryBuilder::freeze() {
  auto reg = std::make_shared<Registry>();
  std::vector<std::string> problems;
  const bool has_source = std::any_of(tools_.begin(), tools_.end(),
                                      [](const auto& p) { return std::holds_alternative<ToolSource>(p); });
  reg->output_check_ = output_check_;
  if (has_source && compilation_ == SchemaCompilation::on_first_use) {
    reg->pending_ = std::move(tools_);
    reg->built_.store(false, std::memory_order_relaxed);  // published with the registry itself
  } else {
    build_tools(take_specs(tools_), output_check_, compilation_ == SchemaCompilation::at_freeze, reg->tools_,
                reg->tool_index_, problems);
  }
  std::set<std::string> uris;
  for (auto& r : resources_) {
    if (r.uri.empty() || r.name.empty()) problems.push_back("resource '" + r.uri + "': needs a uri and a name");
    if (!uris.insert(r.uri).second) problems.push_back("resource '" + r.uri + "': declared twice");
    if (!r.handler) problems.push_back("resource '" + r.uri + "': has no handler");
    reg->resources_.push_back(std::move(r));
  }
  for (auto& t : templates_) {
    auto parts = parse_template(t.uri_template);
    if (!parts) {
      problems.push_back("resource template: " + parts.error().message);
      continue;
    }
    if (!t.handler) problems.push_back("resource template '" + t.uri_template + "': has no handler");
    reg->templates_.push_back(Registry::Template{std::move(t), std::move(*parts)});
  }
  std::set<std::string> prompt_names;
  for (auto& p : prompts_) {
    if (p.name.empty()) problems.push_back("a prompt has no name");
    if (!prompt_names.insert(p.name).second) problems.push_back("prompt '" + p.name + "': declared twice");
    if (!p.handler) problems.push_back("prompt '" + p.name + "': has no handler");
    reg->prompts_.push_back(std::move(p));
  }
  if (!problems.empty()) {
    std::string msg = "invalid registry:";
    for (auto& p : problems) msg += "\n  - " + p;
    return unexpected(Error{"registry", msg});
  }
  return std::shared_ptr<const Registry>(std::move(reg));
}

}  // namespace jira_mcp::mcp
