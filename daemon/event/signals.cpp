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
    : loop_(loop), handler_(std::move(handler)) {
  const sigset_t set = make_set(signals);
  fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_) throw std::system_error(errno, std::generic_category(), "signalfd");
  loop_.add(fd_.get(), EPOLLIN, *this);
}

SignalWatcher::~SignalWatcher() { loop_.remove(fd_.get()); }

void SignalWatcher::on_ready(std::uint32_t) noexcept {
  signalfd_siginfo info{};
  while (::read(fd_.get(), &info, sizeof info) == sizeof info)
    handler_(static_cast<int>(info.ssi_signo));
}

}  // namespace netcook::event
