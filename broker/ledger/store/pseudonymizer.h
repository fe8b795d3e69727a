// pseudonymizer.h: subject pseudonyms for receipts and the subject index.
//
// A receipt never holds a BSN. The caller turns the BSN into a pseudonym,
// HMAC-SHA256(key, bsn) under the municipality's pseudonym key, and fills
// Receipt.subject_pseudonym with the 32 raw bytes; the ledger indexes it.
//
//   WAMS_ASSIGN_OR_RETURN(Pseudonymizer p, Pseudonymizer::Create(key_bytes));
//   receipt.set_subject_pseudonym(p.Pseudonymize(bsn));
//
// Thread-safe, copyable. The key never appears in a message.
#ifndef WAMS_BROKER_LEDGER_STORE_PSEUDONYMIZER_H_
#define WAMS_BROKER_LEDGER_STORE_PSEUDONYMIZER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace wams::ledger::store {

class Pseudonymizer {
 public:
  // Minimum key length in bytes.
  static constexpr size_t kMinKeyBytes = 32;

  // INVALID_ARGUMENT when the key is shorter than kMinKeyBytes.
  static absl::StatusOr<Pseudonymizer> Create(std::string key);

  // HMAC-SHA256(key, subject_id): 32 raw bytes. Deterministic, so the same
  // BSN always maps to the same pseudonym under one key.
  std::string Pseudonymize(std::string_view subject_id) const;

 private:
  explicit Pseudonymizer(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_PSEUDONYMIZER_H_
