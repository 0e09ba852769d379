#include "driver_test.hpp"
#include "model/epoll/driver.hpp"

namespace netcook::test {

INSTANTIATE_TEST_SUITE_P(Epoll, DriverTest,
                         testing::Values(ModelCase{"epoll_w1", model::epoll::make_epoll_driver, 1},
                                         ModelCase{"epoll_w2", model::epoll::make_epoll_driver, 2}),
                         case_name);

}  // namespace netcook::test
