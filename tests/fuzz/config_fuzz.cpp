// Fuzzes the configuration loader with arbitrary bytes as the YAML file: it
// must never crash, and every failure must be an error naming the file, a
// line and a column ("FILE:LINE:COLUMN: message"), even those about the
// whole file (empty, no 'listeners': at 1:1). An error without a position
// aborts, so the fuzzer reports it. A configuration that loads has every
// listener survive the codec the fork master receives it by.
//
// Hermetic: the input is written to one file in a private temporary folder
// (removed at exit) and read back by load_config(), the daemon's own entry
// point. The loader writes nothing; the only other thing it looks at is
// whether an http 'root' exists (stat(2)), which reads nothing.

#include "config/codec.hpp"
#include "config/loader.hpp"
#include "input_reader.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace {

using namespace netcook::config;

using netcook::fuzz::check;

// A private folder for the one file the target writes, removed at exit.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "config_fuzz.XXXXXX").string();
    check(::mkdtemp(pattern.data()) != nullptr);
    folder_ = pattern;
    file_ = (folder_ / "netcookd.yaml").string();
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  const std::string& file() const { return file_; }

 private:
  std::filesystem::path folder_;
  std::string file_;
};

const std::string& write_input(std::string_view text) {
  static const ScratchFolder folder;
  std::ofstream out(folder.file(), std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  check(out.good());
  return folder.file();
}

void check_error(const Error& error, const std::string& path, std::size_t size) {
  check(error.file == path);
  check(!error.message.empty());
  const std::string text = error.to_string();
  // yaml-cpp counts columns in the stream it decoded to UTF-8, where an
  // ill-formed byte became U+FFFD (3 bytes): a column may pass the size.
  check(error.line >= 1 && error.column >= 1);
  check(static_cast<std::size_t>(error.line) <= size + 1);
  check(static_cast<std::size_t>(error.column) <= 3 * size + 1);
  const std::string position =
      path + ":" + std::to_string(error.line) + ":" + std::to_string(error.column) + ": ";
  check(text.starts_with(position));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string& path = write_input(text);
  const LoadResult result = load_config(path);
  check(result.config.has_value() == result.errors.empty());
  for (const auto& error : result.errors) check_error(error, path, size);
  if (result.config) {
    check(!result.config->listeners.empty());
    // What the fork master gets of every listener comes back whole.
    for (const auto& listener : result.config->listeners) {
      const auto decoded = decode_listener(encode_listener(listener));
      check(decoded.has_value() && decoded->same_settings(listener) &&
            decoded->mark.line == listener.mark.line &&
            decoded->mark.column == listener.mark.column);
      // same_settings() leaves TLS out, and TlsOptions' == its mark.
      check(decoded->tls == listener.tls);
      if (listener.tls)
        check(decoded->tls->mark.line == listener.tls->mark.line &&
              decoded->tls->mark.column == listener.tls->mark.column);
    }
  }
  return 0;
}
