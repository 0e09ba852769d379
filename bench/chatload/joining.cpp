#include "joining.hpp"

namespace netcook::chatload {

unsigned ncat_listed(std::string_view line) noexcept
{
    constexpr std::string_view kList = "<announce> already connected: ";
    if (!line.starts_with(kList))
        return 0;
    line.remove_prefix(kList.size());
    if (line.starts_with("nobody"))
        return 1;
    unsigned count = 1;
    for (auto at = line.find(" as <"); at != std::string_view::npos; at = line.find(" as <", at + 1))
        ++count;
    return count;
}

Joining::Action Joining::on_line(std::string_view line) noexcept
{
    switch (state_) {
    case State::greeting:
        if (line.starts_with("! ")) {
            state_ = State::refused;
            return Action::refused;
        }
        if (!line.starts_with("* "))
            return Action::none;
        state_ = State::welcome;
        return Action::send_name;
    case State::welcome:
        if (line.starts_with("! ")) {
            state_ = State::refused;
            return Action::refused;
        }
        if (!line.starts_with("* welcome "))
            return Action::none;
        state_ = State::joined;
        return Action::joined;
    case State::joined:
        if (const unsigned listed = ncat_listed(line); listed != 0)
            listed_ = listed;
        return Action::none;
    case State::refused:
        return Action::none;
    }
    return Action::none;
}

} // namespace netcook::chatload
