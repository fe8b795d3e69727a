// conference_manager.h: case conferences (casusoverleg, R22 to R26), every
// step authorised by the policy and receipted.
//
//   ConferenceManager conferences(deps, ConferenceOptions());
//   WAMS_ASSIGN_OR_RETURN(v1::ConferenceResponse convened,
//                         conferences.Convene(caller, convene_request));
//   WAMS_ASSIGN_OR_RETURN(v1::ConferenceResponse invited,
//                         conferences.Invite(caller, invite_request));
//   WAMS_ASSIGN_OR_RETURN(v1::ShareItemResponse shared,
//                         conferences.ShareItem(supplier, share_request));
//   WAMS_ASSIGN_OR_RETURN(v1::FetchItemsResponse mine,
//                         conferences.FetchItems(participant, fetch_request));
//
// The steps and who may take them:
//   Convene              the case's municipality in research, the designated
//                        coordinator (party and professional) in coordination (R22).
//   Invite               the convener, with a necessity reason per party (R23).
//   SetClientInvitation  the convener: the client is invited, or the weighty
//                        interests against it are recorded (R23). Until then
//                        client_invited is false with no reason: not decided.
//   ShareItem            any participant (convener or invitee), to a named
//                        audience of participants; care, police and justice
//                        suppliers get the R17/R18 obligations in the decision (R24, R25).
//   FetchItems           any participant, while the case is open: only the
//                        items whose audience names it (R09, R25, R27; a
//                        non-participant gets the outsider's view).
//   AssentOnwardUse      the item's supplier, for a party in its audience (R26).
//   RequestOnwardUse     anyone: allowed only for a party in the audience with
//                        the supplier's assent on record (R25, R26).
//
// Convene tells a party that is neither the case's municipality nor its
// designated coordinator's party only that it may not convene (R22, the
// outsider's view of policy/decision_view.h), the same whether the case
// exists or not: case ids seen elsewhere are no oracle.
//
// Errors carry meaning for the caller: INVALID_ARGUMENT names the field,
// NOT_FOUND an unknown conference or item, a refusal by the rules the code
// policy::RefusalCode gives (PERMISSION_DENIED or FAILED_PRECONDITION) with
// the Decision and the refusal receipt attached as status details (every
// refusal that enforces a rule goes through a policy decision, so it cites
// the rule; RequestOnwardUse and AssentOnwardUse too), ALREADY_EXISTS a
// party invited before with another reason, UNAVAILABLE storage trouble
// (nothing is stored when the receipt cannot be made durable).
//
// Order of a change: authorise and validate, then append the receipt with the
// conference, item and idempotency records it accounts for in its batch (a
// Ledger companion): one fsync, and after a crash both or neither, so there is
// never a receipted change the store lacks nor a stored one without its
// receipt; UNAVAILABLE means neither was written. Every
// call of an identified caller is receipted (RECEIPT_KIND_CONFERENCE_EVENT,
// purpose PURPOSE_CASE_CONFERENCE, the case's primary-client pseudonym), except
// a retry of Convene or ShareItem, which returns the first call's receipt. A
// retry is the same request by the same professional: Convene and ShareItem
// bind their request id to a digest of both (broker/base/request_binding.h)
// and refuse a reuse for anything else (INVALID_ARGUMENT naming request_id).
// Receipts never hold the conference subject, a reason or an item's content:
// texts appear as SHA-256 (justification_sha256), content as payload_sha256.
//
// Thread-safe: changes to one conference are serialised.
#ifndef WAMS_BROKER_CONFERENCE_CONFERENCE_MANAGER_H_
#define WAMS_BROKER_CONFERENCE_CONFERENCE_MANAGER_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/clock.h"
#include "broker/cases/case_reader.h"
#include "broker/conference/conference_store.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger.h"
#include "policy/policy.h"
#include "policy/rules.h"
#include "wams/broker/v1/conference.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::conference {

struct ConferenceOptions {
  // Largest item content, in bytes. Default: 1 MiB (minutes, not files).
  size_t max_item_bytes = size_t{1} << 20;
  // Longest free text (subject, title, reasons, content type), in bytes.
  // Default: 4096.
  size_t max_text_bytes = 4096;
  // Most participants an item may be addressed to. Default: 32.
  int max_audience = 32;
  // Most data categories one item may name. Default: 16.
  int max_categories = 16;
};

// What the manager works with; everything is borrowed and must outlive it.
struct ConferenceDeps {
  const ConferenceStore* store = nullptr;
  // The conference's case, as stored (no BSN): Snapshot(case_id, "").
  const cases::CaseReader* cases = nullptr;
  ledger::store::Ledger* ledger = nullptr;
  const policy::Policy* policy = nullptr;
  const identity::PartyRegistry* registry = nullptr;
  // The time of receipts and of the ids made here.
  const base::Clock* clock = nullptr;
};

class ConferenceManager {
 public:
  ConferenceManager(ConferenceDeps deps, ConferenceOptions options)
      : deps_(deps), options_(options) {}

  // R22. A retry with the same request id returns the conference as it is now,
  // with the first call's receipt.
  absl::StatusOr<v1::ConferenceResponse> Convene(const identity::Caller& caller,
                                                 const v1::ConveneRequest& request);
  // R23. Inviting a party again with the same reason is a no-op (receipted).
  absl::StatusOr<v1::ConferenceResponse> Invite(const identity::Caller& caller,
                                                const v1::InviteRequest& request);
  // R23.
  absl::StatusOr<v1::ConferenceResponse> SetClientInvitation(
      const identity::Caller& caller, const v1::SetClientInvitationRequest& request);
  // R24, R25. The broker sets item_id and supplier_oin. A retry with the same
  // request id returns the first response.
  absl::StatusOr<v1::ShareItemResponse> ShareItem(const identity::Caller& caller,
                                                  const v1::ShareItemRequest& request);
  // R25. The receipt's payload_sha256 is SHA-256 over the concatenated
  // SHA-256 of each returned item's content, in response order.
  absl::StatusOr<v1::FetchItemsResponse> FetchItems(const identity::Caller& caller,
                                                    const v1::FetchItemsRequest& request);
  // R26. Assenting twice is a no-op (receipted).
  absl::StatusOr<v1::OnwardUseResponse> AssentOnwardUse(const identity::Caller& caller,
                                                        const v1::AssentOnwardUseRequest& request);
  // R25, R26.
  absl::StatusOr<v1::OnwardUseResponse> RequestOnwardUse(
      const identity::Caller& caller, const v1::RequestOnwardUseRequest& request);

 private:
  // What a receipt of this call shares, whatever the outcome.
  struct Context {
    std::string case_id;
    std::string subject_pseudonym;
    std::string conference_id;
    std::string request_id;
  };
  // A conference with the case it belongs to.
  struct Loaded {
    v1::Conference conference;
    v1::Case case_record;
  };

  // Loads the conference and its case, filling `context`; NOT_FOUND (receipted)
  // when either is missing.
  absl::StatusOr<Loaded> Load(const identity::Caller& caller, const std::string& conference_id,
                              Context& context);
  // Receipts a refusal of an identified caller and returns `status` with the
  // receipt (and `decision`, if any) attached. Fails closed: when the log
  // cannot record the refusal, that error is returned instead.
  absl::Status Refuse(const identity::Caller& caller, const Context& context, absl::Status status,
                      const v1::Decision* decision = nullptr, absl::string_view target_oin = "");
  // Receipts the refusal of a caller that may not know the case's facts
  // (policy/decision_view.h) with the full `decision`, and returns
  // PERMISSION_DENIED with only the outsider's view of it and a
  // ReceiptReference: the receipt records the case's facts and its client's
  // pseudonym, for auditors.
  absl::Status RefuseOutsider(const identity::Caller& caller, const Context& context,
                              const v1::Decision& decision, policy::RuleId role_rule);
  // A receipt of this call with the shared fields filled in.
  v1::Receipt NewReceipt(const identity::Caller& caller, const Context& context,
                         v1::ReceiptOutcome outcome, std::string detail) const;

  absl::Mutex& LockFor(absl::string_view key);

  ConferenceDeps deps_;
  ConferenceOptions options_;
  static constexpr size_t kLockStripes = 64;
  std::array<absl::Mutex, kLockStripes> locks_;
};

}  // namespace wams::conference

#endif  // WAMS_BROKER_CONFERENCE_CONFERENCE_MANAGER_H_
