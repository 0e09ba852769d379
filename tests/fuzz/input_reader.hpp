#pragma once

// The fuzz targets' view of their input: framing bytes taken from the
// front (counts, sizes, cut points), the rest as data. Past the end, byte()
// reads 0 and take() an empty piece, so every input is a valid one.

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace netcook::fuzz {

class InputReader {
 public:
  explicit InputReader(std::string_view data) : rest_(data) {}
  bool done() const { return rest_.empty(); }
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto value = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }
  std::string_view take(std::size_t count) {
    const auto piece = rest_.substr(0, count);
    rest_.remove_prefix(piece.size());
    return piece;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// A broken invariant: abort, so that libFuzzer keeps the input.
inline void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace netcook::fuzz
