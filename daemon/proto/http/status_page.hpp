#pragma once

// The live status page a status listener serves at "/": one self-contained
// HTML file (no external script, font or stylesheet) that polls
// /status.json every second. Its source is status_page.html.

#include <string_view>

namespace netcook::proto::http {

std::string_view status_page() noexcept;

}  // namespace netcook::proto::http
