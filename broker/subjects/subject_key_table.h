// subject_key_table.h: SubjectKeys over the storage backend's subject_keys
// family, with a bounded in-memory cache (the broker's one implementation).
//
//   WAMS_ASSIGN_OR_RETURN(std::string key_file, base::ReadPrivateFile(...));
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<SubjectKeyTable> keys,
//                         SubjectKeyTable::Open(backend, key_file, ledger.size(), {}));
//   WAMS_ASSIGN_OR_RETURN(std::string p, keys->Pseudonymize(bsn));
//
// Keys (the layout: broker/storage/README.md, the design for an auditor:
// broker/ledger/README.md, "Pseudonyms, subject keys and erasure"):
//   index key    HMAC-SHA256(legacy key, kIndexKeyLabel) while the legacy key
//                is kept; after RetireLegacyKey, the key file holds it as is.
//   lookup tag   HMAC-SHA256(index key, "subject-key" || bsn): where the
//                subject's key is stored; not a pseudonym any receipt holds.
//   subject key  32 random bytes (RAND_bytes), one per subject.
//   pseudonym    HMAC-SHA256(subject key, bsn).
//   legacy       HMAC-SHA256(legacy key, bsn): receipts written before the
//                migration point (meta "subject-keys/since").
//
// Thread-safe. Creation and Shred of one subject's key are serialised by a
// lock stripe of its tag, so two first uses of one BSN make one key.
#ifndef WAMS_BROKER_SUBJECTS_SUBJECT_KEY_TABLE_H_
#define WAMS_BROKER_SUBJECTS_SUBJECT_KEY_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/backend.h"
#include "broker/subjects/subject_keys.h"

namespace wams::subjects {

struct SubjectKeyOptions {
  // Most subject keys held in memory (tag and key, about 150 bytes each).
  // Beyond it an arbitrary entry is dropped and read again when needed.
  // Default: 100000 (about 15 MB).
  size_t cache_entries = 100000;
};

class SubjectKeyTable final : public SubjectKeys {
 public:
  // The label of the index key's derivation from the legacy key.
  static constexpr std::string_view kIndexKeyLabel = "wams subject-key index key v1";
  // Minimum key file length in bytes (as the legacy Pseudonymizer's).
  static constexpr size_t kMinKeyBytes = 32;

  // Opens the table on `backend` (borrowed; must outlive the table).
  // `key_file` is the content of ledger.pseudonym_key_file: the legacy key
  // until RetireLegacyKey, then the index key. On the first open the
  // migration point (`tree_size`, the log's size now) and the index key's
  // check value are recorded in meta.
  //   INVALID_ARGUMENT    the key is shorter than kMinKeyBytes;
  //   FAILED_PRECONDITION the key file is not the one the table was made
  //                       with (or, after retirement, not the index key);
  //   UNAVAILABLE         the backend cannot be read. (A first open by a
  //                       broker that is not the writer records nothing and
  //                       still opens.)
  static absl::StatusOr<std::unique_ptr<SubjectKeyTable>> Open(const storage::Backend& backend,
                                                               std::string_view key_file,
                                                               uint64_t tree_size,
                                                               SubjectKeyOptions options = {});

  // Retires the legacy key (the broker must be stopped): records it in meta
  // and returns the index key (32 raw bytes), which the operator writes into
  // a new key file for ledger.pseudonym_key_file before destroying the old
  // file. From the next Open on, Find returns no legacy pseudonym.
  // FAILED_PRECONDITION when already retired or `legacy_key` is not the key
  // the table was made with; UNAVAILABLE when the backend cannot be written.
  static absl::StatusOr<std::string> RetireLegacyKey(const storage::Backend& backend,
                                                     std::string_view legacy_key);

  // SubjectKeys.
  absl::StatusOr<std::string> Pseudonymize(std::string_view bsn) override;
  absl::StatusOr<std::string> Keyed(std::string_view bsn, std::string_view text) override;
  absl::StatusOr<std::vector<std::string>> Find(std::string_view bsn) const override;
  absl::Status Shred(std::string_view pseudonym) override;

  // Shreds every key of `pseudonyms` with one write and one purge (the
  // retention job's batch form of Shred; OK for unknown pseudonyms).
  absl::Status ShredAll(const std::vector<std::string>& pseudonyms) override;

  // The log's size when subject keys began: leaves below it hold legacy
  // pseudonyms.
  uint64_t migrated_at_tree_size() const { return since_; }
  // Whether Find still returns legacy pseudonyms (a legacy key, not
  // retired, and a log that had leaves before the migration point).
  bool legacy_key_kept() const { return legacy_key_.has_value(); }

 private:
  static constexpr size_t kStripes = 64;

  SubjectKeyTable(const storage::Backend& backend, std::string index_key,
                  std::optional<std::string> legacy_key, uint64_t since, SubjectKeyOptions options);

  std::string Tag(std::string_view bsn) const;
  absl::Mutex& StripeOf(std::string_view tag) const;
  // The subject's key from the cache or the backend; nullopt when none.
  absl::StatusOr<std::optional<std::string>> Lookup(const std::string& tag) const;
  // The subject's key, made and stored when it has none.
  absl::StatusOr<std::string> KeyOf(std::string_view bsn);
  void Remember(const std::string& tag, const std::string& key) const;
  void Forget(const std::string& tag) const;
  // Deletes the key rows of `pseudonyms`, each under its stripe, then purges
  // the family.
  absl::Status DeleteAndPurge(const std::vector<std::string>& pseudonyms);

  const storage::Backend& backend_;
  const std::string index_key_;
  const std::optional<std::string> legacy_key_;
  const uint64_t since_;
  const SubjectKeyOptions options_;
  mutable std::array<absl::Mutex, kStripes> stripes_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, std::string> cache_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace wams::subjects

#endif  // WAMS_BROKER_SUBJECTS_SUBJECT_KEY_TABLE_H_
