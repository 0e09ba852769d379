#pragma once

// A valid PNG written from bytes: 8-bit RGB, one colour, the image data in
// one stored (uncompressed) deflate block. For tests that need a real image
// a browser will decode. Header-only.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace netcook::test {

namespace tiny_png_detail {

inline std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc ^= static_cast<std::uint8_t>(c);
    for (int bit = 0; bit < 8; ++bit) crc = crc & 1 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
  }
  return ~crc;
}

inline std::uint32_t adler32(std::string_view bytes) {
  std::uint32_t a = 1;
  std::uint32_t b = 0;
  for (const char c : bytes) {
    a = (a + static_cast<std::uint8_t>(c)) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

inline void put32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift & 0xFF);
}

inline void put_chunk(std::string& out, std::string_view type, std::string_view data) {
  put32(out, static_cast<std::uint32_t>(data.size()));
  const std::string typed = std::string(type) + std::string(data);
  out += typed;
  put32(out, crc32(typed));
}

}  // namespace tiny_png_detail

// A `width` x `height` PNG filled with one colour (at most 64 KiB of pixels:
// one stored block).
inline std::string tiny_png(std::uint32_t width, std::uint32_t height, std::uint8_t red,
                            std::uint8_t green, std::uint8_t blue) {
  using namespace tiny_png_detail;
  std::string pixels;
  for (std::uint32_t y = 0; y < height; ++y) {
    pixels += '\0';  // filter: none
    for (std::uint32_t x = 0; x < width; ++x) {
      pixels += static_cast<char>(red);
      pixels += static_cast<char>(green);
      pixels += static_cast<char>(blue);
    }
  }
  const auto length = static_cast<std::uint16_t>(pixels.size());
  std::string zlib = "\x78\x01";
  zlib += '\x01';  // the final block, stored
  zlib += static_cast<char>(length & 0xFF);
  zlib += static_cast<char>(length >> 8);
  zlib += static_cast<char>(~length & 0xFF);
  zlib += static_cast<char>((~length >> 8) & 0xFF);
  zlib += pixels;
  put32(zlib, adler32(pixels));

  std::string header;
  put32(header, width);
  put32(header, height);
  header +=
      std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, deflate, no filter, no interlace
  std::string png("\x89PNG\r\n\x1a\n", 8);
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", zlib);
  put_chunk(png, "IEND", "");
  return png;
}

}  // namespace netcook::test
