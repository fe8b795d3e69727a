// fuzz_keys.h: the fixed, public test keys of the fuzz targets and of the
// seed generator (make_seeds.cc), so the signed seeds in tests/fuzz/corpus
// verify in every build. Never use these keys outside tests.
//
//   wams::ledger::Ed25519PrivateKey key = wams::fuzz::FixedKey(wams::fuzz::kLogKeySeedHex);
//   wams::ledger::NoteVerifier log(wams::fuzz::kLogOrigin, key.PublicKey());
#ifndef WAMS_TESTS_FUZZ_FUZZ_KEYS_H_
#define WAMS_TESTS_FUZZ_FUZZ_KEYS_H_

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/crypto/sha256.h"

namespace wams::fuzz {

// The receipt log of the fuzz world: its origin (the note key name) and the
// Ed25519 seed of its signing key.
inline constexpr char kLogOrigin[] = "wams.fuzz.example/receipts";
inline constexpr char kLogKeySeedHex[] =
    "5741d53f757a7a6c6f676b65795f7365656431323334353637383961626364ef";
// A witness that cosigns the log's checkpoints (C2SP tlog-cosignature).
inline constexpr char kWitnessName[] = "witness.fuzz.example";
inline constexpr char kWitnessKeySeedHex[] =
    "77697474e55f66757a7a5f6b65795f736565645f30313233343536373839aabb";
// RFC 8032 / golang sumdb note test vector (as in tests/ledger/primitives/
// note_test.cc): PeterNeumann.
inline constexpr char kPeterNeumannSeedHex[] =
    "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173";
inline constexpr char kPeterNeumannVerifierKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
// The HMAC key of the fuzz world's subject pseudonyms (32 bytes).
inline constexpr char kPseudonymKey[] = "wams fuzz pseudonym key 32 bytes";

// A key from a hex seed above; aborts on a malformed constant (a bug here).
inline ledger::Ed25519PrivateKey FixedKey(std::string_view seed_hex) {
  absl::StatusOr<ledger::Digest> seed = ledger::DigestFromHex(seed_hex);
  if (!seed.ok()) std::abort();
  absl::StatusOr<ledger::Ed25519PrivateKey> key =
      ledger::Ed25519PrivateKey::FromSeed(ledger::DigestBytes(*seed));
  if (!key.ok()) std::abort();
  return *std::move(key);
}

}  // namespace wams::fuzz

#endif  // WAMS_TESTS_FUZZ_FUZZ_KEYS_H_
