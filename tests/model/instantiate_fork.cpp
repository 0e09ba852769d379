// The fork model's instantiation of the driver contract. The fork master
// must be forked while the test process is single-threaded: a global test
// environment starts it when RUN_ALL_TESTS() begins (after every static
// initialiser, before any test has made a thread) and stops it at the end.
// The master makes each listener's protocol with test_protocol() from the
// listener's name, where the fixture puts the test protocol's spec; its
// processes log into LogCapture's file.

#include "driver_test.hpp"
#include "model/fork/driver.hpp"

#include <cstdio>

namespace netcook::test {
namespace {

std::unique_ptr<metrics::Arena> g_arena;
std::unique_ptr<model::fork::Master> g_master;

class ForkMasterEnvironment final : public testing::Environment {
 public:
  void SetUp() override {
    // Named after this process, before the master (a copy of it) is made.
    std::remove(LogCapture::fork_log_path().c_str());
    g_arena = std::make_unique<metrics::Arena>();
    g_master = model::fork::Master::start(
        *g_arena,
        [](const config::Listener& listener, event::Loop&) { return test_protocol(listener.name); },
        [](const std::string& name, const log::ListenerFields&) {
          return LogCapture::fork_logger(name);
        });
  }
  void TearDown() override {
    g_master.reset();
    g_arena.reset();
    std::remove(LogCapture::fork_log_path().c_str());
  }
};

// gtest owns environments it is given.
[[maybe_unused]] testing::Environment* const fork_master_environment =
    testing::AddGlobalTestEnvironment(new ForkMasterEnvironment);

}  // namespace

model::fork::Master& fork_master() { return *g_master; }
metrics::Arena& test_arena() { return *g_arena; }

std::unique_ptr<model::Driver> make_fork(model::DriverSettings settings, net::Fd listening,
                                         proto::Protocol) {
  return model::fork::make_fork_driver(std::move(settings), listening, fork_master());
}

INSTANTIATE_TEST_SUITE_P(Fork, DriverTest, testing::Values(ModelCase{"fork", make_fork, 1}),
                         case_name);

}  // namespace netcook::test
