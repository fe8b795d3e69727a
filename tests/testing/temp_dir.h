// temp_dir.h: a fresh directory per test, removed with everything in it.
#ifndef WAMS_TESTS_TESTING_TEMP_DIR_H_
#define WAMS_TESTS_TESTING_TEMP_DIR_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace wams::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string File(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

// Writes `contents` to `path` (replacing it) with `mode`.
void WriteFile(const std::filesystem::path& path, std::string_view contents, int mode = 0644);
// The whole file, or "" when unreadable.
std::string ReadFile(const std::filesystem::path& path);

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_TEMP_DIR_H_
