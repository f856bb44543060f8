#pragma once
// Result<T, E>: expected failures travel as values (g++ 12 has no std::expected).
//
// A Result holds either a value or an error. Accessing the wrong alternative is a broken
// invariant and throws std::logic_error. Not thread-safe beyond what T and E are.
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace jira_mcp {

// The generic error: a machine-readable code and a sentence for a human or a model.
struct Error {
  std::string code;
  std::string message;
};

template <class E>
struct Unexpected {
  E error;
};
template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& e) {
  return {std::forward<E>(e)};
}

template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class G>
  Result(Unexpected<G> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { check_value(); return std::get<0>(v_); }
  const T& value() const& { check_value(); return std::get<0>(v_); }
  T&& value() && { check_value(); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const E& error() const& { check_error(); return std::get<1>(v_); }
  E&& error() && { check_error(); return std::get<1>(std::move(v_)); }

  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void check_value() const {
    if (!ok()) throw std::logic_error("Result: value() on an error");
  }
  void check_error() const {
    if (ok()) throw std::logic_error("Result: error() on a value");
  }
  std::variant<T, E> v_;
};

// Status: a Result with nothing in it on success.
struct Ok {};
template <class E = Error>
using Status = Result<Ok, E>;

}  // namespace jira_mcp
