#pragma once
// The Markdown writer's one escaper and the pieces it shares: link destinations, code spans and
// the contextual escaping of text. Escaping is contextual rather than blanket so the text stays
// readable for a model: "_" inside a word, "]" not followed by "(" or "[", "#" or "-" away from
// the start of a line, URLs, and ":" not starting a directive are left alone, because the
// parser would not read them as markup there. The round-trip tests pin this.
#include <string>
#include <string_view>

namespace jira_mcp::content::detail {

enum class InlineMode { kParagraph, kHeading, kTableCell };

// A link destination that parses back to exactly `href`; backslashes only where CommonMark
// would otherwise read an escape.
std::string link_destination(std::string_view href);
// The same, appended to `out`.
void append_link_destination(std::string& out, std::string_view href);
// Whether href can be written as a CommonMark autolink <href>.
bool autolinkable(std::string_view href);
// `text` as a code span (a longer fence when it holds backticks; "|" escaped in table cells).
std::string code_span(std::string text, InlineMode mode);
// The same, appended to `out`.
void append_code_span(std::string& out, std::string_view text, InlineMode mode);

struct EscapeContext {
  bool line_start = false;
  bool in_link = false;
  InlineMode mode = InlineMode::kParagraph;
  char next = '\0';  // the first character written after this text, when known
  bool after_raw = false;  // right after a mention, image or other raw construct
};

// Text escaped so that it parses back as the same text in that context.
std::string escape_text(std::string_view text, const EscapeContext& ctx);
// The same, appended to `out` (the renderer's hot path: no string per text run).
void append_escaped(std::string& out, std::string_view text, const EscapeContext& ctx);

}  // namespace jira_mcp::content::detail
