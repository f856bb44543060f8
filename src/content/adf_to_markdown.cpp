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
#include <cstdint>
#include <forward_list>
#include <span>
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
  if (v.is_number()) return detail::number_attr_text(v.number());
  return {};
}
bool has_member(JsonRef j, std::string_view key) { return !j[key].missing(); }
// The members of a node read most, found in one pass (a lookup by key scans the members of a
// simdjson object); as j["type"], j["text"], j["marks"], j["content"], j["attrs"] would read them.
struct NodeMembers {
  static constexpr std::string_view kKeys[] = {"type", "text", "marks", "content", "attrs"};
  JsonRef found[std::size(kKeys)];  // as kKeys names them; filled by JsonRef::find_members
  std::string_view type;
  JsonRef text() const { return found[1]; }
  JsonRef marks() const { return found[2]; }
  JsonRef content() const { return found[3]; }
  JsonRef attrs() const { return found[4]; }
};
// a == b for short strings (keys, node types), without a call to memcmp.
bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}
NodeMembers node_members(JsonRef j) {
  NodeMembers read;
  j.find_members(NodeMembers::kKeys, read.found, std::size(NodeMembers::kKeys));
  read.type = read.found[0].str();
  return read;
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

// A text mark. Its strings are views: into the document, into a Json the writer made
// (MarkdownWriter::held_), into the writer's owned_ strings, or of literals; all outlive the
// writer's inline pass.
struct Mark {
  // strong, em, strike, link; else a mark Markdown has no syntax for, written as the inline
  // directive :type[...]{attrs} (href then holds the written attributes).
  enum class Kind : std::uint8_t { kStrong, kEm, kStrike, kLink, kDirective };
  Kind kind = Kind::kStrong;
  std::string_view type;  // the ADF name: which kind, or which directive
  std::string_view href;
  std::string_view title;
  std::string_view delim;  // the delimiter it was opened with
  // (Each kind but a directive has one type.)
  bool operator==(const Mark& other) const {
    return kind == other.kind && (kind != Kind::kDirective || same(type, other.type)) && href == other.href;
  }
  bool directive() const { return kind == Kind::kDirective; }
  bool link() const { return kind == Kind::kLink; }
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

// One piece of inline content. The text is a view like a Mark's (the usual text node is read
// where the document holds it); the marks are MarkdownWriter::marks_[mark_begin, mark_end).
struct Item {
  enum class Kind : std::uint8_t { kText, kCode, kRaw, kBreak };
  Kind kind = Kind::kText;
  std::string_view text;
  std::uint32_t mark_begin = 0;
  std::uint32_t mark_end = 0;
};


int mark_rank(std::string_view type) {
  if (type == "link") return 0;
  if (type == "strong") return 1;
  if (type == "em") return 2;
  return 3;
}

// The delimiter that opens an emphasis mark (a link opens with "[", a directive with ":type[").
std::string_view delimiter(const Mark& m) {
  switch (m.kind) {
    case Mark::Kind::kStrong: return "**";
    case Mark::Kind::kEm: return "*";
    case Mark::Kind::kStrike: return "~~";
    case Mark::Kind::kLink: return "[";
    case Mark::Kind::kDirective: return ":";
  }
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
  // Lists, so that nothing moves and an empty one allocates nothing (most documents have none).
  std::forward_list<Json> held_;
  // Text made while rendering (written attributes, raw inline constructs) that items and marks
  // view.
  std::forward_list<std::string> owned_;
  // The inline pass's working sets, kept for the next paragraph's. inlines() is not re-entered
  // (collect renders no blocks), so one set serves.
  std::vector<Item> items_;
  std::vector<Mark> marks_;
  std::vector<Mark> active_;
  std::vector<Mark> opening_;

  std::string_view keep(std::string text) {
    owned_.push_front(std::move(text));
    return owned_.front();
  }
  std::span<const Mark> marks(const Item& item) const {
    return {marks_.data() + item.mark_begin, item.mark_end - item.mark_begin};
  }
  bool has_mark(const Item& item, const Mark& m) const {
    const std::span<const Mark> ms = marks(item);
    return std::find(ms.begin(), ms.end(), m) != ms.end();
  }

  // ---- blocks -----------------------------------------------------------------------------

  static bool is_inline(std::string_view type) {
    static constexpr std::string_view kInline[] = {"text",        "hardBreak",   "mention",    "emoji",
                                          "date",        "status",      "inlineCard", "mediaInline",
                                          "placeholder", "inlineExtension"};
    return std::any_of(std::begin(kInline), std::end(kInline), [&](std::string_view t) { return same(type, t); });
  }

  static std::string_view list_kind(std::string_view type) {
    if (type == "bulletList" || type == "taskList" || type == "decisionList" || type == "listItem") return "bullet";
    if (type == "orderedList") return "ordered";
    return "";
  }

  template <class List>
  std::string blocks(const List& content, int depth, bool tight = false) {
    // The rendered blocks, joined as they come.
    std::string out;
    bool any = false;
    std::string_view last_part;  // list kind of the last part, "" for a paragraph or other block
    auto emit = [&](std::string&& text, std::string_view part) {
      if (!any) {
        out = std::move(text);
      } else {
        // Inside a list item a nested list follows its paragraph directly, keeping the list
        // tight. (Only a bullet list or a list starting at 1 may interrupt a paragraph.)
        const bool list_follows = part == "bullet" || (part == "ordered" && text.rfind("1", 0) == 0 && text.size() > 1 &&
                                                       (text[1] == '.' || text[1] == ')'));
        out += tight && list_follows && last_part.empty() ? "\n" : "\n\n";
        out += text;
      }
      any = true;
      last_part = part;
    };
    NodeList run;
    std::string_view prev_kind;
    bool prev_alt = false;
    auto flush = [&] {
      if (run.empty()) return;
      std::string text = inlines(run, InlineMode::kParagraph, depth);
      run.clear();
      if (!text.empty()) {
        emit(std::move(text), {});
        prev_kind = {};
      }
    };
    if (!is_list(content)) return {};
    for (const JsonRef node : content) {
      const NodeMembers read = node_members(node);
      const std::string_view type = read.type;
      // (The two lists are disjoint: a block, the usual node here, is found without a look
      // through the inline types.)
      if (!known_block(type) && (is_inline(type) || (!type.empty() && !read.content().is_array()))) {
        run.push_back(node);
        continue;
      }
      flush();
      // The usual paragraph or heading (no alignment or indentation around it, within the
      // nesting limit) is written straight into out: what block() and emit() would write.
      const bool plain = depth <= kMaxNesting && !(read.marks().is_array() && !read.marks().empty());
      if (plain && (same(type, "paragraph") || same(type, "heading"))) {
        const size_t before = out.size();
        if (any) out += "\n\n";  // (neither kind lets a list follow tightly)
        const JsonRef kids = read.content().is_array() ? read.content() : JsonRef();
        if (same(type, "paragraph")) {
          const size_t start = out.size();
          append_inlines(out, kids, InlineMode::kParagraph, depth);
          if (out.size() == start) {
            // As in the loop below: an empty paragraph is kept only at the top, unmarked.
            if (depth != 0 || !read.marks().missing()) {
              out.resize(before);
              continue;
            }
            out += "::paragraph";
          }
          last_part = {};
        } else {
          out.append(static_cast<size_t>(heading_level(read)), '#');
          const size_t space = out.size();
          out += ' ';
          append_inlines(out, kids, InlineMode::kHeading, depth);
          if (out.size() == space + 1) out.resize(space);
          last_part = "block";
        }
        any = true;
        prev_kind = {};
        prev_alt = false;
        continue;
      }
      const std::string_view kind = list_kind(type);
      // Two adjacent lists of one kind would merge; a different bullet or delimiter keeps
      // them apart.
      const bool alt = !kind.empty() && kind == prev_kind && !prev_alt;
      std::string text = block(node, read, depth, alt);
      if (text.empty()) {
        // An empty paragraph in the document (spacing Jira's editor keeps) has no Markdown
        // form; a leaf directive keeps it.
        if (depth != 0 || type != "paragraph" || !read.marks().missing()) continue;
        text = "::paragraph";
      }
      emit(std::move(text), type == "paragraph" ? std::string_view() : (kind.empty() ? std::string_view("block") : kind));
      prev_kind = kind;
      prev_alt = alt;
    }
    flush();
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
    return std::any_of(std::begin(kBlocks), std::end(kBlocks), [&](std::string_view t) { return same(type, t); });
  }

  static int heading_level(const NodeMembers& read) {
    const JsonRef v = (read.attrs().is_object() ? read.attrs() : JsonRef())["level"];
    return v.is_number() ? std::clamp(v.to_int(), 1, 6) : 1;
  }

  // The node's content array (a missing view, which iterates as empty, when it has none).
  static JsonRef children(JsonRef node) { return array_field(node, "content"); }

  static std::string prefix_lines(std::string_view body, std::string_view first, std::string_view rest) {
    std::string out;
    append_prefixed(out, body, first, rest);
    return out;
  }

  // body with `first` before its first line and `rest` before the others (trailing spaces of a
  // prefix dropped on an empty line), appended to out.
  static void append_prefixed(std::string& out, std::string_view body, std::string_view first, std::string_view rest) {
    if (out.empty()) out.reserve(body.size() + first.size() + rest.size());
    size_t start = 0;
    bool is_first = true;
    while (start <= body.size()) {
      size_t end = body.find('\n', start);
      if (end == std::string_view::npos) end = body.size();
      const std::string_view line = body.substr(start, end - start);
      if (!is_first) out += '\n';
      std::string_view prefix = is_first ? first : rest;
      if (line.empty()) {
        while (!prefix.empty() && prefix.back() == ' ') prefix.remove_suffix(1);
        out += prefix;
      } else {
        out += prefix;
        out += line;
      }
      is_first = false;
      start = end + 1;
    }
  }

  static std::string quote(const std::string& body) { return prefix_lines(body, "> ", "> "); }

  // `bare`: the node read as if it had no marks (its alignment and indentation being written
  // around it already).
  // `read`: the node's members.
  std::string block(JsonRef node, const NodeMembers& read, int depth, bool alt, bool bare = false) {
    const std::string_view type = read.type;
    // The node's content array, as kids reads it.
    const JsonRef kids = read.content().is_array() ? read.content() : JsonRef();
    if (depth > kMaxNesting) return escape_text(plain_text(node), EscapeContext{true, false, InlineMode::kParagraph, '\0'});
    const int inner = depth + 1;
    if (!bare && (same(type, "paragraph") || same(type, "heading")) && read.marks().is_array() && !read.marks().empty()) {
      // Alignment and indentation: a container around the block, one per mark.
      std::string out = block(node, read, depth, alt, true);
      for (const JsonRef m : read.marks()) {
        const std::string_view mt = node_type(m);
        if (mt == "alignment" || mt == "indentation") out = container(mt, written_attrs(m), out);
      }
      return out;
    }
    if (same(type, "paragraph") || same(type, "caption")) return inlines(kids, InlineMode::kParagraph, depth);
    if (same(type, "heading")) {
      const std::string text = inlines(kids, InlineMode::kHeading, depth);
      std::string out(static_cast<size_t>(heading_level(read)), '#');
      if (!text.empty()) {
        out += ' ';
        out += text;
      }
      return out;
    }
    if (same(type, "bulletList") || same(type, "listItem")) {
      std::string out;
      auto item = [&](JsonRef node_item) {
        if (!out.empty()) out += '\n';
        append_list_item(out, blocks(children(node_item), inner, true), alt ? "+ " : "- ");
      };
      if (type == "listItem") {
        item(node);
      } else {
        for (const JsonRef each : kids) item(each);
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
        append_list_item(out, blocks(children(item), inner, true), std::to_string(number++) + (alt ? ") " : ". "));
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
    std::string out;
    append_list_item(out, body, marker);
    return out;
  }
  static void append_list_item(std::string& out, std::string_view body, std::string_view marker) {
    append_prefixed(out, body, marker, std::string(marker.size(), ' '));
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

  // Appends the marks of a text node (`marks`: its "marks" member) to marks_ and returns where
  // they start; each type once (duplicates, two links or strong twice, would unbalance the stack).
  // `code`: whether it has a code mark.
  std::uint32_t marks_of(JsonRef marks, bool& code) {
    const auto begin = static_cast<std::uint32_t>(marks_.size());
    code = false;
    if (!marks.is_array()) return begin;
    for (const JsonRef m : marks) {
      const NodeMembers read = node_members(m);
      const std::string_view type = read.type;
      const JsonRef attrs = read.attrs().is_object() ? read.attrs() : JsonRef();
      Mark mark;
      if (same(type, "code")) {
        code = true;
        continue;
      } else if (same(type, "strong")) {
        mark = Mark{Mark::Kind::kStrong, "strong", {}, {}, {}};
      } else if (same(type, "em")) {
        mark = Mark{Mark::Kind::kEm, "em", {}, {}, {}};
      } else if (same(type, "strike")) {
        mark = Mark{Mark::Kind::kStrike, "strike", {}, {}, {}};
      } else if (is_directive_mark(type)) {
        mark = Mark{Mark::Kind::kDirective, type, attrs.is_object() ? keep(detail::write_attrs(attrs.to_json())) : std::string_view(), {}, {}};
      } else if (same(type, "link")) {
        if (!attrs.is_object()) continue;
        static constexpr std::string_view kKeys[] = {"href", "title"};
        JsonRef found[2];
        attrs.find_members(kKeys, found, 2);
        mark = Mark{Mark::Kind::kLink, "link", found[0].str(), found[1].str(), {}};
      } else {
        continue;
      }
      if (std::none_of(marks_.begin() + begin, marks_.end(), [&](const Mark& u) { return same(u.type, mark.type); })) {
        marks_.push_back(mark);
      }
    }
    return begin;
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

  // Appends the inline content of `nodes` to items_ (their marks to marks_).
  template <class List>
  void collect(const List& nodes, int depth) {
    if (!is_list(nodes)) return;
    auto text_item = [&](Item::Kind kind, std::string_view text, std::uint32_t mark_begin) {
      items_.push_back(Item{kind, text, mark_begin, static_cast<std::uint32_t>(marks_.size())});
    };
    for (const JsonRef node : nodes) {
      const NodeMembers read = node_members(node);
      const std::string_view type = read.type;
      if (same(type, "text")) {
        bool code = false;
        const std::uint32_t mark_begin = marks_of(read.marks(), code);
        const auto mark_end = static_cast<std::uint32_t>(marks_.size());
        const std::string_view text = read.text().str();
        if (text.empty()) continue;
        if (code) {
          // A code span keeps its links only.
          marks_.erase(std::remove_if(marks_.begin() + mark_begin, marks_.end(), [](const Mark& m) { return !m.link(); }),
                       marks_.end());
          text_item(Item::Kind::kCode, text, mark_begin);
          continue;
        }
        // Newlines inside text are line breaks.
        // The usual text (one line) becomes one item with the node's marks, without a copy.
        const size_t size = text.size();
        const bool one_line = text.find('\n') == std::string::npos;
        size_t start = 0;
        while (start <= size) {
          size_t end = one_line ? size : text.find('\n', start);
          if (end == std::string::npos) end = size;
          if (start > 0) items_.push_back(Item{Item::Kind::kBreak, {}, 0, 0});
          // A piece without '\r' is read in place.
          std::string_view piece = text.substr(start, end - start);
          if (piece.find('\r') != std::string_view::npos) {
            std::string own(piece);
            std::erase(own, '\r');
            piece = keep(std::move(own));
          }
          if (!piece.empty()) {
            // Only links and directives stay on blank text.
            const bool blank = piece.find_first_not_of(" \t") == std::string::npos;
            if (one_line && !blank) {
              items_.push_back(Item{Item::Kind::kText, piece, mark_begin, mark_end});
            } else {
              const auto piece_begin = static_cast<std::uint32_t>(marks_.size());
              for (std::uint32_t k = mark_begin; k < mark_end; ++k) {
                const Mark m = marks_[k];
                if (!blank || m.link() || m.directive()) marks_.push_back(m);
              }
              text_item(Item::Kind::kText, piece, piece_begin);
            }
          }
          start = end + 1;
        }
      } else if (type == "hardBreak") {
        items_.push_back(Item{Item::Kind::kBreak, {}, 0, 0});
      } else if (type == "mention") {
        std::string id = attr_string(node, "id");
        const bool has_text = object_field(node, "attrs")["text"].is_string();
        std::string name = attr_string(node, "text");
        if (id.empty()) {
          if (!name.empty()) items_.push_back(Item{Item::Kind::kText, keep(std::move(name)), 0, 0});
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
        items_.push_back(Item{Item::Kind::kRaw,
                              keep("@[" + escape_text(name, EscapeContext{false, true, InlineMode::kParagraph, ']'}) + "](" +
                                   (dc_user ? "user:" : "accountid:") + link_destination(shown_id) + ")" +
                                   detail::write_attrs(extra)),
                              0, 0});
      } else if (type == "emoji" || type == "status" || type == "date" || type == "placeholder" ||
                 type == "inlineCard" || type == "mediaInline" || type == "inlineExtension") {
        items_.push_back(Item{Item::Kind::kRaw, keep(inline_directive(node, type)), 0, 0});
      } else if (type == "media") {
        held_.push_front(media_inline(node));
        collect(NodeList{JsonRef(held_.front())}, depth);
      } else if (depth < kMaxNesting && read.content().is_array()) {
        collect(read.content(), depth + 1);
      } else {
        std::string text = string_field(node, "text");
        if (text.empty()) text = attr_string(node, "text");
        if (text.empty() && read.content().is_array()) text = plain_text(node);
        if (!text.empty()) items_.push_back(Item{Item::Kind::kText, keep(std::move(text)), 0, 0});
      }
    }
  }

  // Whether mark m stays on items_[from..]: the number of consecutive items carrying it.
  size_t run_length(size_t from, const Mark& m) const {
    size_t n = 0;
    for (size_t i = from; i < items_.size(); ++i) {
      if (!has_mark(items_[i], m)) break;
      ++n;
    }
    return n;
  }

  template <class List>
  std::string inlines(const List& nodes, InlineMode mode, int depth) {
    std::string out;
    append_inlines(out, nodes, mode, depth);
    return out;
  }

  // The inline content `nodes` written after what `out` holds, which it does not read or change.
  template <class List>
  void append_inlines(std::string& out, const List& nodes, InlineMode mode, int depth) {
    const size_t base = out.size();
    if (items_.capacity() == 0) {
      // Enough for most paragraphs (a paragraph has at most one mark of each kind open).
      items_.reserve(16);
      marks_.reserve(16);
      active_.reserve(9);
      opening_.reserve(9);
    }
    items_.clear();
    marks_.clear();
    collect(nodes, depth);
    std::vector<Item>& items = items_;
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
      if (item.kind != Item::Kind::kText || item.mark_end - item.mark_begin != 1) continue;
      const Mark& m = marks_[item.mark_begin];
      if (m.link() && m.href == item.text && m.title.empty() && autolinkable(item.text) && run_length(i, m) == 1 &&
          (i == 0 || run_length(i - 1, m) == 0)) {
        item.kind = Item::Kind::kRaw;
        item.text = keep("<" + std::string(item.text) + ">");
        item.mark_end = item.mark_begin;
      }
    }

    size_t estimate = leading * 2 + 16;
    for (const Item& item : items) estimate += item.text.size();
    out.reserve(base + estimate);
    for (size_t k = 0; k < leading; ++k) out += "\\\n";
    size_t line_start = out.size();
    std::vector<Mark>& active = active_;
    active.clear();
    auto close_to = [&](size_t keep_open) {
      while (active.size() > keep_open) {
        const Mark m = active.back();
        active.pop_back();
        if (m.link()) {
          out += "](";
          detail::append_link_destination(out, m.href);
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
          out += ']';
          out += m.href;
          continue;
        }
        // The closing delimiter goes before trailing whitespace.
        size_t spaces = 0;
        while (spaces < out.size() - base && is_space(out[out.size() - 1 - spaces])) ++spaces;
        out.insert(out.size() - spaces, m.delim);
      }
    };

    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      if (item.kind == Item::Kind::kBreak) {
        close_to(0);
        while (out.size() > base && is_space(out.back())) out.pop_back();
        out += mode == InlineMode::kParagraph ? "\\\n" : " ";
        if (mode == InlineMode::kParagraph) line_start = out.size();
        continue;
      }
      size_t keep_open = 0;
      while (keep_open < active.size() && has_mark(item, active[keep_open])) ++keep_open;
      close_to(keep_open);
      std::vector<Mark>& opening = opening_;
      opening.clear();
      for (const Mark& m : marks(item)) {
        if (std::find(active.begin(), active.end(), m) == active.end()) opening.push_back(m);
      }
      // (stable_sort takes a buffer from the heap even for one element)
      if (opening.size() > 1) std::stable_sort(opening.begin(), opening.end(), [&](const Mark& a, const Mark& b) {
        size_t ra = run_length(i, a);
        size_t rb = run_length(i, b);
        if (ra != rb) return ra > rb;
        return mark_rank(a.type) < mark_rank(b.type);
      });
      if (std::any_of(active.begin(), active.end(), [](const Mark& m) { return m.link(); })) {
        std::erase_if(opening, [](const Mark& m) { return m.link(); });
      }

      std::string_view text = item.text;
      const bool at_line_start = out.size() == line_start && mode == InlineMode::kParagraph;
      if (item.kind == Item::Kind::kText) {
        if (at_line_start || (i == 0)) {
          size_t lead = 0;
          while (lead < text.size() && is_space(text[lead])) ++lead;
          text.remove_prefix(lead);
        } else if (std::any_of(opening.begin(), opening.end(), [](const Mark& m) { return !m.link() && !m.directive(); })) {
          size_t lead = 0;
          while (lead < text.size() && is_space(text[lead])) ++lead;
          out += text.substr(0, lead);
          text.remove_prefix(lead);
        }
        if (text.empty()) continue;
      }
      for (Mark& m : opening) {
        m.delim = delimiter(m);
        // "**a*b***" then "*c*" would fuse into one delimiter run; "_c_" stays apart.
        if (out.size() > base && out.back() == '*' && m.delim[0] == '*') m.delim = m.delim.size() == 2 ? "__" : "_";
        out += m.delim;
        if (m.directive()) {
          out += m.type;
          out += '[';
        }
        active.push_back(m);
      }
      const bool in_link = std::any_of(active.begin(), active.end(), [](const Mark& m) { return m.link() || m.directive(); });
      switch (item.kind) {
        case Item::Kind::kText: {
          char next = '\0';
          if (i + 1 < items.size() && items[i + 1].kind == Item::Kind::kText && !items[i + 1].text.empty()) {
            next = items[i + 1].text[0];
          }
          // A link opening right after: its "[" follows ("!" before it would make an image).
          if (i + 1 < items.size()) {
            for (const Mark& m : marks(items[i + 1])) {
              if ((m.link() || m.directive()) && !has_mark(item, m)) next = m.link() ? '[' : ':';
            }
            if (items[i + 1].kind == Item::Kind::kRaw && !items[i + 1].text.empty()) next = items[i + 1].text[0];
          }
          const bool after_raw = i > 0 && items[i - 1].kind == Item::Kind::kRaw;
          detail::append_escaped(out, text, EscapeContext{out.size() == line_start && mode == InlineMode::kParagraph, in_link, mode, next, after_raw});
          break;
        }
        case Item::Kind::kCode:
          detail::append_code_span(out, text, mode);
          break;
        case Item::Kind::kRaw:
          out += text;
          break;
        case Item::Kind::kBreak:
          break;
      }
    }
    close_to(0);
    while (out.size() > base && is_space(out.back())) out.pop_back();
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
