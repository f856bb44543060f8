// The client's executor (src/jira/executor.hpp): workers start as calls arrive, none before, up
// to the limit; every submitted call gets its value, also when the executor shuts down.
// Threads are counted in /proc/self/task (doctest runs the cases one after another, and every
// other case joins its threads; a joined thread may still be listed for a moment, so no count
// is taken after a join).
#include <doctest/doctest.h>

#include <future>
#include <latch>
#include <vector>

#include "jira/executor.hpp"
#include "support/process_threads.hpp"

using jira_mcp::jira::detail::Executor;

using jira_mcp::testing::process_threads;

TEST_CASE("the executor starts no worker before a call, then at most `threads` at once") {
  const std::size_t before = process_threads();
  {
    Executor executor(2);
    CHECK(process_threads() == before);
    std::latch started(2);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::vector<std::future<int>> calls;
    for (int i = 0; i < 2; ++i) {
      calls.push_back(executor.submit([&, i] {
        started.count_down();
        released.wait();
        return i;
      }));
    }
    started.wait();  // both run at once: two workers
    CHECK(process_threads() == before + 2);
    calls.push_back(executor.submit([] { return 2; }));  // waits for a free worker
    CHECK(process_threads() == before + 2);
    release.set_value();
    for (int i = 0; i < 3; ++i) CHECK(calls[static_cast<std::size_t>(i)].get() == i);
  }
}

TEST_CASE("the executor never starts more than `threads` workers; shutdown runs what is queued") {
  const std::size_t before = process_threads();
  Executor executor(4);
  std::vector<std::future<int>> queued;
  for (int i = 0; i < 50; ++i) queued.push_back(executor.submit([i] { return i * 2; }));
  CHECK(process_threads() >= before + 1);
  CHECK(process_threads() <= before + 4);
  executor.shutdown();
  for (int i = 0; i < 50; ++i) CHECK(queued[static_cast<std::size_t>(i)].get() == i * 2);
  CHECK_THROWS_AS(executor.submit([] { return 0; }), std::logic_error);
}
