// case_manager.h: the case lifecycle, from opening to closing, every change
// authorised, checked against the Wams rules where they apply, and receipted.
//
//   CaseManager cases(deps);
//   WAMS_ASSIGN_OR_RETURN(v1::CaseResponse opened, cases.OpenClientCase(caller, request));
//
// Roles: municipality parties manage their own cases; a provider (or the
// municipality) may open a professional request (R02) and read its outcome;
// the designated coordinator may read the case. Anything else is refused,
// and a case the caller may not read or change is answered exactly like a
// case that does not exist (NOT_FOUND), so case ids are no oracle.
//
// Openings are idempotent per (party, request id), the id bound to the
// opening request's content and acting professional (a keyed hash,
// broker/base/request_binding.h): a retry of the same request returns the
// case as the caller may see it; a reuse of the id for another request is
// refused (INVALID_ARGUMENT naming request_id) and receipted.
//
// Order of a change: authorise and validate, then append the receipt with the
// case (and, for an opening, its request id) in the same batch: one fsync,
// and after a crash or a failed write both are there or neither.
//
// No BSN is stored: clients and consents keep HMAC pseudonyms. Snapshot()
// re-identifies only the subject a request names, for the policy. The
// exchange sees the manager only as a CaseReader and an InvolvementRecorder
// (case_reader.h).
//
// Errors carry meaning for the caller: INVALID_ARGUMENT names the field,
// NOT_FOUND an unknown case (or one the caller may not see), PERMISSION_DENIED
// a role or rule refusal (with the
// Decision and refusal receipt attached as status details where a rule
// decided), FAILED_PRECONDITION a case state that must change first,
// UNAVAILABLE storage trouble (a read or write failed; retry), DATA_LOSS a
// stored case record that does not parse (CaseStore::Get; no retry mends
// it). Every refusal of an identified caller is receipted. Thread-safe:
// changes to one case are serialised.
#ifndef WAMS_BROKER_CASES_CASE_MANAGER_H_
#define WAMS_BROKER_CASES_CASE_MANAGER_H_

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"
#include "broker/cases/case_reader.h"
#include "broker/cases/case_store.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger.h"
#include "broker/subjects/subject_keys.h"
#include "policy/policy.h"
#include "wams/broker/v1/case.pb.h"

namespace wams::cases {

// What the manager works with; everything is borrowed and must outlive it.
struct CaseManagerDeps {
  const CaseStore* store = nullptr;
  ledger::store::Ledger* ledger = nullptr;
  // Clients' and consents' pseudonyms and opening digests, under each
  // subject's own key; stored pseudonyms match under any key Find returns.
  subjects::SubjectKeys* subject_keys = nullptr;
  const policy::Policy* policy = nullptr;
  const identity::PartyRegistry* registry = nullptr;
  // The time of receipts and of the case's records (opened_at, given_at, ...).
  const base::Clock* clock = nullptr;
};

class CaseManager : public CaseReader, public InvolvementRecorder {
 public:
  explicit CaseManager(CaseManagerDeps deps) : deps_(deps) {}

  absl::StatusOr<v1::CaseResponse> OpenClientCase(const identity::Caller& caller,
                                                  const v1::OpenClientCaseRequest& request);
  absl::StatusOr<v1::CaseResponse> OpenProfessionalCase(
      const identity::Caller& caller, const v1::OpenProfessionalCaseRequest& request);
  absl::StatusOr<v1::CaseResponse> DecideProfessionalRequest(
      const identity::Caller& caller, const v1::DecideProfessionalRequestRequest& request);
  absl::StatusOr<v1::CaseResponse> InformClient(const identity::Caller& caller,
                                                const v1::InformClientRequest& request);
  absl::StatusOr<v1::CaseResponse> RecordConsent(const identity::Caller& caller,
                                                 const v1::RecordConsentRequest& request);
  absl::StatusOr<v1::CaseResponse> WithdrawConsent(const identity::Caller& caller,
                                                   const v1::WithdrawConsentRequest& request);
  absl::StatusOr<v1::CaseResponse> SetClientScope(const identity::Caller& caller,
                                                  const v1::SetClientScopeRequest& request);
  absl::StatusOr<v1::CaseResponse> AddFamilyMember(const identity::Caller& caller,
                                                   const v1::AddFamilyMemberRequest& request);
  absl::StatusOr<v1::CaseResponse> StartCoordination(const identity::Caller& caller,
                                                     const v1::StartCoordinationRequest& request);
  absl::StatusOr<v1::CaseResponse> CloseCase(const identity::Caller& caller,
                                             const v1::CloseCaseRequest& request);
  // Reading is receipted too (R27: every consultation is logged).
  absl::StatusOr<v1::CaseResponse> GetCase(const identity::Caller& caller,
                                           const v1::GetCaseRequest& request);

  // CaseReader: the case for a decision about `subject_bsn` (case_reader.h).
  absl::StatusOr<std::optional<v1::Case>> Snapshot(const std::string& case_id,
                                                   absl::string_view subject_bsn) const override;

  // InvolvementRecorder (case_reader.h). The case's lock is held across the
  // group commit, so a concurrent change of the case cannot drop the
  // involvement.
  absl::StatusOr<v1::SignedReceipt> AppendInvolving(const std::string& case_id,
                                                    const std::string& party_oin,
                                                    const v1::Receipt& decision) override;

 private:
  // A change to an existing case: returns what the receipt's detail says.
  // A change the policy decides stores the decision in `decision`: a refusal
  // receipt and the caller's status carry it, or the granted answer does.
  using Change =
      std::function<absl::StatusOr<std::string>(v1::Case&, std::optional<v1::Decision>& decision)>;

  // Loads the case under its lock, checks that the caller is its
  // municipality, applies `change`, receipts and stores it.
  absl::StatusOr<v1::CaseResponse> ChangeCase(const identity::Caller& caller,
                                              const std::string& case_id, v1::ReceiptKind kind,
                                              const Change& change);
  // Appends a GRANTED receipt for `c` and writes `c` in the receipt's batch;
  // a non-empty `request_id` (an opening) is remembered there too, bound to
  // the opening request's `digest`.
  absl::StatusOr<v1::CaseResponse> Commit(const identity::Caller& caller, v1::Case c,
                                          v1::ReceiptKind kind, std::string detail,
                                          absl::string_view request_id,
                                          absl::string_view digest = "");
  // The digest of an opening request (broker/base/request_binding.h), keyed
  // under the key of the client it names (`client_bsn`).
  absl::StatusOr<std::string> OpeningDigest(const identity::Caller& caller, absl::string_view kind,
                                            absl::string_view client_bsn,
                                            const google::protobuf::MessageLite& request) const;
  // The case `caller` opened earlier with `request_id` by the same request
  // (`digest`), as the caller may see it, for an idempotent retry; a reuse of
  // the id for another request is refused (receipted).
  absl::StatusOr<std::optional<v1::CaseResponse>> OpenedBefore(const identity::Caller& caller,
                                                               const std::string& request_id,
                                                               absl::string_view digest);
  // Commits a newly opened case and remembers the request id that opened it.
  absl::StatusOr<v1::CaseResponse> CommitOpened(const identity::Caller& caller, v1::Case c,
                                                std::string detail, const std::string& request_id,
                                                absl::string_view digest);
  // Receipts a refusal of an identified caller and returns `status` with the
  // receipt (and `decision`, if any) attached.
  absl::Status Refuse(const identity::Caller& caller, absl::string_view case_id,
                      v1::ReceiptKind kind, absl::Status status,
                      const v1::Decision* decision = nullptr);

  // The subject's pseudonym under its own key (made on first use), for a
  // new client.
  absl::StatusOr<std::string> Pseudonym(absl::string_view bsn) const;
  // Every pseudonym the subject's stored records may hold (its own key's,
  // the legacy key's); never makes a key.
  absl::StatusOr<std::vector<std::string>> Pseudonyms(absl::string_view bsn) const;
  // Writes the clock's current time into `timestamp`.
  void SetNow(google::protobuf::Timestamp* timestamp) const;
  absl::Mutex& LockFor(const std::string& case_id);

  CaseManagerDeps deps_;
  static constexpr size_t kLockStripes = 64;
  std::array<absl::Mutex, kLockStripes> locks_;
};

}  // namespace wams::cases

#endif  // WAMS_BROKER_CASES_CASE_MANAGER_H_
