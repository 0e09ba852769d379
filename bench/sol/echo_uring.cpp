// Speed-of-light echo server on io_uring: the least a single-threaded
// io_uring echo loop must do, beside the epoll one (echo.cpp), so that
// bench/run shows what the technique itself can do. One multishot accept;
// per connection one multishot recv into a ring of provided buffers, so a
// received message costs no system call of its own; the echo is sent
// straight from the buffer it arrived in, and every send of a turn goes to
// the kernel in the one io_uring_enter that also waits for the next
// completions. One send in flight per connection keeps the bytes in order;
// what arrives meanwhile waits in its buffers, in order.
//
// Not a server to run: a client that sends without reading holds buffers
// until the ring runs dry (then every recv waits, ENOBUFS, until buffers
// come back). The measurement's clients read everything they send.
//
// Usage: netcook-sol-echo-uring 127.0.0.1:PORT   (loopback only; prints
// nothing; exits 0 on SIGTERM or SIGINT)

#include "sol/common.hpp"

#include <cstdint>
#include <cstring>
#include <deque>
#include <vector>

#include <fcntl.h>
#include <cstdlib>
#include <string_view>

#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>

namespace {

constexpr unsigned kEntries = 1024;         // submission queue
constexpr unsigned kBuffers = 1024;         // provided buffers (a power of two)
constexpr unsigned kBufferSize = 16 * 1024;
constexpr int kGroup = 0;

// What a completion is about: the operation and the descriptor in the low
// 32 bits, a buffer id for a send above them.
enum Op : std::uint64_t { kAccept = 1, kRecv = 2, kSend = 3, kSignal = 4 };
std::uint64_t tag(Op op, int fd, unsigned buffer = 0) {
  return (static_cast<std::uint64_t>(op) << 56) | (static_cast<std::uint64_t>(buffer) << 32) |
         static_cast<std::uint32_t>(fd);
}
Op op_of(std::uint64_t data) { return static_cast<Op>(data >> 56); }
int fd_of(std::uint64_t data) { return static_cast<int>(data & 0xffffffffu); }
unsigned buffer_of(std::uint64_t data) { return static_cast<unsigned>((data >> 32) & 0xffffu); }

// Received bytes still to echo: a provided buffer, from `offset`.
struct Chunk {
  unsigned buffer;
  unsigned length;
  unsigned offset = 0;
};

// A connection is freed (its descriptor closed) only once neither its
// recv nor a send is in flight: a completion must never name a descriptor
// number that a new connection has taken since.
struct Connection {
  sol::Fd fd;
  std::deque<Chunk> unsent;  // the front is in flight when `sending`
  bool receiving = false;
  bool sending = false;
  bool closing = false;
};

class Loop {
 public:
  explicit Loop(sol::Setup& setup) : setup_(setup) {
    // io_uring waits for a blocking socket itself; on a non-blocking one
    // an accept would end at once with EAGAIN.
    const int flags = ::fcntl(setup_.listener.get(), F_GETFL);
    ::fcntl(setup_.listener.get(), F_SETFL, flags & ~O_NONBLOCK);
    // One thread submits, and completion work runs only when it enters the
    // kernel to wait (not by interrupting it): the cheapest set-up io_uring
    // has (kernel 6.1+); $SOL_URING_FLAGS=0 measures the default one.
    io_uring_params params{};
    const char* plain = std::getenv("SOL_URING_FLAGS");
    if (plain == nullptr || std::string_view(plain) != "0")
      params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(kEntries, &ring_, &params) != 0)
      sol::fail("io_uring_queue_init");
    const std::size_t ring_bytes = kBuffers * sizeof(io_uring_buf);
    void* mapped = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE,
                          MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mapped == MAP_FAILED) sol::fail("mmap");
    buffer_ring_ = static_cast<io_uring_buf_ring*>(mapped);
    io_uring_buf_ring_init(buffer_ring_);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(buffer_ring_);
    reg.ring_entries = kBuffers;
    reg.bgid = kGroup;
    if (io_uring_register_buf_ring(&ring_, &reg, 0) != 0) sol::fail("io_uring_register_buf_ring");
    storage_.resize(static_cast<std::size_t>(kBuffers) * kBufferSize);
    for (unsigned id = 0; id < kBuffers; ++id)
      io_uring_buf_ring_add(buffer_ring_, address(id), kBufferSize, static_cast<unsigned short>(id),
                            io_uring_buf_ring_mask(kBuffers), static_cast<int>(id));
    io_uring_buf_ring_advance(buffer_ring_, kBuffers);
  }

  int run() {
    accept();
    watch_signals();
    for (;;) {
      io_uring_submit_and_wait(&ring_, 1);
      io_uring_cqe* cqe = nullptr;
      unsigned head = 0;
      unsigned seen = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        if (!handle(*cqe)) return 0;
      }
      io_uring_cq_advance(&ring_, seen);
      rearm_starved();
    }
  }

 private:
  char* address(unsigned buffer) { return storage_.data() + std::size_t{buffer} * kBufferSize; }

  io_uring_sqe* sqe() {
    io_uring_sqe* entry = io_uring_get_sqe(&ring_);
    if (entry == nullptr) {  // full: hand what is there to the kernel first
      io_uring_submit(&ring_);
      entry = io_uring_get_sqe(&ring_);
    }
    return entry;
  }

  void accept() {
    io_uring_sqe* entry = sqe();
    io_uring_prep_multishot_accept(entry, setup_.listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(entry, tag(kAccept, setup_.listener.get()));
  }

  void watch_signals() {
    io_uring_sqe* entry = sqe();
    io_uring_prep_poll_add(entry, setup_.signals.get(), POLLIN);
    io_uring_sqe_set_data64(entry, tag(kSignal, setup_.signals.get()));
  }

  void receive(int fd) {
    connections_[static_cast<std::size_t>(fd)].receiving = true;
    io_uring_sqe* entry = sqe();
    io_uring_prep_recv_multishot(entry, fd, nullptr, 0, 0);
    entry->flags |= IOSQE_BUFFER_SELECT;
    entry->buf_group = kGroup;
    io_uring_sqe_set_data64(entry, tag(kRecv, fd));
  }

  void send_front(int fd) {
    Connection& connection = connections_[static_cast<std::size_t>(fd)];
    const Chunk& chunk = connection.unsent.front();
    io_uring_sqe* entry = sqe();
    io_uring_prep_send(entry, fd, address(chunk.buffer) + chunk.offset, chunk.length - chunk.offset,
                       MSG_NOSIGNAL);
    io_uring_sqe_set_data64(entry, tag(kSend, fd, chunk.buffer));
    connection.sending = true;
  }

  void give_back(unsigned buffer) {
    io_uring_buf_ring_add(buffer_ring_, address(buffer), kBufferSize,
                          static_cast<unsigned short>(buffer), io_uring_buf_ring_mask(kBuffers), 0);
    io_uring_buf_ring_advance(buffer_ring_, 1);
    ++returned_;
  }

  // Connections whose recv found the ring empty ask again once buffers
  // came back, not at once (that would spin).
  void rearm_starved() {
    if (starved_.empty() || returned_ == 0) return;
    for (const int fd : starved_) {
      Connection& connection = connections_[static_cast<std::size_t>(fd)];
      if (connection.closing)
        free_when_idle(fd);
      else
        receive(fd);
    }
    starved_.clear();
    returned_ = 0;
  }

  // Ends a connection: the shutdown ends what is in flight, whose last
  // completions free it.
  void drop(int fd) {
    Connection& connection = connections_[static_cast<std::size_t>(fd)];
    if (!connection.closing) {
      connection.closing = true;
      ::shutdown(fd, SHUT_RDWR);
    }
    free_when_idle(fd);
  }

  void free_when_idle(int fd) {
    Connection& connection = connections_[static_cast<std::size_t>(fd)];
    if (!connection.closing || connection.receiving || connection.sending) return;
    for (const Chunk& chunk : connection.unsent) give_back(chunk.buffer);
    connection = Connection{};  // closes the descriptor
  }

  bool handle(const io_uring_cqe& cqe) {
    const std::uint64_t data = io_uring_cqe_get_data64(&cqe);
    const int fd = fd_of(data);
    switch (op_of(data)) {
      case kSignal:
        return false;
      case kAccept:
        if (cqe.res >= 0) adopt(cqe.res);
        if (!(cqe.flags & IORING_CQE_F_MORE)) accept();
        return true;
      case kRecv:
        received(fd, cqe);
        return true;
      case kSend:
        sent(fd, buffer_of(data), cqe.res);
        return true;
    }
    return true;
  }

  void adopt(int fd) {
    sol::set_nodelay(fd);
    if (static_cast<std::size_t>(fd) >= connections_.size())
      connections_.resize(static_cast<std::size_t>(fd) * 2);
    connections_[static_cast<std::size_t>(fd)].fd = sol::Fd(fd);
    receive(fd);
  }

  void received(int fd, const io_uring_cqe& cqe) {
    Connection& connection = connections_[static_cast<std::size_t>(fd)];
    if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER)) {
      const unsigned buffer = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
      if (connection.closing) {
        give_back(buffer);
      } else {
        connection.unsent.push_back({buffer, static_cast<unsigned>(cqe.res)});
        if (!connection.sending) send_front(fd);
      }
    }
    if (cqe.flags & IORING_CQE_F_MORE) return;
    // The multishot ended: the peer's end, an error, or no buffer left
    // (ENOBUFS: asked again, buffers come back as sends complete).
    connection.receiving = false;
    if (connection.closing)
      free_when_idle(fd);
    else if (cqe.res == -ENOBUFS)
      starved_.push_back(fd);
    else if (cqe.res > 0)
      receive(fd);
    else
      drop(fd);
  }

  void sent(int fd, unsigned buffer, int result) {
    Connection& connection = connections_[static_cast<std::size_t>(fd)];
    connection.sending = false;
    if (connection.closing || result <= 0) {
      drop(fd);
      return;
    }
    Chunk& chunk = connection.unsent.front();
    chunk.offset += static_cast<unsigned>(result);
    if (chunk.offset < chunk.length) {  // a short send: the rest next
      send_front(fd);
      return;
    }
    connection.unsent.pop_front();
    give_back(buffer);
    if (!connection.unsent.empty()) send_front(fd);
  }

  sol::Setup& setup_;
  io_uring ring_{};
  io_uring_buf_ring* buffer_ring_ = nullptr;
  std::vector<char> storage_;
  std::vector<int> starved_;    // recv ended for want of a buffer
  std::uint64_t returned_ = 0;  // buffers given back since starved_ was re-armed
  std::vector<Connection> connections_ = std::vector<Connection>(64);  // by fd
};

}  // namespace

int main(int argc, char** argv) {
  sol::Setup setup = sol::start(argc, argv);
  Loop loop(setup);
  return loop.run();
}
