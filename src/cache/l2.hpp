#pragma once
// DiskStore: the cache's level 2, a directory of one file per key.
//
// A file is named <sha256(key)>.l2 and holds, in order:
//   line 1   the magic and format version: "JIRA-MCP-L2 1"
//   line 2   a JSON header: {"key": full key, "expires_ms": wall-clock expiry (ms since the
//            epoch), "tags": [...], "size": payload bytes, "sha256": checksum}
//   rest     the payload (the response body as received), exactly `size` bytes
// The checksum is SHA-256 over key, '\n', expires_ms, '\n', payload, so a flipped bit anywhere
// that matters is caught. Expiry is wall time because a steady clock does not survive the
// process. Files are written to a unique temporary name and renamed into place, so a reader
// sees a whole old file or a whole new one. The directory is created 0700 and files 0600: the
// payloads are Jira data of one user.
//
// A file that is unreadable, truncated, of another version, for another key (a hash clash or a
// copied file), with a bad checksum, or expired is never trusted: read() logs it and removes it.
//
// Thread safety: every member may be called concurrently; the file system arbitrates (rename
// is atomic). No member throws on I/O errors; they are counted by the caller via the results.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jira_mcp::cache::detail {

class DiskStore {
 public:
  explicit DiskStore(std::string directory);

  struct Entry {
    std::string payload;
    std::chrono::system_clock::time_point expires;
    std::vector<std::string> tags;
  };
  struct ReadResult {
    std::optional<Entry> entry;  // a valid, live entry
    bool error = false;          // a file was there but could not be trusted (now removed)
  };

  ReadResult read(const std::string& key, std::chrono::system_clock::time_point now) const;
  // false (with a warn log) when the file could not be written.
  bool write(const std::string& key, const Entry& entry) const;
  void remove(const std::string& key) const;
  // Removes every file whose header lists `tag` (and every file whose header cannot be read).
  void remove_tagged(const std::string& tag) const;
  void remove_all() const;

  std::string path_for(const std::string& key) const;
  const std::string& directory() const { return dir_; }

 private:
  std::string dir_;
};

}  // namespace jira_mcp::cache::detail
