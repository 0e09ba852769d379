#include "model/fork/control_message.hpp"

#include <cstring>
#include <stdexcept>

namespace netcook::model::fork {
namespace {

class Writer {
 public:
  void u64(std::uint64_t value) {
    char bytes[sizeof value];
    std::memcpy(bytes, &value, sizeof value);
    out_.append(bytes, sizeof bytes);
  }
  void text(std::string_view value) {
    u64(value.size());
    out_.append(value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u64(std::uint64_t& value) {
    if (in_.size() < sizeof value) return false;
    std::memcpy(&value, in_.data(), sizeof value);
    in_.remove_prefix(sizeof value);
    return true;
  }
  bool text(std::string& value) {
    std::uint64_t size = 0;
    if (!u64(size) || size > in_.size()) return false;
    value.assign(in_.substr(0, size));
    in_.remove_prefix(size);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::uint64_t ms(config::Duration duration) {
  return static_cast<std::uint64_t>(duration.count());
}

}  // namespace

std::string encode(const ControlMessage& message) {
  Writer out;
  out.u64(static_cast<std::uint64_t>(message.op));
  out.u64(message.listener);
  out.u64(message.request);
  out.u64(message.value);
  out.u64(static_cast<std::uint64_t>(message.log_level));
  out.text(message.name);
  out.text(message.spec);
  out.text(message.error);
  out.u64(message.limits.max_connections);
  out.u64(ms(message.limits.idle_timeout));
  out.u64(ms(message.limits.read_timeout));
  out.u64(ms(message.limits.shutdown_timeout));
  out.u64(message.limits.max_outbox);
  std::string packet = out.take();
  if (packet.size() > kMaxPacket)
    throw std::length_error("a listener's spec is too long for the fork master");
  return packet;
}

std::optional<ControlMessage> decode(std::string_view packet) {
  Reader in(packet);
  ControlMessage message;
  std::uint64_t op = 0, level = 0, max_connections = 0, max_outbox = 0;
  std::uint64_t idle = 0, read = 0, shutdown = 0;
  const bool ok = in.u64(op) && in.u64(message.listener) && in.u64(message.request) &&
                  in.u64(message.value) && in.u64(level) && in.text(message.name) &&
                  in.text(message.spec) && in.text(message.error) &&
                  in.u64(max_connections) && in.u64(idle) && in.u64(read) &&
                  in.u64(shutdown) && in.u64(max_outbox) && in.done();
  if (!ok || op < static_cast<std::uint64_t>(Op::start) ||
      op > static_cast<std::uint64_t>(Op::drained))
    return std::nullopt;
  message.op = static_cast<Op>(op);
  message.log_level = static_cast<int>(level);
  message.limits.max_connections = max_connections;
  message.limits.idle_timeout = config::Duration(static_cast<config::Duration::rep>(idle));
  message.limits.read_timeout = config::Duration(static_cast<config::Duration::rep>(read));
  message.limits.shutdown_timeout =
      config::Duration(static_cast<config::Duration::rep>(shutdown));
  message.limits.max_outbox = max_outbox;
  return message;
}

}  // namespace netcook::model::fork
