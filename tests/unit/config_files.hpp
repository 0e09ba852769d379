#pragma once

// What the configuration loader's tests share: a minimal valid file to add
// keys to, and the loader's answer as a Config or as error texts
// ("file:line:column: message").

#include "config/loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netcook::config::files {

// Lines 1-5 of a valid file; tests append lines from line 6 on, indented by
// four spaces to add keys to the listener.
inline constexpr std::string_view kListener = R"(listeners:
  - name: echo
    protocol: echo
    model: epoll
    listen: 127.0.0.1:7007
)";

inline std::string with(std::string_view extra) {
  return std::string(kListener) + std::string(extra);
}

inline std::vector<std::string> texts(const LoadResult& result) {
  std::vector<std::string> lines;
  for (const auto& error : result.errors) lines.push_back(error.to_string());
  return lines;
}

// The errors of an invalid file, as text.
inline std::vector<std::string> errors(std::string_view yaml) {
  const auto result = parse_config(yaml, "test.yaml");
  EXPECT_FALSE(result.config) << yaml;
  return texts(result);
}

// The config of a valid file.
inline Config load(std::string_view yaml) {
  const auto result = parse_config(yaml, "test.yaml");
  EXPECT_TRUE(result.errors.empty()) << testing::PrintToString(texts(result)) << "\n" << yaml;
  return result.config.value_or(Config{});
}

// $CREDENTIALS_DIRECTORY unset for the test, as it was after.
class CredentialsDirectory {
 public:
  CredentialsDirectory() {
    if (const char* before = std::getenv(kName)) saved_ = before;
    ::unsetenv(kName);
  }
  ~CredentialsDirectory() {
    if (saved_)
      ::setenv(kName, saved_->c_str(), 1);
    else
      ::unsetenv(kName);
  }
  CredentialsDirectory(const CredentialsDirectory&) = delete;
  CredentialsDirectory& operator=(const CredentialsDirectory&) = delete;

  void set(const std::string& directory) { ::setenv(kName, directory.c_str(), 1); }

 private:
  static constexpr const char* kName = "CREDENTIALS_DIRECTORY";
  std::optional<std::string> saved_;
};

}  // namespace netcook::config::files
