#include "proto/http/chunked.hpp"

#include <algorithm>

namespace netcook::proto::http {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bytes allowed in extensions and trailer fields: visible, blank, obs-text.
bool is_meta_char(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return c == '\t' || (byte >= 0x20 && byte != 0x7F);
}

constexpr int kMaxSizeDigits = 16;  // 64 bits

}  // namespace

ChunkedBody::Result ChunkedBody::fail(std::size_t consumed, int status,
                                      std::string_view reason) noexcept {
  return {Progress::invalid, consumed, status, reason};
}

ChunkedBody::Result ChunkedBody::feed(std::string_view input) noexcept {
  std::size_t i = 0;
  // The size line ended: start the chunk's data, or the trailer section.
  const auto size_line_done = [&]() -> bool {
    digits_ = 0;
    if (chunk_ == 0) {
      state_ = State::trailer_start;
      return true;
    }
    if (chunk_ > max_body_ - decoded_) return false;
    state_ = State::data;
    return true;
  };
  while (i < input.size()) {
    const char c = input[i];
    switch (state_) {
      case State::size:
        if (const int value = hex_value(c); value >= 0) {
          if (digits_ == kMaxSizeDigits) return fail(i, 400, "chunk size too large");
          chunk_ = chunk_ * 16 + static_cast<std::uint64_t>(value);
          ++digits_;
        } else if (digits_ == 0) {
          return fail(i, 400, "malformed chunk size");
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::extension;
          if (++meta_ > max_meta_) return fail(i, 400, "chunk extensions too long");
        } else if (c == '\r') {
          state_ = State::size_end;
        } else if (c == '\n') {
          if (!size_line_done()) return fail(i, 413, "request body too large");
        } else {
          return fail(i, 400, "malformed chunk size");
        }
        ++i;
        break;
      case State::extension:
        if (c == '\r') {
          state_ = State::size_end;
        } else if (c == '\n') {
          if (!size_line_done()) return fail(i, 413, "request body too large");
        } else if (!is_meta_char(c)) {
          return fail(i, 400, "invalid character in chunk extension");
        } else if (++meta_ > max_meta_) {
          return fail(i, 400, "chunk extensions too long");
        }
        ++i;
        break;
      case State::size_end:
        if (c != '\n') return fail(i, 400, "bare CR in chunk size line");
        if (!size_line_done()) return fail(i, 413, "request body too large");
        ++i;
        break;
      case State::data: {
        const auto take = static_cast<std::size_t>(
            std::min<std::uint64_t>(chunk_, input.size() - i));
        i += take;
        chunk_ -= take;
        decoded_ += take;
        if (chunk_ == 0) state_ = State::data_end;
        break;
      }
      case State::data_end:
        if (c == '\r')
          state_ = State::data_end_lf;
        else if (c == '\n')
          state_ = State::size;
        else
          return fail(i, 400, "chunk data longer than its size");
        ++i;
        break;
      case State::data_end_lf:
        if (c != '\n') return fail(i, 400, "bare CR after chunk data");
        state_ = State::size;
        ++i;
        break;
      case State::trailer_start:
        ++i;
        if (c == '\n') return {Progress::done, i, 0, {}};
        if (c == '\r') {
          state_ = State::final_lf;
        } else {
          if (!is_meta_char(c)) return fail(i - 1, 400, "invalid character in trailer");
          if (++meta_ > max_meta_) return fail(i - 1, 400, "trailer section too large");
          state_ = State::trailer;
        }
        break;
      case State::trailer:
        if (c == '\n') {
          state_ = State::trailer_start;
        } else if (c != '\r' && !is_meta_char(c)) {
          return fail(i, 400, "invalid character in trailer");
        } else if (++meta_ > max_meta_) {
          return fail(i, 400, "trailer section too large");
        }
        ++i;
        break;
      case State::final_lf:
        if (c != '\n') return fail(i, 400, "bare CR at the end of a chunked body");
        return {Progress::done, i + 1, 0, {}};
    }
  }
  return {Progress::more, i, 0, {}};
}

}  // namespace netcook::proto::http
