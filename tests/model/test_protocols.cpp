#include "test_protocols.hpp"

#include "proto/echo.hpp"

#include <map>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>

namespace netcook::test {
namespace {

std::string name(proto::Ending why) {
  switch (why) {
    case proto::Ending::read_timeout:
      return "read_timeout";
    case proto::Ending::idle_timeout:
      return "idle_timeout";
    case proto::Ending::shutdown:
      return "shutdown";
    case proto::Ending::listener_removed:
      return "listener_removed";
    case proto::Ending::outbox_overflow:
      return "outbox_overflow";
  }
  return "?";
}

// With a Pacer, a line costs a token; refused one, it holds the rest.
class RoomSession final : public proto::Session {
 public:
  RoomSession(proto::Uplink* uplink, proto::Pacer* pacer) : uplink_(uplink), pacer_(pacer) {}
  void open(proto::Outbox&) override { uplink_->send("join"); }
  void receive(std::string_view data, proto::Outbox& out) override {
    input_.append(data);
    resume(out);
  }
  void resume(proto::Outbox&) override {
    std::size_t start = 0;
    holding_ = false;
    for (auto newline = input_.find('\n'); newline != std::string::npos;
         newline = input_.find('\n', start)) {
      if (pacer_ != nullptr && !pacer_->take()) {
        holding_ = true;
        break;
      }
      uplink_->send("say " + input_.substr(start, newline - start));
      start = newline + 1;
    }
    input_.erase(0, start);
  }
  bool holding() const noexcept override { return holding_; }
  bool partial() const noexcept override { return !input_.empty(); }
  void last_words(proto::Ending why, proto::Outbox& out) override {
    out.append("bye " + name(why) + "\n");
  }

 private:
  proto::Uplink* uplink_;
  proto::Pacer* pacer_;
  std::string input_;  // not yet handled: a partial line, or lines held
  bool holding_ = false;
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

// Calls `answer` with every complete line; partial while a line is incomplete.
class LineSession : public proto::Session {
 public:
  void receive(std::string_view data, proto::Outbox& out) override {
    for (char c : data) {
      if (c != '\n') {
        line_ += c;
        continue;
      }
      answer(line_, out);
      line_.clear();
    }
  }
  bool partial() const noexcept override { return !line_.empty(); }

 private:
  virtual void answer(const std::string& line, proto::Outbox& out) = 0;

  std::string line_;
};

class FileSession final : public LineSession {
 public:
  explicit FileSession(const std::string& path)
      : file_(std::make_shared<const net::UniqueFd>(::open(path.c_str(), O_RDONLY | O_CLOEXEC))) {
    struct stat status {};
    if (!file_->valid() || ::fstat(file_->get(), &status) != 0 || status.st_size < 2)
      throw std::runtime_error("cannot use " + path);
    size_ = static_cast<std::size_t>(status.st_size);
  }

 private:
  void answer(const std::string& line, proto::Outbox& out) override {
    out.append("<" + line + ">\n");
    out.append_file(file_, 1, size_ - 2);
    out.append("</" + line + ">\n");
  }

  std::shared_ptr<const net::UniqueFd> file_;
  std::size_t size_ = 0;
};

class TimeoutSession final : public LineSession {
 public:
  explicit TimeoutSession(bool throws) : throws_(throws) {}
  // "timeout" after a read timeout, else "bye " and the ending's name.
  void last_words(proto::Ending why, proto::Outbox& out) override {
    if (throws_) throw std::runtime_error("no last word");
    out.append(why == proto::Ending::read_timeout ? "timeout\n" : "bye " + name(why) + "\n");
  }

 private:
  void answer(const std::string& line, proto::Outbox& out) override {
    out.append(line);
    out.append('\n');
  }

  bool throws_;
};

class QuittingSession final : public LineSession {
 private:
  void answer(const std::string& line, proto::Outbox& out) override {
    if (line != "quit") {
      out.append(line + "\n");
      return;
    }
    out.append("bye\n");
    close_after_flush();
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

proto::Protocol room_protocol(proto::InputRate rate) {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext& context) {
    return std::make_unique<RoomSession>(context.uplink, context.pacer);
  };
  protocol.make_service = [](const proto::ServiceContext&) { return std::make_unique<Room>(); };
  protocol.refusal = "full\n";
  protocol.input_rate = rate;
  return protocol;
}

proto::Protocol throwing_protocol() {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext&) {
    return std::make_unique<ThrowingSession>();
  };
  return protocol;
}

proto::Protocol file_protocol(const std::string& path) {
  proto::Protocol protocol;
  protocol.make_session = [path](const proto::SessionContext&) {
    return std::make_unique<FileSession>(path);
  };
  return protocol;
}

proto::Protocol timeout_protocol(bool throws) {
  proto::Protocol protocol;
  protocol.make_session = [throws](const proto::SessionContext&) {
    return std::make_unique<TimeoutSession>(throws);
  };
  return protocol;
}

proto::Protocol quitting_protocol() {
  proto::Protocol protocol;
  protocol.make_session = [](const proto::SessionContext&) {
    return std::make_unique<QuittingSession>();
  };
  return protocol;
}

}  // namespace netcook::test
