#pragma once

// What a TLS listener's new connections are made with: the context (the
// certificate, key and settings, loaded by OpenSSL) and how long their
// handshake may take. A reload (SIGHUP) renews it in place: the listener
// keeps its socket and open connections keep the context they started
// with (each TlsTransport holds its own reference), while new connections
// take the new one. A listener that turns TLS on or off is restarted
// instead (config::Listener::same_settings()).

#include "config/config.hpp"
#include "tls/context.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <utility>

namespace netcook::model {

struct TlsSetup {
  std::shared_ptr<const tls::Context> context;
  std::chrono::steady_clock::duration handshake_timeout{};
};

// The listener's current TlsSetup, shared by every thread that adopts its
// connections and by whoever renews it. Thread-safe.
class TlsSlot {
 public:
  explicit TlsSlot(TlsSetup setup) : setup_(std::move(setup)) {}

  TlsSetup get() const {
    const std::lock_guard lock(mutex_);
    return setup_;
  }
  void set(TlsSetup setup) {
    const std::lock_guard lock(mutex_);
    std::swap(setup_, setup);  // the old one is freed outside the lock
  }

 private:
  mutable std::mutex mutex_;
  TlsSetup setup_;
};

// The OpenSSL settings of `listener`'s tls section (which it must have):
// its files' paths as resolved, and ALPN "http/1.1" for an http listener.
tls::Settings tls_settings(const config::Listener& listener);

// Loads `listener`'s tls section. Throws tls::Error with OpenSSL's reason
// (the file, the key that does not match, ...), or when a file is named
// by a credential that could not be looked up; the caller adds where the
// section is written.
TlsSetup load_tls(const config::Listener& listener);

}  // namespace netcook::model
