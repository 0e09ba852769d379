#include "driver_test.hpp"
#include "model/io_uring/driver.hpp"

namespace netcook::test {

INSTANTIATE_TEST_SUITE_P(
    IoUring, DriverTest,
    testing::Values(ModelCase{"io_uring_w1", model::io_uring::make_io_uring_driver, 1},
                    ModelCase{"io_uring_w2", model::io_uring::make_io_uring_driver, 2}),
    case_name);

}  // namespace netcook::test
