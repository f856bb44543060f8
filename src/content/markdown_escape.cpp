#include "content/markdown_escape.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cctype>
#include <cstdio>

namespace jira_mcp::content::detail {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || (static_cast<unsigned char>(c) >= 0x80); }
bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

// A link destination that parses back to exactly `href`: plain when it can be, in <...> when it
// holds spaces or parentheses; a backslash is doubled only before punctuation (where CommonMark
// would read an escape), so URLs do not gain backslashes.
std::string link_destination(std::string_view href) {
  std::string out;
  append_link_destination(out, href);
  return out;
}

namespace {
// What a destination's bytes ask of link_destination: 1 a space or parenthesis (the <...> form),
// 2 an angle bracket (<...> with escapes), 4 a backslash or control character (escapes).
constexpr std::array<std::uint8_t, 256> kDestinationClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned char c : std::string_view(" ()")) t[c] = 1;
  t['<'] = t['>'] = 2;
  t['\\'] = 4;
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = 4;
  t[0x7f] = 4;
  return t;
}();
}  // namespace

void append_link_destination(std::string& out, std::string_view href) {
  std::uint8_t seen = 0;
  for (char c : href) seen |= kDestinationClass[static_cast<unsigned char>(c)];
  const bool pointy = (seen & 3) != 0;
  // The usual URL has nothing to change: one copy.
  const bool plain = (seen & 6) == 0;
  if (plain) {
    if (pointy) out += '<';
    out += href;
    if (pointy) out += '>';
    return;
  }
  if (pointy) out += '<';
  for (size_t i = 0; i < href.size(); ++i) {
    const char c = href[i];
    auto u = static_cast<unsigned char>(c);
    const char next = i + 1 < href.size() ? href[i + 1] : '\0';
    if (c == '\\' && (std::ispunct(static_cast<unsigned char>(next)) != 0 || next == '\0')) {
      out += "\\\\";
    } else if (pointy && (c == '<' || c == '>')) {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (pointy) out += '>';
}

// Whether href can be written as a CommonMark autolink <href>.
bool autolinkable(std::string_view href) {
  size_t colon = href.find(':');
  if (colon == std::string_view::npos || colon < 2 || colon > 32) return false;
  if (std::isalpha(static_cast<unsigned char>(href[0])) == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = href[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '+' && c != '.' && c != '-') return false;
  }
  return std::none_of(href.begin(), href.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '\\';
  });
}

std::string code_span(std::string text, InlineMode mode) {
  std::string out;
  append_code_span(out, text, mode);
  return out;
}

void append_code_span(std::string& out, std::string_view text, InlineMode mode) {
  // Newlines become spaces and a table cell's "|" is escaped; the usual span has neither and is
  // read where it lies.
  std::string changed;
  if (text.find('\n') != std::string_view::npos || (mode == InlineMode::kTableCell && text.find('|') != std::string_view::npos)) {
    for (char c : text) {
      if (c == '|' && mode == InlineMode::kTableCell) changed += '\\';
      changed += c == '\n' ? ' ' : c;
    }
    text = changed;
  }
  size_t longest = 0;
  size_t run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const bool all_spaces = text.find_first_not_of(' ') == std::string_view::npos;
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`' ||
                                     (!all_spaces && text.front() == ' ' && text.back() == ' '));
  out.append(longest + 1, '`');
  if (pad) out += ' ';
  out += text;
  if (pad) out += ' ';
  out.append(longest + 1, '`');
}



namespace {

// Length of the URL starting at text[i] ("http://", "https://", "ftp://", "mailto:", "www."),
// 0 when none does. URLs are written without escapes (a backslash would change the address).
size_t url_run(std::string_view text, size_t i) {
  // Every scheme below starts with one of these: most characters leave here (escape_text asks
  // at each one).
  const char c = text[i];
  if (c != 'h' && c != 'f' && c != 'm' && c != 'w') return 0;
  if (i > 0 && is_alnum(text[i - 1])) return 0;
  // And the second character: words like "fails" or "metrics" leave here.
  const char d = i + 1 < text.size() ? text[i + 1] : '\0';
  if (d != (c == 'm' ? 'a' : c == 'w' ? 'w' : 't')) return 0;
  std::string_view rest = text.substr(i);
  bool url = false;
  for (std::string_view scheme : {"http://", "https://", "ftp://", "mailto:", "www."}) {
    if (rest.size() > scheme.size() && rest.substr(0, scheme.size()) == scheme) url = true;
  }
  if (!url) return 0;
  size_t n = 0;
  while (n < rest.size() && static_cast<unsigned char>(rest[n]) > 0x20 && rest[n] != '<' && rest[n] != '>' &&
         rest[n] != '`' && rest[n] != '\\' && rest[n] != '[' && rest[n] != ']' && rest[n] != '|') {
    ++n;
  }
  return n;
}

// Whether text[i..] is a character reference CommonMark would decode (&amp; &#35; &#x23;).
bool entity_at(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j < text.size() && text[j] == '#') {
    ++j;
    const bool hex = j < text.size() && (text[j] == 'x' || text[j] == 'X');
    if (hex) ++j;
    const size_t start = j;
    while (j < text.size() && (hex ? std::isxdigit(static_cast<unsigned char>(text[j])) : std::isdigit(static_cast<unsigned char>(text[j]))) != 0) ++j;
    return j > start && j < text.size() && text[j] == ';';
  }
  const size_t start = j;
  while (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j])) != 0) ++j;
  return j > start && j < text.size() && text[j] == ';';
}

// Whether a ':' at text[i] would start a directive: ":name[" or ":name{".
bool directive_at(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j >= text.size() || std::isalpha(static_cast<unsigned char>(text[j])) == 0) return false;
  while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) != 0 || text[j] == '_' || text[j] == '-')) ++j;
  return j < text.size() && (text[j] == '[' || text[j] == '{');
}

}  // namespace

std::string escape_text(std::string_view text, const EscapeContext& ctx) {
  std::string out;
  append_escaped(out, text, ctx);
  return out;
}

namespace {
// The bytes the loop below may write other than as themselves once past the first character
// (where the line-start rules apply): the escapable punctuation and the first letters of the
// URL schemes url_run recognises. Every other byte is copied in runs.
// 1: may need an escape; 2: may start a URL, which url_run only looks at after a byte that is
// not alphanumeric (so inside a word it is plain too).
constexpr std::array<std::uint8_t, 256> kMaybeSpecial = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned char c : std::string_view(":{\\`*~_[]!<&|#>=-+")) t[c] = 1;
  for (unsigned char c : std::string_view("hfmw")) t[c] = 2;
  return t;
}();
// is_alnum as a table: ASCII letters and digits, and every byte of a multi-byte character.
constexpr std::array<bool, 256> kAlnum = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[static_cast<size_t>(c)] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
  }
  return t;
}();
bool plain_at(std::string_view text, size_t i) {
  const std::uint8_t k = kMaybeSpecial[static_cast<unsigned char>(text[i])];
  return k == 0 || (k == 2 && kAlnum[static_cast<unsigned char>(text[i - 1])]);
}
// The end of the run of plain bytes from text[i] (i > 0): four bytes at a time while none of
// them is in kMaybeSpecial (most text), else one.
size_t plain_end(std::string_view text, size_t i) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (;;) {
    while (i + 4 <= n && (kMaybeSpecial[s[i]] | kMaybeSpecial[s[i + 1]] | kMaybeSpecial[s[i + 2]] | kMaybeSpecial[s[i + 3]]) == 0) {
      i += 4;
    }
    if (i >= n || !plain_at(text, i)) return i;
    ++i;
  }
}
}  // namespace

void append_escaped(std::string& out, std::string_view text, const EscapeContext& ctx) {
  const size_t n = text.size();
  auto at = [&](size_t i) -> char { return i < n ? text[i] : ctx.next; };
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && plain_at(text, i)) {
      const size_t j = plain_end(text, i + 1);
      out.append(text.data() + i, j - i);
      i = j - 1;
      continue;
    }
    const char c = text[i];
    const bool line_start = ctx.line_start && i == 0;
    const char next = at(i + 1);
    if (size_t url = url_run(text, i); url > 0 && !line_start) {
      out.append(text.substr(i, url));
      i += url - 1;
      continue;
    }
    bool escape = false;
    switch (c) {
      case ':':
        escape = (line_start && next == ':') || directive_at(text, i);
        break;
      case '{':
        escape = i == 0 && ctx.after_raw;
        break;
      case '\\': case '`': case '*': case '~':
        escape = true;
        break;
      case '_':
        escape = !(i > 0 && is_alnum(text[i - 1]) && i + 1 < n && is_alnum(text[i + 1]));
        break;
      case '[':
        escape = ctx.in_link ||
                 (line_start && (text.substr(0, 3) == "[ ]" || text.substr(0, 3) == "[x]" ||
                                 text.substr(0, 3) == "[X]" || text.find("]:") != std::string_view::npos));
        break;
      case ']':
        escape = ctx.in_link || next == '(' || next == '[';
        break;
      case '!':
        escape = next == '[' && i + 1 == n;
        break;
      case '<':
        escape = next == '\0' || std::isalpha(static_cast<unsigned char>(next)) != 0 || next == '/' ||
                 next == '!' || next == '?';
        break;
      case '&':
        escape = entity_at(text, i);
        break;
      case '|':
        escape = ctx.mode == InlineMode::kTableCell;
        break;
      case '#':
        escape = line_start || ctx.mode == InlineMode::kHeading;
        break;
      case '>': case '=':
        escape = line_start;
        break;
      case '-': case '+':
        escape = line_start && (next == '\0' || is_space(next) || next == c);
        break;
      default:
        break;
    }
    if (line_start && std::isdigit(static_cast<unsigned char>(c)) != 0) {
      // "1. " or "1) " at the start of a line would open an ordered list.
      size_t j = i;
      while (j < n && j - i < 10 && std::isdigit(static_cast<unsigned char>(text[j])) != 0) ++j;
      if (j < n && (text[j] == '.' || text[j] == ')') && (is_space(at(j + 1)) || at(j + 1) == '\0')) {
        out.append(text.substr(i, j - i));
        out += '\\';
        out += text[j];
        i = j;
        continue;
      }
    }
    if (escape) out += '\\';
    out += c;
  }
}

}  // namespace jira_mcp::content::detail
