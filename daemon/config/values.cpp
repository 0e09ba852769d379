#include "config/values.hpp"

#include "config/units.hpp"

#include <charconv>

namespace netcook::config {
namespace {

void report_range(const Entry& entry, std::string_view low,
                  std::string_view high, Diagnostics& diagnostics) {
  diagnostics.error(entry.value.Mark(),
                    fmt::format("value '{}' for '{}' is out of range {}..{}",
                                entry.value.Scalar(), entry.key, low, high));
}

}  // namespace

std::optional<std::string> read_scalar(const Entry& entry,
                                       Diagnostics& diagnostics) {
  if (!entry.value.IsDefined() || entry.value.IsNull()) {
    diagnostics.error(entry.key_node.Mark(),
                      fmt::format("'{}' needs a value", entry.key));
    return std::nullopt;
  }
  if (!entry.value.IsScalar()) {
    diagnostics.error(entry.value.Mark(),
                      fmt::format("'{}' must be a scalar, not a {}", entry.key,
                                  type_name(entry.value)));
    return std::nullopt;
  }
  return entry.value.Scalar();
}

std::optional<std::int64_t> read_integer(const Entry& entry, std::int64_t min,
                                         std::int64_t max,
                                         Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec == std::errc::invalid_argument || ptr != end) {
    report_invalid(entry, "expected an integer", diagnostics);
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    report_range(entry, std::to_string(min), std::to_string(max), diagnostics);
    return std::nullopt;
  }
  return value;
}

std::optional<Duration> read_duration(const Entry& entry, Duration min,
                                      Duration max, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  std::string reason;
  auto value = parse_duration(*text, reason);
  if (!value) {
    report_invalid(entry, reason, diagnostics);
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    report_range(entry, format_duration(min), format_duration(max), diagnostics);
    return std::nullopt;
  }
  return value;
}

std::optional<std::size_t> read_size(const Entry& entry, std::size_t min,
                                     std::size_t max, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  std::string reason;
  auto value = parse_size(*text, reason);
  if (!value) {
    report_invalid(entry, reason, diagnostics);
    return std::nullopt;
  }
  if (*value < min || *value > max) {
    report_range(entry, format_size(min), format_size(max), diagnostics);
    return std::nullopt;
  }
  return value;
}

std::optional<Rate> read_rate(const Entry& entry, std::uint32_t max_count,
                              Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  if (*text == "unlimited") return Rate{};
  std::string reason;
  auto value = parse_rate(*text, reason);
  if (!value) {
    report_invalid(entry, reason, diagnostics);
    return std::nullopt;
  }
  if (value->count == 0) {
    report_invalid(entry, "a rate must be at least 1 per period; write 'unlimited' for no limit",
                   diagnostics);
    return std::nullopt;
  }
  if (value->count > max_count) {
    report_range(entry, format_rate(Rate{1, value->period}),
                 format_rate(Rate{max_count, value->period}), diagnostics);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(const Entry& entry, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  report_invalid(entry, "expected true or false", diagnostics);
  return std::nullopt;
}

bool is_mapping(const Entry& entry, Diagnostics& diagnostics) {
  if (entry.value.IsMap() || entry.value.IsNull()) return true;
  diagnostics.error(entry.value.Mark(),
                    fmt::format("'{}' must be a mapping, not a {}", entry.key,
                                type_name(entry.value)));
  return false;
}

void report_invalid(const Entry& entry, std::string_view reason,
                    Diagnostics& diagnostics) {
  diagnostics.error(entry.value.Mark(),
                    fmt::format("invalid value '{}' for '{}': {}",
                                entry.value.Scalar(), entry.key, reason));
}

}  // namespace netcook::config
