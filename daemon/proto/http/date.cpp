#include "proto/http/date.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace netcook::proto::http {
namespace {

constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::size_t kDateSize = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes the IMF-fixdate of `when` to `out` (kDateSize bytes, no NUL).
void write_date(std::time_t when, char* out) noexcept {
  std::tm tm{};
  ::gmtime_r(&when, &tm);
  char text[kDateSize + 1];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[static_cast<std::size_t>(tm.tm_wday) % 7].data(), tm.tm_mday,
                kMonths[static_cast<std::size_t>(tm.tm_mon) % 12].data(),
                (tm.tm_year + 1900) % 10000, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::copy(text, text + kDateSize, out);
}

bool read_number(std::string_view& text, std::size_t digits, int& value) noexcept {
  if (text.size() < digits) return false;
  value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  text.remove_prefix(digits);
  return true;
}

bool expect(std::string_view& text, std::string_view literal) noexcept {
  if (!text.starts_with(literal)) return false;
  text.remove_prefix(literal.size());
  return true;
}

bool read_month(std::string_view& text, int& month) noexcept {
  for (std::size_t i = 0; i < kMonths.size(); ++i)
    if (text.starts_with(kMonths[i])) {
      month = static_cast<int>(i);
      text.remove_prefix(3);
      return true;
    }
  return false;
}

bool read_time(std::string_view& text, std::tm& tm) noexcept {
  return read_number(text, 2, tm.tm_hour) && expect(text, ":") &&
         read_number(text, 2, tm.tm_min) && expect(text, ":") && read_number(text, 2, tm.tm_sec);
}

bool skip_day_name(std::string_view& text, std::string_view separator) noexcept {
  const auto end = text.find(separator);
  if (end == std::string_view::npos || end < 3 || end > 9) return false;
  text.remove_prefix(end + separator.size());
  return true;
}

}  // namespace

std::string format_date(std::time_t when) {
  std::string text(kDateSize, ' ');
  write_date(when, text.data());
  return text;
}

std::string_view current_date() noexcept {
  thread_local std::time_t cached_second = -1;
  thread_local std::array<char, kDateSize> cached{};
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
  if (now.tv_sec != cached_second) {
    write_date(now.tv_sec, cached.data());
    cached_second = now.tv_sec;
  }
  return {cached.data(), cached.size()};
}

bool parse_date(std::string_view text, std::time_t& when) noexcept {
  std::tm tm{};
  std::string_view rest = text;
  if (rest.size() == kDateSize && rest[3] == ',') {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    rest.remove_prefix(5);
    if (!(read_number(rest, 2, tm.tm_mday) && expect(rest, " ") && read_month(rest, tm.tm_mon) &&
          expect(rest, " ") && read_number(rest, 4, tm.tm_year) && expect(rest, " ") &&
          read_time(rest, tm) && rest == " GMT"))
      return false;
    tm.tm_year -= 1900;
  } else if (rest.find(", ") != std::string_view::npos) {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    if (!(skip_day_name(rest, ", ") && read_number(rest, 2, tm.tm_mday) && expect(rest, "-") &&
          read_month(rest, tm.tm_mon) && expect(rest, "-") && read_number(rest, 2, tm.tm_year) &&
          expect(rest, " ") && read_time(rest, tm) && rest == " GMT"))
      return false;
    if (tm.tm_year < 70) tm.tm_year += 100;  // two-digit years: 1970-2069
  } else {
    // asctime: Sun Nov  6 08:49:37 1994
    if (!(skip_day_name(rest, " ") && read_month(rest, tm.tm_mon) && expect(rest, " ")))
      return false;
    if (!rest.empty() && rest[0] == ' ') {
      rest.remove_prefix(1);
      if (!read_number(rest, 1, tm.tm_mday)) return false;
    } else if (!read_number(rest, 2, tm.tm_mday)) {
      return false;
    }
    if (!(expect(rest, " ") && read_time(rest, tm) && expect(rest, " ") &&
          read_number(rest, 4, tm.tm_year) && rest.empty()))
      return false;
    tm.tm_year -= 1900;
  }
  if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return false;
  when = ::timegm(&tm);
  return when != static_cast<std::time_t>(-1);
}

}  // namespace netcook::proto::http
