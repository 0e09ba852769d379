#include "model/thread/connection.hpp"

#include "log/fields.hpp"
#include "model/thread_name.hpp"
#include "model/tls_transport.hpp"
#include "model/transport.hpp"

#include <array>
#include <optional>

namespace netcook::model::thread {
namespace {

// Read per recv(2); on the thread's stack, which is small (kConnectionStack).
constexpr std::size_t kReadBuffer = 16 * 1024;
// Bytes read before the side channels get a look.
constexpr std::size_t kReadBudget = 256 * 1024;

}  // namespace

Connection::Connection(Shared& shared, Admission& admission, proto::ConnectionId id,
                       std::shared_ptr<Mailbox> mailbox)
    : shared_(shared),
      slot_(std::move(admission.slot)),
      socket_(std::move(admission.socket)),
      id_(id),
      name_(connection_thread_name(shared.settings.listener.name, id)),
      mailbox_(std::move(mailbox)) {}

// The thread is this connection's alone: every line it logs is the
// connection's (PEER=), until the thread ends. The Service hears that it
// left once the socket is closed and the session gone; its place is given
// back last.
void Connection::run() noexcept {
  set_thread_name(name_);
  try {
    NewConnection made = shared_.setup(socket_.borrow(), id_, name_, " served by " + name_);
    peer_ = made.setup.peer;
    const log::PeerScope scope(peer_);
    serve(std::move(made));
  } catch (const std::exception& e) {
    shared_.settings.log->error("cannot serve connection {} from {}: {}", name_, peer_, e.what());
  }
  wakes_.wake_all();  // the last round's, which ended the loop
  shared_.hub.leave(id_);
}

void Connection::serve(NewConnection made) {
  ConnectionCore core(std::move(made.setup), mailbox_ ? this : nullptr, Clock::now());
  if (mailbox_) shared_.hub.join(id_, mailbox_);
  SideChannel* const sides[] = {this, mailbox_.get()};
  std::array<char, kReadBuffer> buffer;
  PlainTransport plain(socket_.borrow());
  std::optional<TlsTransport> tls;
  if (made.tls) tls.emplace(socket_.borrow(), std::move(made.tls));
  Transport& transport = tls ? static_cast<Transport&>(*tls) : plain;
  run_poll_loop(core, transport, std::span(sides, mailbox_ ? 2 : 1), buffer, kReadBudget);
  transport.finish(core.ended_cleanly());
  socket_.reset();  // the peer sees the end before the session goes
}

void Connection::send(std::string_view message) {
  shared_.hub.message(id_, message, wakes_);
}

pollfd Connection::watch(ConnectionCore&, Clock::time_point) noexcept {
  wakes_.wake_all();
  return {shared_.closing.fd().get(), POLLIN, 0};
}

// Never cleared: once the driver goes, every round ends here until the
// connection closes.
void Connection::ready(short, ConnectionCore& core, Clock::time_point now) noexcept {
  core.end(shared_.end_reason.load(), now);
}

}  // namespace netcook::model::thread
