// The Prometheus text of fixed figures: the series and their values, the
// format's rules (one HELP and TYPE per family, its samples together,
// cumulative buckets to +Inf, escaped labels), and families left out when
// they have no series.

#include "metrics/exposition.hpp"
#include "metrics_figures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

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
  for (const auto reason :
       {"full", "unserved", "denied", "per_source", "rate", "proxy_header", "tls_handshake"})
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

ListenerFigures chat_with_bus(std::string name, std::int64_t linked) {
  auto l = listener_figures(std::move(name), "chat", "epoll");
  l.chat_bus.buses = 1;
  l.chat_bus.linked = linked;
  return l;
}

// Bus series for the chat listeners with a bus only; up is 1 only while
// every bus of the listener is linked; a gauge read below zero (between
// two writers' deltas) shows 0.
TEST(Exposition, ChatBusSeries) {
  Figures f = sample_figures();
  auto up = chat_with_bus("lobby", 1);
  up.chat_bus.published = 40;
  up.chat_bus.received = 120;
  up.chat_bus.dropped = 3;
  up.chat_bus.link_losses = 2;
  auto down = chat_with_bus("games", 0);
  down.chat_bus.queued = 17;
  auto reloading = chat_with_bus("ops", 1);
  reloading.chat_bus.buses = 2;  // the successor's bus not linked yet
  reloading.chat_bus.queued = -1;
  f.listeners.push_back(listener_figures("local", "chat", "select"));
  f.listeners.push_back(up);
  f.listeners.push_back(down);
  f.listeners.push_back(reloading);
  const std::string text = prometheus_text(f, sample_process(), "0.9.0");
  const auto labels = [](const std::string& name) {
    return "{listener=\"" + name + "\",protocol=\"chat\",model=\"epoll\"}";
  };
  EXPECT_THAT(text, HasSubstr("# TYPE netcookd_chat_bus_up gauge\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE netcookd_chat_bus_queued gauge\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE netcookd_chat_bus_published_total counter\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_up" + labels("lobby") + " 1\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_up" + labels("games") + " 0\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_up" + labels("ops") + " 0\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_published_total" + labels("lobby") + " 40\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_received_total" + labels("lobby") + " 120\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_dropped_total" + labels("lobby") + " 3\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_link_losses_total" + labels("lobby") + " 2\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_queued" + labels("games") + " 17\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_bus_queued" + labels("ops") + " 0\n"));
  // A room of its own, and the other protocols: no bus series.
  EXPECT_THAT(text, HasSubstr("\nnetcookd_chat_members{listener=\"local\""));
  EXPECT_THAT(text, Not(HasSubstr("netcookd_chat_bus_up{listener=\"local\"")));
  EXPECT_THAT(text, Not(HasSubstr("netcookd_chat_bus_queued{listener=\"local\"")));
  EXPECT_THAT(text, Not(HasSubstr("netcookd_chat_bus_up{listener=\"echo\"")));
}

// A TLS listener's certificate expiry, as a timestamp; plain listeners
// have none, and without TLS listeners the family is left out.
TEST(Exposition, TlsCertificateExpiry) {
  Figures f = sample_figures();
  EXPECT_THAT(prometheus_text(f, sample_process(), "0.9.0"),
              Not(HasSubstr("netcookd_tls_certificate_expiry_timestamp_seconds")));
  auto secure = listener_figures("secure", "http", "epoll");
  secure.certificate_expiry = 1'830'000'000;
  f.listeners.push_back(secure);
  const std::string text = prometheus_text(f, sample_process(), "0.9.0");
  EXPECT_THAT(text, HasSubstr("# TYPE netcookd_tls_certificate_expiry_timestamp_seconds gauge\n"));
  EXPECT_THAT(text, HasSubstr("\nnetcookd_tls_certificate_expiry_timestamp_seconds{listener=\"secure\","
                              "protocol=\"http\",model=\"epoll\"} 1830000000\n"));
  EXPECT_THAT(text, Not(HasSubstr("netcookd_tls_certificate_expiry_timestamp_seconds{listener=\"echo\"")));
}

TEST(Exposition, NoBusNoBusFamilies) {
  Figures f = sample_figures();
  f.listeners.push_back(listener_figures("local", "chat", "select"));
  const std::string text = prometheus_text(f, sample_process(), "0.9.0");
  EXPECT_THAT(text, HasSubstr("netcookd_chat_members"));
  EXPECT_THAT(text, Not(HasSubstr("netcookd_chat_bus")));
}

// promtool (Debian's prometheus package), when installed, has nothing to
// say about a text with every family, chat buses included.
TEST(Exposition, PromtoolAcceptsEveryFamily) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "promtool is not installed";
  Figures f = sample_figures();
  f.listeners.push_back(listener_figures("local", "chat", "select"));
  f.listeners.push_back(chat_with_bus("lobby", 1));
  f.listeners.push_back(chat_with_bus("games", 0));
  char path[] = "/tmp/netcook-metrics-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string text = prometheus_text(f, sample_process(), "0.9.0");
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ::close(fd);
  std::string said;
  FILE* promtool =
      ::popen(("promtool check metrics < " + std::string(path) + " 2>&1").c_str(), "r");
  ASSERT_NE(promtool, nullptr);
  std::array<char, 512> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), promtool)) > 0;)
    said.append(buffer.data(), n);
  const int status = ::pclose(promtool);
  ::unlink(path);
  EXPECT_EQ(status, 0) << said;
  EXPECT_EQ(said, "");
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
  f.listeners.push_back(chat_with_bus("lobby", 1));
  f.listeners.push_back(chat_with_bus("games", 0));
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
