// JsonRef over either document kind. The simdjson side reads the DOM tape in place; the only
// allocation is to_json(), used where a renderer needs a Json (directive attributes, rare nodes).
#include "jira_mcp/core/json_view.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#ifndef SIMDJSON_THREADS_ENABLED
#define SIMDJSON_THREADS_ENABLED 1  // as libsimdjson.so was built (pkg-config --cflags simdjson)
#endif
#include <simdjson.h>

namespace jira_mcp {

namespace sd = simdjson::dom;

static_assert(sizeof(sd::element) == 16 && std::is_trivially_copyable_v<sd::element>);
static_assert(sizeof(sd::array::iterator) == 16 && std::is_trivially_copyable_v<sd::array::iterator>);

struct JsonRefAccess {
  static JsonRef make(sd::element e) {
    JsonRef r;
    std::memcpy(r.sj_, &e, sizeof e);
    r.simd_ = true;
    return r;
  }
  static sd::element element(const JsonRef& r) {
    sd::element e;
    std::memcpy(&e, r.sj_, sizeof e);
    return e;
  }
};

namespace {

JsonRef wrap(sd::element e) { return JsonRefAccess::make(e); }

sd::array::iterator sj_iter(const unsigned char* bytes) {
  sd::array::iterator it;
  std::memcpy(&it, bytes, sizeof it);
  return it;
}
void store_iter(unsigned char* bytes, sd::array::iterator it) { std::memcpy(bytes, &it, sizeof it); }

template <class Word>
Word load(const char* p) {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// a == b for keys, without a call to memcmp: keys of 4 to 16 bytes (most) as two overlapping
// word loads each.
bool same_key(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 4 && n <= 8) {
    return load<std::uint32_t>(x) == load<std::uint32_t>(y) && load<std::uint32_t>(x + n - 4) == load<std::uint32_t>(y + n - 4);
  }
  if (n > 8 && n <= 16) {
    return load<std::uint64_t>(x) == load<std::uint64_t>(y) && load<std::uint64_t>(x + n - 8) == load<std::uint64_t>(y + n - 8);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

}  // namespace

#define JIRA_MCP_SJ (JsonRefAccess::element(*this))

bool JsonRef::is_null() const {
  if (simd_) return JIRA_MCP_SJ.type() == sd::element_type::NULL_VALUE;
  return nl_ == nullptr || nl_->is_null();
}
bool JsonRef::is_object() const { return simd_ ? JIRA_MCP_SJ.type() == sd::element_type::OBJECT : nl_ && nl_->is_object(); }
bool JsonRef::is_array() const { return simd_ ? JIRA_MCP_SJ.type() == sd::element_type::ARRAY : nl_ && nl_->is_array(); }
bool JsonRef::is_string() const { return simd_ ? JIRA_MCP_SJ.type() == sd::element_type::STRING : nl_ && nl_->is_string(); }
bool JsonRef::is_boolean() const { return simd_ ? JIRA_MCP_SJ.type() == sd::element_type::BOOL : nl_ && nl_->is_boolean(); }
bool JsonRef::is_number() const {
  if (!simd_) return nl_ && nl_->is_number();
  const auto t = JIRA_MCP_SJ.type();
  return t == sd::element_type::INT64 || t == sd::element_type::UINT64 || t == sd::element_type::DOUBLE;
}
bool JsonRef::is_number_integer() const {
  if (!simd_) return nl_ && nl_->is_number_integer();
  const auto t = JIRA_MCP_SJ.type();
  return t == sd::element_type::INT64 || t == sd::element_type::UINT64;
}

std::string_view JsonRef::str() const {
  if (simd_) {
    std::string_view s;
    return JIRA_MCP_SJ.get(s) == simdjson::SUCCESS ? s : std::string_view();
  }
  return nl_ && nl_->is_string() ? std::string_view(nl_->get_ref<const std::string&>()) : std::string_view();
}

bool JsonRef::boolean() const {
  if (simd_) {
    bool b = false;
    return JIRA_MCP_SJ.get(b) == simdjson::SUCCESS && b;
  }
  return nl_ && nl_->is_boolean() && nl_->get<bool>();
}

namespace {
// nlohmann's get<T> of a number: a static_cast from the stored type.
template <class T>
T number_as(sd::element e) {
  switch (e.type()) {
    case sd::element_type::INT64: return static_cast<T>(std::int64_t(e));
    case sd::element_type::UINT64: return static_cast<T>(std::uint64_t(e));
    case sd::element_type::DOUBLE: return static_cast<T>(double(e));
    default: return T{};
  }
}
}  // namespace

double JsonRef::number() const {
  if (!simd_) return nl_ && nl_->is_number() ? nl_->get<double>() : 0.0;
  return number_as<double>(JIRA_MCP_SJ);
}
std::int64_t JsonRef::integer() const {
  if (!simd_) return nl_ && nl_->is_number() ? nl_->get<std::int64_t>() : 0;
  return number_as<std::int64_t>(JIRA_MCP_SJ);
}
int JsonRef::to_int() const {
  if (!simd_) return nl_ && nl_->is_number() ? nl_->get<int>() : 0;
  return number_as<int>(JIRA_MCP_SJ);
}

JsonRef JsonRef::operator[](std::string_view key) const {
  if (!simd_) {
    if (nl_ == nullptr || !nl_->is_object()) return {};
    const auto it = nl_->find(key);
    return it == nl_->end() ? JsonRef() : JsonRef(*it);
  }
  sd::object obj;
  if (JIRA_MCP_SJ.get(obj) != simdjson::SUCCESS) return {};
  // The last occurrence, as nlohmann's parser keeps it (simdjson's at_key would give the first).
  // Keys are short ("type", "text", "content"): compared inline rather than by a call to memcmp.
  JsonRef found;
  for (const auto field : obj) {
    if (same_key(field.key, key)) found = wrap(field.value);
  }
  return found;
}

void JsonRef::find_members(const std::string_view* keys, JsonRef* out, std::size_t n) const {
  if (!simd_) {
    if (nl_ == nullptr || !nl_->is_object()) return;
    for (std::size_t i = 0; i < n; ++i) {
      const auto it = nl_->find(keys[i]);
      if (it != nl_->end()) out[i] = JsonRef(*it);
    }
    return;
  }
  sd::object obj;
  if (JIRA_MCP_SJ.get(obj) != simdjson::SUCCESS) return;
  for (const auto field : obj) {
    for (std::size_t i = 0; i < n; ++i) {
      if (same_key(field.key, keys[i])) {
        out[i] = wrap(field.value);
        break;
      }
    }
  }
}

JsonRef JsonRef::at(std::size_t i) const {
  if (!simd_) return nl_ && nl_->is_array() && i < nl_->size() ? JsonRef((*nl_)[i]) : JsonRef();
  sd::array arr;
  if (JIRA_MCP_SJ.get(arr) != simdjson::SUCCESS) return {};
  sd::element e;
  return arr.at(i).get(e) == simdjson::SUCCESS ? wrap(e) : JsonRef();
}

std::size_t JsonRef::size() const {
  if (!simd_) return nl_ && (nl_->is_array() || nl_->is_object()) ? nl_->size() : 0;
  sd::array arr;
  if (JIRA_MCP_SJ.get(arr) == simdjson::SUCCESS) {
    std::size_t n = 0;
    for (auto it = arr.begin(); it != arr.end(); ++it) ++n;
    return n;
  }
  sd::object obj;
  if (JIRA_MCP_SJ.get(obj) == simdjson::SUCCESS) {
    // Distinct keys, as the nlohmann object holds them (objects read this way are small).
    std::vector<std::string_view> keys;
    for (const auto field : obj) {
      if (std::find(keys.begin(), keys.end(), field.key) == keys.end()) keys.push_back(field.key);
    }
    return keys.size();
  }
  return 0;
}

void JsonRef::for_each_member(const std::function<void(std::string_view, JsonRef)>& f) const {
  if (simd_) {
    sd::object obj;
    if (JIRA_MCP_SJ.get(obj) != simdjson::SUCCESS) return;
    for (const auto field : obj) f(field.key, wrap(field.value));
  } else if (nl_ && nl_->is_object()) {
    for (auto it = nl_->begin(); it != nl_->end(); ++it) f(std::string_view(it.key()), JsonRef(it.value()));
  }
}

Json JsonRef::to_json() const {
  if (!simd_) return nl_ ? *nl_ : Json();
  const sd::element e = JIRA_MCP_SJ;
  switch (e.type()) {
    case sd::element_type::NULL_VALUE: return Json();
    case sd::element_type::BOOL: return Json(bool(e));
    case sd::element_type::STRING: return Json(std::string(std::string_view(e)));
    case sd::element_type::INT64: {
      // nlohmann's lexer stores a non-negative integer unsigned.
      const std::int64_t v = std::int64_t(e);
      return v >= 0 ? Json(static_cast<std::uint64_t>(v)) : Json(v);
    }
    case sd::element_type::UINT64: return Json(std::uint64_t(e));
    case sd::element_type::DOUBLE: return Json(double(e));
    case sd::element_type::ARRAY: {
      Json out = Json::array();
      for (const auto x : sd::array(e)) out.push_back(wrap(x).to_json());
      return out;
    }
    case sd::element_type::OBJECT: {
      Json out = Json::object();
      for (const auto field : sd::object(e)) out[std::string(field.key)] = wrap(field.value).to_json();
      return out;
    }
  }
  return Json();
}

JsonRef JsonRef::iterator::operator*() const { return simd_ ? wrap(*sj_iter(sj_)) : JsonRef(*nl_); }
JsonRef::iterator& JsonRef::iterator::operator++() {
  if (simd_) {
    auto it = sj_iter(sj_);
    ++it;
    store_iter(sj_, it);
  } else {
    ++nl_;
  }
  return *this;
}
bool JsonRef::iterator::operator!=(const iterator& o) const {
  if (simd_) return sj_iter(sj_) != sj_iter(o.sj_);
  return live_ && o.live_ && nl_ != o.nl_;
}

JsonRef::iterator JsonRef::begin() const {
  iterator it;
  if (simd_) {
    it.simd_ = true;
    sd::array arr;
    if (JIRA_MCP_SJ.get(arr) == simdjson::SUCCESS) store_iter(it.sj_, arr.begin());
    return it;
  }
  if (nl_ && nl_->is_array()) {
    it.nl_ = nl_->begin();
    it.live_ = true;
  }
  return it;
}

JsonRef::iterator JsonRef::end() const {
  iterator it;
  if (simd_) {
    it.simd_ = true;
    sd::array arr;
    if (JIRA_MCP_SJ.get(arr) == simdjson::SUCCESS) store_iter(it.sj_, arr.end());
    return it;
  }
  if (nl_ && nl_->is_array()) {
    it.nl_ = nl_->end();
    it.live_ = true;
  }
  return it;
}

#undef JIRA_MCP_SJ

struct JsonParser::Impl {
  sd::parser parser;
};

JsonParser::JsonParser() : impl_(std::make_unique<Impl>()) {}
JsonParser::~JsonParser() = default;
JsonParser::JsonParser(JsonParser&&) noexcept = default;
JsonParser& JsonParser::operator=(JsonParser&&) noexcept = default;

std::optional<JsonRef> JsonParser::parse(std::string_view body) { return parse_at(body, false); }

std::optional<JsonRef> JsonParser::parse(const std::string& body) {
  return parse_at(body, body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING);
}

std::optional<JsonRef> JsonParser::parse_at(std::string_view body, bool in_place) {
  if (body.empty()) return std::nullopt;
  if (!impl_) impl_ = std::make_unique<Impl>();
  sd::parser& p = impl_->parser;
  if (p.max_depth() != kMaxDepth && p.allocate(std::max<std::size_t>(body.size(), 4096), kMaxDepth) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  sd::element root;
  // Not in place, parse() copies the body into the parser's own padded buffer, which is kept for
  // the next call.
  if (p.parse(body.data(), body.size(), !in_place).get(root) != simdjson::SUCCESS) return std::nullopt;
  return wrap(root);
}

std::size_t JsonParser::capacity() const { return impl_ ? impl_->parser.capacity() : 0; }

}  // namespace jira_mcp
