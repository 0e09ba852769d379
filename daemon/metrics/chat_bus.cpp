#include "metrics/chat_bus.hpp"

#include <fmt/format.h>

#include <vector>

namespace netcook::metrics {

ChatBusMeter::ChatBusMeter(ListenerMetrics listener) noexcept : listener_(listener) {
  adjust(listener_.here().chat_bus_configured, 1);
}

ChatBusMeter::~ChatBusMeter() {
  Shard& shard = listener_.here();
  if (up_) adjust(shard.chat_bus_up, -1);
  adjust(shard.chat_bus_queued, -queued_);
  adjust(shard.chat_bus_configured, -1);
}

void ChatBusMeter::linked() noexcept {
  if (up_) return;
  up_ = true;
  adjust(listener_.here().chat_bus_up, 1);
}

void ChatBusMeter::link_lost() noexcept {
  if (!up_) return;
  up_ = false;
  Shard& shard = listener_.here();
  adjust(shard.chat_bus_up, -1);
  add(shard.chat_bus_link_losses);
}

void ChatBusMeter::published(std::uint64_t entries) noexcept {
  add(listener_.here().chat_bus_published, entries);
}

void ChatBusMeter::received(std::uint64_t entries) noexcept {
  add(listener_.here().chat_bus_received, entries);
}

void ChatBusMeter::dropped(std::uint64_t lines) noexcept {
  add(listener_.here().chat_bus_dropped, lines);
}

void ChatBusMeter::queue_length(std::size_t requests) noexcept {
  const auto now = static_cast<std::int64_t>(requests);
  adjust(listener_.here().chat_bus_queued, now - queued_);
  queued_ = now;
}

std::string chat_bus_trouble(const Figures& figures) {
  constexpr std::size_t kNamed = 3;
  std::vector<std::string_view> down;
  for (const auto& l : figures.listeners)
    if (l.chat_bus.configured() && !l.chat_bus.up()) down.push_back(l.name);
  if (down.empty()) return {};
  std::string out;
  for (std::size_t i = 0; i < down.size() && i < kNamed; ++i)
    out += fmt::format("{}{}", i == 0 ? "" : ", ", down[i]);
  if (down.size() > kNamed) out += fmt::format(" and {} more", down.size() - kNamed);
  return out + ": bus down";
}

}  // namespace netcook::metrics
