// model::ConnectionCore without a socket: events in (open, received,
// sent, peer_finished, failed, expire, deliver, end), and what it wants
// next, its deadline and its close reason out; time is whatever the test
// says it is.

#include "model/connection_core.hpp"
#include "model/peer_vetting.hpp"

#include <cerrno>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

namespace netcook::model {
namespace {

using namespace std::chrono_literals;

// Line echo: a line comes back with a newline; "quit" answers "bye" and
// ends the conversation; "boom" throws. Its last words name the ending
// ("timeout" for a read timeout).
class LineSession final : public proto::Session {
 public:
  void open(proto::Outbox& out) override { out.append("hello\n"); }
  void receive(std::string_view data, proto::Outbox& out) override {
    for (const char c : data) {
      if (c != '\n') {
        line_ += c;
        continue;
      }
      if (line_ == "boom") throw std::runtime_error("boom");
      out.append(line_ == "quit" ? "bye\n" : line_ + "\n");
      if (line_ == "quit") close_after_flush();
      line_.clear();
    }
  }
  bool partial() const noexcept override { return !line_.empty(); }
  void last_words(proto::Ending why, proto::Outbox& out) override {
    switch (why) {
      case proto::Ending::read_timeout:
        out.append("timeout\n");
        return;
      case proto::Ending::idle_timeout:
        out.append("idle\n");
        return;
      case proto::Ending::shutdown:
        out.append("shutdown\n");
        return;
      case proto::Ending::listener_removed:
        out.append("removed\n");
        return;
      case proto::Ending::outbox_overflow:
        out.append("unread\n");
        return;
    }
  }

 private:
  std::string line_;
};

// Line echo paced by the core: a token per line; refused one, it holds the
// rest until resume().
class PacedLineSession final : public proto::Session {
 public:
  explicit PacedLineSession(proto::Pacer* pacer) : pacer_(pacer) {}
  void receive(std::string_view data, proto::Outbox& out) override {
    held_ += data;
    resume(out);
  }
  bool holding() const noexcept override { return holding_; }
  void resume(proto::Outbox& out) override {
    holding_ = false;
    for (auto newline = held_.find('\n'); newline != std::string::npos;
         newline = held_.find('\n')) {
      if (!pacer_->take()) {
        holding_ = true;
        return;
      }
      out.append(held_.substr(0, newline + 1));
      held_.erase(0, newline + 1);
    }
  }
  bool partial() const noexcept override { return !held_.empty(); }
  void last_words(proto::Ending why, proto::Outbox& out) override {
    out.append(why == proto::Ending::read_timeout ? "timeout\n" : "ended\n");
  }

 private:
  proto::Pacer* pacer_;
  std::string held_;
  bool holding_ = false;
};

class ConnectionCoreTest : public testing::Test {
 protected:
  ConnectionCoreTest() {
    protocol_.make_session = [](const proto::SessionContext&) {
      return std::make_unique<LineSession>();
    };
    limits_.idle_timeout = 10s;
    limits_.read_timeout = 2s;
    limits_.max_outbox = 64;
    log_->set_pattern("%l: %v");
    log_->set_level(spdlog::level::trace);
  }

  // Lines paced at `count` a second, `burst` at once.
  void pace(std::uint32_t count, std::uint32_t burst) {
    protocol_.make_session = [](const proto::SessionContext& context) {
      if (context.pacer == nullptr) throw std::logic_error("no pacer");
      return std::make_unique<PacedLineSession>(context.pacer);
    };
    protocol_.input_rate = {count, 1s, burst};
  }

  // A connection opened at t0 (its greeting written).
  std::unique_ptr<ConnectionCore> open() {
    auto core = std::make_unique<ConnectionCore>(
        ConnectionCore::Setup{
            protocol_, limits_, *log_, "test", 7, "192.0.2.1:5", "192.0.2.1", 1, "test/w0", {}},
        nullptr, t0_);
    core->open(t0_);
    write_all(*core, t0_);
    return core;
  }

  // Takes everything the Outbox holds, as a writer that keeps up would.
  static std::string write_all(ConnectionCore& core, Clock::time_point now) {
    std::string written(core.outbox().pending());
    core.outbox().consume(written.size());
    core.sent(written.size(), now);
    return written;
  }

  std::string log() const { return text_.str(); }

  proto::Protocol protocol_;
  config::Limits limits_;
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> log_ = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_st>(text_));
  const Clock::time_point t0_ = Clock::time_point() + 1h;
};

TEST_F(ConnectionCoreTest, AnswersAndCountsBothWays) {
  auto core = open();
  EXPECT_TRUE(core->wants_read());
  EXPECT_FALSE(core->wants_write());
  core->received("hi\n", t0_ + 1s);
  EXPECT_TRUE(core->wants_write());
  EXPECT_EQ(write_all(*core, t0_ + 1s), "hi\n");
  EXPECT_EQ(core->bytes_in(), 3u);
  EXPECT_EQ(core->bytes_out(), 9u);             // "hello\n" and "hi\n"
  // The bytes written go to the listener's counters a second after the
  // first batch (the bytes read, at t0_ + 1s), even if nothing moves then.
  EXPECT_EQ(core->deadline(), t0_ + 2s);
  core->expire(t0_ + 2s);
  EXPECT_FALSE(core->closed());
  EXPECT_EQ(core->deadline(), t0_ + 1s + 10s);  // idle, from the last byte
}

TEST_F(ConnectionCoreTest, PeerEndClosesOnceEverythingOwedIsWritten) {
  auto core = open();
  core->received("last\n", t0_);
  core->peer_finished();
  EXPECT_FALSE(core->wants_read());
  EXPECT_FALSE(core->closed());  // "last\n" is still owed
  write_all(*core, t0_);
  EXPECT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::peer_closed);
}

TEST_F(ConnectionCoreTest, SessionThatEndsTheConversation) {
  auto core = open();
  core->received("quit\n", t0_);
  EXPECT_FALSE(core->wants_read());
  EXPECT_EQ(write_all(*core, t0_), "bye\n");
  EXPECT_EQ(core->reason(), CloseReason::session_closed);
}

// The session's last words get kDrainTime to leave.
TEST_F(ConnectionCoreTest, IdleTimeout) {
  auto core = open();
  core->expire(t0_ + 9s);
  EXPECT_FALSE(core->closed());
  core->expire(t0_ + 10s);
  EXPECT_FALSE(core->wants_read());
  EXPECT_EQ(core->deadline(), t0_ + 10s + kDrainTime);
  EXPECT_EQ(write_all(*core, t0_ + 10s), "idle\n");
  EXPECT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::idle_timeout);
  EXPECT_EQ(core->deadline(), Clock::time_point::max());
}

// Bytes written to the peer are activity too (a chat member who only
// reads is not idle).
TEST_F(ConnectionCoreTest, WritingKeepsItFromBeingIdle) {
  auto core = open();
  EXPECT_TRUE(core->deliver("news\n"));
  core->sent(0, t0_ + 8s);  // nothing taken: no activity
  EXPECT_EQ(core->deadline(), t0_ + 10s);
  EXPECT_EQ(write_all(*core, t0_ + 8s), "news\n");
  EXPECT_EQ(core->deadline(), t0_ + 8s + 10s);
  core->expire(t0_ + 10s);
  EXPECT_FALSE(core->closed());
  EXPECT_TRUE(core->wants_read());
}

// A partial line must complete within read_timeout; the session's last
// words then get kDrainTime to leave.
TEST_F(ConnectionCoreTest, ReadTimeoutGivesTheLastWordsTheirDrain) {
  auto core = open();
  core->received("unfinis", t0_ + 1s);
  EXPECT_EQ(core->deadline(), t0_ + 1s + 2s);
  core->received("hed", t0_ + 2s);  // still partial: the deadline stays
  EXPECT_EQ(core->deadline(), t0_ + 3s);
  core->expire(t0_ + 3s);
  EXPECT_FALSE(core->closed());
  EXPECT_FALSE(core->wants_read());
  EXPECT_TRUE(core->wants_write());
  EXPECT_EQ(core->deadline(), t0_ + 3s + kDrainTime);
  EXPECT_EQ(write_all(*core, t0_ + 3s), "timeout\n");
  EXPECT_EQ(core->reason(), CloseReason::read_timeout);
  EXPECT_TRUE(core->closed());
}

TEST_F(ConnectionCoreTest, LastWordsNobodyReadsCloseAtTheDrainDeadline) {
  auto core = open();
  core->received("x", t0_);
  core->expire(t0_ + 2s);
  core->expire(t0_ + 2s + kDrainTime - 1ms);
  EXPECT_FALSE(core->closed());
  core->expire(t0_ + 2s + kDrainTime);
  EXPECT_EQ(core->reason(), CloseReason::read_timeout);
  EXPECT_TRUE(core->closed());
  EXPECT_NE(log().find("closing connection 7: its request did not complete in 2s"),
            std::string::npos);
}

TEST_F(ConnectionCoreTest, SessionExceptionIsLoggedAtError) {
  auto core = open();
  core->received("boom\n", t0_);
  EXPECT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::session_error);
  EXPECT_NE(log().find("error: connection 7 from 192.0.2.1:5 failed: boom"), std::string::npos);
}

// An overflowing Outbox ends the connection: the line being written stays,
// the rest goes, the last words follow without waiting.
TEST_F(ConnectionCoreTest, BackpressureThenOverflow) {
  auto core = open();
  EXPECT_TRUE(core->deliver(std::string(39, 'a') + "\n"));
  core->outbox().consume(10);       // the first line is being written
  EXPECT_TRUE(core->wants_read());  // below max_outbox
  EXPECT_TRUE(core->deliver(std::string(33, 'b') + "\n"));
  EXPECT_FALSE(core->wants_read());  // at max_outbox: no more reading
  EXPECT_FALSE(core->deliver("f\n"));
  EXPECT_EQ(core->reason(), CloseReason::outbox_overflow);
  EXPECT_EQ(core->deadline(), t0_);  // no drain
  EXPECT_EQ(core->outbox().pending(), std::string(29, 'a') + "\nunread\n");
  EXPECT_FALSE(core->deliver("g\n"));  // nothing after the last words
  core->expire(t0_);
  EXPECT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::outbox_overflow);
  EXPECT_TRUE(core->outbox().empty());
}

TEST_F(ConnectionCoreTest, HeldReadingIsNotRead) {
  auto core = open();
  core->hold_reading(true);
  EXPECT_FALSE(core->wants_read());
  core->hold_reading(false);
  EXPECT_TRUE(core->wants_read());
}

TEST_F(ConnectionCoreTest, FailuresSayWhoEndedIt) {
  for (const auto& [error, reason] :
       {std::pair{ECONNRESET, CloseReason::peer_reset}, std::pair{EPIPE, CloseReason::peer_reset},
        std::pair{EIO, CloseReason::io_error}}) {
    auto core = open();
    core->failed(error);
    EXPECT_EQ(core->reason(), reason) << error;
  }
}

// A timeout decided the end: a failure writing the last words keeps it.
TEST_F(ConnectionCoreTest, AFailureWhileEndingKeepsTheDecidedReason) {
  auto core = open();
  core->received("x", t0_);
  core->expire(t0_ + 2s);
  core->failed(EPIPE);
  EXPECT_EQ(core->reason(), CloseReason::read_timeout);
}

// The session's last words come after what it owed, and get what the
// socket takes at once.
TEST_F(ConnectionCoreTest, TheServerEndsItWithoutWaiting) {
  auto core = open();
  EXPECT_EQ(core->reason(), CloseReason::shutdown);  // nothing decided yet
  core->received("owed\n", t0_);
  core->end(CloseReason::listener_removed, t0_ + 1s);
  EXPECT_EQ(core->deadline(), t0_ + 1s);
  EXPECT_EQ(core->outbox().pending(), "owed\nremoved\n");
  EXPECT_FALSE(core->deliver("late\n"));
  core->expire(t0_ + 1s);
  EXPECT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::listener_removed);
}

TEST_F(ConnectionCoreTest, ShutdownLastWords) {
  auto core = open();
  core->end(CloseReason::shutdown, t0_);
  EXPECT_EQ(write_all(*core, t0_), "shutdown\n");
  EXPECT_TRUE(core->closed());
}

// A conversation already over (the peer's end of file) hears nothing more.
TEST_F(ConnectionCoreTest, NoLastWordsAfterThePeerEnded) {
  auto core = open();
  core->received("owed\n", t0_);
  core->peer_finished();
  core->end(CloseReason::shutdown, t0_);
  EXPECT_EQ(core->outbox().pending(), "owed\n");
}

TEST_F(ConnectionCoreTest, LogsItsStartAndItsEnd) {
  {
    auto core = open();
    core->received("hi\n", t0_ + 1500ms);
    write_all(*core, t0_ + 1500ms);
    core->peer_finished();
  }
  EXPECT_NE(log().find("debug: connection from 192.0.2.1:5"), std::string::npos) << log();
  EXPECT_NE(log().find("debug: connection 7 from 192.0.2.1:5 closed: peer_closed after 1s500ms "
                       "(3 bytes in, 9 bytes out)"),
            std::string::npos)
      << log();
}

// log_connections puts the end line at info; without it, a logger at info
// says nothing of the connection.
TEST_F(ConnectionCoreTest, LogConnectionsLogsTheEndAtInfo) {
  log_->set_level(spdlog::level::info);
  { auto quiet = open(); }
  EXPECT_EQ(log(), "");
  limits_.log_connections = true;
  {
    auto core = open();
    core->received("hi\n", t0_ + 2s);
    write_all(*core, t0_ + 2s);
    core->peer_finished();
  }
  EXPECT_EQ(log(),
            "info: connection 7 from 192.0.2.1:5 closed: peer_closed after 2s (3 bytes in, 9 bytes "
            "out)\n");
}

// Records what it hears last: closed() with the reason, then its end.
// "throw" as the reason makes closed() throw.
class ClosingSession final : public proto::Session {
 public:
  ClosingSession(std::vector<std::string>& heard, bool throws) : heard_(heard), throws_(throws) {}
  ~ClosingSession() override { heard_.push_back("destroyed"); }
  void receive(std::string_view, proto::Outbox&) override {}
  void closed(metrics::CloseReason why) override {
    heard_.emplace_back(metrics::to_string(why));
    if (throws_) throw std::runtime_error("cannot say goodbye");
  }

 private:
  std::vector<std::string>& heard_;
  const bool throws_;
};

TEST_F(ConnectionCoreTest, SessionHearsWhyItClosedOnceBeforeItGoes) {
  for (const bool throws : {false, true}) {
    SCOPED_TRACE(throws ? "closed() throws" : "closed() returns");
    std::vector<std::string> heard;
    protocol_.make_session = [&heard, throws](const proto::SessionContext&) {
      return std::make_unique<ClosingSession>(heard, throws);
    };
    auto core = open();
    core->peer_finished();
    ASSERT_TRUE(core->closed());
    EXPECT_TRUE(heard.empty()) << "told before the core goes";
    core.reset();
    EXPECT_EQ(heard, (std::vector<std::string>{"peer_closed", "destroyed"}));
    // A session that throws there is logged; the connection's end still is.
    EXPECT_EQ(log().find("failed: cannot say goodbye") != std::string::npos, throws) << log();
    EXPECT_NE(log().find("closed: peer_closed"), std::string::npos) << log();
  }
}

// Flood control: lines beyond the burst wait for their tokens, with the
// socket not read meanwhile; the core wakes the session when one is due.
TEST_F(ConnectionCoreTest, PacedInputIsHeldAndResumedAtTheRate) {
  pace(10, 2);
  auto core = open();
  core->received("a\nb\nc\nd\n", t0_);
  EXPECT_EQ(write_all(*core, t0_), "a\nb\n");
  EXPECT_FALSE(core->wants_read());
  EXPECT_EQ(core->deadline(), t0_ + 100ms);
  core->expire(t0_ + 100ms);
  EXPECT_EQ(write_all(*core, t0_ + 100ms), "c\n");
  EXPECT_FALSE(core->wants_read());
  EXPECT_EQ(core->deadline(), t0_ + 200ms);
  core->expire(t0_ + 250ms);  // late: the token due at 200ms is there
  EXPECT_EQ(write_all(*core, t0_ + 250ms), "d\n");
  EXPECT_TRUE(core->wants_read());
  EXPECT_FALSE(core->closed());
}

// Early expiries (a model's timer, a byte count) resume nothing.
TEST_F(ConnectionCoreTest, PacedInputWaitsForItsToken) {
  pace(10, 1);
  auto core = open();
  core->received("a\nb\n", t0_);
  EXPECT_EQ(write_all(*core, t0_), "a\n");
  core->expire(t0_ + 50ms);
  EXPECT_TRUE(core->outbox().empty());
  EXPECT_FALSE(core->wants_read());
  core->expire(t0_ + 100ms);
  EXPECT_EQ(write_all(*core, t0_ + 100ms), "b\n");
}

// Held input is our doing: its incomplete line does not run the read
// timeout, and the wait is not idleness; once resumed, the read timeout
// runs anew for what is still incomplete.
TEST_F(ConnectionCoreTest, HeldInputIsNeitherSlowNorIdle) {
  pace(1, 1);
  limits_.idle_timeout = 800ms;  // shorter than a token's wait
  auto core = open();
  core->received("a\nb\nc\nd", t0_);
  EXPECT_EQ(write_all(*core, t0_), "a\n");
  for (auto now = t0_ + 500ms; now < t0_ + 2s + 500ms; now += 500ms) core->expire(now);
  EXPECT_FALSE(core->closed());
  EXPECT_EQ(write_all(*core, t0_ + 2s), "b\nc\n");
  EXPECT_TRUE(core->wants_read());
  EXPECT_EQ(core->deadline(), t0_ + 2s + 800ms);  // idle, from the last resume
  core->received("\n", t0_ + 2500ms);  // the next token is due at 3s
  EXPECT_FALSE(core->wants_read());
  EXPECT_EQ(core->deadline(), t0_ + 3s);
  core->expire(t0_ + 3s);
  EXPECT_EQ(write_all(*core, t0_ + 3s), "d\n");
  EXPECT_FALSE(core->closed());
}

// A paced partial line still gets the read timeout once nothing is held.
TEST_F(ConnectionCoreTest, ReadTimeoutRunsAgainOnceResumed) {
  pace(1, 1);
  auto core = open();
  core->received("a\nb\nunfinished", t0_);
  EXPECT_EQ(write_all(*core, t0_), "a\n");
  core->expire(t0_ + 1900ms);  // held: read_timeout (2s) does not run
  EXPECT_EQ(write_all(*core, t0_ + 1900ms), "b\n");
  EXPECT_TRUE(core->wants_read());
  core->expire(t0_ + 3s);
  EXPECT_FALSE(core->closed());
  EXPECT_TRUE(core->outbox().empty());
  core->expire(t0_ + 3900ms);  // 2s after the resume
  EXPECT_EQ(write_all(*core, t0_ + 3900ms), "timeout\n");
  EXPECT_EQ(core->reason(), CloseReason::read_timeout);
}

// The server may end a held connection like any other.
TEST_F(ConnectionCoreTest, AHeldConnectionEndsLikeAnyOther) {
  pace(1, 1);
  auto core = open();
  core->received("a\nb\n", t0_);
  EXPECT_EQ(write_all(*core, t0_), "a\n");
  core->end(CloseReason::shutdown, t0_ + 10ms);
  EXPECT_EQ(write_all(*core, t0_ + 10ms), "ended\n");
  EXPECT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::shutdown);
}

// Without an input_rate a session has no Pacer.
TEST_F(ConnectionCoreTest, NoInputRateNoPacer) {
  proto::Pacer* seen = reinterpret_cast<proto::Pacer*>(1);
  protocol_.make_session = [&seen](const proto::SessionContext& context) {
    seen = context.pacer;
    return std::make_unique<LineSession>();
  };
  auto core = open();
  EXPECT_EQ(seen, nullptr);
}

// The listener's side of a preamble: admits every peer a PROXY header
// names and records the failures it is told of.
class RecordingVetting final : public PeerVetting {
 public:
  struct Report {
    CloseReason reason;
    std::string peer;
    std::string why;
  };
  SourceGuard::Verdict vet(const net::IpAddress&, const std::string&, Clock::time_point) override {
    return {};
  }
  void preamble_failed(CloseReason reason, const std::string& peer, const std::string& why,
                       Clock::time_point) noexcept override {
    reports.push_back({reason, peer, why});
  }
  const std::string& refusal(CloseReason) const noexcept override { return none_; }

  std::vector<Report> reports;

 private:
  std::string none_;
};

class TlsPreambleTest : public ConnectionCoreTest {
 protected:
  TlsPreambleTest() {
    protocol_.make_session = [this](const proto::SessionContext&) {
      ++sessions_;
      return std::make_unique<LineSession>();
    };
  }

  // A TLS connection accepted at t0, `proxied`: its peer sends a PROXY
  // header first.
  std::unique_ptr<ConnectionCore> accept(bool proxied = false) {
    ConnectionCore::Setup setup{
        protocol_, limits_, *log_, "test", 7, "192.0.2.1:5", "192.0.2.1", 1, "test/w0", {}};
    setup.vetting = &vetting_;
    setup.proxy_header = proxied;
    setup.handshake_timeout = 5s;
    auto core = std::make_unique<ConnectionCore>(std::move(setup), nullptr, t0_);
    core->open(t0_);  // as the models do: nothing until the session exists
    return core;
  }

  static Secured tls13() { return {"TLSv1.3", "TLS_AES_128_GCM_SHA256", "", "CN=alice"}; }

  RecordingVetting vetting_;
  int sessions_ = 0;
};

// Nothing is read for the session, written or made until the handshake is
// done; then the session is made and greets.
TEST_F(TlsPreambleTest, TheSessionComesAfterTheHandshake) {
  auto core = accept();
  EXPECT_TRUE(core->awaiting_handshake());
  EXPECT_FALSE(core->awaiting_header());
  EXPECT_FALSE(core->wants_read());
  EXPECT_FALSE(core->wants_write());
  EXPECT_EQ(core->deadline(), t0_ + 5s);
  EXPECT_EQ(sessions_, 0);
  core->handshake_done(tls13(), t0_ + 1s);
  EXPECT_FALSE(core->awaiting_handshake());
  EXPECT_EQ(sessions_, 1);
  EXPECT_EQ(write_all(*core, t0_ + 1s), "hello\n");
  core->received("hi\n", t0_ + 2s);
  EXPECT_EQ(write_all(*core, t0_ + 2s), "hi\n");
  EXPECT_EQ(core->deadline(), t0_ + 3s);  // the bytes' count, then idle
  EXPECT_TRUE(vetting_.reports.empty());
}

TEST_F(TlsPreambleTest, TheEndLineNamesTheVersion) {
  limits_.log_connections = true;
  {
    auto core = accept();
    core->handshake_done(tls13(), t0_);
    write_all(*core, t0_);
    core->peer_finished();
    EXPECT_TRUE(core->ended_cleanly());
  }
  EXPECT_NE(log().find("TLSv1.3 established (TLS_AES_128_GCM_SHA256, client CN=alice)"),
            std::string::npos)
      << log();
  EXPECT_NE(log().find("closed: peer_closed after 0s (0 bytes in, 6 bytes out over TLSv1.3)"),
            std::string::npos)
      << log();
}

TEST_F(TlsPreambleTest, AHandshakeNotDoneInTimeIsRefused) {
  auto core = accept();
  core->expire(t0_ + 4999ms);
  EXPECT_FALSE(core->closed());
  core->expire(t0_ + 5s);
  ASSERT_TRUE(core->closed());
  EXPECT_EQ(core->reason(), CloseReason::tls_handshake);
  EXPECT_FALSE(core->ended_cleanly());
  ASSERT_EQ(vetting_.reports.size(), 1u);
  EXPECT_EQ(vetting_.reports[0].reason, CloseReason::tls_handshake);
  EXPECT_EQ(vetting_.reports[0].peer, "192.0.2.1:5");
  EXPECT_EQ(vetting_.reports[0].why, "not done within handshake_timeout 5s");
  EXPECT_EQ(sessions_, 0);
}

TEST_F(TlsPreambleTest, AFailedHandshakeIsReportedOnceWithItsReason) {
  {
    auto core = accept();
    core->handshake_failed("wrong version number", t0_ + 10ms);
    core->handshake_failed("again", t0_ + 20ms);  // closed: nothing more
    EXPECT_EQ(core->reason(), CloseReason::tls_handshake);
    core->expire(t0_ + 1h);
  }
  ASSERT_EQ(vetting_.reports.size(), 1u);
  EXPECT_EQ(vetting_.reports[0].why, "wrong version number");
  EXPECT_EQ(sessions_, 0);
  EXPECT_NE(log().find("connection 7 from 192.0.2.1:5 refused: tls_handshake"), std::string::npos)
      << log();
}

// The server ends it during the handshake: nothing to say, closed at once.
TEST_F(TlsPreambleTest, EndedDuringTheHandshake) {
  auto core = accept();
  core->end(CloseReason::shutdown, t0_ + 1s);
  EXPECT_TRUE(core->closed());
  EXPECT_FALSE(core->wants_write());
  EXPECT_EQ(sessions_, 0);
}

// Shown what the socket holds, the core takes exactly the PROXY header
// (the ClientHello behind it is the transport's) and times the handshake
// from the header's end.
TEST_F(TlsPreambleTest, TheProxyHeaderComesFirstAndIsTakenExactly) {
  auto core = accept(true);
  EXPECT_TRUE(core->awaiting_header());
  EXPECT_TRUE(core->wants_read());
  const std::string header = "PROXY TCP4 198.51.100.7 192.0.2.9 4000 443\r\n";
  EXPECT_EQ(core->header_part("PROXY TCP4 198.5", t0_ + 1s), 16u);  // all of it: incomplete
  EXPECT_TRUE(core->awaiting_header());
  const std::string rest = header.substr(16) + "\x16\x03\x01";
  EXPECT_EQ(core->header_part(rest, t0_ + 2s), header.size() - 16);
  EXPECT_TRUE(core->awaiting_handshake());
  EXPECT_EQ(core->peer(), "198.51.100.7:4000");
  EXPECT_EQ(core->bytes_in(), header.size());
  EXPECT_EQ(core->deadline(), t0_ + 2s + 5s);
  core->handshake_done(tls13(), t0_ + 3s);
  EXPECT_EQ(sessions_, 1);
  EXPECT_EQ(write_all(*core, t0_ + 3s), "hello\n");
}

TEST_F(TlsPreambleTest, AMalformedHeaderIsAProxyHeaderRefusal) {
  auto core = accept(true);
  EXPECT_EQ(core->header_part("GET / HTTP/1.1\r\n", t0_), 0u);
  EXPECT_EQ(core->reason(), CloseReason::proxy_header);
  ASSERT_EQ(vetting_.reports.size(), 1u);
  EXPECT_EQ(vetting_.reports[0].reason, CloseReason::proxy_header);
}

}  // namespace
}  // namespace netcook::model
