#include "broker/base/uuid.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>

namespace wams::base {

std::string NewUuidV7(absl::Time now) {
  std::array<uint8_t, 16> bytes{};
  // OpenSSL's CSPRNG: the random part must not be guessable.
  RAND_bytes(bytes.data() + 6, 10);
  uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(now));
  for (int i = 0; i < 6; ++i) bytes[i] = static_cast<uint8_t>(millis >> (40 - 8 * i));
  bytes[6] = static_cast<uint8_t>(0x70 | (bytes[6] & 0x0f));  // version 7
  bytes[8] = static_cast<uint8_t>(0x80 | (bytes[8] & 0x3f));  // RFC 9562 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  text.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes[i] >> 4]);
    text.push_back(kHex[bytes[i] & 0x0f]);
  }
  return text;
}

bool IsUuidV7(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const bool lower_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (dash ? c != '-' : !lower_hex) return false;
  }
  // Version 7; RFC 9562 variant: the top two bits of the clock sequence 10.
  return text[14] == '7' &&
         (text[19] == '8' || text[19] == '9' || text[19] == 'a' || text[19] == 'b');
}

}  // namespace wams::base
