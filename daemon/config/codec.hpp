#pragma once

// A plain binary encoding for values that cross between two processes built
// from the same source (the main process hands a listener's validated
// settings to the fork master). Fields follow in a fixed order, with no
// versioning, tags or padding:
//   integer   8 bytes, little-endian; signed ones in two's complement
//   text      its length as an integer, then the bytes
//   flag      1 byte, 0 or 1
//   duration  milliseconds, as a signed integer
//   enum      the enumerator's number, as an integer
// Decoding checks what a corrupt or truncated message could break: lengths
// against the bytes left (nothing is allocated that the input does not hold),
// enumerators and integer ranges. It does not validate again what the
// configuration loader checked (e.g. an HTTP root that exists).

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

class Encoder {
 public:
  void u64(std::uint64_t value);
  void text(std::string_view value);
  void flag(bool value);
  void duration(Duration value);

  // The bytes so far; the encoder is empty after.
  std::string take() noexcept;

 private:
  std::string bytes_;
};

// Reads from bytes the caller keeps alive until it is done decoding.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) noexcept : rest_(bytes) {}

  // Each returns false (and leaves `value` unspecified) when the input ends
  // too soon or holds an impossible value; once false, every later call is
  // false too.
  bool u64(std::uint64_t& value) noexcept;
  bool text(std::string& value);
  bool flag(bool& value) noexcept;
  bool duration(Duration& value) noexcept;

  // For a value the caller finds impossible (an unknown enumerator): fails
  // the decoder as the calls above would, and returns false.
  bool reject() noexcept;

  // Everything consumed, nothing failed.
  bool done() const noexcept { return !failed_ && rest_.empty(); }

 private:
  std::string_view rest_;
  bool failed_ = false;
};

void encode(Encoder& out, const Limits& limits);
bool decode(Decoder& in, Limits& limits);

// Every field, the marks included (the listener's and its tls section's).
// Decoding checks the enumerators, the address's port and the integers that
// are narrower than 8 bytes.
void encode(Encoder& out, const Listener& listener);
bool decode(Decoder& in, Listener& listener);

std::string encode_listener(const Listener& listener);
// nullopt unless `bytes` is one well-formed listener and nothing more.
std::optional<Listener> decode_listener(std::string_view bytes);

}  // namespace netcook::config
