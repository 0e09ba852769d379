#pragma once

// The counters of one listener, as one thread (or process) adds to them.
// A listener's figures are kShards of these, side by side in shared memory
// (arena.hpp); a writer adds to the shard of its own thread, so writers on
// different threads do not share a cache line, and a reader sums the shards
// when it is asked (a scrape). Every cell is a lock-free 64-bit atomic added
// to with relaxed order: exact once the writer is done, whoever reads, and
// valid in memory shared between processes (the fork model's children
// write the shard of their process).

#include "metrics/close_reason.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace netcook::metrics {

using Cell = std::atomic<std::uint64_t>;
static_assert(Cell::is_always_lock_free);

inline void add(Cell& cell, std::uint64_t n = 1) noexcept {
  cell.fetch_add(n, std::memory_order_relaxed);
}

// A gauge that several writers move (the bus of a listener that a reload
// replaced takes back its 1 when it goes, its successor's adds its own)
// is kept as signed deltas, each in the writer's shard: a cell that only
// ever saw -1 holds 2^64 - 1. Unsigned arithmetic wraps around modulo
// 2^64, so the sum of every shard's cell, wrapped the same way and read
// as signed (signed_sum in arena.cpp), is the gauge's value: exact once
// the writers are done, and a reader between two writers' deltas may see
// one without the other (a moment's -1 or 2; the readers clamp).
inline void adjust(Cell& cell, std::int64_t delta) noexcept {
  cell.fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_relaxed);
}

// Room for the reasons a connection ends or is refused, present and future.
inline constexpr std::size_t kReasonSlots = 24;
static_assert(kCloseReasons <= kReasonSlots);

// The upper bounds of a histogram's buckets, in microseconds; the last
// bucket (+Inf) is implied.
inline constexpr std::array<std::uint64_t, 9> kConnectionBounds = {
    1'000, 10'000, 100'000, 1'000'000, 10'000'000, 60'000'000, 600'000'000, 3'600'000'000,
    86'400'000'000};
inline constexpr std::array<std::uint64_t, 16> kRequestBounds = {
    100,    250,     500,     1'000,   2'500,     5'000,     10'000,    25'000,
    50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};

// One thread's part of a histogram: how many observations fell in each
// bucket (not cumulative: a reader adds them up) and their sum.
template <std::size_t Bounds>
struct HistogramCells {
  std::array<Cell, Bounds + 1> buckets{};  // the last one: above every bound
  Cell sum_usec{0};

  void observe(const std::array<std::uint64_t, Bounds>& bounds, std::uint64_t usec) noexcept {
    std::size_t i = 0;
    while (i < Bounds && usec > bounds[i]) ++i;
    add(buckets[i]);
    add(sum_usec, usec);
  }
};

// The HTTP status codes netcookd answers with, each counted apart; any
// other lands in the last slot.
inline constexpr std::array<int, 17> kHttpCodes = {200, 206, 301, 304, 400, 403, 404, 405, 408,
                                                   413, 414, 416, 431, 500, 501, 503, 505};
inline constexpr std::size_t kHttpCodeSlots = kHttpCodes.size() + 1;

constexpr std::size_t http_code_slot(int code) noexcept {
  for (std::size_t i = 0; i < kHttpCodes.size(); ++i)
    if (kHttpCodes[i] == code) return i;
  return kHttpCodes.size();
}

struct alignas(64) Shard {
  // Connections: accepted (a session was made for it), closed by reason,
  // refused at accept by reason; active = accepted - closed.
  Cell accepted{0};
  std::array<Cell, kReasonSlots> closed{};
  std::array<Cell, kReasonSlots> refused{};
  Cell bytes_in{0};
  Cell bytes_out{0};
  HistogramCells<kConnectionBounds.size()> connection_duration;
  // CPU time of the listener's threads and processes, in nanoseconds.
  Cell cpu_nsec{0};

  // HTTP: responses by status code and how long each request took, from
  // the read that brought its first byte to its response queued in full.
  std::array<Cell, kHttpCodeSlots> http_requests{};
  HistogramCells<kRequestBounds.size()> request_duration;

  // Chat: members = joins - leaves; lines said; lines delivered to members.
  Cell chat_joins{0};
  Cell chat_leaves{0};
  Cell chat_lines{0};
  Cell chat_deliveries{0};

  // Chat's bus (a room shared by several daemons through Redis), written
  // by metrics::ChatBusMeter (chat_bus.hpp) and nothing else. Gauges, in
  // signed deltas (adjust()): configured is how many buses serve the
  // listener (1; 2 for a moment over a reload; 0: a room of its own, and
  // no bus series), up how many of them have the room linked, queued the
  // requests waiting while a link is down. Counters: entries this daemon
  // published to the room (lines, joins, leaves...), entries it read,
  // lines dropped (past the outage bound or the queue's), links lost.
  Cell chat_bus_configured{0};
  Cell chat_bus_up{0};
  Cell chat_bus_queued{0};
  Cell chat_bus_published{0};
  Cell chat_bus_received{0};
  Cell chat_bus_dropped{0};
  Cell chat_bus_link_losses{0};

  void closed_by(CloseReason reason) noexcept { add(closed[static_cast<std::size_t>(reason)]); }
  void refused_by(CloseReason reason) noexcept {
    add(refused[static_cast<std::size_t>(reason)]);
  }
  void connection_ended(std::uint64_t usec) noexcept {
    connection_duration.observe(kConnectionBounds, usec);
  }
  void http_request(int code, std::uint64_t usec) noexcept {
    add(http_requests[http_code_slot(code)]);
    request_duration.observe(kRequestBounds, usec);
  }
};

inline constexpr std::size_t kShards = 16;

// The shard this thread writes: threads take turns; a process forked from
// a thread (a fork-model connection) takes one by its pid after
// choose_shard_after_fork().
std::size_t shard_index() noexcept;
void choose_shard_after_fork() noexcept;

}  // namespace netcook::metrics
