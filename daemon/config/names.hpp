#pragma once

// The words the configuration file uses for each enum, in the order they are
// documented. One table per enum serves both parsing and to_string().

#include "config/config.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace netcook::config {

template <typename E>
struct Named {
  std::string_view name;  // always a string literal, so NUL-terminated
  E value;
};

inline constexpr std::array kLogLevelNames{
    Named<LogLevel>{"trace", LogLevel::trace},
    Named<LogLevel>{"debug", LogLevel::debug},
    Named<LogLevel>{"info", LogLevel::info},
    Named<LogLevel>{"warn", LogLevel::warn},
    Named<LogLevel>{"error", LogLevel::error},
};

inline constexpr std::array kLogTargetNames{
    Named<LogTarget>{"auto", LogTarget::automatic},
    Named<LogTarget>{"journal", LogTarget::journal},
    Named<LogTarget>{"stderr", LogTarget::stderr_},
};

inline constexpr std::array kProtocolNames{
    Named<Protocol>{"echo", Protocol::echo},
    Named<Protocol>{"chat", Protocol::chat},
    Named<Protocol>{"http", Protocol::http},
};

inline constexpr std::array kModelNames{
    Named<Model>{"fork", Model::fork},
    Named<Model>{"thread", Model::thread},
    Named<Model>{"select", Model::select},
    Named<Model>{"epoll", Model::epoll},
    Named<Model>{"coroutine", Model::coroutine},
    Named<Model>{"io_uring", Model::io_uring},
};

inline constexpr std::array kEchoModeNames{
    Named<EchoMode>{"raw", EchoMode::raw},
    Named<EchoMode>{"line", EchoMode::line},
};

inline constexpr std::array kTlsVersionNames{
    Named<TlsVersion>{"1.2", TlsVersion::v1_2},
    Named<TlsVersion>{"1.3", TlsVersion::v1_3},
};

inline constexpr std::array kVerifyClientNames{
    Named<VerifyClient>{"none", VerifyClient::none},
    Named<VerifyClient>{"optional", VerifyClient::optional},
    Named<VerifyClient>{"require", VerifyClient::require},
};

template <typename E, std::size_t N>
std::optional<E> find_named(const std::array<Named<E>, N>& table,
                            std::string_view name) {
  for (const auto& entry : table)
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

template <typename E, std::size_t N>
const char* name_of(const std::array<Named<E>, N>& table, E value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name.data();
  return "?";
}

// "a, b, c" for messages that list the valid words.
template <typename E, std::size_t N>
std::string join_names(const std::array<Named<E>, N>& table) {
  std::string result;
  for (const auto& entry : table) {
    if (!result.empty()) result += ", ";
    result += entry.name;
  }
  return result;
}

}  // namespace netcook::config
