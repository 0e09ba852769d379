#pragma once

// The plain transport of the io_uring model: the connection's bytes move by
// completions in its worker's ring, not by a system call each.
//
// Reading: one multishot receive per connection, into the worker's
// provided buffers (ReceivePool); the pump reads what arrived right after
// (copying it out, and giving the buffer back). What it did not take (the
// core stopped reading: held input, a full Outbox) stays in the buffer
// until it does, unless the pool runs out: then every connection holding
// buffers moves what they hold to its own memory (spill()), so that
// connections that do not read never starve the others. With more than
// kMostKept bytes waiting, the receive is cancelled and the socket buffer
// fills instead (TCP's own backpressure); it is asked for again once the
// pump took them.
//
// Writing: one send in flight at a time, of everything the Outbox has
// ready, lent by Outbox::take_pending() (the bytes stay counted by the
// Outbox until they land, so a core that waits for its Outbox to drain
// waits for them too). A file range is read into the send's buffer
// (pread: a regular file's pages are in the page cache, so the read is a
// copy, not a wait) and sent from there, after the bytes before it in the
// same send. A short send sends the rest before anything else.
//
// Completions set the connection's readiness (readable: something to
// read, the end, or an error; writable: the send landed) and tell the
// connection, which runs the pump as on an epoll edge. So the pump, the
// core and every behaviour above them are the same as under epoll.
//
// The connection may be freed only once busy() is false: cancel() makes
// the kernel end every operation promptly.

#include "event/deferred.hpp"
#include "event/readiness.hpp"
#include "model/transport.hpp"
#include "uring/ring.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace netcook::model::io_uring {

class RingTransport;

// A worker's provided buffers for its connections' receives, the
// connections holding some (spilled when one runs out), and the
// connections whose receive ended for want of one: re-armed as buffers
// come back, one per buffer, and the rest after the loop's turn (not at
// once: the pool may still be empty within the turn; after it, every
// buffer of a completion the turn handled is back). Without the turn's
// end, a connection that starved after the last buffer came back would
// wait for the next one, which may never come: its peer's last bytes
// would stay unread.
class ReceivePool {
 public:
  static constexpr unsigned kBuffers = 64;
  static constexpr std::size_t kBufferSize = 16 * 1024;
  static constexpr std::uint16_t kGroup = 1;

  ReceivePool(uring::Ring& ring, event::Loop& loop)
      : buffers_(ring, kGroup, kBuffers, kBufferSize), rearm_(loop, [this] { rearm(); }) {}

  std::span<char> bytes(std::uint16_t id, std::size_t length) noexcept {
    return buffers_.bytes(id, length);
  }
  void give_back(std::uint16_t id) noexcept;
  // Its receive ended for want of a buffer: every holder spills.
  void starving(RingTransport& transport);
  void forget(RingTransport& transport) noexcept;
  // `transport` holds buffers from now on, or not any more.
  void holds(RingTransport& transport);
  void let_go(RingTransport& transport) noexcept;

 private:
  void rearm() noexcept;

  uring::BufferRing buffers_;
  std::vector<RingTransport*> starving_;
  event::Deferred rearm_;  // the starving, after the turn
  std::vector<RingTransport*> holders_;  // each knows its index
};

class RingTransport final : public Transport {
 public:
  // Told after every completion that changed `ready`.
  class Owner {
   public:
    virtual void completed() noexcept = 0;

   protected:
    ~Owner() = default;
  };

  // Bytes received and not yet read before the receive is cancelled.
  static constexpr std::size_t kMostKept = 64 * 1024;

  RingTransport(net::Fd fd, uring::Ring& ring, ReceivePool& pool, event::Readiness& ready,
                Owner& owner) noexcept;
  ~RingTransport() override;

  ReadResult read(std::span<char> buffer) noexcept override;
  WriteResult write(proto::Outbox& out) noexcept override;

  // An operation is in flight: the connection must not be freed.
  bool busy() const noexcept { return receiving_ || sending_; }
  // Ends every operation in flight (they complete soon, cancelled).
  void cancel() noexcept;

  // For the ReceivePool: buffers came back.
  void receive_again() noexcept;
  // Asks for what arrives from now on, if not asked for already (reads
  // ask for it themselves when they find nothing).
  void receive_now() noexcept;
  // What the pump did not read moves from the shared buffers to the
  // connection's own memory (when the pool runs out).
  void spill() noexcept;

 private:
  // A received buffer not yet read by the pump.
  struct Kept {
    std::uint16_t id;
    std::uint32_t offset;
    std::uint32_t length;
  };

  void received(std::int32_t result, std::uint32_t flags) noexcept;
  // Bytes received and not yet read.
  std::size_t waiting() const noexcept;
  bool may_receive() const noexcept;
  void sent(std::int32_t result, std::uint32_t flags) noexcept;
  void receive() noexcept;
  void send_rest() noexcept;
  // Fills the send's buffer from `out`; errno, or 0.
  int fill(proto::Outbox& out) noexcept;

  uring::Ring& ring_;
  ReceivePool& pool_;
  event::Readiness& ready_;
  Owner& owner_;
  uring::Forwarding<RingTransport, &RingTransport::received> receiver_{*this};
  uring::Forwarding<RingTransport, &RingTransport::sent> sender_{*this};

  // Reading.
  std::vector<Kept> kept_;  // oldest first, after the spilled bytes
  std::string spilled_;     // received before kept_, not yet read
  std::size_t spilled_head_ = 0;
  std::size_t kept_bytes_ = 0;
  friend class ReceivePool;
  std::size_t holder_index_ = kNotHolding;  // in the pool's holders
  static constexpr std::size_t kNotHolding = static_cast<std::size_t>(-1);
  bool receiving_ = false;  // a multishot receive is armed
  bool stopping_ = false;   // and its cancel was asked for (backpressure)
  bool starving_ = false;   // it ended for want of buffers: in the pool's list
  bool ended_ = false;      // the peer's end came (after what is kept)
  int read_error_ = 0;

  // Writing.
  std::string sending_bytes_;   // the send in flight, from its start
  std::size_t sent_so_far_ = 0;  // of sending_bytes_, landed
  std::size_t landed_ = 0;       // landed and not yet told to the Outbox
  bool sending_ = false;
  int write_error_ = 0;

  bool cancelled_ = false;
};

}  // namespace netcook::model::io_uring
