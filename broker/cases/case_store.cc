#include "broker/cases/case_store.h"

#include "absl/strings/str_cat.h"

namespace wams::cases {
namespace {

using ledger::store::Cf;

}  // namespace

// Keys in the idempotency family are prefixed by what they dedupe.
std::string CaseStore::OpenKey(absl::string_view caller_oin, absl::string_view request_id) {
  return absl::StrCat("case-open/", caller_oin, "/", request_id);
}

absl::StatusOr<std::optional<v1::Case>> CaseStore::Get(const std::string& case_id) const {
  absl::StatusOr<std::optional<std::string>> bytes = storage_.Get(Cf::kCases, case_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  v1::Case found;
  if (!found.ParseFromString(**bytes)) {
    return absl::DataLossError(absl::StrCat("case ", case_id, ": stored record does not parse"));
  }
  return found;
}

ledger::store::CompanionWrite CaseStore::Record(const v1::Case& case_record) {
  return {ledger::store::CompanionWrite::Family::kCases, case_record.case_id(),
          case_record.SerializeAsString()};
}

ledger::store::CompanionWrite CaseStore::OpenedRecord(const std::string& caller_oin,
                                                      const std::string& request_id,
                                                      const std::string& case_id,
                                                      absl::string_view digest) {
  return {ledger::store::CompanionWrite::Family::kIdempotency, OpenKey(caller_oin, request_id),
          common::BindValue(digest, case_id)};
}

absl::StatusOr<std::optional<common::BoundValue>> CaseStore::FindOpened(
    const std::string& caller_oin, const std::string& request_id) const {
  absl::StatusOr<std::optional<std::string>> stored =
      storage_.Get(Cf::kIdempotency, OpenKey(caller_oin, request_id));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  return common::UnbindValue(**stored);
}

}  // namespace wams::cases
