#include "bus/redis_link.hpp"

#include "bus/redis_events.hpp"
#include "event/timer.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

namespace netcook::bus {
namespace {

using namespace std::chrono_literals;
using event::Clock;

constexpr std::chrono::milliseconds kFirstBackoff = 100ms;
constexpr std::chrono::milliseconds kLastBackoff = 2s;

// hiredis's error text as a why: "closed by the server", "connection
// refused", ...
std::string why_from(const redisContext& context) {
  std::string text = context.errstr;
  if (text.empty()) return "connection lost";
  if (text == "Server closed the connection") return "closed by the server";
  text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string describe(const config::BusEndpoint& endpoint) {
  if (!endpoint.url.empty()) return endpoint.url;
  if (endpoint.kind == config::BusEndpoint::Kind::unix_socket) return "unix:" + endpoint.path;
  return endpoint.host + ":" + std::to_string(endpoint.port);
}

std::string error_text(const redisReply* reply) {
  if (reply == nullptr) return "no reply";
  if (reply->type == REDIS_REPLY_ERROR) return std::string(reply->str, reply->len);
  return "unexpected reply";
}

}  // namespace

class RedisLink::Impl {
 public:
  Impl(event::Loop& loop, LinkSettings settings, spdlog::logger& log)
      : loop_(loop),
        settings_(std::move(settings)),
        log_(log),
        name_(describe(settings_.endpoint)),
        reconnect_timer_(loop, [this] { connect(); }),
        deadline_timer_(loop, [this] { check_deadlines(); }) {}

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  ~Impl() {
    for (Guard* guard = guards_; guard != nullptr; guard = guard->outer) guard->destroyed = true;
    pending_.clear();  // dropped, never called
    if (context_ != nullptr) let_go(*std::exchange(context_, nullptr));
    for (const auto* zombie : zombies_) {
      auto* context = const_cast<redisAsyncContext*>(zombie);
      context->data = nullptr;
      // The one hiredis is in a call for frees itself on the loop's next
      // turn (if the loop has one); the others can go now.
      if (zombie != calling_) redisAsyncFree(context);
    }
  }

  std::function<void()> on_up;
  std::function<void(std::string_view)> on_down;

  void start() {
    if (state_ != State::idle) return;
    state_ = State::waiting;
    // On the loop's turn, not here: a failure calls on_down.
    reconnect_timer_.arm_after(0ms);
  }

  bool up() const noexcept { return state_ == State::up; }

  bool command(std::span<const std::string_view> argv, Callback callback,
               std::chrono::milliseconds extra) {
    if (state_ != State::up || argv.empty()) return false;
    return send(argv, std::move(callback), Clock::now() + settings_.timeout + extra);
  }

  // Outside hiredis's own calls only: inside one, hiredis writes anyway.
  void flush() noexcept {
    if (state_ == State::up && context_ != nullptr && calling_ == nullptr)
      redisAsyncHandleWrite(context_);
  }

  void reset(std::string_view why) {
    if (state_ == State::connecting || state_ == State::handshaking || state_ == State::up)
      lose(std::string(why));
  }

 private:
  enum class State { idle, waiting, connecting, handshaking, up };

  struct Pending {
    Callback callback;
    Clock::time_point deadline;
  };

  // Marks a stretch that calls out (a callback, or hiredis calling us):
  // if the link is destroyed meanwhile, `destroyed` says so, and the
  // caller touches nothing of it after.
  struct Guard {
    explicit Guard(Impl& link) : impl(link), outer(link.guards_) { link.guards_ = this; }
    ~Guard() {
      if (!destroyed) impl.guards_ = outer;
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Impl& impl;
    Guard* const outer;
    bool destroyed = false;
  };

  // hiredis calls these. `context.data` is the link the context belongs
  // to, or null once no link cares (then they do nothing). A context the
  // link let go inside one of hiredis's calls (a zombie, see let_go) still
  // points to it, so that its end is known: it is not the link's current
  // context, and only its disconnection matters.
  static void connected(const redisAsyncContext* context, int status) {
    in_call(context, [&](Impl& self) {
      if (status == REDIS_OK) {
        self.handshake();
      } else {
        self.lose(why_from(context->c), Freeing::by_hiredis);
      }
    });
  }

  static void disconnected(const redisAsyncContext* context, int /*status*/) {
    auto* self = static_cast<Impl*>(context->data);
    if (self != nullptr && self->context_ != context) {
      std::erase(self->zombies_, context);  // hiredis freed it: gone
      return;
    }
    in_call(context, [&](Impl& link) { link.lose(why_from(context->c), Freeing::by_hiredis); });
  }

  static void replied(redisAsyncContext* context, void* reply, void* /*privdata*/) {
    in_call(context, [&](Impl& self) {
      if (reply == nullptr) {
        // hiredis is freeing the context (the connection failed): the
        // pending callbacks get their null in lose().
        self.lose(why_from(context->c), Freeing::by_hiredis);
      } else {
        self.answer(static_cast<const redisReply*>(reply));
      }
    });
  }

  // Runs `work` for the link of `context` (not for a zombie), noting that
  // hiredis is in a call for that context meanwhile.
  template <typename Work>
  static void in_call(const redisAsyncContext* context, Work&& work) {
    auto* self = static_cast<Impl*>(context->data);
    if (self == nullptr || self->context_ != context) return;
    Guard guard(*self);
    const redisAsyncContext* const outer = std::exchange(self->calling_, context);
    work(*self);
    if (!guard.destroyed) self->calling_ = outer;
  }

  void connect() {
    state_ = State::connecting;
    connect_deadline_ = Clock::now() + settings_.timeout;
    const auto& endpoint = settings_.endpoint;
    // A host name is resolved here, synchronously (hiredis): see the header.
    redisAsyncContext* context =
        endpoint.kind == config::BusEndpoint::Kind::unix_socket
            ? redisAsyncConnectUnix(endpoint.path.c_str())
            : redisAsyncConnect(endpoint.host.c_str(), endpoint.port);
    if (context == nullptr) {
      lose("out of memory");
      return;
    }
    if (context->err != 0) {
      std::string why = why_from(context->c);
      redisAsyncFree(context);  // nothing attached, no callbacks set
      lose(std::move(why));
      return;
    }
    context_ = context;
    context->data = this;
    attach(loop_, *context);  // before the connect callback: see redis_events.hpp
    redisAsyncSetDisconnectCallback(context, &Impl::disconnected);
    redisAsyncSetConnectCallback(context, &Impl::connected);
    deadline_timer_.arm_at(connect_deadline_);
  }

  // AUTH, SELECT, CLIENT SETNAME (or PING), pipelined, before the link
  // counts as up.
  void handshake() {
    state_ = State::handshaking;
    std::vector<std::vector<std::string>> steps;
    if (!settings_.password.empty()) steps.push_back({"AUTH", settings_.password});
    if (settings_.endpoint.db != 0)
      steps.push_back({"SELECT", std::to_string(settings_.endpoint.db)});
    if (!settings_.client_name.empty())
      steps.push_back({"CLIENT", "SETNAME", settings_.client_name});
    // A server that accepts but does not answer (stopped, hung) is not up:
    // with nothing else to ask, a PING must be answered first.
    if (steps.empty()) steps.push_back({"PING"});
    handshake_left_ = steps.size();
    for (const auto& step : steps) {
      std::vector<std::string_view> argv(step.begin(), step.end());
      const bool auth = step[0] == "AUTH";
      std::string what = auth                ? std::string("authentication failed")
                         : step.size() == 1 ? step[0] + " failed"
                                            : step[0] + " " + step[1] + " failed";
      const bool sent = send(
          argv,
          [this, what = std::move(what)](const redisReply* reply) {
            if (reply == nullptr) return;  // lost: lose() tells why
            if (reply->type == REDIS_REPLY_ERROR) {
              lose(what + ": " + error_text(reply));
            } else if (--handshake_left_ == 0) {
              came_up();
            }
          },
          connect_deadline_);
      if (!sent) {
        lose("cannot send " + step[0]);
        return;
      }
    }
  }

  void came_up() {
    state_ = State::up;
    backoff_ = kFirstBackoff;
    failures_ = 0;
    deadline_timer_.cancel();  // nothing is pending: the handshake's replies are in
    log_.info("bus {}: up", name_);
    if (auto callback = on_up) callback();
  }

  bool send(std::span<const std::string_view> argv, Callback callback,
            Clock::time_point deadline) {
    std::vector<const char*> pointers;
    std::vector<std::size_t> lengths;
    pointers.reserve(argv.size());
    lengths.reserve(argv.size());
    for (const auto arg : argv) {
      pointers.push_back(arg.data() != nullptr ? arg.data() : "");
      lengths.push_back(arg.size());
    }
    if (redisAsyncCommandArgv(context_, &Impl::replied, nullptr, static_cast<int>(argv.size()),
                              pointers.data(), lengths.data()) != REDIS_OK) {
      return false;
    }
    pending_.push_back(Pending{std::move(callback), deadline});
    deadline_timer_.arm_by(deadline);
    return true;
  }

  // A reply to the oldest pending command (Redis answers in order; this
  // link sends no SUBSCRIBE nor MONITOR, whose pushes would not be).
  void answer(const redisReply* reply) {
    if (pending_.empty()) return;
    Callback callback = std::move(pending_.front().callback);
    pending_.pop_front();
    if (callback) callback(reply);
  }

  // The earliest deadline (the connection's while connecting, every
  // pending reply's): past it, the link is lost; else the timer waits.
  void check_deadlines() {
    std::optional<Clock::time_point> earliest;
    if (state_ == State::connecting || state_ == State::handshaking) earliest = connect_deadline_;
    for (const auto& pending : pending_)
      if (!earliest || pending.deadline < *earliest) earliest = pending.deadline;
    if (!earliest) {
      deadline_timer_.cancel();
      return;
    }
    if (*earliest <= Clock::now()) {
      lose(state_ == State::up ? "timed out" : "timed out connecting");
    } else {
      deadline_timer_.arm_at(*earliest);
    }
  }

  enum class Freeing { by_us, by_hiredis };

  // The link is lost: the context goes, on_down is told, the pending
  // callbacks get null, and a new connection is tried after the back-off.
  void lose(std::string why, Freeing freeing = Freeing::by_us) {
    if (state_ == State::idle || state_ == State::waiting) return;
    const bool was_up = state_ == State::up;
    state_ = State::waiting;
    deadline_timer_.cancel();
    auto pending = std::exchange(pending_, {});
    if (context_ != nullptr) {
      redisAsyncContext& context = *std::exchange(context_, nullptr);
      if (freeing == Freeing::by_us) {
        let_go(context);
      } else {
        context.data = nullptr;  // hiredis frees it when this returns
      }
    }
    reconnect_timer_.arm_after(backoff_);
    const auto retry_in = backoff_;
    backoff_ = std::min(backoff_ * 2, kLastBackoff);

    if (was_up || failures_ == 0) {
      log_.warn("bus {}: {}{}; again in {} ms", name_, was_up ? "lost: " : "down: ", why,
                retry_in.count());
    } else {
      log_.debug("bus {}: still down: {}; again in {} ms", name_, why, retry_in.count());
    }
    ++failures_;

    Guard guard(*this);
    if (auto callback = on_down) {
      callback(why);
      if (guard.destroyed) return;
    }
    for (auto& waiting : pending) {
      if (!waiting.callback) continue;
      waiting.callback(nullptr);
      if (guard.destroyed) return;
    }
  }

  // Frees a context this link owns, without a call back to it. Inside one
  // of hiredis's calls for it, it must not be freed (hiredis 0.14 would
  // use it after): its reading side is shut down instead, so that hiredis
  // reads the end of the stream on the loop's next turn and frees it
  // itself; until then it is a zombie, freed by the destructor if the
  // link goes first.
  void let_go(redisAsyncContext& context) {
    if (calling_ == &context) {
      ::shutdown(context.c.fd, SHUT_RD);
      zombies_.push_back(&context);
    } else {
      context.data = nullptr;
      redisAsyncFree(&context);
    }
  }

  event::Loop& loop_;
  const LinkSettings settings_;
  spdlog::logger& log_;
  const std::string name_;

  State state_ = State::idle;
  redisAsyncContext* context_ = nullptr;
  std::deque<Pending> pending_;
  Clock::time_point connect_deadline_{};
  std::size_t handshake_left_ = 0;
  std::chrono::milliseconds backoff_ = kFirstBackoff;
  unsigned failures_ = 0;  // attempts failed since the link was last up

  // The context whose hiredis call is under way, if any.
  const redisAsyncContext* calling_ = nullptr;
  // Contexts let go inside hiredis's calls, not yet freed (let_go).
  std::vector<const redisAsyncContext*> zombies_;
  Guard* guards_ = nullptr;

  event::Timer reconnect_timer_;
  event::Timer deadline_timer_;
};

RedisLink::RedisLink(event::Loop& loop, LinkSettings settings, spdlog::logger& log)
    : impl_(std::make_unique<Impl>(loop, std::move(settings), log)) {}

RedisLink::~RedisLink() = default;

void RedisLink::on_up(std::function<void()> callback) { impl_->on_up = std::move(callback); }

void RedisLink::on_down(std::function<void(std::string_view why)> callback) {
  impl_->on_down = std::move(callback);
}

void RedisLink::start() { impl_->start(); }

bool RedisLink::up() const noexcept { return impl_->up(); }

bool RedisLink::command(std::span<const std::string_view> argv, Callback callback,
                        std::chrono::milliseconds extra) {
  return impl_->command(argv, std::move(callback), extra);
}

void RedisLink::reset(std::string_view why) { impl_->reset(why); }

void RedisLink::flush() noexcept { impl_->flush(); }

}  // namespace netcook::bus
