#pragma once

// Builds netcookd configuration files for tests: a log section that sends
// debug lines to stderr (where Daemon reads them), optional `defaults:`
// lines, and echo, chat or http listeners on ephemeral loopback ports.

#include <string>
#include <string_view>
#include <vector>

namespace netcook::test {

struct EchoListener {
  std::string name;
  std::string model = "epoll";
  std::string listen = "127.0.0.1:0";
  unsigned workers = 0;      // epoll, coroutine and io_uring only; 0: not written
  std::string mode = "raw";  // raw | line
  std::string prefix = "";   // line mode; written double-quoted
  std::string max_line = ""; // empty: the daemon's default
};

// A chat listener; every empty or zero field is left out of the file, so
// the daemon's default applies.
struct ChatListener {
  std::string name;
  std::string model = "epoll";
  std::string listen = "127.0.0.1:0";  // written double-quoted ("[::1]:0")
  unsigned workers = 0;                // epoll, coroutine and io_uring only
  std::string max_line = "";           // the `chat:` section
  std::string max_outbox = "";
  std::string max_members = "";
  std::string rate = "";   // flood control: "100/s", "unlimited"
  std::string burst = "";
};

// An http listener; every empty or zero field is left out of the file, so
// the daemon's default applies. Strings are written double-quoted.
struct HttpListener {
  std::string name;
  std::string model = "epoll";
  std::string listen = "127.0.0.1:0";
  unsigned workers = 0;                // epoll, coroutine and io_uring only
  std::string max_connections = "";    // a listener limit
  std::string body = "";               // the `http:` section; not with root
  std::string root = "";
  std::string content_type = "";
  std::string index = "";
  std::string max_header = "";
  std::string max_body = "";
  std::string header_timeout = "";
  std::string keepalive_timeout = "";
  std::string access_log = "";         // "true" or "false"
};

// `defaults` are "key: value" lines for the `defaults:` section.
std::string make_config(const std::vector<EchoListener>& listeners,
                        const std::vector<std::string>& defaults = {});

// The chat listeners, then the `echo` listeners, in one file.
std::string make_chat_config(const std::vector<ChatListener>& chat,
                             const std::vector<std::string>& defaults = {},
                             const std::vector<EchoListener>& echo = {});

// The http listeners in one file.
std::string make_http_config(const std::vector<HttpListener>& http,
                             const std::vector<std::string>& defaults = {});

// `text` as a YAML double-quoted scalar (line breaks and tabs escaped).
std::string yaml_quote(std::string_view text);

}  // namespace netcook::test
