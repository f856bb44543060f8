#pragma once
// Tools, resources and prompts declared as data, and the frozen registry that serves them.
//
// Build a Registry with RegistryBuilder at start-up, then freeze() it: the result is immutable
// and shared by every session and thread without a lock. Handlers are called outside any lock
// and may run concurrently with themselves; they must be thread-safe.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/core/json_schema.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/mcp/context.hpp"

namespace jira_mcp::mcp {

// The result of tools/call. A tool's own failure is a result with is_error, never an exception.
struct ToolResult {
  Json content = Json::array();       // content blocks: text, image, audio, resource, resource_link
  std::optional<Json> structured;     // structuredContent, for tools with an output schema
  bool is_error = false;

  static ToolResult text(std::string text);
  static ToolResult error(std::string message);
  ToolResult& add_text(std::string text);
  Json to_json() const&;
  Json to_json() &&;  // moves the content out (a large issue's text is not copied again)
};

struct ToolAnnotations {
  std::optional<bool> read_only;     // readOnlyHint
  std::optional<bool> destructive;   // destructiveHint
  std::optional<bool> idempotent;    // idempotentHint
  std::optional<bool> open_world;    // openWorldHint
  Json to_json() const;              // only the hints that are set
};

using ToolHandler = std::function<ToolResult(const Json& arguments, RequestContext& ctx)>;

// Whether a call may run as a task (the io.modelcontextprotocol/tasks extension, 2026-07-28):
// never; optional: a task whenever the request declares the extension, else answered directly;
// required: a task, and a request without the extension is refused (-32021).
enum class TaskSupport { never, optional, required };

struct ToolSpec {
  std::string name;
  std::string title;
  std::string description;
  Json input_schema = Json{{"type", "object"}};
  std::optional<Json> output_schema;
  ToolAnnotations annotations;
  ToolHandler handler;
  TaskSupport task_support = TaskSupport::never;
};

// One item of a resources/read result ("contents"): text or base64 blob.
struct ResourceContents {
  std::string uri;
  std::string mime_type;
  std::optional<std::string> text;
  std::optional<std::string> blob;  // base64
  Json to_json() const;
};

// Resource handlers fail with an RpcError (e.g. rpc::kResourceNotFound with a helpful message).
using ResourceHandler =
    std::function<Result<std::vector<ResourceContents>, RpcError>(const std::string& uri, RequestContext& ctx)>;
using TemplateHandler = std::function<Result<std::vector<ResourceContents>, RpcError>(
    const std::string& uri, const std::map<std::string, std::string>& variables, RequestContext& ctx)>;
// Completion: candidate values for an argument given its partial value and the other
// arguments already filled in; `ctx` is the completion/complete request's (who asks, and how).
using Completer = std::function<std::vector<std::string>(
    const std::string& partial, const std::map<std::string, std::string>& context, RequestContext& ctx)>;

// How long a client may reuse what resources/read returned (2026-07-28 ttlMs/cacheScope): the
// freshness this server itself gives the content, and whether it depends on who asks.
struct CacheHint {
  std::int64_t ttl_ms = 0;    // 0: stale at once
  bool per_user = true;       // "private": never shared across authorization contexts
};

struct ResourceSpec {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  ResourceHandler handler;
  CacheHint cache;
};

struct ResourceTemplateSpec {
  std::string uri_template;  // RFC 6570 level 1: {var} matches one path segment, {+var} anything
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  TemplateHandler handler;
  std::map<std::string, Completer> completers;  // by variable name
  CacheHint cache;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
  Completer completer;
};

using PromptHandler = std::function<Result<Json, RpcError>(
    const std::map<std::string, std::string>& arguments, RequestContext& ctx)>;  // {description?, messages}

struct PromptSpec {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  PromptHandler handler;
};

// Lenient reading of tool arguments, driven by the tool's input schema: before validation, a
// value a client sent in a neighbouring JSON type is converted to the one type the schema
// declares, where the conversion loses nothing:
//   - an integer where the schema says "string" becomes its decimal text (ids such as
//     {"board_id": 12}); the schema's pattern still decides whether it is acceptable;
//   - a string where the schema says an array of strings becomes the comma-separated list
//     ("summary, status" -> ["summary","status"]; empty items dropped);
//   - a string of decimal digits (optionally signed) where the schema says "integer" becomes
//     that integer.
// Anything else is left as it is, for validation to refuse with its message. Walks
// "properties" and "items" of object and array schemas, however deep. Never throws.
void coerce_arguments(const Json& schema, Json& arguments);

// What happens to a tool result whose structuredContent does not match the tool's outputSchema
// (or that carries structuredContent without declaring one, or declares one and returns none).
// Checked after every handler call (the registry wraps each handler when it is frozen), so every
// path that runs a tool is covered: the dispatcher, the golden transcripts, direct calls.
//   strict  (tests: JIRA_MCP_CHECK_OUTPUT=1): the result becomes an isError result naming the
//           tool, the path and the schema rule broken, and one line says so on stderr, so any
//           test anywhere in the suite that produces a non-conforming result fails.
//   lenient (production, the default): the client never sees the broken structuredContent,
//           which a strict client (the official TypeScript SDK) would refuse as a whole answer
//           (-32602). The structuredContent is dropped and the text kept; a tool that declares
//           an outputSchema must then answer with isError (a client rejects a success without
//           structuredContent), so the text stays, marked as an error, with a note saying the
//           structured form was withheld. Logged once per tool (warn).
// Results with isError are not checked (clients do not validate them).
enum class OutputCheck { lenient, strict };
// strict when the environment variable JIRA_MCP_CHECK_OUTPUT is "1", else lenient.
OutputCheck output_check_from_env();

// One result against its tool's output schema (null: the tool declares none). Empty: it
// conforms; else each problem as "path: rule" (the root is "structuredContent").
std::vector<std::string> output_problems(const ToolResult& result, const core::JsonSchema* output_schema);

// When RegistryBuilder::freeze() compiles the tools' input and output schemas into validators.
//   at_freeze (the default): every one, and freeze() refuses a schema that does not compile.
//   on_first_use: each the first time its tool is called (jira-mcp serving: a session calls a
//     few of its tools, and compiling every validator before the initialize reply was a fifth
//     of the start-up), and a tool source's tools the first time the tools are needed (see
//     RegistryBuilder::add_tool_source). Validation itself is the same. A schema that does not compile then
//     fails its tool's calls (-32603 for the input schema, the output check for the output
//     schema), naming the schema and the problem; tests freeze the whole catalog at_freeze, so
//     such a schema never ships.
enum class SchemaCompilation { at_freeze, on_first_use };

// A schema's validator, compiled once: by compile_now(), or by the first get().
// Thread safety: get() may be called from any number of threads; the first callers race on a
// std::once_flag and exactly one compiles, the others wait for it. bind() and compile_now() are
// for the single thread that freezes the registry, before it is shared.
class LazySchema {
 public:
  // `schema` must outlive this object and not change (it lives in the frozen Tool's listing).
  void bind(const Json* schema) { schema_ = schema; }
  void compile_now() const { (void)get(); }
  // The validator, or why the schema does not compile (Error code "invalid_schema").
  const Result<core::JsonSchema>& get() const;

 private:
  const Json* schema_ = nullptr;
  mutable std::once_flag once_;
  mutable std::optional<Result<core::JsonSchema>> compiled_;
};

// Tool specifications made on demand (RegistryBuilder::add_tool_source). Called at most once
// per registry (again only if it threw), on whichever thread first needs the tools.
using ToolSource = std::function<std::vector<ToolSpec>()>;

// Thread safety: every const member may be called from any number of threads. The tools of a
// tool source are built by the first call that needs them (tools(), find_tool(), tools_built()
// excepted); concurrent first callers race on a std::once_flag, exactly one builds, the others
// wait for it, and all then read the same immutable tools without a lock.
class Registry {
 public:
  struct Tool {
    // spec.input_schema and spec.output_schema are moved into `listing` (inputSchema,
    // outputSchema) when the registry is frozen, so each schema is held once: read them there.
    ToolSpec spec;  // spec.handler checks each result (see OutputCheck)
    Json listing;   // the tools/list entry, built once
    // The validators of listing's inputSchema and outputSchema (null: no outputSchema declared),
    // compiled as SchemaCompilation says. The output one is shared with spec.handler's check.
    std::shared_ptr<const LazySchema> input;
    std::shared_ptr<const LazySchema> output;
  };
  // Tools not built yet, in the order they were added.
  using Pending = std::vector<std::variant<ToolSpec, ToolSource>>;
  struct Template {
    ResourceTemplateSpec spec;
    std::vector<std::string> parts;  // literal, "{var}", literal, "{+var}", ...
  };

  // The tools, in the order they were added (a source's where the source was added). Builds
  // them first if a tool source is still pending.
  const std::vector<Tool>& tools() const {
    ensure_tools();
    return tools_;
  }
  const Tool* find_tool(std::string_view name) const;
  // Whether the tools exist yet (always true without a pending tool source). Builds nothing.
  bool tools_built() const { return built_.load(std::memory_order_acquire); }
  const std::vector<ResourceSpec>& resources() const { return resources_; }
  const ResourceSpec* find_resource(std::string_view uri) const;
  const std::vector<Template>& templates() const { return templates_; }
  // The first template matching `uri`, with its variables.
  const Template* match_template(std::string_view uri, std::map<std::string, std::string>& vars) const;
  const std::vector<PromptSpec>& prompts() const { return prompts_; }
  const PromptSpec* find_prompt(std::string_view name) const;

 private:
  friend class RegistryBuilder;
  void ensure_tools() const;
  // Built once, by freeze() or by the first ensure_tools() (under tools_once_), then immutable:
  // mutable only so that a const registry can finish its own construction.
  mutable std::vector<Tool> tools_;
  mutable std::unordered_map<std::string, size_t> tool_index_;
  mutable Pending pending_;  // emptied by the build
  mutable std::once_flag tools_once_;
  mutable std::atomic<bool> built_{true};
  OutputCheck output_check_ = OutputCheck::lenient;
  std::vector<ResourceSpec> resources_;
  std::vector<Template> templates_;
  std::vector<PromptSpec> prompts_;
};

// Not thread-safe: used by one thread at start-up.
class RegistryBuilder {
 public:
  RegistryBuilder& add_tool(ToolSpec spec);
  // Tools made by `source` when they are needed rather than now. With SchemaCompilation::
  // on_first_use, freeze() leaves every tool (those added with add_tool too) to the registry's
  // first tools()/find_tool(), so nothing is built for a client that never asks (a start-up up
  // to the initialize reply builds no tool specification). Built then, a tool that breaks a
  // declaration rule below is left out and logged (error), since there is no freeze() left to
  // refuse it: the catalog's tests freeze it at_freeze, where freeze() calls the source at once
  // and refuses what it finds like any other problem.
  RegistryBuilder& add_tool_source(ToolSource source);
  RegistryBuilder& add_resource(ResourceSpec spec);
  RegistryBuilder& add_resource_template(ResourceTemplateSpec spec);
  RegistryBuilder& add_prompt(PromptSpec spec);
  // How results that break their outputSchema are treated (default: output_check_from_env()).
  RegistryBuilder& check_output(OutputCheck mode);
  // When the tools' schemas are compiled (default: SchemaCompilation::at_freeze).
  RegistryBuilder& compile_schemas(SchemaCompilation when);
  // Checks every declaration (unique valid names, a handler, an input schema that has type
  // "object" and, at_freeze, compiles, an outputSchema of type "object" that, at_freeze,
  // compiles, templates that parse) and returns the immutable registry, or every problem found.
  Result<std::shared_ptr<const Registry>> freeze();

 private:
  Registry::Pending tools_;
  std::vector<ResourceSpec> resources_;
  std::vector<ResourceTemplateSpec> templates_;
  std::vector<PromptSpec> prompts_;
  OutputCheck output_check_ = output_check_from_env();
  SchemaCompilation compilation_ = SchemaCompilation::at_freeze;
};

}  // namespace jira_mcp::mcp
