#pragma once
// What a cached document really costs in memory, so the cache's byte budgets bound the heap.
//
// nlohmann::json keeps each object member in its own std::map node, each string value and each
// container behind its own allocation, and each array as a vector with spare capacity: a parsed
// Jira issue takes about five times the bytes of its response text. json_footprint() walks a
// document once and sums every heap block it owns, each rounded as glibc's malloc rounds it
// (8 bytes of header, 16-byte alignment, 32 bytes at least), because those rounded chunks are
// what the process's resident memory is made of. The document is read, never changed; the walk is
// iterative (no recursion limit) and costs about a tenth of the parse that produced the document.
//
// Thread safety: pure functions; the document must not change during the walk.
#include <cstddef>
#include <string>
#include <vector>

#include "jira_mcp/core/json.hpp"

namespace jira_mcp::cache {

// Bytes malloc hands out for a request of `n` bytes (0 for 0), as glibc does on 64-bit Linux.
std::size_t malloc_chunk_bytes(std::size_t n);

// Heap bytes a std::string holds beyond its own object (0 while its text fits in place).
std::size_t string_heap_bytes(const std::string& s);

// Heap bytes of a parsed document held as std::shared_ptr<const Json> made by std::make_shared:
// the shared block holding the root plus every allocation beneath it.
std::size_t json_footprint(const Json& doc);

// Heap bytes of one cache entry's bookkeeping (LRU node, index node, key text twice, tags),
// which the cache adds to the document's footprint when it charges an entry to its budget.
std::size_t entry_overhead_bytes(const std::string& key, const std::vector<std::string>& tags);

}  // namespace jira_mcp::cache
