#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace netcook::chatload {

/// What every load line carries, as text: "m <sender> <seq> <ns>". A relay
/// may put anything in front of it ("[name@ip] ", "<user4> "), so receivers
/// look for it anywhere in the line.
struct Stamp {
    std::uint32_t sender = 0;
    std::uint64_t seq = 0;     // 0, 1, 2, ... per sender
    std::uint64_t sent_ns = 0; // steady clock (CLOCK_MONOTONIC) when written
};

/// Longest line format_stamp() writes, LF included.
inline constexpr std::size_t kMaxStampLine = 2 + 10 + 1 + 20 + 1 + 20 + 1;

/// Writes the line with its LF into @p out (at least kMaxStampLine bytes);
/// returns its length.
std::size_t format_stamp(const Stamp& stamp, char* out) noexcept;

/// The stamp in @p line (without its LF): an "m" at the start or after a
/// space, then three decimal numbers each after one space, then the end of
/// the line (trailing spaces or a CR allowed). Empty if there is none.
[[nodiscard]] std::optional<Stamp> find_stamp(std::string_view line) noexcept;

} // namespace netcook::chatload
