// large_issue and large_search: cold reads of large documents on both read paths (the in-place
// simdjson read, tools::Options::fast_parse, and the old nlohmann one), so --bench states the
// gain as a measured ratio. The large issue is created in the sandbox through the tools, as an
// agent would write it: a Markdown description and ten long comments, which the sandbox stores
// as ADF (tens of KB of JSON, the shape of a real Cloud issue with discussion).
#include "bench/large.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "bench/driver.hpp"
#include "jira_mcp/core/json_view.hpp"

namespace jira_mcp::bench::detail {

namespace {

// Markdown of about `paragraphs` × 600 bytes: headings, emphasis, links, code, lists, a table.
std::string long_markdown(int paragraphs, int seed) {
  std::string md;
  for (int i = 0; i < paragraphs; ++i) {
    const std::string n = std::to_string(seed * 100 + i);
    switch (i % 5) {
      case 0:
        md += "## Step " + n + "\n\nThe **login service** fails with *intermittent* timeouts when the [session store](https://example.com/wiki/" +
              n + ") is under load; see `auth/session.cc` line " + n + " and the retry policy around it.\n\n";
        break;
      case 1:
        md += "- reproduce with `curl -v https://staging.example.com/login?attempt=" + n +
              "`\n- watch the p99 latency on the **gateway** dashboard\n- compare with build " + n +
              " of the previous sprint\n  - nested detail about the cache eviction and the connection pool\n\n";
        break;
      case 2:
        md += "```cpp\nauto session = store.find(user_id_" + n + ");\nif (!session) return retry(policy, \"login " + n +
              "\");\n```\n\n";
        break;
      case 3:
        md += "| metric | before | after |\n| --- | --- | --- |\n| p50 | 12 ms | " + n + " ms |\n| p99 | 340 ms | " + n +
              "0 ms |\n\n";
        break;
      default:
        md += "> Customer report " + n +
              ": the page hangs for several seconds before the error appears, mostly in the morning when traffic peaks, and "
              "a refresh usually works.\n\n";
        break;
    }
  }
  return md;
}

// p50 of `n` runs of `f`, in microseconds.
template <class F>
double p50_us(int n, F&& f) {
  std::vector<std::int64_t> ns;
  ns.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto a = std::chrono::steady_clock::now();
    f();
    ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(ns.begin(), ns.end());
  return percentile(ns, 50) / 1000.0;
}

Json result_of(const std::string& reply) {
  Json j = Json::parse(reply, nullptr, false);
  return j.is_object() && j.contains("result") ? j["result"] : Json();
}

struct Target {
  std::string tool;
  Json args;
  // The Jira responses one call reads, fetched raw (for the jira and parse figures).
  std::vector<std::pair<std::string, jira::Query>> gets;
  std::string search_jql;  // non-empty: a search page instead of gets
  std::vector<std::string> search_fields;
};

Result<LargeReadResult> measure(const Plan& plan, const sandbox::Sandbox& sb, const std::string& name,
                                const std::string& what, const Target& t) {
  LargeReadResult out;
  out.workload = name;
  out.what = what;
  const int n = std::max(1, plan.large_calls);
  std::string replies[2];
  for (const bool fast : {true, false}) {
    StackOptions so;
    so.variant.name = fast ? "fast_parse" : "old_parse";
    so.variant.cache = false;
    so.variant.fast_parse = fast;
    auto stack = ServerStack::create(sb, so);
    if (!stack) return unexpected(stack.error());
    ServerStack& s = **stack;
    Recorder warm;
    replies[fast ? 0 : 1] = result_of(s.call_text(t.tool, t.args, warm)).dump();
    for (int i = 0; i < std::min(n, 50); ++i) s.call(t.tool, t.args, warm);
    LargeReadPath& path = fast ? out.fast : out.old;
    const RunStats seq = drive(1, n, [&](int, Recorder& rec) { s.call(t.tool, t.args, rec); });
    const RunStats par = drive(8, n, [&](int, Recorder& rec) { s.call(t.tool, t.args, rec); });
    path.p50_us = seq.p50_us;
    path.throughput_per_s = par.throughput_per_s;
    path.errors = seq.errors + par.errors + warm.errors();
  }
  out.identical = !replies[0].empty() && replies[0] == replies[1];

  // The raw responses: their round trip, and parsing them alone.
  StackOptions so;
  so.variant.cache = false;
  auto stack = ServerStack::create(sb, so);
  if (!stack) return unexpected(stack.error());
  jira::Client& client = (*stack)->client();
  std::vector<std::string> bodies;
  auto fetch_all = [&](bool keep) {
    if (!t.search_jql.empty()) {
      Json body{{"jql", t.search_jql}, {"maxResults", 100}, {"fields", t.search_fields}};
      auto r = client.post("/rest/api/3/search/jql", body, true);
      if (keep && r) bodies.push_back(r->body);
      return;
    }
    for (const auto& [p, q] : t.gets) {
      auto r = client.get(p, q);
      if (keep && r) bodies.push_back(r->body);
    }
  };
  fetch_all(true);
  for (const auto& b : bodies) out.body_bytes += b.size();
  out.jira_p50_us = p50_us(n, [&] { fetch_all(false); });
  JsonParser parser;
  std::size_t parsed = 0;  // read back, so no parse is optimized away
  out.fast.parse_p50_us = p50_us(n, [&] {
    for (const auto& b : bodies) parsed += parser.parse(b) ? 1 : 0;
  });
  out.old.parse_p50_us = p50_us(n, [&] {
    for (const auto& b : bodies) parsed += Json::parse(b, nullptr, false).is_discarded() ? 0 : 1;
  });
  if (parsed != 2 * static_cast<std::size_t>(n) * bodies.size()) spdlog::warn("bench {}: a body did not parse", name);
  for (LargeReadPath* p : {&out.fast, &out.old}) p->render_p50_us = std::max(0.0, p->p50_us - out.jira_p50_us - p->parse_p50_us);
  out.p50_ratio = out.fast.p50_us > 0 ? out.old.p50_us / out.fast.p50_us : 0;
  out.throughput_ratio = out.old.throughput_per_s > 0 ? out.fast.throughput_per_s / out.old.throughput_per_s : 0;
  const double own_fast = out.fast.p50_us - out.jira_p50_us, own_old = out.old.p50_us - out.jira_p50_us;
  out.overhead_ratio = own_fast > 0 ? own_old / own_fast : 0;
  spdlog::info("bench {}: {} bytes; p50 {:.1f} us (in place) vs {:.1f} us (old), {:.0f}/s vs {:.0f}/s at 8 in flight; "
               "jira {:.1f} us; parse {:.1f} vs {:.1f} us; identical replies: {}",
               name, out.body_bytes, out.fast.p50_us, out.old.p50_us, out.fast.throughput_per_s, out.old.throughput_per_s,
               out.jira_p50_us, out.fast.parse_p50_us, out.old.parse_p50_us, out.identical);
  return out;
}

}  // namespace

Result<LargeReadResult> large_issue(const Plan& plan, sandbox::Sandbox& sb) {
  sb.set_faults(sandbox::Faults{});
  StackOptions so;
  so.variant.cache = false;
  auto stack = ServerStack::create(sb, so);
  if (!stack) return unexpected(stack.error());
  ServerStack& s = **stack;
  Recorder rec;
  const Json created = result_of(s.call_text(
      "jira_create_issue",
      {{"project_key", "DEMO"}, {"summary", "Login fails under load (large issue for --bench)"}, {"issue_type", "Bug"},
       {"description", long_markdown(20, 0)}},
      rec));
  const std::string key = created.value("structuredContent", Json::object()).value("key", "");
  if (key.empty()) return unexpected(Error{"bench.setup", "could not create the large issue: " + created.dump()});
  for (int c = 1; c <= 10; ++c) s.call("jira_add_comment", {{"issue_key", key}, {"body", long_markdown(5, c)}}, rec);
  if (rec.errors() > 0) return unexpected(Error{"bench.setup", "could not comment on the large issue"});
  Target t;
  t.tool = "jira_get_issue";
  t.args = {{"issue_key", key}, {"comments", 10}};
  // What the tool reads: the field list (the catalog) and the issue with its default fields.
  t.gets = {{"/rest/api/3/field", {}}, {"/rest/api/3/issue/" + key, {}}};
  return measure(plan, sb, "large_issue", "jira_get_issue(comments 10, markdown), cache off", t);
}

Result<LargeReadResult> large_search(const Plan& plan, sandbox::Sandbox& sb) {
  sb.set_faults(sandbox::Faults{});
  Target t;
  t.tool = "jira_search";
  t.args = {{"jql", "project = DEMO ORDER BY key ASC"}, {"max_results", 100}};
  t.search_jql = "project = DEMO ORDER BY key ASC";
  t.search_fields = {"summary", "status", "issuetype", "priority", "assignee", "updated"};
  return measure(plan, sb, "large_search", "jira_search(max_results 100), cache off", t);
}

}  // namespace jira_mcp::bench::detail
