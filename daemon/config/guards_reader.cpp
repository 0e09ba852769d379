#include "config/guards_reader.hpp"

#include "config/values.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace netcook::config {
namespace {

constexpr std::array<std::string_view, 2> kConnectionRateKeys{"per_source", "burst"};
constexpr std::array<std::string_view, 1> kProxyKeys{"from"};
constexpr std::string_view kListExample = "e.g. [10.0.0.0/8, \"2001:db8::/32\"]";

// One network of a list, reported at its own line and column.
std::optional<net::Cidr> read_network(const YAML::Node& item, std::string_view key,
                                      Diagnostics& diagnostics) {
  if (!item.IsScalar()) {
    diagnostics.error(item.Mark(), fmt::format("the items of '{}' must be networks (scalars), "
                                               "not a {}",
                                               key, type_name(item)));
    return std::nullopt;
  }
  const auto& text = item.Scalar();
  auto parsed = net::parse_cidr(text);
  if (!parsed.cidr) {
    // "10.0.0.0/8, ::1" in one scalar: the list was meant.
    const bool several = text.find_first_of(", ") != std::string::npos;
    diagnostics.error(
        item.Mark(),
        several ? fmt::format("invalid network '{}' in '{}': write several "
                              "networks as a list, {}",
                              text, key, kListExample)
                : fmt::format("invalid network '{}' in '{}': {}", text, key, parsed.error));
  }
  return parsed.cidr;
}

// A sequence of networks, or one network as a scalar; [] is an empty list.
// nullopt when any item is invalid (each is reported).
std::optional<std::vector<net::Cidr>> read_networks(const Entry& entry, Diagnostics& diagnostics) {
  const auto& value = entry.value;
  if (!value.IsDefined() || value.IsNull()) {
    diagnostics.error(
        entry.key_node.Mark(),
        fmt::format("'{}' needs a list of networks, {}; [] for none", entry.key, kListExample));
    return std::nullopt;
  }
  if (value.IsMap()) {
    diagnostics.error(
        value.Mark(),
        fmt::format("'{}' must be a list of networks, {}, not a mapping", entry.key, kListExample));
    return std::nullopt;
  }
  std::vector<net::Cidr> networks;
  bool valid = true;
  const auto add = [&](const YAML::Node& item) {
    auto network = read_network(item, entry.key, diagnostics);
    if (!network)
      valid = false;
    else if (std::find(networks.begin(), networks.end(), *network) == networks.end())
      networks.push_back(*network);
  };
  if (value.IsScalar())
    add(value);
  else
    for (const auto& item : value) add(item);
  if (!valid) return std::nullopt;
  return networks;
}

void read_per_source(const Entry& entry, Guards& guards, Diagnostics& diagnostics) {
  if (entry.value.IsScalar() && entry.value.Scalar() == "unlimited") {
    guards.max_connections_per_source = 0;
    return;
  }
  if (auto value = read_integer(entry, 1, kMaxGuardCount, diagnostics))
    guards.max_connections_per_source = static_cast<std::size_t>(*value);
}

// A burst of twice the rate's count: a client that reconnects at the rate
// is never refused, and one that comes back after a pause may catch up.
std::uint32_t default_burst(const Rate& rate) {
  return static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(std::int64_t{rate.count} * 2, 1, kMaxGuardCount));
}

void read_connection_rate(const Entry& entry, Guards& guards, Diagnostics& diagnostics) {
  if (entry.value.IsScalar())
    return diagnostics.error(entry.value.Mark(),
                             "'connection_rate' must be a mapping, e.g. "
                             "{ per_source: 20/s, burst: 40 }");
  if (!is_mapping(entry, diagnostics)) return;
  const auto section =
      read_section(entry.value, kConnectionRateKeys, "in 'connection_rate'", diagnostics);
  report_missing(section, std::span(kConnectionRateKeys).first(1), entry.key_node.Mark(),
                 "'connection_rate'", diagnostics);
  const auto* per_source = section.find("per_source");
  if (per_source == nullptr) return;
  const auto rate = read_rate(*per_source, kMaxGuardCount, diagnostics);
  std::optional<std::uint32_t> burst;
  if (const auto* given = section.find("burst")) {
    if (rate && rate->unlimited())
      return diagnostics.error(given->key_node.Mark(),
                               "'burst' has no effect when 'per_source' is unlimited");
    burst = read_burst(*given, diagnostics);
    if (!burst) return;
  }
  if (!rate) return;
  guards.connection_rate =
      rate->unlimited() ? TokenRate{} : TokenRate{*rate, burst.value_or(default_burst(*rate))};
}

void read_proxy_protocol(const Entry& entry, Guards& guards, Diagnostics& diagnostics) {
  if (!is_mapping(entry, diagnostics)) return;
  const auto section = read_section(entry.value, kProxyKeys, "in 'proxy_protocol'", diagnostics);
  report_missing(section, kProxyKeys, entry.key_node.Mark(), "'proxy_protocol'", diagnostics);
  const auto* from = section.find("from");
  if (from == nullptr) return;
  auto networks = read_networks(*from, diagnostics);
  if (!networks) return;
  if (networks->empty())
    return diagnostics.error(from->value.Mark(),
                             "'from' needs at least one network: the addresses of the proxies "
                             "that send a PROXY header");
  guards.proxy_from = std::move(*networks);
}

}  // namespace

std::optional<std::uint32_t> read_burst(const Entry& entry, Diagnostics& diagnostics) {
  const auto value = read_integer(entry, 1, kMaxGuardCount, diagnostics);
  if (!value) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

void read_guards(const Section& section, Guards& guards, Diagnostics& diagnostics) {
  if (const auto* entry = section.find("allow"))
    if (auto networks = read_networks(*entry, diagnostics)) guards.allow = std::move(*networks);
  if (const auto* entry = section.find("deny"))
    if (auto networks = read_networks(*entry, diagnostics)) guards.deny = std::move(*networks);
  if (const auto* entry = section.find("max_connections_per_source"))
    read_per_source(*entry, guards, diagnostics);
  if (const auto* entry = section.find("source_prefix_v6"))
    if (auto value = read_integer(*entry, 1, 128, diagnostics))
      guards.source_prefix_v6 = static_cast<unsigned>(*value);
  if (const auto* entry = section.find("connection_rate"))
    read_connection_rate(*entry, guards, diagnostics);
  if (const auto* entry = section.find("proxy_protocol"))
    read_proxy_protocol(*entry, guards, diagnostics);
}

}  // namespace netcook::config
