#pragma once

// Structured fields that go with a log line besides its text. The journal
// sink (daemon/systemd/journal_sink.hpp) sends them as journal fields, so
// `journalctl LISTENER=web` or `journalctl PEER=192.0.2.7:51234` selects
// lines; the stderr sink ignores them (the text already says what matters).
//
// Header-only: proto, model and systemd include it, and none of them may
// depend on another for it.

#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace netcook::log {

// What a listener's logger adds to every line: LISTENER=, PROTOCOL=,
// MODEL= (the words of config::to_string). Empty members are not sent; the
// daemon's own loggers ("netcookd", "fork-master") have all three empty.
struct ListenerFields {
  std::string listener;
  std::string protocol;
  std::string model;
};

// PEER=<address:port> on the lines logged while the scope lives, on this
// thread only. Drivers open one around a connection's own lines (served,
// cut off, closed, failed); under select, epoll and coroutine several
// connections share a thread, so the scope must be as short as the work
// for one connection, and a coroutine must never hold one across a
// co_await (another connection's code runs meanwhile). Scopes nest: the
// innermost wins, and leaving it restores the one outside, so no PEER
// outlives its connection's lines.
//
// The scope does not copy `peer`: the text must outlive the scope (a
// temporary std::string is refused at compile time).
class PeerScope {
 public:
  explicit PeerScope(std::string_view peer) noexcept : outer_(std::exchange(current(), peer)) {}
  explicit PeerScope(std::string&&) = delete;
  PeerScope(const PeerScope&) = delete;
  PeerScope& operator=(const PeerScope&) = delete;
  ~PeerScope() { current() = outer_; }

  // The innermost scope's peer on this thread; empty outside every scope.
  static std::string_view peer() noexcept { return current(); }

 private:
  static std::string_view& current() noexcept {
    thread_local std::string_view peer;
    return peer;
  }

  std::string_view outer_;
};

// NAME=value fields besides PEER on the lines logged while the scope
// lives, on this thread only: an event's own facts, as a connection's end
// (CLOSE_REASON=, BYTES_IN=, ...). Like PeerScope it copies nothing (names
// and values must outlive it) and nests: the innermost scope's fields alone
// are sent. Names are journal field names: A-Z, 0-9 and '_'.
struct Field {
  std::string_view name;
  std::string_view value;
};

class FieldScope {
 public:
  explicit FieldScope(std::span<const Field> fields) noexcept
      : outer_(std::exchange(current(), fields)) {}
  FieldScope(const FieldScope&) = delete;
  FieldScope& operator=(const FieldScope&) = delete;
  ~FieldScope() { current() = outer_; }

  // The innermost scope's fields on this thread; none outside every scope.
  static std::span<const Field> fields() noexcept { return current(); }

 private:
  static std::span<const Field>& current() noexcept {
    thread_local std::span<const Field> fields;
    return fields;
  }

  std::span<const Field> outer_;
};

}  // namespace netcook::log
