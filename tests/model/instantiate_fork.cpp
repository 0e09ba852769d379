// The fork model's instantiation of the driver contract. The fork master
// must be forked while the test process is single-threaded: a global test
// environment starts it when RUN_ALL_TESTS() begins (after every static
// initialiser, before any test has made a thread) and stops it at the end.
// The master rebuilds each listener's protocol from its spec with
// test_protocol(), so the fixture gives every driver a spec.

#include "driver_test.hpp"
#include "model/fork/driver.hpp"
#include "model/fork/master.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace netcook::test {
namespace {

class ForkMasterEnvironment final : public testing::Environment {
 public:
  void SetUp() override {
    model::fork::start_master(test_protocol, [](const std::string& name,
                                                const log::ListenerFields&) {
      auto log = std::make_shared<spdlog::logger>(
          name, std::make_shared<spdlog::sinks::stderr_sink_st>());
      log->set_pattern("[%n %P] %l: %v");
      return log;
    });
  }
  void TearDown() override { model::fork::stop_master(); }
};

// gtest owns environments it is given.
[[maybe_unused]] testing::Environment* const fork_master =
    testing::AddGlobalTestEnvironment(new ForkMasterEnvironment);

}  // namespace

INSTANTIATE_TEST_SUITE_P(Fork, DriverTest,
                         testing::Values(ModelCase{"fork", model::fork::make_fork_driver, 1, false}),
                         case_name);

}  // namespace netcook::test
