#pragma once

// A fresh private directory (mkdtemp) that is removed with everything in it
// when the object goes away.

#include <string>
#include <string_view>

namespace netcook::test {

class TempDir {
 public:
  // Creates $TMPDIR/netcookd-it-XXXXXX (or /tmp); throws on failure.
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // The path of `name` inside the directory.
  std::string file(std::string_view name) const;

  // Replaces `name` atomically (write a temporary file, then rename), so a
  // reader never sees half a file. Returns the full path; throws on failure.
  std::string write_file(std::string_view name, std::string_view text) const;

 private:
  std::string path_;
};

}  // namespace netcook::test
