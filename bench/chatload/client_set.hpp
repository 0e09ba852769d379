#pragma once

#include "client.hpp"
#include "echoload/poller.hpp"
#include "echoload/target.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace netcook::chatload {

/// What a ClientSet reports while it polls.
class ClientEvents {
public:
    /// A connect completed; the client is open and reading.
    virtual void on_connected(Client& client) = 0;
    /// A whole line arrived, without its LF; @p now is when it was read.
    virtual void on_line(Client& client, std::string_view line, bench::Clock::time_point now) = 0;
    /// The client is gone: connect failed, server closed, I/O error. Its
    /// socket is already closed; @p error is an errno or 0.
    virtual void on_failed(Client& client, const char* what, int error) = 0;
    /// The wake-up eventfd was readable.
    virtual void on_woken() = 0;

protected:
    ~ClientEvents() = default;
};

/// One worker's clients on one level-triggered epoll: connects them a few
/// at a time, reads and frames lines, writes what is queued. Never
/// throws once constructed; failures are reported through ClientEvents.
class ClientSet {
public:
    /// Clients @p ids, client id i connecting to targets[i % size] (not
    /// owned, outlives the set); @p wake_fd (an eventfd, not owned) is
    /// watched too.
    ClientSet(const std::vector<bench::Target>& targets, const std::vector<unsigned>& ids, Handshake handshake,
              unsigned senders, int wake_fd);

    [[nodiscard]] std::vector<Client>& clients() noexcept { return clients_; }
    [[nodiscard]] const std::vector<Client>& clients() const noexcept { return clients_; }

    /// Starts connects for clients not started yet, while fewer than a few
    /// started ones have not heard from the server. Outcomes are reported by
    /// the next poll().
    void tend_connects();

    /// Waits at most @p timeout_ms and handles what is ready.
    void poll(int timeout_ms, ClientEvents& events);

    /// Appends @p bytes to the client's output; write with flush().
    void queue(Client& client, std::string_view bytes);
    /// Writes as much queued output as the socket takes.
    void flush(Client& client, ClientEvents& events);

    /// Closes the client's socket and marks it failed, without reporting.
    void close(Client& client) noexcept;

private:
    void fail(Client& client, const char* what, int error, ClientEvents& events);
    void start_connect(Client& client, std::size_t index);
    void report_pending(ClientEvents& events);
    void on_connect_ready(Client& client, ClientEvents& events);
    void on_readable(Client& client, ClientEvents& events);
    void split_lines(Client& client, std::string_view data, bench::Clock::time_point now, ClientEvents& events);
    void want_output(Client& client, bool wanted, ClientEvents& events);
    [[nodiscard]] std::uint64_t index_of(const Client& client) const noexcept
    {
        return static_cast<std::uint64_t>(&client - clients_.data());
    }

    struct FailedConnect {
        std::size_t index;
        int error;
    };

    const std::vector<bench::Target>& targets_;
    bench::Poller poller_;
    std::vector<Client> clients_;
    std::vector<char> buffer_;
    std::size_t next_idle_ = 0; // clients before it have been started
    unsigned in_flight_ = 0;    // started, open or connecting, nothing heard yet
    // Connects that finished inside tend_connects(), reported by the next poll().
    std::vector<std::size_t> pending_connected_;
    std::vector<FailedConnect> pending_failed_;
};

} // namespace netcook::chatload
