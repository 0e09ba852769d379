// The process figures: the /proc parsers on fixed text, and read_process()
// on this test's own process.

#include "metrics/process.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>

#include <gtest/gtest.h>

namespace netcook::metrics {
namespace {

// A command name with spaces and a ')' must not shift the fields.
constexpr std::string_view kStat =
    "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 3 0 98765 "
    "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessParsers, Stat) {
  const auto fields = parse_stat(kStat);
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->utime, 150u);
  EXPECT_EQ(fields->stime, 25u);
  EXPECT_EQ(fields->starttime, 98765u);
  EXPECT_FALSE(parse_stat("4242 (a) S 1 2 3"));  // cut short
  EXPECT_FALSE(parse_stat("no parenthesis"));
}

TEST(ProcessParsers, BootTime) {
  EXPECT_EQ(parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1796500000\nprocesses 9\n"),
            std::optional<std::uint64_t>(1796500000));
  EXPECT_FALSE(parse_boot_time("cpu 1 2 3\n"));
}

TEST(ProcessParsers, ResidentPages) {
  EXPECT_EQ(parse_resident_pages("5000 1234 300 10 0 900 0\n"), std::optional<std::uint64_t>(1234));
  EXPECT_FALSE(parse_resident_pages("5000\n"));
}

TEST(ProcessParsers, MaxOpenFiles) {
  constexpr std::string_view kLimits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max cpu time              unlimited            unlimited            seconds   \n"
      "Max open files            20000                524288               files     \n";
  EXPECT_EQ(parse_max_open_files(kLimits), std::optional<std::uint64_t>(20000));
  EXPECT_FALSE(parse_max_open_files("Max open files  unlimited  unlimited  files\n"));
  EXPECT_FALSE(parse_max_open_files("Max cpu time 1 1 seconds\n"));
}

TEST(ReadProcess, ThisProcess) {
  const auto figures = read_process(::getpid());
  ASSERT_TRUE(figures.open_fds);
  // One more descriptor shows as exactly one more.
  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto more = read_process(::getpid());
  ::close(fd);
  ASSERT_TRUE(more.open_fds);
  EXPECT_EQ(*more.open_fds, *figures.open_fds + 1);

  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur != RLIM_INFINITY) {
    EXPECT_EQ(figures.max_fds, limit.rlim_cur);
  }
  ASSERT_TRUE(figures.resident_bytes);
  EXPECT_GT(*figures.resident_bytes, 0u);
  ASSERT_TRUE(figures.cpu_seconds);
  EXPECT_GE(*figures.cpu_seconds, 0.0);
  ASSERT_TRUE(figures.start_time);  // started in the last day, not in the future
  const auto now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(*figures.start_time, now + 1);
  EXPECT_GT(*figures.start_time, now - 86400);
}

TEST(ReadProcess, NoSuchProcess) {
  const auto figures = read_process(0);
  EXPECT_FALSE(figures.cpu_seconds);
  EXPECT_FALSE(figures.open_fds);
}

}  // namespace
}  // namespace netcook::metrics
