#include "content/adf_build.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <utility>
#include <vector>

#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content::detail {

const Json* object_field(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) return nullptr;
  return &*it;
}

const Json* array_field(const Json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return nullptr;
  return &*it;
}

std::string string_field(const Json& j, std::string_view key) { return string_or(j, key); }

std::string node_type(const Json& j) { return string_or(j, "type"); }

std::string attr_string(const Json& node, std::string_view key) {
  const Json* attrs = object_field(node, "attrs");
  if (attrs == nullptr) return {};
  auto it = attrs->find(key);
  if (it == attrs->end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  if (it->is_number_unsigned()) return std::to_string(it->get<unsigned long long>());
  if (it->is_number_float()) return number_attr_text(it->get<double>());
  return {};
}

std::string number_attr_text(double value) {
  // Both bounds are exact doubles: -2^63 converts, 2^63 does not.
  if (value >= -9223372036854775808.0 && value < 9223372036854775808.0) {
    return std::to_string(static_cast<long long>(value));
  }
  return Json(value).dump();
}

Json text_node(std::string text, Json marks) {
  Json node = {{"type", "text"}, {"text", std::move(text)}};
  if (marks.is_array() && !marks.empty()) node["marks"] = std::move(marks);
  return node;
}

Json paragraph(Json inlines) {
  Json node = {{"type", "paragraph"}};
  node["content"] = inlines.is_array() ? std::move(inlines) : Json::array();
  return node;
}

Json hard_break() { return Json{{"type", "hardBreak"}}; }

namespace {
const Json& marks_of(const Json& node) {
  static const Json kEmpty = Json::array();
  const Json* marks = array_field(node, "marks");
  return marks != nullptr ? *marks : kEmpty;
}
}  // namespace

void append_inline(Json& inlines, Json node) {
  if (node_type(node) == "text") {
    std::string text = string_field(node, "text");
    if (text.empty()) return;
    if (!inlines.empty()) {
      Json& last = inlines.back();
      if (node_type(last) == "text" && marks_of(last) == marks_of(node)) {
        last["text"] = string_field(last, "text") + text;
        return;
      }
    }
  }
  inlines.push_back(std::move(node));
}

void append_text(Json& inlines, std::string text, const Json& marks) {
  append_inline(inlines, text_node(std::move(text), marks));
}

namespace {

bool has_mark(const Json& marks, std::string_view type) {
  return std::any_of(marks.begin(), marks.end(),
                     [&](const Json& m) { return node_type(m) == type; });
}

}  // namespace

Json sorted_marks(const Json& marks) {
  static constexpr std::string_view kOrder[] = {"link",      "em",         "strong",     "textColor", "strike",
                                                "subsup",    "underline",  "code",       "alignment", "annotation",
                                                "indentation", "border",   "backgroundColor"};
  auto rank = [](const Json& m) {
    const std::string t = node_type(m);
    for (size_t i = 0; i < std::size(kOrder); ++i) {
      if (kOrder[i] == t) return i;
    }
    return std::size(kOrder);
  };
  Json out = marks.is_array() ? marks : Json::array();
  std::stable_sort(out.begin(), out.end(), [&](const Json& a, const Json& b) { return rank(a) < rank(b); });
  return out;
}

namespace {

// Inline content as the schema wants it: no empty text, code only with link.
Json sanitize_inlines(const Json* inlines) {
  Json out = Json::array();
  if (inlines == nullptr) return out;
  for (const Json& node : *inlines) {
    std::string type = node_type(node);
    if (type == "text") {
      const Json& marks = marks_of(node);
      if (has_mark(marks, "code")) {
        Json kept = Json::array();
        for (const Json& m : marks) {
          std::string mt = node_type(m);
          if (mt == "code" || mt == "link") kept.push_back(m);
        }
        append_text(out, string_field(node, "text"), sorted_marks(kept));
      } else {
        append_text(out, string_field(node, "text"), sorted_marks(marks));
      }
    } else if (!type.empty()) {
      out.push_back(node);
    }
  }
  return out;
}

void sanitize_into(Json& out, const Json& node, BlockContext ctx, int depth);

Json sanitize_task_list(const Json& node, int depth) {
  Json items = Json::array();
  if (const Json* children = array_field(node, "content")) {
    for (const Json& child : *children) {
      std::string type = node_type(child);
      if (type == "taskItem") {
        Json item = {{"type", "taskItem"}, {"attrs", child.value("attrs", Json::object())}};
        item["content"] = sanitize_inlines(array_field(child, "content"));
        items.push_back(std::move(item));
      } else if (type == "taskList" && depth < kMaxNesting) {
        Json nested = sanitize_task_list(child, depth + 1);
        if (!nested.is_null()) items.push_back(std::move(nested));
      }
    }
  }
  if (items.empty()) return nullptr;
  return Json{{"type", "taskList"}, {"attrs", node.value("attrs", Json::object())}, {"content", std::move(items)}};
}

// A task list where the schema forbids one (inside a quote): a bullet list whose items start
// with the checkbox as text, nested task lists kept inside the items (list items allow them).
Json task_list_as_bullets(const Json& node) {
  Json items = Json::array();
  for (const Json& child : node.value("content", Json::array())) {
    if (node_type(child) == "taskItem") {
      Json inlines = Json::array();
      append_text(inlines, attr_string(child, "state") == "DONE" ? "[x] " : "[ ] ");
      for (const Json& inl : sanitize_inlines(array_field(child, "content"))) append_inline(inlines, inl);
      items.push_back(Json{{"type", "listItem"}, {"content", Json::array({paragraph(std::move(inlines))})}});
    } else if (node_type(child) == "taskList") {
      if (items.empty()) items.push_back(Json{{"type", "listItem"}, {"content", Json::array({paragraph()})}});
      items.back()["content"].push_back(child);
    }
  }
  if (items.empty()) return nullptr;
  return Json{{"type", "bulletList"}, {"content", std::move(items)}};
}

Json cell_text_paragraph(const Json& row) {
  Json inlines = Json::array();
  bool first = true;
  for (const Json& cell : row.value("content", Json::array())) {
    if (!first) append_text(inlines, " | ");
    first = false;
    append_text(inlines, plain_text(cell));
  }
  return paragraph(std::move(inlines));
}

// Every kind of node this module knows as a block, and where the ADF schema lets it stand.
bool allowed(const std::string& type, BlockContext ctx) {
  using C = BlockContext;
  static const std::vector<std::string> kListItem = {"paragraph", "bulletList", "orderedList", "taskList",
                                                     "mediaSingle", "codeBlock", "extension"};
  static const std::vector<std::string> kQuote = {"paragraph", "bulletList", "orderedList", "codeBlock",
                                                  "mediaSingle", "mediaGroup", "extension"};
  static const std::vector<std::string> kPanel = {"paragraph", "heading", "bulletList", "orderedList", "taskList",
                                                  "decisionList", "blockCard", "mediaGroup", "mediaSingle",
                                                  "codeBlock", "rule", "extension"};
  static const std::vector<std::string> kNested = {"paragraph", "heading", "bulletList", "orderedList", "taskList",
                                                   "decisionList", "blockquote", "panel", "mediaGroup", "mediaSingle",
                                                   "codeBlock", "rule", "extension"};
  auto in = [&](const std::vector<std::string>& set) { return std::find(set.begin(), set.end(), type) != set.end(); };
  switch (ctx) {
    case C::kListItem: return in(kListItem);
    case C::kBlockquote: return in(kQuote);
    case C::kPanel: return in(kPanel);
    case C::kNestedExpand: return in(kNested);
    case C::kExpand: return type != "expand" && type != "layoutSection" && type != "bodiedExtension";
    case C::kTableCell:
      return type != "table" && type != "expand" && type != "layoutSection" && type != "bodiedExtension";
    case C::kDoc: return type != "nestedExpand";
  }
  return false;
}

// A copy of the node without its content (type, attrs, marks and anything else it carries).
Json shell(const Json& node) {
  Json out = Json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() != "content") out[it.key()] = it.value();
  }
  return out;
}

Json sanitize_media(const Json& node) {
  // mediaSingle holds one media (and an optional caption); mediaGroup only media.
  const std::string type = node_type(node);
  Json content = Json::array();
  for (const Json& child : node.value("content", Json::array())) {
    const std::string ct = node_type(child);
    if (ct == "media" && (type == "mediaGroup" || content.empty())) {
      // What the schema requires of a media node: a file or link has an id and a collection.
      Json media = child;
      if (!media.contains("attrs") || !media["attrs"].is_object()) media["attrs"] = Json::object();
      Json& attrs = media["attrs"];
      const std::string kind = attr_string(media, "type");
      if (kind == "external") {
        if (!attrs.contains("url") || !attrs["url"].is_string()) continue;
      } else {
        if (attr_string(media, "id").empty()) continue;
        if (kind != "link") attrs["type"] = "file";
        if (!attrs.contains("collection") || !attrs["collection"].is_string()) attrs["collection"] = "";
      }
      content.push_back(std::move(media));
    } else if (ct == "caption" && type == "mediaSingle" && content.size() == 1) {
      Json caption = shell(child);
      caption["content"] = sanitize_inlines(array_field(child, "content"));
      content.push_back(std::move(caption));
    }
  }
  if (content.empty()) return nullptr;
  Json out = shell(node);
  if (type == "mediaSingle") {
    if (!object_field(out, "attrs")) out["attrs"] = Json::object();
    if (!out["attrs"].contains("layout") || !out["attrs"]["layout"].is_string()) out["attrs"]["layout"] = "center";
  }
  out["content"] = std::move(content);
  return out;
}

// Content for a node whose children are blocks, in the context that node makes.
Json block_children(const Json& node, BlockContext ctx, int depth) {
  Json content = sanitize_blocks(node.value("content", Json::array()), ctx, depth + 1);
  if (content.empty()) content.push_back(paragraph());
  return content;
}

void sanitize_into(Json& out, const Json& node, BlockContext ctx, int depth) {
  const std::string type = node_type(node);
  if (depth > kMaxNesting) {
    std::string text = plain_text(node);
    if (!text.empty()) out.push_back(paragraph(Json::array({text_node(std::move(text))})));
    return;
  }
  const bool marks_allowed = ctx == BlockContext::kDoc || ctx == BlockContext::kTableCell || ctx == BlockContext::kExpand;
  if (type == "paragraph") {
    Json p = shell(node);
    if (!marks_allowed) p.erase("marks");
    p["content"] = sanitize_inlines(array_field(node, "content"));
    out.push_back(std::move(p));
  } else if (type == "heading") {
    Json inlines = sanitize_inlines(array_field(node, "content"));
    if (!allowed(type, ctx)) {
      out.push_back(paragraph(std::move(inlines)));
      return;
    }
    int level = 1;
    if (const Json* attrs = object_field(node, "attrs")) {
      auto it = attrs->find("level");
      if (it != attrs->end() && it->is_number()) level = std::clamp(it->get<int>(), 1, 6);
    }
    Json h = shell(node);
    if (!marks_allowed) h.erase("marks");
    if (!h.contains("attrs") || !h["attrs"].is_object()) h["attrs"] = Json::object();
    h["attrs"]["level"] = level;
    h["content"] = std::move(inlines);
    out.push_back(std::move(h));
  } else if (type == "codeBlock") {
    std::string text;
    if (const Json* content = array_field(node, "content")) {
      for (const Json& t : *content) text += string_field(t, "text");
    }
    Json code = shell(node);
    code.erase("marks");
    if (code.contains("attrs") && !code["attrs"].is_object()) code.erase("attrs");
    code["content"] = Json::array();
    if (!text.empty()) code["content"].push_back(text_node(std::move(text)));
    out.push_back(std::move(code));
  } else if (type == "rule") {
    if (allowed(type, ctx)) out.push_back(Json{{"type", "rule"}});
  } else if (type == "blockquote") {
    if (allowed(type, ctx)) {
      Json q = shell(node);
      q["content"] = block_children(node, BlockContext::kBlockquote, depth);
      out.push_back(std::move(q));
    } else if (const Json* children = array_field(node, "content")) {
      for (const Json& child : *children) sanitize_into(out, child, ctx, depth + 1);
    }
  } else if (type == "bulletList" || type == "orderedList") {
    Json items = Json::array();
    if (const Json* children = array_field(node, "content")) {
      for (const Json& child : *children) {
        if (node_type(child) != "listItem") continue;
        Json item = shell(child);
        Json content = Json::array();
        if (const Json* kids = array_field(child, "content")) {
          for (const Json& kid : *kids) sanitize_into(content, kid, BlockContext::kListItem, depth + 1);
        }
        const std::string first = content.empty() ? "" : node_type(content[0]);
        if (first != "paragraph" && first != "codeBlock" && first != "mediaSingle") content.insert(content.begin(), paragraph());
        item["content"] = std::move(content);
        items.push_back(std::move(item));
      }
    }
    if (items.empty()) return;
    Json list = shell(node);
    list.erase("attrs");
    if (type == "orderedList") {
      if (const Json* attrs = object_field(node, "attrs")) {
        Json kept = *attrs;
        auto it = attrs->find("order");
        if (it != attrs->end() && !(it->is_number() && it->get<double>() >= 0)) kept.erase("order");
        if (!kept.empty()) list["attrs"] = std::move(kept);
      }
    } else if (const Json* attrs = object_field(node, "attrs")) {
      list["attrs"] = *attrs;
    }
    list["content"] = std::move(items);
    out.push_back(std::move(list));
  } else if (type == "taskList") {
    if (ctx == BlockContext::kBlockquote) {
      Json bullets = task_list_as_bullets(node);
      if (!bullets.is_null()) sanitize_into(out, bullets, ctx, depth + 1);
      return;
    }
    Json list = sanitize_task_list(node, depth);
    if (!list.is_null()) out.push_back(std::move(list));
  } else if (type == "decisionList") {
    Json items = Json::array();
    for (const Json& child : node.value("content", Json::array())) {
      if (node_type(child) != "decisionItem") continue;
      Json item = shell(child);
      item["content"] = sanitize_inlines(array_field(child, "content"));
      items.push_back(std::move(item));
    }
    if (items.empty()) return;
    if (!allowed(type, ctx)) {
      for (Json& item : items) out.push_back(paragraph(item["content"]));
      return;
    }
    Json list = shell(node);
    list["content"] = std::move(items);
    out.push_back(std::move(list));
  } else if (type == "table") {
    const Json* rows = array_field(node, "content");
    if (rows == nullptr) return;
    if (!allowed(type, ctx)) {
      for (const Json& row : *rows) out.push_back(cell_text_paragraph(row));
      return;
    }
    Json new_rows = Json::array();
    for (const Json& row : *rows) {
      Json cells = Json::array();
      for (const Json& cell : row.value("content", Json::array())) {
        std::string cell_type = node_type(cell);
        if (cell_type != "tableCell" && cell_type != "tableHeader") continue;
        Json c = shell(cell);
        c["content"] = block_children(cell, BlockContext::kTableCell, depth);
        cells.push_back(std::move(c));
      }
      if (cells.empty()) continue;
      Json r = shell(row);
      r["content"] = std::move(cells);
      new_rows.push_back(std::move(r));
    }
    if (new_rows.empty()) return;
    Json t = shell(node);
    t["content"] = std::move(new_rows);
    out.push_back(std::move(t));
  } else if (type == "panel" || type == "expand" || type == "nestedExpand") {
    Json n = shell(node);
    std::string actual = type;
    if (type == "expand" && ctx != BlockContext::kDoc) actual = "nestedExpand";
    if (type == "nestedExpand" && ctx == BlockContext::kDoc) actual = "expand";
    if (!allowed(actual, ctx)) {
      if (const Json* children = array_field(node, "content")) {
        for (const Json& child : *children) sanitize_into(out, child, ctx, depth + 1);
      }
      return;
    }
    n["type"] = actual;
    if (type == "panel" && !object_field(n, "attrs")) n["attrs"] = {{"panelType", "info"}};
    if (actual == "nestedExpand" && !object_field(n, "attrs")) n["attrs"] = Json::object();
    if (object_field(n, "attrs") && n["attrs"].contains("title") && !n["attrs"]["title"].is_string()) {
      n["attrs"]["title"] = dump_compact(n["attrs"]["title"]);
    }
    if (type == "panel" && !n["attrs"].contains("panelType")) n["attrs"]["panelType"] = "info";
    const BlockContext inner = type == "panel" ? BlockContext::kPanel
                               : actual == "expand" ? BlockContext::kExpand
                                                    : BlockContext::kNestedExpand;
    n["content"] = block_children(node, inner, depth);
    out.push_back(std::move(n));
  } else if (type == "mediaSingle" || type == "mediaGroup") {
    Json media = sanitize_media(node);
    if (media.is_null()) return;
    if (allowed(type, ctx)) {
      out.push_back(std::move(media));
    } else if (type == "mediaGroup" && allowed("mediaSingle", ctx)) {
      for (const Json& m : media["content"]) {
        out.push_back(Json{{"type", "mediaSingle"}, {"attrs", {{"layout", "center"}}}, {"content", Json::array({m})}});
      }
    }
  } else if ((type == "layoutSection" || type == "bodiedExtension") && ctx == BlockContext::kDoc) {
    Json n = shell(node);
    if (type == "layoutSection") {
      Json columns = Json::array();
      for (const Json& column : node.value("content", Json::array())) {
        if (node_type(column) != "layoutColumn") continue;
        Json c = shell(column);
        c["content"] = block_children(column, BlockContext::kExpand, depth + 1);
        columns.push_back(std::move(c));
      }
      if (columns.empty()) return;
      n["content"] = std::move(columns);
    } else {
      n["content"] = block_children(node, BlockContext::kExpand, depth);
    }
    out.push_back(std::move(n));
  } else if (type == "blockCard" || type == "embedCard" || type == "extension") {
    if (allowed(type, ctx)) {
      out.push_back(node);
    } else {
      std::string url = attr_string(node, "url");
      if (!url.empty()) {
        out.push_back(paragraph(Json::array({Json{{"type", "inlineCard"}, {"attrs", {{"url", url}}}}})));
      }
    }
  } else if (const Json* children = array_field(node, "content")) {
    for (const Json& child : *children) sanitize_into(out, child, ctx, depth + 1);
  }
}

}  // namespace

Json sanitize_blocks(const Json& blocks, BlockContext ctx, int depth) {
  Json out = Json::array();
  if (!blocks.is_array()) return out;
  for (const Json& node : blocks) sanitize_into(out, node, ctx, depth);
  return out;
}

Json make_doc(Json blocks) {
  Json doc = {{"type", "doc"}, {"version", 1}};
  doc["content"] = blocks.is_array() ? std::move(blocks) : Json::array();
  return doc;
}

namespace {
bool is_inline_type(std::string_view type) {
  static constexpr std::string_view kInline[] = {"text",        "hardBreak",  "mention",     "emoji",
                                                 "date",        "status",     "inlineCard",  "mediaInline",
                                                 "placeholder", "inlineExtension"};
  return std::find(std::begin(kInline), std::end(kInline), type) != std::end(kInline);
}
}  // namespace

// Iterative, so hostile nesting cannot exhaust the stack.
std::string plain_text(const Json& root) {
  std::string out;
  std::vector<const Json*> stack{&root};
  auto separate = [&out] {
    if (!out.empty() && out.back() != ' ') out += ' ';
  };
  while (!stack.empty()) {
    const Json* node = stack.back();
    stack.pop_back();
    if (node->is_array()) {
      for (auto it = node->rbegin(); it != node->rend(); ++it) stack.push_back(&*it);
      continue;
    }
    if (!node->is_object()) continue;
    std::string type = node_type(*node);
    if (type == "text") {
      out += string_field(*node, "text");
    } else if (type == "hardBreak") {
      separate();
    } else if (type == "mention" || type == "emoji" || type == "status" || type == "placeholder") {
      std::string text = attr_string(*node, "text");
      out += text.empty() ? attr_string(*node, type == "emoji" ? "shortName" : "id") : text;
    } else if (type == "inlineCard" || type == "blockCard" || type == "embedCard") {
      out += attr_string(*node, "url");
    }
    if (const Json* content = array_field(*node, "content")) {
      if (!is_inline_type(type)) separate();
      stack.push_back(content);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string date_text(const Json& node) {
  std::string raw = attr_string(node, "timestamp");
  long long ms = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), ms);
  if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size()) return raw;
  // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
  long long days = ms / 86400000 - (ms % 86400000 < 0 ? 1 : 0);
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const long long doe = days - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long day = doy - (153 * mp + 2) / 5 + 1;
  const long long month = mp < 10 ? mp + 3 : mp - 9;
  const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return raw;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", year, month, day);
  return buf;
}

// "YYYY-MM-DD" -> milliseconds since the epoch at 00:00 UTC, as a string; "" when not a date.
std::string date_timestamp(std::string_view label) {
  if (label.size() != 10 || label[4] != '-' || label[7] != '-') return {};
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (std::isdigit(static_cast<unsigned char>(label[i])) == 0) return {};
  }
  long long y = std::stoll(std::string(label.substr(0, 4)));
  const long long m = std::stoll(std::string(label.substr(5, 2)));
  const long long d = std::stoll(std::string(label.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) return {};
  // Days from a civil date (Howard Hinnant's algorithm).
  y -= m <= 2 ? 1 : 0;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return std::to_string((era * 146097 + doe - 719468) * 86400000LL);
}

std::string panel_label(const Json& node) {
  std::string type = attr_string(node, "panelType");
  if (type.empty() || type == "custom") return "Note";
  type[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
  return type;
}

std::string media_label(const Json& node) {
  std::string name = attr_string(node, "alt");
  if (name.empty()) name = attr_string(node, "name");
  if (name.empty()) name = attr_string(node, "id");
  if (name.empty()) name = "file";
  return "attachment: " + name;
}

std::string sanitize_utf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t len = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    }
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((s[i + k] & 0xC0u) != 0x80u) ok = false;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))) {
      ok = false;
    }
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

namespace {

struct Emoticon {
  std::string_view wiki;
  std::string_view id;
  std::string_view short_name;
  std::string_view text;
};

// The first spelling of each emoji is the one written back.
constexpr Emoticon kEmoticons[] = {
    {"(flagoff)", "atlassian-flag_off", ":flag_off:", ":flag_off:"},
    {"(flag)", "atlassian-flag_on", ":flag_on:", ":flag_on:"},
    {"(off)", "atlassian-light_bulb_off", ":light_bulb_off:", ":light_bulb_off:"},
    {"(on)", "atlassian-light_bulb_on", ":light_bulb_on:", ":light_bulb_on:"},
    {"(*)", "atlassian-yellow_star", ":yellow_star:", ":yellow_star:"},
    {"(*y)", "atlassian-yellow_star", ":yellow_star:", ":yellow_star:"},
    {"(*r)", "atlassian-red_star", ":red_star:", ":red_star:"},
    {"(*g)", "atlassian-green_star", ":green_star:", ":green_star:"},
    {"(*b)", "atlassian-blue_star", ":blue_star:", ":blue_star:"},
    {"(y)", "1f44d", ":thumbsup:", "\xF0\x9F\x91\x8D"},
    {"(n)", "1f44e", ":thumbsdown:", "\xF0\x9F\x91\x8E"},
    {"(i)", "atlassian-info", ":info:", ":info:"},
    {"(/)", "atlassian-check_mark", ":check_mark:", ":check_mark:"},
    {"(x)", "atlassian-cross_mark", ":cross_mark:", ":cross_mark:"},
    {"(!)", "atlassian-warning", ":warning:", ":warning:"},
    {"(+)", "atlassian-plus", ":plus:", ":plus:"},
    {"(-)", "atlassian-minus", ":minus:", ":minus:"},
    {"(?)", "atlassian-question_mark", ":question:", ":question:"},
    {":)", "1f642", ":slight_smile:", "\xF0\x9F\x99\x82"},
    {":-)", "1f642", ":slight_smile:", "\xF0\x9F\x99\x82"},
    {":(", "1f61e", ":disappointed:", "\xF0\x9F\x98\x9E"},
    {":-(", "1f61e", ":disappointed:", "\xF0\x9F\x98\x9E"},
    {":P", "1f61b", ":stuck_out_tongue:", "\xF0\x9F\x98\x9B"},
    {":-P", "1f61b", ":stuck_out_tongue:", "\xF0\x9F\x98\x9B"},
    {":p", "1f61b", ":stuck_out_tongue:", "\xF0\x9F\x98\x9B"},
    {":-p", "1f61b", ":stuck_out_tongue:", "\xF0\x9F\x98\x9B"},
    {":D", "1f603", ":smiley:", "\xF0\x9F\x98\x83"},
    {":-D", "1f603", ":smiley:", "\xF0\x9F\x98\x83"},
    {";)", "1f609", ":wink:", "\xF0\x9F\x98\x89"},
    {";-)", "1f609", ":wink:", "\xF0\x9F\x98\x89"},
};

}  // namespace

Json wiki_emoticon_at(std::string_view text, size_t i, size_t& length) {
  const std::string_view rest = text.substr(std::min(i, text.size()));
  for (const Emoticon& e : kEmoticons) {
    if (rest.substr(0, e.wiki.size()) != e.wiki) continue;
    const unsigned char after = e.wiki.size() < rest.size() ? static_cast<unsigned char>(rest[e.wiki.size()]) : 0;
    if (after < 0x80 && std::isalnum(after) != 0) continue;
    length = e.wiki.size();
    return Json{{"type", "emoji"},
                {"attrs", {{"shortName", std::string(e.short_name)}, {"id", std::string(e.id)}, {"text", std::string(e.text)}}}};
  }
  length = 0;
  return Json();
}

std::string wiki_emoticon_for(const Json& emoji) {
  const std::string id = attr_string(emoji, "id");
  const std::string short_name = attr_string(emoji, "shortName");
  for (const Emoticon& e : kEmoticons) {
    if ((!id.empty() && id == e.id) || (id.empty() && short_name == e.short_name)) return std::string(e.wiki);
  }
  return "";
}

namespace {

constexpr std::pair<std::string_view, std::string_view> kPanelColours[] = {
    {"info", "#deebff"}, {"note", "#eae6ff"}, {"success", "#e3fcef"}, {"warning", "#fffae6"}, {"error", "#ffebe6"},
};

}  // namespace

std::string panel_type_colour(std::string_view panel_type) {
  if (panel_type == "tip") panel_type = "success";
  for (const auto& [type, colour] : kPanelColours) {
    if (type == panel_type) return std::string(colour);
  }
  return "";
}

std::string panel_type_of_colour(std::string_view colour) {
  for (const auto& [type, code] : kPanelColours) {
    if (code == colour) return std::string(type);
  }
  return "";
}

}  // namespace jira_mcp::content::detail
