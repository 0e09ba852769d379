#pragma once

// The fork master: a single-threaded process, forked from the main process
// at start-up before any thread exists, that owns the fork model's
// listeners. Forking a connection process from a process with threads is
// unsafe (a lock another thread held at fork time stays locked in the
// child), so every connection process is forked from here instead.
//
// The main process reaches the master through one process-wide handle
// (master_client.hpp), since make_driver() has no other way to find it:
// fork drivers there are proxies that send the master the listener's spec,
// limits and listening socket (SCM_RIGHTS). The master rebuilds the
// Protocol from the spec with the ProtocolLoader, runs the listener's
// Service (chat room) itself and relays it to the connection processes.

#include "event/heartbeat.hpp"
#include "log/fields.hpp"
#include "proto/session.hpp"

#include <functional>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <sys/types.h>

namespace netcook::model::fork {

// Rebuilds a listener's Protocol from DriverSettings::spec, inside the
// master. Throws (with a message for the log) when the spec is not valid.
using ProtocolLoader = std::function<proto::Protocol(const std::string& spec)>;

// Makes a logger for a process of the fork model: the master (named
// "fork-master", no fields), each of its listeners and each connection
// process after fork (named after the listener, with the listener's
// fields: MODEL=fork). Called in the process that will use it, after that
// process closed the descriptors it inherited; it must not start threads
// (no async loggers) because the master forks.
using LoggerFactory = std::function<std::shared_ptr<spdlog::logger>(
    const std::string& name, const log::ListenerFields& fields)>;

// Forks the fork master. Must be called while the process is
// single-threaded (main() calls it before any thread exists); throws
// std::logic_error otherwise, or std::system_error when fork fails. The
// master exits when the main process dies (PR_SET_PDEATHSIG, and the end of
// its control socket) or when stop_master() is called; it never returns
// into the caller's stack and runs no static destructors.
void start_master(ProtocolLoader loader, LoggerFactory loggers);

// Asks the master to end every connection process and exit, and waits for
// it (bounded: a master that does not exit in a few seconds is killed).
void stop_master() noexcept;

bool master_running() noexcept;

// Sets the log level (spdlog::level::level_enum) of the master, its
// listeners and the connection processes they fork from now on (a reload
// changed log.level). Returns an error message, empty on success or when
// the master is not running.
std::string set_master_log_level(int level) noexcept;

// The master's process id, 0 when it is not running (for tests and logs).
pid_t master_pid() noexcept;

// The heartbeat of the master's loop, in memory shared with the master:
// the fork listeners are alive while it beats. Call after start_master().
event::Heartbeat& master_heartbeat() noexcept;

}  // namespace netcook::model::fork
