// fuzz_support.h: what every fuzz target shares: the invariant check that
// crashes (so libFuzzer and the corpus replay both report it), and a reader
// that splits one fuzz input into a few structured fields.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     wams::fuzz::InputReader in(data, size);
//     uint8_t mode = in.U8();
//     std::string_view rest = in.Rest();
//     WAMS_FUZZ_CHECK(Parse(rest).ok() || mode != 0);
//     return 0;
//   }
//
// A broken invariant is a bug in the code under test (or in the target), so it
// aborts with __builtin_trap() after naming the condition and its line: a
// crash is what libFuzzer saves as an artifact.
#ifndef WAMS_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define WAMS_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#define WAMS_FUZZ_CHECK(condition)                                                                \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::fflush(stderr);                                                                        \
      __builtin_trap();                                                                           \
    }                                                                                             \
  } while (false)

// The same, with a message (e.g. the status that should not have happened).
#define WAMS_FUZZ_CHECK_MSG(condition, message)                                           \
  do {                                                                                    \
    if (!(condition)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s (%s)\n", __FILE__, __LINE__, \
                   #condition, std::string(message).c_str());                             \
      std::fflush(stderr);                                                                \
      __builtin_trap();                                                                   \
    }                                                                                     \
  } while (false)

namespace wams::fuzz {

// Reads fixed-size fields from the front of a fuzz input. Past the end every
// field reads as zero (or empty), so any input is a valid sequence of fields
// and the fuzzer never wastes runs on a "too short" early return.
class InputReader {
 public:
  InputReader(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  uint8_t U8() {
    if (rest_.empty()) return 0;
    auto value = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }
  // Little-endian.
  uint16_t U16() {
    uint16_t low = U8();
    return static_cast<uint16_t>(low | (U8() << 8));
  }
  uint64_t U64() {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value |= uint64_t{U8()} << (8 * i);
    return value;
  }
  // Up to `n` bytes (fewer at the end of the input).
  std::string_view Bytes(size_t n) {
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return out;
  }
  // Everything not read yet.
  std::string_view Rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }
  bool empty() const { return rest_.empty(); }
  size_t size() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

}  // namespace wams::fuzz

#endif  // WAMS_TESTS_FUZZ_FUZZ_SUPPORT_H_
