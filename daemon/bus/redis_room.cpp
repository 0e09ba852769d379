#include "bus/redis_room.hpp"

#include "bus/room_scripts.hpp"
#include "event/timer.hpp"
#include "metrics/chat_bus.hpp"

#include <hiredis/hiredis.h>

#include <array>
#include <atomic>
#include <charconv>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

namespace netcook::bus {
namespace {

using proto::chat::Answer;
using proto::chat::BusNews;
using proto::chat::BusRequest;
using proto::chat::Entry;
using proto::chat::EntryId;
using Kind = BusRequest::Kind;

// How long a room that goes waits for the bus to take its farewell.
constexpr std::chrono::milliseconds kFarewellTime{1000};

// The farewells under way in this process, and who waits for the last.
// Used on the loop's thread.
class Farewells {
 public:
  void begin() noexcept { ++count_; }
  void end() {
    if (count_ > 0 && --count_ == 0 && done_) std::exchange(done_, nullptr)();
  }
  std::size_t count() const noexcept { return count_; }
  void when_done(std::function<void()> done) {
    if (count_ == 0)
      done();
    else
      done_ = std::move(done);
  }

 private:
  std::size_t count_ = 0;
  std::function<void()> done_;
};

Farewells& farewells() {
  static Farewells all;
  return all;
}

// Entries the stream keeps (about: MAXLEN ~). A daemon away for longer
// than the room takes to write this many misses the oldest.
constexpr std::string_view kStreamLength = "10000";
// Lines the history list keeps: the most a listener may ask for.
constexpr std::string_view kHistoryLength = "1000";
// How long one XREAD waits for entries before it asks again.
constexpr std::chrono::milliseconds kReadBlock{2000};
constexpr std::string_view kReadBlockText = "2000";
// Entries one XREAD takes at most.
constexpr std::string_view kReadCount = "1000";

std::string_view text_of(const redisReply* reply) {
  if (reply == nullptr) return {};
  if (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_STATUS &&
      reply->type != REDIS_REPLY_ERROR)
    return {};
  return {reply->str, reply->len};
}

long long integer_of(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
}

const redisReply* element(const redisReply* reply, std::size_t i) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || i >= reply->elements) return nullptr;
  return reply->element[i];
}

std::size_t elements(const redisReply* reply) {
  return reply != nullptr && reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
}

// "1700000000000-3"; 0-0 for anything else.
EntryId parse_id(std::string_view text) {
  EntryId id;
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return {};
  std::from_chars(text.data(), text.data() + dash, id.ms);
  std::from_chars(text.data() + dash + 1, text.data() + text.size(), id.seq);
  return id;
}

std::string format_id(EntryId id) {
  return fmt::format("{}-{}", id.ms, id.seq);
}

Entry::Kind entry_kind(std::string_view k) {
  if (k == "j") return Entry::Kind::joined;
  if (k == "r") return Entry::Kind::rejoined;
  if (k == "l") return Entry::Kind::left;
  if (k == "n") return Entry::Kind::renamed;
  if (k == "a") return Entry::Kind::action;
  return Entry::Kind::line;
}

// "k\nNAME\nHOST\nTEXT", as the say script keeps the history.
Entry history_entry(std::string_view value) {
  Entry entry;
  std::array<std::string_view, 4> parts;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto newline = i + 1 < parts.size() ? value.find('\n') : std::string_view::npos;
    parts[i] = value.substr(0, newline);
    value = newline == std::string_view::npos ? std::string_view{} : value.substr(newline + 1);
  }
  entry.kind = entry_kind(parts[0]);
  entry.name = parts[1];
  entry.host = parts[2];
  entry.text = parts[3];
  return entry;
}

BusNews news_of(BusNews::Kind kind) {
  BusNews news;
  news.kind = kind;
  return news;
}

Answer failed_answer() {
  Answer answer;
  answer.outcome = Answer::Outcome::failed;
  return answer;
}

std::string make_daemon_id() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host = {'?'};
  std::random_device random;
  return fmt::format("{}-{}-{:08x}", host.data(), getpid(), random());
}

// This room's name on the bus: the process's id and a number, so that two
// listeners of one daemon on one room, or a listener and its successor
// after a reload, are told apart (connection ids are only unique within a
// listener).
std::string instance_id() {
  static std::atomic<unsigned> made{0};
  return fmt::format("{}.{}", daemon_id(), ++made);
}

// The room as this daemon links it, on the loop's thread. Shared with the
// handle the hub owns; outlives it long enough to publish the leaves the
// hub asked for when it went.
class Core final : public std::enable_shared_from_this<Core> {
 public:
  Core(event::Loop& loop, RoomSettings settings, std::shared_ptr<spdlog::logger> log)
      : loop_(loop),
        settings_(std::move(settings)),
        log_(std::move(log)),
        daemon_(settings_.daemon.empty() ? instance_id() : settings_.daemon),
        heartbeat_(loop, [this] { heartbeat(); }),
        outage_(loop, [this] { outage_over(); }),
        farewell_timer_(loop, [this] { farewell_done(); }) {
    for (const char* key : {"stream", "members", "roster", "names", "daemons", "history", "seen",
                            "order", "reaped"})
      keys_.push_back(fmt::format("netcookd:{{{}}}:{}", settings_.room, key));
  }

  // Any thread.
  void set_wake(std::function<void()> wake) {
    std::lock_guard lock(wake_mutex_);
    wake_ = std::move(wake);
  }

  // Any thread: queued for the loop.
  void submit(BusRequest request) {
    bool first = false;
    {
      std::lock_guard lock(incoming_mutex_);
      first = incoming_.empty();
      incoming_.push_back(std::move(request));
    }
    if (first) loop_.post([self = shared_from_this()] { self->take_incoming(); });
  }

  // Any thread.
  void take(std::vector<BusNews>& into) {
    std::lock_guard lock(news_mutex_);
    for (BusNews& news : news_) into.push_back(std::move(news));
    news_.clear();
  }

  // On the loop.
  void begin() {
    LinkSettings commands = settings_.link;
    commands.client_name = fmt::format("netcookd-{}-{}", settings_.room, "publish");
    LinkSettings reader = settings_.link;
    reader.client_name = fmt::format("netcookd-{}-{}", settings_.room, "read");
    commands_ = std::make_unique<RedisLink>(loop_, std::move(commands), *log_);
    reader_ = std::make_unique<RedisLink>(loop_, std::move(reader), *log_);
    commands_->on_up([this] { commands_up(); });
    commands_->on_down([this](std::string_view why) { link_down(why); });
    reader_->on_up([this] { reader_up(); });
    reader_->on_down([this](std::string_view why) { link_down(why); });
    meter_.emplace(settings_.metrics);
    commands_->start();
    reader_->start();
    outage_.arm_after(settings_.outage);  // a bus never reached counts as down
  }

  // The hub went (on any thread): no more wakes; what it asked for last is
  // published if the link is up, then the core goes.
  void retire() {
    {
      std::lock_guard lock(wake_mutex_);
      wake_ = nullptr;
    }
    finish();
  }

 private:
  struct Pending {
    BusRequest request;
    std::uint64_t seq = 0;  // say, act, leave
  };

  // ---- requests --------------------------------------------------------

  void take_incoming() {
    std::deque<BusRequest> batch;
    {
      std::lock_guard lock(incoming_mutex_);
      batch.swap(incoming_);
    }
    for (BusRequest& request : batch) queue(std::move(request));
    send_queued();
    flush_news();
  }

  void queue(BusRequest request) {
    const bool keeps = request.kind == Kind::leave || request.kind == Kind::rejoin;
    if (!ready_ && !keeps) {
      if (outage_over_) {
        refuse(request, "the room link is down");
        return;
      }
      if (waiting_ >= settings_.queue) {
        refuse(request, "too many lines wait for the room link");
        return;
      }
    }
    if (!keeps) ++waiting_;
    Pending pending{std::move(request), 0};
    if (pending.request.kind == Kind::say || pending.request.kind == Kind::act ||
        pending.request.kind == Kind::leave)
      pending.seq = ++seq_;
    queue_.push_back(std::move(pending));
  }

  void refuse(const BusRequest& request, std::string_view why) {
    switch (request.kind) {
      case Kind::join:
      case Kind::rejoin:
      case Kind::rename:
      case Kind::who:
        answer(request, failed_answer());
        return;
      case Kind::say:
      case Kind::act: {
        if (meter_) meter_->dropped();
        BusNews news = news_of(BusNews::Kind::dropped);
        news.member = request.member;
        news.text = std::string(why);
        push(std::move(news));
        return;
      }
      case Kind::leave:
        return;
    }
  }

  void send_queued() {
    while (ready_ && !queue_.empty()) {
      Pending pending = std::move(queue_.front());
      queue_.pop_front();
      if (!send(pending)) {
        queue_.push_front(std::move(pending));
        break;
      }
    }
    if (meter_) meter_->queue_length(queue_.size());
  }

  // Sends one request on the command link; its answer comes back in
  // order. False when the link would not take it.
  bool send(Pending& pending) {
    // Held where the reply's callback finds it; the arguments below are
    // views of it, so it moves first.
    auto held = std::make_shared<Pending>(std::move(pending));
    const BusRequest& r = held->request;
    const std::string member = std::to_string(r.member);
    const std::string seq = std::to_string(held->seq);
    const std::string max_members = std::to_string(settings_.max_members);
    const std::string history = std::to_string(settings_.history);
    std::vector<std::string_view> args;
    const std::string* sha = nullptr;
    switch (r.kind) {
      case Kind::join:
      case Kind::rejoin:
        args = {daemon_, member, r.name, r.host, max_members, history,
                r.kind == Kind::join ? "j" : "r", kStreamLength};
        sha = &sha_.join;
        break;
      case Kind::rename:
        args = {daemon_, member, r.text, kStreamLength};
        sha = &sha_.rename;
        break;
      case Kind::say:
      case Kind::act:
        args = {daemon_, member, seq, r.kind == Kind::say ? "s" : "a", r.name, r.host, r.text,
                kStreamLength, kHistoryLength};
        sha = &sha_.say;
        break;
      case Kind::leave:
        args = {daemon_, member, seq, r.text, kStreamLength};
        sha = &sha_.leave;
        break;
      case Kind::who:
        sha = &sha_.who;
        break;
    }
    std::vector<std::string_view> argv = {"EVALSHA", *sha, "9"};
    for (const std::string& key : keys_) argv.push_back(key);
    argv.insert(argv.end(), args.begin(), args.end());
    const bool sent = commands_->command(
        argv, [this, held, self = weak_from_this()](const redisReply* reply) {
          if (self.expired()) return;
          replied(std::move(*held), reply);
        });
    if (!sent) {
      pending = std::move(*held);
      return false;
    }
    ++in_flight_;
    return true;
  }

  // A reply, or null when the link went first: then the request goes back
  // to the queue (in its place: lost links put every request in flight
  // back in order) to be sent again (scripts are idempotent).
  void replied(Pending pending, const redisReply* reply) {
    --in_flight_;
    if (reply == nullptr) {
      resend_.push_back(std::move(pending));
      if (in_flight_ == 0) requeue();
      return;
    }
    if (pending.request.kind != Kind::leave && pending.request.kind != Kind::rejoin && waiting_ > 0)
      --waiting_;
    if (reply->type == REDIS_REPLY_ERROR && text_of(reply).starts_with("NOSCRIPT")) {
      // The server forgot the scripts (SCRIPT FLUSH): a new link loads
      // them again, and the request goes once more.
      resend_.push_back(std::move(pending));
      if (in_flight_ == 0) requeue();
      commands_->reset("the server forgot the room's scripts");
      return;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      log_->error("chat room '{}': the bus refused a request: {}", settings_.room, text_of(reply));
      refuse(pending.request, "the room refused it");
      flush_news();
      return;
    }
    const BusRequest& r = pending.request;
    if (published(r.kind, reply) && meter_) meter_->published();
    switch (r.kind) {
      case Kind::join:
      case Kind::rejoin:
        answer(r, join_answer(reply));
        break;
      case Kind::rename: {
        Answer a;
        const std::string_view status = text_of(element(reply, 0));
        a.outcome = status == "ok"      ? Answer::Outcome::ok
                    : status == "taken" ? Answer::Outcome::taken
                                        : Answer::Outcome::failed;
        a.entry = parse_id(text_of(element(reply, 1)));
        answer(r, std::move(a));
        break;
      }
      case Kind::who: {
        Answer a;
        a.online = static_cast<std::size_t>(integer_of(element(reply, 0)));
        const redisReply* names = element(reply, 1);
        for (std::size_t i = 0; i < elements(names); ++i)
          a.roster.emplace_back(text_of(element(names, i)));
        answer(r, std::move(a));
        break;
      }
      case Kind::say:
      case Kind::act:
      case Kind::leave:
        break;
    }
    flush_news();
  }

  // Whether a script's reply says it wrote an entry (a retry of one that
  // ran says not).
  static bool published(Kind kind, const redisReply* reply) {
    switch (kind) {
      case Kind::join:
      case Kind::rejoin:
      case Kind::rename:
        return text_of(element(reply, 0)) == "ok";
      case Kind::say:
      case Kind::act:
      case Kind::leave:
        return integer_of(reply) == 1;
      case Kind::who:
        return false;
    }
    return false;
  }

  // Requests whose link was lost go back to the front of the queue, in
  // the order they were sent.
  void requeue() {
    for (auto it = resend_.rbegin(); it != resend_.rend(); ++it) queue_.push_front(std::move(*it));
    resend_.clear();
    send_queued();
  }

  Answer join_answer(const redisReply* reply) {
    Answer a;
    const std::string_view status = text_of(element(reply, 0));
    if (status == "taken") {
      a.outcome = Answer::Outcome::taken;
      return a;
    }
    if (status == "full") {
      a.outcome = Answer::Outcome::full;
      a.online = static_cast<std::size_t>(integer_of(element(reply, 1)));
      return a;
    }
    announced_ = true;
    a.entry = parse_id(text_of(element(reply, 1)));
    a.online = static_cast<std::size_t>(integer_of(element(reply, 2)));
    const redisReply* names = element(reply, 3);
    for (std::size_t i = 0; i < elements(names); ++i)
      a.roster.emplace_back(text_of(element(names, i)));
    const redisReply* history = element(reply, 4);
    for (std::size_t i = elements(history); i > 0; --i)
      a.history.push_back(history_entry(text_of(element(history, i - 1))));
    return a;
  }

  void answer(const BusRequest& request, Answer a) {
    a.to = request.kind;
    a.member = request.member;
    BusNews news = news_of(BusNews::Kind::answer);
    news.answer = std::move(a);
    push(std::move(news));
  }

  // ---- the links -------------------------------------------------------

  void commands_up() {
    sha_ = {};
    load(scripts::kJoin, sha_.join);
    load(scripts::kRename, sha_.rename);
    load(scripts::kSay, sha_.say);
    load(scripts::kLeave, sha_.leave);
    load(scripts::kWho, sha_.who);
    load(scripts::kFarewell, sha_.farewell);
    heartbeat();
  }

  void load(std::string_view body, std::string& sha) {
    const std::string text = fmt::format("{}{}", scripts::kCommon, body);
    const std::array<std::string_view, 3> argv = {"SCRIPT", "LOAD", text};
    commands_->command(argv, [&sha, self = weak_from_this()](const redisReply* reply) {
      if (self.expired() || reply == nullptr) return;
      sha = text_of(reply);
    });
  }

  // Renews this daemon's presence and reaps dead daemons; the first on a
  // new link also says whether the room still knows this daemon.
  void heartbeat() {
    if (!commands_ || !commands_->up()) return;
    const std::string ttl = std::to_string(settings_.presence_ttl.count());
    // EVAL, not EVALSHA: the first goes out before SCRIPT LOAD's answers
    // are in (and it comes every few seconds only).
    std::vector<std::string_view> argv = {"EVAL", heartbeat_text_, "9"};
    for (const std::string& key : keys_) argv.push_back(key);
    argv.insert(argv.end(), {daemon_, ttl, kStreamLength});
    commands_->command(argv, [this, self = weak_from_this()](const redisReply* reply) {
      if (self.expired() || reply == nullptr) return;
      if (reply->type == REDIS_REPLY_ERROR) {
        log_->error("chat room '{}': heartbeat refused by the bus: {}", settings_.room,
                    text_of(reply));
        commands_->reset("the heartbeat failed");
        return;
      }
      if (integer_of(reply) == 1 && announced_) {
        log_->warn("chat room '{}': the bus had forgotten this daemon's members; announcing them "
                   "again",
                   settings_.room);
        push(news_of(BusNews::Kind::forgotten));
      }
      hello_ = true;
      heartbeat_.arm_after(settings_.presence_ttl / 3);
      check_ready();
      flush_news();
    });
  }

  // The stream is read only while the room is linked (ready_): what
  // members see between the lost and the restored notice is nothing, and
  // what the reader took meanwhile (one batch at most) waits for the
  // restored notice.
  void reader_up() {
    if (positioned_) {
      check_ready();
      flush_news();
      return;
    }
    // The first time: from the room's last entry, before any member of
    // this daemon joins.
    const std::array<std::string_view, 6> argv = {"XREVRANGE", keys_[0], "+", "-", "COUNT", "1"};
    reader_->command(argv, [this, self = weak_from_this()](const redisReply* reply) {
      if (self.expired() || reply == nullptr) return;
      last_ = parse_id(text_of(element(element(reply, 0), 0)));
      positioned_ = true;
      check_ready();
      flush_news();
    });
  }

  void read() {
    if (reading_ || !ready_ || !reader_ || !reader_->up()) return;
    const std::string after = format_id(last_);
    const std::array<std::string_view, 7> argv = {"XREAD", "COUNT", kReadCount, "BLOCK",
                                                  kReadBlockText, "STREAMS", keys_[0]};
    std::vector<std::string_view> args(argv.begin(), argv.end());
    args.push_back(after);
    reading_ = reader_->command(
        args,
        [this, self = weak_from_this()](const redisReply* reply) {
          if (self.expired()) return;
          reading_ = false;
          if (reply == nullptr) return;
          if (reply->type == REDIS_REPLY_ERROR) {
            log_->error("chat room '{}': the bus refused to read the room: {}", settings_.room,
                        text_of(reply));
            reader_->reset("reading the room failed");
            return;
          }
          entries(element(element(reply, 0), 1));
          read();
          flush_news();
        },
        kReadBlock);
  }

  void entries(const redisReply* list) {
    for (std::size_t i = 0; i < elements(list); ++i) {
      const redisReply* item = element(list, i);
      Entry entry;
      entry.id = parse_id(text_of(element(item, 0)));
      if (entry.id <= last_) continue;
      last_ = entry.id;
      const redisReply* fields = element(item, 1);
      std::string_view daemon;
      for (std::size_t f = 0; f + 1 < elements(fields); f += 2) {
        const std::string_view name = text_of(element(fields, f));
        const std::string_view value = text_of(element(fields, f + 1));
        if (name.size() != 1) continue;
        switch (name[0]) {
          case 'k': entry.kind = entry_kind(value); break;
          case 'd': daemon = value; break;
          case 'm': std::from_chars(value.data(), value.data() + value.size(), entry.member); break;
          case 'n': entry.name = value; break;
          case 'h': entry.host = value; break;
          case 'x': entry.text = value; break;
          case 'o': std::from_chars(value.data(), value.data() + value.size(), entry.online); break;
          default: break;
        }
      }
      entry.ours = daemon == daemon_;
      if (meter_) meter_->received();
      BusNews news = news_of(BusNews::Kind::entry);
      news.entry = std::move(entry);
      if (ready_)
        push(std::move(news));
      else
        held_.push_back(std::move(news));
    }
  }

  void check_ready() {
    const bool ready = commands_->up() && reader_->up() && hello_ && positioned_;
    if (ready == ready_) return;
    ready_ = ready;
    if (!ready) return;
    outage_.cancel();
    outage_over_ = false;
    meter_->linked();
    if (lost_) {
      lost_ = false;
      log_->info("chat room '{}': bus link restored ({})", settings_.room,
                 settings_.link.endpoint.url);
      push(news_of(BusNews::Kind::link_restored));
    } else {
      log_->info("chat room '{}': linked to the bus at {}", settings_.room,
                 settings_.link.endpoint.url);
    }
    for (BusNews& news : held_) push(std::move(news));
    held_.clear();
    read();
    send_queued();
  }

  void link_down(std::string_view why) {
    if (!commands_->up()) {
      hello_ = false;
      heartbeat_.cancel();
    }
    if (!ready_) return;
    ready_ = false;
    lost_ = true;
    meter_->link_lost();
    log_->warn("chat room '{}': bus link lost ({}): {}; reconnecting", settings_.room,
               settings_.link.endpoint.url, why);
    push(news_of(BusNews::Kind::link_lost));
    outage_.arm_after(settings_.outage);
    // The reader's loss alone leaves the command link up: it is made anew
    // too, so that requests in flight come back, and nothing is published
    // while this daemon cannot read the room.
    if (commands_->up()) commands_->reset("the stream reader was lost");
    flush_news();
  }

  // The outage lasted longer than the bus rides out: what waits is
  // refused, and so is what comes, until the link is back.
  void outage_over() {
    if (ready_) return;
    outage_over_ = true;
    std::deque<Pending> kept;
    std::size_t refused = 0;
    for (Pending& pending : queue_) {
      const Kind kind = pending.request.kind;
      if (kind == Kind::leave || kind == Kind::rejoin) {
        kept.push_back(std::move(pending));
        continue;
      }
      refuse(pending.request, "the room link was down too long");
      ++refused;
    }
    queue_.swap(kept);
    waiting_ = 0;
    meter_->queue_length(queue_.size());
    log_->warn("chat room '{}': bus link down for {} ms; {} queued request(s) dropped; new lines "
               "are refused until it is back",
               settings_.room, settings_.outage.count(), refused);
    flush_news();
  }

  // ---- news for the hub ------------------------------------------------

  void push(BusNews news) { pending_news_.push_back(std::move(news)); }

  // Hands what this turn gathered to the hub, with one wake.
  void flush_news() {
    if (pending_news_.empty()) return;
    {
      std::lock_guard lock(news_mutex_);
      for (BusNews& news : pending_news_) news_.push_back(std::move(news));
    }
    pending_news_.clear();
    std::lock_guard lock(wake_mutex_);
    if (wake_) wake_();
  }

  // ---- the end ---------------------------------------------------------

  // Publishes the leaves the hub asked for as it went and this daemon's
  // farewell, written to the socket at once; the core lingers until the
  // bus answers, at most kFarewellTime, and the process's loop waits for it
  // (when_farewells_done) before it stops.
  void finish() {
    take_incoming();
    if (!ready_ || !commands_) {
      close();
      return;
    }
    std::vector<std::string_view> argv = {"EVALSHA", sha_.farewell, "9"};
    for (const std::string& key : keys_) argv.push_back(key);
    argv.insert(argv.end(), {daemon_, "server stopped", kStreamLength});
    // The link holds the core through this callback until the answer, the
    // link's loss or the deadline, when close() drops the link.
    const bool sent = commands_->command(
        argv, [self = shared_from_this()](const redisReply*) { self->farewell_done(); });
    if (!sent) {
      close();
      return;
    }
    commands_->flush();
    farewells().begin();
    farewell_pending_ = true;
    farewell_timer_.arm_after(kFarewellTime);
  }

  void farewell_done() {
    if (!farewell_pending_) return;
    farewell_pending_ = false;
    // Posted: the link is in its callback now, and goes in close().
    loop_.post([self = shared_from_this()] {
      self->close();
      farewells().end();
    });
  }

  void close() {
    farewell_timer_.cancel();
    heartbeat_.cancel();
    outage_.cancel();
    commands_.reset();
    reader_.reset();
    meter_.reset();
  }

  struct Shas {
    std::string join, rename, say, leave, who, farewell;
  };

  event::Loop& loop_;
  const RoomSettings settings_;
  const std::shared_ptr<spdlog::logger> log_;
  const std::string daemon_;
  std::vector<std::string> keys_;  // in the scripts' KEYS order
  std::unique_ptr<RedisLink> commands_;
  std::unique_ptr<RedisLink> reader_;
  event::Timer heartbeat_;
  event::Timer outage_;
  event::Timer farewell_timer_;
  bool farewell_pending_ = false;
  // Made on the loop's thread (it counts into that thread's shard).
  std::optional<metrics::ChatBusMeter> meter_;
  Shas sha_;
  const std::string heartbeat_text_ = fmt::format("{}{}", scripts::kCommon, scripts::kHeartbeat);

  bool hello_ = false;       // the heartbeat answered on this command link
  bool positioned_ = false;  // the reader knows where to read from
  bool reading_ = false;     // an XREAD is out
  bool ready_ = false;       // both links up, hello, positioned
  bool lost_ = false;        // ready before, and not since
  bool outage_over_ = false;
  bool announced_ = false;  // a member of this daemon joined once
  EntryId last_;            // the last entry passed on
  std::uint64_t seq_ = 0;
  std::deque<Pending> queue_;
  std::vector<Pending> resend_;  // in flight when the link went
  std::vector<BusNews> held_;    // entries read while not linked (one batch)
  std::size_t in_flight_ = 0;
  std::size_t waiting_ = 0;  // queued or in flight, but leaves and rejoins
  std::vector<BusNews> pending_news_;

  std::mutex incoming_mutex_;
  std::deque<BusRequest> incoming_;  // guarded
  std::mutex news_mutex_;
  std::vector<BusNews> news_;  // guarded
  std::mutex wake_mutex_;
  std::function<void()> wake_;  // guarded; null once the hub went
};

class RedisRoom final : public proto::chat::RoomBus {
 public:
  RedisRoom(event::Loop& loop, RoomSettings settings, std::shared_ptr<spdlog::logger> log)
      : loop_(loop), core_(std::make_shared<Core>(loop, std::move(settings), std::move(log))) {}
  RedisRoom(const RedisRoom&) = delete;
  RedisRoom& operator=(const RedisRoom&) = delete;
  ~RedisRoom() override { core_->retire(); }

  void start(std::function<void()> wake) override {
    core_->set_wake(std::move(wake));
    loop_.post([core = core_] { core->begin(); });
  }
  void submit(BusRequest request) override { core_->submit(std::move(request)); }
  void take(std::vector<BusNews>& into) override { core_->take(into); }

 private:
  event::Loop& loop_;
  std::shared_ptr<Core> core_;
};

}  // namespace

std::size_t farewells_under_way() noexcept {
  return farewells().count();
}

void when_farewells_done(std::function<void()> done) {
  farewells().when_done(std::move(done));
}

const std::string& daemon_id() {
  // Made again in a process forked after it was made (the fork master).
  static std::mutex mutex;
  static pid_t made_in = 0;
  static std::string id;
  std::lock_guard lock(mutex);
  if (made_in != getpid()) {
    id = make_daemon_id();
    made_in = getpid();
  }
  return id;
}

std::unique_ptr<proto::chat::RoomBus> make_redis_room(event::Loop& loop, RoomSettings settings,
                                                       std::shared_ptr<spdlog::logger> log) {
  return std::make_unique<RedisRoom>(loop, std::move(settings), std::move(log));
}

}  // namespace netcook::bus
