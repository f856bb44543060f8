// ADF <-> Markdown conversions on a typical issue description (headings, lists, code, marks).
#include <benchmark/benchmark.h>

#include "jira_mcp/content/convert.hpp"

using namespace jira_mcp;

namespace {

const std::string& markdown() {
  static const std::string md = R"(### Context

We need to **fix the login flow** on Safari. See [the runbook](https://example.com/runbook) and `auth.cpp`.

Acceptance criteria:

- Users on Safari 17 can log in with SSO
- The *remember me* box survives a restart
  - including private windows
- Errors are logged with the request id

1. Reproduce on staging
2. Patch the cookie `SameSite` attribute
3. Ship behind a flag

```cpp
if (cookie.same_site == SameSite::None && !cookie.secure) reject(cookie);
```

> Blocked until the API change ships.

| Browser | Status |
|---------|--------|
| Safari  | broken |
| Firefox | fine   |
)";
  return md;
}

void BM_MarkdownToAdf(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(content::markdown_to_adf(markdown()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * markdown().size()));
}

void BM_AdfToMarkdown(benchmark::State& state) {
  const Json adf = content::markdown_to_adf(markdown());
  for (auto _ : state) benchmark::DoNotOptimize(content::adf_to_markdown(adf));
  state.SetItemsProcessed(state.iterations());
}

void BM_MarkdownToWiki(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(content::markdown_to_wiki(markdown()));
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_MarkdownToAdf);
BENCHMARK(BM_AdfToMarkdown);
BENCHMARK(BM_MarkdownToWiki);
