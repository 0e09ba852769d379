#include "model/fork/control_message.hpp"

#include "config/codec.hpp"

#include <stdexcept>

namespace netcook::model::fork {
namespace {

bool decode_op(config::Decoder& in, Op& op) {
  std::uint64_t value = 0;
  if (!in.u64(value)) return false;
  if (value < static_cast<std::uint64_t>(Op::start) ||
      value > static_cast<std::uint64_t>(Op::drained))
    return in.reject();
  op = static_cast<Op>(value);
  return true;
}

bool decode_reason(config::Decoder& in, CloseReason& reason) {
  std::uint64_t value = 0;
  if (!in.u64(value)) return false;
  if (value >= kCloseReasons) return in.reject();
  reason = static_cast<CloseReason>(value);
  return true;
}

}  // namespace

std::string encode(const ControlMessage& message) {
  config::Encoder out;
  out.u64(static_cast<std::uint64_t>(message.op));
  out.u64(message.listener);
  out.u64(message.request);
  out.u64(message.value);
  out.u64(static_cast<std::uint64_t>(message.log_level));
  out.u64(static_cast<std::uint64_t>(message.reason));
  out.text(message.error);
  if (message.op == Op::start || message.op == Op::renew_tls) {
    config::encode(out, message.settings);
    config::encode(out, message.limits);
  }
  std::string packet = out.take();
  if (packet.size() > kMaxPacket)
    throw std::length_error("a listener's settings are too long for the fork master");
  return packet;
}

std::optional<ControlMessage> decode(std::string_view packet) {
  config::Decoder in(packet);
  ControlMessage message;
  std::uint64_t level = 0;
  bool ok = decode_op(in, message.op) && in.u64(message.listener) && in.u64(message.request) &&
            in.u64(message.value) && in.u64(level) && decode_reason(in, message.reason) &&
            in.text(message.error);
  if (ok && (message.op == Op::start || message.op == Op::renew_tls))
    ok = config::decode(in, message.settings) && config::decode(in, message.limits);
  if (!ok || !in.done()) return std::nullopt;
  message.log_level = static_cast<int>(level);
  return message;
}

}  // namespace netcook::model::fork
