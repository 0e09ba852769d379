#include "config/listener_reader.hpp"

#include "config/guards_reader.hpp"
#include "config/limits_reader.hpp"
#include "config/listener_name.hpp"
#include "config/protocol_sections.hpp"
#include "config/tls_reader.hpp"
#include "config/values.hpp"

#include <fmt/format.h>

#include <array>
#include <vector>

namespace netcook::config {
namespace {

constexpr std::int64_t kMaxWorkers = 256;
constexpr std::array<std::string_view, 4> kRequiredKeys{"name", "protocol", "model", "listen"};
constexpr std::array<std::string_view, 5> kOwnKeys{"workers", "echo", "chat", "http", "tls"};

std::vector<std::string_view> listener_keys() {
  std::vector<std::string_view> keys(kRequiredKeys.begin(), kRequiredKeys.end());
  keys.insert(keys.end(), kOwnKeys.begin(), kOwnKeys.end());
  keys.insert(keys.end(), kLimitKeys.begin(), kLimitKeys.end());
  return keys;
}

// Messages name the listener as written, even before its name is validated.
std::string label_of(const YAML::Node& item, std::size_t number) {
  const auto name = item["name"];
  if (name && name.IsScalar() && !name.Scalar().empty())
    return fmt::format("listener '{}'", name.Scalar());
  return fmt::format("listener #{}", number);
}

void read_name(const Entry& entry, ListenerDraft& draft, Diagnostics& diagnostics) {
  auto name = read_scalar(entry, diagnostics);
  if (!name) return;
  if (!is_valid_listener_name(*name))
    return report_invalid(entry, "use 1-32 characters of a-z, 0-9, '_' and '-'", diagnostics);
  draft.listener.name = std::move(*name);
  draft.has_name = true;
  draft.name_mark = entry.value.Mark();
}

void read_address(const Entry& entry, ListenerDraft& draft, Diagnostics& diagnostics) {
  auto text = read_scalar(entry, diagnostics);
  if (!text) return;
  std::string reason;
  auto address = net::parse_address(*text, reason);
  if (!address) return report_invalid(entry, reason, diagnostics);
  draft.listener.listen = std::move(*address);
  draft.has_listen = true;
  draft.listen_mark = entry.value.Mark();
}

void read_workers(const Entry& entry, std::optional<Model> model, Listener& listener,
                  Diagnostics& diagnostics) {
  if (model && *model != Model::epoll && *model != Model::coroutine && *model != Model::io_uring)
    return diagnostics.error(entry.key_node.Mark(),
                             "'workers' applies only to models epoll, coroutine and io_uring");
  if (auto value = read_integer(entry, 1, kMaxWorkers, diagnostics))
    listener.workers = static_cast<unsigned>(*value);
}

// A unix-socket peer has no IP address: address rules written on such a
// listener would never apply, which is never what was meant. Rules it
// inherits from `defaults:` are simply not applied to it.
void check_unix_guards(const Section& section, const ListenerDraft& draft,
                       Diagnostics& diagnostics) {
  if (!draft.has_listen || draft.listener.listen.kind != net::Address::Kind::unix_path) return;
  for (const auto key : kGuardKeys)
    if (const auto* entry = section.find(key))
      diagnostics.error(entry->key_node.Mark(),
                        fmt::format("'{}' does not apply to a unix-socket listener: its peers "
                                    "have no IP address",
                                    key));
}

// echo:, chat:, http: — each valid only on a listener of its protocol.
void read_protocol_sections(const Section& section, std::optional<Protocol> protocol,
                            ListenerDraft& draft, Diagnostics& diagnostics) {
  for (const auto& named : kProtocolNames) {
    const auto* entry = section.find(named.name);
    if (entry == nullptr) continue;
    if (protocol && *protocol != named.value) {
      diagnostics.error(entry->key_node.Mark(),
                        fmt::format("section '{}' is for protocol {}, but {} "
                                    "speaks {}",
                                    named.name, named.name, draft.label, to_string(*protocol)));
    } else if (named.value == Protocol::echo) {
      read_echo_section(*entry, draft.label, draft.listener.echo, diagnostics);
    } else if (named.value == Protocol::chat) {
      read_chat_section(*entry, draft.label, draft.listener.chat, diagnostics);
    } else {
      read_http_section(*entry, draft.label, draft.listener.http, diagnostics);
    }
  }
}

}  // namespace

std::optional<ListenerDraft> read_listener(const YAML::Node& item, std::size_t number,
                                           const Limits& defaults, Diagnostics& diagnostics) {
  if (!item.IsMap()) {
    diagnostics.error(item.Mark(), fmt::format("listener #{} must be a mapping, not a {}", number,
                                               type_name(item)));
    return std::nullopt;
  }
  ListenerDraft draft;
  draft.label = label_of(item, number);
  draft.listener.mark = to_mark(item.Mark());
  draft.listener.limits = defaults;
  const auto keys = listener_keys();
  const auto section = read_section(item, keys, "in " + draft.label, diagnostics);
  report_missing(section, kRequiredKeys, item.Mark(), draft.label, diagnostics);

  if (const auto* entry = section.find("name")) read_name(*entry, draft, diagnostics);
  std::optional<Protocol> protocol;
  if (const auto* entry = section.find("protocol"))
    protocol = read_enum(*entry, "protocol", kProtocolNames, diagnostics);
  std::optional<Model> model;
  if (const auto* entry = section.find("model")) {
    model = read_enum(*entry, "model", kModelNames, diagnostics);
    draft.listener.model_mark = to_mark(entry->value.Mark());
  }
  if (protocol) draft.listener.protocol = *protocol;
  if (model) draft.listener.model = *model;
  if (const auto* entry = section.find("listen")) read_address(*entry, draft, diagnostics);
  if (const auto* entry = section.find("workers"))
    read_workers(*entry, model, draft.listener, diagnostics);
  read_limits(section, draft.listener.limits, diagnostics);
  check_unix_guards(section, draft, diagnostics);
  draft.listener.chat.max_outbox = draft.listener.limits.max_outbox;
  draft.listener.chat.max_members = draft.listener.limits.max_connections;
  read_protocol_sections(section, protocol, draft, diagnostics);
  if (const auto* entry = section.find("tls"))
    read_tls_section(*entry, draft.label, draft.listener.tls, diagnostics);
  // A chat room not named otherwise is the listener's: its name is a
  // valid room name, and two daemons' listeners of one name share it.
  if (protocol == Protocol::chat && draft.has_name && draft.listener.chat.room.empty())
    draft.listener.chat.room = draft.listener.name;
  return draft;
}

}  // namespace netcook::config
