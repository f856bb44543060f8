// The deterministic driver of a fuzz harness (see harness.hpp): runs the harness's seeds, the
// files of any corpus directories given, then mutations of them from one seeded RNG, until
// --runs inputs or --max-seconds pass. A watchdog aborts on an input that runs longer than
// --hang-seconds (a hang is a finding). `--write-seeds DIR` writes the seeds as files, for
// libFuzzer's corpus. `--shared-corpus DIR` adds every .json file under ../shared/DIR (the team's
// recorded real Jira responses); without ../shared it says in one line that it ran without them.
// Prints what it ran to stderr.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "fuzz/harness.hpp"
#include "fuzz/mutate.hpp"
#include "support/shared.hpp"


namespace {

// Aborts the process when one input runs past its limit. Owned by main; stopped before exit.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::seconds limit)
      : limit_(limit), thread_([this](std::stop_token st) { loop(st); }) {}
  ~Watchdog() {
    thread_.request_stop();
    cv_.notify_all();
  }
  void begin(std::size_t index) {
    std::lock_guard lock(mu_);
    index_ = index;
    started_ = std::chrono::steady_clock::now();
    busy_ = true;
  }
  void end() {
    std::lock_guard lock(mu_);
    busy_ = false;
  }

 private:
  void loop(std::stop_token st) {
    std::unique_lock lock(mu_);
    while (!st.stop_requested()) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (busy_ && std::chrono::steady_clock::now() - started_ > limit_) {
        std::fprintf(stderr, "FUZZ FINDING: input %zu ran longer than %lld s (a hang)\n", index_,
                     static_cast<long long>(limit_.count()));
        std::abort();
      }
    }
  }
  std::chrono::seconds limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t index_ = 0;
  std::chrono::steady_clock::time_point started_;
  bool busy_ = false;
  std::jthread thread_;
};

int run_one(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 20000, max_seconds = 60, hang_seconds = 20;
  std::uint64_t seed = 1;
  std::vector<std::string> dirs, shared_corpora;
  std::string write_seeds;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--runs") runs = std::stol(next());
    else if (a == "--seed") seed = std::stoull(next());
    else if (a == "--max-seconds") max_seconds = std::stol(next());
    else if (a == "--hang-seconds") hang_seconds = std::stol(next());
    else if (a == "--write-seeds") write_seeds = next();
    else if (a == "--shared-corpus") shared_corpora.push_back(next());
    else if (!a.empty() && a[0] == '-') {
      std::cerr << "usage: " << argv[0]
                << " [--runs N] [--seed S] [--max-seconds T] [--hang-seconds H] [--write-seeds DIR]"
                   " [--shared-corpus DIR] [corpus dirs...]\n";
      return 2;
    } else {
      dirs.push_back(a);
    }
  }
  std::vector<std::string> pool = jira_mcp::fuzz::seeds();
  if (!write_seeds.empty()) {
    std::filesystem::create_directories(write_seeds);
    for (std::size_t i = 0; i < pool.size(); ++i) {
      std::ofstream(std::filesystem::path(write_seeds) / ("seed-" + std::to_string(i)), std::ios::binary) << pool[i];
    }
    std::cerr << "wrote " << pool.size() << " seeds to " << write_seeds << "\n";
    return 0;
  }
  for (const auto& d : dirs) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(d, ec)) {
      if (!e.is_regular_file()) continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      pool.push_back(ss.str());
    }
  }
  for (const auto& rel : shared_corpora) {
    const auto root = jira_mcp::testing::shared_file(rel, "the fuzz harness is not seeded with those recorded inputs");
    if (!root) continue;
    std::vector<std::filesystem::path> files;  // sorted: the same seed pool on every machine
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(*root, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      pool.push_back(ss.str());
    }
  }
  if (pool.empty()) pool.emplace_back("{}");
  Watchdog watchdog{std::chrono::seconds(hang_seconds)};
  jira_mcp::fuzz::Mutator mutator(seed);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(max_seconds);
  long done = 0;
  bool out_of_time = false;
  for (; done < runs; ++done) {
    if ((done & 63) == 0 && std::chrono::steady_clock::now() > deadline) {
      out_of_time = true;
      break;
    }
    const std::size_t n = static_cast<std::size_t>(done);
    std::string input = n < pool.size() ? pool[n] : mutator.mutate(pool[mutator.below(pool.size())]);
    watchdog.begin(n);
    run_one(input);
    watchdog.end();
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << argv[0] << ": " << done << " inputs (seed " << seed << ", " << pool.size() << " seeds) in " << secs
            << " s, 0 findings" << (out_of_time ? " (stopped at the time bound)" : "") << "\n";
  return 0;
}
