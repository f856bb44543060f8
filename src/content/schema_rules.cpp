// The attribute rules of the ADF schema for the nodes and marks the directive syntax can
// build with any attributes. markdown_to_adf and wiki_to_adf apply them last, so a hand-written
// `:::panel{panelType=nope}` or a wiki-only parameter never reaches Jira as an invalid document:
// an attribute the schema does not know is dropped, a mistyped one converted when that is
// unambiguous (a number where a string is wanted) and dropped otherwise, and a node missing a
// required attribute gets its default or, without one, becomes its text. Valid documents pass
// unchanged, which the round-trip corpus pins.
#include <algorithm>
#include <cmath>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "content/adf_build.hpp"
#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content::detail {
namespace {

enum class Kind { kString, kNonEmpty, kNumber, kInt, kBool, kNumbers, kAny };

struct Rule {
  const char* key;
  Kind kind;
  const char* choices;  // "a|b|c" or nullptr; for kString a value must be one of them
  const char* fallback;  // JSON text of the default when required and missing, or nullptr
  bool required;
};

constexpr const char* kLayouts = "wide|full-width|center|wrap-right|wrap-left|align-end|align-start";

const std::vector<std::pair<std::string, std::vector<Rule>>>& rules() {
  static const std::vector<std::pair<std::string, std::vector<Rule>>> kRules = {
      {"panel", {{"panelType", Kind::kString, "info|note|tip|warning|error|success|custom", "\"info\"", true},
                 {"panelIcon", Kind::kString, nullptr, nullptr, false}, {"panelIconId", Kind::kString, nullptr, nullptr, false},
                 {"panelIconText", Kind::kString, nullptr, nullptr, false}, {"panelColor", Kind::kString, nullptr, nullptr, false}}},
      {"expand", {{"title", Kind::kString, nullptr, nullptr, false}}},
      {"nestedExpand", {{"title", Kind::kString, nullptr, nullptr, false}}},
      {"status", {{"text", Kind::kNonEmpty, nullptr, nullptr, true},
                  {"color", Kind::kString, nullptr, "\"neutral\"", true},
                  {"style", Kind::kString, nullptr, nullptr, false}}},
      {"date", {{"timestamp", Kind::kNonEmpty, nullptr, nullptr, true}}},
      {"emoji", {{"shortName", Kind::kString, nullptr, nullptr, true}, {"id", Kind::kString, nullptr, nullptr, false},
                 {"text", Kind::kString, nullptr, nullptr, false}}},
      {"mention", {{"id", Kind::kString, nullptr, nullptr, true}, {"text", Kind::kString, nullptr, nullptr, false},
                   {"accessLevel", Kind::kString, nullptr, nullptr, false},
                   {"userType", Kind::kString, "DEFAULT|SPECIAL|APP", nullptr, false}}},
      {"inlineCard", {{"url", Kind::kString, nullptr, nullptr, false}, {"data", Kind::kAny, nullptr, nullptr, false}}},
      {"blockCard", {{"url", Kind::kString, nullptr, nullptr, false}, {"data", Kind::kAny, nullptr, nullptr, false},
                     {"datasource", Kind::kAny, nullptr, nullptr, false}, {"width", Kind::kNumber, nullptr, nullptr, false},
                     {"layout", Kind::kString, kLayouts, nullptr, false}}},
      {"embedCard", {{"url", Kind::kString, nullptr, nullptr, true}, {"layout", Kind::kString, kLayouts, "\"center\"", true},
                     {"width", Kind::kNumber, nullptr, nullptr, false}, {"originalHeight", Kind::kNumber, nullptr, nullptr, false},
                     {"originalWidth", Kind::kNumber, nullptr, nullptr, false}}},
      {"mediaSingle", {{"layout", Kind::kString, kLayouts, "\"center\"", true}, {"width", Kind::kNumber, nullptr, nullptr, false},
                       {"widthType", Kind::kString, "percentage|pixel", nullptr, false}}},
      {"mediaInline", {{"type", Kind::kString, "link|file|image", nullptr, false}, {"id", Kind::kNonEmpty, nullptr, nullptr, true},
                       {"collection", Kind::kString, nullptr, "\"\"", true}, {"alt", Kind::kString, nullptr, nullptr, false},
                       {"occurrenceKey", Kind::kNonEmpty, nullptr, nullptr, false}, {"width", Kind::kNumber, nullptr, nullptr, false},
                       {"height", Kind::kNumber, nullptr, nullptr, false}, {"data", Kind::kAny, nullptr, nullptr, false}}},
      {"table", {{"displayMode", Kind::kString, "default|fixed", nullptr, false}, {"isNumberColumnEnabled", Kind::kBool, nullptr, nullptr, false},
                 {"layout", Kind::kString, "wide|full-width|center|align-end|align-start|default", nullptr, false},
                 {"width", Kind::kNumber, nullptr, nullptr, false}}},
      {"tableCell", {{"colspan", Kind::kInt, nullptr, nullptr, false}, {"rowspan", Kind::kInt, nullptr, nullptr, false},
                     {"colwidth", Kind::kNumbers, nullptr, nullptr, false}, {"background", Kind::kString, nullptr, nullptr, false}}},
      {"tableHeader", {{"colspan", Kind::kInt, nullptr, nullptr, false}, {"rowspan", Kind::kInt, nullptr, nullptr, false},
                       {"colwidth", Kind::kNumbers, nullptr, nullptr, false}, {"background", Kind::kString, nullptr, nullptr, false}}},
      {"tableRow", {}},
      {"codeBlock", {{"language", Kind::kString, nullptr, nullptr, false}, {"uniqueId", Kind::kString, nullptr, nullptr, false},
                     {"wrap", Kind::kBool, nullptr, nullptr, false}, {"hideLineNumbers", Kind::kBool, nullptr, nullptr, false}}},
      {"layoutColumn", {{"width", Kind::kNumber, nullptr, "50", true}}},
      {"layoutSection", {}},
      {"placeholder", {{"text", Kind::kString, nullptr, nullptr, true}}},
      {"caption", {}},
      {"decisionList", {}},
      {"decisionItem", {{"state", Kind::kString, nullptr, "\"DECIDED\"", true}}},
      // marks
      {"textColor", {{"color", Kind::kString, nullptr, nullptr, true}}},
      {"backgroundColor", {{"color", Kind::kString, nullptr, nullptr, true}}},
      {"subsup", {{"type", Kind::kString, "sub|sup", nullptr, true}}},
      {"alignment", {{"align", Kind::kString, "center|end", nullptr, true}}},
      {"indentation", {{"level", Kind::kInt, nullptr, nullptr, true}}},
      {"annotation", {{"id", Kind::kString, nullptr, nullptr, true}, {"annotationType", Kind::kString, "inlineComment", "\"inlineComment\"", true}}},
      {"underline", {}},
  };
  return kRules;
}

const std::regex& hex_colour() {
  static const std::regex kHex("#[0-9a-fA-F]{6}");
  return kHex;
}

// What Atlassian's validator takes as a link target (adf-schema's isSafeUrl): empty, a path
// from the root, an anchor, or one of the schemes it allows. Jira refuses a document holding
// anything else (a wiki link to "notes.txt", a "jira:" URL).
bool safe_url(std::string_view url) {
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.front())) != 0) url.remove_prefix(1);
  if (url.empty() || url.front() == '/' || url.front() == '#') return true;
  std::string lower;
  for (char c : url.substr(0, 20)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::string_view kSchemes[] = {
      "http://",  "https://", "ftp://",    "ftps://", "gopher://", "integrity://", "file://", "smb://", "dynamicsnav://",
      "jamfselfservice://", "mailto:", "skype:", "callto:", "facetime:", "git:",  "irc:",   "irc6:",   "news:",
      "nntp:",    "feed:",    "cvs:",      "svn:",    "mvn:",      "ssh:",         "scp://",  "sftp://", "itms:",
      "notes:",   "hipchat://", "sourcetree:", "urn:", "tel:",     "xmpp:",        "telnet:", "vnc:",    "rdp:",
      "whatsapp:", "slack:",  "sip:",      "sips:",   "magnet:",
  };
  for (std::string_view scheme : kSchemes) {
    if (lower.rfind(scheme, 0) == 0) return true;
  }
  return false;
}

const std::regex& status_colour() {
  static const std::regex kStatus("neutral|purple|blue|red|yellow|green|#[0-9a-fA-F]{6}");
  return kStatus;
}

bool in_choices(const char* choices, const std::string& value) {
  if (choices == nullptr) return true;
  std::string_view all(choices);
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find('|', start);
    if (end == std::string_view::npos) end = all.size();
    if (all.substr(start, end - start) == value) return true;
    start = end + 1;
  }
  return false;
}

// The value made to fit the rule, or null when it cannot be.
Json fit(const Rule& rule, const Json& v) {
  switch (rule.kind) {
    case Kind::kAny:
      return v;
    case Kind::kString:
    case Kind::kNonEmpty: {
      std::string s;
      if (v.is_string()) s = v.get<std::string>();
      else if (v.is_number_integer()) s = std::to_string(v.get<long long>());
      else return nullptr;
      if (rule.kind == Kind::kNonEmpty && s.empty()) return nullptr;
      if (!in_choices(rule.choices, s)) return nullptr;
      return s;
    }
    case Kind::kNumber:
      return v.is_number() ? v : Json(nullptr);
    case Kind::kInt:
      return v.is_number_integer() && v.get<long long>() >= 1 ? v : Json(nullptr);
    case Kind::kBool:
      return v.is_boolean() ? v : Json(nullptr);
    case Kind::kNumbers:
      if (!v.is_array() || !std::all_of(v.begin(), v.end(), [](const Json& x) { return x.is_number(); })) return nullptr;
      return v;
  }
  return nullptr;
}

// Applies the node's (or mark's) rules; false when a required attribute is missing with no
// default, so the caller drops or replaces it.
const std::vector<Rule>* rules_for(const Json& node) {
  static const std::unordered_map<std::string, const std::vector<Rule>*> kIndex = [] {
    std::unordered_map<std::string, const std::vector<Rule>*> index;
    for (const auto& [type, list] : rules()) index.emplace(type, &list);
    return index;
  }();
  auto t = node.find("type");
  if (t == node.end() || !t->is_string()) return nullptr;
  auto it = kIndex.find(t->get_ref<const std::string&>());
  return it == kIndex.end() ? nullptr : it->second;
}

bool conform(Json& node, bool wiki) {
  // An unsafe link target drops the link (its text stays); the wiki flavour keeps it for the
  // write-back.
  if (!wiki && node_type(node) == "link") {
    const Json* attrs = detail::object_field(node, "attrs");
    if (attrs != nullptr && attrs->contains("href") && (*attrs)["href"].is_string() &&
        !safe_url((*attrs)["href"].get<std::string>())) {
      return false;
    }
  }
  const std::string node_kind = node_type(node);
  if (!wiki && (node_kind == "inlineCard" || node_kind == "blockCard" || node_kind == "embedCard")) {
    const Json* attrs = detail::object_field(node, "attrs");
    if (attrs != nullptr && attrs->contains("url") && (*attrs)["url"].is_string() && !safe_url((*attrs)["url"].get<std::string>())) {
      return false;  // a card to a URL the validator refuses is its text
    }
  }
  const std::vector<Rule>* rules_ptr = rules_for(node);
  if (rules_ptr == nullptr) return true;
  const std::string type = node_type(node);
  const std::vector<Rule>& list = *rules_ptr;
  Json attrs = node.contains("attrs") && node["attrs"].is_object() ? node["attrs"] : Json::object();
  Json kept = Json::object();
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    if (it.key() == "localId" && it.value().is_string() && !it.value().get<std::string>().empty()) {
      kept["localId"] = it.value();
      continue;
    }
    auto rule = std::find_if(list.begin(), list.end(), [&](const Rule& r) { return it.key() == r.key; });
    if (rule == list.end()) {
      if (wiki) kept[it.key()] = it.value();  // the wiki flavour keeps its own parameters
      continue;
    }
    Json v = fit(*rule, it.value());
    if (!v.is_null()) kept[it.key()] = std::move(v);
  }
  for (const Rule& r : list) {
    if (!r.required || kept.contains(r.key)) continue;
    if (r.fallback == nullptr) return false;
    kept[r.key] = Json::parse(r.fallback);
  }
  if (type == "textColor" && !std::regex_match(kept["color"].get<std::string>(), hex_colour())) return false;
  if (type == "status" &&
      !std::regex_match(kept["color"].get<std::string>(), status_colour())) {
    kept["color"] = "neutral";
  }
  if ((type == "inlineCard" || type == "blockCard") && !kept.contains("url") && !kept.contains("data") && !kept.contains("datasource")) return false;
  if (type == "mediaSingle" && kept.value("widthType", "") == "pixel" && !kept.contains("width")) kept.erase("widthType");
  if (kept.empty() && !node.contains("attrs")) return true;
  if (kept.empty() && (type == "tableCell" || type == "tableHeader" || type == "tableRow" || type == "table" || type == "codeBlock" ||
                       type == "expand" || type == "layoutSection" || type == "caption" || type == "decisionList" || type == "underline")) {
    node["attrs"] = Json::object();
    if (type == "underline" || type == "tableRow" || type == "caption" || type == "layoutSection") node.erase("attrs");
    return true;
  }
  node["attrs"] = std::move(kept);
  return true;
}

bool media_ok(Json& media, bool wiki) {
  if (!media.contains("attrs") || !media["attrs"].is_object()) return false;
  Json& a = media["attrs"];
  const std::string kind = a.value("type", "");
  Json kept = Json::object();
  const bool external = kind == "external";
  for (auto it = a.begin(); it != a.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "type" || (k == "localId" && v.is_string())) kept[k] = v;
    else if ((k == "alt" || (external && k == "url") || (!external && (k == "id" || k == "collection" || k == "occurrenceKey"))) && v.is_string()) kept[k] = v;
    else if ((k == "width" || k == "height") && v.is_number()) kept[k] = v;
    else if (wiki) kept[k] = v;
  }
  if (external) {
    if (!kept.contains("url")) return false;
  } else {
    if (kept.value("id", "").empty()) return false;
    if (kind != "link") kept["type"] = "file";
    if (!kept.contains("collection")) kept["collection"] = "";
    if (kept.contains("occurrenceKey") && kept["occurrenceKey"] == "") kept.erase("occurrenceKey");
  }
  a = std::move(kept);
  return true;
}

void walk(Json& node, bool wiki, int depth) {
  if (depth > 4 * kMaxNesting || !node.is_object()) return;
  auto marks_it = node.find("marks");
  if (marks_it != node.end() && marks_it->is_array() &&
      std::any_of(marks_it->begin(), marks_it->end(), [&](const Json& m) { return m.is_object() && (rules_for(m) != nullptr || (!wiki && node_type(m) == "link")); })) {
    Json marks = Json::array();
    for (Json& m : *marks_it) {
      if (conform(m, wiki)) marks.push_back(std::move(m));
    }
    *marks_it = std::move(marks);
    if (marks_it->empty()) node.erase("marks");
  }
  if (!node.contains("content") || !node["content"].is_array()) return;
  Json out = Json::array();
  for (Json& child : node["content"]) {
    if (!child.is_object()) continue;
    const std::string type = node_type(child);
    bool ok = type == "media" ? media_ok(child, wiki) : conform(child, wiki);
    if (!ok) {
      // An inline atom without what the schema requires is its text; a block is dropped.
      std::string text = plain_text(child);
      if (text.empty()) text = attr_string(child, "text");
      if (!text.empty() && node_type(node) != "doc" && node_type(node) != "mediaSingle" && node_type(node) != "mediaGroup") {
        out.push_back(text_node(std::move(text)));
      }
      continue;
    }
    walk(child, wiki, depth + 1);
    if ((type == "mediaSingle" || type == "mediaGroup") && child.value("content", Json::array()).empty()) continue;
    out.push_back(std::move(child));
  }
  node["content"] = std::move(out);
}

}  // namespace

void strip_wiki_extras(Json& node, int depth) { walk(node, false, depth); }

}  // namespace jira_mcp::content::detail
