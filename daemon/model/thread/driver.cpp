#include "model/thread/driver.hpp"

#include "model/thread/acceptor.hpp"
#include "model/thread/shared.hpp"

namespace netcook::model::thread {
namespace {

class ThreadDriver final : public Driver {
 public:
  ThreadDriver(DriverSettings settings, net::Fd listening, proto::Protocol protocol)
      : shared_(std::move(settings), listening, std::move(protocol)) {}

  // Accepting stops first and the Service goes before any connection is
  // closed, so at teardown nobody is told who left. Then every connection
  // thread is woken, and all are joined.
  ~ThreadDriver() override {
    acceptor_.stop();
    shared_.hub.close(shared_.end_reason);
    shared_.closing.signal();
    shared_.threads.join_all();
  }

  void start() override { acceptor_.start(); }

  void stop_accepting(CloseReason why) override {
    shared_.end_reason = why;
    acceptor_.stop();
    shared_.count.drain();
  }

  std::size_t connections() const noexcept override { return shared_.count.open(); }

  // Connection threads block in their sockets: the accept loop is the one
  // that turns.
  std::vector<event::Heartbeat*> heartbeats() override { return {&acceptor_.heartbeat()}; }

 private:
  Shared shared_;
  Acceptor acceptor_{shared_};
};

}  // namespace

std::unique_ptr<Driver> make_thread_driver(DriverSettings settings, net::Fd listening,
                                           proto::Protocol protocol) {
  return std::make_unique<ThreadDriver>(std::move(settings), listening, std::move(protocol));
}

}  // namespace netcook::model::thread
