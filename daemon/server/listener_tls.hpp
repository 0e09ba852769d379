#pragma once

// A listener's tls section loaded for the daemon, with its failures and
// warnings worded for the operator: where the section is written
// ("FILE:LINE:COLUMN: listener NAME: tls: ...") and OpenSSL's reason. Used
// at start-up, on every reload (a renewed certificate usually keeps its
// path) and by --check-config.

#include "config/config.hpp"
#include "model/tls_setup.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace netcook::server {

// "FILE:LINE:COLUMN: listener NAME: tls", `file` being the configuration.
std::string tls_where(const std::string& file, const config::Listener& listener);

struct LoadedTls {
  model::TlsSetup setup;
  // "FILE:LINE:COLUMN: listener NAME: tls: certificate /x expires in 12
  // days (2026-12-19)", when it expires within 30 days (or has expired).
  std::optional<std::string> warning;
};

// Loads `listener`'s tls section (which it must have). Throws
// std::runtime_error worded as above.
LoadedTls load_listener_tls(const std::string& file, const config::Listener& listener,
                            std::chrono::system_clock::time_point now);

}  // namespace netcook::server
