#include "proto/outbox.hpp"

namespace netcook::proto {

namespace {
// Written bytes at the front are compacted away once they are at least this
// many and at least half the buffer, so a slow reader costs O(n) copying in
// total, not O(n) per write.
constexpr std::size_t kCompactAt = 16 * 1024;
}  // namespace

void Outbox::consume(std::size_t count) noexcept {
  head_ += count;
  if (head_ >= buffer_.size()) {
    clear();
  } else if (head_ >= kCompactAt && head_ * 2 >= buffer_.size()) {
    buffer_.erase(0, head_);
    head_ = 0;
  }
}

void Outbox::clear() noexcept {
  std::string().swap(buffer_);
  head_ = 0;
}

}  // namespace netcook::proto
