// The configuration loader (config/loader.hpp) and the small pieces it is
// built from that other layers reuse: prefix placeholders, key suggestions,
// listener names. Error tests assert the exact "file:line:column: message".

#include "config/listener_name.hpp"
#include "config/loader.hpp"
#include "config_files.hpp"
#include "config/prefix.hpp"
#include "config/suggest.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace netcook::config {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;

using namespace files;

// ---- valid files -------------------------------------------------------

TEST(LoadConfig, MinimalFileGetsDefaults) {
  const auto config = load(kListener);
  EXPECT_EQ(config.path, "test.yaml");
  EXPECT_EQ(config.log, LogOptions{});
  EXPECT_EQ(config.defaults, Limits{});
  ASSERT_EQ(config.listeners.size(), 1u);
  const auto& listener = config.listeners[0];
  EXPECT_EQ(listener.name, "echo");
  EXPECT_EQ(listener.protocol, Protocol::echo);
  EXPECT_EQ(listener.model, Model::epoll);
  EXPECT_EQ(listener.listen, (net::Address{net::Address::Kind::inet4, "127.0.0.1", 7007}));
  EXPECT_EQ(listener.workers, 1u);
  EXPECT_EQ(listener.limits, Limits{});
  EXPECT_EQ(listener.echo, EchoOptions{});
  EXPECT_EQ(listener.mark.line, 2);
  EXPECT_EQ(listener.mark.column, 5);
}

TEST(LoadConfig, DocumentedDefaults) {
  const Limits limits;
  EXPECT_EQ(limits.max_connections, 1024u);
  EXPECT_EQ(limits.idle_timeout, 5min);
  EXPECT_EQ(limits.read_timeout, 30s);
  EXPECT_EQ(limits.shutdown_timeout, 10s);
  EXPECT_EQ(limits.max_outbox, 256u * 1024);
  EXPECT_EQ(EchoOptions{}.max_line, 64u * 1024);
}

TEST(LoadConfig, TheIssueExample) {
  const auto config = load(R"(log:
  level: info              # trace | debug | info | warn | error
  target: auto             # auto | journal | stderr
defaults:
  max_connections: 1024
  idle_timeout: 5m
  shutdown_timeout: 10s
listeners:
  - name: echo
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
    workers: 1
    echo:
      mode: raw
)");
  EXPECT_EQ(config.log.level, LogLevel::info);
  EXPECT_EQ(config.log.target, LogTarget::automatic);
  EXPECT_EQ(config.defaults, Limits{});
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].echo, EchoOptions{});
  EXPECT_EQ(config.listeners[0].mark.line, 9);
}

TEST(LoadConfig, DefaultsApplyAndListenersOverride) {
  const auto config = load(R"(defaults:
  max_connections: 10
  idle_timeout: 1m
listeners:
  - name: a
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
  - name: b
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7008
    idle_timeout: 30s
    max_outbox: 4096
)");
  ASSERT_EQ(config.listeners.size(), 2u);
  const auto& a = config.listeners[0].limits;
  const auto& b = config.listeners[1].limits;
  EXPECT_EQ(config.defaults.max_connections, 10u);
  EXPECT_EQ(a.max_connections, 10u);
  EXPECT_EQ(a.idle_timeout, 1min);
  EXPECT_EQ(a.read_timeout, 30s);
  EXPECT_EQ(b.max_connections, 10u);
  EXPECT_EQ(b.idle_timeout, 30s);
  EXPECT_EQ(b.max_outbox, 4096u);
  EXPECT_EQ(config.listeners[1].mark.line, 9);
}

TEST(LoadConfig, DefaultsApplyWhereverTheyAreInTheFile) {
  const auto config = load(with(R"(defaults:
  read_timeout: 2s
)"));
  EXPECT_EQ(config.listeners[0].limits.read_timeout, 2s);
}

TEST(LoadConfig, EverySectionAndUnit) {
  const auto config = load(with(R"(    workers: 8
    max_connections: 1
    idle_timeout: 1h 30m
    read_timeout: 500ms
    shutdown_timeout: 0s
    max_outbox: 1 MiB
    echo:
      mode: line
      prefix: "[{pid}/{thread}] {listener} {peer}: "
      max_line: 512
)"));
  const auto& listener = config.listeners[0];
  EXPECT_EQ(listener.workers, 8u);
  EXPECT_EQ(listener.limits, (Limits{1, 90min, 500ms, 0ms, std::size_t{1} << 20, false, {}}));
  EXPECT_EQ(listener.echo,
            (EchoOptions{EchoMode::line, "[{pid}/{thread}] {listener} {peer}: ", 512}));
}

TEST(LoadConfig, BoundariesAreAccepted) {
  auto config = load(with(R"(    workers: 256
    max_connections: 1000000
    idle_timeout: 24h
    read_timeout: 1ms
    max_outbox: 1GiB
    echo:
      mode: line
      max_line: 16MiB
)"));
  EXPECT_EQ(config.listeners[0].workers, 256u);
  EXPECT_EQ(config.listeners[0].limits.max_connections, 1'000'000u);
  EXPECT_EQ(config.listeners[0].limits.idle_timeout, 24h);
  EXPECT_EQ(config.listeners[0].limits.max_outbox, std::size_t{1} << 30);
  EXPECT_EQ(config.listeners[0].echo.max_line, std::size_t{16} << 20);
  config = load(with(R"(    max_outbox: 4KiB
    shutdown_timeout: 24h
    echo:
      mode: line
      max_line: 16B
)"));
  EXPECT_EQ(config.listeners[0].limits.max_outbox, 4096u);
  EXPECT_EQ(config.listeners[0].echo.max_line, 16u);
}

TEST(LoadConfig, LogLevelsAndTargets) {
  for (const auto level :
       {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
    for (const auto target : {LogTarget::automatic, LogTarget::journal, LogTarget::stderr_}) {
      const auto config = load(with(std::string("log:\n  level: ") + to_string(level) +
                                    "\n  target: " + to_string(target) + "\n"));
      EXPECT_EQ(config.log.level, level);
      EXPECT_EQ(config.log.target, target);
    }
  }
}

TEST(LoadConfig, EmptyOptionalSectionsMeanDefaults) {
  const auto config = load(with("    echo:\nlog:\ndefaults:\n"));
  EXPECT_EQ(config.log, LogOptions{});
  EXPECT_EQ(config.defaults, Limits{});
  EXPECT_EQ(config.listeners[0].echo, EchoOptions{});
}

TEST(LoadConfig, UnixAndEphemeralListeners) {
  const auto config = load(R"(listeners:
  - {name: a, protocol: echo, model: fork, listen: "unix:/run/a.sock"}
  - {name: b, protocol: echo, model: fork, listen: "127.0.0.1:0"}
  - {name: c, protocol: echo, model: fork, listen: "127.0.0.1:0"}
  - {name: d, protocol: echo, model: fork, listen: "*:0"}
)");
  ASSERT_EQ(config.listeners.size(), 4u);
  EXPECT_EQ(config.listeners[0].listen.kind, net::Address::Kind::unix_path);
  EXPECT_EQ(config.listeners[0].listen.host, "/run/a.sock");
  EXPECT_EQ(config.listeners[3].listen.kind, net::Address::Kind::any);
}

TEST(LoadConfig, ProtocolSectionsOnTheirOwnProtocol) {
  const auto config = load(R"(listeners:
  - name: talk
    protocol: chat
    model: select
    listen: 127.0.0.1:7007
    chat: {}
  - name: web
    protocol: http
    model: thread
    listen: 127.0.0.1:8080
    http:
)");
  EXPECT_EQ(config.listeners[0].protocol, Protocol::chat);
  EXPECT_EQ(config.listeners[1].protocol, Protocol::http);
}

class EveryCombination : public testing::TestWithParam<std::tuple<Protocol, Model>> {};

TEST_P(EveryCombination, Loads) {
  const auto [protocol, model] = GetParam();
  const bool reactor =
      model == Model::epoll || model == Model::coroutine || model == Model::io_uring;
  const auto config =
      load(std::string("listeners:\n  - name: x\n") + "    protocol: " + to_string(protocol) +
           "\n" + "    model: " + to_string(model) + "\n" + "    listen: \"*:7007\"\n" +
           (reactor ? "    workers: 3\n" : ""));
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0].protocol, protocol);
  EXPECT_EQ(config.listeners[0].model, model);
  EXPECT_EQ(config.listeners[0].workers, reactor ? 3u : 1u);
}

INSTANTIATE_TEST_SUITE_P(ProtocolsAndModels, EveryCombination,
                         testing::Combine(testing::Values(Protocol::echo, Protocol::chat,
                                                          Protocol::http),
                                          testing::Values(Model::fork, Model::thread, Model::select,
                                                          Model::epoll, Model::coroutine,
                                                          Model::io_uring)));

TEST(ToString, NamesAsWrittenInTheFile) {
  EXPECT_STREQ(to_string(LogLevel::warn), "warn");
  EXPECT_STREQ(to_string(LogTarget::automatic), "auto");
  EXPECT_STREQ(to_string(LogTarget::stderr_), "stderr");
  EXPECT_STREQ(to_string(Protocol::http), "http");
  EXPECT_STREQ(to_string(Model::coroutine), "coroutine");
  EXPECT_STREQ(to_string(Model::io_uring), "io_uring");
  EXPECT_STREQ(to_string(EchoMode::line), "line");
}

// ---- errors ---------------------------------------------------------------

TEST(ConfigError, ToString) {
  EXPECT_EQ((Error{"a.yaml", 3, 7, "bad"}).to_string(), "a.yaml:3:7: bad");
  EXPECT_EQ((Error{"a.yaml", 0, 0, "bad"}).to_string(), "a.yaml: bad");
}

TEST(ConfigErrors, YamlSyntax) {
  EXPECT_THAT(errors("listeners: [1\n"),
              ElementsAre("test.yaml:2:1: end of sequence flow not found"));
  EXPECT_THAT(errors("listeners:\n  - name: a\n   model: x\n"),
              ElementsAre("test.yaml:3:4: end of sequence not found"));
}

// The usual mistakes behind a syntax error get a hint that quotes the text
// (the recognisers' cases are in syntax_hints_test.cpp).
TEST(ConfigErrors, UnquotedIpv6AddressGetsAHint) {
  EXPECT_THAT(errors("listeners:\n  - name: a\n    protocol: echo\n    model: epoll\n"
                     "    listen: [::1]:7007\n"),
              ElementsAre("test.yaml:5:18: end of map not found (hint: quote the address: "
                          "\"[::1]:7007\")"));
}

TEST(ConfigErrors, ColonInAValueGetsAHint) {
  EXPECT_THAT(errors(with("    echo:\n      mode: line\n      prefix: You said: \n")),
              ElementsAre("test.yaml:8:23: illegal map value (hint: quote a value that "
                          "contains ': ', as in prefix: \"You said: \")"));
}

TEST(ConfigErrors, TabGetsAHint) {
  EXPECT_THAT(errors("listeners:\n  - name: a\n\tprotocol: echo\n"),
              ElementsAre("test.yaml:3:1: illegal tab when looking for indentation (hint: "
                          "indent with spaces; YAML does not allow tabs)"));
}

TEST(ConfigErrors, DashWithoutASpaceGetsAHint) {
  // Reported on the line after the mistake.
  EXPECT_THAT(errors("listeners:\n  -name: a\n    protocol: echo\n"),
              ElementsAre("test.yaml:3:13: illegal map value (hint: put a space after '-': "
                          "\"- name: a\")"));
}

TEST(ConfigErrors, KeyUnderAKeyWithAValueGetsAHint) {
  EXPECT_THAT(errors(with("      max_line: 5\n")),
              ElementsAre("test.yaml:6:15: illegal map value (hint: 'max_line' is indented "
                          "under 'listen', which already has a value; indent it like the key "
                          "it belongs with)"));
}

TEST(ConfigErrors, UnquotedStarIsExplained) {
  EXPECT_THAT(errors("listeners:\n  - listen: *:7007\n"),
              ElementsAre("test.yaml:2:13: the referenced anchor is not "
                          "defined; a value that starts with '*' must be "
                          "quoted, e.g. \"*:7007\""));
}

TEST(ConfigErrors, UnknownKeySuggestsTheNearest) {
  EXPECT_THAT(errors(with("    idle_timout: 5m\n")),
              ElementsAre("test.yaml:6:5: unknown key 'idle_timout' in "
                          "listener 'echo'; did you mean 'idle_timeout'?"));
  EXPECT_THAT(errors(with("log:\n  levle: debug\n")),
              ElementsAre("test.yaml:7:3: unknown key 'levle' in section "
                          "'log'; did you mean 'level'?"));
  EXPECT_THAT(errors(with("defaults:\n  max_conections: 5\n")),
              ElementsAre("test.yaml:7:3: unknown key 'max_conections' in "
                          "section 'defaults'; did you mean "
                          "'max_connections'?"));
  EXPECT_THAT(errors(with("    echo:\n      prefx: x\n")),
              ElementsAre("test.yaml:7:7: unknown key 'prefx' in section "
                          "'echo' of listener 'echo'; did you mean "
                          "'prefix'?"));
}

TEST(ConfigErrors, UnknownKeyListsValidKeysWhenNoneIsClose) {
  EXPECT_THAT(errors(with("    colour: red\n")),
              ElementsAre("test.yaml:6:5: unknown key 'colour' in listener 'echo'; "
                          "valid keys: name, protocol, model, listen, workers, echo, "
                          "chat, http, tls, max_connections, idle_timeout, read_timeout, "
                          "shutdown_timeout, max_outbox, log_connections, allow, deny, "
                          "max_connections_per_source, source_prefix_v6, connection_rate, "
                          "proxy_protocol"));
  EXPECT_THAT(errors(with("    echo:\n      x: 1\n")),
              ElementsAre("test.yaml:7:7: unknown key 'x' in section 'echo' "
                          "of listener 'echo'; valid keys: mode, prefix, "
                          "max_line"));
}

TEST(ConfigErrors, UnknownTopLevelKey) {
  EXPECT_THAT(errors("listners:\n  - name: echo\n"),
              ElementsAre("test.yaml:1:1: unknown key 'listners' at the top "
                          "level; did you mean 'listeners'?",
                          "test.yaml:1:1: missing required key 'listeners' "
                          "('listners' above looks like a misspelling of it)"));
}

TEST(ConfigErrors, WorkersInDefaultsIsUnknown) {
  EXPECT_THAT(errors(with("defaults:\n  workers: 2\n")),
              ElementsAre("test.yaml:7:3: unknown key 'workers' in section "
                          "'defaults'; valid keys: max_connections, "
                          "idle_timeout, read_timeout, shutdown_timeout, "
                          "max_outbox, log_connections, allow, deny, "
                          "max_connections_per_source, source_prefix_v6, "
                          "connection_rate, proxy_protocol"));
}

TEST(ConfigErrors, WrongType) {
  EXPECT_THAT(errors(with("    max_connections: abc\n")),
              ElementsAre("test.yaml:6:22: invalid value 'abc' for "
                          "'max_connections': expected an integer"));
  EXPECT_THAT(errors(with("    max_connections: 1.5\n")),
              ElementsAre("test.yaml:6:22: invalid value '1.5' for "
                          "'max_connections': expected an integer"));
  EXPECT_THAT(errors(with("    workers: true\n")),
              ElementsAre("test.yaml:6:14: invalid value 'true' for "
                          "'workers': expected an integer"));
  EXPECT_THAT(errors(with("    workers: [1, 2]\n")),
              ElementsAre("test.yaml:6:14: 'workers' must be a scalar, not a "
                          "sequence"));
  EXPECT_THAT(errors(with("    idle_timeout: {a: 1}\n")),
              ElementsAre("test.yaml:6:19: 'idle_timeout' must be a scalar, "
                          "not a mapping"));
  EXPECT_THAT(errors(with("    echo: 5\n")),
              ElementsAre("test.yaml:6:11: 'echo' must be a mapping, not a "
                          "scalar"));
  EXPECT_THAT(errors(with("log: [1]\n")),
              ElementsAre("test.yaml:6:6: 'log' must be a mapping, not a "
                          "sequence"));
  EXPECT_THAT(errors("listeners: {a: 1}\n"),
              ElementsAre("test.yaml:1:12: 'listeners' must be a sequence, "
                          "not a mapping"));
  EXPECT_THAT(errors("listeners:\n  - foo\n"),
              ElementsAre("test.yaml:2:5: listener #1 must be a mapping, not "
                          "a scalar"));
  EXPECT_THAT(errors("hello\n"), ElementsAre("test.yaml:1:1: the top level must be a mapping, "
                                             "not a scalar"));
}

TEST(ConfigErrors, EmptyValueIsReportedAtItsKey) {
  EXPECT_THAT(errors(with("    idle_timeout:\n")),
              ElementsAre("test.yaml:6:5: 'idle_timeout' needs a value"));
  EXPECT_THAT(errors(with("    echo:\n      mode:\n")),
              ElementsAre("test.yaml:7:7: 'mode' needs a value"));
}

TEST(ConfigErrors, OutOfRange) {
  EXPECT_THAT(errors(with("    max_connections: 0\n")),
              ElementsAre("test.yaml:6:22: value '0' for 'max_connections' "
                          "is out of range 1..1000000"));
  EXPECT_THAT(errors(with("    max_connections: 1000001\n")),
              ElementsAre("test.yaml:6:22: value '1000001' for "
                          "'max_connections' is out of range 1..1000000"));
  EXPECT_THAT(errors(with("    max_connections: -5\n")),
              ElementsAre("test.yaml:6:22: value '-5' for 'max_connections' "
                          "is out of range 1..1000000"));
  EXPECT_THAT(errors(with("    max_connections: 99999999999999999999\n")),
              ElementsAre("test.yaml:6:22: value '99999999999999999999' for "
                          "'max_connections' is out of range 1..1000000"));
  EXPECT_THAT(errors(with("    workers: 0\n")),
              ElementsAre("test.yaml:6:14: value '0' for 'workers' is out of "
                          "range 1..256"));
  EXPECT_THAT(errors(with("    workers: 257\n")),
              ElementsAre("test.yaml:6:14: value '257' for 'workers' is out "
                          "of range 1..256"));
  EXPECT_THAT(errors(with("    idle_timeout: 0s\n")),
              ElementsAre("test.yaml:6:19: value '0s' for 'idle_timeout' is "
                          "out of range 1ms..24h"));
  EXPECT_THAT(errors(with("    read_timeout: 25h\n")),
              ElementsAre("test.yaml:6:19: value '25h' for 'read_timeout' is "
                          "out of range 1ms..24h"));
  EXPECT_THAT(errors(with("    shutdown_timeout: 24h1ms\n")),
              ElementsAre("test.yaml:6:23: value '24h1ms' for "
                          "'shutdown_timeout' is out of range 0s..24h"));
  EXPECT_THAT(errors(with("    max_outbox: 1KiB\n")),
              ElementsAre("test.yaml:6:17: value '1KiB' for 'max_outbox' is "
                          "out of range 4KiB..1GiB"));
  EXPECT_THAT(errors(with("    max_outbox: 2GiB\n")),
              ElementsAre("test.yaml:6:17: value '2GiB' for 'max_outbox' is "
                          "out of range 4KiB..1GiB"));
  EXPECT_THAT(errors(with("    echo:\n      mode: line\n      max_line: 8B\n")),
              ElementsAre("test.yaml:8:17: value '8B' for 'max_line' is out "
                          "of range 16B..16MiB"));
  EXPECT_THAT(errors(with("    echo:\n      mode: line\n      max_line: 17MiB\n")),
              ElementsAre("test.yaml:8:17: value '17MiB' for 'max_line' is "
                          "out of range 16B..16MiB"));
}

TEST(ConfigErrors, BadUnits) {
  EXPECT_THAT(errors(with("    idle_timeout: 30\n")),
              ElementsAre("test.yaml:6:19: invalid value '30' for "
                          "'idle_timeout': duration needs a unit: ms, s, m, h"));
  EXPECT_THAT(errors(with("    read_timeout: 99999999999999999999h\n")),
              ElementsAre("test.yaml:6:19: invalid value "
                          "'99999999999999999999h' for 'read_timeout': number "
                          "is too large"));
  EXPECT_THAT(errors(with("    max_outbox: 64KB\n")),
              ElementsAre("test.yaml:6:17: invalid value '64KB' for "
                          "'max_outbox': size unit 'KB' is ambiguous; write "
                          "KiB (powers of 1024)"));
  EXPECT_THAT(errors(with("    echo:\n      mode: line\n      max_line: 1MB\n")),
              ElementsAre("test.yaml:8:17: invalid value '1MB' for "
                          "'max_line': size unit 'MB' is ambiguous; write MiB "
                          "(powers of 1024)"));
}

TEST(ConfigErrors, DuplicateListenerName) {
  EXPECT_THAT(errors(with(R"(  - name: echo
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7008
)")),
              ElementsAre("test.yaml:6:11: duplicate listener name 'echo' "
                          "(first at line 2)"));
}

TEST(ConfigErrors, ConflictingAddresses) {
  EXPECT_THAT(errors(with(R"(  - name: b
    protocol: echo
    model: epoll
    listen: "*:7007"
  - name: c
    protocol: echo
    model: epoll
    listen: "[::1]:7007"
)")),
              ElementsAre("test.yaml:9:13: address *:7007 conflicts with "
                          "listener 'echo' on 127.0.0.1:7007 (line 2)",
                          "test.yaml:13:13: address [::1]:7007 conflicts with "
                          "listener 'b' on *:7007 (line 6)"));
}

TEST(ConfigErrors, SameUnixPath) {
  EXPECT_THAT(errors(R"(listeners:
  - {name: a, protocol: echo, model: fork, listen: "unix:/run/a.sock"}
  - {name: b, protocol: echo, model: fork, listen: "unix:/run/a.sock"}
)"),
              ElementsAre("test.yaml:3:52: address unix:/run/a.sock conflicts "
                          "with listener 'a' on unix:/run/a.sock (line 2)"));
}

TEST(ConfigErrors, UnknownProtocolAndModel) {
  EXPECT_THAT(errors(R"(listeners:
  - name: echo
    protocol: ftp
    model: kqueue
    listen: 127.0.0.1:7007
)"),
              ElementsAre("test.yaml:3:15: unknown protocol 'ftp'; valid: "
                          "echo, chat, http",
                          "test.yaml:4:12: unknown model 'kqueue'; valid: "
                          "fork, thread, select, epoll, coroutine, io_uring"));
}

TEST(ConfigErrors, UnknownLogLevelTargetAndEchoMode) {
  EXPECT_THAT(errors(with(R"(    echo:
      mode: words
log:
  level: verbose
  target: syslog
)")),
              ElementsAre("test.yaml:7:13: unknown echo mode 'words'; valid: "
                          "raw, line",
                          "test.yaml:9:10: unknown log level 'verbose'; valid: "
                          "trace, debug, info, warn, error",
                          "test.yaml:10:11: unknown log target 'syslog'; "
                          "valid: auto, journal, stderr"));
}

TEST(ConfigErrors, MalformedAddress) {
  EXPECT_THAT(errors(R"(listeners:
  - name: a
    protocol: echo
    model: epoll
    listen: localhost:80
  - name: b
    protocol: echo
    model: epoll
    listen: 127.0.0.1:70000
)"),
              ElementsAre("test.yaml:5:13: invalid value 'localhost:80' for "
                          "'listen': 'localhost' is not a numeric address (no "
                          "DNS names); use IPv4:port, [IPv6]:port, *:port or "
                          "unix:/path",
                          "test.yaml:9:13: invalid value '127.0.0.1:70000' for "
                          "'listen': port 70000 is out of range 0..65535"));
}

TEST(ConfigErrors, SectionForAnotherProtocol) {
  // The contents of a misplaced section are not checked: the one error says
  // what to fix.
  EXPECT_THAT(errors(with("    http:\n      root: /srv\n")),
              ElementsAre("test.yaml:6:5: section 'http' is for protocol "
                          "http, but listener 'echo' speaks echo"));
  EXPECT_THAT(errors(R"(listeners:
  - name: talk
    protocol: chat
    model: select
    listen: 127.0.0.1:7007
    echo:
      mode: line
    http: {}
)"),
              ElementsAre("test.yaml:6:5: section 'echo' is for protocol "
                          "echo, but listener 'talk' speaks chat",
                          "test.yaml:8:5: section 'http' is for protocol "
                          "http, but listener 'talk' speaks chat"));
}

// Lines 1-5 of a chat listener and of an http listener; tests append the
// protocol's section from line 6 on.
constexpr std::string_view kChat = R"(listeners:
  - name: talk
    protocol: chat
    model: select
    listen: 127.0.0.1:7007
)";
constexpr std::string_view kHttp = R"(listeners:
  - name: web
    protocol: http
    model: epoll
    listen: 127.0.0.1:8080
)";

TEST(LoadConfig, ChatSectionAndItsDefaults) {
  const auto plain = load(std::string(kChat) + "    max_connections: 50\n    max_outbox: 64KiB\n");
  EXPECT_EQ(plain.listeners[0].chat.max_line, 4096u);
  EXPECT_EQ(plain.listeners[0].chat.max_outbox, 64u * 1024);  // the listener's max_outbox
  EXPECT_EQ(plain.listeners[0].chat.max_members, 50u);        // its max_connections
  const auto set = load(std::string(kChat) +
                        "    chat:\n      max_line: 1KiB\n      max_outbox: 8KiB\n"
                        "      max_members: 7\n");
  ChatOptions expected;
  expected.max_line = 1024;
  expected.max_outbox = 8192;
  expected.max_members = 7;
  expected.room = "talk";  // the listener's name
  EXPECT_EQ(set.listeners[0].chat, expected);
}

TEST(ConfigErrors, ChatSection) {
  EXPECT_THAT(errors(std::string(kChat) + "    chat:\n      topic: lobby\n"),
              ElementsAre("test.yaml:7:7: unknown key 'topic' in section 'chat' of listener "
                          "'talk'; valid keys: max_line, max_outbox, max_members, rate, burst, "
                          "room, history, bus, bus_password_file, presence_ttl, bus_outage, "
                          "bus_queue, bus_timeout"));
  EXPECT_THAT(errors(std::string(kChat) + "    chat: 5\n"),
              ElementsAre("test.yaml:6:11: 'chat' must be a mapping, not a scalar"));
  EXPECT_THAT(errors(std::string(kChat) + "    chat:\n      max_line: 64KiB\n"),
              ElementsAre(testing::StartsWith("test.yaml:7:17: ")));
  EXPECT_THAT(errors(std::string(kChat) + "    chat:\n      max_members: 0\n"),
              ElementsAre(testing::StartsWith("test.yaml:7:20: ")));
}

TEST(LoadConfig, HttpSectionAndItsDefaults) {
  const auto plain = load(kHttp);
  EXPECT_EQ(plain.listeners[0].http, HttpOptions{});
  EXPECT_EQ(plain.listeners[0].http.body, "Hello from Epoll Server!\n");
  const auto files = load(std::string(kHttp) +
                          "    http:\n      root: /tmp\n      index: home.html\n"
                          "      max_header: 8KiB\n      max_body: 0\n      header_timeout: 2s\n"
                          "      keepalive_timeout: 1m\n      access_log: true\n");
  const auto& http = files.listeners[0].http;
  EXPECT_EQ(http.root, "/tmp");
  EXPECT_EQ(http.index, "home.html");
  EXPECT_EQ(http.max_header, 8192u);
  EXPECT_EQ(http.max_body, 0u);
  EXPECT_EQ(http.header_timeout, 2s);
  EXPECT_EQ(http.keepalive_timeout, 1min);
  EXPECT_TRUE(http.access_log);
  EXPECT_FALSE(http.status);
  EXPECT_TRUE(load(std::string(kHttp) + "    http:\n      status: true\n").listeners[0].http.status);
  const auto fixed = load(std::string(kHttp) +
                          "    http:\n      body: \"ok\\n\"\n      content_type: text/html\n");
  EXPECT_EQ(fixed.listeners[0].http.body, "ok\n");
  EXPECT_EQ(fixed.listeners[0].http.content_type, "text/html");
}

// A relative root is the configuration file's folder's, made absolute and
// normal, wherever the daemon runs.
TEST(LoadConfig, RelativeRootIsTheConfigFilesFolders) {
  std::string folder = (std::filesystem::temp_directory_path() / "netcookd-root-XXXXXX").string();
  ASSERT_NE(::mkdtemp(folder.data()), nullptr);
  std::filesystem::create_directory(folder + "/www");
  const std::string config = std::string(kHttp) + "    http:\n      root: ./site/../www/\n";
  const auto result = parse_config(config, folder + "/relative.yaml");
  std::filesystem::remove_all(folder);
  ASSERT_TRUE(result.config) << testing::PrintToString(texts(result));
  EXPECT_EQ(result.config->listeners[0].http.root, folder + "/www");
}

TEST(ConfigErrors, HttpSection) {
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      body: hi\n      root: /tmp\n"),
              ElementsAre("test.yaml:8:7: give only one of 'body' (a fixed response), 'root' "
                          "(files) and 'status' (the daemon's figures)"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      root: /tmp\n      status: true\n"),
              ElementsAre("test.yaml:8:7: give only one of 'body' (a fixed response), 'root' "
                          "(files) and 'status' (the daemon's figures)"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      status: true\n      body: hi\n"),
              ElementsAre("test.yaml:7:7: give only one of 'body' (a fixed response), 'root' "
                          "(files) and 'status' (the daemon's figures)"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      status: on\n"),
              ElementsAre("test.yaml:7:15: invalid value 'on' for 'status': expected "
                          "true or false"));
  // status: false serves nothing, so body may be given with it.
  EXPECT_EQ(load(std::string(kHttp) + "    http:\n      body: hi\n      status: false\n")
                .listeners[0]
                .http.body,
            "hi");
  // Relative to the file's folder (here the working directory): the
  // reason says where it was looked for.
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      root: srv/www\n"),
              ElementsAre("test.yaml:7:13: invalid value 'srv/www' for 'root': " + cwd +
                          "/srv/www: No such file or directory"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      root: \"\"\n"),
              ElementsAre("test.yaml:7:13: invalid value '' for 'root': must not be empty"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      root: /nonexistent/netcookd\n"),
              ElementsAre("test.yaml:7:13: invalid value '/nonexistent/netcookd' for 'root': "
                          "No such file or directory"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      root: /etc/hostname\n"),
              ElementsAre("test.yaml:7:13: invalid value '/etc/hostname' for 'root': not a "
                          "directory"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      index: a/b.html\n"),
              ElementsAre("test.yaml:7:14: invalid value 'a/b.html' for 'index': must be a "
                          "file name, without '/'"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      access_log: yes\n"),
              ElementsAre("test.yaml:7:19: invalid value 'yes' for 'access_log': expected "
                          "true or false"));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      content_type: \"a\\nb\"\n"),
              ElementsAre(testing::HasSubstr("for 'content_type': not a valid header value")));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      max_header: 100\n"),
              ElementsAre(testing::StartsWith("test.yaml:7:19: ")));
  EXPECT_THAT(errors(std::string(kHttp) + "    http:\n      keepalive: 5s\n"),
              ElementsAre(testing::StartsWith("test.yaml:7:7: unknown key 'keepalive' in "
                                              "section 'http' of listener 'web'")));
}

// A file may hold any byte; an error message quoting it must not carry
// raw control characters or broken UTF-8 to a terminal or the journal.
TEST(ConfigErrors, MessagesShowUnprintableBytesEscaped) {
  const auto syntax = errors("listeners:\n  - name: \"x\\\xff\"\n");
  ASSERT_EQ(syntax.size(), 1u);
  EXPECT_THAT(syntax[0], testing::HasSubstr("unknown escape character: \\xff"));

  const auto named = [](std::string_view name) {
    return errors("listeners:\n  - name: " + std::string(name) +
                  "\n    protocol: echo\n    model: epoll\n    listen: 127.0.0.1:7007\n");
  };
  const auto value = named(R"("red\e[31m")");
  ASSERT_FALSE(value.empty());
  EXPECT_THAT(value[0], testing::HasSubstr("red\\x1b[31m"));

  // UTF-8 text stays as it is; a C1 control character (U+0080) does not.
  const auto utf8 = named(R"("caf\u00e9\x80")");
  ASSERT_FALSE(utf8.empty());
  EXPECT_THAT(utf8[0], testing::HasSubstr("caf\xc3\xa9\\xc2\\x80")) << utf8[0];
}

TEST(ConfigErrors, LineEchoKeysOnlyInLineMode) {
  EXPECT_THAT(errors(with("    echo:\n      prefix: \"> \"\n      max_line: 1KiB\n")),
              ElementsAre("test.yaml:7:7: 'prefix' applies only to echo mode line",
                          "test.yaml:8:7: 'max_line' applies only to echo mode line"));
  EXPECT_THAT(errors(with("    echo:\n      max_line: 1KiB\n      mode: raw\n")),
              ElementsAre("test.yaml:7:7: 'max_line' applies only to echo mode line"));
}

TEST(ConfigErrors, WorkersOnlyOnReactorModels) {
  for (const char* model : {"fork", "thread", "select"}) {
    EXPECT_THAT(errors(std::string(R"(listeners:
  - name: echo
    protocol: echo
    model: )") + model +
                       R"(
    listen: 127.0.0.1:7007
    workers: 2
)"),
                ElementsAre("test.yaml:6:5: 'workers' applies only to models "
                            "epoll, coroutine and io_uring"))
        << model;
  }
}

TEST(ConfigErrors, MissingRequiredKeys) {
  EXPECT_THAT(errors("listeners:\n  - name: lonely\n"),
              ElementsAre("test.yaml:2:5: listener 'lonely' is missing "
                          "required key 'protocol'",
                          "test.yaml:2:5: listener 'lonely' is missing "
                          "required key 'model'",
                          "test.yaml:2:5: listener 'lonely' is missing "
                          "required key 'listen'"));
  EXPECT_THAT(errors("listeners:\n  - {}\n"),
              ElementsAre("test.yaml:2:5: listener #1 is missing required "
                          "key 'name'",
                          "test.yaml:2:5: listener #1 is missing required "
                          "key 'protocol'",
                          "test.yaml:2:5: listener #1 is missing required "
                          "key 'model'",
                          "test.yaml:2:5: listener #1 is missing required "
                          "key 'listen'"));
}

// One cause, one message: the missing key is reported at its misspelling,
// right after the "did you mean", instead of at the listener's start.
TEST(ConfigErrors, MissingKeyNamesItsMisspelling) {
  EXPECT_THAT(errors(R"(listeners:
  - name: a
    protocol: echo
    modle: epoll
    listen: 127.0.0.1:7007
)"),
              ElementsAre("test.yaml:4:5: unknown key 'modle' in listener 'a'; "
                          "did you mean 'model'?",
                          "test.yaml:4:5: listener 'a' is missing required key "
                          "'model' ('modle' above looks like a misspelling of it)"));
}

TEST(ConfigErrors, EveryRequiredKeyNamesItsMisspelling) {
  EXPECT_THAT(errors(R"(listeners:
  - nmae: a
    protocl: echo
    mdoel: epoll
    lisen: 127.0.0.1:7007
)"),
              ElementsAre("test.yaml:2:5: unknown key 'nmae' in listener #1; "
                          "did you mean 'name'?",
                          "test.yaml:2:5: listener #1 is missing required key "
                          "'name' ('nmae' above looks like a misspelling of it)",
                          "test.yaml:3:5: unknown key 'protocl' in listener #1; "
                          "did you mean 'protocol'?",
                          "test.yaml:3:5: listener #1 is missing required key "
                          "'protocol' ('protocl' above looks like a misspelling "
                          "of it)",
                          "test.yaml:4:5: unknown key 'mdoel' in listener #1; "
                          "did you mean 'model'?",
                          "test.yaml:4:5: listener #1 is missing required key "
                          "'model' ('mdoel' above looks like a misspelling of it)",
                          "test.yaml:5:5: unknown key 'lisen' in listener #1; "
                          "did you mean 'listen'?",
                          "test.yaml:5:5: listener #1 is missing required key "
                          "'listen' ('lisen' above looks like a misspelling of "
                          "it)"));
}

TEST(ConfigErrors, MissingTopLevelKeyNamesItsMisspelling) {
  EXPECT_THAT(errors("log:\n  level: info\nlistenrs:\n  - name: echo\n"),
              ElementsAre("test.yaml:3:1: unknown key 'listenrs' at the top "
                          "level; did you mean 'listeners'?",
                          "test.yaml:3:1: missing required key 'listeners' "
                          "('listenrs' above looks like a misspelling of it)"));
}

TEST(ConfigErrors, OnlyAMissingKeyIsTiedToItsMisspelling) {
  // 'modle' is a misspelling of 'model', which is there: nothing is missing.
  // 'workrs' suggests 'workers', so the missing 'listen' stands alone.
  EXPECT_THAT(errors(R"(listeners:
  - name: a
    protocl: echo
    model: epoll
    modle: fork
    workrs: 2
)"),
              ElementsAre("test.yaml:2:5: listener 'a' is missing required key 'listen'",
                          "test.yaml:3:5: unknown key 'protocl' in listener 'a'; "
                          "did you mean 'protocol'?",
                          "test.yaml:3:5: listener 'a' is missing required key "
                          "'protocol' ('protocl' above looks like a misspelling of it)",
                          "test.yaml:5:5: unknown key 'modle' in listener 'a'; "
                          "did you mean 'model'?",
                          "test.yaml:6:5: unknown key 'workrs' in listener 'a'; "
                          "did you mean 'workers'?"));
}

TEST(ConfigErrors, TwoMisspellingsOfOneKeyNameTheFirst) {
  EXPECT_THAT(errors(R"(listeners:
  - name: a
    protocol: echo
    modle: epoll
    listen: 127.0.0.1:7007
    mdel: fork
)"),
              ElementsAre("test.yaml:4:5: unknown key 'modle' in listener 'a'; "
                          "did you mean 'model'?",
                          "test.yaml:4:5: listener 'a' is missing required key "
                          "'model' ('modle' above looks like a misspelling of it)",
                          "test.yaml:6:5: unknown key 'mdel' in listener 'a'; "
                          "did you mean 'model'?"));
}

TEST(ConfigErrors, ListenersRequiredAndNotEmpty) {
  EXPECT_THAT(errors(""), ElementsAre("test.yaml:1:1: the file is empty; 'listeners' is "
                                      "required"));
  EXPECT_THAT(errors("# only a comment\n"),
              ElementsAre("test.yaml:1:1: the file is empty; 'listeners' is "
                          "required"));
  EXPECT_THAT(errors("log:\n  level: info\n"),
              ElementsAre("test.yaml:1:1: missing required key 'listeners'"));
  EXPECT_THAT(errors("listeners:\n"), ElementsAre("test.yaml:1:1: 'listeners' needs at least one "
                                                  "listener"));
  EXPECT_THAT(errors("listeners: []\n"),
              ElementsAre("test.yaml:1:12: 'listeners' needs at least one "
                          "listener"));
}

TEST(ConfigErrors, ListenerNameFormat) {
  const std::string reason = "use 1-32 characters of a-z, 0-9, '_' and '-'";
  EXPECT_THAT(errors(R"(listeners:
  - name: Echo!
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
)"),
              ElementsAre("test.yaml:2:11: invalid value 'Echo!' for 'name': " + reason));
  const std::string long_name(33, 'a');
  EXPECT_THAT(
      errors("listeners:\n  - name: " + long_name +
             "\n    protocol: echo\n    model: epoll\n    listen: "
             "127.0.0.1:7007\n"),
      ElementsAre("test.yaml:2:11: invalid value '" + long_name + "' for 'name': " + reason));
  EXPECT_THAT(errors(R"(listeners:
  - name: ""
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
)"),
              ElementsAre("test.yaml:2:11: invalid value '' for 'name': " + reason));
}

TEST(ConfigErrors, DuplicateKeys) {
  EXPECT_THAT(errors(with("    model: fork\n")),
              ElementsAre("test.yaml:6:5: duplicate key 'model' (first at "
                          "line 4)"));
  EXPECT_THAT(errors(with("log:\n  level: info\nlog:\n  level: warn\n")),
              ElementsAre("test.yaml:8:1: duplicate key 'log' (first at line "
                          "6)"));
  EXPECT_THAT(errors(with("    echo: {mode: line, mode: raw}\n")),
              ElementsAre("test.yaml:6:24: duplicate key 'mode' (first at "
                          "line 6)"));
}

TEST(ConfigErrors, UnknownPrefixPlaceholder) {
  EXPECT_THAT(errors(with("    echo:\n      mode: line\n      prefix: \"{pdi} \"\n")),
              ElementsAre("test.yaml:8:15: invalid value '{pdi} ' for "
                          "'prefix': unknown placeholder '{pdi}' in prefix; "
                          "valid: {pid}, {thread}, {listener}, {peer}"));
}

TEST(ConfigErrors, EveryErrorIsReportedInFileOrder) {
  EXPECT_THAT(errors(R"(defaults:
  idle_timeout: 30
listeners:
  - name: echo
    protocol: echo
    model: fork
    listen: 127.0.0.1:7007
    workers: 4
  - name: echo
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7008
)"),
              ElementsAre("test.yaml:2:17: invalid value '30' for "
                          "'idle_timeout': duration needs a unit: ms, s, m, h",
                          "test.yaml:8:5: 'workers' applies only to models "
                          "epoll, coroutine and io_uring",
                          "test.yaml:9:11: duplicate listener name 'echo' "
                          "(first at line 4)"));
}

TEST(ConfigErrors, BrokenListenerDoesNotHideOthers) {
  EXPECT_THAT(errors(R"(listeners:
  - 42
  - name: a
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
    read_timeout: soon
  - name: b
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
)"),
              ElementsAre("test.yaml:2:5: listener #1 must be a mapping, not "
                          "a scalar",
                          "test.yaml:7:19: invalid value 'soon' for "
                          "'read_timeout': expected a number at 'soon'",
                          "test.yaml:11:13: address 127.0.0.1:7007 conflicts "
                          "with listener 'a' on 127.0.0.1:7007 (line 3)"));
}

// ---- real files -------------------------------------------------------

std::string data_file(std::string_view name) {
  return std::string(NETCOOK_TEST_DATA) + "/" + std::string(name);
}

TEST(LoadConfigFile, MissingFile) {
  const auto result = load_config("/nonexistent/netcookd.yaml");
  EXPECT_FALSE(result.config);
  EXPECT_THAT(texts(result), ElementsAre("/nonexistent/netcookd.yaml: cannot read: No such "
                                         "file or directory"));
}

TEST(LoadConfigFile, Directory) {
  const auto result = load_config(NETCOOK_TEST_DATA);
  EXPECT_THAT(texts(result),
              ElementsAre(std::string(NETCOOK_TEST_DATA) + ": cannot read: Is a directory"));
}

TEST(LoadConfigFile, TemporaryFile) {
  const auto path = testing::TempDir() + "netcookd_config_test.yaml";
  std::ofstream(path) << kListener;
  auto result = load_config(path);
  ASSERT_TRUE(result.config) << testing::PrintToString(texts(result));
  EXPECT_EQ(result.config->path, path);
  EXPECT_EQ(result.config->listeners.at(0).name, "echo");

  std::ofstream(path) << with("    workers: lots\n");
  result = load_config(path);
  EXPECT_THAT(texts(result), ElementsAre(path + ":6:14: invalid value 'lots' for 'workers': "
                                                "expected an integer"));
  std::remove(path.c_str());
}

TEST(LoadConfigFile, EverySectionAndKey) {
  const auto path = data_file("full.yaml");
  const auto result = load_config(path);
  ASSERT_TRUE(result.config) << testing::PrintToString(texts(result));
  const auto& config = *result.config;
  EXPECT_EQ(config.log, (LogOptions{LogLevel::debug, LogTarget::stderr_}));
  const Limits defaults{2048, 90s, 10s, 0s, std::size_t{1} << 20, true, {}};
  EXPECT_EQ(config.defaults, defaults);
  ASSERT_EQ(config.listeners.size(), 4u);

  const auto& echo = config.listeners[0];
  EXPECT_EQ(echo.workers, 4u);
  EXPECT_EQ(echo.limits, defaults);
  EXPECT_EQ(echo.echo, (EchoOptions{EchoMode::line, "[{pid}/{thread}] {listener} {peer}: ", 4096}));

  const auto& chat = config.listeners[1];
  EXPECT_EQ(chat.protocol, Protocol::chat);
  EXPECT_EQ(chat.model, Model::select);
  EXPECT_EQ(chat.listen.to_string(), "[::1]:7008");
  EXPECT_EQ(chat.limits.max_connections, 100u);
  EXPECT_EQ(chat.limits.idle_timeout, 90s);

  const auto& web = config.listeners[2];
  EXPECT_EQ(web.protocol, Protocol::http);
  EXPECT_EQ(web.model, Model::coroutine);
  EXPECT_EQ(web.listen.kind, net::Address::Kind::any);
  EXPECT_EQ(web.limits.idle_timeout, 30s);
  EXPECT_EQ(web.limits.max_connections, 2048u);
  EXPECT_TRUE(web.limits.log_connections);

  const auto& local = config.listeners[3];
  EXPECT_EQ(local.name, "local-echo_2");
  EXPECT_EQ(local.model, Model::fork);
  EXPECT_EQ(local.listen.to_string(), "unix:/run/netcookd/echo.sock");
  EXPECT_EQ(local.mark.line, 34);
}

TEST(LoadConfigFile, ManyErrors) {
  const auto path = data_file("errors.yaml");
  EXPECT_THAT(texts(load_config(path)),
              ElementsAre(path + ":2:10: unknown log level 'loud'; valid: trace, "
                                 "debug, info, warn, error",
                          path + ":4:17: invalid value '30' for 'idle_timeout': "
                                 "duration needs a unit: ms, s, m, h",
                          path + ":9:13: invalid value 'localhost:7007' for 'listen': "
                                 "'localhost' is not a numeric address (no DNS "
                                 "names); use IPv4:port, [IPv6]:port, *:port or "
                                 "unix:/path",
                          path + ":10:5: 'workers' applies only to models epoll, "
                                 "coroutine and io_uring"));
}

// ---- pieces other layers reuse ---------------------------------------

bool valid_prefix(std::string_view prefix) {
  std::string error;
  return is_valid_prefix(prefix, error);
}

TEST(Prefix, KnownPlaceholdersAndPlainBraces) {
  EXPECT_TRUE(valid_prefix(""));
  EXPECT_TRUE(valid_prefix("> "));
  EXPECT_TRUE(valid_prefix("[{pid}/{thread}] {listener} {peer}: "));
  EXPECT_TRUE(valid_prefix("{pid}{pid}"));
  EXPECT_TRUE(valid_prefix("{"));
  EXPECT_TRUE(valid_prefix("{}"));
  EXPECT_TRUE(valid_prefix("}{"));
  EXPECT_TRUE(valid_prefix("{ pid }"));
  EXPECT_TRUE(valid_prefix("{{pid}}"));
  EXPECT_TRUE(valid_prefix("{pid"));
}

TEST(Prefix, OtherWordsAreRejected) {
  std::string error;
  EXPECT_FALSE(is_valid_prefix("{pid} {host}", error));
  EXPECT_EQ(error,
            "unknown placeholder '{host}' in prefix; valid: {pid}, {thread}, "
            "{listener}, {peer}");
  EXPECT_FALSE(valid_prefix("{PID}"));
  EXPECT_FALSE(valid_prefix("{pid_}"));
  EXPECT_FALSE(valid_prefix("{{peer}{x}"));
}

TEST(Prefix, NextPlaceholder) {
  const std::string_view text = "a{pid}b{ x }{peer}";
  auto first = next_placeholder(text);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->position, 1u);
  EXPECT_EQ(first->word, "pid");
  EXPECT_EQ(first->size(), 5u);
  auto second = next_placeholder(text, first->position + first->size());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->position, 12u);
  EXPECT_EQ(second->word, "peer");
  EXPECT_FALSE(next_placeholder(text, 13));
}

TEST(Suggest, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("idle_timout", "idle_timeout"), 1u);
  EXPECT_EQ(edit_distance("lsiten", "listen"), 2u);
}

TEST(Suggest, Nearest) {
  constexpr std::array<std::string_view, 4> keys{"name", "model", "listen", "idle_timeout"};
  EXPECT_EQ(nearest("idle_timout", keys), "idle_timeout");
  EXPECT_EQ(nearest("modle", keys), "model");
  EXPECT_EQ(nearest("nmae", keys), "name");
  EXPECT_EQ(nearest("zzzzzzzz", keys), std::nullopt);
  // A short word is not "close" to everything.
  EXPECT_EQ(nearest("x", keys), std::nullopt);
  EXPECT_EQ(nearest("nam", keys), "name");
  constexpr std::array<std::string_view, 2> tie{"ab", "ac"};
  EXPECT_EQ(nearest("aa", tie), "ab");
  EXPECT_EQ(join(keys), "name, model, listen, idle_timeout");
}

TEST(ListenerName, Format) {
  EXPECT_TRUE(is_valid_listener_name("echo"));
  EXPECT_TRUE(is_valid_listener_name("a-b_c-9"));
  EXPECT_TRUE(is_valid_listener_name(std::string(32, 'z')));
  EXPECT_FALSE(is_valid_listener_name(""));
  EXPECT_FALSE(is_valid_listener_name(std::string(33, 'z')));
  EXPECT_FALSE(is_valid_listener_name("Echo"));
  EXPECT_FALSE(is_valid_listener_name("a.b"));
  EXPECT_FALSE(is_valid_listener_name("a b"));
}

}  // namespace
}  // namespace netcook::config
