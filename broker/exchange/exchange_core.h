// exchange_core.h: one data request (or share), end to end.
//
//   identify (done by the caller) -> validate -> decide -> receipt the decision
//   durably -> forward to the provider with a deadline -> check the answer ->
//   receipt the answer -> return data, conditions and both receipts.
//
// Nothing is forwarded unless its decision receipt is durable: when the log
// cannot write, the caller gets UNAVAILABLE and the provider hears nothing.
// Nothing is decided on a case that cannot be read: a failed read of the
// case (storage trouble) is UNAVAILABLE, not decided, receipted or
// forwarded (DATA_LOSS when the stored case does not parse); only a case
// that does not exist is the policy's to refuse (R09), receipted. The core
// holds the case room only through its narrow seams (cases/case_reader.h).
// A refusal has the code the policy gives it (policy::RefusalCode:
// PERMISSION_DENIED, or FAILED_PRECONDITION when only the case's state, phase
// or order stands in the way) with the Decision and the
// refusal receipt attached as status details, as far as the caller may know
// them: the case's municipality and its coordinator's party get both whole;
// anyone else the outsider's view (policy/decision_view.h) and a
// ReceiptReference, since the receipt records the case's facts for auditors.
// A granted request that does not reach its provider is UNAVAILABLE or
// DEADLINE_EXCEEDED when a retry can help, else FAILED_PRECONDITION
// (delivery_failure.h), with the granting Decision and the NOT_DELIVERED
// receipt attached. Every request runs under checked trace ids
// (common/trace_ids.h): nothing else is forwarded or receipted.
// Requests are idempotent per (party, request id), the id bound to the
// request's content and acting professional (a keyed hash of
// base::RequestBindingText): a retry of the same request gets the first
// outcome and never reaches the provider again; once answered, without the
// data (the broker keeps no payload; DataResponse.data_not_kept). A reuse of
// the id for another request is refused (INVALID_ARGUMENT naming request_id)
// and receipted, never answered with the first outcome nor joined to it in
// flight. The outcome is stored in the batch of the request's last receipt,
// so one fsync makes both durable.
//
//   core.RequestData(caller, request, trace, [](absl::StatusOr<v1::DataResponse> r) {...});
//
// No thread blocks: the decision is computed on the caller's thread, the
// receipts are group-committed by the ledger, the provider is called
// asynchronously. Thread-safe.
#ifndef WAMS_BROKER_EXCHANGE_EXCHANGE_CORE_H_
#define WAMS_BROKER_EXCHANGE_EXCHANGE_CORE_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/base/trace_ids.h"
#include "broker/cases/case_reader.h"
#include "broker/exchange/outcome_store.h"
#include "broker/identity/caller_identity.h"
#include "broker/identity/party_registry.h"
#include "broker/ledger/store/ledger.h"
#include "broker/routing/provider_transport.h"
#include "broker/subjects/subject_keys.h"
#include "policy/policy.h"
#include "wams/broker/v1/exchange.pb.h"

namespace wams::exchange {

namespace v1 = ::wams::broker::v1;

struct ExchangeOptions {
  // Deadline of one provider call. Default: 5 s.
  absl::Duration provider_deadline = absl::Seconds(5);
  // Most categories in one request (R06: step by step). Default: 16.
  int max_categories = 16;
  // Longest necessity justification, in bytes. Default: 4096.
  size_t max_justification_bytes = 4096;
};

// Everything is borrowed and must outlive the core.
struct ExchangeDeps {
  // The case a request names, for its decision.
  const cases::CaseReader* cases = nullptr;
  // Records a granted provider as involved in the case (R21).
  cases::InvolvementRecorder* involvement = nullptr;
  ledger::store::Ledger* ledger = nullptr;
  // The subject's pseudonym, subject-details HMAC and request digest, each
  // under the subject's own key.
  subjects::SubjectKeys* subject_keys = nullptr;
  const policy::Policy* policy = nullptr;
  const identity::PartyRegistry* registry = nullptr;
  routing::ProviderTransport* transport = nullptr;
  OutcomeStore* outcomes = nullptr;
  // The time of receipts.
  const base::Clock* clock = nullptr;
};

// The trace context a call uses: the caller's metadata as resolved by
// base::ResolveTraceIds (the service does so to tell the caller which ids
// it used). The core resolves it again, so an invalid value passed here is
// replaced by a fresh one and never forwarded or receipted.
using TraceContext = base::TraceIds;

class ExchangeCore {
 public:
  using DataDone = absl::AnyInvocable<void(absl::StatusOr<v1::DataResponse>) &&>;
  using ShareDone = absl::AnyInvocable<void(absl::StatusOr<v1::ShareResponse>) &&>;
  using CheckDone = absl::AnyInvocable<void(absl::StatusOr<v1::CheckResponse>) &&>;

  ExchangeCore(ExchangeDeps deps, ExchangeOptions options) : deps_(deps), options_(options) {}

  // RequestData. `done` runs exactly once, on any thread.
  void RequestData(const identity::Caller& caller, const v1::DataRequest& request,
                   const TraceContext& trace, DataDone done);

  // ShareData (R21): like RequestData, the municipality's data travelling the
  // other way. `done` runs exactly once, on any thread.
  void ShareData(const identity::Caller& caller, const v1::ShareRequest& request,
                 const TraceContext& trace, ShareDone done);

  // CheckRequest: the decision RequestData would get now, as far as the
  // caller may know it (policy::RedactFor). Nothing is forwarded; the dry run
  // is receipted as a consultation (RECEIPT_KIND_CONSULTATION, with the full
  // decision's failed rules, R27) before `done` hears the answer.
  // INVALID_ARGUMENT for a malformed request (receipted as refused),
  // UNAVAILABLE when the log cannot write or the case cannot be read (then
  // nothing is decided or receipted). `done` runs exactly once, on any
  // thread.
  void CheckRequest(const identity::Caller& caller, const v1::DataRequest& request,
                    const TraceContext& trace, CheckDone done);

 private:
  struct Flow;

  absl::Status Validate(const v1::DataRequest& request) const;
  absl::Status ValidateShare(const v1::ShareRequest& request) const;
  // The case `request` names, read for its decision: nullopt when there is
  // none (the policy refuses, R09). A failed read is UNAVAILABLE saying that
  // nothing was decided and to retry (DATA_LOSS kept as such).
  absl::StatusOr<std::optional<v1::Case>> ReadCase(const v1::DataRequest& request) const;
  // The one place a request's (or share's, by `kind`) decision input is
  // built, for RequestData, ShareData and CheckRequest alike. Borrows every
  // argument: they must outlive the input.
  static policy::DecisionInput InputFor(const identity::Caller& caller,
                                        const v1::DataRequest& request, policy::RequestKind kind,
                                        const std::optional<v1::Case>& snapshot,
                                        const v1::Party* target);

  // A refused reuse of a request id: receipted, then `waiter` hears
  // INVALID_ARGUMENT naming request_id.
  void RefuseReuse(const Flow& flow, base::Reuse reuse, OutcomeStore::Waiter waiter);
  // The receipt fields a request's receipts share (kind DECISION).
  v1::Receipt ReceiptFor(const Flow& flow) const;
  // Fills the flow's subject pseudonym and subject-details HMAC (its
  // request's BSN under its own key; makes the key on first use).
  // UNAVAILABLE when the subject key table cannot be read or written.
  absl::Status KeySubject(Flow& flow) const;

  // Binds the flow's request id to `request` (its digest, of `kind`) and runs
  // it, unless the id belongs to another request (refused) or the same
  // request ran or runs (the waiter hears its outcome).
  void Start(const std::shared_ptr<Flow>& flow, absl::string_view kind,
             const google::protobuf::MessageLite& request, OutcomeStore::Waiter waiter);
  void RunRequest(const std::shared_ptr<Flow>& flow);
  // Once the decision receipt is stored (or failed): a refusal is answered,
  // a grant forwarded, a failure abandoned (nothing forwarded).
  void OnDecisionReceipted(const std::shared_ptr<Flow>& flow,
                           absl::StatusOr<v1::SignedReceipt> stored);
  void Forward(const std::shared_ptr<Flow>& flow);
  void OnAnswer(const std::shared_ptr<Flow>& flow, absl::StatusOr<v1::ProviderResponse> answer);
  // One line per provider call (broker/base/logging/call_log.h): ids, parties,
  // outcome (the transport's code), latency and the rules a blocked answer
  // broke; never the payload.
  static void LogProviderCall(const Flow& flow, const absl::Status& transport,
                              const v1::Decision& verdict);
  // The outcome of a forwarded request once its answer receipt is stored:
  // `failure` with the receipt attached, or the response (for a data
  // request also kept in flow.response).
  static google::rpc::Status BuildOutcome(Flow& flow, absl::Status failure,
                                          absl::StatusOr<v1::ProviderResponse> answer,
                                          const v1::SignedReceipt& answer_receipt);

  ExchangeDeps deps_;
  ExchangeOptions options_;
};

}  // namespace wams::exchange

#endif  // WAMS_BROKER_EXCHANGE_EXCHANGE_CORE_H_
