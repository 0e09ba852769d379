#include "systemd/notify.hpp"

#include <ctime>
#include <string>

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

namespace netcook::systemd {
namespace {

std::uint64_t monotonic_usec() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

void send(const std::string& message) noexcept { ::sd_notify(0, message.c_str()); }

}  // namespace

void notify_ready() noexcept { ::sd_notify(0, "READY=1"); }

void notify_reloading() noexcept {
  try {
    send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
  } catch (...) {
  }
}

void notify_stopping() noexcept { ::sd_notify(0, "STOPPING=1"); }

void notify_extend_timeout(std::chrono::microseconds extra) noexcept {
  try {
    send(fmt::format("EXTEND_TIMEOUT_USEC={}", extra.count()));
  } catch (...) {
  }
}

void notify_watchdog() noexcept { ::sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> take_watchdog_period() noexcept {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(1, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

void notify_status(std::string_view status) noexcept {
  try {
    send(fmt::format("STATUS={}", status));
  } catch (...) {
  }
}

}  // namespace netcook::systemd
