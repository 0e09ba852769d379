#pragma once

// libsystemd's journal socket in the fork model's processes.
//
// sd_journal_sendv() sends through one datagram socket per process, opened
// on first use, and keeps its number for good, for the process and every
// process it forks ("shared with all subprocesses", v252
// journal_send_fd()). The fork master and each connection process close
// every descriptor they inherit, that one too: their entries would then
// fail with EBADF, or go to whatever file later gets the number. So the
// number is noted when libsystemd opens it, and a forked process that has
// closed it puts a new datagram socket at that number before it logs.

#include <sys/uio.h>

namespace netcook::systemd {

// sd_journal_sendv(); the first call of a process also notes the number of
// the socket libsystemd opens for it. Exact in a process with one thread,
// which the fork master and its children are, and the main process until
// it has forked the master (only those numbers are ever used). Returns what
// sd_journal_sendv() returns.
int journal_sendv(const iovec* fields, int count) noexcept;

// In a process that closed libsystemd's socket (a forked one, before it
// logs): a new one at the number libsystemd keeps. Does nothing when the
// number is unknown, still open, or taken by another file (entries then
// fail, and the sink says so on stderr).
void reopen_closed_journal_socket() noexcept;

}  // namespace netcook::systemd
