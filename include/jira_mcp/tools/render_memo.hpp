#pragma once
// RenderMemo: the rendered result of a tool call, kept beside the Jira document it was rendered
// from, so that a read served by the response cache does not render the same document again.
//
// A cached jira_get_issue spent four fifths of its time turning the cached issue into Markdown
// and its structured summary (ADF → Markdown for the description and every comment), the same
// work each time for the same immutable document. The memo keys a result by the document's
// identity (the shared_ptr the response cache handed out) and a variant string naming everything
// else the rendering depends on (tool, format, comment count). An entry is used only while that
// very document is alive (it holds a weak_ptr and compares the object), so a document the cache
// dropped, replaced or invalidated after a write can never be answered from the memo: its
// successor is a new object and misses. Documents read without the cache (fresh=true, cache off)
// are never stored: nobody else holds them, and they die with the call.
//
// Bounded by entries and by bytes (each result's heap footprint), LRU within each of 8 shards.
//
// Thread safety: all members are thread-safe.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "jira_mcp/core/json.hpp"
#include "jira_mcp/mcp/registry.hpp"

namespace jira_mcp::tools {

struct RenderMemoStats {
  std::uint64_t hits = 0, misses = 0, stores = 0, evictions = 0;
  std::size_t entries = 0, bytes = 0;
};

class RenderMemo {
 public:
  // max_bytes and max_entries: the whole memo's bounds (0 entries: stores nothing).
  RenderMemo(std::size_t max_bytes, std::size_t max_entries);
  ~RenderMemo();
  RenderMemo(const RenderMemo&) = delete;
  RenderMemo& operator=(const RenderMemo&) = delete;

  // The result rendered earlier from this same document object for `variant`, or null.
  std::shared_ptr<const mcp::ToolResult> find(const std::shared_ptr<const Json>& doc, std::string_view variant);
  // Keeps `result` for (doc, variant) when the document is shared (held by the response cache);
  // a result larger than an eighth of the byte budget is not kept.
  void store(const std::shared_ptr<const Json>& doc, std::string_view variant,
             std::shared_ptr<const mcp::ToolResult> result);

  RenderMemoStats stats() const;

 private:
  struct Shard;
  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_bytes_, shard_entries_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace jira_mcp::tools
