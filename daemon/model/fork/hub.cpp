#include "model/fork/hub.hpp"

#include "event/registration.hpp"
#include "model/fork/control_message.hpp"
#include "net/packet.hpp"

#include <algorithm>
#include <cerrno>
#include <limits>

#include <sys/epoll.h>

namespace netcook::model::fork {
namespace {

// Messages taken from one link per wake-up, so one chatty process cannot
// starve the others (the socket is level-triggered: the rest come next).
constexpr std::size_t kMessageBatch = 64;

}  // namespace

class Hub::Link final : public event::Watcher {
 public:
  Link(Hub& owner, proto::ConnectionId connection, net::UniqueFd fd)
      : hub(owner),
        id(connection),
        socket(std::move(fd)),
        out(socket.borrow()),
        watching(owner.loop_, socket.borrow(), *this) {}
  void on_ready(std::uint32_t events) noexcept override { hub.ready(*this, events); }

  // The process closed its end, or the hub is done with it.
  void close() noexcept {
    watching.cancel();
    socket.reset();
  }

  Hub& hub;
  const proto::ConnectionId id;
  net::UniqueFd socket;
  net::PacketQueue out;
  event::Registration watching;  // cancelled before the socket closes
  bool cut_off = false;          // its process is being ended: deliver nothing more
  std::string gathered;        // deliveries not yet packed (see Hub::dirty_)
  bool dirty = false;          // listed in Hub::dirty_
};

Hub::Hub(event::Loop& loop, std::unique_ptr<proto::Service> service,
         std::shared_ptr<WakeSignal> wake, std::size_t max_outbox, spdlog::logger& log,
         CutOff cut_off)
    : loop_(loop),
      service_(std::move(service)),
      wake_(std::move(wake)),
      max_outbox_(max_outbox),
      log_(log),
      cut_off_(std::move(cut_off)),
      buffer_(kMaxPacket),
      flush_turn_(loop, [this] { flush_deliveries(); }) {
  // The posted function holds the signal, and reaches this Hub only while
  // it is connected: halt() disconnects it on this same loop, so a
  // function posted before and run after the Hub was freed does nothing.
  // (The ring holds the signal by a plain pointer: it is the signal's own,
  // and sharing it there would make a cycle.)
  wake_->connect([&loop = loop_, wake = wake_.get(), this] {
    loop.post([wake = wake->shared_from_this(), this] {
      if (wake->connected()) answer_wake();
    });
  });
}

Hub::~Hub() { halt(CloseReason::shutdown); }

void Hub::halt(CloseReason why) noexcept {
  wake_->disconnect();
  halted_ = true;
  if (service_) service_->ended(why);
  service_.reset();
  flush_turn_.cancel();
  dirty_.clear();
  for (auto& entry : links_) entry.second->close();
}

void Hub::add(proto::ConnectionId id, net::UniqueFd socket) {
  if (halted_) return;
  auto link = std::make_unique<Link>(*this, id, std::move(socket));
  Link& added = *link;
  links_.emplace(id, std::move(link));
  watch(added);
}

void Hub::remove(proto::ConnectionId id) noexcept {
  const auto it = links_.find(id);
  if (halted_ || it == links_.end()) return;
  Link& link = *it->second;
  take_messages(link, std::numeric_limits<std::size_t>::max());
  link.close();
  try {
    if (retired_.empty()) loop_.post([this] { retired_.clear(); });
    retired_.push_back(std::move(it->second));
  } catch (...) {
    // Freeing it now could leave a pending event naming it: leak it instead.
    static_cast<void>(it->second.release());
  }
  links_.erase(it);
  try {
    service_->gone(id, *this);
  } catch (const std::exception& e) {
    log_.error("the service failed on a closed connection: {}", e.what());
  }
}

void Hub::answer_wake() noexcept {
  if (halted_ || !service_ || !wake_->take()) return;
  try {
    service_->woken(*this);
  } catch (const std::exception& e) {
    log_.error("the service failed on a wake: {}", e.what());
  }
}

void Hub::ready(Link& link, std::uint32_t events) noexcept {
  if (halted_ || !link.socket) return;  // an event from before it closed
  if (events & EPOLLOUT) link.out.flush();
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) take_messages(link, kMessageBatch);
  watch(link);
}

void Hub::take_messages(Link& link, std::size_t limit) noexcept {
  for (std::size_t taken = 0; taken < limit && link.socket; ++taken) {
    const net::ReceivedPacket packet =
        net::receive_packet(link.socket.borrow(), buffer_, MSG_DONTWAIT);
    if (packet.size < 0 && packet.error == EAGAIN) return;
    if (packet.size <= 0) {
      // The process closed its end (it exited): nothing more will come, so
      // stop watching rather than wake on the hang-up until it is reaped.
      link.close();
      return;
    }
    if (packet.truncated || buffer_[0] != kMessageTag) {
      cut(link, "sent a malformed message");
      continue;
    }
    try {
      service_->message(link.id, {buffer_.data() + 1, static_cast<std::size_t>(packet.size) - 1},
                        *this);
    } catch (const std::exception& e) {
      log_.error("the service failed on a message: {}", e.what());
      cut(link, "its message made the service fail");
    }
  }
}

// Courier: gathers the bytes on the receiver's link, in order; they go out
// after the current batch of events (flush_deliveries).
void Hub::deliver(proto::ConnectionId to, std::string_view bytes) {
  const auto it = links_.find(to);
  if (it == links_.end() || bytes.empty()) return;
  Link& link = *it->second;
  if (link.cut_off || !link.socket) return;
  if (link.out.bytes() + link.gathered.size() + bytes.size() > max_outbox_) {
    cut(link, "does not keep up with its deliveries");
    return;
  }
  link.gathered.append(bytes);
  if (!link.dirty) {
    link.dirty = true;
    dirty_.push_back(to);
  }
  flush_turn_.schedule();
}

void Hub::flush_deliveries() noexcept {
  std::vector<proto::ConnectionId> dirty;
  dirty.swap(dirty_);
  for (const proto::ConnectionId id : dirty) {
    const auto it = links_.find(id);
    if (it == links_.end()) continue;  // removed meanwhile: nobody to tell
    Link& link = *it->second;
    link.dirty = false;
    std::string_view bytes = link.gathered;
    bool sent = !link.cut_off && link.socket;
    while (sent && !bytes.empty()) {
      const std::size_t take = std::min(bytes.size(), kMaxPacket - 1);
      try {
        std::string packet;
        packet.reserve(take + 1);
        packet.push_back(kDeliveryTag);
        packet.append(bytes.substr(0, take));
        sent = link.out.send(std::move(packet));  // false: it exited; reaping follows
      } catch (const std::bad_alloc&) {
        cut(link, "could not be given its deliveries");
        sent = false;
      }
      bytes.remove_prefix(take);
    }
    if (link.gathered.capacity() > kMaxPacket)
      std::string().swap(link.gathered);
    else
      link.gathered.clear();
    if (!sent || link.cut_off) continue;
    if (link.out.bytes() > max_outbox_)
      cut(link, "does not keep up with its deliveries");
    else
      watch(link);
  }
  // Reuse the vector's storage next time unless a new batch began.
  if (dirty_.empty()) {
    dirty.clear();
    dirty_.swap(dirty);
  }
}

void Hub::watch(Link& link) noexcept {
  if (!link.socket) return;
  try {
    link.watching.watch(EPOLLIN | (link.out.empty() ? 0u : EPOLLOUT));
  } catch (const std::exception& e) {
    log_.error("cannot watch a connection process: {}", e.what());
    cut(link, "cannot be watched");
  }
}

void Hub::cut(Link& link, const char* why) noexcept {
  if (link.cut_off) return;
  link.cut_off = true;
  log_.debug("cutting off connection {}: its process {}", link.id, why);
  cut_off_(link.id);
}

}  // namespace netcook::model::fork
