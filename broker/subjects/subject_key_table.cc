#include "broker/subjects/subject_key_table.h"

#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/record_keys.h"
#include "openssl/rand.h"

namespace wams::subjects {
namespace {

using storage::Family;

constexpr size_t kKeyBytes = 32;
// The check value recorded for the index key: proves at start that the key
// file is the right one, without storing anything that reveals the key.
constexpr std::string_view kIndexCheckLabel = "wams subject-key index check v1";
// Prefixed to the BSN in the lookup tag, so that a tag is never the
// HMAC of the bare BSN under any key.
constexpr std::string_view kTagPrefix = "subject-key";

std::string Hmac(std::string_view key, std::string_view data) {
  return ledger::DigestBytes(ledger::HmacSha256(key, data));
}

std::string DeriveIndexKey(std::string_view legacy_key) {
  return Hmac(legacy_key, SubjectKeyTable::kIndexKeyLabel);
}

absl::Status CheckLength(std::string_view key) {
  if (key.size() < SubjectKeyTable::kMinKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("pseudonym key is ", key.size(),
                                                   " bytes; at least ",
                                                   SubjectKeyTable::kMinKeyBytes, " are required"));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> LegacyRetired(const storage::Backend& backend) {
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> retired,
                        backend.Get(Family::kMeta, storage::kMetaLegacyKeyRetired));
  return retired.has_value();
}

// OK when `index_key` is the one recorded (or records it when none is).
absl::Status CheckIndexKey(const storage::Backend& backend, const std::string& index_key,
                           storage::WriteBatch& first_open) {
  const std::string check = Hmac(index_key, kIndexCheckLabel);
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> recorded,
                        backend.Get(Family::kMeta, storage::kMetaSubjectIndexCheck));
  if (!recorded.has_value()) {
    first_open.Put(Family::kMeta, std::string(storage::kMetaSubjectIndexCheck), check);
    return absl::OkStatus();
  }
  if (*recorded != check) {
    return absl::FailedPreconditionError(
        "ledger.pseudonym_key_file is not the key this database's subject key table was made "
        "with (after the legacy key's retirement it must hold the index key wams-storage "
        "wrote)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SubjectKeyTable>> SubjectKeyTable::Open(
    const storage::Backend& backend, std::string_view key_file, uint64_t tree_size,
    SubjectKeyOptions options) {
  WAMS_RETURN_IF_ERROR(CheckLength(key_file));
  WAMS_ASSIGN_OR_RETURN(bool retired, LegacyRetired(backend));
  std::string index_key = retired ? std::string(key_file) : DeriveIndexKey(key_file);
  storage::WriteBatch first_open;
  WAMS_RETURN_IF_ERROR(CheckIndexKey(backend, index_key, first_open));
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> since_bytes,
                        backend.Get(Family::kMeta, storage::kMetaSubjectKeysSince));
  uint64_t since = tree_size;
  if (since_bytes.has_value()) {
    WAMS_ASSIGN_OR_RETURN(since, storage::DecodeBigEndian64(*since_bytes));
  } else {
    first_open.Put(Family::kMeta, std::string(storage::kMetaSubjectKeysSince),
                   storage::LeafKey(tree_size));
  }
  if (!first_open.empty()) {
    // A broker that is not the writer (PostgreSQL, several brokers) cannot
    // record them: the writer's open does, and this broker goes on with the
    // values it computed (the same index key; its own tree size).
    absl::Status recorded = backend.Write(first_open);
    if (!recorded.ok() && !absl::IsUnavailable(recorded)) return recorded;
  }
  // A log that began with subject keys holds no legacy pseudonym: none to find.
  std::optional<std::string> legacy;
  if (!retired && since > 0) legacy = std::string(key_file);
  return std::unique_ptr<SubjectKeyTable>(
      new SubjectKeyTable(backend, std::move(index_key), std::move(legacy), since, options));
}

absl::StatusOr<std::string> SubjectKeyTable::RetireLegacyKey(const storage::Backend& backend,
                                                             std::string_view legacy_key) {
  WAMS_RETURN_IF_ERROR(CheckLength(legacy_key));
  WAMS_ASSIGN_OR_RETURN(bool retired, LegacyRetired(backend));
  if (retired) return absl::FailedPreconditionError("the legacy pseudonym key is already retired");
  std::string index_key = DeriveIndexKey(legacy_key);
  storage::WriteBatch batch;
  WAMS_RETURN_IF_ERROR(CheckIndexKey(backend, index_key, batch));
  batch.Put(Family::kMeta, std::string(storage::kMetaLegacyKeyRetired), "");
  WAMS_RETURN_IF_ERROR(backend.Write(batch));
  return index_key;
}

SubjectKeyTable::SubjectKeyTable(const storage::Backend& backend, std::string index_key,
                                 std::optional<std::string> legacy_key, uint64_t since,
                                 SubjectKeyOptions options)
    : backend_(backend),
      index_key_(std::move(index_key)),
      legacy_key_(std::move(legacy_key)),
      since_(since),
      options_(options) {}

std::string SubjectKeyTable::Tag(std::string_view bsn) const {
  std::string input(kTagPrefix);
  input.append(bsn);
  return Hmac(index_key_, input);
}

absl::Mutex& SubjectKeyTable::StripeOf(std::string_view tag) const {
  return stripes_[absl::Hash<std::string_view>()(tag) % kStripes];
}

void SubjectKeyTable::Remember(const std::string& tag, const std::string& key) const {
  absl::MutexLock lock(&cache_mu_);
  if (cache_.size() >= options_.cache_entries && !cache_.empty()) cache_.erase(cache_.begin());
  if (options_.cache_entries > 0) cache_.insert_or_assign(tag, key);
}

void SubjectKeyTable::Forget(const std::string& tag) const {
  absl::MutexLock lock(&cache_mu_);
  cache_.erase(tag);
}

absl::StatusOr<std::optional<std::string>> SubjectKeyTable::Lookup(const std::string& tag) const {
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(tag);
    if (it != cache_.end()) return it->second;
  }
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                        backend_.Get(Family::kSubjectKeys, storage::SubjectKeyKey(tag)));
  if (!stored.has_value()) return std::nullopt;
  if (stored->size() != kKeyBytes) {
    return absl::DataLossError("a stored subject key is not 32 bytes");
  }
  Remember(tag, *stored);
  return stored;
}

absl::StatusOr<std::string> SubjectKeyTable::KeyOf(std::string_view bsn) {
  const std::string tag = Tag(bsn);
  {
    // The usual case: a known subject, without the stripe.
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(tag);
    if (it != cache_.end()) return it->second;
  }
  absl::MutexLock stripe(&StripeOf(tag));
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> known, Lookup(tag));
  if (known.has_value()) return *std::move(known);
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return absl::InternalError("RAND_bytes failed to make a subject key");
  }
  storage::WriteBatch batch;
  batch.Put(Family::kSubjectKeys, storage::SubjectKeyKey(tag), key);
  batch.Put(Family::kSubjectKeys, storage::SubjectPseudonymKey(Hmac(key, bsn)), tag);
  WAMS_RETURN_IF_ERROR(backend_.Write(batch));
  Remember(tag, key);
  return key;
}

absl::StatusOr<std::string> SubjectKeyTable::Pseudonymize(std::string_view bsn) {
  WAMS_ASSIGN_OR_RETURN(std::string key, KeyOf(bsn));
  return Hmac(key, bsn);
}

absl::StatusOr<std::string> SubjectKeyTable::Keyed(std::string_view bsn, std::string_view text) {
  WAMS_ASSIGN_OR_RETURN(std::string key, KeyOf(bsn));
  return Hmac(key, text);
}

absl::StatusOr<std::vector<std::string>> SubjectKeyTable::Find(std::string_view bsn) const {
  std::vector<std::string> found;
  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> key, Lookup(Tag(bsn)));
  if (key.has_value()) found.push_back(Hmac(*key, bsn));
  if (legacy_key_.has_value()) found.push_back(Hmac(*legacy_key_, bsn));
  return found;
}

absl::Status SubjectKeyTable::Shred(std::string_view pseudonym) {
  return DeleteAndPurge({std::string(pseudonym)});
}

absl::Status SubjectKeyTable::ShredAll(const std::vector<std::string>& pseudonyms) {
  return DeleteAndPurge(pseudonyms);
}

absl::Status SubjectKeyTable::DeleteAndPurge(const std::vector<std::string>& pseudonyms) {
  bool deleted = false;
  for (const std::string& pseudonym : pseudonyms) {
    const std::string reverse = storage::SubjectPseudonymKey(pseudonym);
    WAMS_ASSIGN_OR_RETURN(std::optional<std::string> tag,
                          backend_.Get(Family::kSubjectKeys, reverse));
    if (!tag.has_value()) continue;  // none, or a legacy pseudonym: nothing per subject
    // Under the subject's stripe: no first use reads the key between the
    // delete and the cache's forgetting it, nor makes one in between.
    absl::MutexLock stripe(&StripeOf(*tag));
    storage::WriteBatch batch;
    batch.Delete(Family::kSubjectKeys, storage::SubjectKeyKey(*tag));
    batch.Delete(Family::kSubjectKeys, reverse);
    WAMS_RETURN_IF_ERROR(backend_.Write(batch));
    Forget(*tag);
    deleted = true;
  }
  if (!deleted) return absl::OkStatus();
  // The rows are deleted; make the deletion physical: the whole family, one
  // compaction for a batch (the family is small: about 150 bytes a subject).
  return backend_.PurgeDeleted(Family::kSubjectKeys, "", "");
}

}  // namespace wams::subjects
