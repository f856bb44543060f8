#include "content/directive.hpp"

#include <algorithm>
#include <cctype>

#include "jira_mcp/content/convert.hpp"

namespace jira_mcp::content::detail {
namespace {

constexpr std::string_view kOpen = "\xEF\xB7\x90";   // U+FDD0
constexpr std::string_view kClose = "\xEF\xB7\x91";  // U+FDD1
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
// A label or attribute block longer than this is not a directive; the bound keeps a hostile
// line of unclosed "[" or "{" linear.
constexpr size_t kMaxSpan = 2000;

bool alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool bare_char(char c) {
  return !space(c) && c != '"' && c != '\'' && c != '=' && c != '<' && c != '>' && c != '`' && c != '{' && c != '}';
}

// End (one past) of a JSON string starting at text[from] == '"', or npos.
size_t string_end(std::string_view text, size_t from) {
  const size_t limit = std::min(text.size(), from + kMaxSpan);
  for (size_t i = from + 1; i < limit; ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    } else if (text[i] == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// End (one past) of a bracketed group starting at text[from] ('{' or '['), quote-aware.
size_t group_end(std::string_view text, size_t from) {
  int depth = 0;
  const size_t limit = std::min(text.size(), from + kMaxSpan);
  for (size_t i = from; i < limit; ++i) {
    const char c = text[i];
    if (c == '"') {
      size_t end = string_end(text, i);
      if (end == std::string_view::npos) return end;
      i = end - 1;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    } else if (c == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// End of a label "[...]" starting at text[from] == '[': brackets balance, escapes and code
// spans are skipped. npos when unbalanced on this line.
size_t label_end(std::string_view text, size_t from) {
  int depth = 0;
  const size_t limit = std::min(text.size(), from + kMaxSpan);
  for (size_t i = from; i < limit; ++i) {
    const char c = text[i];
    if (c == '\\') {
      ++i;
    } else if (c == '`') {
      size_t run = 0;
      while (i + run < text.size() && text[i + run] == '`') ++run;
      size_t close = text.substr(0, limit).find(std::string(run, '`'), i + run);
      if (close == std::string_view::npos) return close;
      i = close + run - 1;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth == 0) return i + 1;
    } else if (c == '\n') {
      return std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

bool numeric(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size() || std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  try {
    Json j = Json::parse(s);
    return j.is_number();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

bool directive_name(std::string_view name) {
  if (name.empty() || !alpha(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

std::string write_attrs(const Json& attrs) {
  if (!attrs.is_object() || attrs.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    if (!first) out += ' ';
    first = false;
    out += it.key();
    out += '=';
    const Json& v = it.value();
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      bool bare = !s.empty() && s != "true" && s != "false" && s != "null" && !numeric(s) && s[0] != '[' && s[0] != '{';
      for (char c : s) {
        if (!alnum(c) && std::string_view("#_./:+-").find(c) == std::string_view::npos) bare = false;
      }
      out += bare ? s : dump_compact(v);
    } else {
      out += dump_compact(v);
    }
  }
  return out + "}";
}

std::optional<Json> parse_attrs(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return std::nullopt;
  std::string_view body = text.substr(1, text.size() - 2);
  Json out = Json::object();
  size_t i = 0;
  while (true) {
    while (i < body.size() && space(body[i])) ++i;
    if (i >= body.size()) break;
    size_t k = i;
    if (!alpha(body[k]) && body[k] != '_') return std::nullopt;
    while (k < body.size() && (alnum(body[k]) || std::string_view("_.:-").find(body[k]) != std::string_view::npos)) ++k;
    std::string key(body.substr(i, k - i));
    i = k;
    if (i >= body.size() || body[i] != '=') {
      out[key] = "";
      continue;
    }
    ++i;
    if (i >= body.size()) return std::nullopt;
    size_t end = 0;
    if (body[i] == '"') {
      end = string_end(body, i);
    } else if (body[i] == '[' || body[i] == '{') {
      end = group_end(body, i);
    } else {
      end = i;
      while (end < body.size() && bare_char(body[end])) ++end;
      if (end == i) return std::nullopt;
      std::string_view value = body.substr(i, end - i);
      if (value == "true" || value == "false" || value == "null" || numeric(value)) {
        out[key] = Json::parse(value);
      } else {
        out[key] = std::string(value);
      }
      i = end;
      continue;
    }
    if (end == std::string_view::npos) return std::nullopt;
    try {
      out[key] = Json::parse(body.substr(i, end - i));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    i = end;
  }
  return out;
}

std::string DirectiveTable::token(Directive d) {
  items_.push_back(std::move(d));
  return std::string(kOpen) + std::to_string(items_.size() - 1) + std::string(kClose);
}

std::string DirectiveTable::inline_pass(std::string_view text, int depth) {
  std::string out;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if (c == '\\' && i + 1 < n) {
      out.append(text.substr(i, 2));
      i += 2;
      continue;
    }
    if (c == '`') {
      size_t run = 0;
      while (i + run < n && text[i + run] == '`') ++run;
      size_t close = text.find(std::string(run, '`'), i + run);
      size_t stop = close == std::string_view::npos ? i + run : close + run;
      out.append(text.substr(i, stop - i));
      i = stop;
      continue;
    }
    if (c == ':' && i + 1 < n && alpha(text[i + 1]) && (i == 0 || text[i - 1] != ':') && depth < kMaxNesting) {
      size_t k = i + 1;
      while (k < n && (alnum(text[k]) || text[k] == '_' || text[k] == '-')) ++k;
      std::string name(text.substr(i + 1, k - i - 1));
      size_t after_label = k;
      bool has_label = false;
      if (k < n && text[k] == '[') {
        size_t end = label_end(text, k);
        if (end != std::string_view::npos) {
          has_label = true;
          after_label = end;
        }
      }
      std::optional<Json> attrs;
      size_t after_attrs = after_label;
      if (after_label < n && text[after_label] == '{') {
        size_t end = group_end(text, after_label);
        if (end != std::string_view::npos) {
          attrs = parse_attrs(text.substr(after_label, end - after_label));
          if (attrs) after_attrs = end;
        }
      }
      if (has_label || attrs) {
        const int open = static_cast<int>(items_.size());
        out += token(Directive{Directive::Kind::kInlineOpen, 0, name, {}, Json::object(),
                               std::string(text.substr(i, (has_label ? k + 1 : k) - i))});
        if (has_label) out += inline_pass(text.substr(k + 1, after_label - k - 2), depth + 1);
        Directive close{Directive::Kind::kInlineClose, open, name, {}, attrs ? *attrs : Json::object(),
                        std::string(text.substr(has_label ? after_label - 1 : after_label,
                                                after_attrs - (has_label ? after_label - 1 : after_label)))};
        out += token(std::move(close));
        i = after_attrs;
        continue;
      }
    }
    if (c == ')' && i + 1 < n && text[i + 1] == '{') {
      size_t end = group_end(text, i + 1);
      if (end != std::string_view::npos) {
        if (auto attrs = parse_attrs(text.substr(i + 1, end - i - 1))) {
          out += ')';
          out += token(Directive{Directive::Kind::kAttrs, 0, {}, {}, *attrs, std::string(text.substr(i + 1, end - i - 1))});
          i = end;
          continue;
        }
      }
    }
    out += c;
    ++i;
  }
  return out;
}

std::string DirectiveTable::tokenize(std::string_view markdown) {
  std::string clean;
  clean.reserve(markdown.size());
  for (size_t i = 0; i < markdown.size(); ++i) {
    std::string_view rest = markdown.substr(i);
    if (rest.substr(0, 3) == kOpen || rest.substr(0, 3) == kClose) {
      clean += kReplacement;
      i += 2;
    } else {
      clean += markdown[i];
    }
  }
  std::string out;
  out.reserve(clean.size() + 64);
  bool in_fence = false;
  char fence_char = 0;
  size_t fence_len = 0;
  size_t start = 0;
  while (start < clean.size()) {
    size_t end = clean.find('\n', start);
    const size_t stop = end == std::string::npos ? clean.size() : end + 1;
    std::string_view line(clean.data() + start, stop - start);
    std::string_view body = line;
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
    // Container prefixes: indentation, quote markers, list markers.
    size_t p = 0;
    while (p < body.size()) {
      if (body[p] == ' ' || body[p] == '\t' || body[p] == '>') {
        ++p;
        continue;
      }
      size_t m = p;
      if (body[m] == '-' || body[m] == '+' || body[m] == '*') {
        ++m;
      } else {
        while (m < body.size() && m - p < 9 && std::isdigit(static_cast<unsigned char>(body[m])) != 0) ++m;
        if (m == p || m >= body.size() || (body[m] != '.' && body[m] != ')')) break;
        ++m;
      }
      if (m < body.size() && (body[m] == ' ' || body[m] == '\t')) {
        p = m;
        continue;
      }
      break;
    }
    std::string_view rest = body.substr(p);
    size_t run = 0;
    while (run < rest.size() && (rest[run] == '`' || rest[run] == '~') && rest[run] == rest[0]) ++run;
    if (run >= 3) {
      if (!in_fence) {
        in_fence = true;
        fence_char = rest[0];
        fence_len = run;
      } else if (rest[0] == fence_char && run >= fence_len && rest.find_first_not_of(" \t", run) == std::string_view::npos) {
        in_fence = false;
      }
      out.append(line);
      start = stop;
      continue;
    }
    if (in_fence) {
      out.append(line);
      start = stop;
      continue;
    }
    if (rest.size() >= 2 && rest[0] == ':' && rest[1] == ':') {
      size_t k = 0;
      while (k < rest.size() && rest[k] == ':') ++k;
      const int colons = static_cast<int>(k);
      size_t name_start = k;
      while (k < rest.size() && (alnum(rest[k]) || rest[k] == '_' || rest[k] == '-')) ++k;
      std::string name(rest.substr(name_start, k - name_start));
      std::string label;
      bool ok = name.empty() || directive_name(name);
      bool extra = false;
      if (ok && k < rest.size() && rest[k] == '[') {
        size_t e = label_end(rest, k);
        if (e == std::string_view::npos) {
          ok = false;
        } else {
          label = std::string(rest.substr(k + 1, e - k - 2));
          k = e;
          extra = true;
        }
      }
      Json attrs = Json::object();
      if (ok && k < rest.size() && rest[k] == '{') {
        size_t e = group_end(rest, k);
        std::optional<Json> parsed = e == std::string_view::npos ? std::nullopt : parse_attrs(rest.substr(k, e - k));
        if (!parsed) {
          ok = false;
        } else {
          attrs = std::move(*parsed);
          k = e;
          extra = true;
        }
      }
      ok = ok && rest.find_first_not_of(" \t", k) == std::string_view::npos;
      ok = ok && (name.empty() ? colons >= 3 && !extra : true);
      if (ok) {
        out.append(body.substr(0, p));
        out += token(Directive{Directive::Kind::kBlock, colons, name, label, std::move(attrs), std::string(rest)});
        out.append(line.substr(body.size()));
        start = stop;
        continue;
      }
    }
    out += inline_pass(line, 0);
    start = stop;
  }
  return out;
}

const Directive* DirectiveTable::whole_token(std::string_view text) const {
  auto parts = split(text);
  if (parts.size() != 1 || parts[0].first < 0) return nullptr;
  return &items_[static_cast<size_t>(parts[0].first)];
}

std::vector<std::pair<int, std::string>> DirectiveTable::split(std::string_view text) const {
  std::vector<std::pair<int, std::string>> out;
  size_t i = 0;
  std::string plain;
  while (i < text.size()) {
    if (text.substr(i, 3) == kOpen) {
      size_t close = text.find(kClose, i + 3);
      if (close != std::string_view::npos && close > i + 3 && close - i - 3 < 10) {
        std::string digits(text.substr(i + 3, close - i - 3));
        bool all_digits = digits.find_first_not_of("0123456789") == std::string::npos;
        if (all_digits) {
          const size_t index = std::stoul(digits);
          if (index < items_.size()) {
            if (!plain.empty()) out.emplace_back(-1, std::move(plain));
            plain.clear();
            out.emplace_back(static_cast<int>(index), std::string());
            i = close + 3;
            continue;
          }
        }
      }
    }
    plain += text[i];
    ++i;
  }
  if (!plain.empty()) out.emplace_back(-1, std::move(plain));
  return out;
}

std::string DirectiveTable::restore(std::string_view text) const {
  if (items_.empty() || text.find(kOpen) == std::string_view::npos) return std::string(text);
  std::string out;
  for (auto& [index, plain] : split(text)) out += index < 0 ? plain : items_[static_cast<size_t>(index)].raw;
  return out;
}

}  // namespace jira_mcp::content::detail
