#include "event/signals.hpp"

#include <cerrno>
#include <system_error>

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

namespace netcook::event {
namespace {

sigset_t make_set(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (const int signal : signals) sigaddset(&set, signal);
  return set;
}

net::UniqueFd make_signalfd(std::initializer_list<int> signals) {
  const sigset_t set = make_set(signals);
  net::UniqueFd fd(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) throw std::system_error(errno, std::generic_category(), "signalfd");
  return fd;
}

}  // namespace

void block_signals(std::initializer_list<int> signals) {
  const sigset_t set = make_set(signals);
  if (const int error = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); error != 0)
    throw std::system_error(error, std::generic_category(), "pthread_sigmask");
}

void reset_signals() noexcept {
  for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  ::pthread_sigmask(SIG_SETMASK, &empty, nullptr);
}

SignalWatcher::SignalWatcher(Loop& loop, std::initializer_list<int> signals,
                             Handler handler)
    : fd_(make_signalfd(signals)),
      handler_(std::move(handler)),
      registration_(loop, fd_.borrow(), *this, EPOLLIN) {}

SignalWatcher::~SignalWatcher() = default;

void SignalWatcher::on_ready(std::uint32_t) noexcept {
  signalfd_siginfo info{};
  while (::read(fd_.get(), &info, sizeof info) == sizeof info)
    handler_(static_cast<int>(info.ssi_signo));
}

}  // namespace netcook::event
