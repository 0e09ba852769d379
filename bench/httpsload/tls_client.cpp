#include "httpsload/tls_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace netcook::bench::https {

namespace {

constexpr std::size_t kMaxResponse = std::size_t{1} << 20; // a fixed body or a small file
constexpr char kGroups[] = "P-256";

// Tickets the server sends after the handshake are counted, then dropped:
// returning 0 leaves the session to OpenSSL, which frees it, and nothing
// ever calls SSL_set_session, so no connection can resume.
thread_local unsigned tickets_seen = 0;

int count_ticket(SSL*, SSL_SESSION*)
{
    ++tickets_seen;
    return 0;
}

std::string openssl_reason(const char* call)
{
    std::string text = call;
    const unsigned long code = ERR_get_error();
    if (code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        text += ": ";
        text += reason;
    }
    ERR_clear_error();
    return text;
}

std::string ssl_failure(SSL* ssl, int ret, const char* call)
{
    const int error = SSL_get_error(ssl, ret);
    if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        const int saved = errno;
        ERR_clear_error();
        if (saved == EAGAIN || saved == EWOULDBLOCK)
            return std::string(call) + ": timed out";
        return std::string(call) + ": " + (saved != 0 ? std::strerror(saved) : "connection closed");
    }
    return openssl_reason(call);
}

void set_timeout(int fd, int option, Clock::duration timeout)
{
    const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
    const timeval tv{static_cast<time_t>(usec / 1000000), static_cast<suseconds_t>(usec % 1000000)};
    ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

void fail(Visit& visit, Failure failure, std::string why)
{
    visit.failure = failure;
    visit.why = std::move(why);
}

void record_negotiated(SSL* ssl, Visit& visit)
{
    visit.resumed = SSL_session_reused(ssl) != 0;
    visit.version = SSL_get_version(ssl);
    visit.cipher = SSL_get_cipher_name(ssl);
    const int group = SSL_get_negotiated_group(ssl);
    const char* name = group > 0 ? OBJ_nid2sn(group) : nullptr;
    visit.group = name != nullptr ? name : "?";
}

bool starts_with_ci(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i])
            return false;
    return true;
}

// The Content-Length of a response head, npos when it has none.
std::size_t content_length(std::string_view head)
{
    constexpr std::string_view kName = "content-length:";
    for (auto at = head.find("\r\n"); at != std::string_view::npos;) {
        const auto start = at + 2;
        at = head.find("\r\n", start);
        auto line = head.substr(start, at == std::string_view::npos ? at : at - start);
        if (!starts_with_ci(line, kName))
            continue;
        line.remove_prefix(kName.size());
        while (!line.empty() && line.front() == ' ')
            line.remove_prefix(1);
        std::size_t n = 0;
        if (std::from_chars(line.data(), line.data() + line.size(), n).ec == std::errc())
            return n;
    }
    return std::string_view::npos;
}

} // namespace

std::string check_response(const std::string& response)
{
    const auto head_end = response.find("\r\n\r\n");
    if (head_end == std::string::npos)
        return response.empty() ? "closed without a response" : "no complete response head";
    const std::string_view head(response.data(), head_end);
    if (head.substr(0, 9) != "HTTP/1.1 " && head.substr(0, 9) != "HTTP/1.0 ")
        return "not an HTTP/1.x response";
    if (head.substr(9, 3) != "200")
        return "status " + std::string(head.substr(9, 3));
    const std::size_t expected = content_length(head);
    const std::size_t body = response.size() - head_end - 4;
    if (expected != std::string_view::npos && body != expected)
        return "body of " + std::to_string(body) + " bytes, Content-Length " + std::to_string(expected);
    return "";
}

TlsClient::TlsClient(const Target& target, std::string host, const std::string& cacert, std::string path,
                     Clock::duration timeout)
    : target_(target), host_(std::move(host)),
      request_("GET " + path + " HTTP/1.1\r\nHost: " + host_ + "\r\nConnection: close\r\n\r\n"),
      timeout_(timeout), ctx_(SSL_CTX_new(TLS_client_method()))
{
    SSL_CTX* ctx = ctx_.get();
    if (ctx == nullptr)
        throw std::runtime_error(openssl_reason("SSL_CTX_new"));
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
        throw std::runtime_error(openssl_reason("TLS 1.3 only"));
    if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1)
        throw std::runtime_error(openssl_reason("groups P-256"));
    // A server that closes without close_notify has still answered in full:
    // Content-Length says whether the body is whole.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, count_ticket);
    if (!cacert.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, cacert.c_str(), nullptr) != 1)
            throw std::runtime_error(openssl_reason(("--cacert " + cacert).c_str()));
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
        // The certificate must name the address we connect to.
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx), host_.c_str()) != 1)
            throw std::runtime_error(openssl_reason(("verify IP " + host_).c_str()));
    }
}

int TlsClient::open_socket(Visit& visit) const
{
    const int fd = ::socket(target_.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(visit, Failure::connect, std::string("socket: ") + std::strerror(errno));
        return -1;
    }
    set_timeout(fd, SO_RCVTIMEO, timeout_);
    set_timeout(fd, SO_SNDTIMEO, timeout_); // bounds connect() too
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (::connect(fd, target_.address(), target_.length()) != 0) {
        if (errno == EINTR)
            continue;
        fail(visit, Failure::connect, std::string("connect: ") + std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

Visit TlsClient::visit() const
{
    Visit visit;
    visit.started = Clock::now();
    const int fd = open_socket(visit);
    if (fd < 0)
        return visit;
    SSL* ssl = SSL_new(ctx_.get());
    if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
        fail(visit, Failure::handshake, openssl_reason("SSL_new"));
    } else {
        tickets_seen = 0;
        exchange(ssl, visit);
        visit.tickets = tickets_seen;
    }
    SSL_free(ssl); // no close_notify of ours: the server has closed already
    ::close(fd);
    visit.finished = Clock::now();
    return visit;
}

void TlsClient::exchange(SSL* ssl, Visit& visit) const
{
    if (const int ret = SSL_connect(ssl); ret != 1)
        return fail(visit, Failure::handshake, ssl_failure(ssl, ret, "SSL_connect"));
    visit.handshaken = Clock::now();
    record_negotiated(ssl, visit);
    if (const int ret = SSL_write(ssl, request_.data(), static_cast<int>(request_.size()));
        ret != static_cast<int>(request_.size()))
        return fail(visit, Failure::io, ssl_failure(ssl, ret, "SSL_write"));
    std::string response;
    char buffer[16384];
    for (;;) {
        const int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n > 0) {
            response.append(buffer, static_cast<std::size_t>(n));
            if (response.size() > kMaxResponse)
                return fail(visit, Failure::response, "response over 1 MiB");
            continue;
        }
        if (SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN)
            break; // close_notify, or the TCP close (SSL_OP_IGNORE_UNEXPECTED_EOF)
        return fail(visit, Failure::io, ssl_failure(ssl, n, "SSL_read"));
    }
    if (auto wrong = check_response(response); !wrong.empty())
        fail(visit, Failure::response, std::move(wrong));
}

} // namespace netcook::bench::https
