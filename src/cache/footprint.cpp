// The walk mirrors nlohmann::json 3.11's storage: a value is 16 bytes held in place (in its
// parent's map node or vector, or in the root's shared block); an object, array, string or binary
// value points at a separately allocated std::map / std::vector / std::string / byte container,
// whose own nodes and buffers are further allocations. Capacities, not sizes, are summed: an
// array grown by push_back while parsing keeps its spare slots.
#include "jira_mcp/cache/footprint.hpp"

#include <algorithm>

namespace jira_mcp::cache {
namespace {

// libstdc++'s red-black tree node: colour (padded) and three links, then the stored pair.
constexpr std::size_t kMapNodeBytes = 4 * sizeof(void*) + sizeof(Json::object_t::value_type);
// std::make_shared's block: vtable pointer, two counts, then the object.
constexpr std::size_t kSharedBlockBytes = sizeof(void*) + 2 * sizeof(int) + sizeof(Json);

}  // namespace

std::size_t malloc_chunk_bytes(std::size_t n) {
  if (n == 0) return 0;
  constexpr std::size_t kHeader = sizeof(std::size_t), kAlign = 16, kMinChunk = 32;
  return std::max(kMinChunk, (n + kHeader + kAlign - 1) & ~(kAlign - 1));
}

std::size_t string_heap_bytes(const std::string& s) {
  // In-place (small string) capacity of libstdc++: 15 characters.
  return s.capacity() > 15 ? malloc_chunk_bytes(s.capacity() + 1) : 0;
}

std::size_t json_footprint(const Json& doc) {
  std::size_t total = malloc_chunk_bytes(kSharedBlockBytes);
  std::vector<const Json*> todo{&doc};
  while (!todo.empty()) {
    const Json& j = *todo.back();
    todo.pop_back();
    switch (j.type()) {
      case Json::value_t::object: {
        const auto& members = j.get_ref<const Json::object_t&>();
        total += malloc_chunk_bytes(sizeof(Json::object_t));
        for (const auto& [key, value] : members) {
          total += malloc_chunk_bytes(kMapNodeBytes) + string_heap_bytes(key);
          if (value.is_structured() || value.is_string() || value.is_binary()) todo.push_back(&value);
        }
        break;
      }
      case Json::value_t::array: {
        const auto& items = j.get_ref<const Json::array_t&>();
        total += malloc_chunk_bytes(sizeof(Json::array_t)) + malloc_chunk_bytes(items.capacity() * sizeof(Json));
        for (const auto& value : items) {
          if (value.is_structured() || value.is_string() || value.is_binary()) todo.push_back(&value);
        }
        break;
      }
      case Json::value_t::string:
        total += malloc_chunk_bytes(sizeof(Json::string_t)) + string_heap_bytes(j.get_ref<const Json::string_t&>());
        break;
      case Json::value_t::binary:
        total += malloc_chunk_bytes(sizeof(Json::binary_t)) + malloc_chunk_bytes(j.get_binary().capacity());
        break;
      default:  // null, boolean, numbers, discarded: held in place
        break;
    }
  }
  return total;
}

}  // namespace jira_mcp::cache
