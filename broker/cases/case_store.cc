#include "broker/cases/case_store.h"

#include "absl/strings/str_cat.h"
#include "broker/storage/record_keys.h"

namespace wams::cases {

using storage::Family;

std::string CaseStore::OpenKey(absl::string_view caller_oin, absl::string_view request_id) {
  return storage::CaseOpenKey(std::string_view(caller_oin.data(), caller_oin.size()),
                              std::string_view(request_id.data(), request_id.size()));
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::Get(const std::string& case_id) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      backend_.Get(Family::kCases, storage::CaseKey(case_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  v1::Case found;
  if (!found.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat("case ", case_id, ": stored record does not parse"));
  }
  return found;
}

storage::WriteBatch CaseStore::Record(const v1::Case& case_record) {
  storage::WriteBatch batch;
  batch.Put(Family::kCases, storage::CaseKey(case_record.case_id()),
            case_record.SerializeAsString());
  return batch;
}

storage::WriteBatch CaseStore::OpenedRecord(const std::string& caller_oin,
                                            const std::string& request_id,
                                            const std::string& case_id, absl::string_view digest) {
  storage::WriteBatch batch;
  batch.Put(Family::kIdempotency, OpenKey(caller_oin, request_id),
            base::BindValue(digest, case_id));
  return batch;
}

absl::StatusOr<std::optional<base::BoundValue>> CaseStore::FindOpened(
    const std::string& caller_oin, const std::string& request_id) const {
  absl::StatusOr<std::optional<std::string>> stored =
      backend_.Get(Family::kIdempotency, OpenKey(caller_oin, request_id));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  return base::UnbindValue(**stored);
}

}  // namespace wams::cases
