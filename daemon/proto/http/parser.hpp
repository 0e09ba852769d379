#pragma once

// An incremental, zero-copy parser for HTTP/1.1 request heads (RFC 9112),
// shaped like picohttpparser: it is given everything received so far for
// the current request and answers complete (with the head's length), need
// more, or invalid (with the status to answer). It keeps offsets, never
// pointers, between calls, so the caller's buffer may move, and it resumes
// where it stopped: each byte of a head is examined once however the head
// was cut into reads (a slowloris client sending one byte at a time costs
// O(1) per byte).
//
// Strict where leniency enables request smuggling: a header line starting
// with whitespace (obs-fold), whitespace between a field name and its
// colon, a bare CR, control characters in a value are all errors. A bare LF
// is accepted as a line end (RFC 9112 section 2.2 allows it; people type
// requests into nc).

#include "proto/http/head.hpp"

#include <cstddef>
#include <string_view>

namespace netcook::proto::http {

struct HeadLimits {
  std::size_t max_head = 16 * 1024;   // request line + fields, bytes (431)
  std::size_t max_target = 8 * 1024;  // request target, bytes (414)
};

enum class Progress { complete, incomplete, invalid };

struct ParseResult {
  Progress progress = Progress::incomplete;
  std::size_t length = 0;   // complete: bytes of the head, empty line included
  int status = 0;           // invalid: 400, 414, 431 or 505
  std::string_view reason;  // invalid: what was wrong, for the reply and the log
  // The request line, without its line end, once it has been read and its
  // parts are well-formed (its version may still be unsupported: 505);
  // empty before. A view into the buffer, for the access log.
  std::string_view request_line;
};

class HeadParser {
 public:
  explicit HeadParser(const HeadLimits& limits) noexcept : limits_(limits) {}

  // `buffer` starts where the request starts and holds every byte received
  // for it so far: what the previous call saw plus anything new. On
  // `complete`, `head` holds views into `buffer`.
  ParseResult parse(std::string_view buffer, RequestHead& head) noexcept;

  // Forgets the request, for the next one on the connection. Field slots
  // past field_count_ are never read, so they are left as they are (they
  // are most of the parser's size).
  void reset() noexcept {
    start_ = line_start_ = scanned_ = 0;
    in_fields_ = false;
    method_size_ = target_at_ = target_size_ = line_size_ = 0;
    minor_version_ = 1;
    field_count_ = 0;
  }

 private:
  struct FieldSpan {
    std::size_t name_at, name_size, value_at, value_size;
  };

  ParseResult scan_head(std::string_view buffer, RequestHead& head) noexcept;
  ParseResult scan_request_line(std::string_view buffer) noexcept;
  ParseResult check_request_line(std::string_view line) noexcept;
  ParseResult check_field(std::size_t at, std::string_view line) noexcept;
  ParseResult overlong_line(std::string_view window) const noexcept;
  void fill(std::string_view buffer, RequestHead& head) const noexcept;

  HeadLimits limits_;
  std::size_t start_ = 0;        // first byte of the request line (after empty lines)
  std::size_t line_start_ = 0;   // first byte of the line being received
  std::size_t scanned_ = 0;      // bytes already examined
  bool in_fields_ = false;       // the request line is done
  std::size_t method_size_ = 0;  // request line parts, as offsets from start_
  std::size_t target_at_ = 0;
  std::size_t target_size_ = 0;
  std::size_t line_size_ = 0;  // the request line's, once its parts are known
  int minor_version_ = 1;
  std::array<FieldSpan, kMaxFields> fields_{};
  std::size_t field_count_ = 0;
};

}  // namespace netcook::proto::http
