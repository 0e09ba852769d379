#include "model/transport.hpp"

namespace netcook::model {

ReadResult PlainTransport::read(std::span<char> buffer) noexcept {
  ReadResult got = read_socket(fd(), buffer);
  // A short recv took everything queued: data that arrives later is
  // reported anew, so the pump may skip the recv that would only say
  // EAGAIN.
  got.drained = got.status == ReadResult::Status::data && got.size < buffer.size();
  return got;
}

WriteResult PlainTransport::write(proto::Outbox& out) noexcept {
  return write_outbox(fd(), out);
}

}  // namespace netcook::model
