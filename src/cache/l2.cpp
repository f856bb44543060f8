#include "l2.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "jira_mcp/cache/hash.hpp"
#include "jira_mcp/core/json.hpp"

namespace jira_mcp::cache::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMagic = "JIRA-MCP-L2 1";
constexpr std::string_view kExtension = ".l2";
// A header line longer than this is not ours; it bounds what a scan reads from a stray file.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

std::int64_t to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string checksum(const std::string& key, std::int64_t expires_ms, std::string_view payload) {
  std::string data = key;
  data += '\n';
  data += std::to_string(expires_ms);
  data += '\n';
  data += payload;
  return sha256_hex(data);
}

// Reads the magic line and the header; nullopt when either is missing or malformed.
std::optional<Json> read_header(std::istream& in) {
  std::string magic;
  if (!std::getline(in, magic) || magic != kMagic) return std::nullopt;
  std::string line;
  line.reserve(256);
  for (char c; in.get(c);) {
    if (c == '\n') {
      Json header = Json::parse(line, nullptr, false);
      if (header.is_discarded() || !header.is_object()) return std::nullopt;
      return header;
    }
    if (line.size() >= kMaxHeaderBytes) return std::nullopt;
    line += c;
  }
  return std::nullopt;
}

bool header_has_tag(const Json& header, const std::string& tag) {
  auto it = header.find("tags");
  if (it == header.end() || !it->is_array()) return false;
  for (const auto& t : *it) {
    if (t.is_string() && t.get_ref<const std::string&>() == tag) return true;
  }
  return false;
}

bool is_store_file(const fs::directory_entry& e) {
  std::error_code ec;
  return e.is_regular_file(ec) && e.path().extension() == kExtension;
}

}  // namespace

DiskStore::DiskStore(std::string directory) : dir_(std::move(directory)) {}

std::string DiskStore::path_for(const std::string& key) const {
  return (fs::path(dir_) / (sha256_hex(key) + std::string(kExtension))).string();
}

DiskStore::ReadResult DiskStore::read(const std::string& key, std::chrono::system_clock::time_point now) const {
  const std::string path = path_for(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};  // no file: a plain miss

  auto reject = [&](const char* why) {
    spdlog::warn("cache: ignoring and removing L2 file {}: {}", path, why);
    in.close();
    std::error_code ec;
    fs::remove(path, ec);
    return ReadResult{std::nullopt, true};
  };

  auto header = read_header(in);
  if (!header) return reject("not a jira-mcp cache file of this version (bad magic or header)");
  const auto file_key = header->find("key");
  const auto expires = header->find("expires_ms");
  const auto size = header->find("size");
  const auto sum = header->find("sha256");
  if (file_key == header->end() || !file_key->is_string() || expires == header->end() ||
      !expires->is_number_integer() || size == header->end() || !size->is_number_unsigned() ||
      sum == header->end() || !sum->is_string()) {
    return reject("header fields missing or of the wrong type");
  }
  if (file_key->get_ref<const std::string&>() != key) return reject("written for another key");

  const auto want = size->get<std::uint64_t>();
  std::string payload;
  std::ostringstream rest;
  rest << in.rdbuf();
  payload = std::move(rest).str();
  if (payload.size() != want) return reject("truncated or padded payload");
  const auto expires_ms = expires->get<std::int64_t>();
  if (checksum(key, expires_ms, payload) != sum->get_ref<const std::string&>()) return reject("checksum mismatch");

  const auto expires_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(expires_ms));
  if (expires_at <= now) {
    // Expiry is the normal end of an entry, not damage: info, not warn.
    spdlog::info("cache: L2 file {} expired; removing it", path);
    in.close();
    std::error_code ec;
    fs::remove(path, ec);
    return {};
  }
  Entry e;
  e.payload = std::move(payload);
  e.expires = expires_at;
  if (auto t = header->find("tags"); t != header->end() && t->is_array()) {
    for (const auto& tag : *t) {
      if (tag.is_string()) e.tags.push_back(tag.get<std::string>());
    }
  }
  return ReadResult{std::move(e), false};
}

bool DiskStore::write(const std::string& key, const Entry& entry) const {
  static std::atomic<std::uint64_t> counter{0};
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) {
    fs::create_directories(dir_, ec);
    if (ec) {
      spdlog::warn("cache: cannot create the L2 directory {}: {}", dir_, ec.message());
      return false;
    }
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  const std::string path = path_for(key);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(++counter);
  const auto expires_ms = to_ms(entry.expires);
  Json header{{"key", key},
              {"expires_ms", expires_ms},
              {"tags", entry.tags},
              {"size", static_cast<std::uint64_t>(entry.payload.size())},
              {"sha256", checksum(key, expires_ms, entry.payload)}};
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (out) fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
    out << kMagic << '\n' << dump_compact(header) << '\n' << entry.payload;
    out.flush();
    if (!out) {
      spdlog::warn("cache: cannot write the L2 file {}", tmp);
      out.close();
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    spdlog::warn("cache: cannot rename {} into place: {}", tmp, ec.message());
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

void DiskStore::remove(const std::string& key) const {
  std::error_code ec;
  fs::remove(path_for(key), ec);
}

void DiskStore::remove_tagged(const std::string& tag) const {
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) return;  // no directory yet: nothing stored
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const auto& e = *it;
    if (!is_store_file(e)) continue;
    bool drop = true;  // an unreadable header cannot prove the file is unaffected
    {
      std::ifstream in(e.path(), std::ios::binary);
      if (!in) continue;  // vanished meanwhile
      if (auto header = read_header(in)) drop = header_has_tag(*header, tag);
    }
    std::error_code rm;
    if (drop) fs::remove(e.path(), rm);
  }
}

void DiskStore::remove_all() const {
  std::error_code ec;
  fs::directory_iterator it(dir_, ec);
  if (ec) return;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code rm;
    if (is_store_file(*it)) fs::remove(it->path(), rm);
  }
}

}  // namespace jira_mcp::cache::detail
