#pragma once

// The concurrency models every protocol must work under; tests of
// behaviour that does not depend on the model run once per model.

#include <gtest/gtest.h>

#include <string>

namespace netcook::test {

// Each model joins this list when it lands (the four others are issue 3).
inline const auto kAllModels = ::testing::Values(std::string("epoll"));

// Test name suffix: the model name.
inline std::string model_name(
    const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace netcook::test
