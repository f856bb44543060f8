#pragma once
// Shared pieces of the tool tables: schema builders, the Jira call helpers every handler uses,
// Markdown rendering of issues, users and rich text, and the response size budget.
//
// Each domain file declares its tools as data (a ToolDef per tool) through these helpers, so a
// handler reads as: validate what the schema cannot, call Jira, render compactly.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jira_mcp/cache/tags.hpp"
#include "jira_mcp/core/read.hpp"
#include "jira_mcp/jira/client.hpp"
#include "jira_mcp/jira/path.hpp"
#include "jira_mcp/mcp/registry.hpp"
#include "jira_mcp/tools/tools.hpp"

namespace jira_mcp::tools::detail {

namespace rd = jira_mcp::lenient;  // the lenient reader of Jira JSON (core/read.hpp)
// rd::str(j, key), or `fallback` when that is empty.
inline std::string str_or(const Json& j, std::string_view key, std::string fallback) {
  std::string s = rd::str(j, key);
  return s.empty() ? fallback : s;
}
using mcp::RequestContext;
using mcp::ToolResult;
using ServicesPtr = std::shared_ptr<const Services>;

// One row of a domain table.
struct ToolDef {
  std::string toolset;
  mcp::ToolSpec spec;
};
using ToolTable = std::vector<ToolDef>;

// Domain tables (one per src/tools/<domain>.cpp).
void add_issue_tools(ToolTable& table, const ServicesPtr& services);
void add_comment_tools(ToolTable& table, const ServicesPtr& services);
void add_transition_tools(ToolTable& table, const ServicesPtr& services);
void add_project_tools(ToolTable& table, const ServicesPtr& services);
void add_user_tools(ToolTable& table, const ServicesPtr& services);
void add_server_tools(ToolTable& table, const ServicesPtr& services);
void add_resources_and_prompts(mcp::RegistryBuilder& builder, const ServicesPtr& services);
void add_issue_batch_tools(ToolTable& table, const ServicesPtr& services);  // batch create, clone
void add_bulk_tools(ToolTable& table, const ServicesPtr& services);
void add_agile_tools(ToolTable& table, const ServicesPtr& services);        // boards, sprints, backlog, epics, rank
void add_attachment_tools(ToolTable& table, const ServicesPtr& services);   // list, upload, download, delete
void add_link_tools(ToolTable& table, const ServicesPtr& services);         // link types, issue/remote links, epic
void add_worklog_tools(ToolTable& table, const ServicesPtr& services);      // list, add, update, delete
void add_watcher_tools(ToolTable& table, const ServicesPtr& services);      // list, add, remove

// The catalog as the domain tables make it, every tool's specification built (for the tests
// that check catalog(), which is written out so that it builds none, against it).
std::vector<ToolInfo> built_catalog();

// The specifications of the tools `offered` lists, in catalog order, as register_tools()
// registers them (the `fresh` argument, the notice and the structured budget added).
std::vector<mcp::ToolSpec> offered_tools(const ServicesPtr& services, const ResolvedSelection& offered);

// `spec` whose results carry Services::notice, when there is one and `spec` is a write tool or
// one of the tools a user asks "where am I" (jira_get_current_user, jira_server_status).
mcp::ToolSpec with_notice(mcp::ToolSpec spec, const ServicesPtr& services);

// --- the structured budget (budget.cpp) -------------------------------------------------------
// `spec` whose structuredContent never exceeds Options::max_response_chars (compact JSON) nor
// lists more items than args.max_results; the outputSchema of a list gains the members that say
// so (truncated, omitted, continue_hint, next_start_at). Applied to every tool by register_tools.
mcp::ToolSpec with_structured_budget(mcp::ToolSpec spec, const ServicesPtr& services);
// Cuts `structured` to `budget` characters of compact JSON (0: no limit) and to args.max_results
// items, marking what it did (see above). True when anything was cut.
bool fit_structured(Json& structured, size_t budget, const Json& args, const std::string& continue_hint);
// How many leading items of a list fit the budget in both forms, the text lines and the
// structured items, with `reserve` characters kept for headers and continuation; at most `limit`.
// A list handler cuts both to this count so they show the same items.
size_t items_within_budget(size_t budget, const std::vector<std::string>& lines, const Json& items, size_t limit,
                           size_t reserve = 1000);

// --- schema builders ------------------------------------------------------------------------
Json str_prop(std::string description);
Json int_prop(std::string description, std::optional<long> min = std::nullopt, std::optional<long> max = std::nullopt,
              std::optional<long> def = std::nullopt);
Json bool_prop(std::string description, std::optional<bool> def = std::nullopt);
Json enum_prop(std::string description, std::vector<std::string> values, std::optional<std::string> def = std::nullopt);
Json str_array_prop(std::string description);
Json issue_key_prop(std::string description = "Issue key such as PROJ-123 (or a numeric issue id)");
// A string of digits: the ids Jira gives comments, worklogs, links, components, versions, attachments.
Json numeric_id_prop(std::string description);
// {"type":"object","properties":...,"required":[...],"additionalProperties":false}
Json object_schema(Json properties, std::vector<std::string> required = {});

mcp::ToolAnnotations read_only();
mcp::ToolAnnotations writes(bool destructive, bool idempotent);

// --- calling Jira ---------------------------------------------------------------------------
// Per-call view of the services: the client, the deployment and the API prefix, and the call's
// jira::CallContext (fresh, trace, trace context) that every Jira request it makes carries.
using Tags = std::vector<std::string>;

// What a tool's write changes, named in the cache's vocabulary (cache/tags.hpp). Every write
// drops searches; an issue's workflow (its transitions) goes with any change but a comment's.
namespace affects {
Tags issue(const std::string& key);                   // fields, status, links of one issue
Tags issues(const std::vector<std::string>& keys);    // the same for several
Tags comment(const std::string& key);                 // a comment (or watcher, remote link): not the workflow
Tags new_issue(const std::string& parent = {});       // a created issue: searches (and its parent's subtasks)
Tags created(const Json& fields);                     // new_issue() of the parent these create fields name
Tags any_issue();                                     // issues the tool cannot name (the whole issues tier)
Tags agile(const std::vector<std::string>& keys = {});  // sprints and boards, and the issues moved
Tags project(const std::string& key_or_id);           // one project's metadata (components, versions)
Tags component(const std::string& id, bool removed);  // one component; removed: its issues change too
Tags version(const std::string& id, bool removed);
}  // namespace affects

// A JSON write request declaring what it invalidates (for send() and the client's async calls).
jira::Request json_write(std::string method, const std::string& path, const Json& body, const Tags& affects,
                         std::optional<bool> idempotent = std::nullopt);

class Jira {
 public:
  // The view of a call that may write. The call's client is Services::client_for_call's choice
  // for the identity the request brought (RequestContext::inbound()), else Services::client.
  // Its post_json, put_json, del and send check the call's cancellation just before they send:
  // the safe point of a write. Cancelled before a request is sent, the request is not sent
  // (ErrorKind::cancelled, "changed nothing"); once sent, it completes, and the call's outcome
  // reaches the client through the dispatcher's report of a cancelled call.
  Jira(const ServicesPtr& services, const RequestContext& call);
  // The view of a read-only call: the same, without the cancellation checks (reads change
  // nothing).
  static Jira reading(const ServicesPtr& services, const RequestContext& call);
  // Detects the deployment on first use; a failure is a JiraError (e.g. bad credentials).
  Status<jira::JiraError> ready();
  bool cloud() const { return cloud_; }
  const std::string& api() const { return api_; }  // "/rest/api/3" or "/rest/api/2"
  jira::Client& client() const { return *client_; }
  // What every request of this call carries; pass it when calling client() directly.
  const jira::CallContext& call() const { return call_; }
  const Options& options() const { return services_->options; }
  // Whether the call's client reads through an enabled response cache (a repeated read such as
  // /field is then served locally instead of costing a Jira round trip).
  bool caches_reads() const;
  std::string browse_url(const std::string& key) const;

  Result<Json, jira::JiraError> get_json(const std::string& path, const jira::Query& query = {});
  // The document itself, shared with the response cache instead of copied (null body: {}).
  Result<std::shared_ptr<const Json>, jira::JiraError> get_doc(const std::string& path, const jira::Query& query = {});
  // get_doc() read in place when it can (fast_read.cpp): with Options::fast_parse and the read
  // not served by the cache, the body parsed with simdjson into a parser leased into `parser`
  // (keep it while reading the view); otherwise the document (null body: {}).
  Result<jira::Client::Read, jira::JiraError> get_read(const std::string& path, const jira::Query& query,
                                                       std::optional<JsonParserPool::Lease>& parser);
  // Writes name the cache tags they invalidate (`affects`, built with the helpers in namespace
  // affects below): the tool knows what it changes.
  Result<Json, jira::JiraError> post_json(const std::string& path, const Json& body, const Tags& affects,
                                          bool idempotent = false);
  Result<Json, jira::JiraError> put_json(const std::string& path, const Json& body, const Tags& affects);
  Status<jira::JiraError> del(const std::string& path, const Tags& affects, const jira::Query& query = {});
  // A request as is; a write must set request.invalidates.
  Result<jira::Response, jira::JiraError> send(const jira::Request& request);
  // A read-only POST (a search or a count), through the cache.
  Result<Json, jira::JiraError> search_json(const std::string& path, const Json& body);
  // ErrorKind::cancelled naming `method` and `path` when this view's call was cancelled (send
  // nothing more), else nullopt. For writes that do not go through the methods above.
  std::optional<jira::JiraError> refuse_if_cancelled(const std::string& method, const std::string& path) const;
  bool cancelled() const { return cancel_ && cancel_->cancelled(); }

  // Rich text for this deployment: Markdown → ADF (Cloud) or wiki markup (Data Center), and back.
  Json rich_text(const std::string& markdown) const;
  std::string markdown(const Json& rich) const;
  std::string markdown(JsonRef rich) const;  // the same over a view
  detail::FieldCatalogMemo* field_catalog_memo() const { return services_->field_catalog_memo.get(); }

  // A user given as display name, email, account id (Cloud) or username (Data Center), as the
  // JSON Jira wants in a user field ({"accountId":...} or {"name":...}). Ambiguity is an error
  // listing the candidates.
  Result<Json, std::string> resolve_user(const std::string& who);

 private:
  ServicesPtr services_;
  // The call's client: Services::client, or the one client_for_call chose (held for the call,
  // so the per-user pool may drop it meanwhile). Null only when resolving failed; ready() then
  // reports resolve_error_.
  std::shared_ptr<jira::Client> lease_;
  jira::Client* client_ = nullptr;
  std::optional<jira::JiraError> resolve_error_;
  mcp::CancelTokenPtr cancel_;  // the call's, for a view of a call that may write
  jira::CallContext call_;
  bool cloud_ = true;
  std::string api_;
};

// Every handler starts with this: detect the deployment, or answer with why Jira is unreachable.
#define JIRA_READY(jira)                                                               \
  if (auto ready_ = (jira).ready(); !ready_) return jira_failure(ready_.error(), "Connecting to Jira")

// A failed Jira call as an isError result with the client's actionable message.
ToolResult jira_failure(const jira::JiraError& error, const std::string& doing);
// Bad arguments the schema cannot express: isError naming the field and the fix.
ToolResult bad_argument(const std::string& field, const std::string& problem);
// Before a destructive action: when Options::confirm_destructive is set and the client supports
// elicitation, asks the user ("<what> This cannot be undone. Proceed?"). nullopt means go ahead;
// otherwise the isError result to return (declined, or the question could not be asked).
// On a 2026 request the question unwinds the handler (an InputRequiredResult, see
// mcp/input.hpp) and the handler reruns on the retry, so a caller must do nothing irreversible
// before it: read, then confirm, then write.
std::optional<ToolResult> confirm_destructive(const ServicesPtr& services, RequestContext& ctx, const std::string& what);

// --- rendering ------------------------------------------------------------------------------
// Each reads leniently over a view (a cached nlohmann document or a body read in place, see
// core/json_view.hpp); the Json overloads read the document through a view.
std::string user_label(JsonRef user);               // display name (email or name), or "Unassigned"
std::string user_label(const Json& user);
// The author of a comment, worklog or change: user_label(), but "Anonymous" when there is none
// (Jira leaves the author out, or null, for anonymous edits and deleted users).
std::string author_label(JsonRef user);
std::string author_label(const Json& user);
// " (id 10000)" with the entity's id (rd::id_of: the id, else the end of its self URL), or ""
// when it has none, so text never shows "(id )".
std::string id_note(JsonRef entity);
std::string id_note(const Json& entity);
std::string short_date(JsonRef timestamp);          // "2026-01-02 14:03" from Jira's ISO timestamp
std::string short_date(const Json& timestamp);
std::string issue_line(const Json& issue);          // "- **KEY** summary — Status · Type · Priority · Assignee"
class FieldCatalog;  // custom_fields.hpp

// The fields an issue read with all its fields shows: the ones the read asking for fields by id
// gets from Jira (`ids`), and, when no field list could be read (so no custom field is known to
// be a default one), every custom field, rendered by its shape.
struct KeptFields {
  std::vector<std::string> ids;
  bool all_custom = false;
  bool has(std::string_view id) const;
};

// An issue as the issue renderers (issue_markdown, issue_summary_json, issue_line) read it: its
// top-level members, and the members of its `fields` they show, found in one pass over the
// fields (a member lookup in a simdjson object is a scan of all ~90 fields of a real issue) and
// read in place, with no copy of the issue. A repeated key reads as its last occurrence, as
// nlohmann's parser keeps it, so both kinds of view read alike.
//
// With `keep`, only those fields are read (the rest read as absent, as Jira leaves out fields not
// asked for). Borrows `issue` (and the document behind it), which must outlive the view.
class IssueView {
 public:
  enum Field : unsigned char {
    kSummary, kStatus, kIssueType, kPriority, kAssignee, kReporter, kCreated, kUpdated, kDueDate,
    kResolutionDate, kLabels, kComponents, kFixVersions, kVersions, kParent, kSubtasks, kIssueLinks,
    kDescription, kComment, kFieldCount
  };
  explicit IssueView(JsonRef issue, const KeptFields* keep = nullptr);
  explicit IssueView(const Json& issue) : IssueView(JsonRef(issue)) {}

  // The issue's key, id and self members.
  JsonRef key() const { return key_; }
  JsonRef id() const { return id_; }
  JsonRef self() const { return self_; }
  // The field, or a missing value when the issue has none (or it is not kept).
  JsonRef operator[](Field f) const { return fields_[f]; }
  // The issue's custom fields (customfield_N members) as a document, for the custom field
  // renderers (custom_fields.hpp): the issue's own `fields` when it is a nlohmann document read
  // whole, else a copy of just those members (a handful).
  const Json& custom_fields() const { return custom_ ? *custom_ : own_custom_; }
  // An element of fields.comment.comments and the members of it the renderers read (missing
  // where absent, and for an element that is not an object), with its author_label(), which
  // both renderers show.
  struct Comment {
    JsonRef author, body, created, id, self;
    std::string author_label;
  };
  const std::vector<Comment>& comments() const { return comments_; }  // none unless an array

 private:
  JsonRef key_, id_, self_;
  JsonRef fields_[kFieldCount];
  std::vector<Comment> comments_;
  const Json* custom_ = nullptr;
  Json own_custom_ = Json::object();
};

// The rich text of an issue rendered as Markdown once, for both the text and the structured
// result: the description (when not null) and each comment body, in order.
struct IssueRichText {
  std::optional<std::string> description;
  std::vector<std::string> comments;
};
IssueRichText issue_rich_text(const Jira& jira, const IssueView& issue);

// The compact Markdown of one issue.
struct IssueRenderOptions {
  bool description = true;
  int comments = 3;  // newest N comments
  // The description already rendered as Markdown (by issue_summary_json), so it is not rendered
  // twice. Null: rendered here.
  const std::string* description_markdown = nullptr;
  // Names and schemas of custom fields, which are rendered after the standard rows. Null: custom
  // fields are not shown.
  const FieldCatalog* catalog = nullptr;
  // The comment bodies already rendered as Markdown, one per element of fields.comment.comments
  // (issue_rich_text()). Null: rendered here.
  const std::vector<std::string>* comment_markdown = nullptr;
};
std::string issue_markdown(Jira& jira, const IssueView& issue, const IssueRenderOptions& opts);
std::string issue_markdown(Jira& jira, const Json& issue, const IssueRenderOptions& opts);
// Trimmed JSON of one issue for format=json (the fields that matter, rich text as Markdown);
// with a catalog, custom field values under their names in "custom_fields".
Json issue_summary_json(Jira& jira, const IssueView& issue, bool with_description, const FieldCatalog* catalog = nullptr,
                        const std::vector<std::string>* comment_markdown = nullptr);
Json issue_summary_json(Jira& jira, const Json& issue, bool with_description, const FieldCatalog* catalog = nullptr,
                        const std::vector<std::string>* comment_markdown = nullptr);

// Text output within the configured budget. When cut, says so, and how to get the rest.
ToolResult text_result(const Jira& jira, std::string text, const std::string& continue_hint = {});

// --- rewriting rich text that exists ------------------------------------------------------
// The schema of the `accept_loss` argument of the tools that replace existing rich text.
Json accept_loss_prop();
// Before replacing `current` (the rich text Jira holds now: ADF on Cloud, wiki on Data Center)
// with what the agent wrote: nullopt to go ahead; otherwise an isError result naming what
// `current` holds that its Markdown form cannot carry (so a read-then-write would lose it) and
// the argument that allows the write anyway. Null or empty `current` loses nothing.
std::optional<ToolResult> refuse_lossy_rewrite(const Jira& jira, const Json& current, const std::string& what);

// ASCII lower case, for case-insensitive matching of names.
std::string lower(std::string s);

// Comma-separated string or array argument → list of non-empty strings.
std::vector<std::string> string_list(const Json& value);

// --- issue fields (create and update tools) -------------------------------------------------
// The fields an agent sets when it creates or updates an issue: summary, description (Markdown),
// assignee, priority, labels, components, due_date, fields (raw Jira fields).
Json editable_issue_properties();
// editable_issue_properties() plus project_key, issue_type (default Task) and parent.
Json create_issue_properties();
// Resolved users by the name given, so a batch resolves each person once.
using UserCache = std::map<std::string, Result<Json, std::string>>;
// Jira's "fields" object from the editable arguments. An assignee that cannot be resolved is a
// bad_argument naming `where` + "assignee" (where is e.g. "issues[2]." in a batch).
Result<Json, ToolResult> build_issue_fields(Jira& jira, const Json& args, const std::string& where = {},
                                            UserCache* users = nullptr);
// build_issue_fields() plus project (project_key), issuetype (issue_type, default Task) and parent.
Result<Json, ToolResult> build_create_fields(Jira& jira, const Json& args, const std::string& where = {},
                                             UserCache* users = nullptr);

}  // namespace jira_mcp::tools::detail
