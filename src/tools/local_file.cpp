// Why two ways to open: openat2 (Linux 5.6+) resolves the whole path in the kernel under
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, which is exactly the rule. Older kernels (and seccomp
// filters that do not know the call) answer ENOSYS (or EPERM); the walk then opens one component
// at a time with O_NOFOLLOW, each relative to the directory just opened, which gives the same
// guarantee because no name is ever looked up twice.
#include "tools/local_file.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace jira_mcp::tools::detail {

namespace {

namespace fs = std::filesystem;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Path components, without empty ones and ".".
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string c = path.substr(start, slash - start);
    if (!c.empty() && c != ".") out.push_back(std::move(c));
    start = slash + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i) out += (out.empty() ? "" : "/") + parts[i];
  return out;
}

enum class Failure { none, symlink, missing, not_dir, escapes, other };

struct Opened {
  Fd fd;
  Failure failure = Failure::none;
  int error = 0;  // errno for Failure::other
};

constexpr int kFileFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;  // O_NONBLOCK: a FIFO must not block the open

// What a failed open of `name` under `dir` ran into, looked at without following it.
Failure classify(int dir, const std::string& name, int err) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) return Failure::symlink;
  if (err == ELOOP) return Failure::symlink;
  if (err == ENOENT) return Failure::missing;
  if (err == ENOTDIR) return Failure::not_dir;
  return Failure::other;
}

// One component at a time, never following a symlink.
Opened walk_beneath(int root, const std::vector<std::string>& parts) {
  Opened out;
  Fd dir;
  int at = root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const int flags = last ? kFileFlags | O_NOFOLLOW : O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
    const int fd = ::openat(at, parts[i].c_str(), flags);
    if (fd < 0) {
      const int err = errno;
      out.failure = classify(at, parts[i], err);
      out.error = err;
      return out;
    }
    if (last) {
      out.fd = Fd(fd);
      return out;
    }
    dir = Fd(fd);
    at = dir.get();
  }
  return out;
}

// openat2 under RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS; nullopt when the kernel lacks it.
std::optional<Opened> openat2_beneath(int root, const std::vector<std::string>& parts) {
  open_how how{};
  how.flags = kFileFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const std::string rel = join(parts);
  for (int tries = 0;; ++tries) {
    const long fd = ::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how);
    if (fd >= 0) {
      Opened out;
      out.fd = Fd(static_cast<int>(fd));
      return out;
    }
    const int err = errno;
    if (err == ENOSYS || err == EPERM) return std::nullopt;
    // EAGAIN: a concurrent rename made the kernel give up on a safe resolution; try again.
    if ((err == EAGAIN || err == EINTR) && tries < 16) continue;
    Opened out;
    out.error = err;
    if (err == EXDEV) {
      out.failure = Failure::escapes;
    } else if (err == ELOOP) {
      out.failure = Failure::symlink;
    } else if (err == ENOENT) {
      out.failure = Failure::missing;
    } else if (err == ENOTDIR) {
      out.failure = Failure::not_dir;
    } else {
      out.failure = Failure::other;
    }
    return out;
  }
}

// `given`'s components below `root` when `given` (absolute) is written as a path under it.
std::optional<std::vector<std::string>> below(const std::vector<std::string>& given, const std::string& root) {
  const auto r = components(root);
  if (given.size() < r.size() || !std::equal(r.begin(), r.end(), given.begin())) return std::nullopt;
  return std::vector<std::string>(given.begin() + static_cast<std::ptrdiff_t>(r.size()), given.end());
}

}  // namespace

Result<LocalFile, LocalFileError> read_local_file(const LocalFileOptions& options, const std::string& given) {
  auto fail = [](std::string message) { return unexpected(LocalFileError{std::move(message), std::nullopt}); };
  if (options.dirs.empty()) {
    return fail("this server reads no local files; set tools.attachment_dirs in its configuration to the directories uploads "
                "may come from, or send the bytes as content_base64");
  }
  struct Root {
    std::string shown;  // as configured
    std::string canonical;
    Fd fd;
  };
  std::vector<Root> roots;
  std::string listed;
  for (const auto& d : options.dirs) {
    // The configured directory itself is trusted (an administrator wrote it), symlinks included.
    Fd fd(::open(d.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECTORY));
    listed += (listed.empty() ? "" : ", ") + d;
    if (!fd) continue;
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(fs::path(d), ec).string();
    roots.push_back(Root{d, ec ? d : canonical, std::move(fd)});
  }
  if (roots.empty()) {
    return fail("none of the directories in tools.attachment_dirs (" + listed +
                ") can be opened; check that they exist and that this server may read them");
  }
  const std::string outside = "'" + given + "' is outside the directories uploads may come from (" + listed +
                              "; tools.attachment_dirs)";

  // The candidates: (root, components below it).
  std::vector<std::pair<const Root*, std::vector<std::string>>> candidates;
  const auto parts = components(given);
  if (!given.empty() && given[0] == '/') {
    for (const auto& root : roots) {
      auto rel = below(parts, root.shown);
      if (!rel) rel = below(parts, root.canonical);
      if (rel) {
        candidates.emplace_back(&root, std::move(*rel));
        break;
      }
    }
    if (candidates.empty()) return fail(outside + "; give a path inside one of them");
  } else {
    for (const auto& root : roots) candidates.emplace_back(&root, parts);
  }

  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& [root, rel] = candidates[i];
    if (std::find(rel.begin(), rel.end(), "..") != rel.end()) {
      return fail(outside + ": '..' is not followed; give the file's path inside " + root->shown + " without '..'");
    }
    if (rel.empty()) return fail("'" + given + "' is a directory, not a regular file; name a file inside it");
    std::optional<Opened> opened;
    if (options.use_openat2) opened = openat2_beneath(root->fd.get(), rel);
    if (!opened) opened = walk_beneath(root->fd.get(), rel);
    switch (opened->failure) {
      case Failure::none: break;
      case Failure::missing:
        if (i + 1 < candidates.size()) continue;  // a relative path: try the next directory
        return fail("'" + given + "' does not exist in " + (candidates.size() > 1 ? "any of " + listed : root->shown) +
                    " (tools.attachment_dirs); check the name with the user");
      case Failure::symlink:
        return fail("'" + given + "' is or passes through a symbolic link, which could lead outside the directories uploads "
                    "may come from (" + listed + "; tools.attachment_dirs); uploads follow no symlinks: copy the file itself "
                    "into " + root->shown + ", or give its real path inside it");
      case Failure::escapes: return fail(outside + "; give a path inside one of them");
      case Failure::not_dir:
        return fail("'" + given + "' does not exist: a component of the path is not a directory");
      case Failure::other:
        return fail("cannot open '" + given + "': " + std::strerror(opened->error));
    }
    const int fd = opened->fd.get();
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail("cannot read '" + given + "': " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return fail("'" + given + "' is not a regular file; name a file, not a directory or device");
    if (st.st_nlink > 1 && !options.allow_hardlinked) {
      return fail("'" + given + "' has " + std::to_string(st.st_nlink) +
                  " hard links, so the same bytes may also be a file outside the allowed directories; upload a copy "
                  "(cp, not ln), or set tools.allow_hardlinked_attachments = true if hard links there are trusted");
    }
    if (static_cast<std::uint64_t>(st.st_size) > options.max_bytes) {
      return unexpected(LocalFileError{"", static_cast<std::uint64_t>(st.st_size)});
    }
    // Read from the descriptor checked above, and no more than the limit even if the file grows.
    LocalFile out;
    out.name = rel.back();
    out.bytes.reserve(static_cast<std::size_t>(st.st_size));
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail("cannot read '" + given + "': " + std::strerror(errno));
      if (n == 0) break;
      out.bytes.append(buf, static_cast<std::size_t>(n));
      if (out.bytes.size() > options.max_bytes) return unexpected(LocalFileError{"", out.bytes.size()});
    }
    return out;
  }
  return fail(outside);
}

}  // namespace jira_mcp::tools::detail
