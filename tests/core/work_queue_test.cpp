// WorkQueue: workers start as work arrives (none before), up to the limit; every task runs.
// Threads are counted in /proc/self/task, so the checks are about this queue's own threads:
// doctest runs the cases one after another, and every other case joins its threads. (Not
// counted after a join: a joined thread may still be listed for a moment.)
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <latch>

#include "jira_mcp/core/work_queue.hpp"
#include "support/process_threads.hpp"

using namespace jira_mcp;

using jira_mcp::testing::process_threads;

TEST_CASE("a work queue starts no worker before work arrives, then at most `threads` at once") {
  const std::size_t before = process_threads();
  std::atomic<int> ran{0};
  {
    core::WorkQueue queue(3, 16);
    CHECK(process_threads() == before);

    std::latch started(3);
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    for (int i = 0; i < 3; ++i) {
      REQUIRE(queue.try_submit([&] {
        started.count_down();
        released.wait();
        ++ran;
      }));
    }
    started.wait();  // three tasks run at once: three workers
    CHECK(process_threads() == before + 3);
    REQUIRE(queue.try_submit([&] { ++ran; }));  // waits for a free worker; no fourth thread
    CHECK(process_threads() == before + 3);
    CHECK(queue.running() == 3);
    release.set_value();
    queue.drain();
    CHECK(ran == 4);
  }
}

TEST_CASE("a work queue fed one task at a time keeps one worker") {
  const std::size_t before = process_threads();
  core::WorkQueue queue(4, 16);
  int ran = 0;
  for (int i = 0; i < 10; ++i) {
    REQUIRE(queue.try_submit([&] { ++ran; }));
    queue.drain();
  }
  CHECK(ran == 10);
  CHECK(process_threads() == before + 1);
}

TEST_CASE("a work queue refuses past its capacity and runs everything it accepted before it is destroyed") {
  std::atomic<int> ran{0};
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  {
    core::WorkQueue queue(1, 2);
    std::latch started(1);
    REQUIRE(queue.try_submit([&] {
      started.count_down();
      released.wait();
      ++ran;
    }));
    started.wait();
    CHECK(queue.try_submit([&] { ++ran; }));
    CHECK(queue.try_submit([&] { ++ran; }));
    CHECK_FALSE(queue.try_submit([&] { ++ran; }));  // two wait already: the capacity
    release.set_value();
  }
  CHECK(ran == 3);
}
