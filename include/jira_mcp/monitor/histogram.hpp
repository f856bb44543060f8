#pragma once
// Histogram: a lock-free latency histogram with log-linear buckets (the HdrHistogram layout).
//
// Values are non-negative integers (the monitor records nanoseconds). Values below 2·kSubBuckets
// get a bucket each; above that, every power of two [2^k, 2^(k+1)) is split into kSubBuckets
// equal buckets. A quantile is reported as the midpoint of its bucket, so its relative error is
// at most 1 / (2·kSubBuckets) ≈ 1.6 % (exact below 64). Values above kMaxValue (about 18 minutes
// in nanoseconds) are counted in the top bucket; max() stays exact.
//
// Thread safety: record() may run concurrently from any number of threads (relaxed atomics, no
// lock); snapshot() may run alongside and sees each counter at some recent value, so a snapshot
// taken while recording is consistent per bucket, not across buckets. Memory: ~9 KiB each.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace jira_mcp::monitor {

class HistogramSnapshot;

class Histogram {
 public:
  static constexpr int kSubBucketBits = 5;
  static constexpr std::uint64_t kSubBuckets = 1u << kSubBucketBits;  // 32
  static constexpr int kMaxBits = 40;
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << kMaxBits) - 1;
  static constexpr std::size_t kBucketCount = (kMaxBits - kSubBucketBits + 1) * kSubBuckets;

  Histogram() = default;
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void record(std::uint64_t value) noexcept;
  HistogramSnapshot snapshot() const;

  // The bucket layout, public for tests and for Prometheus bucket bounds.
  static std::size_t bucket_index(std::uint64_t value) noexcept;
  static std::uint64_t bucket_lower(std::size_t index) noexcept;  // smallest value in the bucket
  static std::uint64_t bucket_upper(std::size_t index) noexcept;  // largest value in the bucket

 private:
  std::array<std::atomic<std::uint64_t>, kBucketCount> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> max_{0};
};

// A plain copy of a Histogram's counters. Subtracting an earlier snapshot of the same histogram
// gives the values recorded in between (the monitor's per-interval window). Not thread-safe.
class HistogramSnapshot {
 public:
  HistogramSnapshot() : buckets_(Histogram::kBucketCount, 0) {}

  std::uint64_t count() const { return count_; }
  std::uint64_t sum() const { return sum_; }
  // Exact for a snapshot; for a difference, the upper bound of the highest non-empty bucket.
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // q in [0, 1]; 0 when empty. The midpoint of the bucket holding the ceil(q·count)-th value,
  // capped at max().
  double quantile(double q) const;

  // Values recorded since `earlier` (a snapshot of the same histogram taken before this one).
  HistogramSnapshot since(const HistogramSnapshot& earlier) const;
  // Adds another histogram's values (aggregating several into one).
  void merge(const HistogramSnapshot& other);

  const std::vector<std::uint64_t>& buckets() const { return buckets_; }

 private:
  friend class Histogram;
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace jira_mcp::monitor
