#include "jira_mcp/monitor/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace jira_mcp::monitor {

std::size_t Histogram::bucket_index(std::uint64_t value) noexcept {
  value = std::min(value, kMaxValue);
  if (value < 2 * kSubBuckets) return static_cast<std::size_t>(value);
  // shift >= 1 here: the top kSubBucketBits+1 bits select the bucket inside the power of two.
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - kSubBucketBits;
  const std::uint64_t sub = value >> shift;  // in [kSubBuckets, 2·kSubBuckets)
  return static_cast<std::size_t>((static_cast<std::uint64_t>(shift) + 1) * kSubBuckets + (sub - kSubBuckets));
}

std::uint64_t Histogram::bucket_lower(std::size_t index) noexcept {
  if (index < 2 * kSubBuckets) return index;
  const std::uint64_t shift = index / kSubBuckets - 1;
  const std::uint64_t sub = index % kSubBuckets + kSubBuckets;
  return sub << shift;
}

std::uint64_t Histogram::bucket_upper(std::size_t index) noexcept {
  if (index < 2 * kSubBuckets) return index;
  const std::uint64_t shift = index / kSubBuckets - 1;
  return bucket_lower(index) + (std::uint64_t{1} << shift) - 1;
}

void Histogram::record(std::uint64_t value) noexcept {
  buckets_[bucket_index(value)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  std::uint64_t prev = max_.load(std::memory_order_relaxed);
  while (prev < value && !max_.compare_exchange_weak(prev, value, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  // The count is the sum of the buckets read, so quantiles never walk past the end even when
  // records land between the reads.
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    s.buckets_[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count_ += s.buckets_[i];
  }
  s.sum_ = sum_.load(std::memory_order_relaxed);
  s.max_ = max_.load(std::memory_order_relaxed);
  return s;
}

double HistogramSnapshot::quantile(double q) const {
  if (count_ == 0) return 0.0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const double lo = static_cast<double>(Histogram::bucket_lower(i));
      const double hi = static_cast<double>(Histogram::bucket_upper(i));
      return std::min((lo + hi) / 2.0, static_cast<double>(max_ ? max_ : Histogram::bucket_upper(i)));
    }
  }
  return static_cast<double>(max_);
}

HistogramSnapshot HistogramSnapshot::since(const HistogramSnapshot& earlier) const {
  HistogramSnapshot d;
  std::size_t top = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    d.buckets_[i] = buckets_[i] >= earlier.buckets_[i] ? buckets_[i] - earlier.buckets_[i] : 0;
    d.count_ += d.buckets_[i];
    if (d.buckets_[i]) top = i;
  }
  d.sum_ = sum_ >= earlier.sum_ ? sum_ - earlier.sum_ : 0;
  d.max_ = d.count_ ? std::min(max_, Histogram::bucket_upper(top)) : 0;
  return d;
}

void HistogramSnapshot::merge(const HistogramSnapshot& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

}  // namespace jira_mcp::monitor
