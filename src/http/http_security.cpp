// Request checks for the HTTP transport, kept apart from the protocol handling so each rule
// reads on its own.
#include "jira_mcp/core/digest.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "transport/http_detail.hpp"

namespace jira_mcp::transport {

namespace {

std::string sha256_prefix(std::string_view s) {
  const core::Sha256Digest md = core::sha256(s);
  return core::to_hex(md.data(), 6);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits "name[:port]" (name may be a bracketed IPv6 literal). Returns false when malformed.
bool split_host_port(std::string_view hp, std::string_view& name, std::string_view& port) {
  port = {};
  if (hp.empty()) return false;
  if (hp.front() == '[') {
    auto close = hp.find(']');
    if (close == std::string_view::npos) return false;
    name = hp.substr(0, close + 1);
    auto rest = hp.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    port = rest.substr(1);
    return !port.empty();
  }
  auto colon = hp.rfind(':');
  if (colon == std::string_view::npos) {
    name = hp;
    return true;
  }
  name = hp.substr(0, colon);
  port = hp.substr(colon + 1);
  return !name.empty() && !port.empty();
}

bool loopback_with_port(std::string_view host_port, int port) {
  std::string_view name, p;
  if (!split_host_port(host_port, name, p)) return false;
  const std::string n = lower(name);
  if (n != "localhost" && n != "127.0.0.1" && n != "[::1]") return false;
  return p.empty() || p == std::to_string(port);
}

bool listed(std::string_view value, const std::vector<std::string>& allowed) {
  const std::string v = lower(value);
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return a == "*" || lower(a) == v; });
}

}  // namespace

std::string Identity::key() const {
  if (!pat.empty()) return "pat:#" + sha256_prefix(pat);
  if (email.empty() && api_token.empty()) return {};
  return "email:" + lower(email) + "#" + sha256_prefix(api_token);
}

namespace detail {

bool host_allowed(std::string_view host, const std::vector<std::string>& allowed, int port) {
  if (host.empty()) return false;
  return allowed.empty() ? loopback_with_port(host, port) : listed(host, allowed);
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed, int port) {
  if (!allowed.empty()) return listed(origin, allowed);
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;
  const std::string scheme = lower(origin.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return false;
  auto rest = origin.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  return loopback_with_port(rest, port);
}

bool bearer_matches(std::string_view authorization, const std::string& token) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size() || lower(authorization.substr(0, kScheme.size())) != kScheme) return false;
  auto presented = authorization.substr(kScheme.size());
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  // Compare digests so the comparison takes the same time whatever the lengths.
  const core::Sha256Digest a = core::sha256(presented), b = core::sha256(token);
  return core::equal_constant_time(a.data(), b.data(), a.size()) && !token.empty();
}

Result<Identity, std::string> identity_from(const httplib::Request& req) {
  Identity id;
  id.email = req.get_header_value("X-Jira-Email");
  id.api_token = req.get_header_value("X-Jira-Api-Token");
  id.pat = req.get_header_value("X-Jira-Personal-Access-Token");
  if (!id.pat.empty() && (!id.email.empty() || !id.api_token.empty())) {
    return unexpected(std::string(
        "give either X-Jira-Personal-Access-Token or X-Jira-Email with X-Jira-Api-Token, not both"));
  }
  if (id.email.empty() != id.api_token.empty()) {
    return unexpected(std::string("X-Jira-Email and X-Jira-Api-Token must be given together"));
  }
  return id;
}

std::string new_session_id() {
  std::array<unsigned char, 16> bytes{};
  if (!core::random_bytes(bytes.data(), bytes.size())) {
    throw std::runtime_error("the kernel could not draw random bytes (getrandom)");
  }
  return core::to_hex(bytes.data(), bytes.size());
}

bool accepts(std::string_view accept, std::string_view type) {
  if (accept.empty()) return true;  // no Accept header: anything goes (RFC 9110 12.5.1)
  const std::string a = lower(accept);
  const std::string t = lower(type);
  const std::string major = t.substr(0, t.find('/')) + "/*";
  std::size_t start = 0;
  while (start <= a.size()) {
    auto end = a.find(',', start);
    if (end == std::string::npos) end = a.size();
    std::string item = a.substr(start, end - start);
    item = item.substr(0, item.find(';'));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (item == t || item == "*/*" || item == major) return true;
    start = end + 1;
  }
  return false;
}

void ElasticPool::enqueue(std::function<void()> fn) {
  std::vector<std::thread> retired;
  {
    std::lock_guard lock(mu_);
    retired.swap(retired_);
    if (!shutdown_) {
      jobs_.push_back(std::move(fn));
      if (jobs_.size() > idle_ + starting_ && threads_.size() < max_) {
        ++starting_;
        threads_.emplace_back([this] { loop(); });
        alive_.fetch_add(1, std::memory_order_relaxed);
      } else {
        cv_.notify_one();
      }
    }
  }
  for (auto& t : retired) t.join();
}

void ElasticPool::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    threads.swap(threads_);
    for (auto& t : retired_) threads.push_back(std::move(t));
    retired_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
}

void ElasticPool::loop() {
  bool first = true;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      if (first) {
        --starting_;
        first = false;
      }
      ++idle_;
      const bool woke = cv_.wait_for(lock, idle_timeout_, [&] { return !jobs_.empty() || shutdown_; });
      --idle_;
      if (!woke) {
        // Idle too long: hand our own std::thread to retired_ (joined by someone else) and exit.
        const auto me = std::this_thread::get_id();
        auto it = std::find_if(threads_.begin(), threads_.end(), [&](const std::thread& t) { return t.get_id() == me; });
        if (it != threads_.end()) {
          retired_.push_back(std::move(*it));
          threads_.erase(it);
          alive_.fetch_sub(1, std::memory_order_relaxed);
          return;
        }
        continue;  // shutdown() took it: stay until the queue is empty
      }
      if (jobs_.empty()) {  // shut down with nothing left
        alive_.fetch_sub(1, std::memory_order_relaxed);
        return;
      }
      fn = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      fn();
    } catch (...) {
      // httplib catches handler exceptions itself; anything here is a bug in the connection
      // code, and a worker must not take the process down with it.
    }
  }
}

}  // namespace detail
}  // namespace jira_mcp::transport
