#pragma once

// Thread names as `top -H`, `ps -L` and the echo {thread} placeholder show
// them. Linux keeps at most 15 bytes, so names are cut to fit.

#include <string>
#include <string_view>

namespace netcook::model {

// "<listener>/w<index>" for a reactor worker, cut to 15 bytes.
std::string worker_thread_name(std::string_view listener, unsigned index);

// "<listener>#<number>" for a connection thread, cut to 15 bytes keeping the
// number.
std::string connection_thread_name(std::string_view listener, unsigned long number);

// "<listener>/wake" for the thread that answers the Service's wakes (the
// thread model's), cut to 15 bytes keeping the suffix.
std::string wake_thread_name(std::string_view listener);

// Names the calling thread.
void set_thread_name(const std::string& name) noexcept;

}  // namespace netcook::model
