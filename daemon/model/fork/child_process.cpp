#include "model/fork/child_process.hpp"

#include "log/fields.hpp"
#include "model/fork/child_channels.hpp"
#include "model/fork/control_message.hpp"
#include "model/fork/process_setup.hpp"
#include "model/fork/vetting_link.hpp"
#include "model/socket_io.hpp"
#include "model/thread_name.hpp"
#include "model/tls_transport.hpp"
#include "model/transport.hpp"

#include <exception>
#include <memory>
#include <optional>

#include <unistd.h>

namespace netcook::model::fork {
namespace {

// Client bytes read per round, so the hub gets its turn on a busy client,
// and per recv(2).
constexpr std::size_t kReadBudget = 256 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;
// How long a finished connection process waits for the master to take its
// last messages.
constexpr auto kLastMessagesWait = std::chrono::seconds(1);

std::shared_ptr<spdlog::logger> make_logger(const ChildPlan& plan) {
  auto log = plan.loggers(plan.listener, plan.log_fields);
  if (!log) throw std::runtime_error("the logger factory made no logger");
  log->set_level(static_cast<spdlog::level::level_enum>(plan.log_level));
  return log;
}

void serve(const ChildPlan& plan, spdlog::logger& log, const std::string& name) {
  // This process's own copy of the connection: owned here, since the
  // master's stack, which holds the master's copy, is never unwound here.
  net::UniqueFd client(plan.client.get());
  const Peer peer = prepare_socket(client.borrow());
  const log::PeerScope peer_scope(peer.address);
  const pid_t pid = ::getpid();
  Termination termination;
  // One hub packet, or a chunk of client input. Left uninitialised, so a
  // page becomes resident only once data is read into it: an idle
  // connection process does not pay for the whole buffer.
  const auto storage = std::make_unique_for_overwrite<char[]>(kMaxPacket);
  const std::span<char> buffer(storage.get(), kMaxPacket);
  std::optional<HubLink> link;
  if (plan.hub) link.emplace(plan.hub, plan.limits.max_outbox, log, buffer);
  std::optional<RemoteVetting> vetting;
  if (plan.vetting) vetting.emplace(plan.vetting, plan.protocol);
  {
    ConnectionCore::Setup setup{plan.protocol,
                                plan.limits,
                                log,
                                plan.listener,
                                plan.id,
                                peer.address,
                                peer.host,
                                pid,
                                name,
                                fmt::format(" served by process {}", pid),
                                plan.metrics,
                                vetting ? &*vetting : nullptr,
                                peer.ip.value_or(net::IpAddress{}),
                                plan.proxy_header && peer.ip && vetting,
                                {}};
    if (plan.tls.context) setup.handshake_timeout = plan.tls.handshake_timeout;
    ConnectionCore core(std::move(setup), link ? &*link : nullptr, Clock::now());
    // The master's end request first: it comes before the hub closes.
    SideChannel* const sides[] = {&termination, link ? &*link : nullptr};
    PlainTransport plain(client.borrow());
    std::optional<TlsTransport> tls;
    if (plan.tls.context) tls.emplace(client.borrow(), plan.tls.context);
    Transport& transport = tls ? static_cast<Transport&>(*tls) : plain;
    run_poll_loop(core, transport, std::span(sides, link ? 2 : 1), buffer.first(kReadChunk),
                  kReadBudget, termination.wait_mask());
    transport.finish(core.ended_cleanly());
    client.reset();  // the peer sees the end before the session goes
  }
  // The session has gone (it may have said goodbye through the Uplink).
  if (link) link->flush_last(kLastMessagesWait);
}

}  // namespace

void run_child(const ChildPlan& plan) noexcept {
  if (!die_with_parent(plan.master)) ::_exit(1);
  reset_signals_for_fork_process();
  close_fds_except({plan.client.get(), plan.hub.get(), plan.vetting.get()});
  metrics::choose_shard_after_fork();

  std::shared_ptr<spdlog::logger> log;
  int status = 0;
  try {
    log = make_logger(plan);
    if (plan.protocol.after_fork) plan.protocol.after_fork();
    const std::string name =
        connection_thread_name(plan.listener, static_cast<unsigned long>(::getpid()));
    set_thread_name(name);  // what ps and top show for this process
    serve(plan, *log, name);
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
