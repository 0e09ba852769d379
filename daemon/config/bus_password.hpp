#pragma once

// The password of a chat room's bus (chat.bus_password_file), read when the
// daemon makes the link, never from the YAML and never logged. The file is
// named by an absolute path, or relative: a credential's name under
// $CREDENTIALS_DIRECTORY, where systemd puts what LoadCredential= loads.
// The file holds the password alone; one trailing newline (LF or CRLF) is
// not part of it.

#include "config/config.hpp"

#include <optional>
#include <string>

namespace netcook::config {

// The most a password file may hold, its trailing newline included.
inline constexpr std::size_t kMaxBusPasswordFile = 4 * 1024;

// The password, or "" when `chat` names no file. Throws std::runtime_error
// naming the file and why (never what it holds): a relative name without
// $CREDENTIALS_DIRECTORY, a file missing, unreadable, not a regular file,
// empty or longer than kMaxBusPasswordFile.
std::string read_bus_password(const ChatOptions& chat);

// What read_bus_password() would refuse about `file` now, for the loader
// (and --check-config), or nullopt. The reason names the file only when
// it is relative (where it was looked for). A relative name while
// $CREDENTIALS_DIRECTORY is unset is not checked: --check-config runs
// outside the unit; the daemon started without it fails at start-up.
std::optional<std::string> bus_password_file_problem(const std::string& file);

}  // namespace netcook::config
