// TLS on every listener (netcookd.yaml(5), TLS) through the real daemon,
// with real clients: `openssl s_client` and `curl`.
//
// Under every model, daemons with a plain echo listener beside three TLS
// ones: echo (20 KB back unchanged, TLS 1.3 and 1.2), chat (the greeting
// and a member's lines to another) and http (a static file, keep-alive on
// one connection, ALPN http/1.1, Range, ETag and If-None-Match, pipelined
// requests, a file large enough to leave by sendfile(2) or a buffer).
// Under every model too: a stalled handshake cut after handshake_timeout,
// counted and logged once for the burst; random bytes, a garbled record and
// a truncated real ClientHello closed while the next client is served; a
// reload to a new certificate seen by a new connection while an open one
// keeps echoing, and a reload to a mismatched key keeping the old context
// and naming FILE:LINE:COLUMN; client certificates required (refused
// without, served with, the subject and version in the journal). Once:
// TLS 1.0 and 1.1 refused, min_version "1.3" refusing 1.2; --check-config
// on a mismatched key and on a certificate about to expire.
//
// The certificates come from a private CA made once for the run
// (tests/lib/test_pki.hpp). openssl and curl must be in $PATH (Debian
// Build-Depends: openssl, curl): without them the suite fails, it does not
// skip. s_client verifies the daemon's chain against the CA and its
// certificate against 127.0.0.1 (-verify_ip); curl does the same.

#include "client.hpp"
#include "config_text.hpp"
#include "daemon.hpp"
#include "http_reply.hpp"
#include "journal_capture.hpp"
#include "models.hpp"
#include "process.hpp"
#include "temp_dir.hpp"
#include "test_pki.hpp"
#include "unique_fd.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace netcook::test {
namespace {

// ---- programs, files and the PKI ----

std::string required_program(const std::string& name) {
  const auto path = find_program(name);
  if (!path) throw std::runtime_error(name + " is not in $PATH: the TLS suite needs it");
  return *path;
}

const std::string& openssl_program() {
  static const std::string path = required_program("openssl");
  return path;
}

const std::string& curl_program() {
  static const std::string path = required_program("curl");
  return path;
}

// One CA and its certificates for the whole run (made in a second or so,
// from the main thread, as TestPki wants).
const TestPki& pki() {
  static const TestPki made;
  return made;
}

std::string read_text(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) throw std::system_error(errno, std::generic_category(), "open " + path);
  std::string text;
  char chunk[16384];
  ssize_t n = 0;
  while ((n = ::read(fd.get(), chunk, sizeof chunk)) > 0)
    text.append(chunk, static_cast<std::size_t>(n));
  if (n < 0) throw std::system_error(errno, std::generic_category(), "read " + path);
  return text;
}

// Writes `content` to DIR/`relative`, making directories on the way.
std::string put_file(const TempDir& dir, const std::string& relative, std::string_view content) {
  const std::filesystem::path path = dir.file(relative);
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return path.string();
}

// `size` bytes from a seeded generator: the same on every run.
std::string seeded_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (auto& c : bytes) c = static_cast<char>(byte(generator));
  return bytes;
}

// `count` lines of `width` bytes each (with their '\n'), every byte but
// '\n' and '\r' in them, printable or not: what echo must give back as is.
std::vector<std::string> seeded_lines(std::size_t count, std::size_t width, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(1, 255);
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < count; ++i) {
    std::string line;
    while (line.size() < width) {
      const char c = static_cast<char>(byte(generator));
      if (c != '\n' && c != '\r') line += c;
    }
    lines.push_back(line + "\n");
  }
  return lines;
}

// ---- configuration ----

// The log section, then the listeners' text.
std::string config(const std::string& listeners,
                   const std::string& log = "  level: debug\n  target: stderr\n") {
  return "log:\n" + log + "listeners:\n" + listeners;
}

// One listener: name, protocol, model, then `extra` lines (indented four
// spaces, like these).
std::string listener(const std::string& name, const std::string& protocol, const std::string& model,
                     const std::string& extra = "") {
  return "  - name: " + name + "\n    protocol: " + protocol + "\n    model: " + model +
         "\n    listen: \"127.0.0.1:0\"\n" + extra;
}

// A listener's `tls:` section with `extra` keys (indented six spaces).
std::string tls_section(const std::string& certificate, const std::string& key,
                        const std::string& extra = "") {
  return "    tls:\n      certificate: " + yaml_quote(certificate) +
         "\n      key: " + yaml_quote(key) + "\n" + extra;
}

// The test server certificate (leaf, then the CA) and its key.
std::string server_tls(const std::string& extra = "") {
  return tls_section(pki().server().chain, pki().server().key, extra);
}

const std::string kStatus = "    http:\n      status: true\n";

// "LINE:COLUMN" of the first line of `text` that is `line`, as the daemon
// reports a key there (1-based; the key starts after the indentation).
std::string position_of(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  int number = 0;
  for (std::string current; std::getline(in, current);) {
    ++number;
    if (current == line)
      return std::to_string(number) + ":" + std::to_string(current.find_first_not_of(' ') + 1);
  }
  throw std::logic_error("no line '" + line + "' in the configuration");
}

// "LINE:COLUMN" of the value of the first line of `text` that starts with
// `start` ("      key: "), where the daemon reports a bad value.
std::string value_position_of(const std::string& text, const std::string& start) {
  std::istringstream in(text);
  int number = 0;
  for (std::string current; std::getline(in, current);) {
    ++number;
    if (current.starts_with(start))
      return std::to_string(number) + ":" + std::to_string(start.size() + 1);
  }
  throw std::logic_error("no line starting with '" + start + "' in the configuration");
}

// ---- openssl s_client ----

// `openssl s_client` connected to 127.0.0.1:`port`, checking the daemon's
// chain against the test CA and its certificate against 127.0.0.1, plus
// `extra` arguments. Its stdin is a pipe the test writes (what goes to the
// daemon over TLS), its stdout what the daemon sends, line by line, and
// its stderr (-brief) the handshake's summary: "Protocol version:
// TLSv1.3", "Peer certificate: O = ..., CN = ...". It ends when its stdin
// is closed (no -ign_eof) or when the daemon closes the connection;
// -nocommands keeps lines starting with Q, R or K data.
class TlsClient {
 public:
  explicit TlsClient(std::uint16_t port, const std::vector<std::string>& extra = {}) {
    // A write to the pipe of an s_client that has ended must fail with
    // EPIPE, not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::generic_category(), "pipe2");
    UniqueFd read_end(fds[0]);
    input_.reset(fds[1]);
    ::fcntl(input_.get(), F_SETFL, O_NONBLOCK);
    // Process gives its children /dev/null as stdin: the pipe goes as
    // descriptor 3, which the shell makes s_client's stdin.
    std::vector<std::string> argv{"/bin/sh", "-c", "exec \"$0\" \"$@\" <&3 3<&-",
                                  openssl_program()};
    const auto args = arguments(port, extra);
    argv.insert(argv.end(), args.begin(), args.end());
    process_.emplace(argv, std::vector<std::string>{}, read_end.get());
  }

  // The arguments after "openssl" for a connection to `port`.
  static std::vector<std::string> arguments(std::uint16_t port,
                                            const std::vector<std::string>& extra) {
    std::vector<std::string> args{"s_client",
                                  "-connect",
                                  "127.0.0.1:" + std::to_string(port),
                                  "-CAfile",
                                  pki().ca().certificate,
                                  "-verify_return_error",
                                  "-verify_ip",
                                  "127.0.0.1",
                                  "-brief",
                                  "-nocommands"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Sends `data` to the daemon (through s_client); false if s_client is
  // gone or did not take it within `timeout`.
  bool send(std::string_view data, Timeout timeout = kWait) {
    const Deadline deadline(timeout);
    while (!data.empty()) {
      const ssize_t n = ::write(input_.get(), data.data(), data.size());
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN) return false;
      pollfd writable{input_.get(), POLLOUT, 0};
      if (::poll(&writable, 1, deadline.poll_ms()) <= 0) return false;
    }
    return true;
  }

  // End of input: s_client ends the connection and exits.
  void close_input() { input_.reset(); }

  // The protocol version once the handshake is done ("TLSv1.3"); nullopt
  // if s_client ended (or `timeout` passed) without one.
  std::optional<std::string> established(Timeout timeout = kWait) const {
    static const std::regex version(R"(^Protocol version: (\S+))");
    const auto match = process_->err().wait_for(version, timeout);
    if (!match) return std::nullopt;
    return match->groups.at(1);
  }

  // The subject of the daemon's certificate, as -brief prints it.
  std::string peer_certificate(Timeout timeout = kWait) const {
    static const std::regex subject(R"(^Peer certificate: (.*)$)");
    const auto match = process_->err().wait_for(subject, timeout);
    return match ? match->groups.at(1) : std::string("(none)");
  }

  // The next line the daemon sent, without its '\n'; what tells why there
  // is none otherwise, for the comparison to show.
  std::string next_line(Timeout timeout = kWait) {
    static const std::regex any("^");
    const auto match = process_->out().wait_for(any, timeout, lines_read_);
    if (!match)
      return process_->out().closed() ? "<s_client ended>" : "<nothing within the time limit>";
    lines_read_ = match->index + 1;
    return match->line;
  }

  // Sends `lines` (each ending in '\n') and reads as many lines back.
  std::vector<std::string> exchange(const std::vector<std::string>& lines,
                                    Timeout timeout = kWait) {
    std::string data;
    for (const auto& line : lines) data += line;
    std::vector<std::string> back;
    if (!send(data, timeout)) return back;
    const Deadline deadline(timeout);
    for (std::size_t i = 0; i < lines.size(); ++i)
      back.push_back(next_line(deadline.remaining()) + "\n");
    return back;
  }

  // s_client's exit status once it has ended and all its output has been
  // read; nullopt if it is still running after `timeout`.
  std::optional<int> wait_exit(Timeout timeout) const {
    const Deadline deadline(timeout);
    const auto status = process_->wait_exit(deadline.remaining());
    if (status) process_->wait_output_closed(deadline.remaining());
    return status;
  }
  // Everything s_client wrote to its stderr, for failure messages.
  std::string diagnostics() const { return process_->err().text(); }
  const LineLog& out() const { return process_->out(); }

 private:
  UniqueFd input_;
  std::size_t lines_read_ = 0;
  std::optional<Process> process_;  // last: killed before the pipe closes
};

// A complete handshake (or not) by an s_client with nothing to send: it
// ends once the handshake is done, or fails.
struct Handshake {
  std::optional<int> exit_status;
  std::string version;  // "TLSv1.2"; empty when no handshake completed
  std::string output;   // s_client's stderr

  bool completed() const { return exit_status == 0 && !version.empty(); }
};

Handshake handshake(std::uint16_t port, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{openssl_program()};
  const auto args = TlsClient::arguments(port, extra);
  argv.insert(argv.end(), args.begin(), args.end());
  const auto run = run_to_completion(argv, kWait);
  Handshake result{.exit_status = run.exit_status, .version = {}, .output = run.err};
  std::smatch match;
  if (std::regex_search(run.err, match, std::regex(R"((^|\n)Protocol version: (\S+))")))
    result.version = match[2];
  return result;
}

// ---- curl ----

std::string https_url(std::uint16_t port, std::string_view path) {
  return "https://127.0.0.1:" + std::to_string(port) + std::string(path);
}

// curl trusting the test CA only, with its own time limit, no proxy from
// the environment, errors on stderr; `args` are the rest.
RunResult run_curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{
      curl_program(), "--silent", "--show-error", "--max-time",          "20",
      "--noproxy",    "*",        "--cacert",     pki().ca().certificate};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_to_completion(argv, Timeout{30'000});
}

// A curl run whose only stdout is -w's "%{http_code}": the status, or 0.
int curl_status(const RunResult& run) {
  return run.exit_status == 0 && !run.out.empty() ? std::atoi(run.out.c_str()) : 0;
}

// The value of header `name` in a curl --dump-header file.
std::string dumped_header(const std::string& dump, const std::string& name) {
  const std::regex pattern("(^|\n)" + name + ": ([^\r\n]*)", std::regex::icase);
  std::smatch match;
  return std::regex_search(dump, match, pattern) ? match[2].str() : std::string();
}

// ---- metrics ----

// "name{labels}" -> value, integer samples only, from /metrics.
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
    if (line.find_first_not_of("0123456789", space + 1) != std::string::npos) continue;
    samples[line.substr(0, space)] = std::stoull(line.substr(space + 1));
  }
  return samples;
}

std::uint64_t value_of(const Samples& samples, const std::string& series) {
  const auto found = samples.find(series);
  return found == samples.end() ? 0 : found->second;
}

std::string refused(const std::string& listener_name, const std::string& protocol,
                    const std::string& model, const std::string& reason) {
  return "netcookd_connections_refused_total{listener=\"" + listener_name + "\",protocol=\"" +
         protocol + "\",model=\"" + model + "\",reason=\"" + reason + "\"}";
}

// ---- raw bytes instead of a handshake ----

// The first record a real `openssl s_client` sends, its ClientHello,
// caught on a listening socket of the test's own (then s_client is
// killed). Throws if none comes within kWait.
std::string real_client_hello() {
  UniqueFd listening(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!listening.valid() ||
      ::bind(listening.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listening.get(), 1) != 0 ||
      ::getsockname(listening.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::system_error(errno, std::generic_category(), "a listening socket for s_client");
  const auto port = ntohs(address.sin_port);
  Process client({openssl_program(), "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                  "-servername", "localhost"});

  const Deadline deadline(kWait);
  pollfd ready{listening.get(), POLLIN, 0};
  if (::poll(&ready, 1, deadline.poll_ms()) != 1)
    throw std::runtime_error("s_client did not connect to the test's socket");
  UniqueFd connection(::accept4(listening.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!connection.valid()) throw std::system_error(errno, std::generic_category(), "accept4");
  std::string record;
  const auto wanted = [&] {
    if (record.size() < 5) return std::size_t{5};
    return 5 + (static_cast<std::size_t>(static_cast<unsigned char>(record[3])) << 8) +
           static_cast<unsigned char>(record[4]);
  };
  while (record.size() < wanted()) {
    pollfd readable{connection.get(), POLLIN, 0};
    if (::poll(&readable, 1, deadline.poll_ms()) != 1)
      throw std::runtime_error("no whole ClientHello from s_client within the time limit");
    char buffer[4096];
    const ssize_t n = ::recv(connection.get(), buffer, sizeof buffer, 0);
    if (n <= 0) throw std::runtime_error("s_client closed before its ClientHello was complete");
    record.append(buffer, static_cast<std::size_t>(n));
  }
  record.resize(wanted());
  if (record[0] != 0x16 || record[5] != 0x01)
    throw std::runtime_error("s_client's first record is not a ClientHello");
  return record;
}

// Sends `bytes` instead of a handshake (then its end, if `finish`) and
// expects the daemon to close the connection within `limit`.
void expect_closed_after(std::uint16_t port, const std::string& what, std::string_view bytes,
                         bool finish, Timeout limit = kWait) {
  SCOPED_TRACE(what);
  auto client = Client::connect(port);
  // The daemon may close (and reset) before it has read everything.
  const auto sent = client.write_all(bytes);
  EXPECT_TRUE(sent == IoStatus::ok || sent == IoStatus::error) << sent;
  if (finish && sent == IoStatus::ok) client.shutdown_write();
  std::string ignored;
  IoStatus status;
  // A TLS alert may come before the end: read past it.
  const Deadline deadline(limit);
  while ((status = client.read_available(ignored, deadline.remaining())) == IoStatus::ok) {
  }
  EXPECT_TRUE(status == IoStatus::closed || status == IoStatus::error)
      << "the connection stayed open (" << status << ") for " << limit.count() << " ms";
}

// ---- every protocol under every model ----

using ModelTest = ::testing::TestWithParam<std::string>;

// A plain echo listener beside TLS echo, chat and http listeners.
class TlsModel : public ModelTest {
 protected:
  void SetUp() override {
    const std::string& model = GetParam();
    put_file(root_, "alpha.txt", "alpha\n");
    put_file(root_, "beta.txt", "beta\n");
    put_file(root_, "data.txt", kData);
    put_file(root_, "large.bin", large_);
    daemon_.emplace(config(
        listener("plain", "echo", model) + listener("echo", "echo", model, server_tls()) +
        listener("room", "chat", model, server_tls()) +
        listener("web", "http", model,
                 server_tls() + "    http:\n      root: " + yaml_quote(root_.path()) + "\n")));
  }

  static constexpr std::string_view kData = "0123456789abcdefghijklmnopqrstuvwxyz\n";
  TempDir root_;
  const std::string large_ = seeded_bytes(300 * 1024 + 17, 7);
  std::optional<Daemon> daemon_;
};

TEST_P(TlsModel, EchoOverTls12And13BesideAPlainListener) {
  auto plain = Client::connect(daemon_->port_of("plain"));
  EXPECT_EQ(plain.exchange("in the clear\n"), "in the clear\n");

  const auto port = daemon_->port_of("echo");
  TlsClient client(port);
  ASSERT_EQ(client.established(), "TLSv1.3") << client.diagnostics();
  EXPECT_NE(client.peer_certificate().find("netcookd test"), std::string::npos);
  // 20 KB in one go: more than a TLS record holds (16 KiB), so more than
  // one each way.
  const auto lines = seeded_lines(200, 100, 21);
  EXPECT_EQ(client.exchange(lines), lines) << client.diagnostics();
  EXPECT_EQ(client.exchange({"and one more\n"}), std::vector<std::string>{"and one more\n"});
  client.close_input();
  EXPECT_EQ(client.wait_exit(kWait), 0) << client.diagnostics();

  TlsClient older(port, {"-tls1_2"});
  ASSERT_EQ(older.established(), "TLSv1.2") << older.diagnostics();
  EXPECT_EQ(older.exchange({"over TLS 1.2\n"}), std::vector<std::string>{"over TLS 1.2\n"});

  // The plain listener is still plain.
  EXPECT_EQ(plain.exchange("still clear\n"), "still clear\n");
  expect_no_sanitizer_reports(*daemon_);
}

TEST_P(TlsModel, ChatGreetsAndCarriesLines) {
  const auto port = daemon_->port_of("room");
  const std::string greeting = "* welcome to netcookd chat; send your name (/help for commands)";
  TlsClient alice(port);
  ASSERT_TRUE(alice.established()) << alice.diagnostics();
  EXPECT_EQ(alice.next_line(), greeting);
  ASSERT_TRUE(alice.send("alice\n"));
  EXPECT_EQ(alice.next_line(), "* welcome alice@127.0.0.1, 1 online: alice");

  TlsClient bob(port);
  ASSERT_TRUE(bob.established()) << bob.diagnostics();
  EXPECT_EQ(bob.next_line(), greeting);
  ASSERT_TRUE(bob.send("bob\n"));
  EXPECT_EQ(bob.next_line(), "* welcome bob@127.0.0.1, 2 online: alice, bob");
  EXPECT_EQ(alice.next_line(), "* bob@127.0.0.1 joined (2 online)");

  ASSERT_TRUE(alice.send("hello over TLS\n"));
  EXPECT_EQ(bob.next_line(), "[alice@127.0.0.1] hello over TLS");
  ASSERT_TRUE(bob.send("/me waves\n"));
  EXPECT_EQ(alice.next_line(), "* bob waves");

  bob.close_input();
  EXPECT_EQ(alice.next_line(), "* bob@127.0.0.1 left (1 online)");
  expect_no_sanitizer_reports(*daemon_);
}

TEST_P(TlsModel, HttpKeepAliveAndAlpn) {
  const auto port = daemon_->port_of("web");
  const auto mark = daemon_->log_mark();
  const auto run =
      run_curl({"--verbose", https_url(port, "/alpha.txt"), https_url(port, "/beta.txt")});
  ASSERT_EQ(run.exit_status, 0) << run.err;
  EXPECT_EQ(run.out, "alpha\nbeta\n");
  EXPECT_NE(run.err.find("Re-using existing connection"), std::string::npos) << run.err;
  // curl 7.88: "ALPN: server accepted http/1.1"; older: "ALPN, server
  // accepted to use http/1.1".
  EXPECT_TRUE(std::regex_search(run.err, std::regex(R"(ALPN[^\n]*accepted[^\n]*http/1\.1)")))
      << run.err;

  // The daemon accepted one connection for both. A barrier first: curl's
  // connection was logged before it got its answers, so before the
  // reload's lines.
  daemon_->send_signal(SIGHUP);
  const auto barrier = daemon_->wait_for_line("reload (done|failed):", kWait, mark);
  ASSERT_EQ(barrier.groups.at(1), "done") << barrier.line;
  // A connection may log its peer more than once (at accept, after the
  // handshake): count the peers.
  std::set<std::string> peers;
  const std::regex accepted(R"(\[web\] connection from (127\.0\.0\.1:\d+))");
  const auto lines = daemon_->log().lines();
  for (std::size_t i = mark; i < barrier.index; ++i) {
    std::smatch match;
    if (std::regex_search(lines[i], match, accepted)) peers.insert(match[1]);
  }
  EXPECT_EQ(peers.size(), 1u) << "curl's connections";
  expect_no_sanitizer_reports(*daemon_);
}

TEST_P(TlsModel, HttpRangeETagPipeliningAndALargeFile) {
  const auto port = daemon_->port_of("web");
  TempDir scratch;
  const std::string body = scratch.file("body");
  const std::string head = scratch.file("head");
  const std::string data_url = https_url(port, "/data.txt");

  auto run =
      run_curl({"--output", body, "--dump-header", head, "--write-out", "%{http_code}", data_url});
  ASSERT_EQ(curl_status(run), 200) << run.err;
  EXPECT_EQ(read_text(body), kData);
  const std::string etag = dumped_header(read_text(head), "ETag");
  ASSERT_FALSE(etag.empty()) << read_text(head);

  run = run_curl({"--range", "10-19", "--output", body, "--dump-header", head, "--write-out",
                  "%{http_code}", data_url});
  EXPECT_EQ(curl_status(run), 206) << run.err;
  EXPECT_EQ(read_text(body), "abcdefghij");
  EXPECT_EQ(dumped_header(read_text(head), "Content-Range"), "bytes 10-19/37");

  std::filesystem::remove(body);
  run = run_curl({"--header", "If-None-Match: " + etag, "--output", body, "--write-out",
                  "%{http_code}", data_url});
  EXPECT_EQ(curl_status(run), 304) << run.err;
  // No body: curl makes no file.
  EXPECT_TRUE(!std::filesystem::exists(body) || read_text(body).empty()) << read_text(body);

  // Large enough for the daemon's sendfile(2) path (kernel TLS) or its
  // buffered one: every byte arrives.
  run = run_curl({"--output", body, "--write-out", "%{http_code}", https_url(port, "/large.bin")});
  EXPECT_EQ(curl_status(run), 200) << run.err;
  EXPECT_TRUE(read_text(body) == large_) << "large.bin arrived changed";

  // Two requests in one write: two answers, in order, then the close.
  TlsClient pipelined(port);
  ASSERT_TRUE(pipelined.established()) << pipelined.diagnostics();
  ASSERT_TRUE(
      pipelined.send(http_get("/alpha.txt") + http_get("/beta.txt", "Connection: close\r\n")));
  ASSERT_EQ(pipelined.wait_exit(kWait), 0) << "the daemon did not close after Connection: close";
  const auto text = pipelined.out().text();
  const auto first = text.find("HTTP/1.1 200 OK\r\n");
  const auto alpha = text.find("\r\n\r\nalpha\n");
  const auto second = text.find("HTTP/1.1 200 OK\r\n", first + 1);
  const auto beta = text.find("\r\n\r\nbeta\n");
  EXPECT_TRUE(first != std::string::npos && alpha != std::string::npos &&
              second != std::string::npos && beta != std::string::npos && first < alpha &&
              alpha < second && second < beta)
      << text;
  expect_no_sanitizer_reports(*daemon_);
}

// ---- hostile clients ----

// `stalled` cuts a handshake after 2s; `garbage` waits 30s, longer than
// any wait here, so a connection it closes was closed for what it sent.
class TlsHostile : public ModelTest {
 protected:
  void SetUp() override {
    const std::string& model = GetParam();
    daemon_.emplace(
        config(listener("status", "http", model, kStatus) +
               listener("stalled", "echo", model, server_tls("      handshake_timeout: 2s\n")) +
               listener("garbage", "echo", model, server_tls("      handshake_timeout: 30s\n"))));
  }

  // The daemon is alive and serves a proper client on `garbage`.
  void expect_still_serving() {
    EXPECT_FALSE(daemon_->wait_exit(Timeout{0})) << "netcookd exited";
    TlsClient client(daemon_->port_of("garbage"));
    ASSERT_TRUE(client.established()) << client.diagnostics();
    EXPECT_EQ(client.exchange({"still here\n"}), std::vector<std::string>{"still here\n"});
  }

  std::optional<Daemon> daemon_;
};

constexpr Timeout kHandshakeTimeout{2000};
// The timer may fire a little early by its clock's granularity.
constexpr Timeout kTimeoutSlack{100};
constexpr Timeout kCutBound{6000};

TEST_P(TlsHostile, StalledHandshakesAreCutCountedAndLoggedOnce) {
  const auto status = daemon_->port_of("status");
  const auto port = daemon_->port_of("stalled");
  const std::string hello = real_client_hello();
  const auto mark = daemon_->log_mark();

  // Three say nothing; two stop halfway through a real ClientHello.
  struct Stalled {
    Client client;
    Clock::time_point connected;
  };
  std::vector<Stalled> stalled;
  for (int i = 0; i < 5; ++i) {
    stalled.push_back({Client::connect(port), Clock::now()});
    if (i >= 3) {
      ASSERT_EQ(stalled.back().client.write_all(hello.substr(0, hello.size() / 2)), IoStatus::ok);
    }
  }
  // Meanwhile the listener serves a proper client: a handshake waits on no
  // other (under a reactor model one thread has them all).
  {
    TlsClient proper(port);
    ASSERT_TRUE(proper.established()) << proper.diagnostics();
    EXPECT_EQ(proper.exchange({"not blocked\n"}), std::vector<std::string>{"not blocked\n"});
  }
  for (std::size_t i = 0; i < stalled.size(); ++i)
    EXPECT_EQ(stalled[i].client.wait_closed(Timeout{0}), IoStatus::timeout)
        << "stalled connection " << i << " was cut before the proper client was served";

  for (std::size_t i = 0; i < stalled.size(); ++i) {
    auto& [client, connected] = stalled[i];
    const auto left = kCutBound - std::chrono::duration_cast<Timeout>(Clock::now() - connected);
    std::string ignored;
    IoStatus io;
    const Deadline deadline(std::max(left, Timeout{0}));
    while ((io = client.read_available(ignored, deadline.remaining())) == IoStatus::ok) {
    }
    const auto after = std::chrono::duration_cast<Timeout>(Clock::now() - connected);
    EXPECT_TRUE(io == IoStatus::closed || io == IoStatus::error)
        << "stalled connection " << i << " still open after " << after.count() << " ms";
    EXPECT_GE(after, kHandshakeTimeout - kTimeoutSlack) << "stalled connection " << i;
  }

  // A barrier: every line about those connections was logged before they
  // closed, so before the reload's lines.
  daemon_->send_signal(SIGHUP);
  const auto barrier = daemon_->wait_for_line("reload (done|failed):", kWait, mark);
  ASSERT_EQ(barrier.groups.at(1), "done") << barrier.line;
  const auto logged =
      daemon_->find_line(R"(^\S+ \S+ (warn|info|error) \[stalled\] .*TLS handshake)", mark);
  ASSERT_TRUE(logged) << "no line about the TLS handshakes:\n" << daemon_->log().text();
  EXPECT_NE(logged->line.find("127.0.0.1:"), std::string::npos)
      << "the peer is not named: " << logged->line;
  // Debug lines follow each connection; above debug, one line for all.
  std::size_t lines = 0;
  for (const auto& line : daemon_->log().lines())
    lines += line.find(" debug [") == std::string::npos &&
                     line.find("[stalled]") != std::string::npos &&
                     line.find("TLS handshake") != std::string::npos
                 ? 1
                 : 0;
  EXPECT_EQ(lines, 1u) << "one line for a burst of five:\n" << daemon_->log().text();

  const auto series = refused("stalled", "echo", GetParam(), "tls_handshake");
  const auto samples = scrape(status);
  EXPECT_EQ(value_of(samples, series), 5u) << series;
  EXPECT_TRUE(samples.contains(series)) << series << " is not in /metrics";
  expect_still_serving();
  expect_no_sanitizer_reports(*daemon_);
}

TEST_P(TlsHostile, GarbageInsteadOfAClientHelloIsClosed) {
  const auto port = daemon_->port_of("garbage");
  const std::string hello = real_client_hello();

  // 4 KiB of noise; its first byte no TLS record type (nor an SSLv2 one).
  auto noise = seeded_bytes(4096, 1);
  noise[0] = 0x42;
  expect_closed_after(port, "random bytes", noise, false);
  expect_still_serving();

  // A handshake record whose content is noise.
  std::string garbled = "\x16\x03\x01";
  garbled += '\x00';
  garbled += '\x40';
  garbled += seeded_bytes(64, 2);
  expect_closed_after(port, "a garbled handshake record", garbled, false);

  // A real ClientHello cut short, then the end of the stream; and one
  // whose record claims more than it holds, in full.
  expect_closed_after(port, "half a ClientHello, then FIN", hello.substr(0, hello.size() / 2),
                      true);
  expect_closed_after(port, "ClientHello header only, then FIN", hello.substr(0, 5), true);
  std::string overlong = hello;
  overlong[5 + 1] = '\x7f';  // the handshake message's length beyond the record
  expect_closed_after(port, "a ClientHello longer than its record", overlong, false);
  expect_still_serving();

  // Noise after a good start, on several connections at once.
  std::vector<Client> clients;
  for (unsigned i = 0; i < 4; ++i) {
    clients.push_back(Client::connect(port));
    const auto sent = clients.back().write_all(hello.substr(0, 40) + seeded_bytes(2000, 10 + i));
    EXPECT_TRUE(sent == IoStatus::ok || sent == IoStatus::error) << sent;
  }
  for (auto& client : clients) {
    std::string ignored;
    IoStatus io;
    const Deadline deadline(kWait);
    while ((io = client.read_available(ignored, deadline.remaining())) == IoStatus::ok) {
    }
    EXPECT_TRUE(io == IoStatus::closed || io == IoStatus::error) << io;
  }
  expect_still_serving();

  // Nine handshakes failed, each refused and counted so before its
  // connection was closed; only the three proper clients were served.
  const auto samples = scrape(daemon_->port_of("status"));
  EXPECT_EQ(value_of(samples, refused("garbage", "echo", GetParam(), "tls_handshake")), 9u);
  EXPECT_EQ(value_of(samples,
                     "netcookd_connections_accepted_total{listener=\"garbage\",protocol="
                     "\"echo\",model=\"" +
                         GetParam() + "\"}"),
            3u);
  EXPECT_FALSE(daemon_->wait_exit(Timeout{0})) << "netcookd exited";
  expect_no_sanitizer_reports(*daemon_);
}

// ---- reloads ----

// The certificate and key live in files of the test's, which it rewrites
// before a SIGHUP; the paths stay the same.
class TlsReload : public ModelTest {
 protected:
  void SetUp() override {
    certificate_ = files_.write_file("cert.pem", read_text(pki().server().chain));
    key_ = files_.write_file("key.pem", read_text(pki().server().key));
    text_ = config(listener("echo", "echo", GetParam(), tls_section(certificate_, key_)));
    daemon_.emplace(text_);
  }

  struct Outcome {
    std::size_t mark;
    LineMatch line;  // "reload done: ..." or "reload failed: ..."
  };
  Outcome reload() {
    const auto mark = daemon_->log_mark();
    daemon_->send_signal(SIGHUP);
    return {mark, daemon_->wait_for_line("reload (done|failed):", kWait, mark)};
  }

  TempDir files_;
  std::string certificate_;
  std::string key_;
  std::string text_;
  std::optional<Daemon> daemon_;
};

TEST_P(TlsReload, NewConnectionsGetTheNewCertificateOpenOnesKeepWorking) {
  const auto port = daemon_->port_of("echo");
  TlsClient held(port);
  ASSERT_TRUE(held.established()) << held.diagnostics();
  const std::string first = held.peer_certificate();
  ASSERT_NE(first.find("O = netcookd test,"), std::string::npos) << first;
  EXPECT_EQ(held.exchange({"before\n"}), std::vector<std::string>{"before\n"});

  files_.write_file("cert.pem", read_text(pki().second_server().chain));
  files_.write_file("key.pem", read_text(pki().second_server().key));
  const auto outcome = reload();
  ASSERT_EQ(outcome.line.groups.at(1), "done") << outcome.line.line;

  TlsClient renewed(port);
  ASSERT_TRUE(renewed.established()) << renewed.diagnostics();
  EXPECT_NE(renewed.peer_certificate().find("O = netcookd test second,"), std::string::npos)
      << renewed.peer_certificate();
  EXPECT_EQ(renewed.exchange({"new\n"}), std::vector<std::string>{"new\n"});
  EXPECT_EQ(held.exchange({"after\n"}), std::vector<std::string>{"after\n"});
  expect_no_sanitizer_reports(*daemon_);
}

TEST_P(TlsReload, AMismatchedOrMissingKeyKeepsTheOldContextAndNamesTheTlsKey) {
  const auto port = daemon_->port_of("echo");
  files_.write_file("cert.pem", read_text(pki().second_server().chain));
  files_.write_file("key.pem", read_text(pki().second_server().key));
  ASSERT_EQ(reload().line.groups.at(1), "done");
  TlsClient held(port);
  ASSERT_TRUE(held.established()) << held.diagnostics();
  ASSERT_NE(held.peer_certificate().find("second"), std::string::npos);

  // The first certificate with the second's key.
  files_.write_file("cert.pem", read_text(pki().server().chain));
  const auto outcome = reload();
  const std::string at =
      regex_escape(daemon_->config_path() + ":" + position_of(text_, "    tls:") + ":");
  const auto error = daemon_->find_line(at + " .*does not match.*mismatch", outcome.mark);
  EXPECT_TRUE(error) << "no error at " << at << " with OpenSSL's reason; log:\n"
                     << daemon_->log().text();

  TlsClient after(port);
  ASSERT_TRUE(after.established()) << after.diagnostics();
  EXPECT_NE(after.peer_certificate().find("O = netcookd test second,"), std::string::npos)
      << "not the old context: " << after.peer_certificate();
  EXPECT_EQ(after.exchange({"kept\n"}), std::vector<std::string>{"kept\n"});
  EXPECT_EQ(held.exchange({"held\n"}), std::vector<std::string>{"held\n"});

  // A key file that holds no key: the same, with OpenSSL's reason.
  files_.write_file("key.pem", "not a key\n");
  const auto garbage = reload();
  EXPECT_TRUE(daemon_->find_line(at + " .*" + regex_escape(key_) + ".*: .+", garbage.mark))
      << "no error at " << at << " naming " << key_ << "; log:\n"
      << daemon_->log().text();
  // A key file that is gone: the configuration is refused as a whole, at
  // the key's value (netcookd.yaml(5): files are checked as readable when
  // the configuration is read, what they hold when they are loaded).
  std::filesystem::remove(key_);
  const auto missing = reload();
  EXPECT_EQ(missing.line.groups.at(1), "failed") << missing.line.line;
  const std::string key_at =
      regex_escape(daemon_->config_path() + ":" + value_position_of(text_, "      key: ") + ":");
  EXPECT_TRUE(daemon_->find_line(key_at + " .*" + regex_escape(key_), missing.mark))
      << "no error at " << key_at << " naming " << key_ << "; log:\n"
      << daemon_->log().text();
  TlsClient later(port);
  ASSERT_TRUE(later.established()) << later.diagnostics();
  EXPECT_NE(later.peer_certificate().find("O = netcookd test second,"), std::string::npos)
      << "not the old context: " << later.peer_certificate();
  EXPECT_EQ(later.exchange({"still kept\n"}), std::vector<std::string>{"still kept\n"});
  expect_no_sanitizer_reports(*daemon_);
}

// ---- client certificates ----

// verify_client: require, under every model, logging to a private journal
// socket (journal_capture.hpp; skipped when that cannot be made): no
// certificate, no echo; alice's certificate, served, and its subject and
// the TLS version on the connection's end line.
using TlsClientCertificate = ModelTest;
TEST_P(TlsClientCertificate, RequiredRefusesWithoutAndLogsTheSubject) {
  if (const auto why = enter_private_journal_namespace()) GTEST_SKIP() << *why;
  JournalSocket journal;  // outlives the daemon
  Daemon daemon(
      config(listener("mtls", "echo", GetParam(),
                      "    log_connections: true\n" +
                          server_tls("      client_ca: " + yaml_quote(pki().ca().certificate) +
                                     "\n      verify_client: require\n")),
             "  level: info\n  target: journal\n"),
      DaemonOptions{.wait_ready = false});
  const auto started = journal.wait_for(message_has("listener mtls: "));
  ASSERT_TRUE(started) << journal.dump();
  std::smatch found;
  const std::string announced = started->field("MESSAGE").value_or("");
  ASSERT_TRUE(std::regex_search(announced, found, std::regex(R"( on 127\.0\.0\.1:(\d+))")))
      << announced;
  const auto port = static_cast<std::uint16_t>(std::stoul(found[1]));
  ASSERT_TRUE(journal.wait_for(message_has("ready:"))) << journal.dump();

  {
    TlsClient stranger(port);
    // TLS 1.3: the client may think its handshake done before the daemon's
    // refusal arrives; either way nothing is echoed and the daemon closes.
    stranger.send("anyone there?\n");
    EXPECT_TRUE(stranger.wait_exit(kWait)) << "the connection without a certificate stayed open";
    EXPECT_EQ(stranger.out().count("anyone there?"), 0u) << "echoed without a certificate";
  }
  // Refused at the handshake, and logged so, naming the peer.
  const auto refusal = journal.wait_for([](const JournalEntry& entry) {
    return entry.field("LISTENER") == "mtls" && message_has("TLS handshake")(entry);
  });
  ASSERT_TRUE(refusal) << "no line about the refused handshake; received:\n" << journal.dump();
  EXPECT_NE(refusal->field("MESSAGE").value_or("").find("127.0.0.1:"), std::string::npos)
      << refusal->describe();

  TlsClient alice(port, {"-cert", pki().client().certificate, "-key", pki().client().key});
  ASSERT_EQ(alice.established(), "TLSv1.3") << alice.diagnostics();
  EXPECT_EQ(alice.exchange({"it is me\n"}), std::vector<std::string>{"it is me\n"})
      << alice.diagnostics();
  alice.close_input();
  EXPECT_EQ(alice.wait_exit(kWait), 0) << alice.diagnostics();

  const auto end = journal.wait_for([](const JournalEntry& entry) {
    return entry.field("LISTENER") == "mtls" && entry.field("CLOSE_REASON") &&
           entry.field("TLS_CLIENT_SUBJECT");
  });
  ASSERT_TRUE(end) << "no end line with TLS_CLIENT_SUBJECT; received:\n" << journal.dump();
  EXPECT_EQ(end->field("TLS_CLIENT_SUBJECT"), "CN=alice,O=netcookd test") << end->describe();
  EXPECT_EQ(end->field("TLS_VERSION"), "TLSv1.3") << end->describe();
  EXPECT_FALSE(end->field("TLS_CIPHER").value_or("").empty()) << end->describe();
  EXPECT_TRUE(end->field("PEER").value_or("").starts_with("127.0.0.1:")) << end->describe();
  EXPECT_EQ(journal.malformed(), 0u);
  expect_no_sanitizer_reports(daemon);
}

INSTANTIATE_TEST_SUITE_P(Models, TlsModel, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, TlsHostile, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, TlsReload, kAllModels, model_name);
INSTANTIATE_TEST_SUITE_P(Models, TlsClientCertificate, kAllModels, model_name);

// ---- versions, and --check-config ----

// The version rules are the context's, the same under every model.
TEST(TlsVersions, OldVersionsAreRefusedAndMinVersionHolds) {
  Daemon daemon(
      config(listener("modern", "echo", "epoll", server_tls()) +
             listener("strict", "echo", "epoll", server_tls("      min_version: \"1.3\"\n"))));
  const auto modern = daemon.port_of("modern");
  const auto strict = daemon.port_of("strict");

  // OpenSSL 3 offers TLS 1.0 and 1.1 only at security level 0.
  for (const char* version : {"-tls1", "-tls1_1"}) {
    const auto refused = handshake(modern, {version, "-cipher", "DEFAULT@SECLEVEL=0"});
    EXPECT_FALSE(refused.completed()) << version << ":\n" << refused.output;
    EXPECT_NE(refused.exit_status, 0) << version;
    EXPECT_EQ(refused.version, "") << version;
  }
  const auto tls12 = handshake(modern, {"-tls1_2"});
  EXPECT_TRUE(tls12.completed()) << tls12.output;
  EXPECT_EQ(tls12.version, "TLSv1.2");
  const auto tls13 = handshake(modern);
  EXPECT_EQ(tls13.version, "TLSv1.3") << tls13.output;

  const auto refused12 = handshake(strict, {"-tls1_2"});
  EXPECT_FALSE(refused12.completed()) << refused12.output;
  EXPECT_EQ(refused12.version, "");
  const auto strict13 = handshake(strict, {"-tls1_3"});
  EXPECT_TRUE(strict13.completed()) << strict13.output;
  EXPECT_EQ(strict13.version, "TLSv1.3");
  expect_no_sanitizer_reports(daemon);
}

RunResult check_config(const std::string& path) {
  return run_to_completion({daemon_binary(), "--check-config", "--config", path}, kWait);
}

std::string one_tls_listener(const CertifiedKey& certificate, const std::string& key) {
  return config(listener("secure", "echo", "epoll", tls_section(certificate.chain, key)));
}

TEST(TlsCheckConfig, LoadsEachPairAndWarnsOfExpiry) {
  TempDir dir;
  const auto good =
      dir.write_file("good.yaml", one_tls_listener(pki().server(), pki().server().key));
  auto result = check_config(good);
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_TRUE(result.out.starts_with(good + ": OK")) << result.out << result.err;
  EXPECT_EQ((result.out + result.err).find("expires"), std::string::npos) << result.err;

  const std::string mismatched_text = one_tls_listener(pki().second_server(), pki().server().key);
  const auto mismatched = dir.write_file("mismatched.yaml", mismatched_text);
  result = check_config(mismatched);
  EXPECT_EQ(result.exit_status, 1) << result.out;
  EXPECT_TRUE(std::regex_search(
      result.err,
      std::regex("(^|\n)" +
                 regex_escape(mismatched + ":" + position_of(mismatched_text, "    tls:") + ": ") +
                 "[^\n]*does not match")))
      << result.err;

  const auto expiring =
      dir.write_file("expiring.yaml", one_tls_listener(pki().expiring(), pki().expiring().key));
  result = check_config(expiring);
  EXPECT_EQ(result.exit_status, 0) << result.err;
  EXPECT_NE((result.out + result.err).find("expires"), std::string::npos)
      << result.out << result.err;
}

}  // namespace
}  // namespace netcook::test
