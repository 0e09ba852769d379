#include "driver_test.hpp"
#include "model/select/driver.hpp"

namespace netcook::test {

INSTANTIATE_TEST_SUITE_P(Select, DriverTest,
                         testing::Values(ModelCase{"select",
                                                   model::select_model::make_select_driver, 1}),
                         case_name);

}  // namespace netcook::test
