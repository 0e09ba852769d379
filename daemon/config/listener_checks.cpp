#include "config/listener_checks.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netcook::config {
namespace {

void check_name(const std::vector<ListenerDraft>& drafts, std::size_t index,
                Diagnostics& diagnostics) {
  const auto& draft = drafts[index];
  const auto end = drafts.begin() + static_cast<std::ptrdiff_t>(index);
  const auto first = std::find_if(drafts.begin(), end, [&](const auto& other) {
    return other.has_name && other.listener.name == draft.listener.name;
  });
  if (first != end)
    diagnostics.error(draft.name_mark,
                      fmt::format("duplicate listener name '{}' (first at line {})",
                                  draft.listener.name,
                                  first->listener.mark.line));
}

void check_address(const std::vector<ListenerDraft>& drafts, std::size_t index,
                   Diagnostics& diagnostics) {
  const auto& draft = drafts[index];
  const auto end = drafts.begin() + static_cast<std::ptrdiff_t>(index);
  const auto first = std::find_if(drafts.begin(), end, [&](const auto& other) {
    return other.has_listen &&
           other.listener.listen.conflicts_with(draft.listener.listen);
  });
  if (first != end)
    diagnostics.error(
        draft.listen_mark,
        fmt::format("address {} conflicts with {} on {} (line {})",
                    draft.listener.listen.to_string(), first->label,
                    first->listener.listen.to_string(),
                    first->listener.mark.line));
}

}  // namespace

void check_listeners(const std::vector<ListenerDraft>& drafts,
                     Diagnostics& diagnostics) {
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    if (drafts[i].has_name) check_name(drafts, i, diagnostics);
    if (drafts[i].has_listen) check_address(drafts, i, diagnostics);
  }
}

}  // namespace netcook::config
