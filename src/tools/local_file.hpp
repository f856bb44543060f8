#pragma once
// Reading a local file for jira_upload_attachment, confined to the allowed directories.
//
// The check is made on the file that is opened, not on its path: each allowed directory is
// opened once, and the file is opened relative to that descriptor without following any
// symlink, in any component (openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS where the kernel
// has it, else one openat(O_NOFOLLOW) per component). The opened descriptor is then fstat'ed
// (regular file, link count, size) and read. Swapping a symlink or a directory in while the
// upload runs therefore cannot lead outside: there is no second lookup of the path to race.
//
// Thread-safe: no shared state.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jira_mcp/core/result.hpp"

namespace jira_mcp::tools::detail {

struct LocalFileOptions {
  std::vector<std::string> dirs;  // tools.attachment_dirs, as configured
  std::size_t max_bytes = 0;      // tools.max_attachment_bytes
  bool allow_hardlinked = false;  // tools.allow_hardlinked_attachments
  bool use_openat2 = true;        // false: always the per-component walk (tests run both)
};

struct LocalFile {
  std::string name;   // the last path component
  std::string bytes;
};

struct LocalFileError {
  std::string message;                     // says what is wrong and what to do
  std::optional<std::uint64_t> too_large;  // set (to the size seen) when over max_bytes
};

// `given` is absolute (it must then lie, as written, below one of `dirs`) or relative (looked up
// in each of `dirs` in turn). "..", symlinks anywhere below the allowed directory, non-regular
// files and (unless allowed) files with more than one hard link are refused.
Result<LocalFile, LocalFileError> read_local_file(const LocalFileOptions& options, const std::string& given);

}  // namespace jira_mcp::tools::detail
