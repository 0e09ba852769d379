#include "worker.hpp"

#include "client_set.hpp"
#include "diagnostics.hpp"
#include "receipts.hpp"
#include "sending.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace netcook::chatload {

namespace {

using bench::ms_until;

constexpr int kJoinPollMs = 50;
constexpr int kDrainPollMs = 10;

std::vector<unsigned> ids_for(const Options& options, unsigned index)
{
    std::vector<unsigned> ids;
    for (unsigned id = index; id < options.clients; id += options.threads)
        ids.push_back(id);
    return ids;
}

class Worker final : public ClientEvents {
public:
    Worker(Shared& shared, unsigned index)
        : shared_(shared), options_(shared.options), index_(index),
          clients_(shared.targets, ids_for(options_, index), options_.handshake, options_.senders,
                   shared.wakers[index]->fd()),
          name_prefix_("cl" + std::to_string(::getpid()) + ".")
    {
    }

    LoadStats run()
    {
        join_room();
        shared_.joined.fetch_add(static_cast<unsigned>(stats_.joined));
        shared_.ready.count_down();
        shared_.go.wait();
        timeline_ = shared_.timeline;
        receipts_.set_timeline(timeline_);
        load();
        drain();
        shared_.sampled.wait();
        for (auto& c : clients_.clients())
            stats_.orders.push_back({c.id, std::move(c.order)});
        return stats_;
    }

private:
    // --- joining -------------------------------------------------------

    void join_room()
    {
        Clock::time_point now;
        while ((now = Clock::now()) < shared_.join_deadline) {
            clients_.tend_connects();
            if (everyone_ready())
                break;
            clients_.poll(std::min(kJoinPollMs, ms_until(shared_.join_deadline, now)), *this);
        }
        for (auto& c : clients_.clients()) {
            if (c.member()) {
                // Without names a connected client is in the room, counted or not; one that
                // never saw the whole room listed may not have been accepted yet: a failure.
                c.in_room = true;
                ++stats_.joined;
                if (!ready(c)) {
                    complain("client %u: the server listed %u of %u clients after %.1f s", c.id,
                             c.joining.listed(), options_.clients, options_.timeout_s);
                    ++stats_.join_failures;
                }
            } else if (c.open() || c.phase == Client::Phase::connecting) {
                complain("client %u: not in the room after %.1f s", c.id, options_.timeout_s);
                clients_.close(c);
                ++(c.was_connected ? stats_.join_failures : stats_.connect_failures);
            } else if (c.phase == Client::Phase::idle) {
                ++stats_.connect_failures;
            }
        }
    }

    [[nodiscard]] bool everyone_ready() const noexcept
    {
        return std::all_of(clients_.clients().begin(), clients_.clients().end(),
                           [this](const Client& c) { return c.phase == Client::Phase::failed || ready(c); });
    }

    /// In the room, and (without names) has seen the server list everyone.
    [[nodiscard]] bool ready(const Client& c) const noexcept
    {
        return c.member() && (options_.handshake == Handshake::names || c.joining.listed() >= options_.clients);
    }

    void on_connected(Client& c) override
    {
        c.was_connected = true;
        ++stats_.connected;
    }

    void on_failed(Client& c, const char* what, int error) override
    {
        // strerror() is not thread-safe; the category's message is.
        const auto reason = error != 0 ? ": " + std::generic_category().message(error) : std::string();
        complain("client %u: %s%s", c.id, what, reason.c_str());
        if (!c.was_connected) {
            ++stats_.connect_failures;
        } else if (c.in_room) {
            ++stats_.errors;
            shared_.acks.lose_member();
        } else {
            ++stats_.join_failures;
        }
    }

    void on_line(Client& c, std::string_view line, Clock::time_point now) override
    {
        if (c.member()) {
            receipts_.on_line(c, line, now);
            return;
        }
        switch (c.joining.on_line(line)) {
        case Joining::Action::send_name: {
            const auto name = name_prefix_ + std::to_string(c.id) + "\n";
            clients_.queue(c, name);
            clients_.flush(c, *this);
            break;
        }
        case Joining::Action::refused:
            complain("client %u: refused: %.*s", c.id, static_cast<int>(std::min<std::size_t>(line.size(), 200)),
                     line.data());
            clients_.close(c);
            ++stats_.join_failures;
            break;
        case Joining::Action::joined:
        case Joining::Action::none:
            break;
        }
    }

    void on_woken() override { shared_.wakers[index_]->clear(); }

    // --- sending -----------------------------------------------------

    void load()
    {
        sending_.start(timeline_);
        Clock::time_point now;
        while ((now = Clock::now()) < timeline_.end) {
            const auto wake_at = sending_.send_due(now, *this);
            clients_.poll(ms_until(wake_at, now), *this);
        }
        sending_.publish_totals();
    }

    // --- draining ------------------------------------------------------

    /// Waits for the lines in flight while they keep coming: until nothing
    /// arrived for --drain seconds, or the hard deadline.
    void drain()
    {
        const auto patience = bench::from_seconds(options_.drain_s);
        auto last_progress = Clock::now();
        auto delivered = stats_.delivered;
        Clock::time_point now;
        while ((now = Clock::now()) < timeline_.drain_deadline && !drained()) {
            if (stats_.delivered != delivered) {
                delivered = stats_.delivered;
                last_progress = now;
            } else if (now - last_progress >= patience) {
                break;
            }
            const auto until = std::min(timeline_.drain_deadline, last_progress + patience);
            clients_.poll(std::min(kDrainPollMs, ms_until(until, now)), *this);
        }
    }

    /// Every member of this worker has every line sent to it.
    [[nodiscard]] bool drained()
    {
        if (shared_.senders_done.load(std::memory_order_acquire) < options_.senders)
            return false;
        if (!total_sent_) {
            total_sent_ = 0;
            for (const auto& count : shared_.final_sent)
                *total_sent_ += count.load(std::memory_order_acquire);
        }
        return std::all_of(clients_.clients().begin(), clients_.clients().end(), [this](const Client& c) {
            if (!c.open() || !c.in_room)
                return true;
            const auto own = c.id < options_.senders ? shared_.final_sent[c.id].load() : 0;
            return c.delivered >= *total_sent_ - own;
        });
    }

    Shared& shared_;
    const Options& options_;
    const unsigned index_;
    ClientSet clients_;
    const std::string name_prefix_;
    Timeline timeline_{};
    LoadStats stats_;
    Receipts receipts_{shared_, index_, stats_};
    Sending sending_{shared_, clients_, stats_};
    std::optional<std::uint64_t> total_sent_;
};

} // namespace

LoadStats run_worker(Shared& shared, unsigned index)
{
    struct Arrival { // counts down ready if the worker throws before it does
        Shared& shared;
        bool done = false;
        ~Arrival()
        {
            if (!done)
                shared.ready.count_down();
        }
    } arrival{shared};
    Worker worker(shared, index);
    arrival.done = true;
    return worker.run();
}

} // namespace netcook::chatload
