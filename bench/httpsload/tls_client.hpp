#pragma once

#include "echoload/target.hpp"

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace netcook::bench::https {

using Clock = std::chrono::steady_clock; // CLOCK_MONOTONIC, as Python's time.monotonic()

enum class Failure { none, connect, handshake, io, response };

/// How one connection went: times, what TLS negotiated, what the server sent.
struct Visit {
    Failure failure = Failure::none;
    std::string why;             // when failed: the call and its reason
    Clock::time_point started{}; // before socket()
    Clock::time_point handshaken{};
    Clock::time_point finished{}; // the server's close read
    bool resumed = false;         // never offered a session, so true is a server bug
    unsigned tickets = 0;         // NewSessionTicket messages the server sent (and we dropped)
    std::string version;          // e.g. TLSv1.3
    std::string cipher;           // e.g. TLS_AES_256_GCM_SHA384
    std::string group;            // the key exchange's, e.g. prime256v1
};

/// One client set-up shared by every thread: TLS 1.3 only, key share on
/// P-256 alone (no HelloRetryRequest), sessions never stored nor offered,
/// so every connection is a full handshake.
class TlsClient {
public:
    /// Throws std::runtime_error with OpenSSL's reason.
    TlsClient(const Target& target, std::string host, const std::string& cacert, std::string path,
              Clock::duration timeout);

    /// connect, handshake, GET with Connection: close, read to the close.
    [[nodiscard]] Visit visit() const;

private:
    struct FreeCtx {
        void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
    };

    [[nodiscard]] int open_socket(Visit& visit) const;
    void exchange(SSL* ssl, Visit& visit) const;

    const Target& target_;
    std::string host_;
    std::string request_;
    Clock::duration timeout_;
    std::unique_ptr<SSL_CTX, FreeCtx> ctx_;
};

/// "" when response (every byte read up to the close) is one complete
/// 200, else what is wrong with it.
[[nodiscard]] std::string check_response(const std::string& response);

} // namespace netcook::bench::https
