#pragma once
// Conversions between the formats Jira speaks and the Markdown that models read and write.
//
// Jira Cloud (REST v3) stores rich text as Atlassian Document Format (ADF, JSON); Jira Data
// Center (REST v2) stores wiki markup. Models only ever see and write Markdown (CommonMark plus
// the GFM table, strikethrough, autolink and task-list extensions, and the directives below).
//
// Design: ADF is the one intermediate model. Markdown is parsed with cmark-gfm and lowered to
// ADF; wiki markup is parsed by a small line-oriented parser into ADF; and ADF is rendered to
// Markdown or to wiki markup. So Markdown -> wiki is markdown_to_adf + adf_to_wiki and wiki ->
// Markdown is wiki_to_adf + adf_to_markdown, and each output format has exactly one escaper.
//
// Lossless round trip. What adf_to_markdown / wiki_to_markdown return parses back, through
// markdown_to_adf / markdown_to_wiki, to the same document: whatever CommonMark cannot say is
// written in the generic-directive syntax (as in remark-directive) and read back:
//   inline      :name[label]{k=v k2="quoted"}   status, date, emoji, inlineCard, mediaInline,
//                                               placeholder, inlineExtension; and the marks
//                                               underline, textColor, backgroundColor, subsup,
//                                               annotation around their text
//   leaf block  ::name{k=v}                     blockCard, embedCard, extension; ::table{...}
//                                               gives the GFM table after it its attributes
//   container   :::name{k=v} ... :::            panel, expand, nestedExpand, decisionList (a
//                                               bullet list inside), mediaSingle, mediaGroup,
//                                               caption, layoutSection/Column, bodiedExtension,
//                                               table/tableRow/tableCell/tableHeader (tables GFM
//                                               cannot hold: spans, widths, colours, blocks),
//                                               alignment/indentation (marks of the blocks inside)
//   attributes  ![alt](url){k=v}, @[Name](accountid:ID){k=v}, ```lang {k=v}
// Attribute values keep their JSON type (bare true/false/null/numbers/[arrays] are JSON,
// "quoted" values strings). Images are media: ![alt](https://...) an external image,
// ![alt](media:ID) a Jira media file. Mentions: @[Name](accountid:ID) is a Cloud account
// ([~accountid:ID] in wiki); @[jsmith](user:jsmith) a Data Center user name, an ADF mention with
// id "user:jsmith" that adf_to_wiki writes back as [~jsmith]. Text that looks like a directive
// is escaped ("\:status[x]") and directives are never read inside code. The wiki flavour carries
// its own parameters (code title, {noformat}, image thumbnail/width/alt, panel title/bgColor,
// the {info}-style macro name as wikiMacro, [^file] attachments as wikiAttachment) as extra
// attributes; markdown_to_adf and wiki_to_adf drop those (the ADF schema has no place
// for them), markdown_to_wiki keeps them.
//
// Not carried (see normalize_adf and round_trip_losses): localId attributes; text-node splits
// and mark order (Atlassian's schema order is written); a URL stored as plain text comes back
// linked (GFM links bare URLs). In wiki, text after a closing block macro on the same line
// becomes its own paragraph, a one-paragraph {quote} is written "bq.", and macro parameters are
// written in a fixed order. Nodes ADF forbids in a context (a heading in a list item, a table
// in a quote) are flattened so every produced document is valid against the ADF JSON schema;
// ordered-list start numbers are lost in wiki markup.
//
// Thread safety: every function is pure and may be called concurrently (cmark-gfm extensions
// are registered once under std::call_once; each call uses its own parser).
// Errors: none of these functions throws on any input. Odd or hostile input (invalid UTF-8,
// unknown ADF node types, missing or mistyped fields, absurd nesting) yields best-effort
// output; nesting deeper than kMaxNesting is flattened to plain text.
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp {
class JsonRef;
}

namespace jira_mcp::content {

// Container nesting (lists, quotes, ADF nodes) beyond this depth is flattened to its text.
inline constexpr int kMaxNesting = 32;

// Markdown -> ADF {"type":"doc","version":1,"content":[...]}, valid against the ADF schema for
// Markdown (and the directives above with the attributes the schema allows). U+FDD0 and U+FDD1
// (noncharacters, used internally to mark directives) read as U+FFFD.
// Task-list localIds are deterministic ("task-list-1", "task-1", ...), so equal input gives
// equal output. Invalid UTF-8 is replaced by U+FFFD.
Json markdown_to_adf(std::string_view markdown);

// ADF (a doc node, or any single node) -> Markdown ending in one newline ("" for an empty
// document). Unknown nodes keep their text; text is escaped so that the output parses back to
// the same content.
std::string adf_to_markdown(const Json& adf);
// The same over a view (core/json_view.hpp): a nlohmann value or a simdjson DOM value render to
// the same Markdown.
std::string adf_to_markdown_view(JsonRef adf);

// Markdown -> Jira wiki markup (via markdown_to_adf).
std::string markdown_to_wiki(std::string_view markdown);

// Jira wiki markup -> Markdown (via wiki_to_adf).
std::string wiki_to_markdown(std::string_view wiki);

// The two halves of the wiki conversions, for callers that hold ADF already.
// wiki_to_adf produces schema-valid ADF (wiki-only parameters dropped); invalid UTF-8 is
// replaced by U+FFFD.
Json wiki_to_adf(std::string_view wiki);
std::string adf_to_wiki(const Json& adf);

// The comparison form of an ADF document: localId attributes dropped (the editor's own
// identifiers; Markdown does not carry them and the writer makes fresh ones), empty attrs and
// marks arrays dropped, neighbouring text nodes with equal marks merged, marks in Atlassian's
// schema order, and spaces and line breaks at the very start and end of a paragraph or heading
// and spaces next to a line break
// trimmed (they show nothing, and Markdown cannot hold them). Two documents Jira would show alike compare equal after this.
Json normalize_adf(const Json& adf);

// What writing adf_to_markdown(adf) back through markdown_to_adf would not reproduce, one line
// per place ("/content/3: panel attributes {...}"), at most 20; empty when the round trip is
// lossless. Tools call it before a read-modify-write to refuse (or warn) with the loss named.
std::vector<std::string> round_trip_losses(const Json& adf);

}  // namespace jira_mcp::content
