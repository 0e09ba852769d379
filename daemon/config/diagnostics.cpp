#include "config/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace netcook::config {

std::string Error::to_string() const {
  if (line == 0) return fmt::format("{}: {}", file, message);
  return fmt::format("{}:{}:{}: {}", file, line, column, message);
}

Mark to_mark(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

void Diagnostics::error(const YAML::Mark& mark, std::string message) {
  const auto position = to_mark(mark);
  errors_.push_back({file_, position.line, position.column, std::move(message)});
}

void Diagnostics::error(std::string message) {
  errors_.push_back({file_, 0, 0, std::move(message)});
}

std::vector<Error> Diagnostics::take() {
  // Checks run section by section and cross-listener checks run last;
  // sorting gives the reader the order of the file.
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const Error& a, const Error& b) {
                     return std::tie(a.line, a.column) <
                            std::tie(b.line, b.column);
                   });
  auto result = std::move(errors_);
  errors_.clear();
  return result;
}

}  // namespace netcook::config
