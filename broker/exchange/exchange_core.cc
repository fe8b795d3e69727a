#include "broker/exchange/exchange_core.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/bsn.h"
#include "broker/base/deterministic_bytes.h"
#include "broker/base/logging/call_log.h"
#include "broker/base/logging/trace_context.h"
#include "broker/base/request_binding.h"
#include "broker/base/status_details.h"
#include "broker/base/status_macros.h"
#include "broker/base/trace_ids.h"
#include "broker/base/uuid.h"
#include "broker/exchange/delivery_failure.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/receipts/receipt_builder.h"
#include "policy/decision_view.h"
#include "policy/refusal_code.h"
#include "proto/wire/field_validator.h"
#include "proto/wire/subject_details.h"

namespace wams::exchange {
namespace {

using identity::Caller;

constexpr size_t kMaxRequestIdBytes = 128;

// The ids a call uses, checked again here whatever the service passed:
// nothing but a valid traceparent and UUIDv7 is forwarded or signed.
TraceContext Checked(const TraceContext& trace) {
  return base::ResolveTraceIds(trace.traceparent, trace.tracestate, trace.transaction_id,
                               trace.span_id);
}

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

// Beyond a limit the operator configured: RESOURCE_EXHAUSTED, like the
// per-party rate and concurrency limits, naming the field and the setting.
absl::Status OverLimit(absl::string_view field, absl::string_view problem,
                       absl::string_view setting) {
  return absl::ResourceExhaustedError(absl::StrCat(field, ": ", problem, " (", setting, ")"));
}

absl::Status ValidateCommon(absl::string_view request_id, absl::string_view case_id,
                            absl::string_view subject_bsn, v1::Purpose purpose,
                            const google::protobuf::RepeatedPtrField<std::string>& categories,
                            absl::string_view justification, const ExchangeOptions& options) {
  if (request_id.empty()) return Invalid("request_id", "required");
  if (request_id.size() > kMaxRequestIdBytes) return Invalid("request_id", "longer than 128 bytes");
  // Malformed input enforces no rule: plain INVALID_ARGUMENT, no rule id in
  // the message that the Decision and the receipt would not carry.
  if (case_id.empty()) return Invalid("case_id", "required: every request belongs to a case");
  if (absl::Status bsn = base::ParseBsn(subject_bsn, "subject_bsn").status(); !bsn.ok()) {
    return bsn;
  }
  if (purpose == v1::PURPOSE_UNSPECIFIED) return Invalid("purpose", "required");
  // No categories and no justification are left to the policy: they break
  // R06 (step by step), and the refusal cites it in the decision and receipt.
  if (categories.size() > options.max_categories) {
    return OverLimit("categories", absl::StrCat("at most ", options.max_categories, " per request"),
                     "limits.max_categories");
  }
  for (int i = 0; i < categories.size(); ++i) {
    if (categories[i].empty()) return Invalid(absl::StrCat("categories[", i, "]"), "empty");
  }
  if (justification.size() > options.max_justification_bytes) {
    return OverLimit("justification",
                     absl::StrCat("longer than ", options.max_justification_bytes, " bytes"),
                     "limits.max_justification_bytes");
  }
  return absl::OkStatus();
}

bool AlreadyInvolved(const std::optional<v1::Case>& c, const std::string& party_oin) {
  return c.has_value() &&
         std::find(c->involved_party_oins().begin(), c->involved_party_oins().end(), party_oin) !=
             c->involved_party_oins().end();
}

google::rpc::Status Success(const google::protobuf::Message& response) {
  google::rpc::Status outcome;
  outcome.add_details()->PackFrom(response);
  return outcome;
}

// What retries get once a request is answered: the answer without its data,
// which the broker does not keep (rules §9: a conduit, not a data store).
// The data is set aside while the rest is packed, not copied: a payload can
// be large, and the caller's answer needs it back unchanged.
google::rpc::Status KeptForRetries(v1::DataResponse& response) {
  google::protobuf::RepeatedPtrField<v1::CategoryData> data;
  data.Swap(response.mutable_data());
  response.set_data_not_kept(true);
  google::rpc::Status kept = Success(response);
  response.clear_data_not_kept();
  response.mutable_data()->Swap(&data);
  return kept;
}

// The receipt of a request refused for bad input, before any decision.
v1::Receipt RefusedInputReceipt(v1::ReceiptKind kind, const Caller& caller,
                                const v1::DataRequest& request, const absl::Status& invalid,
                                const TraceContext& trace, const base::Clock& clock) {
  // Values from the request are receipted only when they keep their field
  // rules (bounded, no BSN); the message names no value.
  const bool bounded = !wire::FindViolation(request).has_value();
  v1::Receipt receipt = receipts::NewReceipt(kind, caller, bounded ? request.case_id() : "", clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  if (bounded) {
    receipt.set_target_oin(request.provider_oin());
    receipt.set_request_id(request.request_id());
  }
  receipt.set_trace_id(base::TraceIdOf(trace.traceparent));
  receipt.set_span_id(trace.span_id);
  receipt.set_transaction_id(trace.transaction_id);
  receipt.set_detail(std::string(invalid.message()));
  return receipt;
}

// Refuses bad input of a data request or share: receipted as refused (its
// fields when bounded), then answered with the receipt in the details.
void RefuseInput(ledger::store::Ledger& ledger, const base::Clock& clock, const Caller& caller,
                 const v1::DataRequest& request, const absl::Status& invalid,
                 const TraceContext& trace, OutcomeStore::Waiter waiter) {
  v1::Receipt receipt =
      RefusedInputReceipt(v1::RECEIPT_KIND_DECISION, caller, request, invalid, trace, clock);
  ledger.AppendAsync(receipt, [invalid, waiter = std::move(waiter)](
                                  absl::StatusOr<v1::SignedReceipt> stored) mutable {
    absl::Status status = invalid;
    if (stored.ok()) base::AttachDetail(status, *stored);
    std::move(waiter)(base::ToRpcStatus(status));
  });
}

// Attaches the receipt of a decision to `status`: the signed receipt for a
// caller that may know the case's facts, else only where it is in the log
// (its failed rules and consent basis are the case's facts, for auditors).
void AttachReceipt(absl::Status& status, const v1::SignedReceipt& stored,
                   const std::string& receipt_id, bool may_know_case_facts) {
  if (may_know_case_facts) {
    base::AttachDetail(status, stored);
    return;
  }
  v1::ReceiptReference reference;
  reference.set_leaf_index(stored.leaf_index());
  reference.set_receipt_id(receipt_id);
  base::AttachDetail(status, reference);
}

// Whether the recipient's answer to a share accepts it (provider.proto,
// ProviderRequest.is_share).
bool ShareAccepted(const v1::ProviderResponse& answer) {
  return answer.status() == v1::PROVIDER_ANSWER_STATUS_PROVIDED;
}

// The receipt's detail for a share the recipient did not accept: its reasons
// (checked against the field rules: at most 4096 bytes, no control
// characters, no BSN), or the answer status it gave instead.
std::string ShareRefusalDetail(const v1::ProviderResponse& answer) {
  if (answer.status() != v1::PROVIDER_ANSWER_STATUS_REFUSED) {
    return absl::StrCat("share not acknowledged: the recipient answered ",
                        v1::ProviderAnswerStatus_Name(answer.status()));
  }
  return absl::StrCat("share refused by the recipient: ", answer.refusal_reasons());
}

template <typename Response>
absl::StatusOr<Response> Unpack(const google::rpc::Status& outcome) {
  if (outcome.code() != 0) return base::FromRpcStatus(outcome);
  Response response;
  if (outcome.details_size() != 1 || !outcome.details(0).UnpackTo(&response)) {
    return absl::InternalError("stored outcome does not parse");
  }
  return response;
}

}  // namespace

// The state of one request as it travels through the stages.
namespace {

// Nothing decided or receipted: a receipt needs the subject's pseudonym.
absl::Status SubjectKeysUnavailable(const absl::Status& cause) {
  return absl::UnavailableError(absl::StrCat("the subject key table cannot be read or written (",
                                             cause.message(),
                                             "); nothing was decided, retry later"));
}

}  // namespace

struct ExchangeCore::Flow {
  Caller caller;
  bool is_share = false;
  v1::DataRequest request;                    // for a share: its fields, categories and purpose
  std::vector<v1::CategoryData> shared_data;  // for a share: the municipality's data
  TraceContext trace;
  std::string outcome_key;
  std::string digest;  // keyed digest binding the request to its id (request_binding.h)
  // Under the subject's own key (broker/subjects): the receipts' pseudonym
  // and, when the request has subject details, their HMAC.
  std::string subject_pseudonym;
  std::string subject_details_hmac;
  const v1::Party* target = nullptr;
  std::optional<v1::Case> snapshot;
  v1::Decision decision;
  v1::Receipt receipt_base;  // fields both receipts share
  v1::SignedReceipt decision_receipt;
  std::string provider_span_id;  // the broker's span of the provider call
  absl::Time provider_call_start;
  google::rpc::Status outcome;               // once the last receipt is being stored
  std::optional<v1::DataResponse> response;  // a granted request's answer, once built

  policy::RequestKind kind() const {
    return is_share ? policy::RequestKind::kShareData : policy::RequestKind::kDataRequest;
  }
};

absl::Status ExchangeCore::Validate(const v1::DataRequest& request) const {
  // The front door (services/call_handler.h) has refused what breaks the
  // field rules; checked again so that no caller of the core can get an
  // unbounded value into a receipt.
  WAMS_RETURN_IF_ERROR(wire::Validate(request));
  WAMS_RETURN_IF_ERROR(ValidateCommon(request.request_id(), request.case_id(),
                                      request.subject_bsn(), request.purpose(),
                                      request.categories(), request.justification(), options_));
  if (deps_.registry->Find(request.provider_oin()) == nullptr) {
    return Invalid("provider_oin", absl::StrCat("unknown party ", request.provider_oin()));
  }
  // A name in no catalogue is bad input; one the provider does not offer is
  // the policy's to refuse (R06).
  return deps_.policy->catalogue().CheckKnown("categories", request.categories());
}

absl::Status ExchangeCore::ValidateShare(const v1::ShareRequest& request) const {
  WAMS_RETURN_IF_ERROR(wire::Validate(request));
  WAMS_RETURN_IF_ERROR(ValidateCommon(request.request_id(), request.case_id(),
                                      request.subject_bsn(), request.purpose(),
                                      request.categories(), request.justification(), options_));
  if (deps_.registry->Find(request.recipient_oin()) == nullptr) {
    return Invalid("recipient_oin", absl::StrCat("unknown party ", request.recipient_oin()));
  }
  WAMS_RETURN_IF_ERROR(deps_.policy->catalogue().CheckKnown("categories", request.categories()));
  for (int i = 0; i < request.data_size(); ++i) {
    const std::string& category = request.data(i).category();
    if (std::find(request.categories().begin(), request.categories().end(), category) ==
        request.categories().end()) {
      return Invalid(absl::StrCat("data[", i, "].category"),
                     absl::StrCat("\"", category, "\" is not among the categories named"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Case>> ExchangeCore::ReadCase(
    const v1::DataRequest& request) const {
  absl::StatusOr<std::optional<v1::Case>> found =
      deps_.cases->Snapshot(request.case_id(), request.subject_bsn());
  if (found.ok()) return found;
  // Not "no such case": deciding without the case would refuse a request the
  // rules may allow (R09) and receipt that as the policy's word. A parse
  // failure will not heal by retrying, so it keeps its code.
  const absl::StatusCode code = absl::IsDataLoss(found.status()) ? absl::StatusCode::kDataLoss
                                                                 : absl::StatusCode::kUnavailable;
  return absl::Status(
      code, absl::StrCat("cannot read case ", request.case_id(), " (", found.status().message(),
                         "); nothing was decided or forwarded",
                         code == absl::StatusCode::kUnavailable ? ", retry later" : ""));
}

policy::DecisionInput ExchangeCore::InputFor(const Caller& caller, const v1::DataRequest& request,
                                             policy::RequestKind kind,
                                             const std::optional<v1::Case>& snapshot,
                                             const v1::Party* target) {
  return policy::DecisionInput{
      .case_snapshot = snapshot.has_value() ? &*snapshot : nullptr,
      .requester = caller.party,
      .professional_id = caller.professional_id,
      .target = target,
      .kind = kind,
      .purpose = request.purpose(),
      .subject_bsn = request.subject_bsn(),
      .subject_details = &request.subject_details(),
      .categories = request.categories(),
      .justification = request.justification(),
      .language = request.language(),
  };
}

v1::Receipt ExchangeCore::ReceiptFor(const Flow& flow) const {
  const v1::DataRequest& request = flow.request;
  v1::Receipt base =
      receipts::NewReceipt(v1::RECEIPT_KIND_DECISION, flow.caller, request.case_id(), *deps_.clock);
  base.set_subject_pseudonym(flow.subject_pseudonym);
  base.set_target_oin(request.provider_oin());
  base.set_purpose(request.purpose());
  *base.mutable_categories() = request.categories();
  base.set_request_id(request.request_id());
  base.set_trace_id(base::TraceIdOf(flow.trace.traceparent));
  base.set_span_id(flow.trace.span_id);
  base.set_transaction_id(flow.trace.transaction_id);
  base.set_justification_sha256(ledger::Sha256Bytes(request.justification()));
  // Names and birth dates are guessable: keyed like the BSN, never plain.
  if (!flow.subject_details_hmac.empty()) {
    base.set_subject_details_hmac(flow.subject_details_hmac);
  }
  return base;
}

absl::Status ExchangeCore::KeySubject(Flow& flow) const {
  const v1::DataRequest& request = flow.request;
  absl::StatusOr<std::string> pseudonym = deps_.subject_keys->Pseudonymize(request.subject_bsn());
  if (!pseudonym.ok()) return SubjectKeysUnavailable(pseudonym.status());
  // Names and birth dates are guessable: keyed like the BSN, never plain.
  if (wire::HasSubjectDetails(request.subject_details())) {
    absl::StatusOr<std::string> details_hmac = deps_.subject_keys->Keyed(
        request.subject_bsn(), wire::SubjectDetailsHashInput(request.subject_details()));
    if (!details_hmac.ok()) return SubjectKeysUnavailable(details_hmac.status());
    flow.subject_details_hmac = *std::move(details_hmac);
  }
  flow.subject_pseudonym = *std::move(pseudonym);
  return absl::OkStatus();
}

void ExchangeCore::CheckRequest(const Caller& caller, const v1::DataRequest& request,
                                const TraceContext& trace, CheckDone done) {
  Flow flow;
  flow.caller = caller;
  flow.request = request;
  flow.trace = Checked(trace);
  if (absl::Status valid = Validate(request); !valid.ok()) {
    // Bad input is receipted like a refused request, then answered.
    v1::Receipt receipt = RefusedInputReceipt(v1::RECEIPT_KIND_CONSULTATION, caller, request, valid,
                                              flow.trace, *deps_.clock);
    deps_.ledger->AppendAsync(
        receipt, [valid, done = std::move(done)](absl::StatusOr<v1::SignedReceipt> stored) mutable {
          absl::Status status = valid;
          if (stored.ok()) base::AttachDetail(status, *stored);
          std::move(done)(status);
        });
    return;
  }
  if (absl::Status keyed = KeySubject(flow); !keyed.ok()) {
    // Nothing decided, so no consultation to receipt (R27 logs decisions).
    std::move(done)(keyed);
    return;
  }
  absl::StatusOr<std::optional<v1::Case>> found = ReadCase(request);
  if (!found.ok()) {
    // Nothing decided, so no consultation to receipt (R27 logs decisions).
    std::move(done)(found.status());
    return;
  }
  const std::optional<v1::Case>& snapshot = *found;
  const v1::Decision decision =
      deps_.policy->Decide(InputFor(caller, request, policy::RequestKind::kDataRequest, snapshot,
                                    deps_.registry->Find(request.provider_oin())));
  // R27: the consultation is logged, with the whole decision for auditors.
  v1::Receipt receipt = ReceiptFor(flow);
  receipt.set_kind(v1::RECEIPT_KIND_CONSULTATION);
  receipt.set_policy_version(decision.policy_version());
  receipt.set_outcome(decision.allowed() ? v1::RECEIPT_OUTCOME_GRANTED
                                         : v1::RECEIPT_OUTCOME_REFUSED);
  *receipt.mutable_failed_rule_ids() = decision.failed_rule_ids();
  receipt.set_detail("dry run (CheckRequest): nothing forwarded");
  v1::CheckResponse response;
  *response.mutable_decision() =
      policy::RedactFor(decision, snapshot.has_value() ? &*snapshot : nullptr, caller.party,
                        policy::RoleRuleOf(policy::RequestKind::kDataRequest));
  response.mutable_consultation_receipt()->set_receipt_id(receipt.receipt_id());
  deps_.ledger->AppendAsync(receipt, [response = std::move(response), done = std::move(done)](
                                         absl::StatusOr<v1::SignedReceipt> stored) mutable {
    if (!stored.ok()) {
      std::move(done)(absl::UnavailableError(
          absl::StrCat("the receipt log cannot write (", stored.status().message(),
                       "); a dry run is answered only once it is receipted (R27)")));
      return;
    }
    response.mutable_consultation_receipt()->set_leaf_index(stored->leaf_index());
    std::move(done)(std::move(response));
  });
}

void ExchangeCore::RefuseReuse(const Flow& flow, base::Reuse reuse, OutcomeStore::Waiter waiter) {
  const absl::Status refused = base::ReusedRequestId(reuse);
  // Who tried to reuse the id, about whom and from whom; not what was asked
  // as sent (the categories and justification stay out).
  v1::Receipt receipt = ReceiptFor(flow);
  receipt.clear_categories();
  receipt.clear_justification_sha256();
  receipt.clear_subject_details_hmac();
  receipt.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  receipt.set_detail(std::string(refused.message()));
  deps_.ledger->AppendAsync(receipt, [refused, waiter = std::move(waiter)](
                                         absl::StatusOr<v1::SignedReceipt> stored) mutable {
    absl::Status status = refused;
    if (stored.ok()) base::AttachDetail(status, *stored);
    std::move(waiter)(base::ToRpcStatus(status));
  });
}

void ExchangeCore::RequestData(const Caller& caller, const v1::DataRequest& request,
                               const TraceContext& trace, DataDone done) {
  auto flow = std::make_shared<Flow>();
  flow->caller = caller;
  flow->request = request;
  flow->trace = Checked(trace);
  flow->outcome_key = OutcomeStore::Key("request", caller.party->oin(), request.request_id());
  // The caller whose call runs the request gets the answer as built; only
  // callers joining with the same request id take the stored outcome, which
  // saves a parse of the whole answer per request.
  OutcomeStore::Waiter waiter =
      [flow, done = std::move(done)](const google::rpc::Status& outcome) mutable {
        if (outcome.code() == 0 && flow->response.has_value()) {
          std::move(done)(*std::move(flow->response));
          return;
        }
        std::move(done)(Unpack<v1::DataResponse>(outcome));
      };
  if (absl::Status valid = Validate(request); !valid.ok()) {
    // Bad input from an identified party is receipted as refused, then answered.
    RefuseInput(*deps_.ledger, *deps_.clock, caller, request, valid, flow->trace,
                std::move(waiter));
    return;
  }
  Start(flow, "request", request, std::move(waiter));
}

void ExchangeCore::ShareData(const Caller& caller, const v1::ShareRequest& request,
                             const TraceContext& trace, ShareDone done) {
  auto flow = std::make_shared<Flow>();
  flow->caller = caller;
  flow->is_share = true;
  flow->request.set_request_id(request.request_id());
  flow->request.set_case_id(request.case_id());
  flow->request.set_subject_bsn(request.subject_bsn());
  flow->request.set_provider_oin(request.recipient_oin());
  flow->request.set_purpose(request.purpose());
  *flow->request.mutable_categories() = request.categories();
  flow->request.set_justification(request.justification());
  flow->request.set_language(request.language());
  *flow->request.mutable_subject_details() = request.subject_details();
  flow->shared_data.assign(request.data().begin(), request.data().end());
  flow->trace = Checked(trace);
  flow->outcome_key = OutcomeStore::Key("share", caller.party->oin(), request.request_id());
  OutcomeStore::Waiter waiter = [done =
                                     std::move(done)](const google::rpc::Status& outcome) mutable {
    std::move(done)(Unpack<v1::ShareResponse>(outcome));
  };
  if (absl::Status valid = ValidateShare(request); !valid.ok()) {
    // Receipted like a data request's bad input (its fields, when bounded).
    RefuseInput(*deps_.ledger, *deps_.clock, caller, flow->request, valid, flow->trace,
                std::move(waiter));
    return;
  }
  Start(flow, "share", request, std::move(waiter));
}

void ExchangeCore::Start(const std::shared_ptr<Flow>& flow, absl::string_view kind,
                         const google::protobuf::MessageLite& request,
                         OutcomeStore::Waiter waiter) {
  // Keyed under the subject's key: the request names a BSN, and a plain hash
  // of it could be reversed.
  if (absl::Status keyed = KeySubject(*flow); !keyed.ok()) {
    std::move(waiter)(base::ToRpcStatus(keyed));
    return;
  }
  absl::StatusOr<std::string> digest = deps_.subject_keys->Keyed(
      flow->request.subject_bsn(), base::RequestBindingText(kind, flow->caller.party->oin(),
                                                            flow->caller.professional_id, request));
  if (!digest.ok()) {
    std::move(waiter)(base::ToRpcStatus(SubjectKeysUnavailable(digest.status())));
    return;
  }
  flow->digest = *std::move(digest);
  base::Reuse reuse = base::Reuse::kOtherRequest;
  switch (deps_.outcomes->Begin(flow->outcome_key, flow->digest, waiter, &reuse)) {
    case OutcomeStore::Claim::kReused:
      RefuseReuse(*flow, reuse, std::move(waiter));
      return;
    case OutcomeStore::Claim::kAnswered:
      return;
    case OutcomeStore::Claim::kRun:
      RunRequest(flow);
      return;
  }
}

void ExchangeCore::RunRequest(const std::shared_ptr<Flow>& flow) {
  const v1::DataRequest& request = flow->request;
  flow->target = deps_.registry->Find(request.provider_oin());
  absl::StatusOr<std::optional<v1::Case>> found = ReadCase(request);
  if (!found.ok()) {
    // Nothing decided or receipted: not remembered, so a retry runs anew.
    deps_.outcomes->Abandon(flow->outcome_key, base::ToRpcStatus(found.status()));
    return;
  }
  flow->snapshot = *std::move(found);
  flow->decision = deps_.policy->Decide(
      InputFor(flow->caller, request, flow->kind(), flow->snapshot, flow->target));
  const v1::Decision& decision = flow->decision;

  v1::Receipt& base = flow->receipt_base;
  base = ReceiptFor(*flow);
  base.set_policy_version(decision.policy_version());
  v1::Receipt receipt = base;
  receipt.set_outcome(decision.allowed() ? v1::RECEIPT_OUTCOME_GRANTED
                                         : v1::RECEIPT_OUTCOME_REFUSED);
  *receipt.mutable_failed_rule_ids() = decision.failed_rule_ids();
  *receipt.mutable_obligations() = decision.obligations();
  *receipt.mutable_consent_basis() = decision.consent_basis();
  receipt.set_detail(flow->is_share ? "share (R21)" : "data request");

  // Involvement lets the municipality share with this party later (R21): it
  // goes into the decision receipt's batch, under the case's lock, so a
  // crash keeps both or neither. It only grows, so a snapshot that lists the
  // party already needs neither the lock nor a write (the usual case).
  if (decision.allowed() && !AlreadyInvolved(flow->snapshot, request.provider_oin())) {
    absl::StatusOr<v1::SignedReceipt> stored =
        deps_.involvement->AppendInvolving(request.case_id(), request.provider_oin(), receipt);
    if (!stored.ok() && !absl::IsUnavailable(stored.status())) {
      // Nothing happened: not remembered, so a retry runs anew.
      deps_.outcomes->Abandon(
          flow->outcome_key,
          base::ToRpcStatus(absl::UnavailableError(absl::StrCat(
              "cannot record the case's involved party: ", stored.status().message()))));
      return;
    }
    OnDecisionReceipted(flow, std::move(stored));
    return;
  }
  // A refusal is the request's last receipt: its outcome is stored with it.
  ledger::store::Ledger::Companion refusal_outcome;
  if (!decision.allowed()) {
    refusal_outcome = [flow, receipt_id = receipt.receipt_id()](const v1::SignedReceipt& stored) {
      // The caller hears only what it may know (policy/decision_view.h).
      const v1::Case* c = flow->snapshot.has_value() ? &*flow->snapshot : nullptr;
      const bool insider = policy::MayKnowCaseFacts(c, flow->caller.party);
      const v1::Decision shown =
          insider ? flow->decision
                  : policy::OutsiderView(flow->decision, policy::RoleRuleOf(flow->kind()));
      // The code from the view shown, so that an outsider's code, like its
      // view, is the same whether or not the case exists.
      absl::Status refused = policy::RefusalStatus(shown);
      base::AttachDetail(refused, shown);
      AttachReceipt(refused, stored, receipt_id, insider);
      flow->outcome = base::ToRpcStatus(refused);
      return OutcomeStore::Stored(flow->outcome_key, flow->digest, flow->outcome);
    };
  }
  deps_.ledger->AppendAsync(receipt, std::move(refusal_outcome),
                            [this, flow](absl::StatusOr<v1::SignedReceipt> stored) {
                              OnDecisionReceipted(flow, std::move(stored));
                            });
}

void ExchangeCore::OnDecisionReceipted(const std::shared_ptr<Flow>& flow,
                                       absl::StatusOr<v1::SignedReceipt> stored) {
  if (!stored.ok()) {
    // Fail closed: without a durable decision receipt nothing is forwarded.
    // Not remembered: a retry once the log writes again runs anew.
    deps_.outcomes->Abandon(flow->outcome_key,
                            base::ToRpcStatus(absl::UnavailableError(absl::StrCat(
                                "the receipt log cannot write (", stored.status().message(),
                                "); nothing was forwarded, retry later"))));
    return;
  }
  if (!flow->decision.allowed()) {
    deps_.outcomes->Finish(flow->outcome_key, flow->outcome);
    return;
  }
  flow->decision_receipt = *std::move(stored);
  Forward(flow);
}

void ExchangeCore::Forward(const std::shared_ptr<Flow>& flow) {
  const v1::DataRequest& request = flow->request;
  v1::ProviderRequest delivery;
  delivery.set_request_id(request.request_id());
  delivery.set_transaction_id(flow->trace.transaction_id);
  // W3C propagation: the provider's parent is the broker's span of this
  // call, a child of the broker's span of the request (the transport sends
  // both fields as metadata too).
  flow->provider_span_id = logging::NewSpanId();
  delivery.set_traceparent(
      logging::ChildTraceparent(flow->trace.traceparent, flow->provider_span_id));
  delivery.set_tracestate(flow->trace.tracestate);
  delivery.set_case_id(request.case_id());
  // R19: the BSN, or the identifying details instead, never both.
  if (policy::ForwardsBsn(flow->decision, *flow->target)) {
    delivery.set_subject_bsn(request.subject_bsn());
  } else if (policy::ForwardsSubjectDetails(flow->decision, *flow->target)) {
    *delivery.mutable_subject_details() = request.subject_details();
  }
  delivery.set_requester_oin(flow->caller.party->oin());
  delivery.set_requester_name(flow->caller.party->name());
  delivery.set_professional_id(flow->caller.professional_id);
  delivery.set_purpose(request.purpose());
  *delivery.mutable_categories() = request.categories();
  delivery.set_justification(request.justification());
  *delivery.mutable_obligations() = flow->decision.obligations();
  *delivery.mutable_consent_basis() = flow->decision.consent_basis();
  delivery.set_is_share(flow->is_share);
  for (const v1::CategoryData& data : flow->shared_data) *delivery.add_shared_data() = data;
  flow->provider_call_start = absl::Now();
  deps_.transport->Deliver(*flow->target, delivery, options_.provider_deadline,
                           [this, flow](absl::StatusOr<v1::ProviderResponse> answer) {
                             OnAnswer(flow, std::move(answer));
                           });
}

void ExchangeCore::LogProviderCall(const Flow& flow, const absl::Status& transport,
                                   const v1::Decision& verdict) {
  logging::LogCall(logging::CallRecord{
      .kind = "provider_call",
      .method = "/wams.broker.v1.ProviderService/Deliver",
      .outcome = transport.ok() ? "OK" : absl::StatusCodeToString(transport.code()),
      .latency = absl::Now() - flow.provider_call_start,
      .trace_id = base::TraceIdOf(flow.trace.traceparent),
      .span_id = flow.provider_span_id,
      .parent_span_id = flow.trace.span_id,
      .transaction_id = flow.trace.transaction_id,
      .case_id = flow.request.case_id(),
      .caller_oin = flow.caller.party->oin(),
      .professional_id = flow.caller.professional_id,
      .peer_oin = flow.target->oin(),
      .failed_rules = {verdict.failed_rule_ids().begin(), verdict.failed_rule_ids().end()},
      .detail = "",
  });
}

void ExchangeCore::OnAnswer(const std::shared_ptr<Flow>& flow,
                            absl::StatusOr<v1::ProviderResponse> answer) {
  v1::Receipt receipt = flow->receipt_base;
  receipt.set_kind(v1::RECEIPT_KIND_PROVIDER_ANSWER);
  receipt.set_receipt_id(base::NewUuidV7());
  receipt.set_decision_leaf_index(flow->decision_receipt.leaf_index());
  receipt.set_span_id(flow->provider_span_id);

  absl::Status failure;  // what the requester gets instead of data, if anything
  v1::Decision verdict;
  if (!answer.ok()) {
    // The code says whether a retry can help; the provider's reason is
    // escaped and bounded (delivery_failure.h).
    DeliveryFailure failed = DeliveryFailureOf(answer.status());
    receipt.set_outcome(v1::RECEIPT_OUTCOME_NOT_DELIVERED);
    receipt.set_detail(std::move(failed.receipt_detail));
    failure = std::move(failed.status);
    // The granting decision: the request was allowed, only not delivered.
    base::AttachDetail(failure, flow->decision);
  } else if (std::optional<wire::Violation> bad = wire::FindViolation(*answer); bad.has_value()) {
    // An answer beyond the field rules (oversized, control characters, a
    // BSN in a free text) is blocked; the receipt names the field, its
    // length and SHA-256, never the text.
    receipt.set_outcome(v1::RECEIPT_OUTCOME_BLOCKED);
    receipt.set_payload_sha256(ledger::Sha256Bytes(base::DeterministicBytes(*answer)));
    receipt.set_detail(absl::StrCat("answer blocked: ", bad->Bounded()));
    failure = absl::PermissionDeniedError(absl::StrCat(
        "the provider's answer was blocked: ", bad->ToStatus().message(), " (field rules)"));
  } else if (flow->is_share) {
    std::string shared;
    for (const v1::CategoryData& data : flow->shared_data) shared += base::DeterministicBytes(data);
    receipt.set_payload_sha256(ledger::Sha256Bytes(shared));
    // Only an explicit acceptance is an acknowledgement: a refusal, or any
    // other answer, leaves the municipality knowing the party did not take it.
    if (ShareAccepted(*answer)) {
      receipt.set_outcome(v1::RECEIPT_OUTCOME_DELIVERED);
      receipt.set_detail("share acknowledged");
    } else {
      receipt.set_outcome(v1::RECEIPT_OUTCOME_PROVIDER_REFUSED);
      receipt.set_detail(ShareRefusalDetail(*answer));
    }
  } else {
    verdict = deps_.policy->CheckAnswer(flow->decision, *answer, flow->request.language());
    *receipt.mutable_conditions() = answer->conditions();
    receipt.set_payload_sha256(ledger::Sha256Bytes(base::DeterministicBytes(*answer)));
    if (!verdict.allowed()) {
      receipt.set_outcome(v1::RECEIPT_OUTCOME_BLOCKED);
      *receipt.mutable_failed_rule_ids() = verdict.failed_rule_ids();
      receipt.set_detail("answer blocked");
      failure = absl::PermissionDeniedError(
          absl::StrCat("the provider's answer was blocked: ", policy::RefusalSummary(verdict)));
      base::AttachDetail(failure, verdict);
    } else if (answer->status() == v1::PROVIDER_ANSWER_STATUS_REFUSED) {
      receipt.set_outcome(v1::RECEIPT_OUTCOME_PROVIDER_REFUSED);
      receipt.set_detail("provider refused with weighty reasons (R16)");
    } else {
      receipt.set_outcome(v1::RECEIPT_OUTCOME_DELIVERED);
      receipt.set_detail(v1::ProviderAnswerStatus_Name(answer->status()));
    }
  }
  LogProviderCall(*flow, answer.ok() ? absl::OkStatus() : answer.status(), verdict);

  // The answer receipt is the request's last: the outcome is stored with it.
  auto outcome = [flow, failure,
                  answer = std::move(answer)](const v1::SignedReceipt& stored) mutable {
    flow->outcome = BuildOutcome(*flow, failure, std::move(answer), stored);
    const google::rpc::Status kept =
        flow->response.has_value() ? KeptForRetries(*flow->response) : flow->outcome;
    return OutcomeStore::Stored(flow->outcome_key, flow->digest, kept);
  };
  deps_.ledger->AppendAsync(
      receipt, std::move(outcome), [this, flow](const absl::StatusOr<v1::SignedReceipt>& stored) {
        if (!stored.ok()) {
          // Not remembered: a retry asks again (under a new decision receipt).
          deps_.outcomes->Abandon(flow->outcome_key,
                                  base::ToRpcStatus(absl::UnavailableError(absl::StrCat(
                                      "the answer could not be receipted (",
                                      stored.status().message(), "); nothing is delivered"))));
          return;
        }
        deps_.outcomes->Finish(flow->outcome_key, flow->outcome);
      });
}

google::rpc::Status ExchangeCore::BuildOutcome(Flow& flow, absl::Status failure,
                                               absl::StatusOr<v1::ProviderResponse> answer,
                                               const v1::SignedReceipt& answer_receipt) {
  if (!failure.ok()) {
    base::AttachDetail(failure, answer_receipt);
    return base::ToRpcStatus(failure);
  }
  if (flow.is_share) {
    v1::ShareResponse response;
    *response.mutable_decision() = flow.decision;
    response.set_acknowledged(ShareAccepted(*answer));
    if (!response.acknowledged()) {
      response.set_refusal_reasons(answer->refusal_reasons());
      *response.mutable_refused_categories() = answer->withheld_categories();
    }
    *response.mutable_decision_receipt() = flow.decision_receipt;
    *response.mutable_delivery_receipt() = answer_receipt;
    response.set_transaction_id(flow.trace.transaction_id);
    response.set_traceparent(flow.trace.traceparent);
    return Success(response);
  }
  // Moved, not copied: the flow ends here.
  v1::DataResponse& response = flow.response.emplace();
  *response.mutable_decision() = std::move(flow.decision);
  response.set_status(answer->status());
  *response.mutable_data() = std::move(*answer->mutable_data());
  *response.mutable_conditions() = std::move(*answer->mutable_conditions());
  response.set_good_care_statement(std::move(*answer->mutable_good_care_statement()));
  response.set_legal_basis(std::move(*answer->mutable_legal_basis()));
  response.set_refusal_reasons(std::move(*answer->mutable_refusal_reasons()));
  *response.mutable_decision_receipt() = std::move(flow.decision_receipt);
  *response.mutable_answer_receipt() = answer_receipt;
  response.set_transaction_id(flow.trace.transaction_id);
  response.set_traceparent(flow.trace.traceparent);
  return Success(response);
}

}  // namespace wams::exchange
