#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

#include "jira_mcp/monitor/histogram.hpp"

using jira_mcp::monitor::Histogram;
using jira_mcp::monitor::HistogramSnapshot;

namespace {

constexpr double kMaxRelativeError = 1.0 / (2.0 * Histogram::kSubBuckets);

double exact_quantile(std::vector<std::uint64_t> v, double q) {
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return static_cast<double>(v[std::max<std::size_t>(rank, 1) - 1]);
}

void check_quantiles(const std::vector<std::uint64_t>& values) {
  Histogram h;
  for (auto v : values) h.record(v);
  const auto s = h.snapshot();
  REQUIRE(s.count() == values.size());
  for (double q : {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    CAPTURE(q);
    const double want = exact_quantile(values, q);
    const double got = s.quantile(q);
    CHECK(std::abs(got - want) <= want * kMaxRelativeError + 1e-9);
  }
  CHECK(s.max() == *std::max_element(values.begin(), values.end()));
}

}  // namespace

TEST_CASE("bucket layout: contiguous, exact below 64, widths within the relative error") {
  for (std::uint64_t v = 0; v < 64; ++v) CHECK(Histogram::bucket_index(v) == v);
  for (std::size_t i = 0; i + 1 < Histogram::kBucketCount; ++i) {
    CAPTURE(i);
    REQUIRE(Histogram::bucket_index(Histogram::bucket_lower(i)) == i);
    REQUIRE(Histogram::bucket_index(Histogram::bucket_upper(i)) == i);
    REQUIRE(Histogram::bucket_upper(i) + 1 == Histogram::bucket_lower(i + 1));
    const double width = static_cast<double>(Histogram::bucket_upper(i) - Histogram::bucket_lower(i));
    REQUIRE(width / 2.0 <= static_cast<double>(Histogram::bucket_lower(i)) * kMaxRelativeError);
  }
  CHECK(Histogram::bucket_index(Histogram::kMaxValue) == Histogram::kBucketCount - 1);
  CHECK(Histogram::bucket_index(~std::uint64_t{0}) == Histogram::kBucketCount - 1);
}

TEST_CASE("quantiles of a uniform distribution are within the stated error") {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 1; i <= 100000; ++i) v.push_back(i * 1000);  // 1 µs .. 100 ms
  check_quantiles(v);
}

TEST_CASE("quantiles of an exponential (long-tailed) distribution are within the stated error") {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> d(1.0 / 20e6);  // mean 20 ms in ns
  std::vector<std::uint64_t> v;
  for (int i = 0; i < 50000; ++i) v.push_back(static_cast<std::uint64_t>(d(rng)) + 1);
  check_quantiles(v);
}

TEST_CASE("quantiles of a bimodal distribution: p50 in the fast mode, p99 in the slow one") {
  std::vector<std::uint64_t> v;
  for (int i = 0; i < 900; ++i) v.push_back(5'000'000 + static_cast<std::uint64_t>(i) * 1000);  // ~5 ms
  for (int i = 0; i < 100; ++i) v.push_back(2'000'000'000 + static_cast<std::uint64_t>(i) * 1'000'000);  // ~2 s
  check_quantiles(v);
  Histogram h;
  for (auto x : v) h.record(x);
  CHECK(h.snapshot().quantile(0.5) < 6e6);
  CHECK(h.snapshot().quantile(0.99) > 1.9e9);
}

TEST_CASE("an empty histogram reports zeros; small values are exact") {
  Histogram h;
  CHECK(h.snapshot().quantile(0.5) == 0.0);
  CHECK(h.snapshot().count() == 0);
  for (std::uint64_t v : {3, 3, 7, 40}) h.record(v);
  auto s = h.snapshot();
  CHECK(s.quantile(0.5) == 3.0);
  CHECK(s.quantile(0.75) == 7.0);
  CHECK(s.quantile(1.0) == 40.0);
  CHECK(s.sum() == 53);
  CHECK(s.mean() == doctest::Approx(13.25));
}

TEST_CASE("since() gives the window between two snapshots; merge() adds histograms") {
  Histogram h;
  for (int i = 0; i < 100; ++i) h.record(1'000'000);  // 1 ms
  const auto before = h.snapshot();
  for (int i = 0; i < 10; ++i) h.record(500'000'000);  // 500 ms
  const auto window = h.snapshot().since(before);
  CHECK(window.count() == 10);
  CHECK(window.sum() == 5'000'000'000ull);
  CHECK(std::abs(window.quantile(0.5) - 5e8) <= 5e8 * kMaxRelativeError);
  CHECK(window.max() == 500'000'000ull);
  const auto empty = h.snapshot().since(h.snapshot());
  CHECK(empty.count() == 0);
  CHECK(empty.quantile(0.95) == 0.0);

  HistogramSnapshot all;
  all.merge(before);
  all.merge(window);
  CHECK(all.count() == 110);
  CHECK(all.max() == 500'000'000ull);
}

TEST_CASE("concurrent recording from many threads loses no counts") {
  Histogram h;
  constexpr int kThreads = 8, kPerThread = 20000;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&h, t] {
        for (int i = 0; i < kPerThread; ++i) h.record(static_cast<std::uint64_t>(t * 1000 + i % 1000));
      });
    }
  }
  const auto s = h.snapshot();
  CHECK(s.count() == kThreads * kPerThread);
  std::uint64_t want_sum = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) want_sum += static_cast<std::uint64_t>(t * 1000 + i % 1000);
  }
  CHECK(s.sum() == want_sum);
  CHECK(s.max() == static_cast<std::uint64_t>((kThreads - 1) * 1000 + 999));
}
