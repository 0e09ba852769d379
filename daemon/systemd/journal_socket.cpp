#include "systemd/journal_socket.hpp"

#include <atomic>
#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

namespace netcook::systemd {
namespace {

// Copied into a forked process with the rest of its memory, like
// libsystemd's own record of the number.
std::atomic<int> g_number{-1};      // libsystemd's socket; -1 while unknown
std::atomic<bool> g_noting{false};  // the first send (here or in a parent) began

// libsystemd asks this much for its own socket.
constexpr int kSendBuffer = 8 * 1024 * 1024;

bool is_unix_datagram(int fd) noexcept {
  int domain = 0;
  int type = 0;
  socklen_t length = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0) return false;
  length = sizeof type;
  return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && domain == AF_UNIX &&
         type == SOCK_DGRAM;
}

// socket(2) takes the lowest free number: the one a socket gets just before
// the first send is the one libsystemd's gets in it.
int send_noting_number(const iovec* fields, int count) noexcept {
  const int probe = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe >= 0) ::close(probe);
  const int result = ::sd_journal_sendv(fields, count);
  if (probe >= 0 && is_unix_datagram(probe)) g_number.store(probe);
  return result;
}

}  // namespace

int journal_sendv(const iovec* fields, int count) noexcept {
  if (g_number.load(std::memory_order_relaxed) < 0 && !g_noting.exchange(true))
    return send_noting_number(fields, count);
  return ::sd_journal_sendv(fields, count);
}

void reopen_closed_journal_socket() noexcept {
  const int number = g_number.load();
  if (number < 0 || ::fcntl(number, F_GETFD) >= 0 || errno != EBADF) return;
  const int fresh = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fresh < 0) return;
  ::setsockopt(fresh, SOL_SOCKET, SO_SNDBUF, &kSendBuffer, sizeof kSendBuffer);
  if (fresh == number) return;
  ::dup3(fresh, number, O_CLOEXEC);
  ::close(fresh);
}

}  // namespace netcook::systemd
