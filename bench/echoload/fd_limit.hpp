#pragma once

namespace netcook::bench {

/// Raises RLIMIT_NOFILE's soft limit to the hard limit, then throws
/// std::runtime_error if @p needed descriptors still would not fit.
void raise_fd_limit(unsigned long needed);

} // namespace netcook::bench
