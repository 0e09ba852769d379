#pragma once

// What a reactor knows about whether a socket is ready, as its event
// mechanism reports it (epoll edges, poll(2) or select(2) results): set when
// readiness is reported, cleared when an I/O call says it would block. An
// unknown state counts as ready, so a new socket is tried at once; with a
// level-triggered mechanism, writable staying true until a write would
// block lets an answer go out right after the read that asked for it.

#include <cstdint>

#include <poll.h>
#include <sys/epoll.h>

namespace netcook::event {

struct Readiness {
  bool readable = true;
  bool writable = true;
  // The peer's end of stream, a hangup or an error was reported: a short
  // read no longer means that the socket is drained, and with edges no
  // new one will come to say so.
  bool hung_up = false;

  // What an epoll event mask reports (an error or hangup lets the next read
  // or write find out what happened).
  void note(std::uint32_t events) noexcept {
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable = true;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writable = true;
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) hung_up = true;
  }
  // The same for what poll(2) reports.
  void note_poll(short revents) noexcept {
    if (revents & (POLLIN | POLLHUP | POLLERR)) readable = true;
    if (revents & (POLLOUT | POLLHUP | POLLERR)) writable = true;
    if (revents & (POLLHUP | POLLERR)) hung_up = true;
  }
};

}  // namespace netcook::event
