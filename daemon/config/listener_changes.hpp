#pragma once

// What a reload changes in a listener, as an operator reads it in the log:
// "model thread -> epoll", "listen 127.0.0.1:7009 -> *:7009",
// "idle_timeout 5m -> 1m", "http.root /srv/a -> /srv/b". Values are written
// as the configuration writes them; an http body is only said to differ
// (it may be a mebibyte).

#include "config/config.hpp"

#include <string>
#include <vector>

namespace netcook::config {

// One entry per setting that differs, in the order netcookd.yaml(5) lists
// them; empty when the two have the same settings (same_settings()) and
// the same TLS settings (tls_changed(), which same_settings() leaves out:
// "tls.certificate /a -> /b", "tls off -> on").
std::vector<std::string> listener_changes(const Listener& before, const Listener& after);

}  // namespace netcook::config
