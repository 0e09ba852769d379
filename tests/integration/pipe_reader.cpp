#include "pipe_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace netcook::test {

PipeReader::PipeReader(UniqueFd pipe_fd)
    : pipe_(std::move(pipe_fd)),
      stop_event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!stop_event_.valid()) {
    throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  const int flags = ::fcntl(pipe_.get(), F_GETFL);
  ::fcntl(pipe_.get(), F_SETFL, flags | O_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

PipeReader::~PipeReader() { stop(Timeout{0}); }

void PipeReader::stop(Timeout grace) {
  if (!thread_.joinable()) {
    return;
  }
  log_.wait_closed(grace);
  const std::uint64_t one = 1;
  [[maybe_unused]] auto ignored = ::write(stop_event_.get(), &one, sizeof one);
  thread_.join();
}

bool PipeReader::drain(std::string& partial) {
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(pipe_.get(), buffer, sizeof buffer);
    if (n > 0) {
      partial.append(buffer, static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (std::size_t nl; (nl = partial.find('\n', start)) != partial.npos;
           start = nl + 1) {
        log_.append(partial.substr(start, nl - start));
      }
      partial.erase(0, start);
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
}

void PipeReader::run() {
  std::string partial;
  while (true) {
    pollfd fds[2] = {{pipe_.get(), POLLIN, 0}, {stop_event_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) {
      break;
    }
    if (fds[0].revents != 0 && !drain(partial)) {
      break;
    }
    if (fds[1].revents != 0) {
      drain(partial);
      break;
    }
  }
  if (!partial.empty()) {
    log_.append(std::move(partial));
  }
  log_.close();
}

}  // namespace netcook::test
