// ADF -> Jira wiki markup. Same shape as the Markdown writer: blocks joined by blank lines,
// inline content written with a stack of open marks. Wiki lists cannot hold several blocks per
// item, so an item's extra paragraphs join its line with "\\" and other blocks (code) follow the
// list, except block macros, which follow the item's line and stay in the item. Text is
// escaped with backslashes only where the wiki parser would otherwise read markup (emoticons
// included). A literal backslash is written as itself; only where it stands before a character
// Jira's renderer would let it escape (or another backslash: "\\\\" is a line break) is it
// written &#92;. URLs and "--"/"---" dashes are written as they are.
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

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80; }
bool is_blank(char c) { return c == '\0' || c == ' ' || c == '\t'; }

bool wiki_escapable(char c) { return std::string_view("![]^~+?%{}()*_-|@#.").find(c) != std::string_view::npos; }

// Length of a URL starting at text[i] (written without escapes), 0 when none does.
size_t url_at(std::string_view text, size_t i) {
  if (i > 0 && is_alnum(text[i - 1])) return 0;
  std::string_view rest = text.substr(i);
  bool url = false;
  for (std::string_view scheme : {"http://", "https://", "ftp://", "mailto:", "file://"}) {
    if (rest.size() > scheme.size() && rest.substr(0, scheme.size()) == scheme) url = true;
  }
  if (!url) return 0;
  size_t n = 0;
  while (n < rest.size() && static_cast<unsigned char>(rest[n]) > 0x20 && std::string_view("<>`\\[]|{}").find(rest[n]) == std::string_view::npos) ++n;
  return n;
}

// The emoticon Jira would draw at text[i], as the number of characters to skip after
// escaping its first (for "(x)") or second (for ":)") character; 0 when there is none.
size_t emoticon_at(std::string_view text, size_t i) {
  static constexpr std::string_view kParen[] = {"(x)", "(y)", "(n)", "(i)", "(/)", "(!)", "(?)", "(+)", "(-)", "(on)",
                                                "(off)", "(*)", "(*r)", "(*g)", "(*b)", "(*y)", "(flag)", "(flagoff)"};
  std::string_view rest = text.substr(i);
  for (std::string_view e : kParen) {
    if (rest.substr(0, e.size()) == e) return e.size();
  }
  if (rest.size() >= 2 && (rest[0] == ':' || rest[0] == ';') && (rest[1] == ')' || rest[1] == '(')) return 2;
  if (rest.size() >= 3 && (rest[0] == ':' || rest[0] == ';') && rest[1] == '-' &&
      std::string_view(")(PpD").find(rest[2]) != std::string_view::npos) {
    return 3;  // ":-)" is written ":\-)"
  }
  return 0;
}

std::string escape_wiki(std::string_view text, bool line_start, bool in_link) {
  std::string out;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    const char prev = i > 0 ? text[i - 1] : '\0';
    const char next = i + 1 < n ? text[i + 1] : '\0';
    const bool at_start = line_start && i == 0;
    if (c == '\\') {
      out += next == '\0' || next == '\\' || wiki_escapable(next) ? "&#92;" : "\\";
      continue;
    }
    if (size_t url = url_at(text, i); url > 0 && !at_start) {
      out.append(text.substr(i, url));
      i += url - 1;
      continue;
    }
    if (c == '-' && !at_start) {
      size_t run = 0;
      while (i + run < n && text[i + run] == '-') ++run;
      if ((run == 2 || run == 3) && (i == 0 || text[i - 1] != '-')) {
        out.append(run, '-');
        i += run - 1;
        continue;
      }
    }
    if (size_t emoticon = emoticon_at(text, i); emoticon > 0) {
      if (c == '(') {
        out += "\\";
        out.append(text.substr(i, emoticon));
      } else {
        out += c;
        out += '\\';
        out.append(text.substr(i + 1, emoticon - 1));
      }
      i += emoticon - 1;
      continue;
    }
    bool escape = false;
    switch (c) {
      case '{': case '}': case '[': case ']': case '|':
        escape = true;
        break;
      case '!':
        escape = !is_blank(next);
        break;
      case '?':
        escape = next == '?';
        break;
      case '#':
        escape = at_start;
        break;
      case '*': case '_': case '-': case '+':
        escape = at_start || !((is_alnum(prev) && is_alnum(next)) || (is_blank(prev) && is_blank(next)));
        break;
      case '^': case '~':
        // These open inside words too (x^2^, H~2~O): escaped unless nothing could pair with them.
        escape = at_start || (!(is_blank(prev) && is_blank(next)) &&
                              (text.find(c, i + 1) != std::string_view::npos || text.substr(0, i).find(c) != std::string_view::npos ||
                               !(is_alnum(prev) && is_alnum(next))));
        break;
      default:
        break;
    }
    if (at_start && (c == 'h' || c == 'b')) {
      // "h1. " and "bq. " at the start of a line are block markup.
      const bool heading = c == 'h' && n >= 3 && text[1] >= '1' && text[1] <= '6' && text[2] == '.';
      const bool quote = c == 'b' && text.substr(0, 3) == "bq.";
      if (heading || quote) {
        out.append(text.substr(0, 2));
        out += "\\.";
        i = 2;
        continue;
      }
    }
    if (in_link && c == '|') escape = true;
    if (escape) out += '\\';
    out += c;
  }
  return out;
}

struct WikiMark {
  std::string type;  // strong, em, strike, underline, sup, sub, color, link
  std::string href;  // a link's target; a color's "#rrggbb"
  bool operator==(const WikiMark& o) const { return type == o.type && href == o.href; }
};

std::string open_delim(const WikiMark& m) {
  if (m.type == "strong") return "*";
  if (m.type == "em") return "_";
  if (m.type == "strike") return "-";
  if (m.type == "underline") return "+";
  if (m.type == "sup") return "^";
  if (m.type == "sub") return "~";
  if (m.type == "color") return "{color:" + m.href + "}";
  return "[";
}

struct WikiItem {
  enum class Kind { kText, kCode, kRaw, kBreak } kind = Kind::kText;
  std::string text;
  std::vector<WikiMark> marks;
};

class WikiWriter {
 public:
  std::string document(const Json& adf) {
    if (adf.is_array()) return blocks(adf, 0);
    if (node_type(adf) == "doc") return blocks(children(adf), 0);
    return blocks(Json::array({adf}), 0);
  }

 private:
  static const Json& children(const Json& node) {
    static const Json kEmpty = Json::array();
    const Json* content = array_field(node, "content");
    return content != nullptr ? *content : kEmpty;
  }

  static bool is_inline(const std::string& type) {
    static const char* const kInline[] = {"text",        "hardBreak",   "mention",    "emoji",
                                          "date",        "status",      "inlineCard", "mediaInline",
                                          "placeholder", "inlineExtension"};
    return std::any_of(std::begin(kInline), std::end(kInline), [&](const char* t) { return type == t; });
  }

  std::string blocks(const Json& content, int depth) {
    if (!content.is_array()) return {};
    std::string out;
    Json run = Json::array();
    auto add = [&out](const std::string& part) {
      if (part.empty()) return;
      if (!out.empty()) out += "\n\n";
      out += part;
    };
    for (const Json& node : content) {
      if (is_inline(node_type(node)) || (node.is_object() && !node.contains("content") && node.contains("text"))) {
        run.push_back(node);
        continue;
      }
      if (!run.empty()) add(inlines(run, false, depth));
      run = Json::array();
      add(block(node, depth, false));
    }
    if (!run.empty()) add(inlines(run, false, depth));
    return out;
  }

  std::string block(const Json& node, int depth, bool in_quote) {
    const std::string type = node_type(node);
    if (depth > kMaxNesting) return escape_wiki(detail::plain_text(node), true, false);
    if (type == "paragraph" || type == "caption") return inlines(children(node), false, depth);
    if (type == "heading") {
      int level = 1;
      if (const Json* attrs = detail::object_field(node, "attrs")) {
        auto it = attrs->find("level");
        if (it != attrs->end() && it->is_number()) level = std::clamp(it->get<int>(), 1, 6);
      }
      return "h" + std::to_string(level) + ". " + inlines(children(node), true, depth);
    }
    if (type == "bulletList" || type == "orderedList" || type == "taskList" || type == "decisionList") {
      std::string trailing;
      std::string out = list(node, "", depth, trailing);
      return trailing.empty() ? out : out + "\n\n" + trailing;
    }
    if (type == "codeBlock") {
      std::string text;
      for (const Json& child : children(node)) text += string_field(child, "text");
      std::string language = attr_string(node, "language");
      language.erase(std::remove_if(language.begin(), language.end(), [](char c) { return !is_alnum(c) && c != '-' && c != '+' && c != '#'; }),
                     language.end());
      // Code stays {code}, with or without a language; only what was {noformat} goes back to it.
      const Json* flag = detail::object_field(node, "attrs");
      const bool noformat = flag != nullptr && flag->value("noformat", false) == true;
      std::vector<std::string> params;
      if (!language.empty() && !noformat) params.push_back(language);
      for (const std::string& p : macro_params(node, {"language", "noformat", "uniqueId", "localId", "wrap", "hideLineNumbers"})) params.push_back(p);
      const std::string name = noformat ? "noformat" : "code";
      std::string open = "{" + name;
      for (size_t k = 0; k < params.size(); ++k) open += (k == 0 ? ":" : "|") + params[k];
      return open + "}\n" + text + "\n{" + name + "}";
    }
    if (type == "blockquote" || type == "panel") {
      const Json& content = children(node);
      if (type == "blockquote" && content.size() == 1 && node_type(content[0]) == "paragraph") {
        std::string text = inlines(children(content[0]), true, depth);
        if (text.find('\n') == std::string::npos) return "bq. " + text;
      }
      std::string body;
      for (const Json& child : content) {
        // {quote} does not nest in wiki markup; an inner quote contributes its content.
        const std::string child_type = node_type(child);
        std::string part = child_type == "blockquote" || child_type == "panel" ? blocks(children(child), depth + 1)
                                                                              : block(child, depth + 1, true);
        if (part.empty()) continue;
        if (!body.empty()) body += "\n\n";
        body += part;
      }
      if (in_quote) return body;
      if (type == "panel") {
        // Jira's wiki renderer has {panel} but no typed panels: a typed panel is a {panel} in the
        // type's colour (the wiki reader reads that colour back as the type); one read from a
        // Confluence-style {info}/{note}/{tip}/{warning} is written back as it was.
        const std::string kind = attr_string(node, "panelType");
        const std::string macro = attr_string(node, "wikiMacro");
        const bool typed_macro = macro == "info" || macro == "note" || macro == "tip" || macro == "warning";
        const std::string name = typed_macro ? macro : "panel";
        std::vector<std::string> params = macro_params(node, {"panelType", "panelColor", "panelIcon", "panelIconId", "panelIconText", "localId", "wikiMacro"});
        std::string colour = attr_string(node, "panelColor");
        if (colour.empty() && !typed_macro) colour = detail::panel_type_colour(kind);
        if (!colour.empty()) {
          const bool titled = !params.empty() && params[0].rfind("title=", 0) == 0;
          params.insert(params.begin() + (titled ? 1 : 0), "bgColor=" + colour);
        }
        std::string open = "{" + name;
        for (size_t k = 0; k < params.size(); ++k) open += (k == 0 ? ":" : "|") + params[k];
        return open + "}\n" + body + "\n{" + name + "}";
      }
      return "{quote}\n" + body + "\n{quote}";
    }
    if (type == "rule") return "----";
    if (type == "table") {
      in_table_ = true;
      std::string out;
      for (const Json& row : children(node)) {
        std::string line;
        for (const Json& cell : children(row)) {
          const std::string sep = node_type(cell) == "tableHeader" ? "||" : "|";
          std::string text;
          for (const Json& b : children(cell)) {
            std::string part = node_type(b) == "paragraph" || node_type(b) == "heading"
                                   ? inlines(children(b), true, depth)
                                   : escape_wiki(detail::plain_text(b), false, false);
            if (part.empty()) continue;
            if (!text.empty()) text += " \\\\ ";
            text += part;
          }
          line += sep + (text.empty() ? " " : text);
          if (&cell == &children(row).back()) line += sep;
        }
        if (line.empty()) continue;
        if (!out.empty()) out += '\n';
        out += line;
      }
      in_table_ = false;
      return out;
    }
    if (type == "expand" || type == "nestedExpand") {
      std::string title = attr_string(node, "title");
      std::string body = blocks(children(node), depth + 1);
      if (title.empty()) return body;
      std::string label = "*" + escape_wiki(title, false, false) + "*";
      return body.empty() ? label : label + "\n\n" + body;
    }
    if (type == "mediaSingle" || type == "mediaGroup" || type == "media") {
      std::string out;
      std::vector<const Json*> items;
      if (type == "media") {
        items.push_back(&node);
      } else {
        for (const Json& child : children(node)) items.push_back(&child);
      }
      for (const Json* child_ptr : items) {
        const Json& child = *child_ptr;
        std::string part;
        if (node_type(child) == "media") part = media(child);
        if (node_type(child) == "caption") part = inlines(children(child), false, depth);
        if (part.empty()) continue;
        if (!out.empty()) out += ' ';
        out += part;
      }
      return out;
    }
    if (type == "blockCard" || type == "embedCard") {
      std::string url = attr_string(node, "url");
      return url.empty() ? std::string() : "[" + url + "]";
    }
    if (type == "extension") return escape_wiki(attr_string(node, "text"), true, false);
    if (array_field(node, "content") != nullptr) return blocks(children(node), depth + 1);
    std::string text = string_field(node, "text");
    if (text.empty()) text = attr_string(node, "text");
    return escape_wiki(text, true, false);
  }

  // The wiki-only and other attributes of a node as macro parameters "k=v", title first, then
  // by name; `skip` are the attributes the caller writes itself or wiki has no use for.
  static std::vector<std::string> macro_params(const Json& node, std::initializer_list<const char*> skip) {
    std::vector<std::string> out;
    const Json* attrs = detail::object_field(node, "attrs");
    if (attrs == nullptr) return out;
    auto skipped = [&](const std::string& key) {
      return std::any_of(skip.begin(), skip.end(), [&](const char* k) { return key == k; });
    };
    if (attrs->contains("title") && !skipped("title")) out.push_back("title=" + attr_string(node, "title"));
    for (auto it = attrs->begin(); it != attrs->end(); ++it) {
      if (it.key() == "title" || skipped(it.key())) continue;
      out.push_back(it.key() + "=" + attr_string(node, it.key()));
    }
    return out;
  }

  // An image as !url|params!: thumbnail, width, height and alt first (the order Jira's own
  // editor writes), then any other parameter by name.
  static std::string media(const Json& node) {
    std::string url = attr_string(node, "url");
    const Json* wiki_attachment = detail::object_field(node, "attrs");
    if (wiki_attachment != nullptr && wiki_attachment->value("wikiAttachment", Json()) == Json(true)) {
      const std::string file = attr_string(node, "id");  // read from [^file]
      if (!file.empty() && file.find_first_of("]|\n") == std::string::npos) return "[^" + file + "]";
    }
    if (attr_string(node, "type") != "external" || url.empty()) return escape_wiki("[" + detail::media_label(node) + "]", false, false);
    const Json* attrs = detail::object_field(node, "attrs");
    std::vector<std::string> params;
    for (const char* key : {"thumbnail", "width", "height", "alt"}) {
      if (attrs == nullptr || !attrs->contains(key)) continue;
      const Json& v = (*attrs)[key];
      if (v.is_boolean()) {
        if (v.get<bool>()) params.push_back(key);
      } else if (std::string_view(key) == "alt") {
        params.push_back("alt=\"" + attr_string(node, key) + "\"");
      } else {
        params.push_back(std::string(key) + "=" + attr_string(node, key));
      }
    }
    for (const std::string& p : macro_params(node, {"type", "url", "localId", "thumbnail", "width", "height", "alt", "collection", "id", "occurrenceKey"})) {
      params.push_back(p);
    }
    std::string out = "!" + url;
    for (size_t k = 0; k < params.size(); ++k) out += (k == 0 ? "|" : ",") + params[k];
    return out + "!";
  }

  // Writes the list's lines; blocks an item cannot hold inline go to `trailing`.
  std::string list(const Json& node, const std::string& prefix, int depth, std::string& trailing) {
    const std::string type = node_type(node);
    const std::string marker = prefix + (type == "orderedList" ? "#" : "*");
    std::string out;
    auto line = [&out](const std::string& text) {
      if (!out.empty()) out += '\n';
      out += text;
    };
    for (const Json& item : children(node)) {
      const std::string item_type = node_type(item);
      if (item_type == "taskList" || item_type == "decisionList") {
        if (depth < kMaxNesting) line(list(item, marker, depth + 1, trailing));
        continue;
      }
      std::string head;
      if (item_type == "taskItem") head = attr_string(item, "state") == "DONE" ? "[x] " : "[ ] ";
      if (item_type == "decisionItem") head = "Decision: ";
      if (item_type == "taskItem" || item_type == "decisionItem") {
        line(marker + " " + head + inlines(children(item), false, depth, true));
        continue;
      }
      std::string text;
      std::vector<std::string> nested;
      std::vector<std::string> in_item;
      for (const Json& child : children(item)) {
        const std::string child_type = node_type(child);
        if (child_type == "paragraph") {
          std::string part = inlines(children(child), false, depth, true);
          if (part.empty()) continue;
          text += text.empty() ? part : " \\\\ " + part;
        } else if (child_type == "bulletList" || child_type == "orderedList" || child_type == "taskList") {
          if (depth < kMaxNesting) nested.push_back(list(child, marker, depth + 1, trailing));
        } else if (child_type == "codeBlock" || child_type == "blockquote" || child_type == "panel") {
          // A macro right under the item's line belongs to the item in Jira.
          std::string part = block(child, depth + 1, false);
          if (!part.empty()) in_item.push_back(part);
        } else {
          std::string part = block(child, depth + 1, false);
          if (part.empty()) continue;
          if (!trailing.empty()) trailing += "\n\n";
          trailing += part;
        }
      }
      line(marker + " " + text);
      for (const std::string& b : in_item) line(b);
      for (const std::string& n : nested) line(n);
    }
    return out;
  }

  static size_t run_length(const std::vector<WikiItem>& items, size_t from, const WikiMark& m) {
    size_t n = 0;
    for (size_t i = from; i < items.size(); ++i) {
      if (std::find(items[i].marks.begin(), items[i].marks.end(), m) == items[i].marks.end()) break;
      ++n;
    }
    return n;
  }

  void collect(std::vector<WikiItem>& items, const Json& nodes, int depth) {
    if (!nodes.is_array()) return;
    for (const Json& node : nodes) {
      const std::string type = node_type(node);
      if (type == "text") {
        std::string text = string_field(node, "text");
        if (text.empty()) continue;
        std::vector<WikiMark> marks;
        bool code = false;
        if (const Json* ms = array_field(node, "marks")) {
          for (const Json& m : *ms) {
            std::string mt = node_type(m);
            if (mt == "code") code = true;
            if (mt == "strong" || mt == "em" || mt == "strike" || mt == "underline") marks.push_back(WikiMark{mt, {}});
            if (mt == "subsup") marks.push_back(WikiMark{attr_string(m, "type") == "sup" ? "sup" : "sub", {}});
            if (mt == "link") marks.push_back(WikiMark{"link", attr_string(m, "href")});
            if (mt == "textColor") {
              std::string colour = attr_string(m, "color");
              const bool hex = colour.size() == 7 && colour[0] == '#' &&
                               colour.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
              if (hex) marks.push_back(WikiMark{"color", colour});
            }
          }
        }
        std::vector<WikiMark> unique;
        for (WikiMark& m : marks) {
          if (std::none_of(unique.begin(), unique.end(), [&](const WikiMark& u) { return u.type == m.type; })) unique.push_back(m);
        }
        if (code) {
          std::erase_if(unique, [](const WikiMark& m) { return m.type != "link"; });
          std::replace(text.begin(), text.end(), '\n', ' ');
          items.push_back(WikiItem{WikiItem::Kind::kCode, text, unique});
          continue;
        }
        size_t start = 0;
        while (start <= text.size()) {
          size_t end = text.find('\n', start);
          if (end == std::string::npos) end = text.size();
          if (start > 0) items.push_back(WikiItem{WikiItem::Kind::kBreak, {}, {}});
          std::string piece = text.substr(start, end - start);
          if (!piece.empty()) {
            std::vector<WikiMark> piece_marks = unique;
            if (piece.find_first_not_of(" \t") == std::string::npos) {
              std::erase_if(piece_marks, [](const WikiMark& m) { return m.type != "link"; });
            }
            items.push_back(WikiItem{WikiItem::Kind::kText, piece, piece_marks});
          }
          start = end + 1;
        }
      } else if (type == "hardBreak") {
        items.push_back(WikiItem{WikiItem::Kind::kBreak, {}, {}});
      } else if (type == "mention") {
        std::string id = attr_string(node, "id");
        if (id.rfind("user:", 0) == 0 && id.size() > 5 && id.find_first_of("]|\n") == std::string::npos) {
          items.push_back(WikiItem{WikiItem::Kind::kRaw, "[~" + id.substr(5) + "]", {}});  // a Data Center user name
        } else if (!id.empty() && id.find_first_of("]|\n") == std::string::npos) {
          items.push_back(WikiItem{WikiItem::Kind::kRaw, "[~accountid:" + id + "]", {}});
        } else {
          items.push_back(WikiItem{WikiItem::Kind::kText, attr_string(node, "text"), {}});
        }
      } else if (type == "emoji" && !detail::wiki_emoticon_for(node).empty()) {
        items.push_back(WikiItem{WikiItem::Kind::kRaw, detail::wiki_emoticon_for(node), {}});
      } else if (type == "emoji") {
        std::string text = attr_string(node, "text");
        items.push_back(WikiItem{WikiItem::Kind::kText, text.empty() ? attr_string(node, "shortName") : text, {}});
      } else if (type == "date") {
        items.push_back(WikiItem{WikiItem::Kind::kText, detail::date_text(node), {}});
      } else if (type == "status" || type == "placeholder" || type == "inlineExtension") {
        items.push_back(WikiItem{WikiItem::Kind::kText, attr_string(node, "text"), {}});
      } else if (type == "inlineCard") {
        std::string url = attr_string(node, "url");
        if (!url.empty()) items.push_back(WikiItem{WikiItem::Kind::kText, url, {WikiMark{"link", url}}});
      } else if (type == "mediaInline" || type == "media") {
        items.push_back(WikiItem{WikiItem::Kind::kRaw, media(node), {}});
      } else if (depth < kMaxNesting && array_field(node, "content") != nullptr) {
        collect(items, children(node), depth + 1);
      } else {
        std::string text = string_field(node, "text");
        if (text.empty()) text = attr_string(node, "text");
        if (text.empty()) text = detail::plain_text(node);
        items.push_back(WikiItem{WikiItem::Kind::kText, text, {}});
      }
    }
    std::erase_if(items, [](const WikiItem& item) { return item.kind != WikiItem::Kind::kBreak && item.text.empty(); });
  }

  // `single_line`: breaks are written "\\" (headings, table cells, list items), else newlines.
  std::string inlines(const Json& nodes, bool single_line, int depth, bool in_list = false) {
    std::vector<WikiItem> items;
    collect(items, nodes, depth);
    while (!items.empty() && items.front().kind == WikiItem::Kind::kBreak) items.erase(items.begin());
    while (!items.empty() && items.back().kind == WikiItem::Kind::kBreak) items.pop_back();
    const bool one_line = single_line || in_list;
    std::string out;
    size_t line_start = 0;
    std::vector<WikiMark> active;
    auto close_to = [&](size_t keep) {
      while (active.size() > keep) {
        const WikiMark m = active.back();
        active.pop_back();
        if (m.type == "link") {
          out += "|" + m.href + "]";
          continue;
        }
        size_t spaces = 0;
        while (spaces < out.size() && out[out.size() - 1 - spaces] == ' ') ++spaces;
        std::string trailing(spaces, ' ');
        out.erase(out.size() - spaces);
        out += (m.type == "color" ? std::string("{color}") : open_delim(m)) + trailing;
      }
    };
    for (size_t i = 0; i < items.size(); ++i) {
      WikiItem& item = items[i];
      if (item.kind == WikiItem::Kind::kBreak) {
        close_to(0);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        // A newline is a line break in wiki markup, but an empty line would end the paragraph.
        const bool empty_line = out.size() == line_start;
        out += one_line || empty_line ? " \\\\ " : "\n";
        if (!one_line && !empty_line) line_start = out.size();
        continue;
      }
      size_t keep = 0;
      while (keep < active.size() && std::find(item.marks.begin(), item.marks.end(), active[keep]) != item.marks.end()) ++keep;
      close_to(keep);
      std::vector<WikiMark> opening;
      for (const WikiMark& m : item.marks) {
        if (std::find(active.begin(), active.end(), m) == active.end()) opening.push_back(m);
      }
      if (std::any_of(active.begin(), active.end(), [](const WikiMark& m) { return m.type == "link"; })) {
        std::erase_if(opening, [](const WikiMark& m) { return m.type == "link"; });
      }
      std::stable_sort(opening.begin(), opening.end(), [&](const WikiMark& a, const WikiMark& b) {
        size_t ra = run_length(items, i, a);
        size_t rb = run_length(items, i, b);
        if (ra != rb) return ra > rb;
        return (a.type == "link") > (b.type == "link");
      });
      std::string text = item.text;
      if (item.kind == WikiItem::Kind::kText) {
        size_t lead = 0;
        while (lead < text.size() && text[lead] == ' ') ++lead;
        if (out.size() == line_start) {
          text.erase(0, lead);
        } else if (!opening.empty()) {
          out += text.substr(0, lead);
          text.erase(0, lead);
        }
        if (text.empty()) continue;
      }
      // A link whose text is its URL is written [url]; a mail address linked to itself [mailto:x].
      if (item.kind == WikiItem::Kind::kText && opening.size() == 1 && opening[0].type == "link" &&
          opening[0].href == "mailto:" + text && item.marks.size() == 1 && run_length(items, i, opening[0]) == 1 &&
          text.find_first_of("|]\n ") == std::string::npos) {
        out += "[" + opening[0].href + "]";
        continue;
      }
      if (item.kind == WikiItem::Kind::kText && opening.size() == 1 && opening[0].type == "link" &&
          opening[0].href == text && item.marks.size() == 1 && run_length(items, i, opening[0]) == 1 &&
          text.find_first_of("|]\n ") == std::string::npos) {
        // Jira links a bare URL by itself; written bare when nothing after it would extend it.
        char after = '\0';
        if (i + 1 < items.size() && !items[i + 1].text.empty()) after = items[i + 1].text[0];
        const bool bare = url_at(text, 0) == text.size() && (after == '\0' || after == ' ' || after == '\n' ||
                                                             std::string_view(".,;:!?)").find(after) != std::string_view::npos);
        out += bare ? text : "[" + text + "]";
        continue;
      }
      for (const WikiMark& m : opening) {
        out += open_delim(m);
        active.push_back(m);
      }
      const bool in_link = std::any_of(active.begin(), active.end(), [](const WikiMark& m) { return m.type == "link"; });
      switch (item.kind) {
        case WikiItem::Kind::kText:
          out += escape_wiki(text, out.size() == line_start && !in_list, in_link);
          break;
        case WikiItem::Kind::kCode: {
          std::string code = text;
          // "}}" would end the code early; a space keeps it apart.
          for (size_t pos = code.find("}}"); pos != std::string::npos; pos = code.find("}}", pos + 2)) code.insert(pos + 1, " ");
          if (in_table_) {  // a bare "|" would end the cell
            for (size_t pos = code.find('|'); pos != std::string::npos; pos = code.find('|', pos + 2)) code.insert(pos, "\\");
          }
          if (!code.empty() && code.back() == '}') code += ' ';
          out += "{{" + code + "}}";
          break;
        }
        case WikiItem::Kind::kRaw:
          out += text;
          break;
        case WikiItem::Kind::kBreak:
          break;
      }
    }
    close_to(0);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }
  bool in_table_ = false;
};

}  // namespace

std::string adf_to_wiki(const Json& adf) {
  try {
    WikiWriter writer;
    std::string out = writer.document(adf);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    if (!out.empty()) out += '\n';
    return out;
  } catch (const std::exception& e) {
    spdlog::error("adf_to_wiki: {}", e.what());
    return {};
  }
}

std::string markdown_to_wiki(std::string_view markdown) { return adf_to_wiki(detail::markdown_to_adf_loose(markdown)); }

}  // namespace jira_mcp::content
