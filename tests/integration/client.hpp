#pragma once

// A TCP client for 127.0.0.1 (or another loopback address, see
// ConnectOptions) with a time limit on every operation. The
// socket is non-blocking and close-on-exec (so a daemon started later never
// inherits it); every wait is a poll(2) bounded by the given timeout.
// Results are values, not exceptions, except for connect().
//
// One thread may write while another reads (the 1 MiB echo test does);
// otherwise a Client is not thread-safe.

#include "deadline.hpp"
#include "unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace netcook::test {

enum class IoStatus {
  ok,
  closed,   // end of file from the peer (or reset, for wait_closed())
  timeout,  // the time limit passed first
  error,    // see Client::last_error()
};
const char* to_string(IoStatus status);
std::ostream& operator<<(std::ostream& out, IoStatus status);

struct ConnectResult;

// Where and how to connect.
struct ConnectOptions {
  // An IPv4 or IPv6 address literal, without brackets ("::1").
  std::string host = "127.0.0.1";
  // SO_RCVBUF in bytes, set before connect(2) so that the TCP window the
  // peer sees is small too (a client that reads slowly or not at all);
  // 0 keeps the system's default.
  int receive_buffer = 0;
  // The client's own address, bound before connect(2) (a loopback address
  // such as "127.0.0.2" makes another source); empty: the kernel's choice.
  std::string source{};
};

class Client {
 public:
  // Connects to 127.0.0.1:`port`.
  static ConnectResult try_connect(std::uint16_t port, Timeout timeout = kWait);
  // Connects to `options.host`:`port`; error EINVAL for a bad host.
  static ConnectResult try_connect(std::uint16_t port,
                                   const ConnectOptions& options,
                                   Timeout timeout = kWait);
  // Connects or throws std::system_error naming the address.
  static Client connect(std::uint16_t port, Timeout timeout = kWait);
  static Client connect(std::uint16_t port, const ConnectOptions& options,
                        Timeout timeout = kWait);

  // Sends all of `data`; ok, timeout or error. Does not touch the read side.
  IoStatus write_all(std::string_view data, Timeout timeout = kWait) const;

  // Reads exactly `size` bytes; a shorter result means end of file, timeout
  // or error (see last_status()).
  std::string read_exact(std::size_t size, Timeout timeout = kWait);
  // Reads `size` bytes and keeps none of them (a large answer whose size
  // alone matters, without the memory and the copies); how many it read:
  // fewer means end of file, timeout or error (see last_status()).
  std::size_t discard(std::size_t size, Timeout timeout = kWait);
  // Reads up to and including the next '\n'; without it on failure.
  std::string read_line(Timeout timeout = kWait);
  // Moves what has arrived into `into` (appended): what is buffered, else
  // what one read returns once data arrives. ok, closed (end of file, and
  // nothing was buffered), timeout or error. For streams too large to keep.
  IoStatus read_available(std::string& into, Timeout timeout = kWait);
  // write_all(`message`), then read_exact(message.size()).
  std::string exchange(std::string_view message, Timeout timeout = kWait);

  // Waits for the server to close the connection: `closed` on end of file
  // or reset, `ok` if data arrived instead (it is kept for the next read),
  // `timeout` or `error`. A zero timeout just checks.
  IoStatus wait_closed(Timeout timeout = kWait);

  IoStatus last_status() const { return last_status_; }

  // The socket, for poll(2) over many clients and for sends that must not
  // wait (see flood.hpp); the Client keeps owning it, and what was read
  // through the Client stays in its buffer.
  int fd() const { return fd_.get(); }
  int last_error() const { return last_error_; }

  // The client's own address as the server sees it: "127.0.0.1:PORT", or
  // "[::1]:PORT" for IPv6.
  std::string local_address() const;
  void shutdown_write() const;
  // Ends both directions; unblocks a thread waiting in write_all().
  void shutdown_both() const;
  // Closes the socket with a reset (SO_LINGER 0): the peer gets RST, not
  // FIN. The Client is unusable afterwards.
  void close_with_reset();

 private:
  explicit Client(UniqueFd fd) : fd_(std::move(fd)) {}
  // Waits for and appends what is available to buffer_.
  IoStatus fill(const Deadline& deadline);
  std::string take(std::size_t size);

  UniqueFd fd_;
  std::string buffer_;  // received, not yet returned
  IoStatus last_status_ = IoStatus::ok;
  int last_error_ = 0;
};

struct ConnectResult {
  std::optional<Client> client;  // set on success
  int error = 0;                 // errno on failure (ETIMEDOUT on timeout)
};

// Whether this machine has ::1 (a container may have IPv6 off).
bool has_ipv6_loopback();

}  // namespace netcook::test
