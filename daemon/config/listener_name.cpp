#include "config/listener_name.hpp"

#include <algorithm>

namespace netcook::config {
namespace {

constexpr std::size_t kMaxNameLength = 32;

}  // namespace

bool is_valid_listener_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

}  // namespace netcook::config
