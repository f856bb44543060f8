#pragma once
// How many threads this process has now (entries of /proc/self/task).
#include <dirent.h>

#include <cstddef>

namespace jira_mcp::testing {

inline std::size_t process_threads() {
  std::size_t n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (auto* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

}  // namespace jira_mcp::testing
