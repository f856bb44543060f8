#pragma once
// CacheLayer: how the Client reads through the response cache and what its writes invalidate.
//
// Reads. A GET (and a read-only search POST) is classified by its path into a tier and a set
// of tags (classify_read); unclassified reads are never cached. The cache key is
//   base URL \n identity hash \n METHOD path?sorted-query [\n sha256(body)]
// so two sites or two users never share an entry; the identity is a SHA-256, never a secret.
// Only 2xx responses with a JSON body are stored, and not when Jira says Cache-Control:
// no-store. An issue document also tags its entry with the issue's key and numeric id, and the
// pair is remembered, so a write that names the issue either way reaches every entry of it.
//
// Writes invalidate after they complete, successful or not (a timed-out write may still have
// happened), what they declare (Request::invalidates, named by the tool that writes; see
// cache/tags.hpp); an undeclared write invalidates every tag family. The layer adds what only it
// knows, having learned it from responses: the other form of an issue (key ↔ numeric id), and
// the project of a component or version.
//
// An issue's transitions are tagged "workflow:KEY" instead of "issue:KEY": every write to the
// issue drops them except a comment's (adding, editing or deleting a comment changes neither
// the status nor a field a workflow condition reads), so listing the transitions, commenting
// and then transitioning asks Jira for the transitions once.
//
// Project metadata is narrowed per project. Reads under project/{P} are tagged
// "meta:project:P", one component or version "meta:component:ID" / "meta:version:ID" plus its
// project's tags once the response names it, and reads that span projects (project lists,
// createmeta, editmeta) "meta:project:*"; all keep the family tag. A write declaring
// "meta:project:A" (or a component or version of A) drops A's entries and the cross-project
// ones only, when the layer knows A in both its forms (key and numeric id, learned from earlier
// responses): an entry read by one form must not survive a write naming the other. When it does
// not, the whole family goes.
//
// Thread safety: all members are thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "jira_mcp/cache/cache.hpp"
#include "jira_mcp/jira/call.hpp"
#include "jira_mcp/jira/client.hpp"

namespace jira_mcp::jira::detail {

// Jira responses nested deeper than this are refused as a protocol error (Response::json and the
// cached read): the renderers walk documents recursively, and no real Jira document comes near.
inline constexpr int kMaxResponseDepth = 512;

struct ReadRoute {
  cache::Tier tier = cache::Tier::issues;
  cache::Tags tags;
  std::string issue;    // the issue the path names (key upper-cased, or numeric id), if any
  std::string issue_prefix = "issue:";  // how the entry is tagged with it ("workflow:" for transitions)
  std::string project;  // the project the path names (project/{P}/...), upper-cased, if any
  std::string object;   // "component:ID" or "version:ID" for a read of one of them, or the
                        // kind a project's list holds ("component:" / "version:")
};

// The tier and tags of a cacheable read, or nullopt. `path` starts with "/rest/" (no context
// path); a query string in it is ignored.
std::optional<ReadRoute> classify_read(const std::string& method, const std::string& path);
// The identity part of cache keys: SHA-256 of options.identity, or of the credential that
// names the user (PAT, email, username) when that is empty.
std::string identity_hash(const ClientOptions& options);

class CacheLayer {
 public:
  CacheLayer(std::shared_ptr<cache::Cache> cache, const ClientOptions& options);

  // Whether `request` is read through the cache (cache on and a classified read).
  bool caches(const Request& request) const;
  // The parsed body of `request`: from the cache when allowed and live, else from `fetch`
  // (which sends it). Without a cache or for an unclassified request it just fetches. An empty
  // body is a null document; a non-JSON body is ErrorKind::protocol. The time a cached read
  // spends outside `fetch` (lookup, parsing and storing a miss, waiting on another caller's
  // identical miss) goes to `call.trace` as monitor::Phase::cache, on the client's clock;
  // `fetch` reports its own time (wait, jira). `call.fresh` bypasses a cached entry (the
  // answer replaces it).
  using Fetch = std::function<Result<Response, JiraError>()>;
  Result<std::shared_ptr<const Json>, JiraError> read(const Request& request, const CallContext& call,
                                                      const Fetch& fetch);
  // Invalidates what a sent write declares (expand()); reads pass through untouched.
  void after_write(const Request& request);
  // The declared tags plus what the layer learned: the other form of each issue, the owning
  // project of a component or version, both forms of a project (else the whole family).
  cache::Tags expand(const cache::Tags& declared) const;

  // A document as the Response that get()/post() return on the cached path: 200, JSON.
  static Response as_response(const Json& doc);

 private:
  std::string key(const Request& request) const;
  void learn_alias(const std::string& a, const std::string& b);
  std::optional<std::string> alias_of(const std::string& issue) const;
  // Learns project key ↔ id pairs and which project owns each component/version from a
  // metadata response; returns the owning project's tags to add to the entry.
  cache::Tags learn_projects(const ReadRoute& route, const Json& doc);
  // "meta:project:KEY" and "meta:project:ID" when both forms of `project` are known.
  std::optional<cache::Tags> project_tags(const std::string& project) const;

  // The key prefix (base URL, identity hash), hashed on the first cached read, not at start-up
  // (a server may never be called). Until then the pre-image is kept, as the client keeps the credentials it names.
  const std::string& prefix() const;
  std::string url_;
  mutable std::string identity_;  // cleared once hashed
  mutable std::once_flag prefix_once_;
  mutable std::string prefix_;

  std::shared_ptr<cache::Cache> cache_;
  std::shared_ptr<Clock> clock_;
  cache::SingleFlight<Result<cache::Loaded, JiraError>> flights_;
  mutable std::mutex alias_mu_;
  std::unordered_map<std::string, std::string> aliases_;  // key ↔ numeric id, both directions
  // "project:KEY" ↔ "project:ID", and "component:ID" / "version:ID" → one form of its project.
  std::unordered_map<std::string, std::string> projects_;
};

}  // namespace jira_mcp::jira::detail
