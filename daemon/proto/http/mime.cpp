#include "proto/http/mime.hpp"

#include "proto/http/head.hpp"

#include <array>
#include <utility>

namespace netcook::proto::http {
namespace {

using Entry = std::pair<std::string_view, std::string_view>;

constexpr std::array kTypes{
    Entry{"html", "text/html; charset=utf-8"},
    Entry{"htm", "text/html; charset=utf-8"},
    Entry{"css", "text/css; charset=utf-8"},
    Entry{"js", "text/javascript; charset=utf-8"},
    Entry{"mjs", "text/javascript; charset=utf-8"},
    Entry{"json", "application/json"},
    Entry{"map", "application/json"},
    Entry{"txt", "text/plain; charset=utf-8"},
    Entry{"md", "text/markdown; charset=utf-8"},
    Entry{"csv", "text/csv; charset=utf-8"},
    Entry{"xml", "application/xml"},
    Entry{"rss", "application/rss+xml"},
    Entry{"atom", "application/atom+xml"},
    Entry{"xhtml", "application/xhtml+xml"},
    Entry{"webmanifest", "application/manifest+json"},
    Entry{"wasm", "application/wasm"},
    Entry{"pdf", "application/pdf"},
    Entry{"zip", "application/zip"},
    Entry{"gz", "application/gzip"},
    Entry{"tgz", "application/gzip"},
    Entry{"tar", "application/x-tar"},
    Entry{"bz2", "application/x-bzip2"},
    Entry{"xz", "application/x-xz"},
    Entry{"zst", "application/zstd"},
    Entry{"7z", "application/x-7z-compressed"},
    Entry{"deb", "application/vnd.debian.binary-package"},
    Entry{"rpm", "application/x-rpm"},
    Entry{"iso", "application/x-iso9660-image"},
    Entry{"bin", "application/octet-stream"},
    Entry{"png", "image/png"},
    Entry{"jpg", "image/jpeg"},
    Entry{"jpeg", "image/jpeg"},
    Entry{"gif", "image/gif"},
    Entry{"webp", "image/webp"},
    Entry{"avif", "image/avif"},
    Entry{"svg", "image/svg+xml"},
    Entry{"ico", "image/vnd.microsoft.icon"},
    Entry{"bmp", "image/bmp"},
    Entry{"tif", "image/tiff"},
    Entry{"tiff", "image/tiff"},
    Entry{"woff", "font/woff"},
    Entry{"woff2", "font/woff2"},
    Entry{"ttf", "font/ttf"},
    Entry{"otf", "font/otf"},
    Entry{"mp3", "audio/mpeg"},
    Entry{"ogg", "audio/ogg"},
    Entry{"oga", "audio/ogg"},
    Entry{"wav", "audio/wav"},
    Entry{"flac", "audio/flac"},
    Entry{"mp4", "video/mp4"},
    Entry{"m4v", "video/mp4"},
    Entry{"webm", "video/webm"},
    Entry{"ogv", "video/ogg"},
    Entry{"mov", "video/quicktime"},
    Entry{"yaml", "application/yaml"},
    Entry{"yml", "application/yaml"},
    Entry{"sh", "text/x-shellscript; charset=utf-8"},
};

}  // namespace

std::string_view media_type(std::string_view file_name) noexcept {
  const auto slash = file_name.rfind('/');
  if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
  const auto extension = file_name.substr(dot + 1);
  for (const auto& [name, type] : kTypes)
    if (equals_ignoring_case(extension, name)) return type;
  return "application/octet-stream";
}

}  // namespace netcook::proto::http
