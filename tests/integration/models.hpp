#pragma once

// The concurrency models every protocol must work under; tests of
// behaviour that does not depend on the model run once per model.

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace netcook::test {

// The models the daemon implements; each joins this list when it lands.
inline std::vector<std::string> model_names() {
  return {"epoll", "coroutine", "thread", "fork", "select"};
}

inline const auto kAllModels = ::testing::ValuesIn(model_names());

// Test name suffix: the model name.
inline std::string model_name(
    const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace netcook::test
