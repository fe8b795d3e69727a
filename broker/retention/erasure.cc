#include "broker/retention/erasure.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "broker/base/bsn.h"
#include "broker/base/status_details.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/receipts/receipt_builder.h"
#include "broker/retention/case_data_remover.h"
#include "broker/retention/retention_planner.h"
#include "policy/refusal_code.h"

namespace wams::retention {
namespace {

// The bound of EraseSubjectRequest.justification (audit.proto, field rule).
constexpr size_t kMaxJustificationBytes = 4096;

absl::Status ValidateRequest(const v1::EraseSubjectRequest& request) {
  WAMS_RETURN_IF_ERROR(base::ParseBsn(request.subject_bsn(), "subject_bsn").status());
  if (request.basis() == v1::ERASURE_BASIS_UNSPECIFIED ||
      !v1::ErasureBasis_IsValid(request.basis())) {
    return absl::InvalidArgumentError(
        "basis: required (ERASURE_BASIS_DATA_SUBJECT_REQUEST, _UNLAWFUL_PROCESSING or "
        "_LEGAL_OBLIGATION)");
  }
  if (request.justification().empty()) {
    return absl::InvalidArgumentError("justification: required");
  }
  if (request.justification().size() > kMaxJustificationBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("justification: at most ", kMaxJustificationBytes, " bytes"));
  }
  return absl::OkStatus();
}

bool NamesAny(const CaseFacts& facts, const std::set<std::string>& pseudonyms) {
  return std::any_of(facts.pseudonyms.begin(), facts.pseudonyms.end(),
                     [&](const std::string& p) { return pseudonyms.contains(p); });
}

bool PrimaryIsAny(const v1::Case& c, const std::set<std::string>& pseudonyms) {
  return std::any_of(c.clients().begin(), c.clients().end(), [&](const v1::CaseClient& client) {
    return client.primary() && pseudonyms.contains(client.subject_pseudonym());
  });
}

}  // namespace

Erasure::Erasure(ErasureDeps deps, std::vector<std::string> privacy_officer_ids,
                 RetentionOptions options)
    : deps_(deps), privacy_officers_(std::move(privacy_officer_ids)), options_(options) {}

bool Erasure::IsPrivacyOfficer(const identity::Caller& caller) const {
  return caller.party != nullptr && caller.party->role() == v1::PARTY_ROLE_MUNICIPALITY &&
         !caller.professional_id.empty() &&
         std::find(privacy_officers_.begin(), privacy_officers_.end(), caller.professional_id) !=
             privacy_officers_.end();
}

absl::Status Erasure::Refuse(const identity::Caller& caller, absl::Status status,
                             const v1::Decision* decision) {
  v1::Receipt receipt = receipts::NewReceipt(v1::RECEIPT_KIND_ERASURE, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  // The status message names a field or a case state, never the BSN.
  receipt.set_detail(absl::StrCat("EraseSubject refused: ", status.message()));
  if (decision != nullptr) {
    *receipt.mutable_failed_rule_ids() = decision->failed_rule_ids();
    receipt.set_policy_version(decision->policy_version());
  }
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the refusal could not be recorded: ", stored.status().message()));
  }
  if (decision != nullptr) base::AttachDetail(status, *decision);
  base::AttachDetail(status, *stored);
  return status;
}

absl::StatusOr<v1::EraseSubjectResponse> Erasure::EraseSubject(
    const identity::Caller& caller, const v1::EraseSubjectRequest& request) {
  if (!IsPrivacyOfficer(caller)) {
    const v1::Decision decision = deps_.policy->DecideRole(
        {.actor = caller.party, .role_fits = false, .language = v1::LANGUAGE_ENGLISH});
    return Refuse(caller,
                  absl::Status(policy::RefusalCode(decision),
                               "AuditService.EraseSubject is for the municipality's privacy "
                               "officer (R27)"),
                  &decision);
  }
  if (absl::Status valid = ValidateRequest(request); !valid.ok()) return Refuse(caller, valid);

  absl::MutexLock lock(&mu_);
  WAMS_ASSIGN_OR_RETURN(std::vector<std::string> found, deps_.keys->Find(request.subject_bsn()));
  const std::set<std::string> pseudonyms(found.begin(), found.end());

  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, deps_.backend->Snapshot());
  WAMS_ASSIGN_OR_RETURN(CaseIndex index, CaseIndex::Read(*snapshot));
  snapshot.reset();
  std::vector<const v1::Case*> theirs;
  for (const v1::Case& c : index.cases) {
    CaseFacts facts = CaseFactsOf(c);
    if (!NamesAny(facts, pseudonyms)) continue;
    if (c.municipality_oin() != caller.party->oin()) {
      return Refuse(caller, absl::FailedPreconditionError(
                                "subject_bsn: the person has a case of another municipality; its "
                                "privacy officer erases it"));
    }
    if (!facts.ended_at.has_value() && request.basis() == v1::ERASURE_BASIS_DATA_SUBJECT_REQUEST) {
      return Refuse(caller, absl::FailedPreconditionError(absl::StrCat(
                                "subject_bsn: the person has an open case (", c.case_id(),
                                "); on a data subject's request the Wams task keeps it (AVG art. "
                                "17(3)(b)): close the case first")));
    }
    theirs.push_back(&c);
  }

  RemovalCounts counts;
  CaseDataRemover remover(*deps_.backend, options_.batch_size);
  for (const v1::Case* c : theirs) {
    WAMS_RETURN_IF_ERROR(PrimaryIsAny(*c, pseudonyms) ? remover.RemoveCase(*c, index, counts)
                                                      : remover.StripCase(*c, pseudonyms, counts));
  }
  WAMS_RETURN_IF_ERROR(remover.Finish());
  for (const std::string& pseudonym : pseudonyms) {
    WAMS_RETURN_IF_ERROR(remover.RemoveSubjectEntries(pseudonym, counts));
  }
  // Written before the keys go: once they are gone, asking again could no
  // longer find what was left.
  WAMS_RETURN_IF_ERROR(remover.Finish());
  const std::vector<std::string> shred(pseudonyms.begin(), pseudonyms.end());
  WAMS_RETURN_IF_ERROR(deps_.keys->ShredAll(shred));
  counts.keys_shredded += shred.size();

  v1::Receipt receipt = receipts::NewReceipt(v1::RECEIPT_KIND_ERASURE, caller, "", *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  receipt.set_detail(
      absl::StrCat("erasure on ", v1::ErasureBasis_Name(request.basis()), ": ", counts.Summary()));
  receipt.set_justification_sha256(ledger::Sha256Bytes(request.justification()));
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) {
    return absl::UnavailableError(
        absl::StrCat("erased, but the erasure could not be recorded (ask again to record it): ",
                     stored.status().message()));
  }

  v1::EraseSubjectResponse response;
  response.set_cases_removed(static_cast<uint32_t>(counts.cases_removed));
  response.set_cases_stripped(static_cast<uint32_t>(counts.cases_stripped));
  response.set_conference_records_removed(static_cast<uint32_t>(counts.conference_records_removed));
  response.set_index_entries_removed(static_cast<uint32_t>(counts.index_entries_removed));
  response.set_keys_shredded(static_cast<uint32_t>(counts.keys_shredded));
  response.mutable_receipt()->set_leaf_index(stored->leaf_index());
  v1::Receipt stored_receipt;
  if (stored_receipt.ParseFromString(stored->receipt_bytes())) {
    response.mutable_receipt()->set_receipt_id(stored_receipt.receipt_id());
  }
  return response;
}

}  // namespace wams::retention
