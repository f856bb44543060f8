// The binary's side of net/net.hpp: finds jira-mcp-net.so, loads it once (dlopen, RTLD_NOW so a
// mismatched module fails here, whole, rather than at its first call) and forwards to it. The
// Jira client's transport is a proxy that loads the module on its first send, so a server over
// stdio answers initialize before libcrypto is even mapped.
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "net/api.hpp"

namespace jira_mcp::net {

namespace {

constexpr const char* kModuleFile = "jira-mcp-net.so";

struct Loaded {
  const ModuleApi* api = nullptr;
  std::string error;  // when api is null
};

std::string executable_dir() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  return std::filesystem::path(std::string(buf, static_cast<std::size_t>(n))).parent_path().string();
}

Loaded load_once() {
  Loaded out;
  const std::string dir = executable_dir();
  // Beside the binary (a build tree), then where `make install` and the package put it.
  const std::vector<std::string> candidates{dir + "/" + kModuleFile, dir + "/../lib/jira-mcp/" + kModuleFile};
  std::string tried;
  for (const auto& path : candidates) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : "; ") + path + " (not found)";
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      tried += (tried.empty() ? "" : "; ") + path + " (" + (why ? why : "dlopen failed") + ")";
      continue;
    }
    auto entry = reinterpret_cast<ModuleEntry>(dlsym(handle, kModuleEntry));
    const ModuleApi* api = entry ? entry() : nullptr;
    if (api == nullptr || api->size != sizeof(ModuleApi) || std::string(api->version) != JIRA_MCP_VERSION) {
      tried += (tried.empty() ? "" : "; ") + path + " (from another build of jira-mcp)";
      dlclose(handle);
      continue;
    }
    // Never unloaded: its code runs until the process ends.
    spdlog::debug("HTTP module loaded from {}", path);
    out.api = api;
    return out;
  }
  out.error = "jira-mcp could not load its HTTP module " + std::string(kModuleFile) + ": tried " + tried +
              ". Install jira-mcp whole (make install, or the Debian package), or keep " + kModuleFile +
              " beside the jira-mcp binary";
  return out;
}

const Loaded& loaded() {
  static const Loaded l = load_once();  // thread-safe, once
  return l;
}

Error module_error() { return Error{"http_module_missing", loaded().error}; }

// The Jira client's transport until the first request: then the module's cpp-httplib transport.
class LazyTransport final : public jira::HttpTransport {
 public:
  LazyTransport(jira::TransportOptions o, bool https) : options_(std::move(o)), https_(https) {}

  Result<jira::HttpResponse, jira::TransportError> send(const jira::HttpRequest& request,
                                                        const jira::Deadline& deadline) override {
    jira::HttpTransport* t = real();
    if (t == nullptr) {
      return unexpected(jira::TransportError{jira::TransportErrorKind::other, false, error_});
    }
    return t->send(request, deadline);
  }

  jira::PoolStats pool_stats() const override {
    const jira::HttpTransport* t = ready();
    return t ? t->pool_stats() : jira::PoolStats{};
  }

  jira::TlsInfo tls_info() const override {
    if (const jira::HttpTransport* t = ready()) return t->tls_info();
    jira::TlsInfo info;  // what is known before a handshake
    info.enabled = https_;
    info.verify = options_.verify_tls;
    info.ca_bundle = options_.ca_bundle;
    return info;
  }

 private:
  jira::HttpTransport* real() {
    std::call_once(once_, [this] {
      const Loaded& l = loaded();
      if (l.api == nullptr) {
        error_ = l.error;
        return;
      }
      auto t = l.api->make_jira_transport(options_);
      if (!t) {
        error_ = t.error().message;  // checked at construction already; not expected
        return;
      }
      real_ = std::move(*t);
      ready_.store(real_.get(), std::memory_order_release);
    });
    return real_.get();
  }
  const jira::HttpTransport* ready() const { return ready_.load(std::memory_order_acquire); }

  jira::TransportOptions options_;
  bool https_;
  std::once_flag once_;
  std::unique_ptr<jira::HttpTransport> real_;
  std::atomic<jira::HttpTransport*> ready_{nullptr};
  std::string error_;
};

}  // namespace

Status<Error> load() {
  if (loaded().api == nullptr) return unexpected(module_error());
  return Ok{};
}

Result<std::unique_ptr<RunningSandbox>> start_sandbox(const sandbox::Options& options) {
  if (loaded().api == nullptr) return unexpected(module_error());
  return loaded().api->start_sandbox(options);
}

int serve_http(const HttpServe& serve) {
  if (loaded().api == nullptr) {
    spdlog::critical("{}", loaded().error);
    return 1;
  }
  return loaded().api->serve_http(serve);
}

int run_bench(const config::Startup& startup) {
  if (loaded().api == nullptr) {
    spdlog::critical("{}", loaded().error);
    return 1;
  }
  return loaded().api->run_bench(startup);
}

}  // namespace jira_mcp::net

namespace jira_mcp::jira {

// The same checks as make_http_transport, now; the transport itself on the first send.
Result<std::unique_ptr<HttpTransport>> open_http_transport(const TransportOptions& options) {
  auto checked = check_transport_options(options);
  if (!checked) return unexpected(checked.error());
  warn_if_unverified(*checked, options);
  std::unique_ptr<HttpTransport> t = std::make_unique<net::LazyTransport>(options, checked->base.url.scheme == "https");
  return t;
}

}  // namespace jira_mcp::jira
