#include "model/fork/vetting_link.hpp"

#include "model/accept_gate.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <poll.h>
#include <sys/socket.h>

namespace netcook::model::fork {
namespace {

// A packet: its kind, the peer's address (16 bytes; in a report, the
// reason in the first and zeros), the peer's text and, in a report, '\0'
// and why.
constexpr char kVet = 'V';
constexpr char kPreamble = 'P';
constexpr std::size_t kMaxPacket = 1024;
constexpr unsigned char kAdmitted = 0xFF;

std::string packet(char kind, const net::IpAddress& peer, std::string_view text,
                   std::string_view why) {
  std::string bytes(1, kind);
  bytes.append(reinterpret_cast<const char*>(peer.bytes.data()), peer.bytes.size());
  bytes.append(text.substr(0, 256));
  if (kind == kPreamble) {
    bytes.push_back('\0');
    bytes.append(why.substr(0, kMaxPacket - bytes.size()));
  }
  return bytes;
}

}  // namespace

SourceGuard::Verdict RemoteVetting::vet(const net::IpAddress& peer, const std::string& peer_text,
                                        Clock::time_point) {
  const std::string request = packet(kVet, peer, peer_text, {});
  if (::send(link_.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size()))
    throw std::runtime_error(std::string("cannot ask the fork master: ") + std::strerror(errno));
  pollfd wait{link_.get(), POLLIN, 0};
  const int timeout = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(kVettingWait).count());
  int ready = 0;
  do {
    ready = ::poll(&wait, 1, timeout);
  } while (ready < 0 && errno == EINTR);
  unsigned char answer = 0;
  if (ready != 1 || ::recv(link_.get(), &answer, 1, MSG_DONTWAIT) != 1)
    throw std::runtime_error("the fork master did not answer");
  SourceGuard::Verdict verdict;
  if (answer != kAdmitted) {
    if (answer >= metrics::kCloseReasons)
      throw std::runtime_error("the fork master's answer makes no sense");
    verdict.refused = static_cast<metrics::CloseReason>(answer);
  }
  return verdict;
}

void RemoteVetting::preamble_failed(metrics::CloseReason reason, const std::string& peer_text,
                                    const std::string& why, Clock::time_point) noexcept {
  try {
    net::IpAddress coded{};
    coded.bytes[0] = static_cast<std::uint8_t>(reason);
    const std::string report = packet(kPreamble, coded, peer_text, why);
    ::send(link_.get(), report.data(), report.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  } catch (...) {
    // Not counted then; the connection closes all the same.
  }
}

const std::string& RemoteVetting::refusal(metrics::CloseReason why) const noexcept {
  return refusal_of(protocol_, why);
}

std::optional<VettingPacket> read_vetting_packet(net::Fd link) noexcept {
  std::array<char, kMaxPacket> buffer;
  const ssize_t got = ::recv(link.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
  if (got < 17) return std::nullopt;
  try {
    net::IpAddress peer;
    std::memcpy(peer.bytes.data(), buffer.data() + 1, peer.bytes.size());
    const std::string_view rest(buffer.data() + 17, static_cast<std::size_t>(got) - 17);
    if (buffer[0] == kVet) return VetRequest{peer, std::string(rest)};
    if (buffer[0] != kPreamble) return std::nullopt;
    const auto end = rest.find('\0');
    const auto reason = static_cast<metrics::CloseReason>(peer.bytes[0]);
    if (end == std::string_view::npos ||
        (reason != metrics::CloseReason::proxy_header &&
         reason != metrics::CloseReason::tls_handshake))
      return std::nullopt;
    return PreambleReport{reason, std::string(rest.substr(0, end)),
                          std::string(rest.substr(end + 1))};
  } catch (...) {
    return std::nullopt;
  }
}

void answer_vetting(net::Fd link, std::optional<metrics::CloseReason> refused) noexcept {
  const unsigned char answer = refused ? static_cast<unsigned char>(*refused) : kAdmitted;
  ::send(link.get(), &answer, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace netcook::model::fork
