// Markdown -> ADF. cmark-gfm parses (CommonMark + GFM tables, strikethrough, autolinks, task
// lists); this file lowers its AST to a loose ADF tree, and detail::sanitize_blocks then makes
// the tree valid where the Markdown nesting is richer than ADF allows (a heading inside a list
// item, a table inside a quote, ...). Lowering in two steps keeps each step simple: here only
// "what does this Markdown mean", there only "where may it stand".
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "content/adf_build.hpp"
#include "content/directive.hpp"
#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content {
namespace {

using detail::append_inline;
using detail::append_text;
using detail::hard_break;
using detail::paragraph;
using detail::text_node;

struct NodeFree {
  void operator()(cmark_node* node) const { cmark_node_free(node); }
};
struct ParserFree {
  void operator()(cmark_parser* parser) const { cmark_parser_free(parser); }
};
using NodePtr = std::unique_ptr<cmark_node, NodeFree>;

NodePtr parse_markdown(std::string_view markdown) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  std::unique_ptr<cmark_parser, ParserFree> parser(cmark_parser_new(CMARK_OPT_VALIDATE_UTF8));
  for (const char* name : {"table", "strikethrough", "autolink", "tasklist"}) {
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name)) {
      cmark_parser_attach_syntax_extension(parser.get(), ext);
    }
  }
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  return NodePtr(cmark_parser_finish(parser.get()));
}

std::string type_name(cmark_node* node) {
  const char* name = cmark_node_get_type_string(node);
  return name != nullptr ? name : "";
}

std::string literal(cmark_node* node) {
  const char* text = cmark_node_get_literal(node);
  return text != nullptr ? text : "";
}

std::string url_of(cmark_node* node) {
  const char* url = cmark_node_get_url(node);
  return url != nullptr ? url : "";
}

bool is_task_item(cmark_node* node) { return type_name(node) == "tasklist"; }

// The text of a subtree; iterative, so it is safe on any nesting.
std::string subtree_text(cmark_node* root) {
  std::string out;
  cmark_iter* iter = cmark_iter_new(root);
  cmark_event_type event;
  while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(iter);
    cmark_node_type type = cmark_node_get_type(node);
    if (event == CMARK_EVENT_ENTER) {
      if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_HTML_INLINE) {
        out += literal(node);
      } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
        out += ' ';
      } else if (type == CMARK_NODE_CODE_BLOCK || type == CMARK_NODE_HTML_BLOCK) {
        if (!out.empty() && out.back() != ' ') out += ' ';
        out += literal(node);
      }
    } else if ((cmark_node_get_type(node) & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    }
  }
  cmark_iter_free(iter);
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Json with_mark(const Json& marks, Json mark) {
  Json out = Json::array();
  for (const Json& m : marks) {
    if (m.value("type", "") != mark.value("type", "")) out.push_back(m);
  }
  out.push_back(std::move(mark));
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Text lines become inline nodes separated by hard breaks.
void append_lines(Json& inlines, std::string_view text) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (start > 0) append_inline(inlines, hard_break());
    append_text(inlines, std::string(text.substr(start, end - start)));
    start = end + 1;
  }
}

using detail::Directive;
using detail::DirectiveTable;

bool is_mark_directive(const std::string& name) {
  return name == "underline" || name == "textColor" || name == "backgroundColor" || name == "subsup" ||
         name == "annotation";
}

bool is_atom_directive(const std::string& name) {
  return name == "status" || name == "date" || name == "emoji" || name == "inlineCard" || name == "mediaInline" ||
         name == "placeholder" || name == "inlineExtension" || name == "mention";
}

// Block containers the syntax `:::name{attrs}` ... `:::` builds directly, children as blocks.
bool is_block_container(const std::string& name) {
  static const char* const kNames[] = {"panel",     "expand",    "nestedExpand", "blockquote", "layoutSection",
                                       "layoutColumn", "bodiedExtension", "table", "tableRow", "tableCell",
                                       "tableHeader", "listItem"};
  return std::any_of(std::begin(kNames), std::end(kNames), [&](const char* n) { return name == n; });
}

class Lowering {
 public:
  explicit Lowering(const DirectiveTable& table) : table_(table) {}

  Json blocks(cmark_node* parent, int depth) {
    Json out = Json::array();
    for (cmark_node* child = cmark_node_first_child(parent); child != nullptr; child = cmark_node_next(child)) {
      block(out, child, depth);
    }
    return fold_blocks(std::move(out), depth);
  }

 private:
  std::string restore(const std::string& text) const { return table_.restore(text); }

  void block(Json& out, cmark_node* node, int depth) {
    if (depth > kMaxNesting) {
      std::string text = restore(subtree_text(node));
      if (!text.empty()) out.push_back(paragraph(Json::array({text_node(std::move(text))})));
      return;
    }
    const std::string name = type_name(node);
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_PARAGRAPH: {
        std::string whole;
        bool plain = true;
        for (cmark_node* c = cmark_node_first_child(node); c != nullptr; c = cmark_node_next(c)) {
          if (cmark_node_get_type(c) != CMARK_NODE_TEXT) plain = false;
          whole += literal(c);
        }
        if (plain) {
          const Directive* d = table_.whole_token(whole);
          if (d != nullptr && d->kind == Directive::Kind::kBlock) {
            out.push_back(Json{{"type", "__block"}, {"i", static_cast<int>(d - &table_.at(0))}});
            return;
          }
        }
        for (Json& b : with_images(inlines(node, depth, true))) out.push_back(std::move(b));
        return;
      }
      case CMARK_NODE_HEADING:
        out.push_back(Json{{"type", "heading"},
                           {"attrs", {{"level", cmark_node_get_heading_level(node)}}},
                           {"content", inlines(node, depth)}});
        return;
      case CMARK_NODE_CODE_BLOCK: {
        std::string code = restore(literal(node));
        if (!code.empty() && code.back() == '\n') code.pop_back();
        Json block = {{"type", "codeBlock"}, {"content", Json::array()}};
        const char* info_raw = cmark_node_get_fence_info(node);
        std::string info = restore(info_raw != nullptr ? info_raw : "");
        Json attrs = Json::object();
        std::string rest = info;
        if (!info.empty() && info[0] != '{') {
          const size_t cut = info.find_first_of(" \t");
          attrs["language"] = info.substr(0, cut);
          rest = cut == std::string::npos ? "" : info.substr(cut);
        }
        rest.erase(0, rest.find_first_not_of(" \t"));
        while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.pop_back();
        if (!rest.empty()) {
          if (auto extra = detail::parse_attrs(rest)) attrs.update(*extra);
        }
        if (!attrs.empty()) block["attrs"] = std::move(attrs);
        if (!code.empty()) block["content"].push_back(text_node(std::move(code)));
        out.push_back(std::move(block));
        return;
      }
      case CMARK_NODE_HTML_BLOCK: {
        Json content = Json::array();
        append_lines(content, restore(literal(node)));
        out.push_back(paragraph(std::move(content)));
        return;
      }
      case CMARK_NODE_THEMATIC_BREAK:
        out.push_back(Json{{"type", "rule"}});
        return;
      case CMARK_NODE_BLOCK_QUOTE:
        out.push_back(Json{{"type", "blockquote"}, {"content", blocks(node, depth + 1)}});
        return;
      case CMARK_NODE_LIST:
        out.push_back(list(node, depth));
        return;
      default:
        break;
    }
    if (name == "table") {
      out.push_back(table(node, depth));
      return;
    }
    std::string text = restore(subtree_text(node));
    if (!text.empty()) out.push_back(paragraph(Json::array({text_node(std::move(text))})));
  }

  // ---- block directives ---------------------------------------------------------------------

  Json fold_blocks(Json in, int depth) {
    Json out = Json::array();
    const size_t n = in.size();
    for (size_t i = 0; i < n; ++i) {
      Json& node = in[i];
      if (!is_marker(node)) {
        out.push_back(std::move(node));
        continue;
      }
      const Directive& d = table_.at(node["i"].get<int>());
      if (d.colons == 2) {
        Json leaf = leaf_node(d);
        if (d.name == "table" && i + 1 < n && in[i + 1].value("type", "") == "table") {
          Json t = std::move(in[i + 1]);
          if (!d.attrs.empty()) t["attrs"] = d.attrs;
          out.push_back(std::move(t));
          ++i;
        } else if (!leaf.is_null()) {
          out.push_back(std::move(leaf));
        } else {
          out.push_back(raw_paragraph(d.raw));
        }
        continue;
      }
      if (d.name.empty()) {  // a closing fence with nothing open
        out.push_back(raw_paragraph(d.raw));
        continue;
      }
      size_t close = n;
      int level = 1;
      for (size_t k = i + 1; k < n; ++k) {
        if (!is_marker(in[k])) continue;
        const Directive& other = table_.at(in[k]["i"].get<int>());
        if (other.colons != d.colons) continue;
        level += other.name.empty() ? -1 : 1;
        if (level == 0) {
          close = k;
          break;
        }
      }
      Json inner = Json::array();
      for (size_t k = i + 1; k < close; ++k) inner.push_back(std::move(in[k]));
      if (depth < kMaxNesting) inner = fold_blocks(std::move(inner), depth + 1);
      const std::string closing = close < n ? table_.at(in[close]["i"].get<int>()).raw : std::string();
      for (Json& b : container(d, std::move(inner), closing)) out.push_back(std::move(b));
      i = close;
    }
    return out;
  }

  static bool is_marker(const Json& node) {
    auto it = node.find("type");
    return it != node.end() && it->is_string() && it->get_ref<const std::string&>() == "__block";
  }

  static Json raw_paragraph(const std::string& raw) { return paragraph(Json::array({text_node(raw)})); }

  static Json leaf_node(const Directive& d) {
    if (d.name == "paragraph" && d.attrs.empty() && d.label.empty()) return paragraph();
    if (d.name == "blockCard" || d.name == "embedCard" || d.name == "extension") {
      Json node = {{"type", d.name}, {"attrs", d.attrs}};
      if (!d.label.empty() && !node["attrs"].contains("url") && d.name != "extension") node["attrs"]["url"] = d.label;
      if (d.name == "embedCard" && !node["attrs"].contains("layout")) node["attrs"]["layout"] = "center";
      return node;
    }
    return nullptr;
  }

  Json container(const Directive& d, Json content, const std::string& closing) {
    const std::string& name = d.name;
    Json node = {{"type", name}};
    if (!d.attrs.empty()) node["attrs"] = d.attrs;
    if (is_block_container(name)) {
      if ((name == "expand" || name == "nestedExpand") && !d.label.empty() && !d.attrs.contains("title")) {
        node["attrs"]["title"] = d.label;
      }
      if (name == "table" || name == "tableRow") {
        Json kept = Json::array();
        for (Json& c : content) {
          const std::string t = c.value("type", "");
          if ((name == "table" && t == "tableRow") || (name == "tableRow" && (t == "tableCell" || t == "tableHeader"))) {
            kept.push_back(std::move(c));
          }
        }
        content = std::move(kept);
      }
      node["content"] = std::move(content);
      return Json::array({std::move(node)});
    }
    if (name == "mediaSingle" || name == "mediaGroup") {
      Json media = Json::array();
      for (Json& c : content) {
        const std::string t = c.value("type", "");
        if (t == "mediaSingle" || t == "mediaGroup") {
          for (Json& m : c["content"]) media.push_back(std::move(m));
        } else if (t == "caption" && name == "mediaSingle") {
          media.push_back(std::move(c));
        }
      }
      if (name == "mediaSingle" && !node.contains("attrs")) node["attrs"] = {{"layout", "center"}};
      node["content"] = std::move(media);
      return Json::array({std::move(node)});
    }
    if (name == "caption") {
      Json inl = Json::array();
      for (const Json& c : content) {
        for (const Json& x : c.value("content", Json::array())) append_inline(inl, x);
      }
      node["content"] = std::move(inl);
      return Json::array({std::move(node)});
    }
    if (name == "decisionList") {
      node["attrs"]["localId"] = "decision-list-" + std::to_string(++decision_lists_);
      Json items = Json::array();
      for (const Json& c : content) {
        if (c.value("type", "") == "taskList") {  // "[x]" decided, "[ ]" undecided
          for (const Json& item : c.value("content", Json::array())) {
            if (item.value("type", "") != "taskItem") continue;
            const bool done = item.contains("attrs") && item["attrs"].value("state", "") == "DONE";
            Json inl = Json::array();
            for (const Json& x : item.value("content", Json::array())) append_inline(inl, x);
            items.push_back(Json{{"type", "decisionItem"},
                                 {"attrs", {{"localId", "decision-" + std::to_string(++decisions_)}, {"state", done ? "DECIDED" : "UNDECIDED"}}},
                                 {"content", std::move(inl)}});
          }
          continue;
        }
        if (c.value("type", "") != "bulletList" && c.value("type", "") != "orderedList") continue;
        for (const Json& item : c["content"]) {
          Json inl = Json::array();
          for (const Json& b : item.value("content", Json::array())) {
            if (!inl.empty()) append_inline(inl, hard_break());
            const std::string bt = b.value("type", "");
            if (bt == "paragraph" || bt == "heading") {
              for (const Json& x : b.value("content", Json::array())) append_inline(inl, x);
            } else {  // a decision holds only inline content: any other block is its text
              append_text(inl, detail::plain_text(b));
            }
          }
          items.push_back(Json{{"type", "decisionItem"},
                               {"attrs", {{"localId", "decision-" + std::to_string(++decisions_)}, {"state", "DECIDED"}}},
                               {"content", std::move(inl)}});
        }
      }
      node["content"] = std::move(items);
      return Json::array({std::move(node)});
    }
    if (name == "alignment" || name == "indentation") {
      for (Json& c : content) {
        const std::string t = c.value("type", "");
        if (t != "paragraph" && t != "heading") continue;
        Json mark = {{"type", name}};
        if (!d.attrs.empty()) mark["attrs"] = d.attrs;
        Json marks = c.value("marks", Json::array());
        marks.push_back(std::move(mark));
        c["marks"] = std::move(marks);
      }
      return content;
    }
    // Unknown: the fences stay visible as text.
    Json out = Json::array({raw_paragraph(d.raw)});
    for (Json& c : content) out.push_back(std::move(c));
    if (!closing.empty()) out.push_back(raw_paragraph(closing));
    return out;
  }

  // ---- images ---------------------------------------------------------------------------------

  static Json image_block(const Json& image) {
    const std::string url = image.value("url", "");
    const std::string alt = image.value("alt", "");
    Json media_attrs = Json::object();
    Json single_attrs = {{"layout", "center"}};
    if (starts_with(url, "media:")) {
      media_attrs = {{"type", "file"}, {"id", url.substr(6)}, {"collection", ""}};
    } else {
      media_attrs = {{"type", "external"}, {"url", url}};
    }
    if (!alt.empty()) media_attrs["alt"] = alt;
    for (auto it = image["attrs"].begin(); it != image["attrs"].end(); ++it) {
      if (it.key() == "layout" || it.key() == "widthType" || it.key() == "singleWidth") {
        const std::string key = it.key() == "singleWidth" ? "width" : it.key();
        if (it.value().is_null()) {
          single_attrs.erase(key);
        } else {
          single_attrs[key] = it.value();
        }
      } else if (it.value().is_null()) {
        media_attrs.erase(it.key());
      } else {
        media_attrs[it.key()] = it.value();
      }
    }
    return Json{{"type", "mediaSingle"},
                {"attrs", std::move(single_attrs)},
                {"content", Json::array({Json{{"type", "media"}, {"attrs", std::move(media_attrs)}}})}};
  }

  static Json image_link(const Json& image) {
    const std::string url = image.value("url", "");
    const std::string alt = image.value("alt", "");
    return text_node(alt.empty() ? url : alt, Json::array({Json{{"type", "link"}, {"attrs", {{"href", url}}}}}));
  }

  // A paragraph's inlines with images split out into media blocks (ADF has no inline external
  // image): text before, the image, text after.
  static Json with_images(const Json& inl) {
    Json out = Json::array();
    Json run = Json::array();
    bool any_image = false;
    auto flush = [&](bool last) {
      const bool blank = std::all_of(run.begin(), run.end(), [](const Json& x) {
        return x.value("type", "") == "text" && x.value("text", "").find_first_not_of(" \t") == std::string::npos;
      });
      if (!blank || (last && !any_image)) out.push_back(paragraph(run));
      run = Json::array();
    };
    for (const Json& x : inl) {
      if (x.value("type", "") == "__image") {
        flush(false);
        any_image = true;
        out.push_back(image_block(x));
      } else {
        run.push_back(x);
      }
    }
    flush(true);
    return out;
  }

  // ---- lists and tables -----------------------------------------------------------------------

  Json list(cmark_node* node, int depth) {
    bool all_tasks = cmark_node_first_child(node) != nullptr;
    for (cmark_node* item = cmark_node_first_child(node); item != nullptr; item = cmark_node_next(item)) {
      all_tasks = all_tasks && is_task_item(item);
    }
    if (all_tasks) return task_list(node, depth);
    const bool ordered = cmark_node_get_list_type(node) == CMARK_ORDERED_LIST;
    Json items = Json::array();
    for (cmark_node* item = cmark_node_first_child(node); item != nullptr; item = cmark_node_next(item)) {
      Json content = blocks(item, depth + 1);
      if (is_task_item(item)) {
        // A checkbox in a list that is not entirely a task list stays visible as text.
        std::string box = cmark_gfm_extensions_get_tasklist_item_checked(item) ? "[x] " : "[ ] ";
        if (!content.empty() && content[0].value("type", "") == "paragraph") {
          Json inl = Json::array({text_node(box)});
          for (const Json& x : content[0]["content"]) append_inline(inl, x);
          content[0]["content"] = std::move(inl);
        } else {
          content.insert(content.begin(), paragraph(Json::array({text_node(box)})));
        }
      }
      items.push_back(Json{{"type", "listItem"}, {"content", std::move(content)}});
    }
    Json out = {{"type", ordered ? "orderedList" : "bulletList"}, {"content", std::move(items)}};
    if (ordered) out["attrs"] = {{"order", std::max(0, cmark_node_get_list_start(node))}};
    return out;
  }

  // ADF task items hold only inline content; nested task lists follow their item inside the
  // task list, and any other nested block is folded into the item's text.
  Json task_list(cmark_node* node, int depth) {
    const std::string list_id = "task-list-" + std::to_string(++task_lists_);
    Json content = Json::array();
    for (cmark_node* item = cmark_node_first_child(node); item != nullptr; item = cmark_node_next(item)) {
      const std::string item_id = "task-" + std::to_string(++tasks_);
      Json inl = Json::array();
      Json nested = Json::array();
      for (cmark_node* child = cmark_node_first_child(item); child != nullptr; child = cmark_node_next(child)) {
        const cmark_node_type type = cmark_node_get_type(child);
        if (type == CMARK_NODE_LIST && depth < kMaxNesting) {
          Json sub = list(child, depth + 1);
          if (sub.value("type", "") == "taskList") {
            nested.push_back(std::move(sub));
            continue;
          }
          for (cmark_node* sub_item = cmark_node_first_child(child); sub_item != nullptr;
               sub_item = cmark_node_next(sub_item)) {
            if (!inl.empty()) append_inline(inl, hard_break());
            append_text(inl, "- " + restore(subtree_text(sub_item)));
          }
          continue;
        }
        if (!inl.empty()) append_inline(inl, hard_break());
        if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING) {
          for (const Json& x : inlines(child, depth)) append_inline(inl, x);
        } else if (type == CMARK_NODE_CODE_BLOCK || type == CMARK_NODE_HTML_BLOCK) {
          append_lines(inl, restore(literal(child)));
        } else {
          append_text(inl, restore(subtree_text(child)));
        }
      }
      const bool done = cmark_gfm_extensions_get_tasklist_item_checked(item);
      content.push_back(Json{{"type", "taskItem"},
                             {"attrs", {{"localId", item_id}, {"state", done ? "DONE" : "TODO"}}},
                             {"content", std::move(inl)}});
      for (Json& sub : nested) content.push_back(std::move(sub));
    }
    return Json{{"type", "taskList"}, {"attrs", {{"localId", list_id}}}, {"content", std::move(content)}};
  }

  Json table(cmark_node* node, int depth) {
    Json rows = Json::array();
    for (cmark_node* row = cmark_node_first_child(node); row != nullptr; row = cmark_node_next(row)) {
      const bool header = type_name(row) == "table_header";
      Json cells = Json::array();
      for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr; cell = cmark_node_next(cell)) {
        cells.push_back(Json{{"type", header ? "tableHeader" : "tableCell"}, {"content", with_images(inlines(cell, depth, true))}});
      }
      rows.push_back(Json{{"type", "tableRow"}, {"content", std::move(cells)}});
    }
    return Json{{"type", "table"}, {"content", std::move(rows)}};
  }

  // ---- inline ---------------------------------------------------------------------------------

  Json inlines(cmark_node* parent, int depth, bool keep_images = false) {
    Json raw = Json::array();
    add_inlines(raw, parent, Json::array(), depth);
    Json out = fold_inlines(std::move(raw));
    if (!keep_images) {
      for (Json& x : out) {
        if (x.value("type", "") == "__image") x = image_link(x);
      }
    }
    return out;
  }

  void add_inlines(Json& out, cmark_node* parent, const Json& marks, int depth) {
    if (depth > 2 * kMaxNesting) {
      append_text(out, subtree_text(parent), marks);
      return;
    }
    for (cmark_node* node = cmark_node_first_child(parent); node != nullptr; node = cmark_node_next(node)) {
      switch (cmark_node_get_type(node)) {
        case CMARK_NODE_TEXT:
          append_text(out, literal(node), marks);
          break;
        case CMARK_NODE_HTML_INLINE:
          append_text(out, restore(literal(node)), marks);
          break;
        case CMARK_NODE_SOFTBREAK:
          append_text(out, " ", marks);
          break;
        case CMARK_NODE_LINEBREAK:
          append_inline(out, hard_break());
          break;
        case CMARK_NODE_CODE: {
          Json code_marks = Json::array();
          for (const Json& m : marks) {
            if (m.value("type", "") == "link") code_marks.push_back(m);
          }
          code_marks.push_back(Json{{"type", "code"}});
          append_text(out, restore(literal(node)), code_marks);
          break;
        }
        case CMARK_NODE_EMPH:
          add_inlines(out, node, with_mark(marks, Json{{"type", "em"}}), depth + 1);
          break;
        case CMARK_NODE_STRONG:
          add_inlines(out, node, with_mark(marks, Json{{"type", "strong"}}), depth + 1);
          break;
        case CMARK_NODE_LINK:
          add_link(out, node, marks, depth);
          break;
        case CMARK_NODE_IMAGE:
          out.push_back(Json{{"type", "__image"},
                             {"url", restore(url_of(node))},
                             {"alt", restore(subtree_text(node))},
                             {"attrs", Json::object()}});
          break;
        default:
          if (type_name(node) == "strikethrough") {
            add_inlines(out, node, with_mark(marks, Json{{"type", "strike"}}), depth + 1);
          } else {
            append_text(out, subtree_text(node), marks);
          }
          break;
      }
    }
  }

  void add_link(Json& out, cmark_node* node, const Json& marks, int depth) {
    const std::string url = restore(url_of(node));
    for (std::string_view scheme : {"accountid:", "user:"}) {
      if (!starts_with(url, scheme) || url.size() == scheme.size()) continue;
      // @[Name](accountid:ID): the "@" is plain text just before the link.
      if (!out.empty() && out.back().value("type", "") == "text") {
        std::string text = out.back()["text"].get<std::string>();
        if (!text.empty() && text.back() == '@') {
          text.pop_back();
          if (text.empty()) {
            out.erase(out.size() - 1);
          } else {
            out.back()["text"] = text;
          }
        }
      }
      std::string name = restore(subtree_text(node));
      // A Data Center user name keeps its scheme in the id, so the wiki writer can tell it from
      // an account id: [~jsmith], not [~accountid:jsmith].
      std::string id = scheme == "user:" ? url : url.substr(scheme.size());
      std::string shown = scheme == "user:" ? url.substr(scheme.size()) : id;
      out.push_back(Json{{"type", "mention"}, {"attrs", {{"id", id}, {"text", "@" + (name.empty() ? shown : name)}}}});
      return;
    }
    Json link = {{"type", "link"}, {"attrs", {{"href", url}}}};
    const char* title = cmark_node_get_title(node);
    if (title != nullptr && *title != '\0') link["attrs"]["title"] = restore(title);
    add_inlines(out, node, with_mark(marks, std::move(link)), depth + 1);
  }

  // ---- inline directives --------------------------------------------------------------------

  struct Piece {
    Json node;
    int token = -1;
    Json marks;
  };

  Json fold_inlines(Json in) {
    if (table_.empty()) return in;  // no directive anywhere in the document
    std::vector<Piece> pieces;
    for (const Json& x : in) {
      if (x.value("type", "") != "text") {
        pieces.push_back(Piece{x, -1, Json::array()});
        continue;
      }
      const Json marks = x.value("marks", Json::array());
      for (auto& [index, plain] : table_.split(x.value("text", ""))) {
        if (index < 0) {
          pieces.push_back(Piece{text_node(plain, marks), -1, marks});
        } else {
          pieces.push_back(Piece{nullptr, index, marks});
        }
      }
    }
    Json out = Json::array();
    fold_range(pieces, 0, pieces.size(), out, 0);
    return out;
  }

  void fold_range(const std::vector<Piece>& pieces, size_t begin, size_t end, Json& out, int depth) {
    for (size_t i = begin; i < end; ++i) {
      const Piece& p = pieces[i];
      if (p.token < 0) {
        append_inline(out, p.node);
        continue;
      }
      const Directive& d = table_.at(p.token);
      if (d.kind == Directive::Kind::kInlineOpen) {
        size_t close = end;
        for (size_t j = i + 1; j < end; ++j) {
          if (pieces[j].token >= 0 && table_.at(pieces[j].token).kind == Directive::Kind::kInlineClose &&
              table_.at(pieces[j].token).colons == p.token) {
            close = j;
            break;
          }
        }
        if (close < end && depth < 2 * kMaxNesting) {
          Json label = Json::array();
          fold_range(pieces, i + 1, close, label, depth + 1);
          const Directive& c = table_.at(pieces[close].token);
          apply_inline(out, d, c, label, p.marks);
          i = close;
          continue;
        }
      }
      if (d.kind == Directive::Kind::kAttrs && !out.empty() && merge_attrs(out.back(), d.attrs)) continue;
      append_text(out, d.raw, p.marks);
    }
  }

  static bool merge_attrs(Json& node, const Json& attrs) {
    const std::string type = node.value("type", "");
    if (type == "__image") {
      node["attrs"] = attrs;
      return true;
    }
    if (type != "mention") return false;
    for (auto it = attrs.begin(); it != attrs.end(); ++it) {
      if (it.value().is_null()) {
        node["attrs"].erase(it.key());
      } else {
        node["attrs"][it.key()] = it.value();
      }
    }
    return true;
  }

  void apply_inline(Json& out, const Directive& open, const Directive& close, const Json& label, const Json& marks) {
    const std::string& name = open.name;
    if (is_mark_directive(name)) {
      Json mark = {{"type", name}};
      if (!close.attrs.empty()) mark["attrs"] = close.attrs;
      for (const Json& x : label) {
        if (x.value("type", "") != "text") {
          append_inline(out, x);
          continue;
        }
        Json node = x;
        node["marks"] = detail::sorted_marks(with_mark(x.value("marks", Json::array()), mark));
        append_inline(out, std::move(node));
      }
      return;
    }
    if (is_atom_directive(name)) {
      const std::string text = detail::plain_text(label);
      Json attrs = close.attrs;
      auto fill = [&](const char* key, const std::string& value) {
        if (!attrs.contains(key) && !value.empty()) attrs[key] = value;
      };
      if (name == "status") {
        fill("text", text);
        fill("color", "neutral");
      } else if (name == "date") {
        fill("timestamp", detail::date_timestamp(text));
      } else if (name == "emoji") {
        fill("shortName", text);
      } else if (name == "inlineCard") {
        fill("url", text);
      } else if (name == "mediaInline") {
        fill("alt", text);
      } else if (name == "placeholder") {
        fill("text", text);
      } else if (name == "mention") {
        fill("text", text.empty() ? "" : "@" + text);
      }
      const bool complete = (name != "status" || attrs.contains("text")) && (name != "date" || attrs.contains("timestamp")) &&
                            (name != "emoji" || attrs.contains("shortName")) && (name != "mention" || attrs.contains("id"));
      if (complete) {
        out.push_back(Json{{"type", name}, {"attrs", std::move(attrs)}});
        return;
      }
    }
    append_text(out, open.raw, marks);
    for (const Json& x : label) append_inline(out, x);
    append_text(out, close.raw, marks);
  }

  const DirectiveTable& table_;
  int task_lists_ = 0;
  int tasks_ = 0;
  int decision_lists_ = 0;
  int decisions_ = 0;
};

}  // namespace

namespace detail {
Json markdown_to_adf_loose(std::string_view markdown) {
  DirectiveTable directives;
  const std::string text = directives.tokenize(markdown);
  NodePtr doc = parse_markdown(text);
  if (!doc) return make_doc(Json::array());
  Lowering lowering(directives);
  return make_doc(sanitize_blocks(lowering.blocks(doc.get(), 0), BlockContext::kDoc));
}
}  // namespace detail

Json markdown_to_adf(std::string_view markdown) {
  Json doc = detail::markdown_to_adf_loose(markdown);
  detail::strip_wiki_extras(doc);
  return doc;
}

}  // namespace jira_mcp::content
