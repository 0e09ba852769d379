#include "config/bus_password.hpp"

#include "config/credentials.hpp"

#include "net/unique_fd.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace netcook::config {
namespace {

// The password `path` holds, or nullopt with `reason` set (never to any of
// its content).
std::optional<std::string> read_secret(const std::string& path, std::string& reason) {
  const net::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat info {};
  if (!fd || ::fstat(fd.get(), &info) != 0) {
    reason = std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(info.st_mode)) {
    reason = "not a regular file";
    return std::nullopt;
  }
  // One byte more than allowed tells a file that is too long.
  std::string text(kMaxBusPasswordFile + 1, '\0');
  std::size_t size = 0;
  while (size < text.size()) {
    const auto count = ::read(fd.get(), text.data() + size, text.size() - size);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      reason = std::strerror(errno);
      return std::nullopt;
    }
    if (count == 0) break;
    size += static_cast<std::size_t>(count);
  }
  if (size > kMaxBusPasswordFile) {
    reason = fmt::format("longer than {} bytes", kMaxBusPasswordFile);
    return std::nullopt;
  }
  text.resize(size);
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  if (text.empty()) {
    reason = "empty";
    return std::nullopt;
  }
  return text;
}

}  // namespace

std::string read_bus_password(const ChatOptions& chat) {
  const auto& file = chat.bus_password_file;
  if (file.empty()) return {};
  const auto path = credential_location(file);
  if (!path) throw std::runtime_error(credential_unset("bus_password_file", file));
  std::string reason;
  auto password = read_secret(*path, reason);
  if (!password) throw std::runtime_error(fmt::format("bus_password_file {}: {}", *path, reason));
  return std::move(*password);
}

std::optional<std::string> bus_password_file_problem(const std::string& file) {
  const auto path = credential_location(file);
  if (!path) return std::nullopt;
  std::string reason;
  if (read_secret(*path, reason)) return std::nullopt;
  return file.starts_with('/') ? reason : *path + ": " + reason;
}

}  // namespace netcook::config
