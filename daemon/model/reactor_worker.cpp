#include "model/reactor_worker.hpp"

#include "model/thread_name.hpp"

namespace netcook::model {

ReactorWorker::ReactorWorker(ReactorShared& shared, unsigned index)
    : shared_(shared),
      thread_(worker_thread_name(shared.settings.listener.name, index), *shared.settings.log),
      desk_(shared.hall, index, &thread_.loop(), *shared.settings.log),
      index_(index) {
  shared_.hall.desks.push_back(&desk_);
  thread_.loop().count_cpu_into(shared_.settings.metrics.here().cpu_nsec);
}

NewConnection ReactorWorker::setup(net::Fd socket) {
  return shared_.setup(socket, (next_serial_++ << 8) | index_, thread_.name());
}

}  // namespace netcook::model
