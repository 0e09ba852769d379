#include "line_log.hpp"

#include <algorithm>

namespace netcook::test {

void LineLog::append(std::string line) {
  {
    std::lock_guard lock(mutex_);
    lines_.push_back(std::move(line));
  }
  changed_.notify_all();
}

void LineLog::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  changed_.notify_all();
}

std::size_t LineLog::size() const {
  std::lock_guard lock(mutex_);
  return lines_.size();
}

bool LineLog::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

std::vector<std::string> LineLog::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::size_t LineLog::count(std::string_view text, std::size_t from) const {
  std::lock_guard lock(mutex_);
  std::size_t found = 0;
  for (std::size_t i = from; i < lines_.size(); ++i)
    if (lines_[i].find(text) != std::string::npos) ++found;
  return found;
}

std::string LineLog::text() const {
  std::lock_guard lock(mutex_);
  std::string result;
  for (const auto& line : lines_) {
    result += line;
    result += '\n';
  }
  return result;
}

std::optional<LineMatch> LineLog::search_locked(const std::regex& pattern,
                                                std::size_t from,
                                                bool last) const {
  std::optional<LineMatch> found;
  for (std::size_t i = from; i < lines_.size(); ++i) {
    std::smatch match;
    if (!std::regex_search(lines_[i], match, pattern)) {
      continue;
    }
    LineMatch result{i, lines_[i], {}};
    for (const auto& group : match) {
      result.groups.push_back(group.str());
    }
    found = std::move(result);
    if (!last) {
      break;
    }
  }
  return found;
}

std::optional<LineMatch> LineLog::wait_for(const std::regex& pattern,
                                           Timeout timeout,
                                           std::size_t from) const {
  const auto end = Clock::now() + timeout;
  std::unique_lock lock(mutex_);
  std::size_t scanned = from;
  while (true) {
    if (auto match = search_locked(pattern, scanned, false)) {
      return match;
    }
    scanned = std::max(scanned, lines_.size());
    if (closed_) {
      return std::nullopt;
    }
    if (changed_.wait_until(lock, end) == std::cv_status::timeout &&
        lines_.size() == scanned) {
      return std::nullopt;
    }
  }
}

std::optional<LineMatch> LineLog::find_last(const std::regex& pattern,
                                            std::size_t from) const {
  std::lock_guard lock(mutex_);
  return search_locked(pattern, from, true);
}

bool LineLog::wait_closed(Timeout timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return closed_; });
}

}  // namespace netcook::test
