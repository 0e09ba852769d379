#pragma once

#include <string_view>

namespace netcook::proto::http {

// The media type for a file name's extension (case-insensitive), or
// application/octet-stream.
std::string_view media_type(std::string_view file_name) noexcept;

}  // namespace netcook::proto::http
