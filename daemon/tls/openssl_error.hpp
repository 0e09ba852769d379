#pragma once

// OpenSSL's error queue, read once and emptied.

#include <string>

namespace netcook::tls::detail {

// The reason of the earliest error on this thread's OpenSSL error queue
// ("No such file or directory", "key values mismatch"), which is the
// cause; the later ones only say who passed it on. Empties the queue.
// `fallback` when the queue was empty.
std::string take_openssl_reason(const std::string& fallback = "unknown OpenSSL error");

}  // namespace netcook::tls::detail
