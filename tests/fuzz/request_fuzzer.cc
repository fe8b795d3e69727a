// request_fuzzer.cc: data requests from a hostile or careless caller, through
// the exchange's validation and the policy decision, as RequestData and its
// dry run CheckRequest see them; the policy on arbitrary case snapshots; and
// a hostile provider's answer through the policy's answer check.
//
// Input layout (see fuzz_support.h: missing bytes read as zero):
//   byte 0    caller: index into the registered parties (mod their count)
//   byte 1    professional id: "", case worker, coordinator, a GGZ professional (mod 4)
//   byte 2    case: below kCaseCount, the request names that stored case
//   byte 3    subject: below 3, the request names the client, the family
//             member who agreed, or the one who did not
//   byte 4    bit 0: decide the fuzzed case as a share (R21) instead of a request;
//             bit 1: decide it with no case at all; bit 2: the rest is not a
//             case but the provider's answer, judged against the decision
//             CheckRequest gave (Policy::CheckAnswer)
//   u16       length L of the DataRequest that follows
//   L bytes   the DataRequest (protobuf wire format)
//   the rest  a Case (wire format) the policy decides on directly, or (bit 2)
//             a ProviderResponse
//
// Invariants (a crash when broken):
//   - CheckRequest fails with INVALID_ARGUMENT exactly when the request breaks
//     a documented limit (request id, case id, BSN elfproef, purpose, 1..16
//     non-empty categories, justification, known provider), and otherwise
//     returns the decision the policy gives on the stored case snapshot;
//   - neither a validation message nor a decision repeats the subject's BSN
//     (it would end up in a receipt or a log);
//   - a decision is allowed exactly when no rule failed, lists the failed
//     rules in order, names every rule it checked, carries obligations only
//     when allowed and one consent basis per category of a data request;
//   - criminal investigation and fraud control are never allowed (R08); no
//     allowed decision lacks an open case, a client subject, a party that is
//     not an auditor, the client's scope (R04) or, for coordination, the
//     designated coordinator (R10/R13);
//   - deciding twice, or into a reused message, gives identical bytes;
//   - a provider's answer passes CheckAnswer only for a granted request, with
//     a valid status, only requested categories, each once, a full answer
//     complete, a partial one accounting for every category with reasons, a
//     refusal with reasons and no data, and the good-care statement (R17) or
//     legal basis (R18) wherever a provided category carries that obligation.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "broker/base/bsn.h"
#include "broker/base/deterministic_bytes.h"
#include "google/protobuf/stubs/logging.h"
#include "policy/decision_view.h"
#include "policy/policy.h"
#include "proto/wire/field_validator.h"
#include "proto/wire/subject_details.h"
#include "proto/wire/text_checks.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/fuzz_world.h"

namespace wams::fuzz {
namespace {

using ::wams::base::DeterministicBytes;
using ::wams::policy::DecisionInput;
using ::wams::policy::RequestKind;

constexpr size_t kMaxRequestIdBytes = 128;  // exchange_core.cc: "longer than 128 bytes"
constexpr const char* kProfessionals[] = {"", kCaseWorker, kCoordinator, "behandelaar-3"};
constexpr const char* kSubjects[] = {kClientBsn, kAgreedFamilyBsn, kRefusedFamilyBsn};
// Rules Policy::Decide documents to check, each appearing in decision.rules().
constexpr const char* kDecideRules[] = {"R02", "R04", "R06", "R07", "R08", "R09", "R10", "R11",
                                        "R12", "R13", "R16", "R17", "R18", "R19", "R21", "R27"};

FuzzWorld& World() {
  // Destroyed at exit, which removes its temp dir (a crash leaves it behind).
  static const std::unique_ptr<FuzzWorld> world = [] {
    absl::StatusOr<std::unique_ptr<FuzzWorld>> created = FuzzWorld::Create();
    WAMS_FUZZ_CHECK_MSG(created.ok(), created.status().ToString());
    return *std::move(created);
  }();
  return *world;
}

bool Contains(const google::protobuf::RepeatedField<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// The documented input limits of ExchangeCore (exchange_core.h, README).
bool ExpectValid(const v1::DataRequest& r, const FuzzWorld& world) {
  const exchange::ExchangeOptions& limits = world.exchange_options();
  // The API's field rules (field_rules.proto) come first.
  if (wire::FindViolation(r).has_value()) return false;
  if (r.request_id().empty() || r.request_id().size() > kMaxRequestIdBytes) return false;
  if (r.case_id().empty() || !wire::IsValidBsn(r.subject_bsn())) return false;
  if (r.purpose() == v1::PURPOSE_UNSPECIFIED) return false;
  // No categories and no justification are the policy's to refuse (R06).
  if (r.categories_size() > limits.max_categories) return false;
  for (const std::string& category : r.categories()) {
    if (category.empty()) return false;
  }
  if (r.justification().size() > limits.max_justification_bytes) return false;
  if (world.registry().Find(r.provider_oin()) == nullptr) return false;
  // A category in no catalogue is bad input (issue 16 point 4).
  for (const std::string& category : r.categories()) {
    if (!world.policy().catalogue().Knows(category)) return false;
  }
  return true;
}

// True when `text` repeats a run of 6 or more digits of `bsn` that the caller
// did not also put into some other field (`echoable`), which a message may
// quote (an OIN, a category name).
bool LeaksBsn(absl::string_view text, absl::string_view bsn, absl::string_view echoable) {
  for (size_t i = 0; i < bsn.size();) {
    if (bsn[i] < '0' || bsn[i] > '9') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < bsn.size() && bsn[end] >= '0' && bsn[end] <= '9') ++end;
    absl::string_view run = bsn.substr(i, end - i);
    if (run.size() >= 6 && absl::StrContains(text, run) && !absl::StrContains(echoable, run)) {
      return true;
    }
    i = end;
  }
  return false;
}

// Everything besides the subject's BSN that a decision may legitimately
// quote: the request's other fields, the case without its BSNs, the parties.
std::string Echoable(const v1::DataRequest& request, const v1::Case* snapshot,
                     absl::string_view professional_id) {
  v1::DataRequest others = request;
  others.clear_subject_bsn();
  std::string out = DeterministicBytes(others);
  out.append(professional_id.data(), professional_id.size());
  if (snapshot != nullptr) {
    v1::Case without_bsns = *snapshot;
    for (v1::CaseClient& client : *without_bsns.mutable_clients()) client.clear_bsn();
    for (v1::Consent& consent : *without_bsns.mutable_consents()) consent.clear_subject_bsn();
    out += DeterministicBytes(without_bsns);
  }
  out += DeterministicBytes(World().config());
  return out;
}

struct Facts {
  const v1::Case* snapshot = nullptr;
  const v1::Party* requester = nullptr;
  absl::string_view professional_id;
  const v1::Party* target = nullptr;
  RequestKind kind = RequestKind::kDataRequest;
  v1::Purpose purpose = v1::PURPOSE_UNSPECIFIED;
  absl::string_view subject_bsn;
  const v1::SubjectDetails* subject_details = &v1::SubjectDetails::default_instance();
  int category_count = 0;
};

void CheckDecision(const v1::Decision& d, const Facts& f, absl::string_view echoable) {
  const policy::Policy& policy = World().policy();
  WAMS_FUZZ_CHECK(d.allowed() == d.failed_rule_ids().empty());
  WAMS_FUZZ_CHECK(d.policy_version() == policy.version());
  std::vector<std::string> failed;
  for (const v1::RuleResult& rule : d.rules()) {
    WAMS_FUZZ_CHECK(rule.outcome() != v1::RULE_OUTCOME_UNSPECIFIED);
    if (rule.outcome() == v1::RULE_OUTCOME_FAILED) {
      failed.push_back(rule.rule_id());
      WAMS_FUZZ_CHECK(!rule.message().empty());
    }
  }
  WAMS_FUZZ_CHECK(std::equal(failed.begin(), failed.end(), d.failed_rule_ids().begin(),
                             d.failed_rule_ids().end()));
  for (const char* id : kDecideRules) {
    WAMS_FUZZ_CHECK_MSG(std::any_of(d.rules().begin(), d.rules().end(),
                                    [id](const v1::RuleResult& r) { return r.rule_id() == id; }),
                        id);
  }
  if (!d.allowed()) WAMS_FUZZ_CHECK(d.obligations().empty());
  if (f.kind == RequestKind::kDataRequest) {
    WAMS_FUZZ_CHECK(d.consent_basis_size() == f.category_count);
  }

  // R08: never for criminal investigation or fraud control.
  if (f.purpose == v1::PURPOSE_CRIMINAL_INVESTIGATION || f.purpose == v1::PURPOSE_FRAUD_CONTROL) {
    WAMS_FUZZ_CHECK(!d.allowed());
    WAMS_FUZZ_CHECK(std::find(d.failed_rule_ids().begin(), d.failed_rule_ids().end(), "R08") !=
                    d.failed_rule_ids().end());
  }
  if (d.allowed()) {
    WAMS_FUZZ_CHECK(f.purpose == v1::PURPOSE_RESEARCH || f.purpose == v1::PURPOSE_COORDINATION ||
                    f.purpose == v1::PURPOSE_CASE_CONFERENCE);
    WAMS_FUZZ_CHECK(f.snapshot != nullptr);
    const v1::Case& c = *f.snapshot;
    WAMS_FUZZ_CHECK(c.phase() == v1::CASE_PHASE_RESEARCH ||
                    c.phase() == v1::CASE_PHASE_COORDINATION);
    WAMS_FUZZ_CHECK(
        std::any_of(c.clients().begin(), c.clients().end(), [&](const v1::CaseClient& client) {
          return client.bsn() == f.subject_bsn && (client.primary() || client.agreed());
        }));
    WAMS_FUZZ_CHECK(f.requester != nullptr && f.target != nullptr);
    WAMS_FUZZ_CHECK(f.requester->role() != v1::PARTY_ROLE_AUDITOR);
    WAMS_FUZZ_CHECK(f.target->role() != v1::PARTY_ROLE_AUDITOR);
    // R19: a party that may not process the BSN can find the person.
    if (!f.target->may_process_bsn()) WAMS_FUZZ_CHECK(wire::IdentifiesSubject(*f.subject_details));
    if (c.origin() == v1::CASE_ORIGIN_CLIENT_REQUEST) {
      const int domain = f.target->domain();
      WAMS_FUZZ_CHECK(!Contains(c.scope().domains_out(), domain));
      WAMS_FUZZ_CHECK(domain == v1::DOMAIN_SOCIAL || Contains(c.scope().domains_in(), domain));
    }
    const bool coordination_request =
        f.kind == RequestKind::kDataRequest &&
        (f.purpose == v1::PURPOSE_COORDINATION ||
         (f.purpose == v1::PURPOSE_CASE_CONFERENCE && c.phase() == v1::CASE_PHASE_COORDINATION));
    if (coordination_request) {
      WAMS_FUZZ_CHECK(c.coordination().has_designated());
      WAMS_FUZZ_CHECK(c.coordination().designated().party_oin() == f.requester->oin());
      WAMS_FUZZ_CHECK(c.coordination().designated().professional_id() == f.professional_id);
      WAMS_FUZZ_CHECK(!f.professional_id.empty());
    }
  }
  if (wire::IsValidBsn(f.subject_bsn)) {
    WAMS_FUZZ_CHECK(!LeaksBsn(DeterministicBytes(d), f.subject_bsn, echoable));
  }
}

DecisionInput InputFrom(const Facts& f, const v1::DataRequest& request) {
  DecisionInput in;
  in.case_snapshot = f.snapshot;
  in.requester = f.requester;
  in.professional_id = f.professional_id;
  in.target = f.target;
  in.kind = f.kind;
  in.purpose = f.purpose;
  in.subject_bsn = f.subject_bsn;
  in.subject_details = f.subject_details;
  in.categories = request.categories();
  in.justification = request.justification();
  in.language = request.language();
  return in;
}

// Decides twice, once into a message that held another decision, and checks
// both against the first; returns it.
v1::Decision DecideDeterministically(const DecisionInput& in) {
  const policy::Policy& policy = World().policy();
  v1::Decision first = policy.Decide(in);
  const std::string bytes = DeterministicBytes(first);
  WAMS_FUZZ_CHECK(DeterministicBytes(policy.Decide(in)) == bytes);
  static v1::Decision* const reused = new v1::Decision();  // holds the previous input's decision
  policy.Decide(in, reused);
  WAMS_FUZZ_CHECK(DeterministicBytes(*reused) == bytes);
  return first;
}

// Returns the decision when the request was valid.
std::optional<v1::Decision> FuzzCheckRequest(const identity::Caller& caller,
                                             const v1::DataRequest& request) {
  FuzzWorld& world = World();
  absl::StatusOr<v1::CheckResponse> checked = absl::UnknownError("not answered");
  absl::Notification answered;
  world.exchange().CheckRequest(caller, request, {},
                                [&](absl::StatusOr<v1::CheckResponse> response) {
                                  checked = std::move(response);
                                  answered.Notify();
                                });
  answered.WaitForNotification();
  const bool expect_valid = ExpectValid(request, world);
  if (!checked.ok()) {
    // INVALID_ARGUMENT, or RESOURCE_EXHAUSTED for a field over its maximum.
    WAMS_FUZZ_CHECK_MSG(checked.status().code() == absl::StatusCode::kInvalidArgument ||
                            checked.status().code() == absl::StatusCode::kResourceExhausted,
                        checked.status().ToString());
    WAMS_FUZZ_CHECK_MSG(!expect_valid, checked.status().ToString());
    WAMS_FUZZ_CHECK(!LeaksBsn(checked.status().message(), request.subject_bsn(),
                              Echoable(request, nullptr, caller.professional_id)));
    return std::nullopt;
  }
  WAMS_FUZZ_CHECK(expect_valid);

  // The same decision from the policy on the case as the exchange sees it.
  absl::StatusOr<std::optional<v1::Case>> snapshot =
      world.cases().Snapshot(request.case_id(), request.subject_bsn());
  WAMS_FUZZ_CHECK_MSG(snapshot.ok(), snapshot.status().ToString());
  Facts facts;
  facts.snapshot = snapshot->has_value() ? &**snapshot : nullptr;
  facts.requester = caller.party;
  facts.professional_id = caller.professional_id;
  facts.target = world.registry().Find(request.provider_oin());
  facts.kind = RequestKind::kDataRequest;
  facts.purpose = request.purpose();
  facts.subject_bsn = request.subject_bsn();
  facts.subject_details = &request.subject_details();
  facts.category_count = request.categories_size();
  v1::Decision direct = DecideDeterministically(InputFrom(facts, request));
  // The caller sees the decision as far as it may know the case's facts.
  WAMS_FUZZ_CHECK(DeterministicBytes(checked->decision()) ==
                  DeterministicBytes(policy::RedactFor(direct, facts.snapshot, caller.party,
                                                       policy::RuleId::kR10)));
  WAMS_FUZZ_CHECK(policy::MayKnowCaseFacts(facts.snapshot, caller.party) ||
                  (!checked->decision().allowed() && checked->decision().consent_basis().empty()));
  CheckDecision(direct, facts, Echoable(request, facts.snapshot, caller.professional_id));
  return direct;
}

bool Has(const google::protobuf::RepeatedPtrField<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A provider's answer to a request with `decision`, as Policy::CheckAnswer
// judges it before anything reaches the requester.
void FuzzAnswer(const v1::Decision& decision, const v1::DataRequest& request,
                const v1::ProviderResponse& answer) {
  const policy::Policy& policy = World().policy();
  const v1::Decision verdict = policy.CheckAnswer(decision, answer, request.language());
  const std::string bytes = DeterministicBytes(verdict);
  WAMS_FUZZ_CHECK(DeterministicBytes(policy.CheckAnswer(decision, answer, request.language())) ==
                  bytes);
  WAMS_FUZZ_CHECK(verdict.allowed() == verdict.failed_rule_ids().empty());
  WAMS_FUZZ_CHECK(verdict.policy_version() == policy.version());
  for (const v1::RuleResult& rule : verdict.rules()) {
    WAMS_FUZZ_CHECK(rule.outcome() != v1::RULE_OUTCOME_UNSPECIFIED);
    WAMS_FUZZ_CHECK(rule.outcome() != v1::RULE_OUTCOME_FAILED ||
                    Has(verdict.failed_rule_ids(), rule.rule_id()));
  }
  if (!verdict.allowed()) return;

  // R16: one of the three outcomes, well-formed, only what was asked.
  WAMS_FUZZ_CHECK(decision.allowed());
  google::protobuf::RepeatedPtrField<std::string> requested;
  for (const v1::ConsentBasis& basis : decision.consent_basis())
    *requested.Add() = basis.category();
  google::protobuf::RepeatedPtrField<std::string> provided;
  for (const v1::CategoryData& data : answer.data()) {
    WAMS_FUZZ_CHECK(Has(requested, data.category()));
    WAMS_FUZZ_CHECK(!Has(provided, data.category()));  // each once
    *provided.Add() = data.category();
  }
  switch (answer.status()) {
    case v1::PROVIDER_ANSWER_STATUS_REFUSED:
      WAMS_FUZZ_CHECK(answer.data().empty() && !answer.refusal_reasons().empty());
      break;
    case v1::PROVIDER_ANSWER_STATUS_PROVIDED:
      WAMS_FUZZ_CHECK(answer.withheld_categories().empty());
      for (const std::string& category : requested) WAMS_FUZZ_CHECK(Has(provided, category));
      break;
    case v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED:
      WAMS_FUZZ_CHECK(!answer.withheld_categories().empty() && !answer.refusal_reasons().empty());
      for (const std::string& withheld : answer.withheld_categories()) {
        WAMS_FUZZ_CHECK(Has(requested, withheld) && !Has(provided, withheld));
      }
      for (const std::string& category : requested) {
        WAMS_FUZZ_CHECK(Has(provided, category) || Has(answer.withheld_categories(), category));
      }
      break;
    default:
      WAMS_FUZZ_CHECK_MSG(false, "an answer without a valid status was let through");
  }
  // R17 / R18: a provided category under an obligation comes with its statement.
  for (const v1::Obligation& obligation : decision.obligations()) {
    const bool statement_needed = obligation.kind() == v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT ||
                                  obligation.kind() == v1::OBLIGATION_KIND_LEGAL_BASIS;
    if (!statement_needed) continue;
    bool covered = false;
    for (const std::string& category : provided) {
      covered =
          covered || obligation.categories().empty() || Has(obligation.categories(), category);
    }
    if (!covered) continue;
    const std::string& statement = obligation.kind() == v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT
                                       ? answer.good_care_statement()
                                       : answer.legal_basis();
    WAMS_FUZZ_CHECK(!statement.empty());
  }
}

void FuzzDecideOnCase(const identity::Caller& caller, const v1::DataRequest& request,
                      const v1::Case* snapshot, RequestKind kind) {
  Facts facts;
  facts.snapshot = snapshot;
  facts.requester = caller.party;
  facts.professional_id = caller.professional_id;
  facts.target = World().registry().Find(request.provider_oin());
  facts.kind = kind;
  facts.purpose = request.purpose();
  facts.subject_bsn = request.subject_bsn();
  facts.subject_details = &request.subject_details();
  facts.category_count = request.categories_size();
  v1::Decision decision = DecideDeterministically(InputFrom(facts, request));
  CheckDecision(decision, facts, Echoable(request, snapshot, caller.professional_id));
}

int FuzzOne(const uint8_t* data, size_t size) {
  // A request is at most a few KiB (16 categories, a 4 KiB justification);
  // larger inputs only slow the fuzzer down.
  if (size > 64 * 1024) return 0;
  FuzzWorld& world = World();
  InputReader in(data, size);
  const identity::Caller& base = world.callers()[in.U8() % world.callers().size()];
  identity::Caller caller = base;
  caller.professional_id = kProfessionals[in.U8() % std::size(kProfessionals)];
  const uint8_t case_choice = in.U8();
  const uint8_t subject_choice = in.U8();
  const uint8_t flags = in.U8();
  const std::string_view request_bytes = in.Bytes(in.U16());
  const std::string_view case_bytes = in.Rest();

  v1::DataRequest request;
  if (!request.ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) {
    return 0;
  }
  if (case_choice < kCaseCount) request.set_case_id(world.case_ids()[case_choice]);
  if (subject_choice < std::size(kSubjects)) request.set_subject_bsn(kSubjects[subject_choice]);

  // ParseBsn names what is wrong and never repeats the number.
  absl::StatusOr<base::Bsn> bsn = base::ParseBsn(request.subject_bsn(), "subject_bsn");
  WAMS_FUZZ_CHECK(bsn.ok() == wire::IsValidBsn(request.subject_bsn()));
  if (!bsn.ok()) {
    WAMS_FUZZ_CHECK(bsn.status().code() == absl::StatusCode::kInvalidArgument);
    WAMS_FUZZ_CHECK(!LeaksBsn(bsn.status().message(), request.subject_bsn(), ""));
  }

  const std::optional<v1::Decision> decision = FuzzCheckRequest(caller, request);

  if ((flags & 4) != 0) {  // the rest is the provider's answer
    v1::ProviderResponse answer;
    if (decision.has_value() &&
        answer.ParseFromArray(case_bytes.data(), static_cast<int>(case_bytes.size()))) {
      FuzzAnswer(*decision, request, answer);
    }
    return 0;
  }
  v1::Case fuzzed_case;
  if (!fuzzed_case.ParseFromArray(case_bytes.data(), static_cast<int>(case_bytes.size()))) {
    return 0;
  }
  FuzzDecideOnCase(caller, request, (flags & 2) != 0 ? nullptr : &fuzzed_case,
                   (flags & 1) != 0 ? RequestKind::kShareData : RequestKind::kDataRequest);
  return 0;
}

}  // namespace
}  // namespace wams::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Protobuf logs every invalid string it parses; the fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wams::fuzz::FuzzOne(data, size);
}
