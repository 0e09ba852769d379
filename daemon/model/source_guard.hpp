#pragma once

// A listener's rules about who may connect and how often, by source
// address (config::Guards): deny and allow, max_connections_per_source and
// connection_rate, checked in that order. The accept gate asks at accept;
// the connection core asks once a PROXY header has named the real peer.
// One per listener: the workers of epoll and coroutine share it, and under
// fork it lives in the fork master, which accepts for every connection
// process. Thread-safe.
//
// Memory is bounded: the per-source count of open connections has an entry
// only while a source has a connection open (at most max_connections); the
// rate table holds at most kRateSources sources, drops a source as soon as
// its bucket has refilled (it then says nothing a new bucket would not),
// and when full of sources still spending drops the least recently seen.

#include "config/config.hpp"
#include "metrics/close_reason.hpp"
#include "model/token_bucket.hpp"
#include "net/cidr.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace netcook::model {

class SourceGuard;

// Sources the rate table of one listener holds at most (about 80 bytes each).
inline constexpr std::size_t kRateSources = 16384;

// A connection's place among its source's max_connections_per_source, from
// admission to close; given back when destroyed. Empty when no limit
// applies.
class SourceHold {
 public:
  SourceHold() noexcept = default;
  SourceHold(SourceHold&& other) noexcept;
  SourceHold& operator=(SourceHold&& other) noexcept;
  ~SourceHold() { release(); }

  explicit operator bool() const noexcept { return guard_ != nullptr; }
  void release() noexcept;

 private:
  friend class SourceGuard;
  SourceHold(SourceGuard& guard, const net::IpAddress& source) noexcept
      : guard_(&guard), source_(source) {}

  SourceGuard* guard_ = nullptr;  // not owned
  net::IpAddress source_;
};

struct IpHash {
  std::size_t operator()(const net::IpAddress& address) const noexcept;
};

class SourceGuard {
 public:
  using Clock = std::chrono::steady_clock;

  explicit SourceGuard(config::Guards rules);
  SourceGuard(const SourceGuard&) = delete;
  SourceGuard& operator=(const SourceGuard&) = delete;

  // Whether any rule looks at addresses: when not, the gate need not.
  bool active() const noexcept { return active_; }

  // Whether `peer` must start with a PROXY header (proxy_protocol.from).
  bool expects_proxy_header(const net::IpAddress& peer) const noexcept;

  // The source `peer` counts as: an IPv4 address itself, an IPv6 address
  // its first source_prefix_v6 bits.
  net::IpAddress source_of(const net::IpAddress& peer) const noexcept;

  struct Verdict {
    std::optional<metrics::CloseReason> refused;  // denied, per_source or rate
    SourceHold hold;     // when admitted and max_connections_per_source applies
    std::string detail;  // when refused: for the log line ("3 open")
  };
  // Deny and allow, then max_connections_per_source, then connection_rate.
  // A refused peer spends no token and holds no place.
  Verdict vet(const net::IpAddress& peer, Clock::time_point now);

  // Connections open from `peer`'s source (for tests and the status page).
  std::size_t open_from(const net::IpAddress& peer) const;
  // Sources in the rate table.
  std::size_t rate_sources() const;

  const config::Guards& rules() const noexcept { return rules_; }

 private:
  friend class SourceHold;

  struct Bucket {
    net::IpAddress source;
    TokenBucket tokens;
  };
  using Buckets = std::list<Bucket>;  // most recently seen first

  bool denied(const net::IpAddress& peer) const noexcept;
  bool take_token(const net::IpAddress& source, Clock::time_point now);
  void drop_refilled(Clock::time_point now);
  void release(const net::IpAddress& source) noexcept;

  const config::Guards rules_;
  const bool active_;
  const bool rated_;  // connection_rate is set

  mutable std::mutex mutex_;  // guards what follows
  std::unordered_map<net::IpAddress, std::size_t, IpHash> open_;
  Buckets buckets_;
  std::unordered_map<net::IpAddress, Buckets::iterator, IpHash> bucket_of_;
};

}  // namespace netcook::model
