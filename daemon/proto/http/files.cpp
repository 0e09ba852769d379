// Static files under a root directory. Every path is opened relative to the
// root with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so neither
// "..", nor a symlink, nor a race with someone renaming directories can
// reach outside it; where the kernel lacks openat2, each component is
// opened with O_NOFOLLOW instead (symlinks are then not followed at all).
// Bodies are file ranges in the Outbox, sent with sendfile(2).

#include "proto/http/date.hpp"
#include "proto/http/mime.hpp"
#include "proto/http/path.hpp"
#include "proto/http/response.hpp"
#include "proto/http/site.hpp"
#include "proto/http/validators.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <mutex>
#include <optional>
#include <system_error>

namespace netcook::proto::http {
namespace {

using SharedFd = std::shared_ptr<const net::UniqueFd>;

constexpr int kOpenFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

constexpr std::string_view kNoIndex = "no index file, and directories are not listed";

// openat2(2) has no glibc wrapper on Debian 12.
int open_beneath(int directory, const char* path) noexcept {
  open_how how{};
  how.flags = kOpenFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, directory, path, &how, sizeof how));
}

// The fallback: one component at a time, never following a symlink.
int open_walking(int directory, const std::string& path) noexcept {
  net::UniqueFd current(::fcntl(directory, F_DUPFD_CLOEXEC, 0));
  if (!current) return -1;
  std::string_view rest = path;
  while (true) {
    const auto slash = rest.find('/');
    const std::string component(rest.substr(0, slash));
    const int next = ::openat(current.get(), component.c_str(), kOpenFlags | O_NOFOLLOW);
    if (next < 0) return -1;
    current.reset(next);
    if (slash == std::string_view::npos) return current.release();
    rest.remove_prefix(slash + 1);
  }
}

// A file's entity-tag: strong, changing with its size and time
// (validators.hpp compares it).
std::string entity_tag(const struct stat& info) {
  return fmt::format("\"{:x}-{:x}{:09x}\"", info.st_size, info.st_mtim.tv_sec,
                     info.st_mtim.tv_nsec);
}

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};

enum class RangeKind { whole, partial, unsatisfiable };

// One "bytes=" range (RFC 9110 section 14.1.2). Several ranges, other units
// and bad syntax are ignored (the whole file is sent), as the RFC allows.
RangeKind read_range(std::string_view header, std::uint64_t size, ByteRange& range) {
  if (!header.starts_with("bytes=")) return RangeKind::whole;
  header.remove_prefix(6);
  if (header.find(',') != std::string_view::npos) return RangeKind::whole;
  const auto dash = header.find('-');
  if (dash == std::string_view::npos) return RangeKind::whole;
  const auto number = [](std::string_view text, std::uint64_t& value) {
    if (text.empty() || text.size() > 19) return false;
    value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  };
  const auto first_text = header.substr(0, dash);
  const auto last_text = header.substr(dash + 1);
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  if (first_text.empty()) {  // the last N bytes
    if (!number(last_text, last)) return RangeKind::whole;
    if (last == 0 || size == 0) return RangeKind::unsatisfiable;
    range.length = std::min(last, size);
    range.first = size - range.length;
    return RangeKind::partial;
  }
  if (!number(first_text, first)) return RangeKind::whole;
  if (last_text.empty()) {
    last = size == 0 ? 0 : size - 1;
  } else {
    if (!number(last_text, last) || last < first) return RangeKind::whole;
    if (size > 0) last = std::min(last, size - 1);
  }
  if (first >= size) return RangeKind::unsatisfiable;
  range.first = first;
  range.length = last - first + 1;
  return RangeKind::partial;
}

class FileSite final : public Site {
 public:
  explicit FileSite(const HttpSettings& settings) : Site(settings) { (void)root(); }

  Answer respond(const Request& request, std::string_view date, Outbox& out) const override {
    const LocalPath path = to_local_path(request.target);
    if (path.status != 0) {  // a malformed target: answered like any bad request
      const bool head_only = request.method == Method::head;
      return {path.status,
              append_error(out, path.status, path.reason, date, head_only, error_form(request)),
              false};
    }
    return serve(request, path, date, out);
  }

 private:
  Answer serve(const Request& request, const LocalPath& path, std::string_view date,
               Outbox& out) const {
    const bool head_only = request.method == Method::head;
    net::UniqueFd file(open(root(), path.relative));
    if (!file) return open_failed(out, request, date, errno);
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) return open_failed(out, request, date, errno);
    std::string_view name = path.relative;
    if (S_ISDIR(info.st_mode)) {
      if (!path.directory) return redirect_to_directory(out, request, date, path);
      // A directory without an index is forbidden, never listed. An index
      // that leads out of the root fails like any such path (EXDEV, ELOOP:
      // 404), and a directory outside the root was never opened: both are
      // 404, as if they did not exist.
      net::UniqueFd index(open(file.get(), settings().index));
      if (!index && errno == ENOENT) return simple(out, request, date, 403, kNoIndex);
      if (!index) return open_failed(out, request, date, errno);
      file = std::move(index);
      if (::fstat(file.get(), &info) != 0) return open_failed(out, request, date, errno);
      if (!S_ISREG(info.st_mode)) return simple(out, request, date, 403, kNoIndex);
      name = settings().index;
    }
    if (!S_ISREG(info.st_mode)) return simple(out, request, date, 404, "not a regular file");

    const std::string tag = entity_tag(info);
    const std::string modified = format_date(info.st_mtim.tv_sec);
    if (not_modified(request, tag, info.st_mtim.tv_sec)) {
      append_status(out, 304, date);
      out.append(fmt::format("ETag: {}\r\nLast-Modified: {}\r\n{}\r\n", tag, modified,
                             connection_header(request)));
      return {304, 0, true};
    }
    const auto size = static_cast<std::uint64_t>(info.st_size);
    ByteRange range{0, size};
    // HEAD gets exactly the headers GET would, Range and If-Range included
    // (as nginx and Apache do).
    const RangeKind kind = read_range(
        range_holds(request, tag, info.st_mtim.tv_sec) ? request.range : std::string_view(), size,
        range);
    if (kind == RangeKind::unsatisfiable)
      return simple(out, request, date, 416, "the range holds no byte of the file",
                    fmt::format("Content-Range: bytes */{}\r\n", size));
    append_status(out, kind == RangeKind::partial ? 206 : 200, date);
    if (kind == RangeKind::partial)
      out.append(fmt::format("Content-Range: bytes {}-{}/{}\r\n", range.first,
                             range.first + range.length - 1, size));
    out.append(
        fmt::format("Content-Type: {}\r\nContent-Length: {}\r\nETag: {}\r\n"
                    "Last-Modified: {}\r\nAccept-Ranges: bytes\r\n{}\r\n",
                    media_type(name), range.length, tag, modified, connection_header(request)));
    const int status = kind == RangeKind::partial ? 206 : 200;
    if (head_only || range.length == 0) return {status, 0, true};
    out.append_file(std::make_shared<const net::UniqueFd>(std::move(file)),
                    static_cast<off_t>(range.first), static_cast<std::size_t>(range.length));
    return {status, range.length, true};
  }

  // A process forked from this one closed the descriptors it inherited,
  // the root's among them: forget its number (closing it would close
  // whatever reuses it now) and open the root again when it is needed.
  void after_fork() const noexcept override {
    std::lock_guard lock(mutex_);
    [[maybe_unused]] const int closed_already = root_.release();
  }

  // The root directory, opened once per process (see after_fork()).
  int root() const {
    std::lock_guard lock(mutex_);
    if (!root_) {
      net::UniqueFd fd(::open(settings().root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!fd)
        throw std::system_error(errno, std::generic_category(),
                                fmt::format("cannot open http root {}", settings().root));
      root_ = std::move(fd);
    }
    return root_.get();
  }

  static int open(int directory, const std::string& relative) noexcept {
    const int fd = open_beneath(directory, relative.c_str());
    if (fd >= 0 || errno != ENOSYS) return fd;
    return open_walking(directory, relative);
  }

  static bool not_modified(const Request& request, std::string_view tag, std::time_t mtime) {
    if (!request.if_none_match.empty()) return none_match_fails(request.if_none_match, tag);
    std::time_t since = 0;
    return !request.if_modified_since.empty() && parse_date(request.if_modified_since, since) &&
           mtime <= since;
  }

  // Range is honoured only while If-Range, when sent, still names this
  // file: a client resuming a download must not get a part of a newer one.
  static bool range_holds(const Request& request, std::string_view tag, std::time_t mtime) {
    if (request.if_range_lines == 0) return true;
    return request.if_range_lines == 1 && if_range_holds(request.if_range, tag, mtime);
  }

  static Answer open_failed(Outbox& out, const Request& request, std::string_view date, int error) {
    if (error == EACCES || error == EPERM)
      return simple(out, request, date, 403, "permission denied");
    return simple(out, request, date, 404, "no such file");  // EXDEV, ELOOP: outside the root
  }

  // `path` as a Location that stays on this server: "//host/x" and "/\host"
  // are network-path references to a browser (an open redirect), so
  // leading slashes collapse into one and a backslash after it is encoded.
  static std::string own_path(std::string_view path) {
    while (path.starts_with("//")) path.remove_prefix(1);
    if (path.starts_with("/\\")) return fmt::format("/%5C{}", path.substr(2));
    return std::string(path);
  }

  static Answer redirect_to_directory(Outbox& out, const Request& request, std::string_view date,
                                      const LocalPath& path) {
    const std::string location =
        fmt::format("{}/{}{}", own_path(path.path), path.query.empty() ? "" : "?", path.query);
    const std::string body = fmt::format("301 Moved Permanently: {}\n", location);
    append_status(out, 301, date);
    out.append(
        fmt::format("Location: {}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Content-Length: {}\r\n{}\r\n",
                    location, body.size(), connection_header(request)));
    if (request.method == Method::head) return {301, 0, true};
    out.append(body);
    return {301, body.size(), true};
  }

  // The form of an error's body: the one the request's Accept prefers.
  static ErrorForm error_form(const Request& request) noexcept {
    return {.html = request.prefers_html, .negotiated = true};
  }

  // A short error answer that keeps the connection (403, 404, 416): the
  // request itself was well-formed. `fields` go before the body's own.
  static Answer simple(Outbox& out, const Request& request, std::string_view date, int status,
                       std::string_view detail, std::string_view fields = {}) {
    const ErrorPage page = error_page(status, detail, error_form(request));
    append_status(out, status, date);
    out.append(fields);
    out.append(page.fields);
    out.append(connection_header(request));
    out.append("\r\n");
    if (request.method == Method::head) return {status, 0, true};
    out.append(page.body);
    return {status, page.body.size(), true};
  }

  mutable std::mutex mutex_;
  mutable net::UniqueFd root_;  // guarded by mutex_
};

}  // namespace

std::shared_ptr<const Site> make_file_site(const HttpSettings& settings) {
  return std::make_shared<FileSite>(settings);
}

}  // namespace netcook::proto::http
