#pragma once
// JsonRef: a read-only view of one JSON value that lives either in a nlohmann document (Json)
// or in a simdjson DOM (JsonParser), so one renderer serves both: the cached documents
// (nlohmann, shared with every tool that reads the cache) and a response parsed with simdjson
// for one call, read in place without building a nlohmann tree (a malloc per value, a std::map
// per object).
//
// Reading is lenient like core/read.hpp: a member of a non-object, a missing member and an
// index past the end are a missing value (is_null() true, str() empty), never an error.
// Semantics match what nlohmann's parser makes of the same text, so both views of one body read
// alike: a repeated object key reads as its last occurrence; numbers convert as nlohmann's get<T>
// does; to_json() gives the document Json::parse would (non-negative integers unsigned, negative
// ones signed, others double). Object iteration order differs (nlohmann sorts keys, simdjson
// keeps document order and repeats): see for_each_member.
//
// simdjson.h (1.2 MB) stays out of this header: the simdjson values are held as their 16 bytes
// (both are trivially copyable; json_view.cpp checks the size), so the many files that include
// jira/client.hpp do not pay for it.
//
// Lifetime: a view borrows; the document (or the JsonParser that holds it) must outlive it.
// Thread safety: a view is a value; concurrent reads of one document are safe. A JsonParser is
// used by one thread at a time (leased from a pool per call: tools::JsonParserPool).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp {

class JsonRef {
 public:
  JsonRef() = default;  // a missing value
  explicit JsonRef(const Json& j) : nl_(&j) {}

  bool missing() const { return !simd_ && nl_ == nullptr; }
  bool is_null() const;  // null or missing
  bool is_object() const;
  bool is_array() const;
  bool is_string() const;
  bool is_boolean() const;
  bool is_number() const;
  bool is_number_integer() const;  // signed or unsigned integer (as nlohmann's is_number_integer)

  // The string (a view into the document), or "" for anything else.
  std::string_view str() const;
  bool boolean() const;          // false unless a true boolean
  double number() const;         // get<double>, 0 unless a number
  std::int64_t integer() const;  // get<std::int64_t>, 0 unless a number
  int to_int() const;            // get<int>, 0 unless a number

  // The member `key` of an object (its last occurrence), else missing.
  JsonRef operator[](std::string_view key) const;
  // The members named keys[0..n) into out[0..n), each as operator[] reads it (its last
  // occurrence), in one pass over the object rather than one per key. out[i] is left as it was
  // when there is no member keys[i]: pass missing views.
  void find_members(const std::string_view* keys, JsonRef* out, std::size_t n) const;
  // The element `i` of an array, else missing.
  JsonRef at(std::size_t i) const;
  // Elements of an array, distinct keys of an object, 0 otherwise.
  std::size_t size() const;
  bool empty() const { return size() == 0; }

  // Calls f(key, value) for each member of an object: in document order with every occurrence
  // of a repeated key (simdjson; assigning each to a map keeps the last, as nlohmann does), or
  // sorted (nlohmann).
  void for_each_member(const std::function<void(std::string_view, JsonRef)>& f) const;

  // The value as a nlohmann document, as Json::parse would have made it (null when missing).
  Json to_json() const;
  // The nlohmann value this views, or null for a simdjson view.
  const Json* nlohmann() const { return simd_ ? nullptr : nl_; }

  // Iteration over the elements of an array (nothing for anything else).
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = JsonRef;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = JsonRef;
    JsonRef operator*() const;
    iterator& operator++();
    bool operator!=(const iterator& o) const;
    bool operator==(const iterator& o) const { return !(*this != o); }

   private:
    friend class JsonRef;
    Json::const_iterator nl_{};
    alignas(8) unsigned char sj_[16] = {};  // simdjson::dom::array::iterator
    bool simd_ = false;
    bool live_ = false;  // nl_ is set (default nlohmann iterators must not be compared)
  };
  iterator begin() const;
  iterator end() const;

 private:
  friend class JsonParser;
  friend struct JsonRefAccess;
  const Json* nl_ = nullptr;
  alignas(8) unsigned char sj_[16] = {};  // simdjson::dom::element
  bool simd_ = false;
};

// A reusable simdjson parser: parse() reads a body into the parser's own document (reusing its
// buffers), which the returned view reads until the next parse() or the parser's end.
class JsonParser {
 public:
  JsonParser();
  ~JsonParser();
  JsonParser(JsonParser&&) noexcept;
  JsonParser& operator=(JsonParser&&) noexcept;

  // nullopt when simdjson refuses the text (not JSON, invalid UTF-8 or surrogates, a number out
  // of range, nesting deeper than kMaxDepth, a byte order mark) or when the body is empty: the
  // caller then takes the nlohmann path, which gives today's documents and today's errors for
  // those bodies. So the in-place path only ever reads bodies both parsers accept alike.
  std::optional<JsonRef> parse(std::string_view body);
  // The same, reading `body` where it lies when its spare capacity covers simdjson's padding
  // (a transport that reserved it), instead of copying it into the parser's buffer first. The
  // document keeps no pointer into `body`.
  std::optional<JsonRef> parse(const std::string& body);
  // Bytes of buffers held (for the pool's size limit).
  std::size_t capacity() const;

  // Well below the 512 levels Jira responses are refused at (jira/cached.hpp), so anything the
  // in-place path accepts, the old path accepts too.
  static constexpr std::size_t kMaxDepth = 256;

 private:
  // `in_place`: the SIMDJSON_PADDING bytes after `body` are the caller's, and readable.
  std::optional<JsonRef> parse_at(std::string_view body, bool in_place);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jira_mcp
