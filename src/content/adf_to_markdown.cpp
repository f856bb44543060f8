// ADF -> Markdown.
//
// Blocks render to strings without a trailing newline and are joined by blank lines; containers
// (list items, quotes) prefix every line of their rendered children. Inline content is first
// flattened into a list of items (text with its marks, code, raw Markdown, line breaks) and then
// written with a stack of open marks, the way prosemirror-markdown does: a mark shared by
// neighbouring items stays open across them, marks that run longest open first, and whitespace
// is moved outside emphasis delimiters (CommonMark does not let "** " close).
//
// Escaping is contextual rather than blanket so the text stays readable for a model: "_" inside
// a word, "]" not followed by "(" or "[", and "#" or "-" away from the start of a line are left
// alone, because CommonMark would not read them as markup there. The round-trip tests pin this.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "content/adf_build.hpp"
#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content {
namespace {

using detail::array_field;
using detail::attr_string;
using detail::node_type;
using detail::string_field;

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || (static_cast<unsigned char>(c) >= 0x80); }
bool is_space(char c) { return c == ' ' || c == '\t'; }

struct Mark {
  std::string type;  // strong, em, strike, link
  std::string href;
  std::string title;
  std::string delim;  // the delimiter it was opened with
  bool operator==(const Mark& other) const { return type == other.type && href == other.href; }
};

struct Item {
  enum class Kind { kText, kCode, kRaw, kBreak };
  Kind kind = Kind::kText;
  std::string text;
  std::vector<Mark> marks;
};

enum class InlineMode { kParagraph, kHeading, kTableCell };

int mark_rank(const std::string& type) {
  if (type == "link") return 0;
  if (type == "strong") return 1;
  if (type == "em") return 2;
  return 3;
}

std::string delimiter(const Mark& m) {
  if (m.type == "strong") return "**";
  if (m.type == "em") return "*";
  if (m.type == "strike") return "~~";
  return "";
}

std::string link_destination(std::string_view href) {
  std::string out;
  for (char c : href) {
    auto u = static_cast<unsigned char>(c);
    if (c == ' ') {
      out += "%20";
    } else if (c == '(' || c == ')' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '<') {
      out += "%3C";
    } else if (c == '>') {
      out += "%3E";
    } else if (u < 0x20 || u == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// Whether href can be written as a CommonMark autolink <href>.
bool autolinkable(std::string_view href) {
  size_t colon = href.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon > 32) return false;
  if (std::isalpha(static_cast<unsigned char>(href[0])) == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = href[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '.' && c != '-') return false;
  }
  return std::none_of(href.begin(), href.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '\\';
  });
}

std::string code_span(std::string text, InlineMode mode) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (mode == InlineMode::kTableCell) {
    std::string escaped;
    for (char c : text) {
      if (c == '|') escaped += '\\';
      escaped += c;
    }
    text = std::move(escaped);
  }
  size_t longest = 0;
  size_t run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string fence(longest + 1, '`');
  const bool all_spaces = text.find_first_not_of(' ') == std::string::npos;
  const bool pad = text.front() == '`' || text.back() == '`' ||
                   (!all_spaces && text.front() == ' ' && text.back() == ' ');
  return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

struct EscapeContext {
  bool line_start = false;
  bool in_link = false;
  InlineMode mode = InlineMode::kParagraph;
  char next = '\0';  // the first character written after this text, when known
};

std::string escape_text(std::string_view text, const EscapeContext& ctx) {
  std::string out;
  out.reserve(text.size() + 8);
  const size_t n = text.size();
  auto at = [&](size_t i) -> char { return i < n ? text[i] : ctx.next; };
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    const bool line_start = ctx.line_start && i == 0;
    const char next = at(i + 1);
    bool escape = false;
    switch (c) {
      case '\\': case '`': case '*': case '~':
        escape = true;
        break;
      case '_':
        escape = !(i > 0 && is_alnum(text[i - 1]) && i + 1 < n && is_alnum(text[i + 1]));
        break;
      case '[':
        escape = ctx.in_link ||
                 (line_start && (text.substr(0, 3) == "[ ]" || text.substr(0, 3) == "[x]" ||
                                 text.substr(0, 3) == "[X]" || text.find("]:") != std::string_view::npos));
        break;
      case ']':
        escape = ctx.in_link || next == '(' || next == '[';
        break;
      case '<':
        escape = next == '\0' || std::isalpha(static_cast<unsigned char>(next)) != 0 || next == '/' ||
                 next == '!' || next == '?';
        break;
      case '&':
        escape = std::isalnum(static_cast<unsigned char>(next)) != 0 || next == '#';
        break;
      case '|':
        escape = ctx.mode == InlineMode::kTableCell;
        break;
      case '#':
        escape = line_start || ctx.mode == InlineMode::kHeading;
        break;
      case '>': case '=':
        escape = line_start;
        break;
      case '-': case '+':
        escape = line_start && (next == '\0' || is_space(next) || next == c);
        break;
      default:
        break;
    }
    if (line_start && std::isdigit(static_cast<unsigned char>(c)) != 0) {
      // "1. " or "1) " at the start of a line would open an ordered list.
      size_t j = i;
      while (j < n && j - i < 10 && std::isdigit(static_cast<unsigned char>(text[j])) != 0) ++j;
      if (j < n && (text[j] == '.' || text[j] == ')') && (is_space(at(j + 1)) || at(j + 1) == '\0')) {
        out.append(text.substr(i, j - i));
        out += '\\';
        out += text[j];
        i = j;
        continue;
      }
    }
    if (escape) out += '\\';
    out += c;
  }
  return out;
}

class MarkdownWriter {
 public:
  std::string document(const Json& adf) {
    if (adf.is_array()) return blocks(adf, 0);
    if (node_type(adf) == "doc") {
      const Json* content = array_field(adf, "content");
      return content != nullptr ? blocks(*content, 0) : std::string();
    }
    return blocks(Json::array({adf}), 0);
  }

 private:
  // ---- blocks -----------------------------------------------------------------------------

  static bool is_inline(const std::string& type) {
    static const char* const kInline[] = {"text",        "hardBreak",   "mention",    "emoji",
                                          "date",        "status",      "inlineCard", "mediaInline",
                                          "placeholder", "inlineExtension"};
    return std::any_of(std::begin(kInline), std::end(kInline), [&](const char* t) { return type == t; });
  }

  static std::string list_kind(const std::string& type) {
    if (type == "bulletList" || type == "taskList" || type == "decisionList" || type == "listItem") return "bullet";
    if (type == "orderedList") return "ordered";
    return "";
  }

  std::string blocks(const Json& content, int depth, bool tight = false) {
    std::vector<std::string> parts;
    std::vector<std::string> kinds;  // list kind of each part, "" for a paragraph or other block
    Json run = Json::array();
    std::string prev_kind;
    bool prev_alt = false;
    auto flush = [&] {
      if (run.empty()) return;
      std::string text = inlines(run, InlineMode::kParagraph, depth);
      run = Json::array();
      if (!text.empty()) {
        parts.push_back(std::move(text));
        kinds.emplace_back();
        prev_kind.clear();
      }
    };
    if (!content.is_array()) return {};
    for (const Json& node : content) {
      const std::string type = node_type(node);
      if (is_inline(type) || (!type.empty() && known_block(type) == false && array_field(node, "content") == nullptr)) {
        run.push_back(node);
        continue;
      }
      flush();
      const std::string kind = list_kind(type);
      // Two adjacent lists of one kind would merge; a different bullet or delimiter keeps
      // them apart.
      const bool alt = !kind.empty() && kind == prev_kind && !prev_alt;
      std::string text = block(node, depth, alt);
      if (text.empty()) continue;
      parts.push_back(std::move(text));
      kinds.push_back(node_type(node) == "paragraph" ? "" : (kind.empty() ? "block" : kind));
      prev_kind = kind;
      prev_alt = alt;
    }
    flush();
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      // Inside a list item a nested list follows its paragraph directly, keeping the list tight.
      // (Only a bullet list or a list starting at 1 may interrupt a paragraph.)
      const bool list_follows = kinds[i] == "bullet" || (kinds[i] == "ordered" && parts[i].rfind("1", 0) == 0 &&
                                                        parts[i].size() > 1 && (parts[i][1] == '.' || parts[i][1] == ')'));
      if (i > 0) out += tight && list_follows && kinds[i - 1].empty() ? "\n" : "\n\n";
      out += parts[i];
    }
    return out;
  }

  static bool known_block(const std::string& type) {
    static const char* const kBlocks[] = {
        "doc",          "paragraph",   "heading",        "bulletList",      "orderedList",
        "listItem",     "taskList",    "taskItem",       "decisionList",    "decisionItem",
        "codeBlock",    "blockquote",  "rule",           "panel",           "table",
        "tableRow",     "tableCell",   "tableHeader",    "mediaSingle",     "mediaGroup",
        "media",        "expand",      "nestedExpand",   "layoutSection",   "layoutColumn",
        "extension",    "bodiedExtension", "multiBodiedExtension", "extensionFrame", "caption",
        "blockCard",    "embedCard",   "syncBlock",      "bodiedSyncBlock", "blockTaskItem"};
    return std::any_of(std::begin(kBlocks), std::end(kBlocks), [&](const char* t) { return type == t; });
  }

  static const Json& children(const Json& node) {
    static const Json kEmpty = Json::array();
    const Json* content = array_field(node, "content");
    return content != nullptr ? *content : kEmpty;
  }

  static std::string prefix_lines(const std::string& body, const std::string& first, const std::string& rest) {
    std::string out;
    size_t start = 0;
    bool is_first = true;
    while (start <= body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      std::string_view line(body.data() + start, end - start);
      if (!is_first) out += '\n';
      const std::string& prefix = is_first ? first : rest;
      if (line.empty()) {
        std::string trimmed = prefix;
        while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
        out += trimmed;
      } else {
        out += prefix;
        out += line;
      }
      is_first = false;
      start = end + 1;
    }
    return out;
  }

  static std::string quote(const std::string& body) { return prefix_lines(body, "> ", "> "); }

  std::string block(const Json& node, int depth, bool alt) {
    const std::string type = node_type(node);
    if (depth > kMaxNesting) return escape_text(detail::plain_text(node), EscapeContext{true, false, InlineMode::kParagraph, '\0'});
    const int inner = depth + 1;
    if (type == "paragraph" || type == "caption") return inlines(children(node), InlineMode::kParagraph, depth);
    if (type == "heading") {
      int level = 1;
      if (const Json* attrs = detail::object_field(node, "attrs")) {
        auto it = attrs->find("level");
        if (it != attrs->end() && it->is_number()) level = std::clamp(it->get<int>(), 1, 6);
      }
      std::string text = inlines(children(node), InlineMode::kHeading, depth);
      return std::string(static_cast<size_t>(level), '#') + (text.empty() ? "" : " " + text);
    }
    if (type == "bulletList" || type == "listItem") {
      std::vector<const Json*> items;
      if (type == "listItem") {
        items.push_back(&node);
      } else {
        for (const Json& item : children(node)) items.push_back(&item);
      }
      std::string out;
      for (const Json* item_ptr : items) {
        const Json& item = *item_ptr;
        if (!out.empty()) out += '\n';
        out += list_item(blocks(children(item), inner, true), alt ? "+ " : "- ");
      }
      return out;
    }
    if (type == "orderedList") {
      long long number = 1;
      if (const Json* attrs = detail::object_field(node, "attrs")) {
        auto it = attrs->find("order");
        if (it != attrs->end() && it->is_number()) number = static_cast<long long>(std::clamp(it->get<double>(), 0.0, 99999999.0));
      }
      std::string out;
      for (const Json& item : children(node)) {
        if (!out.empty()) out += '\n';
        out += list_item(blocks(children(item), inner, true), std::to_string(number++) + (alt ? ") " : ". "));
      }
      return out;
    }
    if (type == "taskList" || type == "decisionList") return task_list(node, depth, alt);
    if (type == "taskItem" || type == "decisionItem" || type == "blockTaskItem") {
      return task_list(Json{{"type", "taskList"}, {"content", Json::array({node})}}, depth, alt);
    }
    if (type == "codeBlock") return code_block(node);
    if (type == "blockquote") return quote(blocks(children(node), inner));
    if (type == "rule") return "---";
    if (type == "panel") {
      std::string body = blocks(children(node), inner);
      return quote("**" + detail::panel_label(node) + "**" + (body.empty() ? "" : "\n\n" + body));
    }
    if (type == "expand" || type == "nestedExpand") {
      std::string title = attr_string(node, "title");
      std::string body = blocks(children(node), inner);
      if (title.empty()) return body;
      std::string label = "**" + escape_text(title, EscapeContext{false, false, InlineMode::kParagraph, '*'}) + "**";
      return body.empty() ? label : label + "\n\n" + body;
    }
    if (type == "table") return table(node, depth);
    if (type == "tableRow" || type == "tableCell" || type == "tableHeader") {
      return table(Json{{"type", "table"}, {"content", Json::array({type == "tableRow" ? node : Json{{"type", "tableRow"}, {"content", Json::array({node})}}})}}, depth);
    }
    if (type == "mediaSingle" || type == "mediaGroup" || type == "media") {
      Json run = Json::array();
      std::string captions;
      std::vector<const Json*> items;
      if (type == "media") {
        items.push_back(&node);
      } else {
        for (const Json& child : children(node)) items.push_back(&child);
      }
      for (const Json* child_ptr : items) {
        const Json& child = *child_ptr;
        if (node_type(child) == "media") {
          if (!run.empty()) run.push_back(Json{{"type", "text"}, {"text", " "}});
          run.push_back(media_inline(child));
        } else if (node_type(child) == "caption") {
          std::string caption = inlines(children(child), InlineMode::kParagraph, depth);
          if (!caption.empty()) captions += "\n\n" + caption;
        }
      }
      return inlines(run, InlineMode::kParagraph, depth) + captions;
    }
    if (type == "blockCard" || type == "embedCard") {
      std::string url = attr_string(node, "url");
      if (url.empty()) return {};
      return inlines(Json::array({link_text(url, url)}), InlineMode::kParagraph, depth);
    }
    if (type == "extension") {
      std::string text = attr_string(node, "text");
      return text.empty() ? std::string() : inlines(Json::array({Json{{"type", "text"}, {"text", text}}}), InlineMode::kParagraph, depth);
    }
    // doc, layouts, bodied extensions, sync blocks and unknown containers: their content.
    if (array_field(node, "content") != nullptr) return blocks(children(node), inner);
    std::string text = string_field(node, "text");
    if (text.empty()) text = attr_string(node, "text");
    if (text.empty()) return {};
    return inlines(Json::array({Json{{"type", "text"}, {"text", text}}}), InlineMode::kParagraph, depth);
  }

  static std::string list_item(const std::string& body, const std::string& marker) {
    return prefix_lines(body, marker, std::string(marker.size(), ' '));
  }

  std::string task_list(const Json& node, int depth, bool alt) {
    std::string out;
    const std::string bullet = alt ? "+ " : "- ";
    for (const Json& child : children(node)) {
      const std::string type = node_type(child);
      if (type == "taskList" || type == "decisionList") {
        // A nested list belongs to the item before it.
        std::string nested = prefix_lines(task_list(child, depth + 1, false), "  ", "  ");
        out += out.empty() ? bullet + "[ ]\n" + nested : "\n" + nested;
        continue;
      }
      std::string body;
      if (type == "taskItem") {
        body = attr_string(child, "state") == "DONE" ? "[x] " : "[ ] ";
      } else if (type == "decisionItem") {
        body = "Decision: ";
      }
      if (type == "blockTaskItem") {
        body = attr_string(child, "state") == "DONE" ? "[x] " : "[ ] ";
        body += detail::plain_text(children(child));
        body = body.substr(0, 4) + escape_text(body.substr(4), EscapeContext{});
      } else {
        std::string text = inlines(children(child), InlineMode::kParagraph, depth + 1);
        body += text;
      }
      // An empty task item keeps "[ ] " whole: "- [ ]" alone is not a task item.
      if (body.size() > 4) {
        while (!body.empty() && body.back() == ' ') body.pop_back();
      }
      if (!out.empty()) out += '\n';
      out += prefix_lines(body, bullet, "  ");
    }
    return out;
  }

  static std::string code_block(const Json& node) {
    std::string text;
    for (const Json& child : children(node)) text += string_field(child, "text");
    std::string language = attr_string(node, "language");
    language = language.substr(0, language.find_first_of(" \t\r\n`~"));
    size_t longest = 0;
    size_t run = 0;
    for (char c : text) {
      run = c == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    return fence + language + "\n" + text + (text.empty() ? "" : "\n") + fence;
  }

  std::string table(const Json& node, int depth) {
    std::vector<std::vector<std::string>> rows;
    size_t columns = 0;
    for (const Json& row : children(node)) {
      std::vector<std::string> cells;
      for (const Json& cell : children(row)) {
        std::string text;
        for (const Json& block : children(cell)) {
          const std::string type = node_type(block);
          std::string part = type == "paragraph" || type == "heading"
                                 ? inlines(children(block), InlineMode::kTableCell, depth)
                                 : escape_text(detail::plain_text(block), EscapeContext{false, false, InlineMode::kTableCell, '\0'});
          if (part.empty()) continue;
          if (!text.empty()) text += ' ';
          text += part;
        }
        cells.push_back(std::move(text));
      }
      columns = std::max(columns, cells.size());
      rows.push_back(std::move(cells));
    }
    if (columns == 0) return {};
    auto line = [&](const std::vector<std::string>& cells) {
      std::string out = "|";
      for (size_t i = 0; i < columns; ++i) {
        out += ' ';
        out += i < cells.size() ? cells[i] : std::string();
        out += " |";
      }
      return out;
    };
    std::string out = line(rows[0]) + "\n|";
    for (size_t i = 0; i < columns; ++i) out += " --- |";
    for (size_t r = 1; r < rows.size(); ++r) out += "\n" + line(rows[r]);
    return out;
  }

  // ---- inline ------------------------------------------------------------------------------

  static Json link_text(const std::string& text, const std::string& href) {
    return Json{{"type", "text"}, {"text", text}, {"marks", Json::array({Json{{"type", "link"}, {"attrs", {{"href", href}}}}})}};
  }

  static Json media_inline(const Json& media) {
    std::string url = attr_string(media, "url");
    if (attr_string(media, "type") == "external" && !url.empty()) {
      std::string alt = attr_string(media, "alt");
      return link_text(alt.empty() ? url : alt, url);
    }
    return Json{{"type", "text"}, {"text", "[" + detail::media_label(media) + "]"}};
  }

  static std::vector<Mark> marks_of(const Json& node, bool& code) {
    std::vector<Mark> out;
    code = false;
    const Json* marks = array_field(node, "marks");
    if (marks == nullptr) return out;
    for (const Json& m : *marks) {
      std::string type = node_type(m);
      if (type == "code") {
        code = true;
      } else if (type == "strong" || type == "em" || type == "strike") {
        out.push_back(Mark{type, {}, {}, {}});
      } else if (type == "link") {
        const Json* attrs = detail::object_field(m, "attrs");
        if (attrs == nullptr) continue;
        out.push_back(Mark{"link", string_field(*attrs, "href"), string_field(*attrs, "title"), {}});
      }
    }
    // Duplicates (two links, strong twice) would unbalance the stack.
    std::vector<Mark> unique;
    for (Mark& m : out) {
      if (std::none_of(unique.begin(), unique.end(), [&](const Mark& u) { return u.type == m.type; })) unique.push_back(std::move(m));
    }
    return unique;
  }

  void collect(std::vector<Item>& items, const Json& nodes, int depth) {
    if (!nodes.is_array()) return;
    for (const Json& node : nodes) {
      const std::string type = node_type(node);
      if (type == "text") {
        bool code = false;
        std::vector<Mark> marks = marks_of(node, code);
        std::string text = string_field(node, "text");
        if (text.empty()) continue;
        if (code) {
          std::erase_if(marks, [](const Mark& m) { return m.type != "link"; });
          items.push_back(Item{Item::Kind::kCode, std::move(text), std::move(marks)});
          continue;
        }
        // Newlines inside text are line breaks.
        size_t start = 0;
        while (start <= text.size()) {
          size_t end = text.find('\n', start);
          if (end == std::string::npos) end = text.size();
          if (start > 0) items.push_back(Item{Item::Kind::kBreak, {}, {}});
          std::string piece = text.substr(start, end - start);
          std::erase(piece, '\r');
          if (!piece.empty()) {
            std::vector<Mark> piece_marks = marks;
            if (piece.find_first_not_of(" \t") == std::string::npos) {
              std::erase_if(piece_marks, [](const Mark& m) { return m.type != "link"; });
            }
            items.push_back(Item{Item::Kind::kText, std::move(piece), std::move(piece_marks)});
          }
          start = end + 1;
        }
      } else if (type == "hardBreak") {
        items.push_back(Item{Item::Kind::kBreak, {}, {}});
      } else if (type == "mention") {
        std::string id = attr_string(node, "id");
        std::string name = attr_string(node, "text");
        if (!name.empty() && name[0] == '@') name.erase(0, 1);
        if (id.empty()) {
          if (!name.empty()) items.push_back(Item{Item::Kind::kText, "@" + name, {}});
          continue;
        }
        if (name.empty()) name = id;
        std::replace(name.begin(), name.end(), '\n', ' ');
        items.push_back(Item{Item::Kind::kRaw,
                             "@[" + escape_text(name, EscapeContext{false, true, InlineMode::kParagraph, ']'}) +
                                 "](accountid:" + link_destination(id) + ")",
                             {}});
      } else if (type == "emoji") {
        std::string text = attr_string(node, "text");
        if (text.empty()) text = attr_string(node, "shortName");
        if (!text.empty()) items.push_back(Item{Item::Kind::kText, text, {}});
      } else if (type == "date") {
        std::string text = detail::date_text(node);
        if (!text.empty()) items.push_back(Item{Item::Kind::kText, text, {}});
      } else if (type == "status" || type == "placeholder" || type == "inlineExtension") {
        std::string text = attr_string(node, "text");
        if (!text.empty()) items.push_back(Item{Item::Kind::kText, text, {}});
      } else if (type == "inlineCard") {
        std::string url = attr_string(node, "url");
        if (!url.empty()) collect(items, Json::array({link_text(url, url)}), depth);
      } else if (type == "mediaInline" || type == "media") {
        collect(items, Json::array({media_inline(node)}), depth);
      } else if (depth < kMaxNesting && array_field(node, "content") != nullptr) {
        collect(items, *array_field(node, "content"), depth + 1);
      } else {
        std::string text = string_field(node, "text");
        if (text.empty()) text = attr_string(node, "text");
        if (text.empty() && array_field(node, "content") != nullptr) text = detail::plain_text(node);
        if (!text.empty()) items.push_back(Item{Item::Kind::kText, text, {}});
      }
    }
  }

  // Whether mark m stays on items[from..]: the number of consecutive items carrying it.
  static size_t run_length(const std::vector<Item>& items, size_t from, const Mark& m) {
    size_t n = 0;
    for (size_t i = from; i < items.size(); ++i) {
      if (std::find(items[i].marks.begin(), items[i].marks.end(), m) == items[i].marks.end()) break;
      ++n;
    }
    return n;
  }

  std::string inlines(const Json& nodes, InlineMode mode, int depth) {
    std::vector<Item> items;
    collect(items, nodes, depth);
    // Line breaks at either end of a paragraph mean nothing in Markdown and would not parse back.
    while (!items.empty() && items.front().kind == Item::Kind::kBreak) items.erase(items.begin());
    while (!items.empty() && items.back().kind == Item::Kind::kBreak) items.pop_back();
    // A link whose text is its URL is written <url>.
    for (size_t i = 0; i < items.size(); ++i) {
      Item& item = items[i];
      if (item.kind == Item::Kind::kText && item.marks.size() == 1 && item.marks[0].type == "link" &&
          item.marks[0].href == item.text && item.marks[0].title.empty() && autolinkable(item.text) &&
          run_length(items, i, item.marks[0]) == 1 && (i == 0 || run_length(items, i - 1, item.marks[0]) == 0)) {
        item.kind = Item::Kind::kRaw;
        item.text = "<" + item.text + ">";
        item.marks.clear();
      }
    }

    std::string out;
    size_t line_start = 0;
    std::vector<Mark> active;
    auto close_to = [&](size_t keep) {
      while (active.size() > keep) {
        const Mark m = active.back();
        active.pop_back();
        if (m.type == "link") {
          out += "](" + link_destination(m.href);
          if (!m.title.empty()) {
            out += " \"";
            for (char c : m.title) {
              if (c == '"' || c == '\\') out += '\\';
              out += c == '\n' ? ' ' : c;
            }
            out += '"';
          }
          out += ')';
          continue;
        }
        size_t spaces = 0;
        while (spaces < out.size() && is_space(out[out.size() - 1 - spaces])) ++spaces;
        std::string trailing = out.substr(out.size() - spaces);
        out.erase(out.size() - spaces);
        out += m.delim + trailing;
      }
    };

    for (size_t i = 0; i < items.size(); ++i) {
      Item& item = items[i];
      if (item.kind == Item::Kind::kBreak) {
        close_to(0);
        while (!out.empty() && is_space(out.back())) out.pop_back();
        out += mode == InlineMode::kParagraph ? "\\\n" : " ";
        if (mode == InlineMode::kParagraph) line_start = out.size();
        continue;
      }
      size_t keep = 0;
      while (keep < active.size() &&
             std::find(item.marks.begin(), item.marks.end(), active[keep]) != item.marks.end()) {
        ++keep;
      }
      close_to(keep);
      std::vector<Mark> opening;
      for (const Mark& m : item.marks) {
        if (std::find(active.begin(), active.end(), m) == active.end()) opening.push_back(m);
      }
      std::stable_sort(opening.begin(), opening.end(), [&](const Mark& a, const Mark& b) {
        size_t ra = run_length(items, i, a);
        size_t rb = run_length(items, i, b);
        if (ra != rb) return ra > rb;
        return mark_rank(a.type) < mark_rank(b.type);
      });
      if (std::any_of(active.begin(), active.end(), [](const Mark& m) { return m.type == "link"; })) {
        std::erase_if(opening, [](const Mark& m) { return m.type == "link"; });
      }

      std::string text = item.text;
      const bool at_line_start = out.size() == line_start && mode == InlineMode::kParagraph;
      if (item.kind == Item::Kind::kText) {
        if (at_line_start || (i == 0)) {
          size_t lead = 0;
          while (lead < text.size() && is_space(text[lead])) ++lead;
          text.erase(0, lead);
        } else if (std::any_of(opening.begin(), opening.end(), [](const Mark& m) { return m.type != "link"; })) {
          size_t lead = 0;
          while (lead < text.size() && is_space(text[lead])) ++lead;
          out += text.substr(0, lead);
          text.erase(0, lead);
        }
        if (text.empty()) continue;
      }
      for (Mark& m : opening) {
        m.delim = m.type == "link" ? "[" : delimiter(m);
        // "**a*b***" then "*c*" would fuse into one delimiter run; "_c_" stays apart.
        if (!out.empty() && out.back() == '*' && m.delim[0] == '*') m.delim.assign(m.delim.size(), '_');
        out += m.delim;
        active.push_back(m);
      }
      const bool in_link = std::any_of(active.begin(), active.end(), [](const Mark& m) { return m.type == "link"; });
      switch (item.kind) {
        case Item::Kind::kText: {
          char next = '\0';
          if (i + 1 < items.size() && items[i + 1].kind == Item::Kind::kText && !items[i + 1].text.empty()) {
            next = items[i + 1].text[0];
          }
          out += escape_text(text, EscapeContext{out.size() == line_start && mode == InlineMode::kParagraph, in_link, mode, next});
          break;
        }
        case Item::Kind::kCode:
          out += code_span(text, mode);
          break;
        case Item::Kind::kRaw:
          out += text;
          break;
        case Item::Kind::kBreak:
          break;
      }
    }
    close_to(0);
    while (!out.empty() && is_space(out.back())) out.pop_back();
    return out;
  }
};

}  // namespace

std::string adf_to_markdown(const Json& adf) {
  try {
    MarkdownWriter writer;
    std::string out = writer.document(adf);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    if (!out.empty()) out += '\n';
    return out;
  } catch (const std::exception& e) {
    // Only a broken invariant (or allocation failure) gets here; the input is never at fault.
    spdlog::error("adf_to_markdown: {}", e.what());
    return {};
  }
}

}  // namespace jira_mcp::content
