// What a write of the Markdown we render would change: the document is rendered, parsed back,
// and both sides are compared after normalize_adf (which forgets only what Jira's editor
// regenerates itself). The comparison walks both trees in step and names the first place each
// subtree differs, so a caller can tell the user what would be lost.
#include <string>
#include <vector>

#include "content/adf_build.hpp"
#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content {
namespace {

using detail::node_type;

Json normalize(const Json& node, int depth) {
  if (depth > 4 * kMaxNesting) return node;
  if (node.is_array()) {
    Json out = Json::array();
    for (const Json& child : node) {
      Json n = normalize(child, depth + 1);
      // Neighbouring text with equal marks is one text node (the editor merges them too).
      if (!out.empty() && node_type(n) == "text" && node_type(out.back()) == "text" &&
          out.back().value("marks", Json::array()) == n.value("marks", Json::array())) {
        out.back()["text"] = out.back().value("text", "") + n.value("text", "");
        continue;
      }
      out.push_back(std::move(n));
    }
    return out;
  }
  if (!node.is_object()) return node;
  const std::string type = node_type(node);
  if ((type == "paragraph" || type == "heading") && node.contains("content") && node["content"].is_array()) {
    // Whitespace and line breaks at the edges of a paragraph show nothing (and Markdown cannot
    // hold them): they are not compared.
    Json trimmed = node;
    Json& c = trimmed["content"];
    while (!c.empty() && node_type(c[0]) == "hardBreak") c.erase(c.begin());
    while (!c.empty() && node_type(c.back()) == "hardBreak") c.erase(c.size() - 1);
    if (!c.empty() && node_type(c[0]) == "text") {
      std::string t = c[0].value("text", "");
      t.erase(0, t.find_first_not_of(" \t"));
      if (t.empty()) c.erase(c.begin()); else c[0]["text"] = t;
    }
    if (!c.empty() && node_type(c.back()) == "text") {
      std::string t = c.back().value("text", "");
      t.erase(t.find_last_not_of(" \t") + 1);
      if (t.empty()) c.erase(c.size() - 1); else c.back()["text"] = t;
    }
    // The same around a line break: a line's trailing or leading spaces.
    for (size_t k = 0; k < c.size(); ++k) {
      if (node_type(c[k]) != "hardBreak") continue;
      if (k > 0 && node_type(c[k - 1]) == "text") {
        std::string t = c[k - 1].value("text", "");
        t.erase(t.find_last_not_of(" \t") + 1);
        c[k - 1]["text"] = t;
      }
      if (k + 1 < c.size() && node_type(c[k + 1]) == "text") {
        std::string t = c[k + 1].value("text", "");
        t.erase(0, t.find_first_not_of(" \t"));
        c[k + 1]["text"] = t;
      }
    }
    for (size_t k = c.size(); k-- > 0;) {
      if (node_type(c[k]) == "text" && c[k].value("text", "").empty()) c.erase(k);
    }
    if (c.size() != node["content"].size() || c != node["content"]) return normalize(trimmed, depth + 1);
  }
  Json out = Json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() == "attrs" && it.value().is_object()) {
      Json attrs = it.value();
      attrs.erase("localId");
      if (!attrs.empty()) out["attrs"] = std::move(attrs);
    } else if (it.key() == "marks" && it.value().is_array()) {
      Json marks = detail::sorted_marks(normalize(it.value(), depth + 1));
      if (!marks.empty()) out["marks"] = std::move(marks);
    } else if (it.key() == "content" || it.key() == "marks") {
      out[it.key()] = normalize(it.value(), depth + 1);
    } else {
      out[it.key()] = it.value();
    }
  }
  return out;
}

void diff(const Json& a, const Json& b, const std::string& path, std::vector<std::string>& out, int depth) {
  if (out.size() >= 20 || a == b) return;
  if (depth < 4 * kMaxNesting && a.is_object() && b.is_object() && node_type(a) == node_type(b) &&
      a.value("attrs", Json()) == b.value("attrs", Json()) && a.value("marks", Json()) == b.value("marks", Json()) &&
      a.contains("content") && b.contains("content") && a["content"].is_array() && b["content"].is_array() &&
      a["content"].size() == b["content"].size()) {
    for (size_t i = 0; i < a["content"].size(); ++i) {
      diff(a["content"][i], b["content"][i], path + "/content/" + std::to_string(i), out, depth + 1);
    }
    return;
  }
  std::string what = node_type(a).empty() ? std::string("content") : node_type(a);
  if (node_type(a) == node_type(b) && a.value("attrs", Json()) != b.value("attrs", Json())) {
    what += " attributes " + dump_compact(a.value("attrs", Json::object()));
  } else if (node_type(a) == node_type(b) && a.value("marks", Json()) != b.value("marks", Json())) {
    what += " marks " + dump_compact(a.value("marks", Json::array()));
  }
  out.push_back((path.empty() ? "/" : path) + ": " + what);
}

}  // namespace

Json normalize_adf(const Json& adf) { return normalize(adf, 0); }

std::vector<std::string> round_trip_losses(const Json& adf) {
  std::vector<std::string> out;
  const Json back = markdown_to_adf(adf_to_markdown(adf));
  const Json doc = node_type(adf) == "doc" ? adf : detail::make_doc(Json::array({adf}));
  diff(normalize_adf(doc), normalize_adf(back), "", out, 0);
  return out;
}

}  // namespace jira_mcp::content
