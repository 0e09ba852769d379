#include "model/select/wake.hpp"

#include "model/select/fd_sets.hpp"

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace netcook::model::select_model {

Wake::Wake() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  if (!selectable(fd_.get()))
    throw std::runtime_error(fmt::format(
        "no file descriptor below FD_SETSIZE ({}) is free for the select loop's wake-up "
        "eventfd (it got {}); select(2) cannot watch it",
        kFdCeiling, fd_.get()));
}

void Wake::signal() noexcept {
  const std::uint64_t one = 1;
  // Only fails when the counter is about to overflow: it is readable then.
  [[maybe_unused]] const ssize_t written = ::write(fd_.get(), &one, sizeof one);
}

void Wake::drain() noexcept {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t got = ::read(fd_.get(), &count, sizeof count);
}

}  // namespace netcook::model::select_model
