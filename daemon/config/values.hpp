#pragma once

// Typed reads of one entry of a Section. Each returns nullopt after reporting
// what is wrong: a value that is missing, of the wrong YAML type, malformed
// or out of range. Errors point at the value, or at the key when the value is
// empty (yaml-cpp marks an empty value at the next token, which misleads).

#include "config/names.hpp"
#include "config/section.hpp"

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

std::optional<std::string> read_scalar(const Entry& entry,
                                       Diagnostics& diagnostics);

std::optional<std::int64_t> read_integer(const Entry& entry, std::int64_t min,
                                         std::int64_t max,
                                         Diagnostics& diagnostics);

std::optional<Duration> read_duration(const Entry& entry, Duration min,
                                      Duration max, Diagnostics& diagnostics);

std::optional<std::size_t> read_size(const Entry& entry, std::size_t min,
                                     std::size_t max, Diagnostics& diagnostics);

// A rate (units.hpp) of 1 to `max_count` per period, or `unlimited`, which
// reads as count 0.
std::optional<Rate> read_rate(const Entry& entry, std::uint32_t max_count,
                              Diagnostics& diagnostics);

// `true` or `false`.
std::optional<bool> read_bool(const Entry& entry, Diagnostics& diagnostics);

// Whether the entry is a mapping (or empty, which reads as an empty mapping);
// reports it otherwise.
bool is_mapping(const Entry& entry, Diagnostics& diagnostics);

// "invalid value 'TEXT' for 'KEY': REASON", at the value.
void report_invalid(const Entry& entry, std::string_view reason,
                    Diagnostics& diagnostics);

// One of the words in `table`; `noun` names the kind ("protocol").
template <typename E, std::size_t N>
std::optional<E> read_enum(const Entry& entry, std::string_view noun,
                           const std::array<Named<E>, N>& table,
                           Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  auto value = find_named(table, *text);
  if (!value)
    diagnostics.error(entry.value.Mark(),
                      fmt::format("unknown {} '{}'; valid: {}", noun, *text,
                                  join_names(table)));
  return value;
}

}  // namespace netcook::config
