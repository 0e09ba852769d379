#include "config/limits_reader.hpp"

#include "config/guards_reader.hpp"
#include "config/values.hpp"

#include <algorithm>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kMaxConnections = 1'000'000;
// Longer than a day is a mistake for any of these timeouts (and keeps them far
// from overflowing when added to a clock).
constexpr Duration kMaxTimeout = 24h;
constexpr std::size_t kMinOutbox = std::size_t{4} << 10;
constexpr std::size_t kMaxOutbox = std::size_t{1} << 30;

static_assert(std::equal(kGuardKeys.begin(), kGuardKeys.end(),
                         kLimitKeys.end() - kGuardKeys.size()),
              "kLimitKeys ends with every guard key");

template <typename T>
void assign(std::optional<T> value, T& field) {
  if (value) field = *value;
}

}  // namespace

void read_limits(const Section& section, Limits& limits,
                 Diagnostics& diagnostics) {
  if (const auto* entry = section.find("max_connections"))
    if (auto value = read_integer(*entry, 1, kMaxConnections, diagnostics))
      limits.max_connections = static_cast<std::size_t>(*value);
  if (const auto* entry = section.find("idle_timeout"))
    assign(read_duration(*entry, 1ms, kMaxTimeout, diagnostics),
           limits.idle_timeout);
  if (const auto* entry = section.find("read_timeout"))
    assign(read_duration(*entry, 1ms, kMaxTimeout, diagnostics),
           limits.read_timeout);
  if (const auto* entry = section.find("shutdown_timeout"))
    assign(read_duration(*entry, 0ms, kMaxTimeout, diagnostics),
           limits.shutdown_timeout);
  if (const auto* entry = section.find("max_outbox"))
    assign(read_size(*entry, kMinOutbox, kMaxOutbox, diagnostics),
           limits.max_outbox);
  if (const auto* entry = section.find("log_connections"))
    assign(read_bool(*entry, diagnostics), limits.log_connections);
  read_guards(section, limits.guards, diagnostics);
}

}  // namespace netcook::config
