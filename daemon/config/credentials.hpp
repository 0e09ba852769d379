#pragma once

// Files the daemon reads that netcookd.yaml names by an absolute path or by
// a credential's name: a plain name (no '/') is a file in
// $CREDENTIALS_DIRECTORY, where systemd puts what LoadCredential= loads, so
// that a service running as a dynamic user can read a file only root may
// read (chat.bus_password_file, tls.certificate, tls.key, tls.client_ca).
//
// Outside the unit (an operator's shell running --check-config) the
// variable is unset: a name cannot be looked up then, and is not checked;
// the daemon started without it refuses the name (credential_unset()).

#include "config/config.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

inline constexpr const char* kCredentialsVariable = "CREDENTIALS_DIRECTORY";

// Where `file` is: itself when absolute, else under $CREDENTIALS_DIRECTORY;
// nullopt when `file` is a name and that variable is unset (or empty).
std::optional<std::string> credential_location(const std::string& file);

// What is wrong with `file` as written, before any lookup: empty, or
// relative with a '/' (a name is a credential's, which holds none).
std::optional<std::string> credential_name_problem(std::string_view file);

// `written` with its location (credential_location()), empty when it
// cannot be looked up now.
CredentialPath resolve_credential(std::string written);

// The refusal of a name that cannot be looked up, for `key` ("tls.key"):
// "'KEY' 'NAME' is a credential's name, but $CREDENTIALS_DIRECTORY is not
// set: ...", with how to load it.
std::string credential_unset(std::string_view key, std::string_view written);

// Why the daemon could not read the file at `path` now, or nullopt: it
// cannot be opened for reading, is not a regular file, or is empty. Only
// its metadata is looked at (what it holds is for its reader to judge).
std::optional<std::string> unreadable_file(const std::string& path);

}  // namespace netcook::config
