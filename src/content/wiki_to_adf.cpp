// Jira wiki markup -> ADF, with a small line-oriented parser.
//
// Block structure is decided line by line (headings, bq., lists, tables, rules, paragraphs);
// {code}, {noformat}, {quote} and {panel} span lines until their closing tag. Inline markup is
// parsed by one scanner: an effect character (*bold*, _em_, -strike-, +under+, ^sup^, ~sub~,
// ??cite??, an italic "— cite" as Jira shows it) opens only at a word boundary before a non-space and closes before a word boundary
// after a non-space, as Jira does. The result goes through the same sanitizing pass as the
// Markdown front end, so it is always valid ADF.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

#include "content/adf_build.hpp"
#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content {
namespace {

using detail::append_inline;
using detail::append_text;
using detail::hard_break;
using detail::paragraph;
using detail::text_node;

constexpr size_t kMaxEffectSpan = 2000;  // an effect's closer is looked for this far at most

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
// The characters a backslash escapes in Jira's renderer, and "#" and "." that this module's
// writer escapes at the start of a line ("\\# not a list", "h1\\. not a heading").
bool escapable(char c) { return std::string_view("![]^~+?%{}()*_-|@#.").find(c) != std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A wiki colour as the "#rrggbb" ADF's textColor takes: #rgb, #rrggbb (with or without the #)
// or a CSS colour name (Jira writes <font color="name">, so the browser's CSS colours are what
// the reader saw); "" for anything else.
std::string colour_hex(std::string_view value) {
  std::string v;
  for (char c : value) {
    if (!is_space(c)) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string digits = !v.empty() && v.front() == '#' ? v.substr(1) : v;
  const bool hex = (digits.size() == 3 || digits.size() == 6) &&
                   digits.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex && digits.size() == 3) return std::string("#") + digits[0] + digits[0] + digits[1] + digits[1] + digits[2] + digits[2];
  if (hex) return "#" + digits;
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"black", "#000000"},     {"white", "#ffffff"},   {"red", "#ff0000"},       {"green", "#008000"},
      {"blue", "#0000ff"},      {"yellow", "#ffff00"},  {"orange", "#ffa500"},    {"purple", "#800080"},
      {"gray", "#808080"},      {"grey", "#808080"},    {"silver", "#c0c0c0"},    {"maroon", "#800000"},
      {"olive", "#808000"},     {"lime", "#00ff00"},    {"aqua", "#00ffff"},      {"cyan", "#00ffff"},
      {"teal", "#008080"},      {"navy", "#000080"},    {"fuchsia", "#ff00ff"},   {"magenta", "#ff00ff"},
      {"pink", "#ffc0cb"},      {"brown", "#a52a2a"},   {"gold", "#ffd700"},      {"violet", "#ee82ee"},
      {"indigo", "#4b0082"},    {"crimson", "#dc143c"}, {"darkred", "#8b0000"},   {"darkgreen", "#006400"},
      {"darkblue", "#00008b"},  {"darkgray", "#a9a9a9"}, {"darkgrey", "#a9a9a9"}, {"lightgray", "#d3d3d3"},
      {"lightgrey", "#d3d3d3"}, {"darkorange", "#ff8c00"}, {"orangered", "#ff4500"}, {"tomato", "#ff6347"},
      {"coral", "#ff7f50"},     {"salmon", "#fa8072"},  {"firebrick", "#b22222"}, {"forestgreen", "#228b22"},
      {"seagreen", "#2e8b57"},  {"limegreen", "#32cd32"}, {"royalblue", "#4169e1"}, {"steelblue", "#4682b4"},
      {"skyblue", "#87ceeb"},   {"lightblue", "#add8e6"}, {"dodgerblue", "#1e90ff"}, {"slategray", "#708090"},
      {"slategrey", "#708090"}, {"chocolate", "#d2691e"}, {"tan", "#d2b48c"},     {"khaki", "#f0e68c"},
      {"turquoise", "#40e0d0"}, {"orchid", "#da70d6"},  {"plum", "#dda0dd"},      {"lavender", "#e6e6fa"},
      {"beige", "#f5f5dc"},     {"ivory", "#fffff0"},   {"darkviolet", "#9400d3"}, {"hotpink", "#ff69b4"},
      {"deeppink", "#ff1493"},  {"goldenrod", "#daa520"}, {"sienna", "#a0522d"},  {"midnightblue", "#191970"},
  };
  for (const auto& [name, code] : kNamed) {
    if (v == name) return std::string(code);
  }
  return "";
}

Json with_mark(const Json& marks, Json mark) {
  Json out = Json::array();
  for (const Json& m : marks) {
    if (m.value("type", "") != mark.value("type", "")) out.push_back(m);
  }
  out.push_back(std::move(mark));
  return out;
}

class InlineParser {
 public:
  Json parse(std::string_view text) {
    Json out = Json::array();
    scan(out, text, Json::array(), 0);
    return out;
  }

 private:
  void scan(Json& out, std::string_view text, const Json& marks, int depth) {
    std::string literal;
    auto flush = [&] {
      if (!literal.empty()) append_text(out, std::move(literal), marks);
      literal.clear();
    };
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
      const char c = text[i];
      const char prev = i > 0 ? text[i - 1] : '\0';
      const char next = i + 1 < n ? text[i + 1] : '\0';
      if (c == '\n') {
        flush();
        append_inline(out, hard_break());
        ++i;
        continue;
      }
      if (c == '\\') {
        if (next == '\\') {
          flush();
          append_inline(out, hard_break());
          i += 2;
        } else if (next != '\0' && escapable(next)) {
          literal += next;
          i += 2;
        } else {  // a backslash before anything else is itself
          literal += c;
          ++i;
        }
        continue;
      }
      if (c == '-' && (next == '-' || prev == '-')) {  // "--" and "---" are dashes, not strikethrough
        literal += c;
        ++i;
        continue;
      }
      if (starts_with(text.substr(i), "&#92;")) {
        literal += '\\';
        i += 5;
        continue;
      }
      if (starts_with(text.substr(i), "{{")) {
        size_t end = text.find("}}", i + 2);
        if (end != std::string_view::npos && end > i + 2) {
          flush();
          Json code_marks = Json::array();
          for (const Json& m : marks) {
            if (m.value("type", "") == "link") code_marks.push_back(m);
          }
          code_marks.push_back(Json{{"type", "code"}});
          std::string code(text.substr(i + 2, end - i - 2));
          for (size_t pos = code.find("\\|"); pos != std::string::npos; pos = code.find("\\|", pos + 1)) code.erase(pos, 1);
          append_text(out, std::move(code), code_marks);
          i = end + 2;
          continue;
        }
      }
      if (starts_with(text.substr(i), "{color")) {
        size_t end = text.find('}', i);
        if (end != std::string_view::npos) {
          // {color:red}text{color}: a text colour (named colours as the browser shows Jira's
          // <font color>); a colour we cannot read, or a tag without its pair, keeps the text.
          const size_t close = text.find("{color}", end + 1);
          const std::string hex = end > i + 7 && text[i + 6] == ':' ? colour_hex(text.substr(i + 7, end - i - 7)) : "";
          if (close != std::string_view::npos && !hex.empty() && depth < 2 * kMaxNesting) {
            flush();
            scan(out, text.substr(end + 1, close - end - 1), with_mark(marks, Json{{"type", "textColor"}, {"attrs", {{"color", hex}}}}),
                 depth + 1);
            i = close + 7;
            continue;
          }
          i = end + 1;
          continue;
        }
      }
      if ((c == 'h' || c == 'f') && (i == 0 || !is_alnum(prev))) {
        // A bare URL is a link, as Jira shows it; trailing punctuation stays outside (GFM's rule).
        const std::string_view rest = text.substr(i);
        size_t scheme = 0;
        for (std::string_view s : {"http://", "https://", "ftp://"}) {
          if (starts_with(rest, s)) scheme = s.size();
        }
        size_t end = scheme;
        while (scheme > 0 && end < rest.size() && static_cast<unsigned char>(rest[end]) > 0x20 &&
               std::string_view("<>`\\[]|{}\"").find(rest[end]) == std::string_view::npos) {
          ++end;
        }
        while (end > scheme && std::string_view(".,;:!?)'").find(rest[end - 1]) != std::string_view::npos) --end;
        if (scheme > 0 && end > scheme) {
          flush();
          std::string url(rest.substr(0, end));
          append_text(out, url, with_mark(marks, Json{{"type", "link"}, {"attrs", {{"href", url}}}}));
          i += end;
          continue;
        }
      }
      if (c == '(' || c == ':' || c == ';') {
        size_t length = 0;
        Json emoji = detail::wiki_emoticon_at(text, i, length);
        if (length > 0) {
          flush();
          append_inline(out, std::move(emoji));
          i += length;
          continue;
        }
      }
      if (c == '[') {
        size_t end = i + 1;
        while (end < n && text[end] != ']' && text[end] != '\n') end += text[end] == '\\' ? 2 : 1;
        if (end < n && text[end] == ']' && !trim(text.substr(i + 1, end - i - 1)).empty()) {
          flush();
          bracket(out, text.substr(i + 1, end - i - 1), marks, depth);
          i = end + 1;
          continue;
        }
      }
      if (c == '!' && next != '\0' && !is_space(next) && next != '!') {
        size_t end = text.find_first_of("!\n", i + 1);
        if (end != std::string_view::npos && text[end] == '!' && !is_space(text[end - 1])) {
          flush();
          out.push_back(image(text.substr(i + 1, end - i - 1)));
          i = end + 1;
          continue;
        }
      }
      const bool double_q = c == '?' && next == '?';
      if ((std::string_view("*_-+^~").find(c) != std::string_view::npos || double_q) && depth < 2 * kMaxNesting &&
          (i == 0 || !is_alnum(prev) || c == '^' || c == '~')) {
        const size_t width = double_q ? 2 : 1;
        const char after = i + width < n ? text[i + width] : '\0';
        if (after != '\0' && !is_space(after) && after != '\n') {
          size_t close = find_closer(text, i + width, c, width);
          if (close != std::string_view::npos) {
            flush();
            std::string_view inner = text.substr(i + width, close - i - width);
            Json inner_marks = marks;
            if (c == '*') inner_marks = with_mark(marks, Json{{"type", "strong"}});
            if (c == '_') inner_marks = with_mark(marks, Json{{"type", "em"}});
            if (c == '-') inner_marks = with_mark(marks, Json{{"type", "strike"}});
            if (c == '+') inner_marks = with_mark(marks, Json{{"type", "underline"}});
            if (c == '^') inner_marks = with_mark(marks, Json{{"type", "subsup"}, {"attrs", {{"type", "sup"}}}});
            if (c == '~') inner_marks = with_mark(marks, Json{{"type", "subsup"}, {"attrs", {{"type", "sub"}}}});
            if (double_q) {  // ??citation?? is shown as an italic "— citation"
              inner_marks = with_mark(marks, Json{{"type", "em"}});
              append_text(out, "\xE2\x80\x94 ", inner_marks);
            }
            scan(out, inner, inner_marks, depth + 1);
            i = close + width;
            continue;
          }
        }
      }
      literal += c;
      ++i;
    }
    flush();
  }

  // !url|params! as an image node: the URL or attachment file name, width/height as numbers,
  // alt as the alt text, and every other parameter (thumbnail, align, border, ...) kept as a
  // wiki-only attribute so the image is written back with the same parameters.
  static Json image(std::string_view inner) {
    const size_t bar = inner.find('|');
    const std::string url(trim(inner.substr(0, bar)));
    Json attrs = Json::object();
    std::string_view params = bar == std::string_view::npos ? std::string_view() : inner.substr(bar + 1);
    size_t start = 0;
    while (start < params.size()) {
      size_t end = start;
      bool quoted = false;
      while (end < params.size() && (quoted || params[end] != ',')) {
        if (params[end] == '"') quoted = !quoted;
        ++end;
      }
      std::string_view param = trim(params.substr(start, end - start));
      start = end + 1;
      if (param.empty()) continue;
      const size_t eq = param.find('=');
      std::string key(trim(param.substr(0, eq)));
      if (eq == std::string_view::npos) {
        attrs[key] = true;
        continue;
      }
      std::string value(trim(param.substr(eq + 1)));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      const bool number = !value.empty() && value.size() < 10 && value.find_first_not_of("0123456789") == std::string::npos;
      if ((key == "width" || key == "height") && number) {
        attrs[key] = std::stoll(value);
      } else {
        attrs[key] = value;
      }
    }
    return Json{{"type", "__image"}, {"url", url}, {"alt", ""}, {"attrs", std::move(attrs)}};
  }

  static size_t find_closer(std::string_view text, size_t from, char c, size_t width) {
    const size_t limit = std::min(text.size(), from + kMaxEffectSpan);
    for (size_t j = from + 1; j + width <= limit; ++j) {
      if (text[j] == '\n') return std::string_view::npos;
      if (text[j] != c || (width == 2 && text[j + 1] != c)) continue;
      if (is_space(text[j - 1]) || text[j - 1] == '\\') continue;
      const size_t after = j + width;
      if (after < text.size() && is_alnum(text[after]) && c != '^' && c != '~') continue;  // x^2^, H~2~O
      return j;
    }
    return std::string_view::npos;
  }

  void bracket(Json& out, std::string_view inner, const Json& marks, int depth) {
    if (inner.front() == '~') {
      std::string user(trim(inner.substr(1)));
      // A Data Center user name keeps a "user:" scheme in the mention id, so it is written back
      // as [~jsmith], never as the account id of a user that does not exist.
      const bool account = starts_with(user, "accountid:");
      std::string name = account ? user.substr(10) : user;
      if (name.empty()) return;
      out.push_back(Json{{"type", "mention"}, {"attrs", {{"id", account ? name : "user:" + name}, {"text", "@" + name}}}});
      return;
    }
    if (inner.front() == '^') {
      // An attachment link: a file by its name (Data Center has no media ids), marked so the
      // wiki writer writes it back as [^name].
      const std::string file(trim(inner.substr(1)));
      if (file.empty()) return;
      append_inline(out, Json{{"type", "mediaInline"},
                              {"attrs", {{"type", "file"}, {"id", file}, {"collection", ""}, {"wikiAttachment", true}}}});
      return;
    }
    size_t bar = std::string_view::npos;
    for (size_t k = 0; k < inner.size(); ++k) {
      if (inner[k] == '\\') {
        ++k;
      } else if (inner[k] == '|') {
        bar = k;
      }
    }
    std::string url(trim(bar == std::string_view::npos ? inner : inner.substr(bar + 1)));
    Json link_marks = with_mark(marks, Json{{"type", "link"}, {"attrs", {{"href", url}}}});
    if (bar == std::string_view::npos) {  // [url]; Jira shows [mailto:a@b.c] as the address
      const bool mail = starts_with(url, "mailto:") && url.size() > 7;
      append_text(out, mail ? url.substr(7) : url, link_marks);
    } else {
      scan(out, inner.substr(0, bar), link_marks, depth + 1);
    }
  }
};

struct WikiList;
struct WikiItem {
  std::string text;
  std::vector<WikiList> sub;
  std::vector<Json> blocks;  // macros written under the item's line
};
struct WikiList {
  char marker = '*';
  std::vector<WikiItem> items;
};

class BlockParser {
 public:
  Json parse(std::string_view text, int depth) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return blocks(lines, depth);
  }

 private:
  // Where a block macro starts on this (trimmed) line: its name, else nullptr.
  static const char* macro_at(std::string_view t) {
    for (const char* name : {"code", "noformat", "quote", "panel", "info", "note", "tip", "warning"}) {
      const size_t n = std::strlen(name);
      if (starts_with(t, std::string("{") + name) && (t.size() == n + 1 || t[n + 1] == '}' || t[n + 1] == ':')) return name;
    }
    return nullptr;
  }

  // Reads the macro starting at lines[i] into `out`; returns the index of the next line to
  // read. Text after the closing tag on the same line is not lost: it becomes that next line.
  size_t read_macro(std::vector<std::string_view>& lines, size_t i, const char* macro, Json& out, int depth) {
    std::string_view t = trim(lines[i]);
    const size_t tag_end = t.find('}');
    std::string params(t.substr(std::strlen(macro) + 1, tag_end - std::strlen(macro) - 1));
    if (!params.empty() && params[0] == ':') params.erase(0, 1);
    const std::string closing = std::string("{") + macro + "}";
    std::string body;
    std::string_view rest = t.substr(tag_end + 1);
    size_t j = i;
    std::string_view after;
    bool closed = false;
    while (true) {
      size_t pos = rest.find(closing);
      if (pos != std::string_view::npos) {
        body += rest.substr(0, pos);
        after = trim(rest.substr(pos + closing.size()));
        closed = true;
        break;
      }
      body += rest;
      if (++j >= lines.size()) break;
      if (!body.empty() || j > i + 1) body += '\n';
      rest = lines[j];
    }
    macro_block(out, macro, params, body, depth);
    if (closed && !after.empty()) {
      lines[j] = after;
      return j;
    }
    return j + 1;
  }

  Json blocks(std::vector<std::string_view> lines, int depth) {
    Json out = Json::array();
    std::string para;
    auto flush = [&] {
      if (para.empty()) return;
      for (Json& b : with_images(inline_.parse(para))) out.push_back(std::move(b));
      para.clear();
    };
    size_t i = 0;
    while (i < lines.size()) {
      std::string_view line = lines[i];
      std::string_view t = trim(line);
      if (t.empty()) {
        flush();
        ++i;
        continue;
      }
      // Multi-line macros.
      const char* macro = macro_at(t);
      if (macro != nullptr && t.find('}') != std::string_view::npos) {
        flush();
        i = read_macro(lines, i, macro, out, depth);
        continue;
      }
      if (t.size() >= 3 && t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && t[2] == '.' && (t.size() == 3 || is_space(t[3]))) {
        flush();
        out.push_back(Json{{"type", "heading"}, {"attrs", {{"level", t[1] - '0'}}}, {"content", images_as_links(inline_.parse(trim(t.substr(3))))}});
        ++i;
        continue;
      }
      if (starts_with(t, "bq.") && (t.size() == 3 || is_space(t[3]))) {
        flush();
        out.push_back(Json{{"type", "blockquote"}, {"content", with_images(inline_.parse(trim(t.substr(3))))}});
        ++i;
        continue;
      }
      if (t.find_first_not_of('-') == std::string_view::npos && t.size() >= 4) {
        flush();
        out.push_back(Json{{"type", "rule"}});
        ++i;
        continue;
      }
      if (list_marker_length(t) > 0) {
        flush();
        std::vector<WikiList> lists;
        while (i < lines.size()) {
          std::string_view lt = trim(lines[i]);
          if (list_marker_length(lt) > 0) {
            add_list_line(lists, lt);
            ++i;
            continue;
          }
          // A block macro right under an item (no blank line) belongs to that item.
          const char* item_macro = macro_at(lt);
          if (item_macro == nullptr || lt.find('}') == std::string_view::npos) break;
          Json blocks_in_item = Json::array();
          i = read_macro(lines, i, item_macro, blocks_in_item, depth);
          WikiItem* last = last_item(lists);
          if (last == nullptr) {
            for (Json& b : blocks_in_item) out.push_back(std::move(b));
            break;
          }
          for (Json& b : blocks_in_item) last->blocks.push_back(std::move(b));
        }
        for (const WikiList& list : lists) out.push_back(list_json(list, depth));
        continue;
      }
      if (t.front() == '|') {
        flush();
        Json rows = Json::array();
        while (i < lines.size() && !trim(lines[i]).empty() && trim(lines[i]).front() == '|') {
          rows.push_back(table_row(trim(lines[i])));
          ++i;
        }
        out.push_back(Json{{"type", "table"}, {"content", std::move(rows)}});
        continue;
      }
      if (!para.empty()) para += '\n';
      para += t;
      ++i;
    }
    flush();
    return out;
  }

  // "k=v|k2=v2|bare" -> (key, value) pairs in order; a bare word has an empty key.
  static std::vector<std::pair<std::string, std::string>> macro_params(std::string_view params) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t start = 0;
    while (start < params.size()) {
      size_t end = params.find('|', start);
      if (end == std::string_view::npos) end = params.size();
      std::string_view param = trim(params.substr(start, end - start));
      start = end + 1;
      if (param.empty()) continue;
      const size_t eq = param.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back("", std::string(param));
      } else {
        out.emplace_back(std::string(trim(param.substr(0, eq))), std::string(trim(param.substr(eq + 1))));
      }
    }
    return out;
  }

  void macro_block(Json& out, std::string_view macro, const std::string& params, const std::string& body, int depth) {
    if (macro == "code" || macro == "noformat") {
      std::string code = body;
      while (!code.empty() && code.front() == '\n') code.erase(0, 1);
      while (!code.empty() && (code.back() == '\n' || code.back() == '\r')) code.pop_back();
      Json block = {{"type", "codeBlock"}, {"content", Json::array()}};
      Json attrs = Json::object();
      // {noformat} is preformatted text, not code: a wiki-only flag keeps the two apart.
      if (macro == "noformat") attrs["noformat"] = true;
      for (auto& [key, value] : macro_params(params)) {
        if (macro == "code" && (key == "language" || (key.empty() && !attrs.contains("language")))) {
          attrs["language"] = value;
        } else if (!key.empty()) {
          attrs[key] = value;  // title, borderStyle, ...: wiki-only, written back as given
        }
      }
      if (!attrs.empty()) block["attrs"] = std::move(attrs);
      if (!code.empty()) block["content"].push_back(text_node(code));
      out.push_back(std::move(block));
      return;
    }
    Json inner = depth < kMaxNesting ? parse(body, depth + 1)
                                     : Json::array({paragraph(Json::array({text_node(body.empty() ? " " : body)}))});
    if (macro == "quote") {
      out.push_back(Json{{"type", "blockquote"}, {"content", std::move(inner)}});
      return;
    }
    // {panel} is a custom panel, or a typed one when its bgColor is exactly a type's colour (how
    // the wiki writer writes typed panels: Jira's wiki renderer has no {info}); {info}, {note},
    // {tip} and {warning} (Confluence's macros, seen pasted into Jira) are the typed panels and
    // keep their macro name as the wiki-only attribute wikiMacro. bgColor is the panel colour;
    // title and the rest are wiki-only attributes.
    Json attrs = {{"panelType", macro == "panel" ? std::string("custom") : std::string(macro)}};
    if (macro != "panel") attrs["wikiMacro"] = macro;
    for (auto& [key, value] : macro_params(params)) {
      if (key.empty()) continue;
      const std::string type = key == "bgColor" && macro == "panel" ? detail::panel_type_of_colour(value) : "";
      if (!type.empty()) {
        attrs["panelType"] = type;
        continue;
      }
      attrs[key == "bgColor" ? "panelColor" : key] = value;
    }
    out.push_back(Json{{"type", "panel"}, {"attrs", std::move(attrs)}, {"content", std::move(inner)}});
  }

  // Images in a run of inlines: an image on its own is a media block; text around one stays
  // in paragraphs before and after it.
  static Json with_images(const Json& inl) {
    Json out = Json::array();
    Json run = Json::array();
    bool any_image = false;
    auto flush = [&](bool last) {
      // The line break between text and an image on the next line is the image's own: the
      // image becomes a block, so the break would only leave an empty line behind.
      auto is_break = [](const Json& x) { return x.value("type", "") == "hardBreak"; };
      while (!last && !run.empty() && is_break(run.back())) run.erase(run.size() - 1);
      while (any_image && !run.empty() && is_break(run.front())) run.erase(0);
      const bool blank = std::all_of(run.begin(), run.end(), [&](const Json& x) {
        return is_break(x) ||
               (x.value("type", "") == "text" && x.value("text", "").find_first_not_of(" \t") == std::string::npos);
      });
      if (!blank || (last && !any_image)) out.push_back(paragraph(run));
      run = Json::array();
    };
    for (const Json& x : inl) {
      if (x.value("type", "") != "__image") {
        run.push_back(x);
        continue;
      }
      flush(false);
      any_image = true;
      Json attrs = x["attrs"];
      attrs["type"] = "external";
      attrs["url"] = x["url"];
      out.push_back(Json{{"type", "mediaSingle"},
                         {"attrs", {{"layout", "center"}}},
                         {"content", Json::array({Json{{"type", "media"}, {"attrs", std::move(attrs)}}})}});
    }
    flush(true);
    return out;
  }

  // Where only inline content may stand (headings, list and task items), an image is a link.
  static Json images_as_links(Json inl) {
    for (Json& x : inl) {
      if (x.value("type", "") != "__image") continue;
      const std::string url = x.value("url", "");
      x = text_node(url, Json::array({Json{{"type", "link"}, {"attrs", {{"href", url}}}}}));
    }
    return inl;
  }

  static size_t list_marker_length(std::string_view t) {
    size_t k = 0;
    while (k < t.size() && (t[k] == '*' || t[k] == '#' || t[k] == '-')) ++k;
    if (k == 0 || k >= t.size() || !is_space(t[k])) return 0;
    if (t.substr(0, k).find('-') != std::string_view::npos && k != 1) return 0;  // "-" only at one level
    return k;
  }

  static void add_list_line(std::vector<WikiList>& roots, std::string_view t) {
    const size_t k = std::min<size_t>(list_marker_length(t), kMaxNesting);
    std::string_view markers = t.substr(0, k);
    std::vector<WikiList>* lists = &roots;
    for (size_t level = 0; level < markers.size(); ++level) {
      const char marker = markers[level] == '-' ? '*' : markers[level];
      if (lists->empty() || lists->back().marker != marker) lists->push_back(WikiList{marker, {}});
      WikiList& list = lists->back();
      if (level + 1 == markers.size()) {
        list.items.push_back(WikiItem{std::string(trim(t.substr(list_marker_length(t)))), {}, {}});
        return;
      }
      if (list.items.empty()) list.items.push_back(WikiItem{});
      lists = &list.items.back().sub;
    }
  }

  static WikiItem* last_item(std::vector<WikiList>& lists) {
    if (lists.empty() || lists.back().items.empty()) return nullptr;
    WikiItem* item = &lists.back().items.back();
    while (!item->sub.empty() && !item->sub.back().items.empty()) item = &item->sub.back().items.back();
    return item;
  }

  static bool task_box(std::string_view text) {
    return starts_with(text, "[ ] ") || starts_with(text, "[x] ") || starts_with(text, "[X] ") || text == "[ ]" ||
           text == "[x]" || text == "[X]";
  }

  Json list_json(const WikiList& list, int depth) {
    const bool tasks = list.marker == '*' && std::all_of(list.items.begin(), list.items.end(),
                                                         [](const WikiItem& item) { return task_box(item.text); });
    if (tasks) {
      Json content = Json::array();
      const std::string list_id = "task-list-" + std::to_string(++task_lists_);
      for (const WikiItem& item : list.items) {
        content.push_back(Json{{"type", "taskItem"},
                               {"attrs", {{"localId", "task-" + std::to_string(++tasks_)}, {"state", item.text[1] == ' ' ? "TODO" : "DONE"}}},
                               {"content", images_as_links(inline_.parse(trim(std::string_view(item.text).substr(3))))}});
        for (const WikiList& sub : item.sub) {
          Json nested = list_json(sub, depth + 1);
          if (nested.value("type", "") == "taskList") content.push_back(std::move(nested));
        }
      }
      return Json{{"type", "taskList"}, {"attrs", {{"localId", list_id}}}, {"content", std::move(content)}};
    }
    Json items = Json::array();
    for (const WikiItem& item : list.items) {
      Json content = Json::array({paragraph(images_as_links(inline_.parse(item.text)))});
      for (const Json& b : item.blocks) content.push_back(b);
      for (const WikiList& sub : item.sub) content.push_back(list_json(sub, depth + 1));
      items.push_back(Json{{"type", "listItem"}, {"content", std::move(content)}});
    }
    Json out = {{"type", list.marker == '#' ? "orderedList" : "bulletList"}, {"content", std::move(items)}};
    if (list.marker == '#') out["attrs"] = {{"order", 1}};
    return out;
  }

  Json table_row(std::string_view line) {
    Json cells = Json::array();
    size_t i = 0;
    const size_t n = line.size();
    while (i < n && line[i] == '|') {
      const bool header = i + 1 < n && line[i + 1] == '|';
      i += header ? 2 : 1;
      size_t start = i;
      int brackets = 0;
      while (i < n) {
        if (line[i] == '\\') {
          i += 2;
          continue;
        }
        if (line[i] == '[') ++brackets;
        if (line[i] == ']' && brackets > 0) --brackets;
        if (line[i] == '{' && i + 1 < n && line[i + 1] == '{') {
          size_t end = line.find("}}", i + 2);
          if (end != std::string_view::npos) {
            i = end + 2;
            continue;
          }
        }
        if (line[i] == '|' && brackets == 0) break;
        ++i;
      }
      std::string_view cell = line.substr(start, std::min(i, n) - start);
      if (i >= n && trim(cell).empty()) break;  // the row's closing bar
      cells.push_back(Json{{"type", header ? "tableHeader" : "tableCell"},
                           {"content", with_images(inline_.parse(trim(cell)))}});
    }
    return Json{{"type", "tableRow"}, {"content", std::move(cells)}};
  }

  InlineParser inline_;
  int task_lists_ = 0;
  int tasks_ = 0;
};

}  // namespace

namespace detail {
Json wiki_to_adf_loose(std::string_view wiki) {
  const std::string clean = sanitize_utf8(wiki);
  BlockParser parser;
  return make_doc(sanitize_blocks(parser.parse(clean, 0), BlockContext::kDoc));
}
}  // namespace detail

Json wiki_to_adf(std::string_view wiki) {
  Json doc = detail::wiki_to_adf_loose(wiki);
  detail::strip_wiki_extras(doc);
  return doc;
}

std::string wiki_to_markdown(std::string_view wiki) { return adf_to_markdown(detail::wiki_to_adf_loose(wiki)); }

}  // namespace jira_mcp::content
