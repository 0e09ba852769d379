#include "metrics/process.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace netcook::metrics {
namespace {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return std::nullopt;
  return std::move(text).str();
}

std::optional<std::uint64_t> to_number(std::string_view text) noexcept {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The words of `text` split at blanks (spaces and tabs).
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

// The line of `text` that starts with `prefix`, without it and its end.
std::optional<std::string_view> line_after(std::string_view text, std::string_view prefix) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = text.find('\n', at);
    const auto line = text.substr(at, end == std::string_view::npos ? end : end - at);
    if (line.starts_with(prefix)) return line.substr(prefix.size());
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> count_fds(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return std::nullopt;
  std::uint64_t count = 0;
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  // When the process is the caller, the directory read just now is one of
  // its descriptors: not one it keeps.
  if (pid == ::getpid() && count > 0) --count;
  ::closedir(dir);
  return count;
}

}  // namespace

std::optional<StatFields> parse_stat(std::string_view text) noexcept {
  const auto paren = text.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  // After ") ": field 3 (state) is word 0, so field N is word N - 3.
  std::optional<std::uint64_t> utime, stime, starttime;
  std::size_t field = 3;
  std::size_t i = paren + 1;
  while (i < text.size() && field <= 22) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
    const auto word = text.substr(start, i - start);
    if (field == 14) utime = to_number(word);
    if (field == 15) stime = to_number(word);
    if (field == 22) starttime = to_number(word);
    ++field;
  }
  if (!utime || !stime || !starttime) return std::nullopt;
  return StatFields{*utime, *stime, *starttime};
}

std::optional<std::uint64_t> parse_boot_time(std::string_view text) noexcept {
  const auto rest = line_after(text, "btime ");
  return rest ? to_number(*rest) : std::nullopt;
}

std::optional<std::uint64_t> parse_resident_pages(std::string_view text) noexcept {
  if (text.ends_with('\n')) text.remove_suffix(1);
  const auto fields = words(text);
  return fields.size() >= 2 ? to_number(fields[1]) : std::nullopt;
}

std::optional<std::uint64_t> parse_max_open_files(std::string_view text) noexcept {
  const auto rest = line_after(text, "Max open files");
  if (!rest) return std::nullopt;
  const auto fields = words(*rest);
  return fields.empty() ? std::nullopt : to_number(fields[0]);
}

ProcessFigures read_process(pid_t pid) {
  ProcessFigures figures;
  if (pid <= 0) return figures;
  const std::string base = "/proc/" + std::to_string(pid);
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (const auto stat = read_text(base + "/stat"))
    if (const auto fields = parse_stat(*stat)) {
      figures.cpu_ticks = fields->utime + fields->stime;
      if (ticks > 0) {
        figures.cpu_seconds = static_cast<double>(*figures.cpu_ticks) / static_cast<double>(ticks);
        if (const auto boot = read_text("/proc/stat"))
          if (const auto btime = parse_boot_time(*boot))
            figures.start_time =
                static_cast<double>(*btime) +
                static_cast<double>(fields->starttime) / static_cast<double>(ticks);
      }
    }
  if (const auto statm = read_text(base + "/statm"))
    if (const auto pages = parse_resident_pages(*statm))
      figures.resident_bytes = *pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  figures.open_fds = count_fds(pid);
  if (const auto limits = read_text(base + "/limits"))
    figures.max_fds = parse_max_open_files(*limits);
  return figures;
}

}  // namespace netcook::metrics
