// sha256.h: SHA-256 and HMAC-SHA256 through OpenSSL 3.
//
//   Digest d = Sha256("abc");
//   Digest p = HmacSha256(pseudonym_key, bsn);
#ifndef WAMS_BROKER_LEDGER_CRYPTO_SHA256_H_
#define WAMS_BROKER_LEDGER_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wams::ledger {

// A 32-byte SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

// SHA-256 of `data`. Thread-safe.
Digest Sha256(std::string_view data);

// HMAC-SHA256 of `data` under `key`. Thread-safe.
Digest HmacSha256(std::string_view key, std::string_view data);

// The digest as a std::string of 32 raw bytes, and as lower-case hex.
std::string DigestBytes(const Digest& digest);
std::string DigestHex(const Digest& digest);

}  // namespace wams::ledger

#endif  // WAMS_BROKER_LEDGER_CRYPTO_SHA256_H_
