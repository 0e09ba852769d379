#include "bus/redis_events.hpp"

#include "event/loop.hpp"
#include "event/registration.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <sys/epoll.h>
#include <sys/socket.h>

#include <memory>
#include <optional>
#include <system_error>

namespace netcook::bus {
namespace {

class RedisEvents final : public event::Watcher {
 public:
  RedisEvents(event::Loop& loop, redisAsyncContext& context)
      : loop_(loop), context_(&context), registration_(loop, net::Fd(context.c.fd), *this) {}
  RedisEvents(const RedisEvents&) = delete;
  RedisEvents& operator=(const RedisEvents&) = delete;
  ~RedisEvents() = default;

  static void add_read(void* self) { static_cast<RedisEvents*>(self)->want(true, std::nullopt); }
  static void del_read(void* self) { static_cast<RedisEvents*>(self)->want(false, std::nullopt); }
  static void add_write(void* self) { static_cast<RedisEvents*>(self)->want(std::nullopt, true); }
  static void del_write(void* self) { static_cast<RedisEvents*>(self)->want(std::nullopt, false); }
  static void cleanup(void* self) { static_cast<RedisEvents*>(self)->detach(); }

 private:
  void on_ready(std::uint32_t events) noexcept override {
    // An error or a hang-up is for whichever side hiredis watches: reading
    // or writing then fails, and hiredis frees the context (which may
    // happen in the first call: hence the second check).
    constexpr std::uint32_t kTrouble = EPOLLERR | EPOLLHUP;
    if (context_ != nullptr && reading_ && (events & (EPOLLIN | kTrouble)) != 0)
      redisAsyncHandleRead(context_);
    if (context_ != nullptr && writing_ && (events & (EPOLLOUT | kTrouble)) != 0)
      redisAsyncHandleWrite(context_);
  }

  void want(std::optional<bool> read, std::optional<bool> write) noexcept {
    if (context_ == nullptr) return;
    if (read) reading_ = *read;
    if (write) writing_ = *write;
    const std::uint32_t mask = (reading_ ? EPOLLIN : 0u) | (writing_ ? EPOLLOUT : 0u);
    if (mask == 0) {
      // Not registered at all: epoll reports a hang-up even for an empty
      // mask, and level-triggered that would be a busy loop.
      registration_.cancel();
      return;
    }
    try {
      registration_.watch(mask);
    } catch (const std::system_error&) {
      // epoll_ctl(2) failed (out of memory): no exception may cross
      // hiredis's C. The socket cannot be watched, so it is shut down; the
      // owner's deadline on the pending reply (or the connection) notices.
      registration_.cancel();
      ::shutdown(context_->c.fd, SHUT_RDWR);
    }
  }

  void detach() noexcept {
    registration_.cancel();  // before hiredis closes the socket
    context_ = nullptr;
    reading_ = writing_ = false;
    // Freed on the loop's next turn (or with the loop's posted work, if
    // the loop goes first): this turn may still report readiness to it.
    try {
      loop_.post([self = std::shared_ptr<RedisEvents>(this)] {});
    } catch (...) {
      // Out of memory: the object went with the failed posting (no
      // exception may cross hiredis's C).
    }
  }

  event::Loop& loop_;
  redisAsyncContext* context_;
  event::Registration registration_;
  bool reading_ = false;
  bool writing_ = false;
};

}  // namespace

bool attach(event::Loop& loop, redisAsyncContext& context) {
  if (context.ev.data != nullptr) return false;
  auto* events = new RedisEvents(loop, context);
  context.ev.data = events;
  context.ev.addRead = RedisEvents::add_read;
  context.ev.delRead = RedisEvents::del_read;
  context.ev.addWrite = RedisEvents::add_write;
  context.ev.delWrite = RedisEvents::del_write;
  context.ev.cleanup = RedisEvents::cleanup;
  return true;
}

}  // namespace netcook::bus
