#pragma once

// Set-up code that adds context to a failure rethrows with
// std::throw_with_nested, so the cause travels with it; this turns the
// whole chain into one line for the log: "outer: cause: its cause".
//
// Header-only, as the rest of log/.

#include <exception>
#include <string>

namespace netcook::log {

inline std::string explain(const std::exception& e) {
  std::string text = e.what();
  try {
    std::rethrow_if_nested(e);
  } catch (const std::exception& cause) {
    text += ": " + explain(cause);
  } catch (...) {
    text += ": an unknown error";
  }
  return text;
}

}  // namespace netcook::log
