#include "driver_test.hpp"
#include "model/coroutine/driver.hpp"

namespace netcook::test {

INSTANTIATE_TEST_SUITE_P(
    Coroutine, DriverTest,
    testing::Values(ModelCase{"coroutine_w1", model::coroutine::make_coroutine_driver, 1},
                    ModelCase{"coroutine_w2", model::coroutine::make_coroutine_driver, 2}),
    case_name);

}  // namespace netcook::test
