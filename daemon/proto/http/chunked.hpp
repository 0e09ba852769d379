#pragma once

// Decodes a chunked request body (RFC 9112 section 7.1) as it arrives, to
// discard it: sans-I/O, any split of the input gives the same result, and
// nothing is held but a few counters. Chunk extensions and trailer fields
// are skipped within a size limit.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace netcook::proto::http {

class ChunkedBody {
 public:
  enum class Progress { more, done, invalid };

  struct Result {
    Progress progress = Progress::more;
    std::size_t consumed = 0;  // bytes of the input that belong to the body
    int status = 0;            // invalid: 400, or 413 beyond max_body
    std::string_view reason;
  };

  // `max_body`: decoded bytes allowed; `max_meta`: bytes of chunk
  // extensions and trailer fields allowed in all.
  ChunkedBody(std::uint64_t max_body, std::size_t max_meta) noexcept
      : max_body_(max_body), max_meta_(max_meta) {}

  // Feeds the next bytes. On `done`, input past `consumed` belongs to the
  // next request. After `done` or `invalid`, call no more.
  Result feed(std::string_view input) noexcept;

  std::uint64_t decoded() const noexcept { return decoded_; }

 private:
  enum class State {
    size,          // hex digits of a chunk size
    extension,     // after ';' up to the line end
    size_end,      // after a CR, expecting LF
    data,          // chunk data
    data_end,      // CR or LF after chunk data
    data_end_lf,   // LF after that CR
    trailer_start, // start of a trailer line, or the final empty line
    trailer,       // inside a trailer line
    final_lf,      // LF of the final empty line
  };

  Result fail(std::size_t consumed, int status, std::string_view reason) noexcept;

  std::uint64_t max_body_;
  std::size_t max_meta_;
  State state_ = State::size;
  std::uint64_t chunk_ = 0;     // size of the current chunk / bytes left in it
  int digits_ = 0;              // hex digits read of the current size
  std::uint64_t decoded_ = 0;
  std::size_t meta_ = 0;        // extension and trailer bytes seen
};

}  // namespace netcook::proto::http
