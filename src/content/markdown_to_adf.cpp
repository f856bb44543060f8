// Markdown -> ADF. cmark-gfm parses (CommonMark + GFM tables, strikethrough, autolinks, task
// lists); this file lowers its AST to a loose ADF tree, and detail::sanitize_blocks then makes
// the tree valid where the Markdown nesting is richer than ADF allows (a heading inside a list
// item, a table inside a quote, ...). Lowering in two steps keeps each step simple: here only
// "what does this Markdown mean", there only "where may it stand".
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <string>

#include "content/adf_build.hpp"
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

class Lowering {
 public:
  Json blocks(cmark_node* parent, int depth) {
    Json out = Json::array();
    for (cmark_node* child = cmark_node_first_child(parent); child != nullptr; child = cmark_node_next(child)) {
      block(out, child, depth);
    }
    return out;
  }

 private:
  void block(Json& out, cmark_node* node, int depth) {
    if (depth > kMaxNesting) {
      std::string text = subtree_text(node);
      if (!text.empty()) out.push_back(paragraph(Json::array({text_node(std::move(text))})));
      return;
    }
    const std::string name = type_name(node);
    switch (cmark_node_get_type(node)) {
      case CMARK_NODE_PARAGRAPH:
        out.push_back(paragraph(inlines(node, depth)));
        return;
      case CMARK_NODE_HEADING:
        out.push_back(Json{{"type", "heading"},
                           {"attrs", {{"level", cmark_node_get_heading_level(node)}}},
                           {"content", inlines(node, depth)}});
        return;
      case CMARK_NODE_CODE_BLOCK: {
        std::string code = literal(node);
        if (!code.empty() && code.back() == '\n') code.pop_back();
        Json block = {{"type", "codeBlock"}, {"content", Json::array()}};
        const char* info = cmark_node_get_fence_info(node);
        std::string language = info != nullptr ? info : "";
        language = language.substr(0, language.find_first_of(" \t"));
        if (!language.empty()) block["attrs"] = {{"language", language}};
        if (!code.empty()) block["content"].push_back(text_node(std::move(code)));
        out.push_back(std::move(block));
        return;
      }
      case CMARK_NODE_HTML_BLOCK: {
        Json content = Json::array();
        append_lines(content, literal(node));
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
    std::string text = subtree_text(node);
    if (!text.empty()) out.push_back(paragraph(Json::array({text_node(std::move(text))})));
  }

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
          Json inlines = Json::array({text_node(box)});
          for (const Json& inl : content[0]["content"]) append_inline(inlines, inl);
          content[0]["content"] = std::move(inlines);
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
      Json inlines = Json::array();
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
            if (!inlines.empty()) append_inline(inlines, hard_break());
            append_text(inlines, "- " + subtree_text(sub_item));
          }
          continue;
        }
        if (!inlines.empty()) append_inline(inlines, hard_break());
        if (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING) {
          for (const Json& inl : this->inlines(child, depth)) append_inline(inlines, inl);
        } else if (type == CMARK_NODE_CODE_BLOCK || type == CMARK_NODE_HTML_BLOCK) {
          append_lines(inlines, literal(child));
        } else {
          append_text(inlines, subtree_text(child));
        }
      }
      const bool done = cmark_gfm_extensions_get_tasklist_item_checked(item);
      content.push_back(Json{{"type", "taskItem"},
                             {"attrs", {{"localId", item_id}, {"state", done ? "DONE" : "TODO"}}},
                             {"content", std::move(inlines)}});
      for (Json& sub : nested) content.push_back(std::move(sub));
    }
    return Json{{"type", "taskList"},
                {"attrs", {{"localId", list_id}}},
                {"content", std::move(content)}};
  }

  Json table(cmark_node* node, int depth) {
    Json rows = Json::array();
    for (cmark_node* row = cmark_node_first_child(node); row != nullptr; row = cmark_node_next(row)) {
      const bool header = type_name(row) == "table_header";
      Json cells = Json::array();
      for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr; cell = cmark_node_next(cell)) {
        cells.push_back(Json{{"type", header ? "tableHeader" : "tableCell"},
                             {"content", Json::array({paragraph(inlines(cell, depth))})}});
      }
      rows.push_back(Json{{"type", "tableRow"}, {"content", std::move(cells)}});
    }
    return Json{{"type", "table"}, {"content", std::move(rows)}};
  }

  Json inlines(cmark_node* parent, int depth) {
    Json out = Json::array();
    add_inlines(out, parent, Json::array(), depth);
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
        case CMARK_NODE_HTML_INLINE:
          append_text(out, literal(node), marks);
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
          append_text(out, literal(node), code_marks);
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
        case CMARK_NODE_IMAGE: {
          // ADF cannot place an external image inline; keep it as a link to the image.
          std::string url = url_of(node);
          std::string alt = subtree_text(node);
          append_text(out, alt.empty() ? url : alt, with_mark(marks, Json{{"type", "link"}, {"attrs", {{"href", url}}}}));
          break;
        }
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
    const std::string url = url_of(node);
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
      std::string name = subtree_text(node);
      std::string id = url.substr(scheme.size());
      out.push_back(Json{{"type", "mention"}, {"attrs", {{"id", id}, {"text", "@" + (name.empty() ? id : name)}}}});
      return;
    }
    Json link = {{"type", "link"}, {"attrs", {{"href", url}}}};
    const char* title = cmark_node_get_title(node);
    if (title != nullptr && *title != '\0') link["attrs"]["title"] = title;
    add_inlines(out, node, with_mark(marks, std::move(link)), depth + 1);
  }

  int task_lists_ = 0;
  int tasks_ = 0;
};

}  // namespace

Json markdown_to_adf(std::string_view markdown) {
  NodePtr doc = parse_markdown(markdown);
  if (!doc) return detail::make_doc(Json::array());
  Lowering lowering;
  return detail::make_doc(detail::sanitize_blocks(lowering.blocks(doc.get(), 0), detail::BlockContext::kDoc));
}

}  // namespace jira_mcp::content
