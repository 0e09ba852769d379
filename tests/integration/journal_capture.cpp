#include "journal_capture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace netcook::test {
namespace {

constexpr std::string_view kJournalDir = "/run/systemd/journal";

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

// The deepest existing directory on the way to /run/systemd/journal: the
// tmpfs goes there, so no directory is ever made on the host.
std::string mount_point() {
  std::string path(kJournalDir);
  while (!path.empty() && !is_directory(path)) path.erase(path.rfind('/'));
  return path.empty() ? "/" : path;
}

std::optional<std::string> make_private_journal_dir() {
  if (::geteuid() != 0) return "needs root (unshare and mount); CI runs the suite as root";
  if (::unshare(CLONE_NEWNS) != 0) return errno_text("unshare(CLONE_NEWNS)");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return errno_text("making / private in the new mount namespace");
  const std::string target = mount_point();
  if (target == "/") return "no /run to mount a tmpfs on";
  if (::mount("tmpfs", target.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0755,size=4m") != 0)
    return errno_text(("mounting a tmpfs on " + target).c_str());
  // Inside the new tmpfs: the rest of the way to the journal's directory.
  for (std::size_t at = target.size(); at < kJournalDir.size();) {
    at = std::min(kJournalDir.find('/', at + 1), kJournalDir.size());
    const std::string dir(kJournalDir.substr(0, at));
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return errno_text(("mkdir " + dir).c_str());
  }
  return std::nullopt;
}

bool valid_field_name(std::string_view name) {
  return !name.empty() && name.front() != '_' && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The whole content of a sealed memfd: how a sender passes an entry too
// big for one datagram.
std::optional<std::string> read_all(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return std::nullopt;
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t got =
        ::pread(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    done += static_cast<std::size_t>(got);
  }
  return text;
}

}  // namespace

std::optional<std::string> enter_private_journal_namespace() {
  static std::once_flag once;
  static std::optional<std::string> why_not;
  std::call_once(once, [] { why_not = make_private_journal_dir(); });
  return why_not;
}

std::optional<std::string> JournalEntry::field(std::string_view name) const {
  for (const auto& [key, value] : fields)
    if (key == name) return value;
  return std::nullopt;
}

std::size_t JournalEntry::count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(
      fields.begin(), fields.end(), [&](const auto& field) { return field.first == name; }));
}

bool JournalEntry::sent_binary(std::string_view name) const {
  return std::find(binary.begin(), binary.end(), name) != binary.end();
}

std::string JournalEntry::describe() const {
  std::string text = "  entry from pid " + std::to_string(sender) + ":\n";
  for (const auto& [key, value] : fields) text += "    " + key + "=" + value + "\n";
  return text;
}

std::optional<JournalEntry> parse_journal_entry(std::string_view datagram) {
  JournalEntry entry;
  while (!datagram.empty()) {
    const auto end = datagram.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view line = datagram.substr(0, end);
    datagram.remove_prefix(end + 1);
    const auto equals = line.find('=');
    if (equals != std::string_view::npos) {
      if (!valid_field_name(line.substr(0, equals))) return std::nullopt;
      entry.fields.emplace_back(line.substr(0, equals), line.substr(equals + 1));
      continue;
    }
    // Binary form: the name alone, then a little-endian 64-bit size, the
    // bytes and a newline.
    if (!valid_field_name(line) || datagram.size() < sizeof(std::uint64_t)) return std::nullopt;
    std::uint64_t size = 0;
    for (std::size_t i = 0; i < sizeof size; ++i)
      size |= std::uint64_t{static_cast<unsigned char>(datagram[i])} << (8 * i);
    datagram.remove_prefix(sizeof size);
    if (size >= datagram.size() || datagram[size] != '\n') return std::nullopt;
    entry.fields.emplace_back(line, datagram.substr(0, size));
    entry.binary.emplace_back(line);
    datagram.remove_prefix(size + 1);
  }
  return entry;
}

JournalSocket::JournalSocket(std::string path)
    : path_(std::move(path)),
      fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)),
      stop_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!fd_.valid()) throw std::system_error(errno, std::generic_category(), "socket");
  if (!stop_.valid()) throw std::system_error(errno, std::generic_category(), "eventfd");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof address.sun_path)
    throw std::invalid_argument("journal socket path too long: " + path_);
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  const int on = 1;
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0)
    throw std::system_error(errno, std::generic_category(), "SO_PASSCRED");
  ::unlink(path_.c_str());
  if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    throw std::system_error(errno, std::generic_category(), "bind " + path_);
  reader_ = std::thread([this] { run(); });
}

JournalSocket::~JournalSocket() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto ignored = ::write(stop_.get(), &one, sizeof one);
  reader_.join();
  ::unlink(path_.c_str());
}

void JournalSocket::run() {
  while (true) {
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    // What arrived before the stop request is still taken.
    if ((fds[0].revents & POLLIN) != 0 && !receive_one()) return;
    if (fds[1].revents != 0 && (fds[0].revents & POLLIN) == 0) return;
  }
}

// One datagram: its size is peeked first, so no entry is ever truncated.
bool JournalSocket::receive_one() {
  const ssize_t size = ::recv(fd_.get(), nullptr, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
  if (size < 0) return errno == EAGAIN || errno == EINTR;
  buffer_.resize(std::max<std::size_t>(static_cast<std::size_t>(size), 1));
  iovec data{buffer_.data(), buffer_.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(4 * sizeof(int))];
  msghdr message{};
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t got = ::recvmsg(fd_.get(), &message, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (got < 0) return errno == EAGAIN || errno == EINTR;

  pid_t sender = 0;
  std::vector<UniqueFd> passed;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS) {
      ucred credentials{};
      std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
      sender = credentials.pid;
    } else if (c->cmsg_type == SCM_RIGHTS) {
      const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (std::size_t i = 0; i < count; ++i) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        passed.emplace_back(fd);
      }
    }
  }
  std::optional<std::string> text;
  if (got == 0 && passed.size() == 1)
    text = read_all(passed.front().get());
  else if ((message.msg_flags & MSG_TRUNC) == 0)
    text = std::string(buffer_.data(), static_cast<std::size_t>(got));
  auto entry = text ? parse_journal_entry(*text) : std::nullopt;
  {
    std::lock_guard lock(mutex_);
    if (entry) {
      entry->sender = sender;
      entries_.push_back(std::move(*entry));
    } else {
      ++malformed_;
    }
  }
  arrived_.notify_all();
  return true;
}

std::size_t JournalSocket::mark() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::vector<JournalEntry> JournalSocket::entries(std::size_t from) const {
  std::lock_guard lock(mutex_);
  if (from >= entries_.size()) return {};
  return {entries_.begin() + static_cast<std::ptrdiff_t>(from), entries_.end()};
}

std::size_t JournalSocket::malformed() const {
  std::lock_guard lock(mutex_);
  return malformed_;
}

std::optional<JournalEntry> JournalSocket::wait_for(const EntryMatch& match, Timeout timeout,
                                                    std::size_t from) const {
  const Deadline deadline(timeout);
  std::unique_lock lock(mutex_);
  for (std::size_t next = from;;) {
    for (; next < entries_.size(); ++next)
      if (match(entries_[next])) return entries_[next];
    if (deadline.expired()) return std::nullopt;
    arrived_.wait_for(lock, deadline.remaining());
  }
}

std::string JournalSocket::dump(std::size_t from) const {
  std::string text;
  for (const auto& entry : entries(from)) text += entry.describe();
  return text;
}

EntryMatch message_has(std::string text) {
  return [text = std::move(text)](const JournalEntry& entry) {
    const auto message = entry.field("MESSAGE");
    return message && message->find(text) != std::string::npos;
  };
}

}  // namespace netcook::test
