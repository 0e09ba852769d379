#include "model/source_guard.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace netcook::model {
namespace {

bool any_contains(const std::vector<net::Cidr>& networks, const net::IpAddress& peer) noexcept {
  return std::any_of(networks.begin(), networks.end(),
                     [&](const net::Cidr& network) { return network.contains(peer); });
}

}  // namespace

SourceHold::SourceHold(SourceHold&& other) noexcept
    : guard_(std::exchange(other.guard_, nullptr)), source_(other.source_) {}

SourceHold& SourceHold::operator=(SourceHold&& other) noexcept {
  if (this != &other) {
    release();
    guard_ = std::exchange(other.guard_, nullptr);
    source_ = other.source_;
  }
  return *this;
}

void SourceHold::release() noexcept {
  if (auto* guard = std::exchange(guard_, nullptr)) guard->release(source_);
}

std::size_t IpHash::operator()(const net::IpAddress& address) const noexcept {
  std::uint64_t high = 0, low = 0;
  std::memcpy(&high, address.bytes.data(), 8);
  std::memcpy(&low, address.bytes.data() + 8, 8);
  // A 64-bit mix of both halves (from splitmix64): sources that differ in
  // their last bits spread over the whole table.
  std::uint64_t x = high ^ (low * 0x9E3779B97F4A7C15ULL);
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return static_cast<std::size_t>(x ^ (x >> 31));
}

SourceGuard::SourceGuard(config::Guards rules)
    : rules_(std::move(rules)),
      active_(!rules_.allow.empty() || !rules_.deny.empty() ||
              rules_.max_connections_per_source != 0 || !rules_.connection_rate.rate.unlimited() ||
              !rules_.proxy_from.empty()),
      rated_(!rules_.connection_rate.rate.unlimited()) {}

bool SourceGuard::expects_proxy_header(const net::IpAddress& peer) const noexcept {
  return any_contains(rules_.proxy_from, peer);
}

net::IpAddress SourceGuard::source_of(const net::IpAddress& peer) const noexcept {
  return peer.is_v4() ? peer : peer.masked(rules_.source_prefix_v6);
}

bool SourceGuard::denied(const net::IpAddress& peer) const noexcept {
  if (any_contains(rules_.deny, peer)) return true;
  return !rules_.allow.empty() && !any_contains(rules_.allow, peer);
}

SourceGuard::Verdict SourceGuard::vet(const net::IpAddress& peer, Clock::time_point now) {
  Verdict verdict;
  if (denied(peer)) {
    verdict.refused = metrics::CloseReason::denied;
    return verdict;
  }
  const bool limited = rules_.max_connections_per_source != 0;
  const bool rated = rated_;
  if (!limited && !rated) return verdict;
  const net::IpAddress source = source_of(peer);
  std::lock_guard lock(mutex_);
  if (limited) {
    const auto it = open_.find(source);
    if (it != open_.end() && it->second >= rules_.max_connections_per_source) {
      verdict.refused = metrics::CloseReason::per_source;
      verdict.detail = fmt::format("{} open", it->second);
      return verdict;
    }
  }
  if (rated && !take_token(source, now)) {
    verdict.refused = metrics::CloseReason::rate;
    return verdict;
  }
  if (limited) {
    ++open_[source];
    verdict.hold = SourceHold(*this, source);
  }
  return verdict;
}

void SourceGuard::release(const net::IpAddress& source) noexcept {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(source);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

// The least recently seen sources first: a source whose bucket is full
// again is dropped, for a new bucket would be the same.
void SourceGuard::drop_refilled(Clock::time_point now) {
  while (!buckets_.empty() && buckets_.back().tokens.full(now)) {
    bucket_of_.erase(buckets_.back().source);
    buckets_.pop_back();
  }
}

bool SourceGuard::take_token(const net::IpAddress& source, Clock::time_point now) {
  drop_refilled(now);
  if (const auto found = bucket_of_.find(source); found != bucket_of_.end()) {
    buckets_.splice(buckets_.begin(), buckets_, found->second);
    return found->second->tokens.take(now);
  }
  if (buckets_.size() >= kRateSources) {  // full of sources still spending
    bucket_of_.erase(buckets_.back().source);
    buckets_.pop_back();
  }
  const auto& rate = rules_.connection_rate;
  buckets_.push_front({source, TokenBucket(rate.rate.count, rate.rate.period, rate.burst)});
  bucket_of_.emplace(source, buckets_.begin());
  return buckets_.front().tokens.take(now);
}

std::size_t SourceGuard::open_from(const net::IpAddress& peer) const {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(source_of(peer));
  return it == open_.end() ? 0 : it->second;
}

std::size_t SourceGuard::rate_sources() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace netcook::model
