// The guards at the edge (netcookd.yaml(5), GUARDS) through the real
// daemon, from YAML, once per model: deny and allow (closed without a
// byte), max_connections_per_source (HTTP 503, chat's line), connection_rate
// (HTTP 429, chat's line), a rule in `defaults:` a listener overrides, every
// refusal counted by reason on the status listener and logged once per
// burst (to stderr, and to the journal), and a reload that changes `deny`.
//
// Sources are loopback addresses the client binds before connecting
// (127.0.0.2, 127.0.0.3, ...: every 127/8 address is local on Linux), so
// one machine plays several peers. Each case starts its own daemon with
// the listeners it needs, so bursts and counts start from nothing.

#include "client.hpp"
#include "daemon.hpp"
#include "http_reply.hpp"
#include "journal_capture.hpp"
#include "models.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace netcook::test {
namespace {

// The log section and `defaults:` (YAML lines, indented by the caller),
// then the listeners' text.
std::string config(const std::string& listeners, const std::string& defaults = "") {
  return "log:\n"
         "  level: debug\n"
         "  target: stderr\n" +
         (defaults.empty() ? std::string() : "defaults:\n" + defaults) + "listeners:\n" +
         listeners;
}

// One listener: name, protocol, model, listen address, then `extra` lines
// (indented four spaces, like these).
std::string listener(const std::string& name, const std::string& protocol,
                     const std::string& model, const std::string& extra,
                     const std::string& listen = "127.0.0.1:0") {
  return "  - name: " + name + "\n    protocol: " + protocol + "\n    model: " + model +
         "\n    listen: \"" + listen + "\"\n" + extra;
}

constexpr const char* kBody = "served\n";
const std::string kHttpBody = "    http:\n      body: \"served\\n\"\n";
const std::string kStatus = "    http:\n      status: true\n";

ConnectOptions from(const std::string& source, const std::string& host = "127.0.0.1") {
  return {.host = host, .source = source};
}

// A connection the gate refused without a word: accepted by the kernel,
// then closed before a byte came.
void expect_closed_without_a_byte(std::uint16_t port, const ConnectOptions& options) {
  SCOPED_TRACE("from " + options.source + " to " + options.host);
  auto client = Client::connect(port, options);
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);
  std::string got;
  EXPECT_EQ(client.read_available(got, Timeout{0}), IoStatus::closed) << got;
  EXPECT_EQ(got, "");
}

// An echo connection that is served: what it sends comes back.
void expect_echoed(std::uint16_t port, const ConnectOptions& options) {
  SCOPED_TRACE("from " + (options.source.empty() ? "any" : options.source) + " to " + options.host);
  auto client = Client::connect(port, options);
  EXPECT_EQ(client.exchange("let me in"), "let me in");
}

// A GET on `client`, keeping the connection open (unless `close`).
HttpReply get(Client& client, bool close = false) {
  EXPECT_EQ(client.write_all(http_get("/", close ? "Connection: close\r\n" : "")), IoStatus::ok);
  return read_reply(client);
}

void expect_served(const HttpReply& reply) {
  EXPECT_EQ(reply.status, 200) << reply.status_line;
  EXPECT_EQ(reply.body, kBody);
  EXPECT_EQ(reply.io, IoStatus::ok);
}

// The whole answer of a refused HTTP connection: `status_line`, a
// Retry-After, and the close.
void expect_http_refusal(std::uint16_t port, const std::string& source,
                         const std::string& status_line) {
  SCOPED_TRACE("from " + source);
  auto client = Client::connect(port, from(source));
  // The refusal is sent at accept: it comes without a request.
  const auto reply = read_reply(client);
  EXPECT_EQ(reply.status_line, status_line);
  EXPECT_TRUE(reply.header("Retry-After").has_value()) << reply.status_line;
  EXPECT_TRUE(reply.closes()) << reply.status_line;
  EXPECT_EQ(reply.io, IoStatus::ok);
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);
}

// A chat connection refused with `line`, then closed.
void expect_chat_refusal(std::uint16_t port, const std::string& source, const std::string& line) {
  SCOPED_TRACE("from " + source);
  auto client = Client::connect(port, from(source));
  EXPECT_EQ(client.read_line(), line);
  EXPECT_EQ(client.wait_closed(), IoStatus::closed);
}

// A chat connection that is greeted ("* ..."), kept open.
Client greeted(std::uint16_t port, const std::string& source) {
  auto client = Client::connect(port, from(source));
  const auto greeting = client.read_line();
  EXPECT_TRUE(greeting.starts_with("* ")) << "from " << source << ": " << greeting;
  return client;
}

using ModelTest = ::testing::TestWithParam<std::string>;

// deny: one address is closed without a byte, another served. allow: only
// the listed peers, IPv4 and IPv6, on a dual-stack listener where IPv4
// peers arrive as ::ffff:127.0.0.x and are matched as IPv4. IPv6 networks
// in a list without quotes.
using GuardsDenyAllow = ModelTest;
TEST_P(GuardsDenyAllow, EchoRefusesWithoutAByte) {
  const std::string& model = GetParam();
  Daemon daemon(config(listener("denying", "echo", model, "    deny: [127.0.0.4]\n") +
                       listener("allowing", "echo", model,
                                "    allow: [127.0.0.2/32, ::1]\n", "*:0") +
                       listener("v6denying", "echo", model, "    deny: [::/0]\n", "*:0") +
                       listener("mapped", "echo", model, "    deny: [::ffff:127.0.0.6/128]\n")));
  const auto denying = daemon.port_of("denying");
  const auto allowing = daemon.port_of("allowing");
  const auto v6denying = daemon.port_of("v6denying");
  const auto mapped = daemon.port_of("mapped");

  expect_closed_without_a_byte(denying, from("127.0.0.4"));
  expect_echoed(denying, from("127.0.0.2"));
  expect_echoed(denying, from(""));  // 127.0.0.1

  expect_closed_without_a_byte(allowing, from("127.0.0.3"));
  expect_closed_without_a_byte(allowing, from("127.0.0.1"));
  expect_echoed(allowing, from("127.0.0.2"));
  // A machine without ::1 (a container with IPv6 off) tests IPv4 only.
  if (has_ipv6_loopback()) expect_echoed(allowing, from("::1", "::1"));

  // The families apart: ::/0 is every IPv6 peer and no IPv4 one, even on a
  // dual-stack listener; an IPv4 network written in the mapped form is the
  // IPv4 network.
  expect_echoed(v6denying, from("127.0.0.2"));
  if (has_ipv6_loopback()) expect_closed_without_a_byte(v6denying, from("::1", "::1"));
  expect_closed_without_a_byte(mapped, from("127.0.0.6"));
  expect_echoed(mapped, from("127.0.0.7"));
  expect_no_sanitizer_reports(daemon);
}

// max_connections_per_source: the connection beyond it from one address
// gets the protocol's refusal while another address is served; once one
// closes, its place is free again.
using GuardsPerSource = ModelTest;
TEST_P(GuardsPerSource, HttpAndChatRefuseTheThird) {
  const std::string& model = GetParam();
  const std::string limit = "    max_connections_per_source: 2\n";
  Daemon daemon(config(listener("web", "http", model, limit + kHttpBody) +
                       listener("room", "chat", model, limit)));
  const auto web = daemon.port_of("web");
  const auto room = daemon.port_of("room");

  {
    // Each held connection has had its answer: the gate has counted it.
    std::vector<Client> held;
    for (int i = 0; i < 2; ++i) {
      held.push_back(Client::connect(web, from("127.0.0.2")));
      expect_served(get(held.back()));
    }
    expect_http_refusal(web, "127.0.0.2", "HTTP/1.1 503 Service Unavailable");
    auto other = Client::connect(web, from("127.0.0.3"));
    expect_served(get(other, true));
    // The held ones are untouched.
    for (auto& client : held) expect_served(get(client));

    // One closes: its place is free once the daemon has seen the close.
    held.pop_back();
    const Deadline deadline(kWait);
    bool served = false;
    while (!served && !deadline.expired()) {
      auto again = Client::connect(web, from("127.0.0.2"));
      const auto reply = get(again, true);
      served = reply.status == 200;
      if (!served) {
        ASSERT_EQ(reply.status, 503) << reply.status_line;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, bounded
      }
    }
    EXPECT_TRUE(served) << "the place of a closed connection stayed taken";
  }
  {
    std::vector<Client> held;
    for (int i = 0; i < 2; ++i) held.push_back(greeted(room, "127.0.0.2"));
    expect_chat_refusal(room, "127.0.0.2", "! too many connections from your address\n");
    auto other = greeted(room, "127.0.0.3");
  }
  expect_no_sanitizer_reports(daemon);
}

// The order of the checks: a connection refused for its source takes no
// place among max_connections (checked after it) and spends no token of
// its source's connection_rate (checked after it too).
using GuardsOrder = ModelTest;
TEST_P(GuardsOrder, ARefusalForTheSourceTakesNothingLater) {
  const std::string& model = GetParam();
  const std::string per_source = "    max_connections_per_source: 1\n";
  Daemon daemon(config(
      listener("tight", "http", model, "    max_connections: 2\n" + per_source + kHttpBody) +
      listener("paced", "http", model,
               per_source + "    connection_rate: {per_source: 1/h, burst: 2}\n" + kHttpBody)));
  const auto tight = daemon.port_of("tight");
  const auto paced = daemon.port_of("paced");
  const auto refusal_body = [](std::uint16_t port, const std::string& source) {
    auto client = Client::connect(port, from(source));
    const auto reply = read_reply(client);
    EXPECT_EQ(reply.status_line, "HTTP/1.1 503 Service Unavailable") << "from " << source;
    return reply.body;
  };

  {
    auto first = Client::connect(tight, from("127.0.0.2"));
    expect_served(get(first));
    for (int i = 0; i < 3; ++i)
      EXPECT_NE(refusal_body(tight, "127.0.0.2").find("too many connections from your address"),
                std::string::npos);
    auto second = Client::connect(tight, from("127.0.0.3"));
    expect_served(get(second));
    EXPECT_NE(refusal_body(tight, "127.0.0.4").find("server is full"), std::string::npos);
  }
  {
    auto held = Client::connect(paced, from("127.0.0.2"));  // the first token
    expect_served(get(held));
    for (int i = 0; i < 3; ++i)
      expect_http_refusal(paced, "127.0.0.2", "HTTP/1.1 503 Service Unavailable");
    held = Client::connect(paced, from("127.0.0.3"));  // closes the first
    // The place of a closed connection is free once the daemon has seen the
    // close; until then the refusal is for the source again, which spends
    // no token either.
    const auto past_the_place = [&] {
      const Deadline deadline(kWait);
      HttpReply reply;
      do {
        auto again = Client::connect(paced, from("127.0.0.2"));
        reply = get(again, true);
        if (reply.status == 503) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      } while (reply.status == 503 && !deadline.expired());
      return reply;
    };
    expect_served(past_the_place());  // the second token: not spent by the refusals
    const auto spent = past_the_place();
    EXPECT_EQ(spent.status_line, "HTTP/1.1 429 Too Many Requests");
    EXPECT_TRUE(spent.header("Retry-After").has_value());
  }
  expect_no_sanitizer_reports(daemon);
}

// connection_rate: a source's burst of two, then the refusal for a rate
// (429 with Retry-After; chat's "try again later") while another address
// is served.
using GuardsRate = ModelTest;
TEST_P(GuardsRate, HttpAndChatRefuseBeyondTheBurst) {
  const std::string& model = GetParam();
  const std::string rate = "    connection_rate: {per_source: 1/h, burst: 2}\n";
  Daemon daemon(config(listener("web", "http", model, rate + kHttpBody) +
                       listener("room", "chat", model, rate)));
  const auto web = daemon.port_of("web");
  const auto room = daemon.port_of("room");

  for (int i = 0; i < 2; ++i) {
    auto client = Client::connect(web, from("127.0.0.2"));
    expect_served(get(client, true));
  }
  expect_http_refusal(web, "127.0.0.2", "HTTP/1.1 429 Too Many Requests");
  auto other = Client::connect(web, from("127.0.0.3"));
  expect_served(get(other, true));

  for (int i = 0; i < 2; ++i) greeted(room, "127.0.0.2");
  expect_chat_refusal(room, "127.0.0.2",
                      "! too many connections from your address; try again later\n");
  greeted(room, "127.0.0.3");
  expect_no_sanitizer_reports(daemon);
}

// A rule in `defaults:` applies to every listener that does not write the
// key; a listener's own value replaces it (`[]` clears a list, `unlimited`
// a rate).
using GuardsDefaults = ModelTest;
TEST_P(GuardsDefaults, ListenerOverridesDefaults) {
  const std::string& model = GetParam();
  Daemon daemon(config(listener("inherits", "echo", model, "") +
                           listener("overrides", "echo", model,
                                    "    deny: []\n"
                                    "    connection_rate: {per_source: unlimited}\n"),
                       "  deny: [127.0.0.5]\n"
                       "  connection_rate: {per_source: 1/h, burst: 1}\n"));
  const auto inherits = daemon.port_of("inherits");
  const auto overrides = daemon.port_of("overrides");

  expect_closed_without_a_byte(inherits, from("127.0.0.5"));
  expect_echoed(inherits, from("127.0.0.6"));
  expect_closed_without_a_byte(inherits, from("127.0.0.6"));  // its burst of one is spent

  for (int i = 0; i < 3; ++i) {
    expect_echoed(overrides, from("127.0.0.5"));
    expect_echoed(overrides, from("127.0.0.6"));
  }
  expect_no_sanitizer_reports(daemon);
}

// "name{labels}" -> value, from the exposition text.
using Samples = std::map<std::string, std::uint64_t>;

Samples scrape(std::uint16_t status_port) {
  auto client = Client::connect(status_port);
  EXPECT_EQ(client.write_all(http_get("/metrics", "Connection: close\r\n")), IoStatus::ok);
  const auto reply = read_reply(client);
  EXPECT_EQ(reply.status, 200);
  Samples samples;
  std::istringstream in(reply.body);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    // Only the integer counters matter here.
    if (line.find_first_not_of("0123456789", space + 1) != std::string::npos) continue;
    samples[line.substr(0, space)] = std::stoull(line.substr(space + 1));
  }
  return samples;
}

std::string refused(const std::string& listener_name, const std::string& protocol,
                    const std::string& model, const std::string& reason) {
  return "netcookd_connections_refused_total{listener=\"" + listener_name + "\",protocol=\"" +
         protocol + "\",model=\"" + model + "\",reason=\"" + reason + "\"}";
}

std::uint64_t value_of(const Samples& samples, const std::string& series) {
  const auto found = samples.find(series);
  return found == samples.end() ? 0 : found->second;
}

// Every refusal counted once by its reason, on its listener; each kind
// logged once for a burst of them, naming the peer.
using GuardsCounted = ModelTest;
TEST_P(GuardsCounted, RefusalsAreCountedAndLoggedOncePerBurst) {
  const std::string& model = GetParam();
  Daemon daemon(config(
      listener("status", "http", model, kStatus) +
      listener("gate", "echo", model, "    deny: [127.0.0.4]\n") +
      listener("web", "http", model, "    max_connections_per_source: 1\n" + kHttpBody) +
      listener("paced", "http", model,
               "    connection_rate: {per_source: 1/h, burst: 1}\n" + kHttpBody)));
  const auto status = daemon.port_of("status");
  const auto gate = daemon.port_of("gate");
  const auto web = daemon.port_of("web");
  const auto paced = daemon.port_of("paced");
  const Samples before = scrape(status);
  ASSERT_TRUE(before.contains(refused("gate", "echo", model, "denied")));
  const auto mark = daemon.log_mark();

  constexpr int kDenied = 5, kPerSource = 3, kRate = 2;
  for (int i = 0; i < kDenied; ++i) expect_closed_without_a_byte(gate, from("127.0.0.4"));
  {
    auto held = Client::connect(web, from("127.0.0.2"));
    expect_served(get(held));
    for (int i = 0; i < kPerSource; ++i)
      expect_http_refusal(web, "127.0.0.2", "HTTP/1.1 503 Service Unavailable");
    expect_served(get(held, true));
  }
  {
    auto first = Client::connect(paced, from("127.0.0.2"));
    expect_served(get(first, true));
    for (int i = 0; i < kRate; ++i)
      expect_http_refusal(paced, "127.0.0.2", "HTTP/1.1 429 Too Many Requests");
  }

  // Each refusal is counted before its connection is closed.
  const Samples after = scrape(status);
  const auto delta = [&](const std::string& series) {
    return value_of(after, series) - value_of(before, series);
  };
  const std::map<std::string, std::pair<std::string, std::map<std::string, std::uint64_t>>>
      expected = {
          {"gate", {"echo", {{"denied", kDenied}}}},
          {"web", {"http", {{"per_source", kPerSource}}}},
          {"paced", {"http", {{"rate", kRate}}}},
          {"status", {"http", {}}},
      };
  for (const auto& [name, spec] : expected) {
    const auto& [protocol, counts] = spec;
    for (const auto reason : {"denied", "per_source", "rate", "proxy_header", "full"}) {
      const auto want = counts.contains(reason) ? counts.at(reason) : 0;
      EXPECT_EQ(delta(refused(name, protocol, model, reason)), want)
          << name << " " << reason;
    }
  }

  // A refused connection was never accepted and served: only the one
  // each http listener served is.
  const auto accepted = [&](const std::string& name, const std::string& protocol) {
    return "netcookd_connections_accepted_total{listener=\"" + name + "\",protocol=\"" +
           protocol + "\",model=\"" + model + "\"}";
  };
  EXPECT_EQ(delta(accepted("gate", "echo")), 0u);
  EXPECT_EQ(delta(accepted("web", "http")), 1u);
  EXPECT_EQ(delta(accepted("paced", "http")), 1u);

  // A barrier: every refusal above was logged (if at all) before its
  // client saw the close, so before the signal; the log is one pipe, so
  // whatever was logged is read before the reload's lines.
  daemon.send_signal(SIGHUP);
  const auto barrier = daemon.wait_for_line("reload (done|failed):", kWait, mark);
  ASSERT_EQ(barrier.groups.at(1), "done") << barrier.line;

  // Once per burst: the first refusal is logged, the others counted.
  const auto expect_one_line = [&](const std::string& listener_name, const std::string& pattern) {
    const std::string full =
        "\\[" + listener_name + "\\] " + pattern +
        R"( \(further occurrences are counted, not logged\)$)";
    const auto first = daemon.log().wait_for(std::regex(full), kWait, mark);
    ASSERT_TRUE(first) << "no line matching " << full << " in\n" << daemon.log().text();
    EXPECT_FALSE(daemon.find_line(full, first->index + 1))
        << "a second line for one burst: " << daemon.find_line(full, first->index + 1)->line;
    EXPECT_FALSE(daemon.find_line("\\[" + listener_name + "\\] .*refusing connections: .*times",
                                  mark));
  };
  expect_one_line("gate",
                  R"(address denied by allow/deny; refusing connections: 127\.0\.0\.4:\d+)");
  expect_one_line(
      "web", R"(max_connections_per_source \(1\) reached; refusing connections: 127\.0\.0\.2:\d+ \(1 open\))");
  expect_one_line("paced",
                  R"(connection_rate \(1/[^,]+, burst 1\) spent; refusing connections: 127\.0\.0\.2:\d+)");
  EXPECT_EQ(daemon.log().count("refusing connections", mark), 3u) << daemon.log().text();
  expect_no_sanitizer_reports(daemon);
}

// The same once-per-burst line in the journal (log: {target: journal}),
// one entry with its listener's fields, captured at a private journal
// socket (journal_capture.hpp; skipped when that cannot be made).
using GuardsJournal = ModelTest;
TEST_P(GuardsJournal, OneEntryPerBurstOfDenied) {
  if (const auto why = enter_private_journal_namespace()) GTEST_SKIP() << *why;
  const std::string& model = GetParam();
  JournalSocket journal;  // outlives the daemon
  Daemon daemon("log:\n"
                "  level: info\n"
                "  target: journal\n"
                "listeners:\n" +
                    listener("gate", "echo", model, "    deny: [127.0.0.4]\n"),
                DaemonOptions{.wait_ready = false});
  const auto started = journal.wait_for(message_has("listener gate: "));
  ASSERT_TRUE(started) << journal.dump();
  std::smatch port;
  const std::string announced = started->field("MESSAGE").value_or("");
  ASSERT_TRUE(std::regex_search(announced, port, std::regex(R"( on 127\.0\.0\.1:(\d+)$)")))
      << announced;
  ASSERT_TRUE(journal.wait_for(message_has("ready:"))) << journal.dump();
  const auto mark = journal.mark();

  for (int i = 0; i < 5; ++i)
    expect_closed_without_a_byte(static_cast<std::uint16_t>(std::stoul(port[1])),
                                 from("127.0.0.4"));
  // The barrier, as above: one socket, entries in the order sent.
  daemon.send_signal(SIGHUP);
  ASSERT_TRUE(journal.wait_for(message_has("reload done:"), kWait, mark)) << journal.dump(mark);

  std::vector<JournalEntry> refusals;
  for (const auto& entry : journal.entries(mark))
    if (message_has("refusing connections")(entry)) refusals.push_back(entry);
  ASSERT_EQ(refusals.size(), 1u) << journal.dump(mark);
  const JournalEntry& entry = refusals.front();
  EXPECT_TRUE(std::regex_search(
      entry.field("MESSAGE").value_or(""),
      std::regex(R"(^address denied by allow/deny; refusing connections: 127\.0\.0\.4:\d+ )")))
      << entry.describe();
  EXPECT_EQ(entry.field("PRIORITY"), "4") << entry.describe();  // warning
  EXPECT_EQ(entry.field("LISTENER"), "gate");
  EXPECT_EQ(entry.field("PROTOCOL"), "echo");
  EXPECT_EQ(entry.field("MODEL"), model);
  EXPECT_EQ(journal.malformed(), 0u);
  expect_no_sanitizer_reports(daemon);  // those still go to stderr
}

// A reload that changes deny: the change is logged as the file writes it,
// and the new rule decides from then on.
using GuardsReload = ModelTest;
TEST_P(GuardsReload, ChangedDenyIsLoggedAndApplies) {
  const std::string& model = GetParam();
  const auto text = [&](const std::string& deny) {
    return config(listener("gate", "echo", model, "    deny: " + deny + "\n"));
  };
  Daemon daemon(text("[127.0.0.4]"));
  const auto port = daemon.port_of("gate");
  expect_closed_without_a_byte(port, from("127.0.0.4"));
  expect_echoed(port, from("127.0.0.2"));

  daemon.write_config(text("[127.0.0.2, 127.0.0.8/29]"));
  const auto mark = daemon.log_mark();
  daemon.send_signal(SIGHUP);
  const auto outcome = daemon.wait_for_line("reload (done|failed):", kWait, mark);
  ASSERT_EQ(outcome.groups.at(1), "done") << outcome.line;
  EXPECT_TRUE(daemon.find_line(
      R"(\[gate\] listener gate: deny \[127\.0\.0\.4/32\] -> \[127\.0\.0\.2/32, 127\.0\.0\.8/29\]$)",
      mark))
      << daemon.log().text();

  const auto renewed = daemon.port_of("gate", mark);
  expect_echoed(renewed, from("127.0.0.4"));
  expect_closed_without_a_byte(renewed, from("127.0.0.2"));
  expect_closed_without_a_byte(renewed, from("127.0.0.13"));
  expect_echoed(renewed, from("127.0.0.16"));
  expect_no_sanitizer_reports(daemon);
}

INSTANTIATE_TEST_SUITE_P(Models, GuardsDenyAllow, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsPerSource, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsOrder, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsRate, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsDefaults, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsCounted, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsJournal, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, GuardsReload, kAllModels, model_name);

}  // namespace
}  // namespace netcook::test
