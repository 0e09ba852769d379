#include "metrics/arena.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>
#include <tuple>

#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

namespace netcook::metrics {

struct Arena::Region {
  pid_t main_pid = 0;
  double start_time = 0;
  Cell reloads_ok{0};
  Cell reloads_failed{0};
  std::atomic<std::size_t> slots_used{0};  // no slot at or above it was ever taken
  // Zero pages until taken: an untouched slot costs no memory.
  std::array<Slot, kSlots> slots;
};

namespace {

std::atomic<std::size_t> next_shard{0};
thread_local std::size_t this_shard = kShards;

// Where the handles that belong to no arena write.
Slot& nowhere() {
  static Slot slot;
  return slot;
}

template <std::size_t N>
void copy_label(std::array<char, N>& to, std::string_view from) noexcept {
  const std::size_t n = std::min(from.size(), N - 1);
  std::memcpy(to.data(), from.data(), n);
  to[n] = '\0';
}

template <std::size_t N>
std::string label(const std::array<char, N>& from) {
  return std::string(from.data(), ::strnlen(from.data(), N));
}

template <std::size_t N>
void clear(HistogramCells<N>& cells) noexcept {
  for (Cell& c : cells.buckets) c.store(0, std::memory_order_relaxed);
  cells.sum_usec.store(0, std::memory_order_relaxed);
}

void clear(Shard& shard) noexcept {
  auto zero = [](Cell& c) { c.store(0, std::memory_order_relaxed); };
  zero(shard.accepted);
  for (Cell& c : shard.closed) zero(c);
  for (Cell& c : shard.refused) zero(c);
  zero(shard.bytes_in);
  zero(shard.bytes_out);
  clear(shard.connection_duration);
  zero(shard.cpu_nsec);
  for (Cell& c : shard.http_requests) zero(c);
  clear(shard.request_duration);
  zero(shard.chat_joins);
  zero(shard.chat_leaves);
  zero(shard.chat_lines);
  zero(shard.chat_deliveries);
  zero(shard.chat_bus_configured);
  zero(shard.chat_bus_up);
  zero(shard.chat_bus_queued);
  zero(shard.chat_bus_published);
  zero(shard.chat_bus_received);
  zero(shard.chat_bus_dropped);
  zero(shard.chat_bus_link_losses);
}

std::uint64_t read(const Cell& c) noexcept { return c.load(std::memory_order_relaxed); }

// A gauge kept as signed deltas (shard.hpp, adjust()): the shards' cells
// summed modulo 2^64, read as signed.
std::int64_t signed_sum(const std::array<Shard, kShards>& shards, Cell Shard::*cell) noexcept {
  std::uint64_t total = 0;
  for (const Shard& s : shards) total += read(s.*cell);
  return static_cast<std::int64_t>(total);  // modulo 2^64 since C++20
}

ChatBusFigures chat_bus(const std::array<Shard, kShards>& shards) noexcept {
  ChatBusFigures b;
  b.buses = signed_sum(shards, &Shard::chat_bus_configured);
  b.linked = signed_sum(shards, &Shard::chat_bus_up);
  b.queued = signed_sum(shards, &Shard::chat_bus_queued);
  for (const Shard& s : shards) {
    b.published += read(s.chat_bus_published);
    b.received += read(s.chat_bus_received);
    b.dropped += read(s.chat_bus_dropped);
    b.link_losses += read(s.chat_bus_link_losses);
  }
  return b;
}

template <std::size_t N>
void sum_into(std::vector<std::uint64_t>& buckets, std::uint64_t& sum,
              const HistogramCells<N>& cells) {
  buckets.resize(N + 1);
  for (std::size_t i = 0; i <= N; ++i) buckets[i] += read(cells.buckets[i]);
  sum += read(cells.sum_usec);
}

void make_cumulative(HistogramFigures& h) {
  for (std::size_t i = 1; i < h.cumulative.size(); ++i) h.cumulative[i] += h.cumulative[i - 1];
}

ListenerFigures sum(const Slot& slot) {
  ListenerFigures f;
  f.name = label(slot.labels.name);
  f.protocol = label(slot.labels.protocol);
  f.model = label(slot.labels.model);
  f.address = label(slot.labels.address);
  for (const Shard& s : slot.shards) {
    f.accepted += read(s.accepted);
    for (std::size_t i = 0; i < kReasonSlots; ++i) {
      f.closed[i] += read(s.closed[i]);
      f.refused[i] += read(s.refused[i]);
    }
    f.bytes_in += read(s.bytes_in);
    f.bytes_out += read(s.bytes_out);
    sum_into(f.connection_duration.cumulative, f.connection_duration.sum_usec,
             s.connection_duration);
    f.cpu_nsec += read(s.cpu_nsec);
    for (std::size_t i = 0; i < kHttpCodeSlots; ++i) f.http_requests[i] += read(s.http_requests[i]);
    sum_into(f.request_duration.cumulative, f.request_duration.sum_usec, s.request_duration);
    f.chat_joins += read(s.chat_joins);
    f.chat_leaves += read(s.chat_leaves);
    f.chat_lines += read(s.chat_lines);
    f.chat_deliveries += read(s.chat_deliveries);
  }
  f.chat_bus = chat_bus(slot.shards);
  f.certificate_expiry = slot.certificate_expiry.load(std::memory_order_relaxed);
  make_cumulative(f.connection_duration);
  make_cumulative(f.request_duration);
  return f;
}

}  // namespace

std::size_t shard_index() noexcept {
  if (this_shard == kShards) this_shard = next_shard.fetch_add(1, std::memory_order_relaxed) % kShards;
  return this_shard;
}

void choose_shard_after_fork() noexcept {
  this_shard = static_cast<std::size_t>(::getpid()) % kShards;
}

ListenerMetrics::ListenerMetrics() noexcept : slot_(&nowhere()) {}

std::uint64_t ListenerFigures::closed_total() const noexcept {
  std::uint64_t total = 0;
  for (std::uint64_t n : closed) total += n;
  return total;
}

std::uint64_t ListenerFigures::active() const noexcept {
  const std::uint64_t ended = closed_total();
  return accepted > ended ? accepted - ended : 0;
}

Arena::Arena() {
  void* p = ::mmap(nullptr, sizeof(Region), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
  if (p == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(),
                            fmt::format("cannot map {} bytes for the metrics", sizeof(Region)));
  // The mapping is zero-filled, which is what every slot starts as: only
  // the header is written, so untaken slots stay untouched pages.
  region_ = static_cast<Region*>(p);
  region_->main_pid = ::getpid();
  region_->start_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Arena::~Arena() { ::munmap(region_, sizeof(Region)); }

ListenerMetrics Arena::take(std::string_view name, std::string_view protocol,
                            std::string_view model, std::string_view address) {
  const std::lock_guard lock(take_mutex_);
  Slot* free_slot = nullptr;
  const std::size_t used = region_->slots_used.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kSlots; ++i) {
    Slot& slot = region_->slots[i];
    if (i >= used && free_slot != nullptr) break;
    if (slot.users == 0) {
      if (free_slot == nullptr) free_slot = &slot;
      continue;
    }
    const SlotLabels& l = slot.labels;
    if (label(l.name) == name && label(l.protocol) == protocol && label(l.model) == model) {
      ++slot.users;
      slot.seq.fetch_add(1, std::memory_order_acq_rel);
      copy_label(slot.labels.address, address);
      slot.seq.fetch_add(1, std::memory_order_release);
      return ListenerMetrics(slot, i);
    }
  }
  if (free_slot == nullptr)
    throw std::runtime_error(
        fmt::format("no room for the metrics of another listener (at most {})", kSlots));
  Slot& slot = *free_slot;
  const std::size_t index = static_cast<std::size_t>(free_slot - region_->slots.data());
  if (index >= region_->slots_used.load(std::memory_order_relaxed))
    region_->slots_used.store(index + 1, std::memory_order_release);
  slot.seq.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& shard : slot.shards) clear(shard);
  slot.certificate_expiry.store(0, std::memory_order_relaxed);
  copy_label(slot.labels.name, name);
  copy_label(slot.labels.protocol, protocol);
  copy_label(slot.labels.model, model);
  copy_label(slot.labels.address, address);
  slot.users = 1;
  slot.live.store(true, std::memory_order_relaxed);
  slot.seq.fetch_add(1, std::memory_order_release);
  return ListenerMetrics(slot, index);
}

void Arena::give_back(const ListenerMetrics& metrics) noexcept {
  if (metrics.index() >= kSlots) return;
  const std::lock_guard lock(take_mutex_);
  Slot& slot = region_->slots[metrics.index()];
  if (slot.users == 0 || --slot.users > 0) return;
  slot.seq.fetch_add(1, std::memory_order_acq_rel);
  slot.live.store(false, std::memory_order_relaxed);
  slot.seq.fetch_add(1, std::memory_order_release);
}

ListenerMetrics Arena::slot(std::size_t index) noexcept {
  if (index >= kSlots) return ListenerMetrics();
  return ListenerMetrics(region_->slots[index], index);
}

void Arena::reloaded(bool ok) noexcept { add(ok ? region_->reloads_ok : region_->reloads_failed); }

Figures Arena::figures() const {
  Figures f;
  f.main_pid = region_->main_pid;
  f.start_time = region_->start_time;
  f.reloads_ok = read(region_->reloads_ok);
  f.reloads_failed = read(region_->reloads_failed);
  const std::size_t used = region_->slots_used.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < used; ++i) {
    const Slot& slot = region_->slots[i];
    const std::uint64_t before = slot.seq.load(std::memory_order_acquire);
    if (before % 2 != 0 || !slot.live.load(std::memory_order_relaxed)) continue;
    ListenerFigures listener = sum(slot);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (slot.seq.load(std::memory_order_relaxed) != before) continue;  // taken or freed meanwhile
    f.listeners.push_back(std::move(listener));
  }
  std::sort(f.listeners.begin(), f.listeners.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.protocol, a.model) < std::tie(b.name, b.protocol, b.model);
  });
  return f;
}

}  // namespace netcook::metrics
