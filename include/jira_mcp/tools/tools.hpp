#pragma once
// The Jira tool catalog: every MCP tool, resource and prompt this server offers, declared as
// data in one table per domain (src/tools/<domain>.cpp), and the selection rules that decide
// which of them a given configuration lists.
//
// Thread safety: register_tools() runs once at start-up. The handlers it registers are
// thread-safe (they share the Jira client, which is).
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include "jira_mcp/core/object_pool.hpp"
#include "jira_mcp/core/result.hpp"
#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/mcp/registry.hpp"

namespace jira_mcp::monitor {
class Monitor;
}

namespace jira_mcp::tools {

class RenderMemo;

// Which tools are listed and callable.
struct Selection {
  // Toolset names (see toolsets()), or {"all"}. Empty: the default toolsets, which keep the
  // listed count under 40 (some clients cap it).
  std::vector<std::string> toolsets;
  std::vector<std::string> enabled_tools;   // added on top of the toolsets
  std::vector<std::string> disabled_tools;  // removed last
  bool read_only = false;                   // write tools are neither listed nor callable
};

struct Options {
  size_t max_response_chars = 40000;  // a tool's text output is cut (and says so) past this
  bool confirm_destructive = false;   // ask by elicitation before deleting, when the client can
  // Directories jira_upload_attachment may read local files from (tools.attachment_dirs). Empty:
  // uploads by file_path are refused; content_base64 still works.
  std::vector<std::string> attachment_dirs;
  // Largest attachment uploaded or downloaded, in bytes (tools.max_attachment_bytes).
  std::size_t max_attachment_bytes = 10 * 1024 * 1024;
  // Upload files that have more than one hard link (tools.allow_hardlinked_attachments). Off: a
  // hard link inside attachment_dirs may name a file that also lives outside them.
  bool allow_hardlinked_attachments = false;
  // Open upload files with openat2 when the kernel has it; false forces the per-component
  // O_NOFOLLOW walk (for tests of that path).
  bool use_openat2 = true;
  // How long this server itself keeps an issue and project metadata before asking Jira again
  // (the cache tiers' TTLs; 0 when the cache is off): the honest freshness of the jira://issue
  // and jira://project resources, sent as their 2026-07-28 ttlMs.
  std::chrono::milliseconds issue_ttl{0};
  std::chrono::milliseconds metadata_ttl{0};
  // Uncached reads of an issue and of the field list are parsed with simdjson and rendered
  // from that document in place (core/json_view.hpp). False: the old path, a nlohmann document
  // for every response (kept for --bench's ablation and as the tests' oracle).
  bool fast_parse = true;
};

namespace detail {
struct FieldCatalogMemo;  // custom_fields.hpp
std::shared_ptr<FieldCatalogMemo> make_field_catalog_memo();
}  // namespace detail

// simdjson parsers reused across calls (each call leases one for as long as it reads a body).
using JsonParserPool = core::ObjectPool<JsonParser>;
std::shared_ptr<JsonParserPool> make_json_parser_pool();

// What the tools stand on. Owned by the composition root; outlives the registry.
struct Services {
  jira::Client* client = nullptr;
  // The client for the call being handled, when it is not `client`: per-user Jira credentials
  // on the HTTP transport (see per_user_clients.hpp), chosen from the identity the request
  // brought (`who`, mcp::Inbound::identity; null when it brought none). Called once per tool
  // call, on the handler's thread. Unset, or Ok(nullptr): `client` serves the call. An error
  // fails the call with it; it never falls back to `client`.
  std::function<Result<std::shared_ptr<jira::Client>, jira::JiraError>(const mcp::Credentials* who)> client_for_call;
  // Metrics and alerts for jira_server_status and jira://server/status. Null: not shown.
  monitor::Monitor* monitor = nullptr;
  // Rendered results of cached documents (render_memo.hpp). Null: every call renders.
  std::shared_ptr<RenderMemo> render_memo;
  Options options;
  // Parsers for Options::fast_parse; never null unless a caller resets it (then the old path).
  std::shared_ptr<JsonParserPool> json_parsers = make_json_parser_pool();
  // The field catalog of the last cached /field document (custom_fields.hpp).
  std::shared_ptr<detail::FieldCatalogMemo> field_catalog_memo = detail::make_field_catalog_memo();
  // Said wherever a model looks when these tools do not reach the user's own Jira (the built-in
  // sandbox, sandbox_notice()): a first text block of jira_get_current_user's and
  // jira_server_status's answers and of every write tool's result (error or not), and a
  // "notice" member of their structuredContent objects where the output schema allows it, and of
  // the jira://server/status resource. Empty: nothing is added.
  std::string notice;
};

struct ToolInfo {
  std::string name;
  std::string toolset;
  bool read_only = true;
  bool default_listed = false;
};

// The notice (Services::notice, the initialize instructions) of a server serving its built-in
// sandbox: what it is and how to use a real Jira instead. `asked` (--sandbox given) makes it
// shorter: the user chose the sandbox, but a model must still not mistake it for a real Jira.
std::string sandbox_notice(bool asked);

// Every toolset name, in catalog order, and the default ones.
std::vector<std::string> toolsets();
std::vector<std::string> default_toolsets();
// The whole catalog (independent of any selection), in catalog order.
std::vector<ToolInfo> catalog();

// A selection checked against the catalog, in this server's names.
struct ResolvedSelection {
  std::vector<std::string> toolsets;        // toolset names, catalog order ("all"/"default" expanded)
  std::vector<std::string> enabled_tools;   // tool names
  std::vector<std::string> disabled_tools;  // tool names
  bool read_only = false;
  // Sentences for an info-level log: another server's names taken as ours, names ignored.
  std::vector<std::string> notes;

  // Whether this selection lists (and lets clients call) the tool; register_tools() decides by it.
  bool offers(const ToolInfo& tool) const;
};

// Checks `selection` as register_tools() does (the same function, so --doctor fails exactly
// when serving would). Accepts "all", "default" and "none" among the toolsets, the names
// sooperset/mcp-atlassian uses for its tools and toolsets where one of ours is equivalent
// (tool_aliases(); noted), and ignores its Confluence names and the Jira toolsets with no
// equivalent here (noted). Every unknown name is reported, each with a "did you mean" when a
// known name is close, in one error (code "config").
Result<ResolvedSelection, Error> resolve_selection(const Selection& selection);

// mcp-atlassian's tool names accepted in enabled_tools/disabled_tools, with ours for each.
struct NameAlias {
  std::string_view theirs;
  std::string_view ours;
};
std::span<const NameAlias> tool_aliases();
// mcp-atlassian's toolset names accepted in tools.toolsets, with ours for each.
std::span<const NameAlias> toolset_aliases();

// Adds the selected tools, plus the resources and prompts, to `builder`. Errors are those of
// resolve_selection(), checked now against catalog() (no tool is built for it); its notes are
// logged at info level. The tools' specifications are a tool source
// (mcp::RegistryBuilder::add_tool_source): built by freeze() with SchemaCompilation::at_freeze,
// else by the frozen registry when it first needs them.
Status<Error> register_tools(mcp::RegistryBuilder& builder, std::shared_ptr<const Services> services,
                             const Selection& selection);

// --- a server whose configuration cannot be used -----------------------------------------------
// Exiting before the MCP handshake shows a host's user only "Connection closed". Instead such a
// server completes the handshake, lists the tools the configuration would have given, and
// answers every call with the problem and its fix, which the model relays to the person.

// What every call answers and the instructions say: `problem` (the precise message: the key,
// where its value came from, what is accepted), how to fix it, and how to check the fix.
std::string unconfigured_message(const std::string& problem);

// Adds the tools `selection` lists (the default toolsets, read_only kept, when `selection` itself
// is invalid), each answering every call with an isError result carrying `message`. Their
// handlers use no Jira client and send nothing anywhere. No resources or prompts are added:
// they would need Jira.
Status<Error> register_unconfigured_tools(mcp::RegistryBuilder& builder, const Selection& selection,
                                          const std::string& message);

}  // namespace jira_mcp::tools
