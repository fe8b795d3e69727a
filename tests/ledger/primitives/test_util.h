// test_util.h: small helpers shared by the ledger primitive tests.
//
//   std::string bytes = FromHex("9d61b1...");
//   Digest d = HexDigest("e3b0c442...");
#ifndef WAMS_TESTS_LEDGER_PRIMITIVES_TEST_UTIL_H_
#define WAMS_TESTS_LEDGER_PRIMITIVES_TEST_UTIL_H_

#include <string>
#include <string_view>

#include "broker/ledger/crypto/sha256.h"
#include "gtest/gtest.h"

namespace wams::ledger::testing {

// Decodes lower- or upper-case hex; fails the test on bad input.
inline std::string FromHex(std::string_view hex) {
  std::string out;
  EXPECT_EQ(hex.size() % 2, 0u) << hex;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    ADD_FAILURE() << "bad hex char " << c;
    return 0;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  return out;
}

inline std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

inline Digest HexDigest(std::string_view hex) {
  absl::StatusOr<Digest> d = DigestFromHex(hex);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? *d : Digest{};
}

}  // namespace wams::ledger::testing

#endif  // WAMS_TESTS_LEDGER_PRIMITIVES_TEST_UTIL_H_
