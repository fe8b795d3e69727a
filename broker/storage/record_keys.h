// record_keys.h: the keys of the broker's own records (the `cases`,
// `idempotency` and `subject_keys` families, witness cosignatures and the
// subject key table's state in `meta`), built here and
// nowhere else, so the on-disk layout of every family is in broker/storage.
// The log's own keys (receipts, nodes, checkpoints, indexes) are in
// key_codec.h. The layout is a contract (broker/storage/README.md).
//
//   batch.Put(Family::kCases, ConferenceKey(id), bytes);
//   snapshot->Scan(Family::kCases, ScanRange::Prefix(ConferenceItemPrefix(id), 1000));
//
// Pure functions: thread-safe.
#ifndef WAMS_BROKER_STORAGE_RECORD_KEYS_H_
#define WAMS_BROKER_STORAGE_RECORD_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace wams::storage {

// cases family: a case under its id (a UUID, so never one of the prefixes
// below).
std::string CaseKey(std::string_view case_id);
// cases family: "conference/" id.
std::string ConferenceKey(std::string_view conference_id);
// cases family: "conference-item/" conference_id "/"; an item's key is this
// prefix and its item id.
std::string ConferenceItemPrefix(std::string_view conference_id);
std::string ConferenceItemKey(std::string_view conference_id, std::string_view item_id);

// idempotency family: "case-open/" oin "/" request_id, the case a request opened.
std::string CaseOpenKey(std::string_view caller_oin, std::string_view request_id);
// idempotency family: kind "/" oin "/" request_id, the first outcome of a
// data request ("request") or share ("share").
std::string OutcomeKey(std::string_view kind, std::string_view caller_oin,
                       std::string_view request_id);
// idempotency family: "conference-" kind "/" oin "/" request_id, the first
// outcome of a conference call ("convene", "share", ...).
std::string ConferenceRequestKey(std::string_view kind, std::string_view caller_oin,
                                 std::string_view request_id);

// meta family: "cosignature/" be64(tree_size), the prefix of every witness
// cosignature of the checkpoint of that size; a cosignature's key is this
// prefix and the witness name.
std::string CosignatureKeyPrefix(uint64_t tree_size);
std::string CosignatureKey(uint64_t tree_size, std::string_view witness_name);

// subject_keys family: "key/" tag (32 bytes), the subject key of the subject
// whose lookup tag is `tag` (broker/subjects).
std::string SubjectKeyKey(std::string_view tag);
// subject_keys family: "pseudonym/" pseudonym (32 bytes) -> tag: the way from
// a pseudonym (all the retention job holds) to its key.
std::string SubjectPseudonymKey(std::string_view pseudonym);

// meta family, the subject key table's state (broker/subjects):
// "subject-keys/since" -> be64(tree size): the first leaf pseudonymized under
// subject keys (the migration point); earlier leaves used the legacy key.
inline constexpr std::string_view kMetaSubjectKeysSince = "subject-keys/since";
// "subject-keys/index-check" -> HMAC-SHA256(index key, label): proves at start
// that the key file is the one the table was made with.
inline constexpr std::string_view kMetaSubjectIndexCheck = "subject-keys/index-check";
// "subject-keys/legacy-retired" -> "": present once the legacy global key is
// retired (the key file then holds the index key itself).
inline constexpr std::string_view kMetaLegacyKeyRetired = "subject-keys/legacy-retired";

}  // namespace wams::storage

#endif  // WAMS_BROKER_STORAGE_RECORD_KEYS_H_
