// subject_keys.h: per-person pseudonym keys (crypto-shredding), the seam the
// rooms (exchange, cases, audit, conference) and the retention job use
// instead of one global pseudonym key.
//
// Every subject (BSN) gets its own random 32-byte key, created on first use
// and stored durably in the key table. A receipt carries the subject's
// pseudonym HMAC-SHA256(subject key, bsn); destroying that one key (Shred)
// leaves every receipt, leaf and proof byte-identical and verifiable, but no
// key that remains links the pseudonym to the BSN any more.
//
//   WAMS_ASSIGN_OR_RETURN(std::string pseudonym, keys.Pseudonymize(bsn));
//   receipt.set_subject_pseudonym(pseudonym);
//   ...
//   WAMS_ASSIGN_OR_RETURN(std::vector<std::string> all, keys.Find(bsn));  // lookups
//   WAMS_RETURN_IF_ERROR(keys.Shred(pseudonym));                         // erasure
//
// Logs written before per-subject keys hold HMAC(legacy global key, bsn);
// Find also returns that pseudonym while the legacy key is kept. The design
// for an auditor: broker/ledger/README.md, "Pseudonyms, subject keys and
// erasure".
//
// Implementations are thread-safe. No message ever holds a BSN or a key.
#ifndef WAMS_BROKER_SUBJECTS_SUBJECT_KEYS_H_
#define WAMS_BROKER_SUBJECTS_SUBJECT_KEYS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wams::subjects {

class SubjectKeys {  // thread-safe
 public:
  virtual ~SubjectKeys() = default;

  // The subject's pseudonym under its own key (32 raw bytes); creates the key
  // (32 random bytes, RAND_bytes) and stores it durably on first use. Two
  // concurrent first uses of one BSN give one key. UNAVAILABLE or INTERNAL
  // when the key table cannot be read or written.
  virtual absl::StatusOr<std::string> Pseudonymize(std::string_view bsn) = 0;

  // HMAC-SHA256 under the subject's own key of other text bound to the
  // subject (request binding, subject details): 32 raw bytes; same key
  // creation rule as Pseudonymize.
  virtual absl::StatusOr<std::string> Keyed(std::string_view bsn, std::string_view text) = 0;

  // Every pseudonym this subject may be found under: its own key's (when it
  // has one) and the legacy global key's (while that key is kept). Never
  // creates a key; empty when there is none.
  virtual absl::StatusOr<std::vector<std::string>> Find(std::string_view bsn) const = 0;

  // Destroys the key whose pseudonym is `pseudonym` (crypto-shredding) and
  // makes the deletion physical (RocksDB: delete, then a forced bottommost
  // compaction of the key range; PostgreSQL: delete, then VACUUM; what may
  // remain in WAL and backups is documented in the ledger README). OK when
  // there is no such key (also for a legacy pseudonym: the legacy key is
  // retired as a whole, not per subject). After it, Find(bsn) returns no
  // pseudonym of the destroyed key and Pseudonymize(bsn) makes a fresh,
  // unrelated key.
  virtual absl::Status Shred(std::string_view pseudonym) = 0;

  // Shred for each of `pseudonyms`, as one operation where the
  // implementation can (the retention job shreds thousands in a run, and
  // each physical purge is costly). Default: Shred one by one, stopping at
  // the first error.
  virtual absl::Status ShredAll(const std::vector<std::string>& pseudonyms) {
    for (const std::string& pseudonym : pseudonyms) {
      absl::Status shredded = Shred(pseudonym);
      if (!shredded.ok()) return shredded;
    }
    return absl::OkStatus();
  }
};

}  // namespace wams::subjects

#endif  // WAMS_BROKER_SUBJECTS_SUBJECT_KEYS_H_
