#pragma once

#include "httpsload/options.hpp"
#include "httpsload/run.hpp"

#include <string>

namespace netcook::bench::https {

[[nodiscard]] std::string format_line(const Options& options, const Result& result);
[[nodiscard]] std::string format_json(const Options& options, const Result& result);

} // namespace netcook::bench::https
