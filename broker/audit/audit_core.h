// audit_core.h: the AuditService core: access control, audit-query receipts,
// receipt queries, proofs, the export plan, witness cosignatures and the
// disclosure overview. The gRPC handlers (broker/services/audit_service.h)
// only identify the caller and translate.
//
//   WAMS_ASSIGN_OR_RETURN(auto core, AuditCore::Create(deps, config));
//   WAMS_ASSIGN_OR_RETURN(v1::ListReceiptsResponse page, core->ListReceipts(caller, request));
//
// Access: every method needs a party with PARTY_ROLE_AUDITOR; the disclosure
// overview also the municipality's privacy officer (a municipality party
// acting with a professional id listed in BrokerConfig.privacy_officer_ids);
// an inclusion proof also the requester or target of that leaf's receipt.
// A refused caller gets PERMISSION_DENIED, and the attempt is receipted.
//
// Receipts (RECEIPT_KIND_AUDIT_QUERY, "who looked at what"): ListReceipts,
// GetInclusionProof, Export and GetDisclosureOverview are receipted before
// they answer, refusals too. A subject query records the subject pseudonym,
// never the BSN. GetCheckpoint, GetConsistencyProof and AddCosignature reveal
// nothing about a person and are not receipted: a witness polls them, and a
// receipt per poll would move the log on so that no checkpoint it cosigned
// would ever be the latest.
//
// Thread-safe; borrows its dependencies, which must outlive it.
#ifndef WAMS_BROKER_AUDIT_AUDIT_CORE_H_
#define WAMS_BROKER_AUDIT_AUDIT_CORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/audit/disclosure.h"
#include "broker/base/bsn.h"
#include "broker/base/clock.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/backend.h"
#include "broker/subjects/subject_keys.h"
#include "wams/broker/v1/audit.pb.h"
#include "wams/broker/v1/config.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::policy {
class Policy;
}  // namespace wams::policy

namespace wams::audit {

namespace v1 = ::wams::broker::v1;

struct AuditDeps {
  ledger::store::Ledger* ledger = nullptr;
  // Where witness cosignatures are kept (meta family).
  const storage::Backend* storage = nullptr;
  // A subject's pseudonyms (its own key's and the legacy key's) for the
  // queries by BSN and their receipts.
  subjects::SubjectKeys* subject_keys = nullptr;
  const identity::PartyRegistry* registry = nullptr;
  // Decides the role refusals (R27), so that they cite the rule.
  const policy::Policy* policy = nullptr;
  // The time of audit-query receipts and of the disclosure overview's
  // withholding (what is withheld until when).
  const base::Clock* clock = nullptr;
};

// What an export stream sends: keys, receipts [from_index, checkpoint size),
// then the checkpoint.
struct ExportPlan {
  std::vector<std::string> keys;
  uint64_t from_index = 0;
  v1::Checkpoint checkpoint;
};

class AuditCore {
 public:
  // Reads the auditor-related config (privacy officers, witnesses,
  // withholding). INVALID_ARGUMENT naming the field on a bad witness key or
  // withholding date.
  static absl::StatusOr<std::unique_ptr<AuditCore>> Create(AuditDeps deps,
                                                           const v1::BrokerConfig& config);

  // The checkpoint of request.tree_size with the stored cosignatures;
  // tree_size 0: one of the whole log (made now when the log grew since the
  // latest). NOT_FOUND when there is none; FAILED_PRECONDITION for an empty log.
  absl::StatusOr<v1::Checkpoint> GetCheckpoint(const identity::Caller& caller,
                                               const v1::GetCheckpointRequest& request) const;
  // One page: page_size 0 means 100, over 1000 is clamped to 1000, and the
  // page ends before 3 MiB of receipts (base::kMaxPageBytes).
  // INVALID_ARGUMENT for a missing filter, a bad BSN or page token.
  absl::StatusOr<v1::ListReceiptsResponse> ListReceipts(
      const identity::Caller& caller, const v1::ListReceiptsRequest& request) const;
  // The proof, with the checkpoint it leads to when one of that size is
  // stored. PERMISSION_DENIED (receipted) unless the caller is an auditor or
  // the receipt's requester or target: the same answer for a leaf that does
  // not exist.
  absl::StatusOr<v1::InclusionProof> GetInclusionProof(
      const identity::Caller& caller, const v1::GetInclusionProofRequest& request) const;
  // A receipt and the decision it records: auditors any; a municipality
  // party the receipts it requested or was the target of; R27 for anyone
  // else (receipted either way).
  absl::StatusOr<v1::ReceiptView> GetReceipt(const identity::Caller& caller,
                                             const v1::GetReceiptRequest& request) const;
  absl::StatusOr<v1::ConsistencyProof> GetConsistencyProof(
      const identity::Caller& caller, const v1::GetConsistencyProofRequest& request) const;
  // Authorises and receipts an export, then makes a checkpoint that covers
  // that receipt (request.tree_size 0), or takes the stored checkpoint of
  // request.tree_size (NOT_FOUND when none), with its cosignatures.
  // INVALID_ARGUMENT when from_index is past the checkpoint.
  absl::StatusOr<ExportPlan> BeginExport(const identity::Caller& caller,
                                         const v1::ExportRequest& request) const;
  // Reads one receipt for the export stream.
  absl::StatusOr<v1::SignedReceipt> ReadReceipt(uint64_t leaf_index) const;
  // Verifies the cosignature against the stored checkpoint of that size with
  // the configured witness of that name, then stores it (synced).
  // NOT_FOUND: no such checkpoint; PERMISSION_DENIED: unknown witness;
  // UNAUTHENTICATED: the signature does not verify.
  absl::StatusOr<v1::AddCosignatureResponse> AddCosignature(
      const identity::Caller& caller, const v1::AddCosignatureRequest& request) const;
  // One page of the overview (page_size as ListReceipts: 0 -> 100, clamped
  // to 1000, and at most 3 MiB of receipts); every page is receipted.
  // INVALID_ARGUMENT for a bad BSN or page token.
  absl::StatusOr<v1::DisclosureResponse> GetDisclosureOverview(
      const identity::Caller& caller, const v1::DisclosureRequest& request) const;

 private:
  AuditCore(AuditDeps deps, std::vector<std::string> privacy_officers,
            std::vector<ledger::CosignatureVerifier> witnesses,
            std::vector<Withholding> withholding);

  bool IsAuditor(const identity::Caller& caller) const;
  bool IsPrivacyOfficer(const identity::Caller& caller) const;
  // PERMISSION_DENIED (after receipting the refusal) unless `allowed`.
  absl::Status Authorize(const identity::Caller& caller, bool allowed,
                         absl::string_view method) const;
  // Appends an audit-query receipt; the query fails when it cannot be
  // recorded, so no look is ever unrecorded.
  absl::Status Record(const v1::Receipt& receipt) const;
  // Sets `query`'s keys to the subject's pseudonyms: its own key's first
  // (made when it has none), then the legacy key's while that is kept.
  absl::Status SetSubjectKeys(const base::Bsn& bsn, ledger::store::IndexQuery& query) const;
  std::vector<std::string> Cosignatures(uint64_t tree_size) const;
  // Replaces checkpoint.cosignatures with the stored ones.
  void WithCosignatures(v1::Checkpoint& checkpoint) const;
  // True when the caller's party is the requester or the target of the
  // receipt at `leaf_index` (false when there is none).
  bool IsPartyTo(const identity::Caller& caller, uint64_t leaf_index) const;
  // A checkpoint of every durable receipt: the stored latest one when the
  // tree has not grown since, else a new one.
  absl::StatusOr<v1::Checkpoint> Latest() const;

  AuditDeps deps_;
  std::vector<std::string> privacy_officers_;
  std::vector<ledger::CosignatureVerifier> witnesses_;
  std::vector<Withholding> withholding_;
};

}  // namespace wams::audit

#endif  // WAMS_BROKER_AUDIT_AUDIT_CORE_H_
