#pragma once

#include "client.hpp"
#include "load_stats.hpp"
#include "shared.hpp"
#include "stamp.hpp"

#include <string_view>

namespace netcook::chatload {

/// What a member does with the lines it receives once in the room: checks
/// every stamped line against what its sender sent before (once each, in
/// order), counts it for the sender's window, and times it; everything
/// else must be a server notice. One per worker, counting into its stats.
class Receipts {
public:
    Receipts(Shared& shared, unsigned worker, LoadStats& stats) noexcept
        : shared_(shared), options_(shared.options), worker_(worker), stats_(stats)
    {
    }

    /// From the start gate on: what counts as measured.
    void set_timeline(const Timeline& timeline) noexcept { timeline_ = timeline; }

    void on_line(Client& c, std::string_view line, Clock::time_point now);

private:
    [[nodiscard]] bool replayed(Client& c, std::string_view line) noexcept;
    void on_stamp(Client& c, const Stamp& stamp, Clock::time_point now);
    void late_line(Client& c, const Stamp& stamp, Clock::time_point now);
    void count_delivery(Client& c, const Stamp& stamp, Clock::time_point now);
    void on_notice(Client& c, std::string_view line);

    Shared& shared_;
    const Options& options_;
    const unsigned worker_;
    LoadStats& stats_;
    Timeline timeline_{};
};

} // namespace netcook::chatload
