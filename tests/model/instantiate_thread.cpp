#include "driver_test.hpp"
#include "model/thread/driver.hpp"

namespace netcook::test {

INSTANTIATE_TEST_SUITE_P(Thread, DriverTest,
                         testing::Values(ModelCase{"thread", model::thread::make_thread_driver, 1}),
                         case_name);

}  // namespace netcook::test
