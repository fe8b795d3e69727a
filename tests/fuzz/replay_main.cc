// replay_main.cc: a main() for the fuzz targets in the normal (gcc) build,
// without libFuzzer. It runs LLVMFuzzerTestOneInput once on every file named
// on the command line or found (recursively) in a directory named there, in
// sorted order, so a target's corpus is a regression test in every preset:
//
//   request_fuzzer_replay tests/fuzz/corpus/request      # every seed and crash
//   request_fuzzer_replay crash-1234abcd                 # one input
//
// A broken invariant aborts the process (WAMS_FUZZ_CHECK), which fails the
// ctest. Exit code 2 when an argument is missing or holds no input: an empty
// corpus would pass without testing anything.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional, as with libFuzzer.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool ReadWhole(const std::filesystem::path& path, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return false;
  out.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  return !file.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(arg);
    }
    if (files.empty()) {
      std::fprintf(stderr, "%s: no inputs\n", argv[i]);
      return 2;
    }
    for (const std::filesystem::path& file : files) {
      std::string input;
      if (!ReadWhole(file, input)) {
        std::fprintf(stderr, "%s: cannot read\n", file.c_str());
        return 2;
      }
      // A copy in its own allocation, so a read past the end is caught by a
      // sanitizer exactly as under libFuzzer.
      std::vector<uint8_t> bytes(input.begin(), input.end());
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs\n", replayed);
  return 0;
}
