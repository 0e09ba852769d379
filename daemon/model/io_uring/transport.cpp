#include "model/io_uring/transport.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace netcook::model::io_uring {
namespace {

// Bytes one send carries at most: a large file goes out in pieces of this
// size, read into memory one piece at a time.
constexpr std::size_t kSendShare = 256 * 1024;

}  // namespace

void ReceivePool::give_back(std::uint16_t id) noexcept {
  buffers_.give_back(id);
  if (starving_.empty()) return;
  RingTransport* next = starving_.back();
  starving_.pop_back();
  next->receive_again();
}

void ReceivePool::starving(RingTransport& transport) {
  starving_.push_back(&transport);
  rearm_.schedule();
  // Buffers held by connections that do not read come back; each coming
  // back re-arms one starving receive (give_back()).
  const std::vector<RingTransport*> holders = holders_;
  for (RingTransport* holder : holders) holder->spill();
}

void ReceivePool::rearm() noexcept {
  const std::vector<RingTransport*> starving = std::move(starving_);
  starving_.clear();
  for (RingTransport* transport : starving) transport->receive_again();
}

void ReceivePool::holds(RingTransport& transport) {
  if (transport.holder_index_ != RingTransport::kNotHolding) return;
  transport.holder_index_ = holders_.size();
  holders_.push_back(&transport);
}

void ReceivePool::let_go(RingTransport& transport) noexcept {
  const std::size_t index = transport.holder_index_;
  if (index == RingTransport::kNotHolding) return;
  holders_[index] = holders_.back();
  holders_[index]->holder_index_ = index;
  holders_.pop_back();
  transport.holder_index_ = RingTransport::kNotHolding;
}

void ReceivePool::forget(RingTransport& transport) noexcept {
  std::erase(starving_, &transport);
}

RingTransport::RingTransport(net::Fd fd, uring::Ring& ring, ReceivePool& pool,
                             event::Readiness& ready, Owner& owner) noexcept
    : Transport(fd), ring_(ring), pool_(pool), ready_(ready), owner_(owner) {}

RingTransport::~RingTransport() {
  // Off the starving list first: a buffer given back re-arms the starving.
  if (starving_) pool_.forget(*this);
  for (const Kept& kept : kept_) pool_.give_back(kept.id);
  pool_.let_go(*this);
}

void RingTransport::cancel() noexcept {
  if (cancelled_) return;
  cancelled_ = true;
  if (starving_) {
    pool_.forget(*this);
    starving_ = false;
  }
  for (const Kept& kept : kept_) pool_.give_back(kept.id);
  kept_.clear();
  kept_bytes_ = 0;
  pool_.let_go(*this);
  std::string().swap(spilled_);
  spilled_head_ = 0;
  if (receiving_) ring_.cancel(receiver_);
  if (sending_) ring_.cancel(sender_);
}

void RingTransport::receive() noexcept {
  ring_.receive_multishot(receiver_, fd().get(), ReceivePool::kGroup);
  receiving_ = true;
}

std::size_t RingTransport::waiting() const noexcept {
  return spilled_.size() - spilled_head_ + kept_bytes_;
}

bool RingTransport::may_receive() const noexcept {
  return !receiving_ && !starving_ && !cancelled_ && !ended_ && read_error_ == 0 &&
         waiting() < kMostKept;
}

void RingTransport::receive_now() noexcept {
  if (may_receive()) receive();
}

void RingTransport::receive_again() noexcept {
  starving_ = false;
  if (may_receive()) receive();
}

void RingTransport::spill() noexcept {
  if (kept_.empty()) return;
  try {
    if (spilled_head_ > 0) {
      spilled_.erase(0, spilled_head_);
      spilled_head_ = 0;
    }
    spilled_.reserve(spilled_.size() + kept_bytes_);
  } catch (const std::bad_alloc&) {
    return;  // no memory: the buffers stay kept, as they were
  }
  const std::vector<Kept> kept = std::move(kept_);  // give_back() may come back here
  kept_.clear();
  kept_bytes_ = 0;
  pool_.let_go(*this);
  for (const Kept& piece : kept) {
    const auto bytes = pool_.bytes(piece.id, piece.offset + piece.length);
    spilled_.append(bytes.data() + piece.offset, piece.length);
    pool_.give_back(piece.id);
  }
}

void RingTransport::received(std::int32_t result, std::uint32_t flags) noexcept {
  if (!uring::more(flags)) receiving_ = false;
  if (result > 0) {
    const auto id = uring::buffer(flags);
    if (!id) {
      read_error_ = EIO;  // a receive without its buffer: cannot happen
    } else if (cancelled_) {
      pool_.give_back(*id);
    } else {
      try {
        kept_.push_back({*id, 0, static_cast<std::uint32_t>(result)});
        kept_bytes_ += static_cast<std::size_t>(result);
        pool_.holds(*this);
      } catch (const std::bad_alloc&) {
        pool_.give_back(*id);
        read_error_ = ENOMEM;
      }
      // The pump stopped taking (held input, a full Outbox): stop
      // receiving, so that the socket's buffer and TCP hold the rest.
      if (waiting() >= kMostKept && receiving_ && !stopping_) {
        ring_.cancel(receiver_);
        stopping_ = true;
      }
    }
    ready_.readable = true;
  } else if (result == 0) {
    ended_ = true;
    ready_.readable = true;
  } else if (result == -ENOBUFS) {
    if (!cancelled_) {
      starving_ = true;
      pool_.starving(*this);
    }
  } else if (result != -ECANCELED) {
    read_error_ = -result;
    ready_.readable = true;
  }
  if (!receiving_) stopping_ = false;
  // An ended receive (cancelled for backpressure, or for a reason that
  // does not end the stream) is asked for again once little waits.
  if (may_receive() && result != -ENOBUFS) receive();
  owner_.completed();  // last: the owner may free this transport
}

// Spilled bytes first (they came first), then the kept buffers.
ReadResult RingTransport::read(std::span<char> buffer) noexcept {
  if (waiting() > 0) {
    std::size_t copied = 0;
    if (spilled_head_ < spilled_.size()) {
      copied = std::min(buffer.size(), spilled_.size() - spilled_head_);
      std::memcpy(buffer.data(), spilled_.data() + spilled_head_, copied);
      spilled_head_ += copied;
      if (spilled_head_ == spilled_.size()) {
        std::string().swap(spilled_);  // idle: no heap memory
        spilled_head_ = 0;
      }
    }
    while (copied < buffer.size() && !kept_.empty()) {
      Kept& kept = kept_.front();
      const std::size_t size = std::min<std::size_t>(kept.length, buffer.size() - copied);
      std::memcpy(buffer.data() + copied,
                  pool_.bytes(kept.id, kept.offset + size).data() + kept.offset, size);
      copied += size;
      kept_bytes_ -= size;
      kept.offset += static_cast<std::uint32_t>(size);
      kept.length -= static_cast<std::uint32_t>(size);
      if (kept.length == 0) {
        const std::uint16_t id = kept.id;
        kept_.erase(kept_.begin());
        if (kept_.empty()) pool_.let_go(*this);
        pool_.give_back(id);
      }
    }
    receive_now();
    ReadResult result{ReadResult::Status::data, copied, 0};
    // Nothing waits and the stream goes on: the next completion says when
    // there is more (an end or an error is reported by the next read).
    result.drained = waiting() == 0 && !ended_ && read_error_ == 0;
    return result;
  }
  if (read_error_ != 0) return {ReadResult::Status::failed, 0, read_error_};
  if (ended_) return {ReadResult::Status::end, 0, 0};
  receive_now();
  return {ReadResult::Status::would_block, 0, 0};
}

WriteResult RingTransport::write(proto::Outbox& out) noexcept {
  WriteResult result;
  if (landed_ > 0) {
    out.landed(landed_);
    result.sent = landed_;
    landed_ = 0;
  }
  if (write_error_ != 0) {
    result.status = WriteResult::Status::failed;
    result.error = write_error_;
    return result;
  }
  if (sending_) {
    result.status = WriteResult::Status::would_block;
    return result;
  }
  if (out.pending().empty() && !out.next_file()) {
    std::string().swap(sending_bytes_);  // idle: no heap memory
    return result;  // done
  }
  if (const int error = fill(out); error != 0) {
    result.status = WriteResult::Status::failed;
    result.error = error;
    return result;
  }
  sending_ = true;
  sent_so_far_ = 0;
  send_rest();
  result.status = WriteResult::Status::would_block;
  return result;
}

// The bytes and file pieces next in `out`, in order, up to a send's share.
int RingTransport::fill(proto::Outbox& out) noexcept {
  try {
    sending_bytes_.clear();
    while (sending_bytes_.size() < kSendShare) {
      if (!out.pending().empty()) {
        if (sending_bytes_.empty())
          sending_bytes_ = out.take_pending();
        else
          sending_bytes_ += out.take_pending();
        continue;
      }
      const auto file = out.next_file();
      if (!file) break;
      const std::size_t at = sending_bytes_.size();
      const std::size_t want = std::min(file->length, kSendShare - at);
      sending_bytes_.resize(at + want);
      ssize_t got = -1;
      do {
        got = ::pread(file->file.get(), sending_bytes_.data() + at, want, file->offset);
      } while (got < 0 && errno == EINTR);
      if (got <= 0) {
        // A file shorter than its range (or unreadable): what came before
        // it goes first; the next fill finds the failure again.
        const int error = got < 0 ? errno : EIO;
        sending_bytes_.resize(at);
        return at > 0 ? 0 : error;
      }
      sending_bytes_.resize(at + static_cast<std::size_t>(got));
      out.lend_file(static_cast<std::size_t>(got));
    }
  } catch (const std::bad_alloc&) {
    return ENOMEM;
  }
  return 0;
}

void RingTransport::send_rest() noexcept {
  ring_.send(sender_, fd().get(),
             {sending_bytes_.data() + sent_so_far_, sending_bytes_.size() - sent_so_far_});
}

void RingTransport::sent(std::int32_t result, std::uint32_t) noexcept {
  if (result > 0) {
    sent_so_far_ += static_cast<std::size_t>(result);
    landed_ += static_cast<std::size_t>(result);
    if (sent_so_far_ < sending_bytes_.size() && !cancelled_) {
      send_rest();  // short: the rest before anything else
    } else {
      sending_ = false;
    }
  } else {
    sending_ = false;
    if (result == 0)
      write_error_ = EIO;  // nothing taken of something: cannot happen
    else if (result != -ECANCELED)
      write_error_ = -result;
  }
  // The storage stays for the next send (a file goes out piece by piece
  // through it); write() lets it go once nothing more is to be sent.
  ready_.writable = true;
  owner_.completed();  // last: the owner may free this transport
}

}  // namespace netcook::model::io_uring
