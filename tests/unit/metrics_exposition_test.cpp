// The Prometheus text of fixed figures: the series and their values, the
// format's rules (one HELP and TYPE per family, its samples together,
// cumulative buckets to +Inf, escaped labels), and families left out when
// they have no series.

#include "metrics/exposition.hpp"
#include "metrics_figures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace netcook::metrics {
namespace {

using testing::HasSubstr;
using testing::Not;

Figures sample_figures() {
  Figures f;
  f.main_pid = 1234;
  f.start_time = 1796601600.25;
  f.reloads_ok = 2;
  f.reloads_failed = 1;
  auto echo = listener_figures("echo", "echo", "fork");
  echo.accepted = 10;
  echo.closed[static_cast<std::size_t>(CloseReason::peer_closed)] = 8;
  echo.refused[static_cast<std::size_t>(CloseReason::full)] = 1;
  echo.bytes_in = 1000;
  echo.bytes_out = 999;
  echo.cpu_nsec = 12'000'000;
  // 8 connections: 3 under 1ms, 5 more under 1s.
  echo.connection_duration.cumulative = {3, 3, 3, 8, 8, 8, 8, 8, 8, 8};
  echo.connection_duration.sum_usec = 1'500'000;
  auto web = listener_figures("web", "http", "epoll");
  web.address = "[::1]:8080";
  web.accepted = 1;
  web.http_requests[http_code_slot(200)] = 5;
  web.http_requests[http_code_slot(404)] = 1;
  web.http_requests[http_code_slot(418)] = 2;  // not one of ours: "other"
  web.request_duration.cumulative.assign(kRequestBounds.size() + 1, 8);
  web.request_duration.sum_usec = 100;
  f.listeners = {echo, web};
  return f;
}

ProcessFigures sample_process() {
  ProcessFigures p;
  p.cpu_seconds = 1.25;
  p.resident_bytes = 8388608;
  p.open_fds = 17;
  p.max_fds = 20000;
  p.start_time = 1796601600.5;
  return p;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The family a sample belongs to: its name, less a histogram's suffix.
std::string family_of(const std::string& sample, const std::set<std::string>& histograms) {
  std::string name = sample.substr(0, sample.find_first_of("{ "));
  for (const std::string suffix : {"_bucket", "_sum", "_count"})
    if (name.ends_with(suffix) && histograms.contains(name.substr(0, name.size() - suffix.size())))
      return name.substr(0, name.size() - suffix.size());
  return name;
}

TEST(Exposition, DaemonAndListenerSeries) {
  const std::string text = prometheus_text(sample_figures(), sample_process(), "0.9.0");
  EXPECT_THAT(text, HasSubstr("\nnetcookd_build_info{version=\"0.9.0\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_start_time_seconds 1796601600.25\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_reloads_total{result=\"ok\"} 2\n"
                              "netcookd_reloads_total{result=\"failed\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_listener_info{listener=\"web\",protocol=\"http\","
                              "model=\"epoll\",address=\"[::1]:8080\"} 1\n"));
  const std::string echo = "listener=\"echo\",protocol=\"echo\",model=\"fork\"";
  EXPECT_THAT(text, HasSubstr("\nnetcookd_connections_accepted_total{" + echo + "} 10\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_connections_active{" + echo + "} 2\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_connections_closed_total{" + echo +
                              ",reason=\"peer_closed\"} 8\n"));
  EXPECT_THAT(text,
              HasSubstr("\nnetcookd_connections_refused_total{" + echo + ",reason=\"full\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_received_bytes_total{" + echo + "} 1000\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_sent_bytes_total{" + echo + "} 999\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_listener_cpu_seconds_total{" + echo + "} 0.012\n"));
}

// Every reason a served connection can end with is a series from the start
// (so rate() works), both refusal reasons too; a refusal is never a
// closed reason.
TEST(Exposition, EveryReasonIsASeries) {
  const std::string text = prometheus_text(sample_figures(), sample_process(), "0.9.0");
  const std::string web = "listener=\"web\",protocol=\"http\",model=\"epoll\"";
  for (const auto reason :
       {"peer_closed", "peer_reset", "session_closed", "idle_timeout", "read_timeout",
        "outbox_overflow", "shutdown", "listener_removed", "session_error", "io_error"})
    EXPECT_THAT(text, HasSubstr("\nnetcookd_connections_closed_total{" + web + ",reason=\"" +
                                reason + "\"} 0\n"));
  for (const auto reason : {"full", "unserved", "denied", "per_source", "rate", "proxy_header"})
    EXPECT_THAT(text, HasSubstr("\nnetcookd_connections_refused_total{" + web + ",reason=\"" +
                                reason + "\"} 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("closed_total{" + web + ",reason=\"full\"")));
  EXPECT_THAT(text, Not(HasSubstr("refused_total{" + web + ",reason=\"peer_closed\"")));
}

TEST(Exposition, Histograms) {
  const std::string text = prometheus_text(sample_figures(), sample_process(), "0.9.0");
  const std::string echo = "listener=\"echo\",protocol=\"echo\",model=\"fork\"";
  const std::string name = "netcookd_connection_duration_seconds";
  EXPECT_THAT(text, HasSubstr("# TYPE " + name + " histogram\n"));
  EXPECT_THAT(text, HasSubstr("\n" + name + "_bucket{" + echo + ",le=\"0.001\"} 3\n" + name +
                              "_bucket{" + echo + ",le=\"0.01\"} 3\n" + name + "_bucket{" + echo +
                              ",le=\"0.1\"} 3\n" + name + "_bucket{" + echo + ",le=\"1\"} 8\n"));
  EXPECT_THAT(text, HasSubstr("\n" + name + "_bucket{" + echo + ",le=\"86400\"} 8\n" + name +
                              "_bucket{" + echo + ",le=\"+Inf\"} 8\n" + name + "_sum{" + echo +
                              "} 1.5\n" + name + "_count{" + echo + "} 8\n"));
  const std::string web = "listener=\"web\",protocol=\"http\",model=\"epoll\"";
  EXPECT_THAT(text, HasSubstr("\nnetcookd_http_request_duration_seconds_bucket{" + web +
                              ",le=\"0.0001\"} 8\n"));
  EXPECT_THAT(text,
              HasSubstr("\nnetcookd_http_request_duration_seconds_sum{" + web + "} 0.0001\n"));
  // Only http listeners have request durations.
  EXPECT_THAT(text, Not(HasSubstr("netcookd_http_request_duration_seconds_count{" + echo)));
}

TEST(Exposition, HttpCodesOnceCounted) {
  const std::string text = prometheus_text(sample_figures(), sample_process(), "0.9.0");
  const std::string web = "listener=\"web\",protocol=\"http\",model=\"epoll\"";
  EXPECT_THAT(text, HasSubstr("\nnetcookd_http_requests_total{" + web + ",code=\"200\"} 5\n" +
                              "netcookd_http_requests_total{" + web + ",code=\"404\"} 1\n" +
                              "netcookd_http_requests_total{" + web + ",code=\"other\"} 2\n"));
  EXPECT_THAT(text, Not(HasSubstr("code=\"500\"")));
}

TEST(Exposition, ProcessSeries) {
  const std::string text = prometheus_text(sample_figures(), sample_process(), "0.9.0");
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter\n"
                              "process_cpu_seconds_total 1.25\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_resident_memory_bytes 8388608\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_open_fds 17\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_max_fds 20000\n"));
  EXPECT_THAT(text, HasSubstr("\nprocess_start_time_seconds 1796601600.5\n"));
}

// No chat listener: no chat family at all (not a HELP without samples);
// a process figure that could not be read is left out likewise.
TEST(Exposition, FamiliesWithoutSeriesAreLeftOut) {
  ProcessFigures process = sample_process();
  process.max_fds.reset();
  const std::string text = prometheus_text(sample_figures(), process, "0.9.0");
  EXPECT_THAT(text, Not(HasSubstr("netcookd_chat_")));
  EXPECT_THAT(text, Not(HasSubstr("process_max_fds")));
  Figures none;
  const std::string empty = prometheus_text(none, ProcessFigures{}, "0.9.0");
  EXPECT_THAT(empty, Not(HasSubstr("netcookd_connections_accepted_total")));
  EXPECT_THAT(empty, HasSubstr("netcookd_build_info"));
}

TEST(Exposition, ChatSeries) {
  Figures f = sample_figures();
  auto chat = listener_figures("chat", "chat", "select");
  chat.chat_joins = 5;
  chat.chat_leaves = 2;
  chat.chat_lines = 12;
  chat.chat_deliveries = 36;
  f.listeners.insert(f.listeners.begin(), chat);
  const std::string text = prometheus_text(f, sample_process(), "0.9.0");
  const std::string labels = "listener=\"chat\",protocol=\"chat\",model=\"select\"";
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_members{" + labels + "} 3\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_lines_total{" + labels + "} 12\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_deliveries_total{" + labels + "} 36\n"));
  EXPECT_THAT(text, Not(HasSubstr("netcookd_chat_members{listener=\"echo\"")));
}

TEST(Exposition, LabelValuesAreEscaped) {
  Figures f;
  auto odd = listener_figures("odd", "echo", "epoll");
  odd.address = "/run/a\"b\\c\nd";
  f.listeners = {odd};
  const std::string text = prometheus_text(f, ProcessFigures{}, "1\"2");
  EXPECT_THAT(text, HasSubstr("address=\"/run/a\\\"b\\\\c\\nd\""));
  EXPECT_THAT(text, HasSubstr("version=\"1\\\"2\""));
}

// The format's rules over the whole text: each family's HELP and TYPE
// once, before its samples, which are together; counters end in _total.
TEST(Exposition, EachFamilyOnceAndTogether) {
  Figures f = sample_figures();
  f.listeners.push_back(listener_figures("chat", "chat", "thread"));
  const std::string text = prometheus_text(f, sample_process(), "0.9.0");
  ASSERT_TRUE(text.ends_with("\n"));
  std::set<std::string> histograms;
  std::map<std::string, std::string> types;
  std::set<std::string> finished;
  std::string current;
  std::set<std::string> helped;
  for (const auto& line : lines_of(text)) {
    ASSERT_FALSE(line.empty());
    if (line.starts_with("# HELP ")) {
      const auto name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(helped.insert(name).second) << "HELP twice: " << name;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto name = rest.substr(0, rest.find(' '));
      const auto type = rest.substr(rest.find(' ') + 1);
      EXPECT_FALSE(types.contains(name)) << "TYPE twice: " << name;
      types[name] = type;
      if (type == "histogram") histograms.insert(name);
      if (type == "counter") {
        EXPECT_TRUE(name.ends_with("_total")) << name;
      }
      EXPECT_TRUE(helped.contains(name)) << "TYPE before HELP: " << name;
      if (!current.empty()) finished.insert(current);
      current = name;
      continue;
    }
    const auto family = family_of(line, histograms);
    EXPECT_EQ(family, current) << "a sample outside its family: " << line;
    EXPECT_FALSE(finished.contains(family)) << line;
  }
  EXPECT_EQ(helped.size(), types.size());
}

}  // namespace
}  // namespace netcook::metrics
