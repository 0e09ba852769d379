#pragma once

// The concurrency models every protocol must work under; tests of
// behaviour that does not depend on the model run once per model.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace netcook::test {

// The models the daemon implements; each joins this list when it lands.
inline std::vector<std::string> model_names() {
  return {"epoll", "coroutine", "thread", "fork", "select", "io_uring"};
}

inline const auto kAllModels = ::testing::ValuesIn(model_names());

// Test name suffix: the model name.
inline std::string model_name(
    const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

// A model and its worker count (0: not written in the file, the default).
struct ModelCase {
  std::string model;
  unsigned workers = 0;
};

inline std::ostream& operator<<(std::ostream& out, const ModelCase& model_case) {
  out << model_case.model;
  if (model_case.workers != 0) out << " with " << model_case.workers << " workers";
  return out;
}

// Every model, plus the reactor models with two worker threads (where
// connections on different workers must still meet in one Service).
inline std::vector<ModelCase> model_cases() {
  std::vector<ModelCase> cases;
  for (const auto& model : model_names()) cases.push_back({model});
  cases.push_back({"epoll", 2});
  cases.push_back({"coroutine", 2});
  cases.push_back({"io_uring", 2});
  return cases;
}

// Test name suffix: "epoll", "epoll_workers2".
inline std::string model_case_name(const ::testing::TestParamInfo<ModelCase>& info) {
  const auto& param = info.param;
  return param.workers == 0 ? param.model
                            : param.model + "_workers" + std::to_string(param.workers);
}

}  // namespace netcook::test
