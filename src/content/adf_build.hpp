#pragma once
// Private helpers shared by the Markdown and wiki front ends: building ADF nodes, reading
// untrusted JSON without throwing, and the one pass that makes a loosely built ADF tree valid
// against the ADF schema (each container only holds the children the schema allows).
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::content::detail {

// Where a list of blocks lives; the ADF schema allows a different set of blocks in each.
enum class BlockContext { kDoc, kListItem, kBlockquote, kTableCell, kPanel, kExpand, kNestedExpand };

// Reading untrusted JSON: nullptr / fallback when `j` is not an object or the field is missing
// or of another type.
const Json* object_field(const Json& j, std::string_view key);
const Json* array_field(const Json& j, std::string_view key);
std::string string_field(const Json& j, std::string_view key);
// The node's "type" string, or "" for anything that is not an object with a string type.
std::string node_type(const Json& j);
// attrs[key] as a string ("" when absent); numbers are printed.
std::string attr_string(const Json& node, std::string_view key);
// A number attribute as attr_string writes it: truncated to an integer, or, past the range of one
// (1e+20), as JSON writes the number (converting it would be undefined behaviour).
std::string number_attr_text(double value);

Json text_node(std::string text, Json marks = Json::array());
Json paragraph(Json inlines = Json::array());
Json hard_break();
// Appends an inline node, dropping empty text and merging it into a preceding text node with
// identical marks.
void append_inline(Json& inlines, Json node);
void append_text(Json& inlines, std::string text, const Json& marks = Json::array());

// Rewrites `blocks` so that every node is allowed where it stands (see BlockContext), text
// nodes are non-empty, lists and quotes are non-empty, list items start with a paragraph and
// code carries no other marks. Unknown block types are dropped. Returns the new array.
Json sanitize_blocks(const Json& blocks, BlockContext ctx, int depth = 0);
// Marks in the order Atlassian's editor schema ranks them (link, em, strong, textColor, strike,
// subsup, underline, code, ...), which is the order Jira stores them in; unknown marks last.
Json sorted_marks(const Json& marks);

// Makes the attributes of the nodes and marks the directive syntax builds fit the ADF schema
// (schema_rules.cpp): unknown ones (the wiki flavour's code title, image and panel parameters,
// or anything hand-written) dropped, mistyped ones converted or dropped, required ones defaulted;
// a node that still lacks one becomes its text. Valid documents pass unchanged.
void strip_wiki_extras(Json& node, int depth = 0);

// Wraps sanitized blocks into {"type":"doc","version":1,"content":...}.
Json make_doc(Json blocks);

// The plain text of any ADF node or array (text, mention text, ...), blocks separated by
// spaces. Bounded by kMaxNesting.
std::string plain_text(const Json& node);

// Shared by both renderers: the ISO date (YYYY-MM-DD, UTC) of a date node's attrs.timestamp
// (milliseconds, string or number; the raw value when it is not a number), the label of a panel
// ("Info", "Warning", ...), and the placeholder text of a media node ("attachment: name").
std::string date_text(const Json& node);
// The inverse of date_text: "YYYY-MM-DD" -> milliseconds at 00:00 UTC as a string, "" when not a date.
std::string date_timestamp(std::string_view date);
std::string panel_label(const Json& node);
std::string media_label(const Json& node);

// Jira's wiki emoticons ("(x)", ":)", "(flag)", ...) and the ADF emoji Jira Cloud stores for
// them. wiki_emoticon_at: the emoji node for the emoticon at text[i] (an empty Json when there
// is none; `length` its length in characters); it stands only before the end, a space or
// punctuation, as Jira reads it. wiki_emoticon_for: the emoticon to write for an emoji node
// (by id or short name), "" when wiki has none.
Json wiki_emoticon_at(std::string_view text, size_t i, size_t& length);
std::string wiki_emoticon_for(const Json& emoji);

// The background colour Jira Cloud draws a typed panel in ("info" -> "#deebff"; "tip" as
// "success"), "" for other types; and the inverse, for a colour spelt exactly so (lower case,
// as the wiki writer spells it; "#DEEBFF" stays a custom colour, so it is written back as it was).
std::string panel_type_colour(std::string_view panel_type);
std::string panel_type_of_colour(std::string_view colour);

// markdown_to_adf keeping the wiki-only attributes (see strip_wiki_extras); the wiki writer
// uses it so Data Center parameters survive Markdown.
Json markdown_to_adf_loose(std::string_view markdown);
Json wiki_to_adf_loose(std::string_view wiki);

// Replaces invalid UTF-8 sequences with U+FFFD.
std::string sanitize_utf8(std::string_view in);

}  // namespace jira_mcp::content::detail
