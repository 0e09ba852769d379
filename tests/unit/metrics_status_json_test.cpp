// /status.json of fixed figures: the schema status-json (netcookd(8),
// METRICS) promises, down to which keys appear for which protocol.

#include "metrics/exposition.hpp"
#include "metrics_figures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace netcook::metrics {
namespace {

using testing::HasSubstr;
using testing::Not;

Figures sample() {
  Figures f;
  f.main_pid = 1234;
  f.start_time = 1796601600.25;
  f.reloads_ok = 1;
  auto echo = listener_figures("echo", "echo");
  echo.accepted = 10;
  echo.closed[static_cast<std::size_t>(CloseReason::peer_closed)] = 8;
  echo.refused[static_cast<std::size_t>(CloseReason::full)] = 1;
  echo.bytes_in = 1000;
  echo.bytes_out = 1000;
  echo.cpu_nsec = 12'000'000;
  echo.connection_duration.cumulative.assign(kConnectionBounds.size() + 1, 8);
  echo.connection_duration.sum_usec = 1'500'000;
  auto web = listener_figures("web", "http");
  web.http_requests[http_code_slot(200)] = 5;
  web.http_requests[http_code_slot(404)] = 1;
  web.request_duration.cumulative.assign(kRequestBounds.size() + 1, 6);
  web.request_duration.sum_usec = 10'000;
  auto chat = listener_figures("chat", "chat");
  chat.chat_joins = 4;
  chat.chat_leaves = 1;
  chat.chat_lines = 12;
  chat.chat_deliveries = 36;
  f.listeners = {chat, echo, web};
  return f;
}

ProcessFigures process() {
  ProcessFigures p;
  p.cpu_seconds = 1.25;
  p.resident_bytes = 8388608;
  p.open_fds = 17;
  p.max_fds = 20000;
  return p;
}

TEST(StatusJson, DaemonFigures) {
  const auto json = status_json(sample(), process(), "0.9.0", 1796601660.5);
  EXPECT_THAT(json, HasSubstr("\"version\": \"0.9.0\""));
  EXPECT_THAT(json, HasSubstr("\"pid\": 1234"));
  EXPECT_THAT(json, HasSubstr("\"start_time\": 1796601600.25"));
  EXPECT_THAT(json, HasSubstr("\"now\": 1796601660.5"));
  EXPECT_THAT(json, HasSubstr("\"reloads\": {\"ok\": 1, \"failed\": 0}"));
  EXPECT_THAT(json, HasSubstr("\"process\": {\"cpu_seconds\": 1.25, \"resident_memory_bytes\": "
                              "8388608, \"open_fds\": 17, \"max_fds\": 20000}"));
}

TEST(StatusJson, ListenerFigures) {
  const auto json = status_json(sample(), process(), "0.9.0", 1796601660.5);
  EXPECT_THAT(json, HasSubstr("{\"name\": \"echo\", \"protocol\": \"echo\", \"model\": \"epoll\", "
                              "\"address\": \"127.0.0.1:7007\","));
  EXPECT_THAT(json, HasSubstr("\"connections\": {\"accepted\": 10, \"active\": 2, \"closed\": "
                              "{\"peer_closed\": 8}, \"refused\": {\"full\": 1}}"));
  EXPECT_THAT(json, HasSubstr("\"bytes\": {\"received\": 1000, \"sent\": 1000}"));
  EXPECT_THAT(json, HasSubstr("\"cpu_seconds\": 0.012"));
  EXPECT_THAT(json, HasSubstr("\"connection_duration\": {\"count\": 8, \"sum_seconds\": 1.5}"));
  EXPECT_THAT(json, HasSubstr("\"http\": {\"requests\": {\"200\": 5, \"404\": 1}, "
                              "\"request_duration\": {\"count\": 6, \"sum_seconds\": 0.01}}"));
  EXPECT_THAT(json, HasSubstr("\"chat\": {\"members\": 3, \"lines\": 12, \"deliveries\": 36}"));
  // "http" and "chat" only for their protocol: one of each here.
  EXPECT_EQ(json.find("\"http\":"), json.rfind("\"http\":"));
  EXPECT_EQ(json.find("\"chat\":"), json.rfind("\"chat\":"));
}

TEST(StatusJson, UnknownProcessFiguresAreNull) {
  const auto json = status_json(Figures{}, ProcessFigures{}, "0.9.0", 1.0);
  EXPECT_THAT(json, HasSubstr("\"process\": {\"cpu_seconds\": null, \"resident_memory_bytes\": "
                              "null, \"open_fds\": null, \"max_fds\": null}"));
  EXPECT_THAT(json, HasSubstr("\"listeners\": []"));
}

TEST(StatusJson, StringsAreEscaped) {
  Figures f;
  auto odd = listener_figures("odd", "echo");
  odd.address = "/run/a\"b\\c\x01";
  f.listeners = {odd};
  const auto json = status_json(f, ProcessFigures{}, "0.9.0", 1.0);
  EXPECT_THAT(json, HasSubstr("\"address\": \"/run/a\\\"b\\\\c\\u0001\""));
}

// A chat listener with a bus (a room shared by several daemons) has a
// "bus" object in its "chat"; one without has none.
Figures with_buses() {
  Figures f = sample();
  auto lobby = listener_figures("lobby", "chat");
  lobby.chat_bus.buses = 1;
  lobby.chat_bus.linked = 1;
  lobby.chat_bus.published = 40;
  lobby.chat_bus.received = 120;
  lobby.chat_bus.dropped = 3;
  lobby.chat_bus.link_losses = 2;
  auto games = listener_figures("games", "chat");
  games.chat_bus.buses = 1;
  games.chat_bus.queued = 17;
  f.listeners = {games, lobby, f.listeners[0]};
  return f;
}

TEST(StatusJson, ChatBus) {
  const auto json = status_json(with_buses(), process(), "0.9.0", 1796601660.5);
  EXPECT_THAT(json, HasSubstr("\"bus\": {\"up\": true, \"published\": 40, \"received\": 120, "
                              "\"queued\": 0, \"dropped\": 3, \"link_losses\": 2}}"));
  EXPECT_THAT(json, HasSubstr("\"bus\": {\"up\": false, \"published\": 0, \"received\": 0, "
                              "\"queued\": 17, \"dropped\": 0, \"link_losses\": 0}}"));
  // The chat listener without a bus ("chat") has none: two of three.
  std::size_t buses = 0;
  for (auto at = json.find("\"bus\":"); at != std::string::npos; at = json.find("\"bus\":", at + 1))
    ++buses;
  EXPECT_EQ(buses, 2U);
  EXPECT_THAT(json, HasSubstr("\"chat\": {\"members\": 3, \"lines\": 12, \"deliveries\": 36}}"));
}

// Brackets and braces balance outside strings, and no value is left empty
// (a cheap shape check; the integration test parses the real one).
void expect_balanced(const std::string& json) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  EXPECT_FALSE(in_string);
  EXPECT_THAT(json, Not(HasSubstr(": ,")));
  EXPECT_THAT(json, Not(HasSubstr(",}")));
}

TEST(StatusJson, Balanced) {
  expect_balanced(status_json(sample(), process(), "0.9.0", 1796601660.5));
  expect_balanced(status_json(with_buses(), process(), "0.9.0", 1796601660.5));
}

}  // namespace
}  // namespace netcook::metrics
