#include "config/credentials.hpp"

#include "net/unique_fd.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace netcook::config {

std::optional<std::string> credential_location(const std::string& file) {
  if (file.starts_with('/')) return file;
  const char* directory = std::getenv(kCredentialsVariable);
  if (directory == nullptr || *directory == '\0') return std::nullopt;
  std::string path(directory);
  if (!path.ends_with('/')) path += '/';
  return path + file;
}

std::optional<std::string> credential_name_problem(std::string_view file) {
  if (file.empty()) return "must not be empty";
  if (!file.starts_with('/') && file.find('/') != std::string_view::npos)
    return "a relative name is a credential in $CREDENTIALS_DIRECTORY (LoadCredential=) and holds "
           "no '/'; write an absolute path for a file elsewhere";
  return std::nullopt;
}

CredentialPath resolve_credential(std::string written) {
  auto path = credential_location(written);
  return {std::move(written), path.value_or(std::string())};
}

std::string credential_unset(std::string_view key, std::string_view written) {
  return fmt::format(
      "{} '{}' is relative, but ${} is not set: load it with LoadCredential={}:PATH in the "
      "daemon's unit, or write an absolute path",
      key, written, kCredentialsVariable, written);
}

std::optional<std::string> unreadable_file(const std::string& path) {
  // O_NONBLOCK: a FIFO put there must not hang the loader.
  const net::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat info {};
  if (!fd || ::fstat(fd.get(), &info) != 0) return std::strerror(errno);
  if (!S_ISREG(info.st_mode)) return "not a regular file";
  if (info.st_size == 0) return "empty";
  return std::nullopt;
}

}  // namespace netcook::config
