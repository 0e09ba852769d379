#include "model/epoll/connection.hpp"

#include "model/epoll/worker.hpp"

#include <sys/epoll.h>

namespace netcook::model::epoll {

Connection::Connection(Worker& worker, Admission& admission, NewConnection made,
                       Clock::time_point now)
    : ReactorConnection(worker.desk(), admission, std::move(made), now),
      worker_(worker),
      registration_(worker.loop(), socket(), *this, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET),
      deadline_(worker.loop(), [this] { worker_.deadline_passed(*this); }),
      turn_(worker.loop(), [this] { worker_.serve(*this); }) {}

void Connection::deliver(std::string_view bytes) noexcept {
  core().deliver(bytes);
  turn_.schedule();
}

void Connection::on_ready(std::uint32_t events) noexcept {
  ready.note(events);
  worker_.serve(*this);
}

}  // namespace netcook::model::epoll
