#pragma once

// Seconds as exact decimals: the counters hold microseconds and
// nanoseconds, and a figure such as 0.0001 must not come out as
// 0.00010000000000000000479 (a double printed in full) or 1e-04 (which
// Prometheus reads, but a person comparing with a log line does not).

#include <cstdint>
#include <string>

namespace netcook::metrics {

// "1.5" for 1'500'000 usec, "0.0001" for 100, "0" for 0.
std::string seconds_from_usec(std::uint64_t usec);
// "0.012" for 12'000'000 nsec.
std::string seconds_from_nsec(std::uint64_t nsec);
// A double in the shortest form that reads back the same ("1796601600.25").
std::string decimal(double value);

}  // namespace netcook::metrics
