#pragma once

// Hygiene for the processes of the fork model (the fork master and each
// connection process), run right after fork(). Nothing here allocates
// locks or threads; all of it is safe in a freshly forked child.

#include <initializer_list>

#include <sys/types.h>

namespace netcook::model::fork {

// Dies with SIGKILL when the parent dies (PR_SET_PDEATHSIG) and checks that
// the parent is still `parent`: false when it died before the request took
// effect, and the caller should exit at once.
bool die_with_parent(pid_t parent) noexcept;

// Closes every file descriptor but stdin, stdout, stderr and `keep`,
// leaving those at their numbers (a library may have cached the number of
// one it opened, such as libsystemd's journal socket: a closed number fails
// with EBADF, a reused one would send log lines to a client).
void close_fds_except(std::initializer_list<int> keep) noexcept;

// Default dispositions and an empty mask (event::reset_signals()), then
// ignores SIGPIPE (writes use MSG_NOSIGNAL anyway), SIGINT and SIGHUP: a
// Ctrl-C or SIGHUP sent to the whole process group is the main process's
// business, which drains its listeners and then ends ours. SIGTERM keeps
// its default: it is how the fork master ends a connection process.
void reset_signals_for_fork_process() noexcept;

}  // namespace netcook::model::fork
