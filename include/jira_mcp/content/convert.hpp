#pragma once
// Conversions between the formats Jira speaks and the Markdown that models read and write.
//
// Jira Cloud (REST v3) stores rich text as Atlassian Document Format (ADF, JSON); Jira Data
// Center (REST v2) stores wiki markup. Models only ever see and write Markdown (CommonMark plus
// the GFM table, strikethrough, autolink and task-list extensions).
//
// Design: ADF is the one intermediate model. Markdown is parsed with cmark-gfm and lowered to
// ADF; wiki markup is parsed by a small line-oriented parser into ADF; and ADF is rendered to
// Markdown or to wiki markup. So Markdown -> wiki is markdown_to_adf + adf_to_wiki and wiki ->
// Markdown is wiki_to_adf + adf_to_markdown, and each output format has exactly one escaper.
//
// Mentions. Markdown has no mention syntax, so this module defines one that survives round trips:
//   @[Display Name](accountid:5b10a2844c20165700ede21g)
// is an ADF mention {"id":"5b10a2844c20165700ede21g","text":"@Display Name"} and the wiki
// mention [~accountid:5b10a2844c20165700ede21g]. A Data Center user-name mention [~jsmith]
// becomes a mention with id "jsmith", written @[jsmith](accountid:jsmith); the scheme user:
// is accepted on input too. (The leading "@" is optional when parsing.) Known gap: the wiki
// writer always emits [~accountid:ID], so Data Center user-name mentions do not survive
// Markdown -> wiki.
//
// Lossy by nature (stable after one pass, see the tests): ADF marks Markdown cannot express
// (underline, colours, sub/superscript, annotations...) keep their text; panels, expands and
// decisions become labelled quotes/paragraphs/list items; nodes ADF forbids in a context (a
// heading inside a list item, a table inside a quote) are flattened so every produced document
// is valid against the ADF JSON schema; images become links (ADF cannot embed external images
// inline); ordered-list start numbers are lost in wiki markup.
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

namespace jira_mcp::content {

// Container nesting (lists, quotes, ADF nodes) beyond this depth is flattened to its text.
inline constexpr int kMaxNesting = 32;

// Markdown -> ADF {"type":"doc","version":1,"content":[...]}, valid against the ADF schema.
// Task-list localIds are deterministic ("task-list-1", "task-1", ...), so equal input gives
// equal output. Invalid UTF-8 is replaced by U+FFFD.
Json markdown_to_adf(std::string_view markdown);

// ADF (a doc node, or any single node) -> Markdown ending in one newline ("" for an empty
// document). Unknown nodes keep their text; text is escaped so that the output parses back to
// the same content.
std::string adf_to_markdown(const Json& adf);

// Markdown -> Jira wiki markup (via markdown_to_adf).
std::string markdown_to_wiki(std::string_view markdown);

// Jira wiki markup -> Markdown (via wiki_to_adf).
std::string wiki_to_markdown(std::string_view wiki);

// The two halves of the wiki conversions, for callers that hold ADF already.
// wiki_to_adf produces schema-valid ADF; invalid UTF-8 is replaced by U+FFFD.
Json wiki_to_adf(std::string_view wiki);
std::string adf_to_wiki(const Json& adf);

// The comparison form of an ADF document: localId attributes dropped (the editor's own
// identifiers; Markdown does not carry them and the writer makes fresh ones), empty attrs and
// marks arrays dropped, neighbouring text nodes with equal marks merged, marks in Atlassian's
// schema order. Two documents Jira would show alike compare equal after this.
Json normalize_adf(const Json& adf);

// What writing adf_to_markdown(adf) back through markdown_to_adf would not reproduce, one line
// per place ("/content/3: panel attributes {...}"), at most 20; empty when the round trip is
// lossless. Tools call it before a read-modify-write to refuse (or warn) with the loss named.
std::vector<std::string> round_trip_losses(const Json& adf);

}  // namespace jira_mcp::content
