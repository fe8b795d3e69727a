// case_store.h: cases in the broker's database ("cases" family, through
// storage::Backend; keys from broker/storage/record_keys.h).
//
// A case is stored as its protobuf, keyed by case id. No BSN is stored: the
// case manager keeps HMAC pseudonyms of clients and consenting subjects.
// The store only reads: every change is written in the batch of the receipt
// that accounts for it (Record() from a Ledger::Companion), so the case and
// its receipt are durable together, in one fsync.
//
//   CaseStore store(backend);
//   WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found, store.Get(case_id));
//   WAMS_ASSIGN_OR_RETURN(auto stored, ledger.Append(receipt, [&](const SignedReceipt&) {
//     return CaseStore::Record(updated);
//   }));
//
// Thread-safe (the backend is); callers serialise read-modify-write per case.
#ifndef WAMS_BROKER_CASES_CASE_STORE_H_
#define WAMS_BROKER_CASES_CASE_STORE_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "broker/base/request_binding.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/backend.h"
#include "wams/broker/v1/case.pb.h"

namespace wams::cases {

namespace v1 = ::wams::broker::v1;

class CaseStore {
 public:
  // Borrows `backend`, which must outlive the store.
  explicit CaseStore(const storage::Backend& backend) : backend_(backend) {}

  // The case, or nullopt when there is none with that id. DATA_LOSS when the
  // stored bytes do not parse; UNAVAILABLE on a read error.
  absl::StatusOr<std::optional<v1::Case>> Get(const std::string& case_id) const;

  // The record of the case, to write with the receipt of its change.
  static storage::WriteBatch Record(const v1::Case& case_record);
  // The record that `caller_oin` opened `case_id` with `request_id`, bound
  // to the opening request's `digest` (broker/base/request_binding.h), so
  // a retry of the same request returns the same case and nothing else
  // does; written with the opening's receipt.
  static storage::WriteBatch OpenedRecord(const std::string& caller_oin,
                                          const std::string& request_id, const std::string& case_id,
                                          absl::string_view digest);
  // The case id a caller opened with `request_id` (BoundValue::value) and
  // the digest of the request that opened it, if any. A record of an older
  // broker has no digest.
  absl::StatusOr<std::optional<base::BoundValue>> FindOpened(const std::string& caller_oin,
                                                             const std::string& request_id) const;
  // "case-open/<caller_oin>/<request_id>": the key of an opening
  // (storage::CaseOpenKey).
  static std::string OpenKey(absl::string_view caller_oin, absl::string_view request_id);

 private:
  const storage::Backend& backend_;
};

}  // namespace wams::cases

#endif  // WAMS_BROKER_CASES_CASE_STORE_H_
