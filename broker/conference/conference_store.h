// conference_store.h: case conferences and their items in the broker's
// database (through storage::Backend; keys from broker/storage/record_keys.h).
//
// A conference is stored as its protobuf under "conference/<conference_id>"
// and each shared item under "conference-item/<conference_id>/<item_id>", both
// in the "cases" family (conferences live and die with their case).
// Retries of Convene and ShareItem are answered from the "idempotency" family,
// whose entry is written in the same batch as the record it dedupes, so a
// retry never sees one without the other. See broker/conference/README.md.
//
// The store only reads: every change is written as records in the batch of
// the receipt that accounts for it (a Ledger::Companion), so a conference,
// item or idempotency entry is durable exactly when its receipt is, in one
// fsync, and after a crash both or neither are there.
//
//   ConferenceStore store(backend);
//   WAMS_ASSIGN_OR_RETURN(std::optional<v1::Conference> found, store.Get(conference_id));
//   WAMS_ASSIGN_OR_RETURN(auto stored, ledger.Append(receipt, [&](const SignedReceipt&) {
//     return ConferenceStore::Record(updated);
//   }));
//   WAMS_ASSIGN_OR_RETURN(std::vector<v1::ConferenceItem> items, store.ListItems(conference_id));
//
// Thread-safe (the backend is); callers serialise read-modify-write per
// conference.
#ifndef WAMS_BROKER_CONFERENCE_CONFERENCE_STORE_H_
#define WAMS_BROKER_CONFERENCE_CONFERENCE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/base/request_binding.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/backend.h"
#include "google/protobuf/message.h"
#include "wams/broker/v1/conference.pb.h"

namespace wams::conference {

namespace v1 = ::wams::broker::v1;

class ConferenceStore {
 public:
  // Borrows `backend`, which must outlive the store.
  explicit ConferenceStore(const storage::Backend& backend) : backend_(backend) {}

  // "conference-<kind>/<caller_oin>/<request_id>": the idempotency key of a
  // caller's request. Request ids are the caller's, so the OIN keeps two
  // parties' ids apart.
  static std::string RequestKey(absl::string_view kind, absl::string_view caller_oin,
                                absl::string_view request_id);

  // The conference, or nullopt when there is none with that id. DATA_LOSS
  // when the stored bytes do not parse; UNAVAILABLE on a read error.
  absl::StatusOr<std::optional<v1::Conference>> Get(const std::string& conference_id) const;

  // The record of the conference, to write with the receipt of its change.
  static storage::WriteBatch Record(const v1::Conference& conference);

  // One item of a conference, or nullopt. Codes as Get().
  absl::StatusOr<std::optional<v1::ConferenceItem>> GetItem(const std::string& conference_id,
                                                            const std::string& item_id) const;

  // The record of an item, to write with the receipt of its change.
  static storage::WriteBatch ItemRecord(const std::string& conference_id,
                                        const v1::ConferenceItem& item);

  // The idempotency record `key` -> the serialised `response` of the first
  // call, bound to the `digest` of the request that made it
  // (broker/base/request_binding.h); written with that call's receipt.
  static storage::WriteBatch RememberedRecord(std::string key, absl::string_view digest,
                                              const google::protobuf::Message& response);

  // Every item of the conference, ordered by item id (UUIDv7: share order to
  // the millisecond). Codes as Get().
  absl::StatusOr<std::vector<v1::ConferenceItem>> ListItems(const std::string& conference_id) const;

  // The serialised response remembered under `key` (BoundValue::value) with
  // the digest of its request, or nullopt. An entry of an older broker has
  // no digest.
  absl::StatusOr<std::optional<base::BoundValue>> Recall(const std::string& key) const;

 private:
  const storage::Backend& backend_;
};

}  // namespace wams::conference

#endif  // WAMS_BROKER_CONFERENCE_CONFERENCE_STORE_H_
