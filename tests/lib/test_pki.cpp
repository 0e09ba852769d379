#include "test_pki.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace netcook::test {
namespace {

// For the servers: every name a test connects to on loopback.
constexpr const char* kServerExtensions =
    "basicConstraints=critical,CA:FALSE\n"
    "keyUsage=critical,digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth\n"
    "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n";
constexpr const char* kClientExtensions =
    "basicConstraints=critical,CA:FALSE\n"
    "keyUsage=critical,digitalSignature\n"
    "extendedKeyUsage=clientAuth\n";

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// fork() then execv(): no PATH search in the child.
std::string find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = std::string(dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error(program + " is not in $PATH (Debian: apt install " + program + ")");
}

std::string make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/netcook-pki-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  return pattern;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string joined(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) line += (line.empty() ? "" : " ") + arg;
  return line;
}

// Waits for `child` at most `timeout`; SIGKILL (to it alone) after.
// Returns its wait status, or -1 when it overran.
int wait_bounded(pid_t child, std::chrono::milliseconds timeout) {
  // glibc 2.36's sys/pidfd.h lacks pidfd_open's wrapper.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
  bool overran = false;
  if (pidfd >= 0) {
    pollfd poll_fd{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&poll_fd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    ::close(pidfd);
    if (ready == 0) {
      overran = true;
      ::kill(child, SIGKILL);
    }
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return overran ? -1 : status;
}

}  // namespace

TestPki::TestPki(std::chrono::milliseconds command_timeout)
    : command_timeout_(command_timeout),
      openssl_path_(find_in_path("openssl")),
      dir_(make_temp_dir()) {
  try {
    make_ca();
    server_ = make_leaf({"server", "/O=netcookd test/CN=localhost", kServerExtensions});
    second_server_ =
        make_leaf({"second-server", "/O=netcookd test second/CN=localhost", kServerExtensions});
    expiring_ = make_leaf({"expiring", "/O=netcookd test expiring/CN=localhost", kServerExtensions,
                           KeyType::ec_p256, 10});
    rsa_server_ = make_leaf(
        {"rsa-server", "/O=netcookd test rsa/CN=localhost", kServerExtensions, KeyType::rsa_2048});
    client_ = make_leaf({"alice", "/O=netcookd test/CN=alice", kClientExtensions});
    expired_ = make_expired();
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string TestPki::write_file(const std::string& name, const std::string& text) const {
  const std::string file = path(name);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file);
  return file;
}

std::string TestPki::openssl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{openssl_path_};
  argv.insert(argv.end(), args.begin(), args.end());
  // Everything the child needs, made before fork().
  std::vector<char*> c_argv;
  for (auto& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);
  const std::string out_path = path(".openssl-stdout");
  const std::string err_path = path(".openssl-stderr");
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0 || err < 0) throw_errno("opening the output files in " + dir_);
  const pid_t child = ::fork();
  if (child == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 ||
        ::chdir(dir_.c_str()) != 0) {
      ::_exit(127);
    }
    ::execv(c_argv[0], c_argv.data());
    ::_exit(127);
  }
  const int fork_errno = errno;
  ::close(out);
  ::close(err);
  if (child < 0) {
    errno = fork_errno;
    throw_errno("fork");
  }
  const int status = wait_bounded(child, command_timeout_);
  std::string output = read_all(out_path);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how =
        status == -1 ? "did not finish in " + std::to_string(command_timeout_.count()) + " ms"
                     : "failed (wait status " + std::to_string(status) + ")";
    throw std::runtime_error(joined(argv) + ": " + how + ":\n" + read_all(err_path) + output);
  }
  return output;
}

std::string TestPki::make_key(const std::string& name, KeyType type) const {
  const std::string key = path(name + ".key");
  if (type == KeyType::ec_p256) {
    openssl({"ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key});
  } else {
    openssl({"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key});
  }
  return key;
}

void TestPki::make_ca() {
  ca_.key = make_key("ca", KeyType::ec_p256);
  ca_.certificate = path("ca.pem");
  openssl({"req", "-x509", "-new", "-key", ca_.key, "-sha256", "-days", "365", "-subj",
           "/CN=netcookd test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
           "keyUsage=critical,keyCertSign,cRLSign", "-out", ca_.certificate});
  ca_.chain = ca_.certificate;
}

CertifiedKey TestPki::make_leaf(const Leaf& leaf) const {
  CertifiedKey made;
  made.key = make_key(leaf.name, leaf.key_type);
  made.certificate = path(leaf.name + ".pem");
  made.chain = path(leaf.name + "-chain.pem");
  const std::string request = path(leaf.name + ".csr");
  const std::string extensions = write_file(leaf.name + ".ext", leaf.extensions);
  openssl({"req", "-new", "-key", made.key, "-subj", leaf.subject, "-out", request});
  openssl({"x509", "-req", "-in", request, "-CA", ca_.certificate, "-CAkey", ca_.key, "-CAserial",
           path("ca.srl"), "-CAcreateserial", "-sha256", "-days", std::to_string(leaf.days),
           "-extfile", extensions, "-out", made.certificate});
  write_file(leaf.name + "-chain.pem", read_all(made.certificate) + read_all(ca_.certificate));
  return made;
}

// `openssl x509 -days` takes no past dates: `openssl ca` does, with a
// database of its own.
CertifiedKey TestPki::make_expired() const {
  CertifiedKey made;
  made.key = make_key("expired", KeyType::ec_p256);
  made.certificate = path("expired.pem");
  made.chain = path("expired-chain.pem");
  const std::string request = path("expired.csr");
  const std::string extensions = write_file("expired.ext", kServerExtensions);
  write_file("ca-index.txt", "");
  write_file("ca-serial", "1000\n");
  const std::string config = write_file(
      "ca.cnf", "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = " + path("ca-index.txt") +
                    "\nnew_certs_dir = " + dir_ + "\nserial = " + path("ca-serial") +
                    "\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
                    "[any]\ncommonName = supplied\norganizationName = optional\n");
  openssl({"req", "-new", "-key", made.key, "-subj", "/O=netcookd test expired/CN=localhost",
           "-out", request});
  openssl({"ca", "-batch", "-notext", "-config", config, "-cert", ca_.certificate, "-keyfile",
           ca_.key, "-in", request, "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
           "-extfile", extensions, "-out", made.certificate});
  write_file("expired-chain.pem", read_all(made.certificate) + read_all(ca_.certificate));
  return made;
}

}  // namespace netcook::test
