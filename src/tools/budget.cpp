// The response budget of structuredContent: one decoration of every tool (like the notice), so
// the structured form of an answer can never be larger than the text's budget
// (Options::max_response_chars) nor hold more list items than the caller asked for, whatever
// Jira sent.
//
// List handlers cut their own lists first (items_within_budget), so the text and the structured
// form show the same items and the continuation is exact. This decoration is the net under
// every other tool: it cuts the largest member of the structured object (a list from its end, a
// string at a character boundary, an object inside it likewise) until the compact JSON fits, and
// says so in members truncated, omitted, continue_hint and, for offset-paged lists (a
// "start_at" member), next_start_at; the schemas of lists declare them.
#include "jira_mcp/core/json_size.hpp"
#include "tools/common.hpp"

namespace jira_mcp::tools::detail {

namespace {

constexpr size_t kMarkerReserve = 400;  // room for truncated/omitted/continue_hint/next_start_at

// What Json::dump(-1, ' ', false, replace) would write, counted without building the string
// (core/json.hpp: the count of dump_compact, which writes those bytes).
size_t json_size(const Json& j) { return compact_size(j); }

struct Cut {
  size_t omitted_items = 0;
  std::optional<size_t> kept_of_list;  // items kept of the top-level list that was cut
  bool cut = false;
};

// Cuts the largest member of `object` so its size drops by at least `excess` (when possible).
void shrink(Json& object, size_t excess, Cut& cut, bool top, int depth) {
  if (!object.is_object() || depth > 8) return;
  std::string largest;
  size_t largest_size = 0;
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (!it->is_array() && !it->is_string() && !it->is_object()) continue;
    const size_t n = json_size(*it);
    if (n > largest_size) {
      largest_size = n;
      largest = it.key();
    }
  }
  if (largest.empty()) return;
  Json& member = object[largest];
  const size_t target = largest_size > excess ? largest_size - excess : 0;
  if (member.is_array()) {
    size_t lo = 0, hi = member.size();  // keep the most items whose array fits the target
    while (lo < hi) {
      const size_t mid = (lo + hi + 1) / 2;
      Json part(member.begin(), member.begin() + static_cast<std::ptrdiff_t>(mid));
      if (json_size(part) <= target) lo = mid;
      else hi = mid - 1;
    }
    cut.omitted_items += member.size() - lo;
    if (top) cut.kept_of_list = lo;
    member.erase(member.begin() + static_cast<std::ptrdiff_t>(lo), member.end());
    cut.cut = true;
  } else if (member.is_string()) {
    std::string& s = member.get_ref<std::string&>();
    size_t keep = target > 2 ? std::min(s.size(), target - 2) : 0;
    while (keep > 0 && keep < s.size() && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
    // Escapes make JSON longer than the text: cut further until it fits.
    while (keep > 0 && json_size(Json(s.substr(0, keep))) > target) keep = keep * 3 / 4;
    while (keep > 0 && keep < s.size() && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
    s.resize(keep);
    cut.cut = true;
  } else {
    shrink(member, excess, cut, false, depth + 1);
  }
}

}  // namespace

bool fit_structured(Json& structured, size_t budget, const Json& args, const std::string& continue_hint) {
  if (!structured.is_object()) return false;
  Cut cut;
  // Never more items than asked for: the one top-level list longer than max_results is cut.
  if (auto m = args.find("max_results"); m != args.end() && m->is_number_integer() && m->get<long>() > 0) {
    const size_t max = static_cast<size_t>(m->get<long>());
    Json* list = nullptr;
    for (auto it = structured.begin(); it != structured.end(); ++it) {
      if (it->is_array() && (!list || it->size() > list->size())) list = &*it;
    }
    if (list && list->size() > max) {
      cut.omitted_items += list->size() - max;
      cut.kept_of_list = max;
      list->erase(list->begin() + static_cast<std::ptrdiff_t>(max), list->end());
      cut.cut = true;
    }
  }
  if (budget > 0) {
    const size_t limit = budget > 2 * kMarkerReserve ? budget - kMarkerReserve : budget / 2;
    for (int round = 0; round < 8; ++round) {
      const size_t size = json_size(structured);
      if (size <= limit) break;
      Cut step;
      shrink(structured, size - limit, step, true, 0);
      if (!step.cut) break;
      cut.cut = true;
      cut.omitted_items += step.omitted_items;
      if (step.kept_of_list) cut.kept_of_list = std::min(cut.kept_of_list.value_or(*step.kept_of_list), *step.kept_of_list);
    }
  }
  if (!cut.cut) return false;
  structured["truncated"] = true;
  if (cut.omitted_items > 0) {
    const size_t before = structured.value("omitted", Json(0)).is_number_integer() ? structured.value("omitted", 0UL) : 0;
    structured["omitted"] = before + cut.omitted_items;
  }
  if (cut.kept_of_list) {
    if (auto s = structured.find("start_at"); s != structured.end() && s->is_number_integer()) {
      structured["next_start_at"] = s->get<long>() + static_cast<long>(*cut.kept_of_list);
    }
    if (auto last = structured.find("is_last"); last != structured.end() && last->is_boolean()) *last = false;
  }
  if (!structured.contains("continue_hint")) {
    structured["continue_hint"] =
        continue_hint.empty() ? "Cut to fit the response budget: ask for fewer items (max_results) or fewer fields"
                              : continue_hint;
  }
  return true;
}

void add_truncation_members(Json& output_schema) {
  if (!output_schema.is_object()) return;
  Json& props = output_schema["properties"];
  if (!props.is_object()) props = Json::object();
  // Declared where a cut is expected: on the schemas of lists (a top-level array). Any other
  // result is cut only past the whole budget (a huge description); its schema does not forbid
  // the members, and declaring them on every tool would cost each host ~7 KB of tools/list.
  bool list = false, paged = false;
  for (auto it = props.begin(); it != props.end(); ++it) {
    if (it->is_object() && it->value("type", Json()) == Json("array")) list = true;
    if (it.key() == "start_at") paged = true;
  }
  if (!list) return;
  auto put = [&](const char* name, Json schema) {
    if (!props.contains(name)) props[name] = std::move(schema);
  };
  // Declared without descriptions: every tool's schema carries them, and the names say it all
  // (README, "Structured output"); about 100 bytes of the listing per tool.
  put("truncated", Json{{"type", "boolean"}});
  put("omitted", Json{{"type", "integer"}});
  put("continue_hint", Json{{"type", "string"}});
  if (paged) put("next_start_at", Json{{"type", "integer"}});
}

mcp::ToolSpec with_structured_budget(mcp::ToolSpec spec, const ServicesPtr& services) {
  if (!services || !spec.handler) return spec;
  // Read tools' lists are what gets cut; a write tool's echo of its own input never is.
  if (spec.output_schema && spec.annotations.read_only.value_or(false)) add_truncation_members(*spec.output_schema);
  // The budget is read at each call, as text_result reads it.
  spec.handler = [inner = std::move(spec.handler), services](const Json& args, RequestContext& ctx) {
    ToolResult result = inner(args, ctx);
    if (result.structured) fit_structured(*result.structured, services->options.max_response_chars, args, {});
    return result;
  };
  return spec;
}

size_t items_within_budget(size_t budget, const std::vector<std::string>& lines, const Json& items, size_t limit,
                           size_t reserve) {
  const size_t n = std::min({lines.size(), items.is_array() ? items.size() : size_t{0}, limit});
  if (budget == 0) return n;
  reserve = std::min(reserve, budget / 4);  // a small budget keeps room for items
  const size_t room = budget - reserve;
  size_t text = 0, structured = 2;
  for (size_t i = 0; i < n; ++i) {
    text += lines[i].size() + 1;
    structured += json_size(items[i]) + 1;
    if (text > room || structured > room) return i;
  }
  return n;
}

}  // namespace jira_mcp::tools::detail
