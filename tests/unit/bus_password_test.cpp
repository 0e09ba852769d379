// config::read_bus_password and bus_password_file_problem: the password a
// file holds, absolute or under $CREDENTIALS_DIRECTORY, without its one
// trailing newline; every refusal names the file and why, never what it
// holds.

#include "config/bus_password.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace netcook::config {
namespace {

using testing::HasSubstr;
using testing::Not;

// A private directory for the test's files, removed after; and
// $CREDENTIALS_DIRECTORY as it was before the test.
class BusPassword : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "netcook-pw-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    if (const char* before = std::getenv("CREDENTIALS_DIRECTORY")) saved_ = before;
    ::unsetenv("CREDENTIALS_DIRECTORY");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    if (saved_)
      ::setenv("CREDENTIALS_DIRECTORY", saved_->c_str(), 1);
    else
      ::unsetenv("CREDENTIALS_DIRECTORY");
  }

  std::string write(const std::string& name, const std::string& content) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  static ChatOptions naming(const std::string& file) {
    ChatOptions chat;
    chat.bus_password_file = file;
    return chat;
  }

  // The refusal's text, which must not hold `secret`.
  static std::string refusal(const std::string& file, const std::string& secret = "s3cr3t") {
    try {
      read_bus_password(naming(file));
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), Not(HasSubstr(secret)));
      return e.what();
    }
    ADD_FAILURE() << file << " was read";
    return {};
  }

  std::filesystem::path dir_;
  std::optional<std::string> saved_;
};

TEST_F(BusPassword, NoneWithoutAFile) {
  EXPECT_EQ(read_bus_password(ChatOptions{}), "");
}

TEST_F(BusPassword, OneTrailingNewlineIsNotPartOfIt) {
  EXPECT_EQ(read_bus_password(naming(write("plain", "s3cr3t"))), "s3cr3t");
  EXPECT_EQ(read_bus_password(naming(write("lf", "s3cr3t\n"))), "s3cr3t");
  EXPECT_EQ(read_bus_password(naming(write("crlf", "s3cr3t\r\n"))), "s3cr3t");
  EXPECT_EQ(read_bus_password(naming(write("two", "s3cr3t\n\n"))), "s3cr3t\n");
  EXPECT_EQ(read_bus_password(naming(write("blank", " s3 cr3t \n"))), " s3 cr3t ");
}

TEST_F(BusPassword, UpTo4KiBWithItsNewline) {
  const std::string longest(kMaxBusPasswordFile - 1, 'p');
  EXPECT_EQ(read_bus_password(naming(write("longest", longest + "\n"))), longest);
  EXPECT_EQ(read_bus_password(naming(write("full", longest + "p"))), longest + "p");
  const auto path = write("long", longest + "pp");
  EXPECT_EQ(refusal(path, longest), "bus_password_file " + path + ": longer than 4096 bytes");
}

TEST_F(BusPassword, RelativeIsUnderTheCredentialsDirectory) {
  write("redis-password", "s3cr3t\n");
  ::setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  EXPECT_EQ(read_bus_password(naming("redis-password")), "s3cr3t");
  ::setenv("CREDENTIALS_DIRECTORY", (dir_.string() + "/").c_str(), 1);
  EXPECT_EQ(read_bus_password(naming("redis-password")), "s3cr3t");
  EXPECT_EQ(refusal("other"), "bus_password_file " + dir_.string() +
                                  "/other: No such file or "
                                  "directory");
}

TEST_F(BusPassword, RelativeWithoutTheCredentialsDirectory) {
  EXPECT_EQ(refusal("redis-password"),
            "bus_password_file 'redis-password' is relative, but $CREDENTIALS_DIRECTORY is not "
            "set: load it with LoadCredential=redis-password:PATH in the daemon's unit, or write "
            "an absolute path");
  ::setenv("CREDENTIALS_DIRECTORY", "", 1);
  EXPECT_THAT(refusal("redis-password"), HasSubstr("is not set"));
}

TEST_F(BusPassword, Refusals) {
  const auto missing = (dir_ / "missing").string();
  EXPECT_EQ(refusal(missing), "bus_password_file " + missing + ": No such file or directory");
  EXPECT_EQ(refusal(dir_.string()), "bus_password_file " + dir_.string() + ": not a regular file");
  const auto empty = write("empty", "");
  EXPECT_EQ(refusal(empty), "bus_password_file " + empty + ": empty");
  const auto newline = write("newline", "\n");
  EXPECT_EQ(refusal(newline), "bus_password_file " + newline + ": empty");
  const auto crlf = write("crlf", "\r\n");
  EXPECT_EQ(refusal(crlf), "bus_password_file " + crlf + ": empty");
  const auto fifo = (dir_ / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(refusal(fifo), "bus_password_file " + fifo + ": not a regular file");
}

TEST_F(BusPassword, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const auto path = write("locked", "s3cr3t\n");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  EXPECT_EQ(refusal(path), "bus_password_file " + path + ": Permission denied");
}

TEST_F(BusPassword, ProblemAsTheLoaderSaysIt) {
  EXPECT_EQ(bus_password_file_problem(write("ok", "s3cr3t\n")), std::nullopt);
  EXPECT_EQ(bus_password_file_problem((dir_ / "missing").string()), "No such file or directory");
  EXPECT_EQ(bus_password_file_problem(write("empty", "")), "empty");
  // Unchecked outside the unit (--check-config in an operator's shell).
  EXPECT_EQ(bus_password_file_problem("redis-password"), std::nullopt);
  ::setenv("CREDENTIALS_DIRECTORY", dir_.c_str(), 1);
  EXPECT_EQ(bus_password_file_problem("redis-password"),
            dir_.string() + "/redis-password: No such file or directory");
  write("redis-password", "s3cr3t");
  EXPECT_EQ(bus_password_file_problem("redis-password"), std::nullopt);
}

}  // namespace
}  // namespace netcook::config
