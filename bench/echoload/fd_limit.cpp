#include "fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace netcook::bench {

void raise_fd_limit(unsigned long needed)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        throw std::system_error(errno, std::generic_category(), "getrlimit(RLIMIT_NOFILE)");
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
            throw std::system_error(errno, std::generic_category(), "setrlimit(RLIMIT_NOFILE)");
    }
    if (limit.rlim_cur < needed)
        throw std::runtime_error("need " + std::to_string(needed) + " file descriptors but RLIMIT_NOFILE is " +
                                 std::to_string(limit.rlim_cur) + "; lower -c or raise the hard limit");
}

} // namespace netcook::bench
