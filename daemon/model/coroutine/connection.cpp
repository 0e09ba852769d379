#include "model/coroutine/connection.hpp"

#include "co/sleep.hpp"
#include "model/coroutine/worker.hpp"
#include "model/pump.hpp"

namespace netcook::model::coroutine {
namespace {

// Bytes one connection may read before the others on its worker get a turn.
constexpr std::size_t kReadBudget = 256 * 1024;

}  // namespace

Connection::Connection(Worker& worker, Admission& admission, NewConnection made,
                       Clock::time_point now)
    : ReactorConnection(worker.desk(), admission, std::move(made), now),
      worker_(worker),
      events_(worker.loop(), socket()) {}

Connection::~Connection() {
  end_now(worker_.end_reason(), Clock::now());
}

void Connection::deliver(std::string_view bytes) noexcept {
  core().deliver(bytes);
  events_.wake();
}

// Bytes are read into the worker's scratch buffer and handed to the session
// before the coroutine next suspends, so an idle connection holds no buffer.
co::Task<void> serve(Worker& worker, std::unique_ptr<Connection> connection) {
  ConnectionCore& core = connection->core();
  co::FdEvents& events = connection->events();
  core.open(worker.loop().now());
  for (;;) {
    switch (pump(core, connection->transport(), events.readiness(), worker.scratch(), kReadBudget,
                 worker.loop().now())) {
      case Pumped::closed:
        co_return;
      case Pumped::more:
        co_await co::yield(worker.loop());  // the others' turn
        continue;
      case Pumped::idle:
        break;
    }
    const SocketWait wait = awaited(core, connection->transport());
    const unsigned interest =
        (wait.readable ? co::FdEvents::kRead : 0u) | (wait.writable ? co::FdEvents::kWrite : 0u);
    if (co_await events.wait(interest, core.deadline()) == co::Ready::timeout)
      core.expire(worker.loop().now());
  }
}

}  // namespace netcook::model::coroutine
