#include "model/fork/child_channels.hpp"

#include "model/fork/control_message.hpp"
#include "net/packet.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace netcook::model::fork {

HubLink::HubLink(net::Fd hub, std::size_t max_outbox, spdlog::logger& log, std::span<char> buffer)
    : hub_(hub), max_outbox_(max_outbox), log_(log), buffer_(buffer), uplink_(hub) {}

namespace {

// What the handler recorded: 0 until SIGTERM came, then 1 + its reason.
volatile sig_atomic_t g_termination = 0;

// The reason a SIGTERM carries: its value when the master queued it with
// one in range, else shutdown.
int reason_of(const siginfo_t& info) noexcept {
  const bool queued = info.si_code == SI_QUEUE && info.si_value.sival_int >= 0 &&
                      static_cast<std::size_t>(info.si_value.sival_int) < kCloseReasons;
  return queued ? info.si_value.sival_int : static_cast<int>(CloseReason::shutdown);
}

extern "C" void on_termination(int, siginfo_t* info, void*) {
  g_termination = 1 + reason_of(*info);
  stop_waiting_read();  // the poll loop may wait in the connection's recv(2)
}

}  // namespace

std::optional<CloseReason> termination_reason() noexcept {
  if (g_termination == 0) {
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    siginfo_t info{};
    const timespec no_wait{};
    if (::sigtimedwait(&term, &info, &no_wait) == SIGTERM) g_termination = 1 + reason_of(info);
  }
  if (g_termination == 0) return std::nullopt;
  return static_cast<CloseReason>(g_termination - 1);
}

void HubLink::send(std::string_view message) {
  if (message.size() + 1 > kMaxPacket)
    throw std::length_error("a message to the listener's service is too long");
  std::string packet;
  packet.reserve(message.size() + 1);
  packet.push_back(kMessageTag);
  packet.append(message);
  uplink_.send(std::move(packet));
}

pollfd HubLink::watch(ConnectionCore& core, Clock::time_point) noexcept {
  core.hold_reading(uplink_.bytes() >= max_outbox_);
  return {hub_.get(), static_cast<short>(POLLIN | (uplink_.empty() ? 0 : POLLOUT)), 0};
}

void HubLink::ready(short revents, ConnectionCore& core, Clock::time_point now) noexcept {
  if ((revents & POLLOUT) && !uplink_.flush()) {
    // The master is gone, or ended this connection: its SIGTERM says why.
    core.end(termination_reason().value_or(CloseReason::shutdown), now);
    return;
  }
  core.hold_reading(uplink_.bytes() >= max_outbox_);
  if (revents & (POLLIN | POLLHUP | POLLERR)) take_deliveries(core, now);
}

// Deliveries from the Service go to the core; one that would take its
// Outbox past max_outbox cuts the connection off (the master then tells
// the Service).
void HubLink::take_deliveries(ConnectionCore& core, Clock::time_point now) noexcept {
  while (!core.closed()) {
    const net::ReceivedPacket packet = net::receive_packet(hub_, buffer_, MSG_DONTWAIT);
    if (packet.size < 0 && packet.error == EAGAIN) return;
    if (packet.size <= 0) {
      // The master closed the hub; its SIGTERM, sent first, says why (the
      // wait may have returned for the hub before the signal was taken).
      core.end(termination_reason().value_or(CloseReason::shutdown), now);
      return;
    }
    if (packet.truncated || buffer_[0] != kDeliveryTag) {
      log_.error("malformed packet from the fork master; closing the connection");
      core.failed(EPROTO);
      return;
    }
    core.deliver({buffer_.data() + 1, static_cast<std::size_t>(packet.size) - 1});
  }
}

void HubLink::flush_last(Clock::duration patience) noexcept {
  const auto until = Clock::now() + patience;
  while (uplink_.flush() && !uplink_.empty() && Clock::now() < until) {
    pollfd fd{hub_.get(), POLLOUT, 0};
    ::poll(&fd, 1, 50);
  }
}

Termination::Termination() {
  struct sigaction action {};
  action.sa_sigaction = on_termination;
  // Let in while the poll loop waits in recv(2), the signal may come in
  // the middle of any system call: restarted, a send or a log line is not
  // cut short (ppoll(2) never is, and the recv is ended by the handler).
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  if (::sigaction(SIGTERM, &action, nullptr) != 0 ||
      ::sigprocmask(SIG_BLOCK, &term, &wait_mask_) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot take SIGTERM");
  sigdelset(&wait_mask_, SIGTERM);
}

pollfd Termination::watch(ConnectionCore& core, Clock::time_point now) noexcept {
  if (const int recorded = g_termination; recorded != 0) {
    const auto why = static_cast<CloseReason>(recorded - 1);
    if (why == CloseReason::outbox_overflow)
      core.cut_off();
    else
      core.end(why, now);
  }
  return {-1, 0, 0};
}

}  // namespace netcook::model::fork
