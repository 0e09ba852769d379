#pragma once

// A listener's Service (chat room) inside the fork master, and the links to
// its connection processes: one SOCK_SEQPACKET socketpair per process, made
// before the fork. A process sends its session's messages up (Uplink); the
// Service answers through the Courier, which queues packets on the
// receivers' links. The Hub runs on the master's one thread and never
// blocks: a link whose queue grows past max_outbox belongs to a process
// that does not keep up, and that process is cut off (the listener kills
// it; the Service hears gone() once it is reaped).
//
// The Service's wake (ServiceContext::wake, the WakeSignal `wake`) posts to
// the master's loop (from any thread, the loop's own included), and the
// posted function calls woken(); its deliveries go out like message()'s,
// after the loop's current batch. halt() disconnects the wake, and a
// posted function finds it disconnected: a late wake does nothing.

#include "event/deferred.hpp"
#include "event/loop.hpp"
#include "model/close_reason.hpp"
#include "model/wake_signal.hpp"
#include "net/packet_queue.hpp"
#include "net/unique_fd.hpp"
#include "proto/service.hpp"

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include <spdlog/logger.h>

namespace netcook::model::fork {

class Hub final : private proto::Courier {
 public:
  using CutOff = std::function<void(proto::ConnectionId)>;

  // `wake` is the one `service` was made with (its ServiceContext::wake).
  Hub(event::Loop& loop, std::unique_ptr<proto::Service> service,
      std::shared_ptr<WakeSignal> wake, std::size_t max_outbox, spdlog::logger& log,
      CutOff cut_off);
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;
  ~Hub();

  // Ends the Service first, telling it its members leave for `why` (at
  // teardown nobody is told who left), then
  // closes every link, which tells the processes still running to finish.
  // The Hub does nothing more afterwards; destroy it from a posted
  // function, after the loop's current batch of events (which may still
  // name its links).
  void halt(CloseReason why) noexcept;

  // A connection process started; `socket` is the master's end of its link.
  void add(proto::ConnectionId id, net::UniqueFd socket);

  // Its process ended: takes the messages it left behind, closes the link,
  // then tells the Service it is gone. The link is freed after the loop's
  // current batch of events.
  void remove(proto::ConnectionId id) noexcept;

 private:
  class Link;

  void deliver(proto::ConnectionId to, std::string_view bytes) override;
  // On the loop, posted by the wake: woken(), if a wake is pending.
  void answer_wake() noexcept;
  void ready(Link& link, std::uint32_t events) noexcept;
  // Passes the link's waiting messages to the Service, at most `limit`.
  void take_messages(Link& link, std::size_t limit) noexcept;
  void watch(Link& link) noexcept;
  void cut(Link& link, const char* why) noexcept;
  // Sends what deliver() gathered, as few packets per link as fit.
  void flush_deliveries() noexcept;

  event::Loop& loop_;
  std::unique_ptr<proto::Service> service_;
  const std::shared_ptr<WakeSignal> wake_;
  const std::size_t max_outbox_;
  spdlog::logger& log_;
  CutOff cut_off_;
  std::unordered_map<proto::ConnectionId, std::unique_ptr<Link>> links_;
  std::vector<std::unique_ptr<Link>> retired_;  // removed, freed by a posted function
  bool halted_ = false;
  std::vector<char> buffer_;
  // Links with gathered deliveries, sent on the loop's next turn (after the
  // current batch of events): a line for every member costs one packet per
  // member per batch rather than per line.
  std::vector<proto::ConnectionId> dirty_;
  event::Deferred flush_turn_;
};

}  // namespace netcook::model::fork
