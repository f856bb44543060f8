#pragma once
// The Markdown extension syntax (generic directives, as in remark-directive) that carries what
// CommonMark cannot say: inline `:name[label]{k=v}`, leaf block `::name{k=v}`, container block
// `:::name{k=v}` ... `:::` (more colons outside for nesting), and an attribute block `{k=v}`
// right after a link or image.
//
// cmark-gfm knows nothing of directives, so markdown_to_adf tokenizes them before parsing:
// each directive's syntax is replaced by an opaque token (two Unicode noncharacters around an
// index) that cmark passes through as plain text, and the lowering recognises the tokens in the
// AST. Where a token lands anywhere it means nothing (a code span, a URL, an unknown name), it is
// restored to the exact source text, so nothing a user typed is ever changed.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::content::detail {

// Attribute values are typed: bare true/false/null/numbers and JSON arrays/objects keep their
// JSON type; quoted values (JSON string syntax) and other bare words are strings.
std::string write_attrs(const Json& attrs);  // "{k=v ...}", "" for an empty object
std::optional<Json> parse_attrs(std::string_view text);

struct Directive {
  enum class Kind { kBlock, kInlineOpen, kInlineClose, kAttrs };
  Kind kind = Kind::kBlock;
  int colons = 0;     // kBlock: 2 for a leaf, 3+ for a container fence; kInlineClose: the
                      // index of its kInlineOpen token
  std::string name;   // empty for a closing fence
  std::string label;  // kBlock: the raw label text (inline labels are parsed as Markdown)
  Json attrs = Json::object();
  std::string raw;    // the source text the token replaced
};

class DirectiveTable {
 public:
  // Replaces directives in `markdown` by tokens (outside fenced code); noncharacters the input
  // already holds become U+FFFD so they cannot forge tokens.
  std::string tokenize(std::string_view markdown);
  // The directive a text is exactly one token of, else nullptr.
  const Directive* whole_token(std::string_view text) const;
  // Splits text into pieces: plain text (index -1) and tokens (their index).
  std::vector<std::pair<int, std::string>> split(std::string_view text) const;
  const Directive& at(int index) const { return items_[static_cast<size_t>(index)]; }
  bool empty() const { return items_.empty(); }
  // Every token in `text` back to its source text.
  std::string restore(std::string_view text) const;

 private:
  std::string token(Directive d);
  std::string inline_pass(std::string_view text, int depth);
  std::vector<Directive> items_;
};

// Whether `name` is a directive name ([A-Za-z][A-Za-z0-9_-]*).
bool directive_name(std::string_view name);

}  // namespace jira_mcp::content::detail
