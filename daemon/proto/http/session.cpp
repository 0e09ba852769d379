#include "proto/http/access_log.hpp"
#include "proto/http/chunked.hpp"
#include "proto/http/date.hpp"
#include "proto/http/http.hpp"
#include "proto/http/response.hpp"
#include "proto/http/site.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>

namespace netcook::proto::http {

std::shared_ptr<const Site> make_fixed_site(const HttpSettings& settings);
std::shared_ptr<const Site> make_file_site(const HttpSettings& settings);

namespace {

// One connection: requests are parsed from buffer_, answered in order, and
// their bodies read and discarded before the next request starts. Every
// response is counted (metrics: by status, and the request's duration) and,
// with access_log, logged (access_log.hpp).
class HttpSession final : public Session {
 public:
  HttpSession(std::shared_ptr<const Site> site, const SessionContext& context)
      : site_(std::move(site)),
        settings_(site_->settings()),
        parser_(settings_.limits),
        chunked_(0, 0),
        metrics_(context.metrics),
        access_log_(settings_.access_log ? context.log : nullptr),
        peer_(access_log_ != nullptr ? context.peer : std::string()) {}

  void receive(std::string_view data, Outbox& out) override {
    if (closing()) return;
    // When `data` arrived: the start of any request whose first byte is in
    // it, read once, and only if one starts.
    std::optional<Clock::time_point> arrived;
    const auto arrival = [&] { return arrived ? *arrived : *(arrived = now()); };
    // Parse straight from `data` unless an unfinished head is held back;
    // only what is left unfinished is copied.
    std::string_view input = data;
    if (!buffer_.empty()) {
      buffer_.append(data);
      input = buffer_;
    }
    std::size_t at = 0;  // start of what is not consumed yet
    bool need_more = false;
    while (at < input.size() && !closing() && !need_more) {
      const std::string_view rest = input.substr(at);
      switch (state_) {
        case State::head: {
          if (!started_) started_ = arrival();
          const std::size_t used = read_head(rest, out);
          at += used;
          need_more = used == 0;  // the head is incomplete (or failed: closing)
          break;
        }
        case State::length_body: {
          const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, rest.size()));
          at += take;
          left_ -= take;
          if (left_ == 0) finish(out);
          break;
        }
        case State::chunked_body: {
          const auto result = chunked_.feed(rest);
          at += result.consumed;
          if (result.progress == ChunkedBody::Progress::done)
            finish(out);
          else if (result.progress == ChunkedBody::Progress::invalid)
            fail(result.status, result.reason, out);
          break;
        }
      }
    }
    // Keep only the unfinished head; a consumed buffer frees its memory.
    if (at >= input.size() || closing())
      std::string().swap(buffer_);
    else if (buffer_.empty())
      buffer_.assign(input.substr(at));
    else if (at > 0)
      buffer_.erase(0, at);
  }

  bool partial() const noexcept override { return state_ != State::head || !buffer_.empty(); }

  // Only a request that started gets an answer: a connection ended between
  // requests just closes, as RFC 9112 §9.6 lets a server do.
  void last_words(Ending why, Outbox& out) override {
    if (why == Ending::read_timeout && !closing())
      fail(408, "the request did not arrive in time", out);
  }

 private:
  enum class State { head, length_body, chunked_body };

  // Parses a head at the start of `rest`; returns the bytes it consumed.
  std::size_t read_head(std::string_view rest, Outbox& out) {
    const ParseResult parsed = parser_.parse(rest, head_);
    if (parsed.progress == Progress::incomplete) return 0;
    // The log names the request as sent, even one refused for its method
    // or version; "-" when its request line was not even well-formed.
    const bool logging = access_logging();
    if (logging) logged_line_.assign(parsed.request_line);
    if (parsed.progress == Progress::invalid) {
      fail(parsed.status, parsed.reason, out);
      return 0;
    }
    if (logging) keep_client_fields();
    parser_.reset();
    // Known from here on: an error answering this request (a bad body, a
    // timeout while it arrives) must leave the body out for HEAD too.
    head_only_ = head_.method == "HEAD";
    const Verdict verdict = interpret(head_, settings_.max_body, request_);
    // Its Accept is known too: an error's body is in the form it prefers.
    // Before (a malformed head, a timeout in it) nothing is: plain text.
    error_form_ = {.html = request_.prefers_html, .negotiated = true};
    if (!verdict.ok()) {
      fail(verdict.status, verdict.reason, out);
      return parsed.length;
    }
    switch (request_.framing) {
      case Framing::none:
        respond(out);  // the views in request_ are still valid
        break;
      case Framing::length:
        keep_request();
        left_ = request_.content_length;
        state_ = State::length_body;
        break;
      case Framing::chunked:
        keep_request();
        chunked_ = ChunkedBody(settings_.max_body, settings_.limits.max_head);
        state_ = State::chunked_body;
        break;
    }
    return parsed.length;
  }

  // A request with a body is answered after its body, when the buffer its
  // views point into may have changed: copy what the answer needs.
  void keep_request() {
    kept_target_ = request_.target;
    kept_if_modified_since_ = request_.if_modified_since;
    kept_if_none_match_ = request_.if_none_match;
    kept_range_ = request_.range;
    kept_if_range_ = request_.if_range;
    request_.target = kept_target_;
    request_.if_modified_since = kept_if_modified_since_;
    request_.if_none_match = kept_if_none_match_;
    request_.range = kept_range_;
    request_.if_range = kept_if_range_;
  }

  // The access log's Referer and User-Agent (their first values), copied:
  // the answer may come after a body, when head_'s views are stale.
  void keep_client_fields() {
    for (const Field& field : head_.fields()) {
      if (referer_.empty() && equals_ignoring_case(field.name, "Referer"))
        referer_.assign(field.value);
      else if (user_agent_.empty() && equals_ignoring_case(field.name, "User-Agent"))
        user_agent_.assign(field.value);
    }
  }

  void finish(Outbox& out) {
    state_ = State::head;
    respond(out);
  }

  void respond(Outbox& out) {
    const std::uint64_t before = out.appended();
    const Site::Answer answer = site_->respond(request_, date(), out);
    answered(answer.status, out.appended() - before, {});
    forget_request();
    if (!answer.keep || !request_.keep_alive) close_after_flush();
  }

  // The current request's response is queued in full (`bytes`, head and
  // body): it counts, whether or not it is logged, exactly once.
  void answered(int status, std::uint64_t bytes, std::string_view error) {
    const Clock::time_point end = now();
    const auto usec = static_cast<std::uint64_t>(
        started_ ? std::chrono::duration_cast<std::chrono::microseconds>(end - *started_).count()
                 : 0);
    metrics_.here().http_request(status, usec);
    if (!access_logging()) return;
    log_access(*access_log_, {.peer = peer_,
                              .request_line = logged_line_,
                              .status = status,
                              .bytes = bytes,
                              .usec = usec,
                              .referer = referer_,
                              .user_agent = user_agent_,
                              .error = error});
  }

  bool access_logging() const noexcept {
    return access_log_ != nullptr && access_log_->should_log(spdlog::level::info);
  }

  // A session reads a clock here only (proto/session.hpp keeps sessions
  // off clocks): the request's duration is the protocol's own fact, as the
  // Date header is. Tests fix it through HttpSettings::clock.
  Clock::time_point now() const noexcept {
    return settings_.clock != nullptr ? settings_.clock() : Clock::now();
  }

  // The request is answered: an error from here on (a timeout, a bad next
  // head) is about the next one, of which nothing is known yet.
  void forget_request() noexcept {
    head_only_ = false;
    error_form_ = {};
    started_.reset();
    logged_line_.clear();
    referer_.clear();
    user_agent_.clear();
  }

  void fail(int status, std::string_view reason, Outbox& out) {
    const std::uint64_t before = out.appended();
    append_error(out, status, reason, date(), head_only_, error_form_);
    answered(status, out.appended() - before, reason);
    close_after_flush();
  }

  std::string_view date() const noexcept {
    return settings_.date != nullptr ? settings_.date() : current_date();
  }

  const std::shared_ptr<const Site> site_;
  const HttpSettings& settings_;
  HeadParser parser_;
  RequestHead head_;
  Request request_;
  State state_ = State::head;
  std::uint64_t left_ = 0;  // length_body: bytes still to discard
  ChunkedBody chunked_;
  bool head_only_ = false;  // an error answers a HEAD request
  ErrorForm error_form_;    // the form of an error's body
  std::string buffer_;      // received, not consumed: at most one unfinished head
  std::string kept_target_, kept_if_modified_since_, kept_if_none_match_, kept_range_,
      kept_if_range_;
  // When the current request's first byte arrived; none between requests.
  std::optional<Clock::time_point> started_;
  const metrics::ListenerMetrics metrics_;
  spdlog::logger* const access_log_;  // null: no access log
  const std::string peer_;            // for the access log, and its PEER=
  // The current request's, for the access log (kept only while it logs).
  std::string logged_line_;  // the request line
  std::string referer_, user_agent_;
};

}  // namespace

std::shared_ptr<const Site> make_site(const HttpSettings& settings) {
  return settings.root.empty() ? make_fixed_site(settings) : make_file_site(settings);
}

std::unique_ptr<Session> make_http_session(std::shared_ptr<const Site> site,
                                           const SessionContext& context) {
  return std::make_unique<HttpSession>(std::move(site), context);
}

}  // namespace netcook::proto::http
