#include "waker.hpp"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace netcook::chatload {

Waker::Waker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (!fd_.valid())
        throw std::system_error(errno, std::generic_category(), "eventfd");
}

void Waker::notify() noexcept
{
    if (pending_.exchange(true, std::memory_order_acq_rel))
        return;
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_.get(), &one, sizeof(one));
}

void Waker::clear() noexcept
{
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(fd_.get(), &count, sizeof(count));
    pending_.store(false, std::memory_order_release);
}

} // namespace netcook::chatload
