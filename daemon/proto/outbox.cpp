#include "proto/outbox.hpp"

namespace netcook::proto {
namespace {

// Written bytes at the front are compacted away once they are at least this
// many and at least half the buffer, so a slow reader costs O(n) copying in
// total, not O(n) per write.
constexpr std::size_t kCompactAt = 16 * 1024;

}  // namespace

void Outbox::append_file(std::shared_ptr<const net::UniqueFd> file, off_t offset,
                         std::size_t length) {
  if (length == 0) return;
  files_.push_back({std::move(file), offset, length, buffer_.size()});
  appended_ += length;
}

void Outbox::consume(std::size_t count) noexcept {
  head_ += count;
  if (head_ >= buffer_.size()) {
    drop_bytes();
  } else if (head_ >= kCompactAt && head_ * 2 >= buffer_.size()) {
    buffer_.erase(0, head_);
    for (auto& range : files_) range.at -= head_;
    head_ = 0;
  }
}

std::string Outbox::take_pending() {
  std::string taken;
  if (files_.empty() && head_ == 0) {
    taken.swap(buffer_);
  } else {
    taken.assign(pending());
    consume(taken.size());
  }
  in_flight_ += taken.size();
  return taken;
}

// Every byte in memory is written; file ranges still queued all come after
// them, so they now come first.
void Outbox::drop_bytes() noexcept {
  std::string().swap(buffer_);
  head_ = 0;
  for (auto& range : files_) range.at = 0;
}

void Outbox::cut_after(char delimiter) noexcept {
  const std::size_t at = buffer_.find(delimiter, head_);
  if (at == std::string::npos) return;
  const std::size_t end = at + 1;
  buffer_.erase(end);
  std::erase_if(files_, [end](const FileRange& range) { return range.at >= end; });
}

void Outbox::clear() noexcept {
  drop_bytes();
  in_flight_ = 0;
  std::vector<FileRange>().swap(files_);
}

std::optional<Outbox::FileSlice> Outbox::next_file() const noexcept {
  if (files_.empty() || files_.front().at != head_) return std::nullopt;
  const FileRange& range = files_.front();
  return FileSlice{range.file->borrow(), range.offset, range.length, range.copy};
}

std::optional<Outbox::FileSlice> Outbox::file_after_pending() const noexcept {
  if (files_.empty()) return std::nullopt;
  const FileRange& range = files_.front();
  return FileSlice{range.file->borrow(), range.offset, range.length, range.copy};
}

void Outbox::consume_file(std::size_t count) noexcept {
  FileRange& range = files_.front();
  range.offset += static_cast<off_t>(count);
  range.length -= count;
  if (range.length > 0) return;
  files_.erase(files_.begin());
  if (files_.empty()) std::vector<FileRange>().swap(files_);
}

void Outbox::copy_next_file() noexcept {
  files_.front().copy = true;
}

}  // namespace netcook::proto
