#include "server/logging.hpp"

#include "systemd/journal_sink.hpp"

#include <unistd.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <string_view>

namespace netcook::server {
namespace {

// %* is the level as the configuration spells it (level_name()).
constexpr const char* kStderrPattern = "%Y-%m-%d %H:%M:%S.%e %^%*%$ [%n] %v";

// spdlog's %l says "warning" where the configuration and --log-level say
// "warn": a line's level reads as the user writes it.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& out) override {
    const std::string_view name = level_name(message.level);
    out.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelFlag>();
  }
};

std::shared_ptr<spdlog::sinks::sink> make_stderr_sink() {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (::isatty(STDERR_FILENO))
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  else
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelFlag>('*').set_pattern(kStderrPattern);
  sink->set_formatter(std::move(formatter));
  return sink;
}

}  // namespace

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "?";
  }
}

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace:
      return spdlog::level::trace;
    case config::LogLevel::debug:
      return spdlog::level::debug;
    case config::LogLevel::info:
      return spdlog::level::info;
    case config::LogLevel::warn:
      return spdlog::level::warn;
    case config::LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

Logging::Logging()
    : sinks_{make_stderr_sink()},
      main_(std::make_shared<spdlog::logger>("netcookd", sinks_.begin(), sinks_.end())) {
  main_->set_level(level_);
  main_->flush_on(spdlog::level::trace);
}

void Logging::configure(const config::LogOptions& options,
                        std::optional<config::LogLevel> level_override) {
  const bool journal =
      options.target == config::LogTarget::journal ||
      (options.target == config::LogTarget::automatic && systemd::stderr_is_journal());
  journal_ = journal;
  sinks_ = {journal ? systemd::make_journal_sink() : make_stderr_sink()};
  main_->sinks() = sinks_;
  apply_level(to_spdlog(level_override.value_or(options.level)));  // before anything is said
}

// A change is said at the more verbose of the two levels: before a change
// to a quieter one, after a change to a louder one.
void Logging::set_level(config::LogLevel level) {
  const auto before = level_;
  const auto after = to_spdlog(level);
  if (after == before) return;
  const auto say = [&] {
    main_->info("log level: {} -> {}", level_name(before), level_name(after));
  };
  if (after > before) say();
  apply_level(after);
  if (after < before) say();
}

void Logging::apply_level(spdlog::level::level_enum level) {
  const auto before = level_;
  level_ = level;
  main_->set_level(level_);
  for (auto& weak : listeners_) {
    if (auto logger = weak.lock()) logger->set_level(level_);
  }
  if (level_ != before && level_changed_) level_changed_(level_);
}

void Logging::on_level_change(std::function<void(spdlog::level::level_enum)> hook) {
  level_changed_ = std::move(hook);
}

log::ListenerFields fields_of(const config::Listener& listener) {
  return {listener.name, config::to_string(listener.protocol), config::to_string(listener.model)};
}

// Only a journal sink has anything to do with the fields, so stderr keeps
// the one sink (and lock) every logger shares.
std::shared_ptr<spdlog::logger> Logging::for_listener(const config::Listener& listener) {
  auto logger = journal_
                    ? std::make_shared<spdlog::logger>(
                          listener.name, systemd::make_journal_sink(fields_of(listener)))
                    : std::make_shared<spdlog::logger>(listener.name, sinks_.begin(), sinks_.end());
  logger->set_level(level_);
  logger->flush_on(spdlog::level::trace);
  std::erase_if(listeners_, [](const auto& weak) { return weak.expired(); });
  listeners_.push_back(logger);
  return logger;
}

std::shared_ptr<spdlog::logger> Logging::standalone(const std::string& name,
                                                    const log::ListenerFields& fields) const {
  auto logger = std::make_shared<spdlog::logger>(
      name, journal_ ? systemd::make_journal_sink(fields) : make_stderr_sink());
  logger->set_level(level_);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

}  // namespace netcook::server
