#include "stamp.hpp"

#include <charconv>
#include <system_error>

namespace netcook::chatload {

namespace {

/// " <digits>" at @p at: advances it past them.
template <typename Number>
bool parse_field(std::string_view line, std::size_t& at, Number& value) noexcept
{
    if (at + 1 >= line.size() || line[at] != ' ')
        return false;
    const char* begin = line.data() + at + 1;
    const auto [end, ec] = std::from_chars(begin, line.data() + line.size(), value);
    if (ec != std::errc{} || end == begin)
        return false;
    at = static_cast<std::size_t>(end - line.data());
    return true;
}

bool only_padding(std::string_view rest) noexcept
{
    return rest.find_first_not_of(" \r") == std::string_view::npos;
}

std::optional<Stamp> parse_at(std::string_view line, std::size_t at) noexcept
{
    Stamp stamp;
    ++at; // the 'm'
    if (parse_field(line, at, stamp.sender) && parse_field(line, at, stamp.seq) &&
        parse_field(line, at, stamp.sent_ns) && only_padding(line.substr(at)))
        return stamp;
    return std::nullopt;
}

} // namespace

std::size_t format_stamp(const Stamp& stamp, char* out) noexcept
{
    char* end = out + kMaxStampLine;
    char* p = out;
    *p++ = 'm';
    *p++ = ' ';
    p = std::to_chars(p, end, stamp.sender).ptr;
    *p++ = ' ';
    p = std::to_chars(p, end, stamp.seq).ptr;
    *p++ = ' ';
    p = std::to_chars(p, end, stamp.sent_ns).ptr;
    *p++ = '\n';
    return static_cast<std::size_t>(p - out);
}

std::optional<Stamp> find_stamp(std::string_view line) noexcept
{
    for (std::size_t at = line.find("m "); at != std::string_view::npos; at = line.find("m ", at + 1)) {
        if (at != 0 && line[at - 1] != ' ')
            continue;
        if (auto stamp = parse_at(line, at))
            return stamp;
    }
    return std::nullopt;
}

} // namespace netcook::chatload
