// sha256.h: SHA-256 and HMAC-SHA256 through OpenSSL 3.
//
//   Digest d = Sha256("abc");
//   Digest p = HmacSha256(pseudonym_key, bsn);
//   Digest leaf = Sha256Parts({std::string_view("\0", 1), receipt_bytes});
//   WAMS_ASSIGN_OR_RETURN(Digest root, DigestFromBytes(proto.root_hash()));
#ifndef WAMS_BROKER_LEDGER_CRYPTO_SHA256_H_
#define WAMS_BROKER_LEDGER_CRYPTO_SHA256_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wams::ledger {

// A 32-byte SHA-256 digest.
using Digest = std::array<uint8_t, 32>;

// SHA-256 of `data`. Thread-safe.
Digest Sha256(std::string_view data);

// SHA-256 of the concatenation of `parts`, without copying them. Thread-safe.
Digest Sha256Parts(std::initializer_list<std::string_view> parts);

// HMAC-SHA256 of `data` under `key`. Thread-safe.
Digest HmacSha256(std::string_view key, std::string_view data);

// SHA-256 of `data` as 32 raw bytes: what receipts hold for payloads and
// justifications. Thread-safe.
std::string Sha256Bytes(std::string_view data);

// The digest as a std::string of 32 raw bytes, and as lower-case hex.
std::string DigestBytes(const Digest& digest);
std::string DigestHex(const Digest& digest);

// The inverse of DigestBytes / DigestHex. INVALID_ARGUMENT on a wrong length
// or (hex) a non-hex character; upper-case hex is accepted.
absl::StatusOr<Digest> DigestFromBytes(std::string_view bytes);
absl::StatusOr<Digest> DigestFromHex(std::string_view hex);

}  // namespace wams::ledger

#endif  // WAMS_BROKER_LEDGER_CRYPTO_SHA256_H_
