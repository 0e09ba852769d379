#include "model/fork/child_process.hpp"

#include "log/fields.hpp"
#include "model/fork/child_connection.hpp"
#include "model/fork/process_setup.hpp"
#include "model/thread_name.hpp"
#include "net/socket.hpp"

#include <exception>

#include <unistd.h>

namespace netcook::model::fork {
namespace {

std::shared_ptr<spdlog::logger> make_logger(const ChildPlan& plan) {
  auto log = plan.loggers(plan.listener, plan.log_fields);
  if (!log) throw std::runtime_error("the logger factory made no logger");
  log->set_level(static_cast<spdlog::level::level_enum>(plan.log_level));
  return log;
}

}  // namespace

void run_child(const ChildPlan& plan) noexcept {
  if (!die_with_parent(plan.master)) ::_exit(1);
  reset_signals_for_fork_process();
  close_fds_except({plan.client, plan.hub});

  std::shared_ptr<spdlog::logger> log;
  int status = 0;
  try {
    log = make_logger(plan);
    const pid_t pid = ::getpid();
    proto::SessionContext context{plan.listener, net::peer_address(plan.client),
                                  net::peer_host(plan.client), pid,
                                  connection_thread_name(plan.listener,
                                                         static_cast<unsigned long>(pid)),
                                  plan.id, nullptr, log.get()};
    set_thread_name(context.thread);  // what ps and top show for this process
    net::set_nodelay(plan.client);
    const std::string peer = context.peer;
    const log::PeerScope peer_scope(peer);
    log->debug("connection from {} served by process {}", peer, pid);
    ChildConnection connection(plan.client, plan.hub, plan.limits, *log);
    try {
      connection.serve(plan.protocol.make_session, std::move(context));
    } catch (const std::exception& e) {
      log->debug("connection ended by an error: {}", e.what());
    }
  } catch (const std::exception& e) {
    if (log) log->error("cannot serve a connection: {}", e.what());
    status = 1;
  } catch (...) {
    status = 1;
  }
  if (log) log->flush();
  ::_exit(status);
}

}  // namespace netcook::model::fork
