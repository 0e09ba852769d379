#pragma once

#include <stdexcept>

namespace netcook::bench {

/// A command line the tool refuses to run; main() maps it to exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace netcook::bench
