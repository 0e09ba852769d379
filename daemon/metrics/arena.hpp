#pragma once

// The daemon's figures, in one region of shared memory mapped before the
// fork master is forked, so that the main process, the fork master and
// every fork-model connection process see the same bytes: any of them
// adds to a listener's counters, and any of them (a status listener under
// any model) reads them all. No messages, no aggregation step, exact.
//
// The region holds the daemon's own figures (start time, reloads, the main
// process's pid) and kSlots listener slots. The main process's Server
// takes a slot for each listener (Arena::take) and gives it back when the
// last listener of that name, protocol and model is gone, so a listener
// a reload changed (new address, new limits) or replaced keeps counting
// where it was: its counters are Prometheus counters and must not go back.

#include "metrics/shard.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace netcook::metrics {

inline constexpr std::size_t kSlots = 256;

// What labels a listener's series: written by the main process before the
// slot goes live; read by anyone.
// Each one NUL-terminated; wide enough for a listener's name (at most 32
// characters) and a unix socket's "unix:" + 108-byte path.
struct SlotLabels {
  std::array<char, 40> name{};
  std::array<char, 16> protocol{};
  std::array<char, 16> model{};
  std::array<char, 120> address{};
};

struct Slot {
  // Odd while the main process takes or frees it; a reader copies a slot
  // that is live and whose seq is the same even number before and after.
  std::atomic<std::uint64_t> seq{0};
  std::atomic<bool> live{false};
  std::uint32_t users = 0;  // main process only, under the Arena's mutex
  SlotLabels labels;
  // A TLS listener's certificate's notAfter, seconds since the epoch; 0
  // for a plain listener. Set by the main process at start and reload.
  std::atomic<std::int64_t> certificate_expiry{0};
  std::array<Shard, kShards> shards;
};

// A listener's way to its counters: cheap to copy, valid while the Arena
// lives. A default one writes to a slot of its own process that nobody
// reads (tests that make a driver without an arena).
class ListenerMetrics {
 public:
  ListenerMetrics() noexcept;
  explicit ListenerMetrics(Slot& slot, std::size_t index) noexcept : slot_(&slot), index_(index) {}

  // The calling thread's shard.
  Shard& here() const noexcept { return slot_->shards[shard_index()]; }
  Slot& slot() const noexcept { return *slot_; }
  // The listener's certificate expires at `unix_seconds` (0: plain).
  void certificate_expires(std::int64_t unix_seconds) const noexcept {
    slot_->certificate_expiry.store(unix_seconds, std::memory_order_relaxed);
  }
  // Which slot of the arena, to name it to another process; kSlots if none.
  std::size_t index() const noexcept { return index_; }

 private:
  Slot* slot_;
  std::size_t index_ = kSlots;
};

// A histogram summed over the shards: cumulative bucket counts, in the
// order of their bounds, then +Inf (the count).
struct HistogramFigures {
  std::vector<std::uint64_t> cumulative;
  std::uint64_t sum_usec = 0;
  std::uint64_t count() const noexcept { return cumulative.empty() ? 0 : cumulative.back(); }
};

// A chat listener's bus, summed over the shards (shard.hpp). The gauges
// are signed sums; read them through the functions, which clamp.
struct ChatBusFigures {
  std::int64_t buses = 0;   // meters alive: 0 for a room of its own
  std::int64_t linked = 0;  // of those, with the room linked
  std::int64_t queued = 0;
  std::uint64_t published = 0, received = 0, dropped = 0, link_losses = 0;

  // The listener has a bus: its series are shown.
  bool configured() const noexcept { return buses > 0; }
  // Every bus of the listener has its room linked (over a reload, the
  // replaced listener's and its successor's both).
  bool up() const noexcept { return configured() && linked >= buses; }
  std::uint64_t waiting() const noexcept {
    return queued > 0 ? static_cast<std::uint64_t>(queued) : 0;
  }
};

struct ListenerFigures {
  std::string name, protocol, model, address;
  std::uint64_t accepted = 0;
  std::array<std::uint64_t, kReasonSlots> closed{};
  std::array<std::uint64_t, kReasonSlots> refused{};
  std::uint64_t bytes_in = 0, bytes_out = 0;
  HistogramFigures connection_duration;
  std::uint64_t cpu_nsec = 0;
  std::array<std::uint64_t, kHttpCodeSlots> http_requests{};
  HistogramFigures request_duration;
  std::uint64_t chat_joins = 0, chat_leaves = 0, chat_lines = 0, chat_deliveries = 0;
  ChatBusFigures chat_bus;
  std::int64_t certificate_expiry = 0;  // seconds since the epoch; 0: plain

  std::uint64_t closed_total() const noexcept;
  // accepted - closed, never below 0 (the two are read one after the other).
  std::uint64_t active() const noexcept;
  std::uint64_t chat_members() const noexcept {
    return chat_joins > chat_leaves ? chat_joins - chat_leaves : 0;
  }
};

struct Figures {
  pid_t main_pid = 0;
  double start_time = 0;  // the main process's start, seconds since the epoch
  std::uint64_t reloads_ok = 0, reloads_failed = 0;
  std::vector<ListenerFigures> listeners;  // by name, then protocol, model
};

class Arena {
 public:
  // Maps the region (anonymous, shared). Call before forking whoever must
  // share it; records the calling process as the main one.
  Arena();
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // Main process: the slot of the listener `name` serving `protocol` under
  // `model`, taken anew (zeroed) or shared with the one of that name,
  // protocol and model still there; `address` relabels it. Throws when
  // every slot is taken.
  ListenerMetrics take(std::string_view name, std::string_view protocol, std::string_view model,
                       std::string_view address);
  // Main process: a taker is done with the slot; the last frees it.
  void give_back(const ListenerMetrics& metrics) noexcept;

  // The slot `index` names (from another process); a default handle when
  // it is out of range.
  ListenerMetrics slot(std::size_t index) noexcept;

  void reloaded(bool ok) noexcept;

  // Every live listener's figures, summed over the shards. Any process.
  Figures figures() const;

 private:
  struct Region;
  Region* region_;
  std::mutex take_mutex_;  // main process
};

}  // namespace netcook::metrics
