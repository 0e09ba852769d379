#pragma once

// A web root for path traversal tests (http_test.cpp, and the longer
// list of faults_traversal_test.cpp): the root "www" sits in a directory
// that also holds secret files, one of them an index.html and one in a
// directory of its own; symlinks in the root lead out of it in every way
// (file and directory, relative and absolute, chained, from a
// subdirectory, as a directory's index, through /proc), and a few stay
// inside. Whatever a request gets, it must be one of the public bodies or
// an error, never a byte of a secret.

#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace netcook::test {

struct TraversalSite {
  static constexpr std::string_view kSecret = "TOP SECRET: never served\n";
  TempDir base;
  std::string root = base.file("www");
  std::set<std::string> public_bodies;

  TraversalSite() {
    write("secret.txt", kSecret);
    write("index.html", kSecret);          // what "/.." would index, were it outside
    write("outside/secret.txt", kSecret);  // a directory beside the root
    add("www/index.html", "<p>public index</p>\n");
    add("www/public.txt", "public\n");
    add("www/sub/inner.txt", "inner\n");
    add("www/sub/deeper/leaf.txt", "leaf\n");
    std::filesystem::create_directories(root + "/trap");
    link("../secret.txt", "link-out");
    link(base.file("secret.txt"), "link-absolute");
    link("..", "dir-out");
    link("../..", "sub/up-two");
    link("/etc", "etc-link");
    link("chain2", "chain1");  // a chain whose last link leaves
    link("../secret.txt", "chain2");
    link("../../../secret.txt", "sub/deeper/out");
    link("../../secret.txt", "trap/index.html");  // a directory's index leads out
    link(base.file("outside"), "dir-absolute");
    link("/proc/self", "proc-self");  // then root/, cwd/, fd/: magic links
    link("loop", "loop");
    link("public.txt", "alias.txt");  // inside: may be served
    link("../public.txt", "sub/back");
  }

  // A public file under the base (a path starting "www/").
  void add(const std::string& relative, std::string_view content) {
    write(relative, content);
    public_bodies.insert(std::string(content));
  }

 private:
  void write(const std::string& relative, std::string_view content) const {
    const std::filesystem::path path = base.file(relative);
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path.string());
  }
  // The symlink ROOT/`name` -> `target`.
  void link(const std::string& target, const std::string& name) const {
    std::filesystem::create_symlink(target, root + "/" + name);
  }
};

// The answer to one traversal attempt may be 400, 404, a redirect, or a
// public file or part of one (when the dots clean up to a path inside the
// root, or a symlink stays inside it); never a byte of anything outside.
// `head` is the status line and header fields, if the caller has them;
// `head_only` for a HEAD request (no body).
inline void expect_nothing_leaked(const TraversalSite& site, const std::string& target, int status,
                                  const std::string& body, const std::string& head = "",
                                  bool head_only = false) {
  for (const std::string* text : {&body, &head}) {
    EXPECT_EQ(text->find(TraversalSite::kSecret.substr(0, 10)), std::string::npos) << target;
    EXPECT_EQ(text->find("root:"), std::string::npos) << target;  // /etc/passwd
  }
  EXPECT_TRUE(status == 400 || status == 404 || status == 301 || status == 200 || status == 206 ||
              status == 304)
      << target << ": " << status;
  if (head_only) {
    EXPECT_EQ(body, "") << target;
    return;
  }
  if (status == 200) {
    EXPECT_TRUE(site.public_bodies.contains(body)) << target << ": " << body;
  }
  if (status == 206) {  // a Range request: a part of a public file
    bool found = false;
    for (const auto& text : site.public_bodies)
      found = found || text.find(body) != std::string::npos;
    EXPECT_TRUE(found) << target << ": " << body;
  }
  if (status == 304) {
    EXPECT_EQ(body, "") << target;
  }
}

}  // namespace netcook::test
