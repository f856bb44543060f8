// ADF -> Markdown.
//
// Blocks render to strings without a trailing newline and are joined by blank lines; containers
// (list items, quotes) prefix every line of their rendered children. Inline content is first
// flattened into a list of items (text with its marks, code, raw Markdown, line breaks) and then
// written with a stack of open marks, the way prosemirror-markdown does: a mark shared by
// neighbouring items stays open across them, marks that run longest open first, and whitespace
// is moved outside emphasis delimiters (CommonMark does not let "** " close).
//
// What Markdown has no syntax for is written as a directive (see convert.hpp); text goes through
// the one escaper in markdown_escape.cpp.
#include <algorithm>
#include <cctype>
#include <deque>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "content/adf_build.hpp"
#include "content/directive.hpp"
#include "content/markdown_escape.hpp"
#include "jira_mcp/content/convert.hpp"
#include "jira_mcp/core/json_view.hpp"

namespace jira_mcp::content {
namespace {

// The renderer reads through JsonRef (core/json_view.hpp): a cached nlohmann document and a
// response parsed with simdjson render through this one code path, so they cannot drift apart.
// These mirror adf_build's helpers of the same names over a view.
JsonRef array_field(JsonRef j, std::string_view key) {
  JsonRef v = j[key];
  return v.is_array() ? v : JsonRef();
}
JsonRef object_field(JsonRef j, std::string_view key) {
  JsonRef v = j[key];
  return v.is_object() ? v : JsonRef();
}
std::string string_field(JsonRef j, std::string_view key) { return std::string(j[key].str()); }
// A view into the document: compared, rarely copied.
std::string_view node_type(JsonRef j) { return j["type"].str(); }
std::string attr_string(JsonRef node, std::string_view key) {
  const JsonRef v = object_field(node, "attrs")[key];
  if (v.is_string()) return std::string(v.str());
  if (v.is_number_integer()) return std::to_string(v.integer());
  if (v.is_number()) return std::to_string(static_cast<long long>(v.number()));
  return {};
}
bool has_member(JsonRef j, std::string_view key) { return !j[key].missing(); }
// The members of a node read most, found in one pass (a lookup by key scans the members of a
// simdjson object); as j["type"], j["text"], j["marks"], j["content"] would read them.
struct NodeMembers {
  std::string_view type;
  JsonRef text;
  JsonRef marks;
  JsonRef content;
};
// a == b for short keys, without a call to memcmp.
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}
NodeMembers node_members(JsonRef j) {
  NodeMembers out;
  if (j.nlohmann()) return NodeMembers{node_type(j), j["text"], j["marks"], j["content"]};
  j.for_each_member([&out](std::string_view key, JsonRef value) {
    if (same(key, "type")) {
      out.type = value.str();
    } else if (same(key, "text")) {
      out.text = value;
    } else if (same(key, "marks")) {
      out.marks = value;
    } else if (same(key, "content")) {
      out.content = value;
    }
  });
  return out;
}
// The rare readers that take a whole node (plain text fallbacks, labels) read a Json copy.
std::string plain_text(JsonRef node) { return detail::plain_text(node.to_json()); }
// A list of nodes: an array view, or nodes gathered by the renderer.
using NodeList = std::vector<JsonRef>;
bool is_list(JsonRef j) { return j.is_array(); }
bool is_list(const NodeList&) { return true; }


using detail::autolinkable;
using detail::code_span;
using detail::escape_text;
using detail::EscapeContext;
using detail::InlineMode;
using detail::link_destination;

bool is_space(char c) { return c == ' ' || c == '\t'; }

struct Mark {
  std::string type;  // strong, em, strike, link
  std::string href;
  std::string title;
  std::string delim;  // the delimiter it was opened with
  bool operator==(const Mark& other) const { return type == other.type && href == other.href; }
  // A mark Markdown has no syntax for, written as the inline directive :type[...]{attrs}
  // (href holds the written attributes).
  bool directive() const { return type != "strong" && type != "em" && type != "strike" && type != "link"; }
};

bool is_directive_mark(std::string_view type) {
  return type == "underline" || type == "textColor" || type == "backgroundColor" || type == "subsup" ||
         type == "annotation";
}

// A node's attributes as the directive syntax writes them: without localId (the editor's own
// identifier, regenerated on write) and without the keys the syntax already says elsewhere.
Json written_attrs(JsonRef node, std::initializer_list<const char*> skip = {}) {
  Json attrs = Json::object();
  const JsonRef view = object_field(node, "attrs");
  if (!view.is_object()) return attrs;
  const Json copy = view.nlohmann() ? Json() : view.to_json();
  const Json* a = view.nlohmann() ? view.nlohmann() : &copy;
  for (auto it = a->begin(); it != a->end(); ++it) {
    if (it.key() == "localId") continue;
    if (std::any_of(skip.begin(), skip.end(), [&](const char* k) { return it.key() == k; })) continue;
    attrs[it.key()] = it.value();
  }
  return attrs;
}

struct Item {
  enum class Kind { kText, kCode, kRaw, kBreak };
  Item(Kind k, std::string text, std::vector<Mark> m) : kind(k), own(std::move(text)), marks(std::move(m)) {}
  static Item borrowing(Kind k, std::string_view text, std::vector<Mark> m) {
    Item item(k, {}, std::move(m));
    item.borrowed = text;
    item.owned = false;
    return item;
  }

  Kind kind = Kind::kText;
  std::string own;  // the text, when made here
  std::vector<Mark> marks;
  // Else the text as the document holds it (the usual text node: no copy). The document, and
  // every Json the writer makes to render through (MarkdownWriter::held_), outlive the items.
  std::string_view borrowed;
  bool owned = true;
  std::string_view text() const { return owned ? std::string_view(own) : borrowed; }
};


int mark_rank(std::string_view type) {
  if (type == "link") return 0;
  if (type == "strong") return 1;
  if (type == "em") return 2;
  return 3;
}

std::string delimiter(const Mark& m) {
  if (m.type == "strong") return "**";
  if (m.type == "em") return "*";
  if (m.type == "strike") return "~~";
  if (m.directive()) return ":" + m.type + "[";
  return "";
}

class MarkdownWriter {
 public:
  std::string document(JsonRef adf) {
    if (adf.is_array()) return blocks(adf, 0);
    if (node_type(adf) == "doc") {
      const JsonRef content = array_field(adf, "content");
      return content.is_array() ? blocks(content, 0) : std::string();
    }
    return blocks(NodeList{adf}, 0);
  }

 private:
  // Nodes made while rendering (an inline media node's link text) whose text items borrow.
  std::deque<Json> held_;

  // ---- blocks -----------------------------------------------------------------------------

  static bool is_inline(std::string_view type) {
    static constexpr std::string_view kInline[] = {"text",        "hardBreak",   "mention",    "emoji",
                                          "date",        "status",      "inlineCard", "mediaInline",
                                          "placeholder", "inlineExtension"};
    return std::any_of(std::begin(kInline), std::end(kInline), [&](std::string_view t) { return type == t; });
  }

  static std::string_view list_kind(std::string_view type) {
    if (type == "bulletList" || type == "taskList" || type == "decisionList" || type == "listItem") return "bullet";
    if (type == "orderedList") return "ordered";
    return "";
  }

  template <class List>
  std::string blocks(const List& content, int depth, bool tight = false) {
    std::vector<std::string> parts;
    std::vector<std::string_view> kinds;  // list kind of each part, "" for a paragraph or other block
    NodeList run;
    std::string_view prev_kind;
    bool prev_alt = false;
    auto flush = [&] {
      if (run.empty()) return;
      std::string text = inlines(run, InlineMode::kParagraph, depth);
      run.clear();
      if (!text.empty()) {
        parts.push_back(std::move(text));
        kinds.emplace_back();
        prev_kind = {};
      }
    };
    if (!is_list(content)) return {};
    for (const JsonRef node : content) {
      const std::string_view type = node_type(node);
      if (is_inline(type) || (!type.empty() && known_block(type) == false && !array_field(node, "content").is_array())) {
        run.push_back(node);
        continue;
      }
      flush();
      const std::string_view kind = list_kind(type);
      // Two adjacent lists of one kind would merge; a different bullet or delimiter keeps
      // them apart.
      const bool alt = !kind.empty() && kind == prev_kind && !prev_alt;
      std::string text = block(node, depth, alt);
      if (text.empty()) {
        // An empty paragraph in the document (spacing Jira's editor keeps) has no Markdown
        // form; a leaf directive keeps it.
        if (depth != 0 || type != "paragraph" || has_member(node, "marks")) continue;
        text = "::paragraph";
      }
      parts.push_back(std::move(text));
      kinds.push_back(type == "paragraph" ? std::string_view() : (kind.empty() ? std::string_view("block") : kind));
      prev_kind = kind;
      prev_alt = alt;
    }
    flush();
    if (parts.size() == 1) return std::move(parts[0]);
    size_t total = 0;
    for (const std::string& part : parts) total += part.size() + 2;
    std::string out;
    out.reserve(total);
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

  static bool known_block(std::string_view type) {
    static constexpr std::string_view kBlocks[] = {
        "doc",          "paragraph",   "heading",        "bulletList",      "orderedList",
        "listItem",     "taskList",    "taskItem",       "decisionList",    "decisionItem",
        "codeBlock",    "blockquote",  "rule",           "panel",           "table",
        "tableRow",     "tableCell",   "tableHeader",    "mediaSingle",     "mediaGroup",
        "media",        "expand",      "nestedExpand",   "layoutSection",   "layoutColumn",
        "extension",    "bodiedExtension", "multiBodiedExtension", "extensionFrame", "caption",
        "blockCard",    "embedCard",   "syncBlock",      "bodiedSyncBlock", "blockTaskItem"};
    return std::any_of(std::begin(kBlocks), std::end(kBlocks), [&](std::string_view t) { return type == t; });
  }

  // The node's content array (a missing view, which iterates as empty, when it has none).
  static JsonRef children(JsonRef node) { return array_field(node, "content"); }

  static std::string prefix_lines(const std::string& body, const std::string& first, const std::string& rest) {
    std::string out;
    out.reserve(body.size() + first.size() + rest.size() * static_cast<size_t>(std::count(body.begin(), body.end(), '\n')));
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

  // `bare`: the node read as if it had no marks (its alignment and indentation being written
  // around it already).
  std::string block(JsonRef node, int depth, bool alt, bool bare = false) {
    const NodeMembers read = node_members(node);
    const std::string_view type = read.type;
    // The node's content array, as kids reads it.
    const JsonRef kids = read.content.is_array() ? read.content : JsonRef();
    if (depth > kMaxNesting) return escape_text(plain_text(node), EscapeContext{true, false, InlineMode::kParagraph, '\0'});
    const int inner = depth + 1;
    if (!bare && (type == "paragraph" || type == "heading") && read.marks.is_array() && !read.marks.empty()) {
      // Alignment and indentation: a container around the block, one per mark.
      std::string out = block(node, depth, alt, true);
      for (const JsonRef m : read.marks) {
        const std::string_view mt = node_type(m);
        if (mt == "alignment" || mt == "indentation") out = container(mt, written_attrs(m), out);
      }
      return out;
    }
    if (type == "paragraph" || type == "caption") return inlines(kids, InlineMode::kParagraph, depth);
    if (type == "heading") {
      int level = 1;
      if (const JsonRef v = object_field(node, "attrs")["level"]; v.is_number()) {
        level = std::clamp(v.to_int(), 1, 6);
      }
      std::string text = inlines(kids, InlineMode::kHeading, depth);
      return std::string(static_cast<size_t>(level), '#') + (text.empty() ? "" : " " + text);
    }
    if (type == "bulletList" || type == "listItem") {
      NodeList items;
      if (type == "listItem") {
        items.push_back(node);
      } else {
        for (const JsonRef item : kids) items.push_back(item);
      }
      std::string out;
      for (const JsonRef item : items) {
        if (!out.empty()) out += '\n';
        out += list_item(blocks(children(item), inner, true), alt ? "+ " : "- ");
      }
      return out;
    }
    if (type == "orderedList") {
      long long number = 1;
      if (const JsonRef v = object_field(node, "attrs")["order"]; v.is_number()) {
        number = static_cast<long long>(std::clamp(v.number(), 0.0, 99999999.0));
      }
      std::string out;
      for (const JsonRef item : kids) {
        if (!out.empty()) out += '\n';
        out += list_item(blocks(children(item), inner, true), std::to_string(number++) + (alt ? ") " : ". "));
      }
      return out;
    }
    if (type == "taskList") return task_list(node, depth, alt);
    if (type == "decisionList") {
      // Decided items are plain bullets; a list holding any other state is a task list inside
      // the directive, "[x]" decided and "[ ]" undecided (ADF's only other state).
      const JsonRef list = kids;
      const bool all_decided = std::all_of(list.begin(), list.end(), [](JsonRef item) {
        const std::string state = attr_string(item, "state");
        return state.empty() || state == "DECIDED";
      });
      std::string items;
      for (const JsonRef item : kids) {
        if (!items.empty()) items += '\n';
        const std::string state = attr_string(item, "state");
        const std::string marker = all_decided ? "- " : state.empty() || state == "DECIDED" ? "- [x] " : "- [ ] ";
        items += list_item(inlines(children(item), InlineMode::kParagraph, inner), marker);
      }
      return container("decisionList", written_attrs(node), items);
    }
    if (type == "taskItem" || type == "decisionItem" || type == "blockTaskItem") {
      const Json wrapped{{"type", "taskList"}, {"content", Json::array({node.to_json()})}};
      return task_list(JsonRef(wrapped), depth, alt);
    }
    if (type == "codeBlock") return code_block(node);
    if (type == "blockquote") return quote(blocks(kids, inner));
    if (type == "rule") return "---";
    if (type == "panel" || type == "expand" || type == "nestedExpand" || type == "layoutSection" ||
        type == "layoutColumn" || type == "bodiedExtension") {
      return container(type, written_attrs(node), blocks(kids, inner));
    }
    if (type == "table") return table(node, depth);
    if (type == "tableRow" || type == "tableCell" || type == "tableHeader") {
      const Json own = node.to_json();
      const Json wrapped{{"type", "table"}, {"content", Json::array({type == "tableRow" ? own : Json{{"type", "tableRow"}, {"content", Json::array({own})}}})}};
      return table(JsonRef(wrapped), depth);
    }
    if (type == "mediaSingle") {
      const JsonRef content = kids;
      if (content.size() == 1 && node_type(content.at(0)) == "media") return image(content.at(0), node);
      std::string body;
      for (const JsonRef child : content) {
        std::string part = node_type(child) == "media"     ? image(child, JsonRef())
                           : node_type(child) == "caption" ? container("caption", written_attrs(child),
                                                                        inlines(children(child), InlineMode::kParagraph, inner))
                                                           : std::string();
        if (part.empty()) continue;
        if (!body.empty()) body += "\n\n";
        body += part;
      }
      return container("mediaSingle", written_attrs(node), body);
    }
    if (type == "mediaGroup") {
      std::string body;
      for (const JsonRef child : kids) {
        if (node_type(child) != "media") continue;
        if (!body.empty()) body += "\n\n";
        body += image(child, JsonRef());
      }
      return container("mediaGroup", written_attrs(node), body);
    }
    if (type == "media") return image(node, JsonRef());
    if (type == "blockCard" || type == "embedCard" || type == "extension") {
      return "::" + std::string(type) + detail::write_attrs(written_attrs(node));
    }
    // doc, layouts, bodied extensions, sync blocks and unknown containers: their content.
    if (kids.is_array()) return blocks(kids, inner);
    std::string text = string_field(node, "text");
    if (text.empty()) text = attr_string(node, "text");
    if (text.empty()) return {};
    const Json lone{{"type", "text"}, {"text", text}};
    return inlines(NodeList{JsonRef(lone)}, InlineMode::kParagraph, depth);
  }

  // A container directive around rendered blocks; the fence is one colon longer than any fence
  // inside, as remark-directive nests them.
  static std::string container(std::string_view name, const Json& attrs, const std::string& body) {
    size_t inner = 2;
    size_t start = 0;
    while (start < body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      std::string_view line(body.data() + start, end - start);
      const size_t first = line.find_first_not_of(" >");
      if (first != std::string_view::npos) {
        size_t run = 0;
        while (first + run < line.size() && line[first + run] == ':') ++run;
        inner = std::max(inner, run);
      }
      start = end + 1;
    }
    const std::string fence(std::max<size_t>(3, inner + 1), ':');
    std::string out = fence;
    out += name;
    out += detail::write_attrs(attrs);
    out += "\n\n";
    out += body;
    if (!body.empty()) out += "\n\n";
    out += fence;
    return out;
  }

  // A media node as a Markdown image: external images by URL, Jira (Media Services) files as
  // media:ID; what a plain image cannot say follows in an attribute block. `single` is the
  // mediaSingle around it, whose layout and width join the attributes.
  static std::string image(JsonRef media, JsonRef single) {
    const std::string kind = attr_string(media, "type");
    std::string url;
    Json extra;
    if (kind == "external") {
      url = attr_string(media, "url");
      extra = written_attrs(media, {"type", "url", "alt"});
    } else {
      url = "media:" + attr_string(media, "id");
      extra = written_attrs(media, {"type", "id", "alt"});
      if (kind != "file") extra["type"] = kind;
      if (extra.contains("collection") && extra["collection"] == "") extra.erase("collection");
    }
    const std::string alt = attr_string(media, "alt");
    if (alt.empty() && object_field(media, "attrs").is_object() && has_member(media["attrs"], "alt")) extra["alt"] = media["attrs"]["alt"].to_json();
    if (!single.missing()) {
      Json sa = written_attrs(single);
      for (auto it = sa.begin(); it != sa.end(); ++it) {
        if (it.key() == "layout" && it.value() == "center") continue;
        extra[it.key() == "width" ? "singleWidth" : it.key()] = it.value();
      }
    }
    std::string label = alt;
    std::replace(label.begin(), label.end(), '\n', ' ');
    return "![" + escape_text(label, EscapeContext{false, true, InlineMode::kParagraph, ']'}) + "](" + link_destination(url) +
           ")" + detail::write_attrs(extra);
  }

  static std::string list_item(const std::string& body, const std::string& marker) {
    return prefix_lines(body, marker, std::string(marker.size(), ' '));
  }

  std::string task_list(JsonRef node, int depth, bool alt) {
    std::string out;
    const std::string bullet = alt ? "+ " : "- ";
    for (const JsonRef child : children(node)) {
      const std::string_view type = node_type(child);
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
        body += plain_text(children(child));
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

  static std::string code_block(JsonRef node) {
    std::string text;
    for (const JsonRef child : children(node)) text += string_field(child, "text");
    std::string language = attr_string(node, "language");
    language = language.substr(0, language.find_first_of(" \t\r\n`~"));
    size_t longest = 0;
    size_t run = 0;
    for (char c : text) {
      run = c == '`' ? run + 1 : 0;
      longest = std::max(longest, run);
    }
    std::string fence(std::max<size_t>(3, longest + 1), '`');
    // Attributes beyond the language (a wiki title, wrap, ...) follow it as an attribute block.
    Json extra = written_attrs(node, {"language"});
    std::string info = language;
    if (language.empty() && !attr_string(node, "language").empty()) extra["language"] = attr_string(node, "language");
    if (language.empty() && object_field(node, "attrs").is_object() && has_member(node["attrs"], "language") &&
        attr_string(node, "language").empty()) {
      extra["language"] = node["attrs"]["language"].to_json();
    }
    if (language != attr_string(node, "language") && !language.empty()) extra["language"] = attr_string(node, "language");
    if (!extra.empty()) info += (info.empty() ? "" : " ") + detail::write_attrs(extra);
    return fence + info + "\n" + text + (text.empty() ? "" : "\n") + fence;
  }

  // Whether GFM can hold the table as it is: a header row of tableHeader cells, body rows of
  // tableCell cells, equal widths, no cell attributes, one unmarked paragraph per cell without
  // line breaks.
  static bool gfm_table(JsonRef node) {
    const JsonRef rows = children(node);
    if (rows.empty()) return false;
    size_t width = 0;
    size_t r = 0;
    for (const JsonRef row : rows) {
      const JsonRef cells = children(row);
      if (cells.empty() || !written_attrs(row).empty()) return false;
      if (r == 0) width = cells.size();
      if (cells.size() != width) return false;
      for (const JsonRef cell : cells) {
        if (node_type(cell) != (r == 0 ? "tableHeader" : "tableCell") || !written_attrs(cell).empty()) return false;
        const JsonRef blocks = children(cell);
        if (blocks.size() != 1 || node_type(blocks.at(0)) != "paragraph" || has_member(blocks.at(0), "marks")) return false;
        for (const JsonRef inl : children(blocks.at(0))) {
          if (node_type(inl) == "hardBreak" || string_field(inl, "text").find('\n') != std::string::npos) return false;
        }
      }
      ++r;
    }
    return true;
  }

  std::string table(JsonRef node, int depth) {
    if (!gfm_table(node)) {
      // Spans, widths, colours, header columns, several blocks in a cell: the table as nested
      // containers, each cell's content as ordinary Markdown blocks.
      std::string rows_text;
      for (const JsonRef row : children(node)) {
        std::string cells_text;
        for (const JsonRef cell : children(row)) {
          if (!cells_text.empty()) cells_text += "\n\n";
          cells_text += container(node_type(cell), written_attrs(cell), blocks(children(cell), depth + 1));
        }
        if (!rows_text.empty()) rows_text += "\n\n";
        rows_text += container("tableRow", written_attrs(row), cells_text);
      }
      return container("table", written_attrs(node), rows_text);
    }
    Json table_attrs = written_attrs(node);
    const std::string lead = table_attrs.empty() ? "" : "::table" + detail::write_attrs(table_attrs) + "\n\n";
    std::vector<std::vector<std::string>> rows;
    size_t columns = 0;
    for (const JsonRef row : children(node)) {
      std::vector<std::string> cells;
      for (const JsonRef cell : children(row)) {
        std::string text;
        for (const JsonRef block : children(cell)) {
          const std::string_view type = node_type(block);
          std::string part = type == "paragraph" || type == "heading"
                                 ? inlines(children(block), InlineMode::kTableCell, depth)
                                 : escape_text(plain_text(block), EscapeContext{false, false, InlineMode::kTableCell, '\0'});
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
    std::string out = lead + line(rows[0]) + "\n|";
    for (size_t i = 0; i < columns; ++i) out += " --- |";
    for (size_t r = 1; r < rows.size(); ++r) out += "\n" + line(rows[r]);
    return out;
  }

  // ---- inline ------------------------------------------------------------------------------

  static Json link_text(const std::string& text, const std::string& href) {
    return Json{{"type", "text"}, {"text", text}, {"marks", Json::array({Json{{"type", "link"}, {"attrs", {{"href", href}}}}})}};
  }

  static Json media_inline(JsonRef media) {
    std::string url = attr_string(media, "url");
    if (attr_string(media, "type") == "external" && !url.empty()) {
      std::string alt = attr_string(media, "alt");
      return link_text(alt.empty() ? url : alt, url);
    }
    return Json{{"type", "text"}, {"text", "[" + detail::media_label(media.to_json()) + "]"}};
  }

  // `marks`: the node's "marks" member.
  static std::vector<Mark> marks_of(JsonRef marks, bool& code) {
    std::vector<Mark> out;
    code = false;
    if (!marks.is_array()) return out;
    for (const JsonRef m : marks) {
      const std::string_view type = node_type(m);
      if (type == "code") {
        code = true;
      } else if (type == "strong" || type == "em" || type == "strike") {
        out.push_back(Mark{std::string(type), {}, {}, {}});
      } else if (is_directive_mark(type)) {
        const JsonRef attrs = object_field(m, "attrs");
        out.push_back(Mark{std::string(type), attrs.is_object() ? detail::write_attrs(attrs.to_json()) : std::string(), {}, {}});
      } else if (type == "link") {
        const JsonRef attrs = object_field(m, "attrs");
        if (!attrs.is_object()) continue;
        out.push_back(Mark{"link", string_field(attrs, "href"), string_field(attrs, "title"), {}});
      }
    }
    // Duplicates (two links, strong twice) would unbalance the stack.
    std::vector<Mark> unique;
    for (Mark& m : out) {
      if (std::none_of(unique.begin(), unique.end(), [&](const Mark& u) { return u.type == m.type; })) unique.push_back(std::move(m));
    }
    return unique;
  }

  // An inline node Markdown has no syntax for, as :type[label]{attrs}; the label is the text a
  // reader sees (status text, emoji short name, date, alt text), the attributes the rest.
  static std::string inline_directive(JsonRef node, std::string_view type) {
    std::string label;
    Json attrs;
    if (type == "status" || type == "placeholder") {
      label = attr_string(node, "text");
      attrs = written_attrs(node, {"text"});
    } else if (type == "emoji") {
      label = attr_string(node, "shortName");
      attrs = written_attrs(node, {"shortName"});
    } else if (type == "date") {
      label = detail::date_text(node.to_json());
      attrs = written_attrs(node);
      const JsonRef stamp = object_field(node, "attrs")["timestamp"];
      if (stamp.is_string() && stamp.str() == detail::date_timestamp(label)) {
        attrs.erase("timestamp");
      }
    } else if (type == "mediaInline") {
      label = attr_string(node, "alt");
      attrs = written_attrs(node, {"alt"});
      if (label.empty() && object_field(node, "attrs").is_object() && has_member(node["attrs"], "alt")) attrs["alt"] = "";
    } else {
      attrs = written_attrs(node);
    }
    // An empty label must still parse as the same node: its text moves to the attributes.
    if (label.empty() && (type == "status" || type == "placeholder") && has_member(node, "attrs") && has_member(node["attrs"], "text")) {
      attrs["text"] = node["attrs"]["text"].to_json();
    }
    std::replace(label.begin(), label.end(), '\n', ' ');
    std::string out = ":" + std::string(type);
    if (!label.empty()) out += "[" + escape_text(label, EscapeContext{false, true, InlineMode::kParagraph, ']'}) + "]";
    out += detail::write_attrs(attrs);
    if (label.empty() && attrs.empty()) out += "{}";
    return out;
  }

  template <class List>
  void collect(std::vector<Item>& items, const List& nodes, int depth) {
    if (!is_list(nodes)) return;
    for (const JsonRef node : nodes) {
      const NodeMembers read = node_members(node);
      const std::string_view type = read.type;
      if (type == "text") {
        bool code = false;
        std::vector<Mark> marks = marks_of(read.marks, code);
        const std::string_view text = read.text.str();
        if (text.empty()) continue;
        if (code) {
          std::erase_if(marks, [](const Mark& m) { return m.type != "link"; });
          items.push_back(Item::borrowing(Item::Kind::kCode, text, std::move(marks)));
          continue;
        }
        // Newlines inside text are line breaks.
        // The usual text (one line) moves into its item whole, marks and all, without a copy.
        const size_t size = text.size();
        const bool one_line = text.find('\n') == std::string::npos;
        size_t start = 0;
        while (start <= size) {
          size_t end = one_line ? size : text.find('\n', start);
          if (end == std::string::npos) end = size;
          if (start > 0) items.push_back(Item{Item::Kind::kBreak, {}, {}});
          // A piece without '\r' is read in place.
          const std::string_view in_place = text.substr(start, end - start);
          const bool copied = in_place.find('\r') != std::string_view::npos;
          std::string own = copied ? std::string(in_place) : std::string();
          std::erase(own, '\r');
          const std::string_view piece = copied ? std::string_view(own) : in_place;
          if (!piece.empty()) {
            std::vector<Mark> piece_marks = one_line ? std::move(marks) : marks;
            if (piece.find_first_not_of(" \t") == std::string::npos) {
              std::erase_if(piece_marks, [](const Mark& m) { return m.type != "link" && !m.directive(); });
            }
            if (copied) {
              items.push_back(Item{Item::Kind::kText, std::move(own), std::move(piece_marks)});
            } else {
              items.push_back(Item::borrowing(Item::Kind::kText, piece, std::move(piece_marks)));
            }
          }
          start = end + 1;
        }
      } else if (type == "hardBreak") {
        items.push_back(Item{Item::Kind::kBreak, {}, {}});
      } else if (type == "mention") {
        std::string id = attr_string(node, "id");
        const bool has_text = object_field(node, "attrs")["text"].is_string();
        std::string name = attr_string(node, "text");
        if (id.empty()) {
          if (!name.empty()) items.push_back(Item{Item::Kind::kText, name, {}});
          continue;
        }
        Json extra = written_attrs(node, {"id", "text"});
        const bool dc_user = id.rfind("user:", 0) == 0 && id.size() > 5;
        const std::string shown_id = dc_user ? id.substr(5) : id;
        if (!has_text) {
          extra["text"] = nullptr;
          name = shown_id;
        } else if (name.empty() || name[0] != '@' || name.find('\n') != std::string::npos) {
          extra["text"] = name;
          if (name.empty() || name.find('\n') != std::string::npos) name = shown_id;
        } else {
          name.erase(0, 1);
        }
        items.push_back(Item{Item::Kind::kRaw,
                             "@[" + escape_text(name, EscapeContext{false, true, InlineMode::kParagraph, ']'}) + "](" +
                                 (dc_user ? "user:" : "accountid:") + link_destination(shown_id) + ")" +
                                 detail::write_attrs(extra),
                             {}});
      } else if (type == "emoji" || type == "status" || type == "date" || type == "placeholder" ||
                 type == "inlineCard" || type == "mediaInline" || type == "inlineExtension") {
        items.push_back(Item{Item::Kind::kRaw, inline_directive(node, type), {}});
      } else if (type == "media") {
        held_.push_back(media_inline(node));
        collect(items, NodeList{JsonRef(held_.back())}, depth);
      } else if (depth < kMaxNesting && array_field(node, "content").is_array()) {
        collect(items, array_field(node, "content"), depth + 1);
      } else {
        std::string text = string_field(node, "text");
        if (text.empty()) text = attr_string(node, "text");
        if (text.empty() && array_field(node, "content").is_array()) text = plain_text(node);
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

  template <class List>
  std::string inlines(const List& nodes, InlineMode mode, int depth) {
    std::vector<Item> items;
    items.reserve(8);
    collect(items, nodes, depth);
    // Line breaks at the end of a paragraph mean nothing in Markdown and would not parse back;
    // at its start a paragraph keeps them ("\\" lines) when text follows, else they go too.
    while (!items.empty() && items.back().kind == Item::Kind::kBreak) items.pop_back();
    size_t leading = 0;
    while (leading < items.size() && items[leading].kind == Item::Kind::kBreak) ++leading;
    items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(leading));
    if (mode != InlineMode::kParagraph || items.empty()) leading = 0;
    // A link whose text is its URL is written <url>.
    for (size_t i = 0; i < items.size(); ++i) {
      Item& item = items[i];
      if (item.kind == Item::Kind::kText && item.marks.size() == 1 && item.marks[0].type == "link" &&
          item.marks[0].href == item.text() && item.marks[0].title.empty() && autolinkable(item.text()) &&
          run_length(items, i, item.marks[0]) == 1 && (i == 0 || run_length(items, i - 1, item.marks[0]) == 0)) {
        item.kind = Item::Kind::kRaw;
        item.own = "<" + std::string(item.text()) + ">";
        item.owned = true;
        item.marks.clear();
      }
    }

    std::string out;
    size_t estimate = leading * 2 + 16;
    for (const Item& item : items) estimate += item.text().size();
    out.reserve(estimate);
    for (size_t k = 0; k < leading; ++k) out += "\\\n";
    size_t line_start = out.size();
    std::vector<Mark> active;
    auto close_to = [&](size_t keep) {
      while (active.size() > keep) {
        const Mark m = std::move(active.back());
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
        if (m.directive()) {
          out += "]" + m.href;
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
      // (stable_sort takes a buffer from the heap even for one element)
      if (opening.size() > 1) std::stable_sort(opening.begin(), opening.end(), [&](const Mark& a, const Mark& b) {
        size_t ra = run_length(items, i, a);
        size_t rb = run_length(items, i, b);
        if (ra != rb) return ra > rb;
        return mark_rank(a.type) < mark_rank(b.type);
      });
      if (std::any_of(active.begin(), active.end(), [](const Mark& m) { return m.type == "link"; })) {
        std::erase_if(opening, [](const Mark& m) { return m.type == "link"; });
      }

      std::string_view text = item.text();
      const bool at_line_start = out.size() == line_start && mode == InlineMode::kParagraph;
      if (item.kind == Item::Kind::kText) {
        if (at_line_start || (i == 0)) {
          size_t lead = 0;
          while (lead < text.size() && is_space(text[lead])) ++lead;
          text.remove_prefix(lead);
        } else if (std::any_of(opening.begin(), opening.end(), [](const Mark& m) { return m.type != "link" && !m.directive(); })) {
          size_t lead = 0;
          while (lead < text.size() && is_space(text[lead])) ++lead;
          out += text.substr(0, lead);
          text.remove_prefix(lead);
        }
        if (text.empty()) continue;
      }
      for (Mark& m : opening) {
        m.delim = m.type == "link" ? "[" : delimiter(m);
        // "**a*b***" then "*c*" would fuse into one delimiter run; "_c_" stays apart.
        if (!out.empty() && out.back() == '*' && m.delim[0] == '*') m.delim.assign(m.delim.size(), '_');
        out += m.delim;
        active.push_back(std::move(m));  // opening is not read again
      }
      const bool in_link = std::any_of(active.begin(), active.end(), [](const Mark& m) { return m.type == "link" || m.directive(); });
      switch (item.kind) {
        case Item::Kind::kText: {
          char next = '\0';
          if (i + 1 < items.size() && items[i + 1].kind == Item::Kind::kText && !items[i + 1].text().empty()) {
            next = items[i + 1].text()[0];
          }
          // A link opening right after: its "[" follows ("!" before it would make an image).
          if (i + 1 < items.size()) {
            for (const Mark& m : items[i + 1].marks) {
              if ((m.type == "link" || m.directive()) && std::find(item.marks.begin(), item.marks.end(), m) == item.marks.end()) {
                next = m.type == "link" ? '[' : ':';
              }
            }
            if (items[i + 1].kind == Item::Kind::kRaw && !items[i + 1].text().empty()) next = items[i + 1].text()[0];
          }
          const bool after_raw = i > 0 && items[i - 1].kind == Item::Kind::kRaw;
          detail::append_escaped(out, text, EscapeContext{out.size() == line_start && mode == InlineMode::kParagraph, in_link, mode, next, after_raw});
          break;
        }
        case Item::Kind::kCode:
          out += code_span(std::string(text), mode);
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

std::string adf_to_markdown(const Json& adf) { return adf_to_markdown_view(JsonRef(adf)); }

std::string adf_to_markdown_view(JsonRef adf) {
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
