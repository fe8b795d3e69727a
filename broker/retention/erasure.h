// erasure.h: the core of AuditService.EraseSubject: the municipality's
// privacy officer erases what the broker holds about one person (AVG art.
// 17). The gRPC handler (broker/services/audit_service.cc) only identifies
// the caller and translates.
//
//   Erasure erasure(ErasureDeps{...}, config.privacy_officer_ids(), options);
//   WAMS_ASSIGN_OR_RETURN(v1::EraseSubjectResponse done, erasure.EraseSubject(caller, request));
//
// What it does, in this order:
//   1. the caller must be a privacy officer (a municipality party acting with
//      a professional id in BrokerConfig.privacy_officer_ids, as for the
//      disclosure overview); anyone else: PERMISSION_DENIED citing R27;
//   2. the request: subject_bsn (elfproef), basis (not UNSPECIFIED),
//      justification (1..4096 bytes): INVALID_ARGUMENT naming the field;
//   3. the person's pseudonyms (SubjectKeys::Find) and every case naming one;
//      FAILED_PRECONDITION when one of them is open and the basis is
//      ERASURE_BASIS_DATA_SUBJECT_REQUEST (art. 17(3)(b): the Wams task still
//      needs it; close the case first), or when one belongs to another
//      municipality (its own privacy officer erases it);
//   4. cases where the person is the primary client are removed (record,
//      conferences, items, index entries); where they are a family member,
//      their entry and consents are taken out; then every remaining
//      subject-index entry of their pseudonyms, then their keys are shredded;
//   5. the erasure receipt (RECEIPT_KIND_ERASURE): who (requester_oin,
//      professional_id), when (time), the basis and counts in `detail`, the
//      justification's SHA-256; no subject pseudonym and no case id, so
//      nothing in it leads back to the person once the key is gone.
// Every refusal of an identified caller is receipted too (REFUSED, the field
// or reason in `detail`, never the BSN).
//
// Afterwards the person's disclosure overview is empty and ListReceipts by
// their BSN finds nothing: no key links the BSN to a pseudonym any more.
// Receipts are never changed, so exports verify against every checkpoint.
//
// Thread-safe: erasures are serialised with each other; borrows its deps.
#ifndef WAMS_BROKER_RETENTION_ERASURE_H_
#define WAMS_BROKER_RETENTION_ERASURE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"
#include "broker/identity/caller_identity.h"
#include "broker/ledger/store/ledger.h"
#include "broker/retention/retention_options.h"
#include "broker/storage/backend.h"
#include "broker/subjects/subject_keys.h"
#include "policy/policy.h"
#include "wams/broker/v1/audit.pb.h"

namespace wams::retention {

namespace v1 = ::wams::broker::v1;

// Everything is borrowed and must outlive the Erasure.
struct ErasureDeps {
  const storage::Backend* backend = nullptr;
  ledger::store::Ledger* ledger = nullptr;
  subjects::SubjectKeys* keys = nullptr;
  // Decides the role refusal (R27), so that it cites the rule.
  const policy::Policy* policy = nullptr;
  const base::Clock* clock = nullptr;
};

class Erasure {
 public:
  Erasure(ErasureDeps deps, std::vector<std::string> privacy_officer_ids, RetentionOptions options);

  // Codes as in the header comment; UNAVAILABLE when storage or the log
  // cannot be written (what was removed stays removed; asking again
  // finishes it), DATA_LOSS for a stored record that does not parse.
  absl::StatusOr<v1::EraseSubjectResponse> EraseSubject(const identity::Caller& caller,
                                                        const v1::EraseSubjectRequest& request);

 private:
  bool IsPrivacyOfficer(const identity::Caller& caller) const;
  // Receipts the refusal and returns `status` with the receipt attached
  // (`decision` too, when a rule decided).
  absl::Status Refuse(const identity::Caller& caller, absl::Status status,
                      const v1::Decision* decision = nullptr);

  const ErasureDeps deps_;
  const std::vector<std::string> privacy_officers_;
  const RetentionOptions options_;
  absl::Mutex mu_;  // one erasure at a time
};

}  // namespace wams::retention

#endif  // WAMS_BROKER_RETENTION_ERASURE_H_
