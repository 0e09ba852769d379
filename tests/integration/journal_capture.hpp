#pragma once

// A stand-in for journald, for tests of what the journal sink sends: the
// test process moves into a private mount namespace with an empty tmpfs
// under /run/systemd/journal, binds an AF_UNIX datagram socket at
// /run/systemd/journal/socket (where sd_journal_sendv() sends), and parses
// each datagram as the native journal protocol does: "NAME=value\n" lines,
// and the binary form "NAME\n<le64 size><bytes>\n" for values that hold a
// newline. No journald or systemd runs; the host's /run is not touched.

#include "deadline.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace netcook::test {

// Once per process, from the thread that starts the processes under test
// (the main thread): unshare(CLONE_NEWNS), make every mount private so
// nothing propagates back to the host, and mount a tmpfs at
// /run/systemd/journal, or at its nearest existing parent (then the rest
// of the path is made inside the tmpfs). Processes started afterwards from
// this thread inherit the namespace. nullopt when done (now or before);
// otherwise why it cannot be (not root, unshare or mount refused), for
// GTEST_SKIP.
std::optional<std::string> enter_private_journal_namespace();

// One journal entry as received.
struct JournalEntry {
  std::vector<std::pair<std::string, std::string>> fields;  // in the order sent
  std::vector<std::string> binary;  // names of the fields sent in the binary form
  pid_t sender = 0;                 // the sending process (SCM_CREDENTIALS)

  // The first value of field `name`.
  std::optional<std::string> field(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  bool sent_binary(std::string_view name) const;
  // "NAME=value" lines, for failure messages.
  std::string describe() const;
};

// Parses one datagram of the native protocol; nullopt when it is malformed
// (a line without an end, a binary size beyond the datagram, a field name
// journald would drop: empty, leading '_', or not [A-Z0-9_]).
std::optional<JournalEntry> parse_journal_entry(std::string_view datagram);

using EntryMatch = std::function<bool(const JournalEntry&)>;

// The datagram socket journald would own, read by a thread of its own (a
// unix datagram queue holds only net.unix.max_dgram_qlen datagrams, 10 by
// default: a socket nobody reads would block the daemon's logging).
class JournalSocket {
 public:
  static constexpr const char* kPath = "/run/systemd/journal/socket";

  // Binds at `path` (replacing a stale socket file) and starts reading;
  // throws on failure.
  explicit JournalSocket(std::string path = kPath);
  // Stops reading and removes the socket file.
  ~JournalSocket();
  JournalSocket(const JournalSocket&) = delete;
  JournalSocket& operator=(const JournalSocket&) = delete;

  // Entries received so far: pass as `from` to look only at later ones.
  std::size_t mark() const;
  std::vector<JournalEntry> entries(std::size_t from = 0) const;
  // Datagrams that did not parse, so far.
  std::size_t malformed() const;

  // The first entry at index >= `from` that `match` accepts, waiting up to
  // `timeout` for it; nullopt on timeout.
  std::optional<JournalEntry> wait_for(const EntryMatch& match, Timeout timeout = kWait,
                                       std::size_t from = 0) const;

  // Every entry at index >= `from`, described, for failure messages.
  std::string dump(std::size_t from = 0) const;

 private:
  void run();
  bool receive_one();

  std::string path_;
  UniqueFd fd_;
  UniqueFd stop_;  // eventfd: the reader thread exits when it is readable
  std::vector<char> buffer_;

  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<JournalEntry> entries_;  // guarded
  std::size_t malformed_ = 0;          // guarded
  std::thread reader_;
};

// Matches an entry whose MESSAGE contains `text`.
EntryMatch message_has(std::string text);

}  // namespace netcook::test
