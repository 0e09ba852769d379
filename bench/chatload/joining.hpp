#pragma once

#include "options.hpp"

#include <string_view>

namespace netcook::chatload {

/// One client's way into the room, fed with every line that carries no
/// stamp. Sans I/O: it says what to do; the worker does it.
///
/// --names (netcookd, the Python server): wait for the greeting ("* ..."),
/// send the name, wait for "* welcome ..."; the server makes a client a
/// member before it answers, so once every client has its welcome, every
/// client is in the room. "! ..." before that is a refusal (name taken,
/// room full).
///
/// Without names (ncat --chat): a client is in the room once connected;
/// ncat tells everyone "<announce> already connected: A as <user1>, ..."
/// on each connect, which gives how many are in the room.
class Joining {
public:
    enum class State { greeting, welcome, joined, refused };
    enum class Action { none, send_name, joined, refused };

    explicit Joining(Handshake handshake) noexcept
        : state_(handshake == Handshake::names ? State::greeting : State::joined)
    {
    }

    [[nodiscard]] Action on_line(std::string_view line) noexcept;

    [[nodiscard]] State state() const noexcept { return state_; }

    /// Clients in the room as the server last listed them, this one
    /// included; 0 if it never did (only ncat's announcements count).
    [[nodiscard]] unsigned listed() const noexcept { return listed_; }

private:
    State state_;
    unsigned listed_ = 0;
};

/// "<announce> already connected: nobody." -> 1, "... 127.0.0.1 as <user4>, 127.0.0.1 as
/// <user5>." -> 3: the clients ncat lists plus the one it was sent to; 0 for any other line.
[[nodiscard]] unsigned ncat_listed(std::string_view line) noexcept;

} // namespace netcook::chatload
