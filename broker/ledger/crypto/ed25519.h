// ed25519.h: Ed25519 keys, signing and verification through OpenSSL 3 EVP.
//
//   WAMS_ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::FromPem(pem));
//   std::string sig = key.Sign(message);            // 64 bytes
//   bool ok = key.PublicKey().Verify(message, sig);
#ifndef WAMS_BROKER_LEDGER_CRYPTO_ED25519_H_
#define WAMS_BROKER_LEDGER_CRYPTO_ED25519_H_

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace wams::ledger {

// An Ed25519 public key. Copyable, immutable, thread-safe. It keeps the parsed
// OpenSSL key (shared between copies) so Verify() does not re-import the raw
// bytes through the provider machinery on every call.
class Ed25519PublicKey {
 public:
  // From the 32 raw public-key bytes. INVALID_ARGUMENT on a wrong length.
  static absl::StatusOr<Ed25519PublicKey> FromRaw(std::string_view raw);
  // From a PEM "PUBLIC KEY" (SubjectPublicKeyInfo). INVALID_ARGUMENT if it is
  // not an Ed25519 key.
  static absl::StatusOr<Ed25519PublicKey> FromPem(std::string_view pem);

  // The 32 raw bytes.
  const std::string& raw() const { return raw_; }
  // True when `signature` (64 bytes) is a valid signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;
  // PEM "PUBLIC KEY" encoding.
  std::string ToPem() const;

 private:
  Ed25519PublicKey(std::string raw, std::shared_ptr<EVP_PKEY> pkey)
      : raw_(std::move(raw)), pkey_(std::move(pkey)) {}
  std::string raw_;
  std::shared_ptr<EVP_PKEY> pkey_;  // never null
};

// An Ed25519 private key. Move-only; Sign() is thread-safe (a fresh EVP
// context per signature).
class Ed25519PrivateKey {
 public:
  // From the 32-byte seed (RFC 8032 "secret key"). INVALID_ARGUMENT on a
  // wrong length.
  static absl::StatusOr<Ed25519PrivateKey> FromSeed(std::string_view seed);
  // From a PEM "PRIVATE KEY" (PKCS#8), as `openssl genpkey -algorithm ed25519` writes.
  // INVALID_ARGUMENT if it is not an unencrypted Ed25519 key.
  static absl::StatusOr<Ed25519PrivateKey> FromPem(std::string_view pem);
  // A fresh random key (tests, benchmarks, key generation tools).
  static Ed25519PrivateKey Generate();

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept;
  ~Ed25519PrivateKey();

  // The 64-byte signature of `message`.
  std::string Sign(std::string_view message) const;
  const Ed25519PublicKey& PublicKey() const { return public_key_; }
  // PEM "PRIVATE KEY" (unencrypted PKCS#8), readable by FromPem() and
  // `openssl pkey`. The result holds the secret: never log it.
  std::string ToPem() const;

 private:
  struct Impl;
  Ed25519PrivateKey(std::unique_ptr<Impl> impl, Ed25519PublicKey public_key);
  std::unique_ptr<Impl> impl_;
  Ed25519PublicKey public_key_;
};

}  // namespace wams::ledger

#endif  // WAMS_BROKER_LEDGER_CRYPTO_ED25519_H_
