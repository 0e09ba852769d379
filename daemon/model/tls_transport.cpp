#include "model/tls_transport.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace netcook::model {
namespace {

// As write_outbox(): at most this much per call, so that a large file to a
// fast reader does not keep a reactor from its other connections.
constexpr std::size_t kSendShare = 1024 * 1024;
// A file's bytes read for SSL_write when the kernel does not encrypt: one
// TLS record's worth, on the caller's stack (which may be small).
constexpr std::size_t kCopyBuffer = 16 * 1024;

SocketReady ready_for(tls::Needs needs) noexcept {
  return needs == tls::Needs::readable ? SocketReady::readable : SocketReady::writable;
}

}  // namespace

TlsTransport::TlsTransport(net::Fd fd, std::shared_ptr<const tls::Context> context)
    : Transport(fd), stream_(std::move(context), fd.get()) {}

HandshakeResult TlsTransport::handshake() noexcept {
  const tls::Step step = stream_.handshake();
  switch (step.status) {
    case tls::Step::Status::done:
      return {};
    case tls::Step::Status::would_block:
      handshake_needs_ = ready_for(step.needs);
      return {HandshakeResult::Status::would_block};
    case tls::Step::Status::closed:
    case tls::Step::Status::failed:
      break;
  }
  try {
    failure_ = step.reason;
  } catch (...) {  // out of memory for the reason: the error says enough
  }
  return {HandshakeResult::Status::failed, step.error != 0 ? step.error : EPROTO};
}

Secured TlsTransport::secured() const {
  return {stream_.version(), stream_.cipher(), stream_.alpn(), stream_.peer_subject()};
}

void TlsTransport::finish(bool clean) noexcept {
  if (clean && stream_.established()) stream_.shutdown();
}

ReadResult TlsTransport::read(std::span<char> buffer) noexcept {
  const tls::Step step = stream_.read(buffer);
  switch (step.status) {
    case tls::Step::Status::done:
      return {ReadResult::Status::data, step.size};
    case tls::Step::Status::would_block:
      read_needs_ = ready_for(step.needs);
      return {ReadResult::Status::would_block};
    case tls::Step::Status::closed:
      return {ReadResult::Status::end};
    case tls::Step::Status::failed:
      break;
  }
  return {ReadResult::Status::failed, 0, step.error != 0 ? step.error : EPROTO};
}

std::size_t TlsTransport::write_some(proto::Outbox& out, std::size_t most,
                                     tls::Step& stop) noexcept {
  const std::string_view bytes = out.pending();
  const auto file = bytes.empty() ? out.next_file() : out.file_after_pending();
  if (bytes.empty() && file && !file->copy && stream_.kernel_sends()) {
    stop = stream_.sendfile(file->file.get(), file->offset, std::min(file->length, most));
    if (stop.status != tls::Step::Status::done) return 0;
    out.consume_file(stop.size);
    return stop.size;
  }
  if (!file || bytes.size() >= kCopyBuffer) {
    stop = stream_.write(std::span<const char>(bytes.data(), std::min(bytes.size(), most)));
    if (stop.status != tls::Step::Status::done) return 0;
    out.consume(stop.size);
    return stop.size;
  }
  // Bytes and then a file's (a response's head and body): copied into one
  // record's worth, so they leave in one record and one write. OpenSSL
  // wants the same bytes offered again after would_block: the Outbox keeps
  // them until written, so a later call copies the same ones again.
  std::array<char, kCopyBuffer> buffer;
  std::memcpy(buffer.data(), bytes.data(), bytes.size());
  const std::size_t room = std::min(buffer.size(), most) - std::min(bytes.size(), most);
  ssize_t got = 0;
  if (room > 0) {
    got = ::pread(file->file.get(), buffer.data() + bytes.size(), std::min(file->length, room),
                  file->offset);
    if (got < 0 || (got == 0 && bytes.empty())) {
      stop.status = tls::Step::Status::failed;
      stop.error = got < 0 ? errno : EIO;  // 0: the file ended before its range
      return 0;
    }
  }
  const std::size_t filled = std::min(bytes.size(), most) + static_cast<std::size_t>(got);
  stop = stream_.write(std::span<const char>(buffer.data(), filled));
  if (stop.status != tls::Step::Status::done) return 0;
  const std::size_t of_bytes = std::min(stop.size, bytes.size());
  if (of_bytes > 0) out.consume(of_bytes);
  if (stop.size > of_bytes) out.consume_file(stop.size - of_bytes);
  return stop.size;
}

WriteResult TlsTransport::write(proto::Outbox& out) noexcept {
  WriteResult result;
  while (!out.empty()) {
    if (result.sent >= kSendShare) {
      result.status = WriteResult::Status::paused;
      return result;
    }
    tls::Step step;
    const std::size_t sent = write_some(out, kSendShare - result.sent, step);
    if (sent > 0) {
      result.sent += sent;
      continue;
    }
    if (step.status == tls::Step::Status::would_block) {
      write_needs_ = ready_for(step.needs);
      result.status = WriteResult::Status::would_block;
      return result;
    }
    result.status = WriteResult::Status::failed;
    result.error = step.error != 0 ? step.error : EPIPE;  // closed: the peer is gone
    return result;
  }
  return result;
}

}  // namespace netcook::model
