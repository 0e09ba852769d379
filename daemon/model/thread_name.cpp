#include "model/thread_name.hpp"

#include <pthread.h>

namespace netcook::model {
namespace {

constexpr std::size_t kMaxName = 15;

// Keeps the whole suffix (it tells threads apart) and as much of the
// listener's name as fits.
std::string fit(std::string_view listener, const std::string& suffix) {
  const std::size_t room = suffix.size() < kMaxName ? kMaxName - suffix.size() : 0;
  return std::string(listener.substr(0, room)) + suffix;
}

}  // namespace

std::string worker_thread_name(std::string_view listener, unsigned index) {
  return fit(listener, "/w" + std::to_string(index));
}

std::string connection_thread_name(std::string_view listener, unsigned long number) {
  return fit(listener, "#" + std::to_string(number));
}

std::string wake_thread_name(std::string_view listener) { return fit(listener, "/wake"); }

void set_thread_name(const std::string& name) noexcept {
  ::pthread_setname_np(::pthread_self(), name.substr(0, kMaxName).c_str());
}

}  // namespace netcook::model
