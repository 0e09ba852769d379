#include "test_protocols.hpp"

#include "proto/echo.hpp"

#include <map>
#include <stdexcept>

namespace netcook::test {
namespace {

class RoomSession final : public proto::Session {
 public:
  explicit RoomSession(proto::Uplink* uplink) : uplink_(uplink) {}
  void open(proto::Outbox&) override { uplink_->send("join"); }
  void receive(std::string_view data, proto::Outbox&) override {
    for (char c : data) {
      if (c != '\n') {
        line_ += c;
        continue;
      }
      uplink_->send("say " + line_);
      line_.clear();
    }
  }
  bool partial() const noexcept override { return !line_.empty(); }

 private:
  proto::Uplink* uplink_;
  std::string line_;
};

class Room final : public proto::Service {
 public:
  void message(proto::ConnectionId from, std::string_view message,
               proto::Courier& courier) override {
    if (message == "join") {
      members_.emplace(from, true);
      courier.deliver(from, "hello " + std::to_string(from) + "\n");
      return;
    }
    const std::string line = std::to_string(from) + ": " + std::string(message.substr(4)) + "\n";
    for (const auto& [id, _] : members_)
      if (id != from) courier.deliver(id, line);
  }
  void gone(proto::ConnectionId who, proto::Courier& courier) override {
    members_.erase(who);
    for (const auto& [id, _] : members_) courier.deliver(id, "gone " + std::to_string(who) + "\n");
  }

 private:
  std::map<proto::ConnectionId, bool> members_;
};

class ThrowingSession final : public proto::Session {
 public:
  void receive(std::string_view data, proto::Outbox& out) override {
    if (data.find("boom") != std::string_view::npos) throw std::runtime_error("boom");
    out.append(data);
  }
};

}  // namespace

proto::Protocol echo_protocol() {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext& context) {
    return proto::make_echo_session({}, context);
  };
  return protocol;
}

proto::Protocol line_echo_protocol(std::size_t max_line) {
  proto::Protocol protocol;
  protocol.make_session = [max_line](const proto::SessionContext& context) {
    return proto::make_echo_session({true, "", max_line}, context);
  };
  return protocol;
}

proto::Protocol room_protocol() {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext& context) {
    return std::make_unique<RoomSession>(context.uplink);
  };
  protocol.make_service = [] { return std::make_unique<Room>(); };
  protocol.refusal = "full\n";
  return protocol;
}

proto::Protocol throwing_protocol() {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext&) {
    return std::make_unique<ThrowingSession>();
  };
  return protocol;
}

}  // namespace netcook::test
