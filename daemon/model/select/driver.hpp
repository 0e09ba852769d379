#pragma once

// The select model: one thread, select(2) and nothing else (plus an eventfd
// to wake it). Non-blocking sockets, level-triggered.
//
// The ceiling: select(2) cannot watch a file descriptor at or above
// FD_SETSIZE (1024 with glibc), and FD_SET() on one would corrupt memory (or
// abort the process under _FORTIFY_SOURCE). Descriptor numbers are shared by
// the whole process, so a select listener serves fewer than 1024 connections,
// fewer still when the daemon holds other files (stdio, other listeners and
// their connections). A connection whose descriptor is at or above FD_SETSIZE
// is closed at once with one warning per burst; max_connections above
// FD_SETSIZE is reported once at start(). Use the epoll model beyond that.
//
// The driver's own descriptors: the wake-up eventfd is made when the driver
// is made (it takes the lowest free descriptor; the constructor throws if
// even that is at or above FD_SETSIZE). A listening socket at or above
// FD_SETSIZE is duplicated below it at start(), which throws if none is free;
// the duplicate is closed by stop_accepting().

#include "model/driver.hpp"

namespace netcook::model::select_model {

std::unique_ptr<Driver> make_select_driver(DriverSettings settings, net::Fd listening,
                                           proto::Protocol protocol);

}  // namespace netcook::model::select_model
