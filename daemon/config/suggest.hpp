#pragma once

// "did you mean ...?" for misspelt keys.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace netcook::config {

// Levenshtein distance: insertions, deletions and substitutions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be what the user
// meant: at most 3 edits away and fewer edits than `word` has characters (so
// "x" does not suggest "log"). Ties go to the earlier candidate.
std::optional<std::string_view> nearest(
    std::string_view word, std::span<const std::string_view> candidates);

// "a, b, c".
std::string join(std::span<const std::string_view> words);

}  // namespace netcook::config
