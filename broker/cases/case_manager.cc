#include "broker/cases/case_manager.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/bsn.h"
#include "broker/base/request_binding.h"
#include "broker/base/status_details.h"
#include "broker/base/status_macros.h"
#include "broker/base/uuid.h"
#include "broker/receipts/receipt_builder.h"
#include "policy/refusal_code.h"

namespace wams::cases {
namespace {

using identity::Caller;

bool IsMunicipality(const Caller& caller) {
  return caller.party != nullptr && caller.party->role() == v1::PARTY_ROLE_MUNICIPALITY;
}

absl::Status RequireText(absl::string_view value, absl::string_view field) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
}

absl::Status RequireOpen(const v1::Case& c) {
  if (c.phase() == v1::CASE_PHASE_CLOSED || c.phase() == v1::CASE_PHASE_DECLINED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case ", c.case_id(), " is ", v1::CasePhase_Name(c.phase()), ": no further changes"));
  }
  return absl::OkStatus();
}

// The case's client with `pseudonym`, or null. A family member recorded as
// not (yet) agreeing is no client (R11): no consent of theirs is recorded.
bool IsOneOf(const std::string& pseudonym, const std::vector<std::string>& pseudonyms) {
  return std::find(pseudonyms.begin(), pseudonyms.end(), pseudonym) != pseudonyms.end();
}

// The client (primary or agreed) stored under any of the subject's pseudonyms.
const v1::CaseClient* FindClient(const v1::Case& c, const std::vector<std::string>& pseudonyms) {
  for (const v1::CaseClient& client : c.clients()) {
    if (IsOneOf(client.subject_pseudonym(), pseudonyms) && (client.primary() || client.agreed())) {
      return &client;
    }
  }
  return nullptr;
}

absl::Status ValidateDomains(const google::protobuf::RepeatedField<int>& domains,
                             absl::string_view field) {
  for (int i = 0; i < domains.size(); ++i) {
    if (domains[i] == v1::DOMAIN_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "]: DOMAIN_UNSPECIFIED is not a domain"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateLaws(const google::protobuf::RepeatedField<int>& laws,
                          absl::string_view field) {
  for (int i = 0; i < laws.size(); ++i) {
    if (laws[i] == v1::SOCIAL_LAW_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "]: SOCIAL_LAW_UNSPECIFIED is not a law"));
    }
  }
  return absl::OkStatus();
}

// The client's scope and the adjacent domains (R04, R12), as OpenClientCase
// and SetClientScope take them: checked alike, named alike.
absl::Status ValidateScope(const v1::ClientScope& scope,
                           const google::protobuf::RepeatedField<int>& adjacent_domains) {
  WAMS_RETURN_IF_ERROR(ValidateDomains(scope.domains_in(), "scope.domains_in"));
  WAMS_RETURN_IF_ERROR(ValidateDomains(scope.domains_out(), "scope.domains_out"));
  return ValidateDomains(adjacent_domains, "adjacent_domains");
}

std::string DomainNames(const google::protobuf::RepeatedField<int>& domains) {
  std::vector<std::string> names;
  for (int domain : domains) names.push_back(v1::Domain_Name(static_cast<v1::Domain>(domain)));
  return absl::StrJoin(names, ", ");
}

// The receipt's words for a scope just set.
std::string ScopeSummary(const v1::Case& c) {
  return absl::StrCat("in [", DomainNames(c.scope().domains_in()), "], out [",
                      DomainNames(c.scope().domains_out()), "]; adjacent domains (R12) [",
                      DomainNames(c.adjacent_domains()), "]");
}

// What the broker derives from a case for its readers (R12, R13), kept
// current with every change and filled in on reading (cases stored before
// the fields existed lack them).
void SetCoordinationFacts(v1::Case& c) {
  c.set_coordination_ground(policy::CoordinationGroundOf(c));
  c.set_coordinator_kind(policy::CoordinatorKindOf(c));
}

// What a caller hears about a case it may not see: the same as about a case
// that does not exist, so that an id seen elsewhere tells nothing.
absl::Status NoSuchCase(absl::string_view case_id, absl::string_view may) {
  return absl::NotFoundError(
      absl::StrCat("case_id: no case ", case_id, " that this party may ", may));
}

// The case as `caller` may read it, or nullopt when it may not: the case's
// municipality and its designated coordinator (party and professional, in
// coordination) read it whole; the professional who asked for the
// investigation hears the outcome, not the case (R02).
std::optional<v1::Case> ReadableView(const Caller& caller, v1::Case found) {
  const std::string& oin = caller.party->oin();
  const bool is_municipality = IsMunicipality(caller) && oin == found.municipality_oin();
  const v1::DesignatedCoordinator& coordinator = found.coordination().designated();
  const bool is_coordinator = found.phase() == v1::CASE_PHASE_COORDINATION &&
                              coordinator.party_oin() == oin &&
                              coordinator.professional_id() == caller.professional_id;
  if (is_municipality || is_coordinator) {
    SetCoordinationFacts(found);
    return found;
  }
  if (found.professional_request().requester_oin() != oin) return std::nullopt;
  v1::Case outcome;
  outcome.set_case_id(found.case_id());
  outcome.set_municipality_oin(found.municipality_oin());
  outcome.set_origin(found.origin());
  outcome.set_phase(found.phase());
  *outcome.mutable_professional_request() = found.professional_request();
  return outcome;
}

}  // namespace

absl::StatusOr<std::string> CaseManager::Pseudonym(absl::string_view bsn) const {
  return deps_.subject_keys->Pseudonymize(std::string_view(bsn.data(), bsn.size()));
}

absl::StatusOr<std::vector<std::string>> CaseManager::Pseudonyms(absl::string_view bsn) const {
  return deps_.subject_keys->Find(std::string_view(bsn.data(), bsn.size()));
}

void CaseManager::SetNow(google::protobuf::Timestamp* timestamp) const {
  receipts::SetTimestamp(deps_.clock->Now(), timestamp);
}

absl::Mutex& CaseManager::LockFor(const std::string& case_id) {
  return locks_[absl::Hash<std::string>()(case_id) % kLockStripes];
}

absl::Status CaseManager::Refuse(const Caller& caller, absl::string_view case_id,
                                 v1::ReceiptKind kind, absl::Status status,
                                 const v1::Decision* decision) {
  v1::Receipt receipt = receipts::NewReceipt(kind, caller, case_id, *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_REFUSED);
  // Status messages never hold a BSN (see broker/base/bsn.h), so they may be receipted.
  receipt.set_detail(std::string(status.message()));
  if (decision != nullptr) {
    receipt.mutable_failed_rule_ids()->CopyFrom(decision->failed_rule_ids());
    receipt.set_policy_version(decision->policy_version());
    base::AttachDetail(status, *decision);
  }
  absl::StatusOr<v1::SignedReceipt> stored = deps_.ledger->Append(receipt);
  if (!stored.ok()) return stored.status();  // fail closed: the log could not record it
  base::AttachDetail(status, *stored);
  return status;
}

absl::StatusOr<v1::CaseResponse> CaseManager::Commit(const Caller& caller, v1::Case c,
                                                     v1::ReceiptKind kind, std::string detail,
                                                     absl::string_view request_id,
                                                     absl::string_view digest) {
  c.set_version(c.version() + 1);
  SetCoordinationFacts(c);
  v1::Receipt receipt = receipts::NewReceipt(kind, caller, c.case_id(), *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  receipt.set_detail(std::move(detail));
  receipt.set_request_id(std::string(request_id));
  for (const v1::CaseClient& client : c.clients()) {
    if (client.primary()) receipt.set_subject_pseudonym(client.subject_pseudonym());
  }
  // The case (and, for an opening, its request id) in the receipt's batch:
  // one fsync, and never a receipt for a change the store lacks.
  const std::string& caller_oin = caller.party->oin();
  WAMS_ASSIGN_OR_RETURN(
      v1::SignedReceipt stored, deps_.ledger->Append(receipt, [&](const v1::SignedReceipt&) {
        storage::WriteBatch records = CaseStore::Record(c);
        if (!request_id.empty()) {
          records.Append(
              CaseStore::OpenedRecord(caller_oin, std::string(request_id), c.case_id(), digest));
        }
        return records;
      }));
  v1::CaseResponse response;
  *response.mutable_case_() = std::move(c);
  *response.mutable_receipt() = std::move(stored);
  return response;
}

absl::StatusOr<v1::CaseResponse> CaseManager::ChangeCase(const Caller& caller,
                                                         const std::string& case_id,
                                                         v1::ReceiptKind kind,
                                                         const Change& change) {
  if (absl::Status status = RequireText(case_id, "case_id"); !status.ok()) {
    return Refuse(caller, case_id, kind, status);
  }
  absl::MutexLock lock(&LockFor(case_id));
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found, deps_.store->Get(case_id));
  // Only the case's municipality changes it; to anyone else the case is as
  // absent as one that does not exist.
  if (!found.has_value() || !IsMunicipality(caller) ||
      caller.party->oin() != found->municipality_oin()) {
    return Refuse(caller, case_id, kind, NoSuchCase(case_id, "change"));
  }
  std::optional<v1::Decision> decision;
  absl::StatusOr<std::string> detail = change(*found, decision);
  if (!detail.ok()) {
    return Refuse(caller, case_id, kind, detail.status(),
                  decision.has_value() ? &*decision : nullptr);
  }
  WAMS_ASSIGN_OR_RETURN(v1::CaseResponse response,
                        Commit(caller, *std::move(found), kind, *std::move(detail), ""));
  if (decision.has_value()) *response.mutable_decision() = *std::move(decision);
  return response;
}

absl::StatusOr<std::string> CaseManager::OpeningDigest(
    const Caller& caller, absl::string_view kind, absl::string_view client_bsn,
    const google::protobuf::MessageLite& request) const {
  // Keyed under the client's key: the request names a BSN.
  const std::string text =
      base::RequestBindingText(kind, caller.party->oin(), caller.professional_id, request);
  return deps_.subject_keys->Keyed(std::string_view(client_bsn.data(), client_bsn.size()), text);
}

absl::StatusOr<std::optional<v1::CaseResponse>> CaseManager::OpenedBefore(
    const Caller& caller, const std::string& request_id, absl::string_view digest) {
  WAMS_ASSIGN_OR_RETURN(std::optional<base::BoundValue> opened,
                        deps_.store->FindOpened(caller.party->oin(), request_id));
  if (!opened.has_value()) return std::nullopt;
  if (std::optional<base::Reuse> reuse = base::ReuseOf(*opened, digest)) {
    // Never the case another request opened: refused and receipted.
    return Refuse(caller, "", v1::RECEIPT_KIND_CASE_EVENT, base::ReusedRequestId(*reuse));
  }
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> existing, deps_.store->Get(opened->value));
  if (!existing.has_value()) return std::nullopt;
  // As the caller may see it now: a professional who asked for an
  // investigation hears its outcome, not what the case holds since.
  std::optional<v1::Case> view = ReadableView(caller, *std::move(existing));
  if (!view.has_value()) return std::nullopt;
  v1::CaseResponse response;
  *response.mutable_case_() = *std::move(view);
  return response;
}

absl::StatusOr<v1::CaseResponse> CaseManager::CommitOpened(const Caller& caller, v1::Case c,
                                                           std::string detail,
                                                           const std::string& request_id,
                                                           absl::string_view digest) {
  return Commit(caller, std::move(c), v1::RECEIPT_KIND_CASE_EVENT, std::move(detail), request_id,
                digest);
}

absl::StatusOr<v1::CaseResponse> CaseManager::OpenClientCase(
    const Caller& caller, const v1::OpenClientCaseRequest& request) {
  constexpr v1::ReceiptKind kKind = v1::RECEIPT_KIND_CASE_EVENT;
  // Only a municipality opens a case on a client's request (R27: roles from
  // the registry).
  v1::Decision role = deps_.policy->DecideRole({.actor = caller.party,
                                                .role_fits = IsMunicipality(caller),
                                                .language = v1::LANGUAGE_ENGLISH});
  if (!role.allowed()) return Refuse(caller, "", kKind, policy::RefusalStatus(role), &role);
  absl::Status valid = RequireText(request.request_id(), "request_id");
  if (valid.ok()) valid = base::ParseBsn(request.client_bsn(), "client_bsn").status();
  if (valid.ok()) valid = ValidateLaws(request.social_laws(), "social_laws");
  if (valid.ok()) valid = ValidateScope(request.scope(), request.adjacent_domains());
  if (!valid.ok()) return Refuse(caller, "", kKind, valid);

  // Help is asked under a social-domain law (R01).
  v1::Decision decision =
      deps_.policy->DecideClientRequest({.requester = caller.party,
                                         .professional_id = caller.professional_id,
                                         .social_laws = request.social_laws(),
                                         .language = v1::LANGUAGE_ENGLISH});
  if (!decision.allowed()) {
    return Refuse(caller, "", kKind, policy::RefusalStatus(decision), &decision);
  }

  // A retry of the same request returns the case it opened. Serialised per
  // request id, so two calls with one id cannot both open a case.
  WAMS_ASSIGN_OR_RETURN(const std::string digest,
                        OpeningDigest(caller, "case-open-client", request.client_bsn(), request));
  absl::MutexLock lock(&LockFor(CaseStore::OpenKey(caller.party->oin(), request.request_id())));
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::CaseResponse> earlier,
                        OpenedBefore(caller, request.request_id(), digest));
  if (earlier.has_value()) return *std::move(earlier);

  v1::Case c;
  c.set_case_id(base::NewUuidV7(deps_.clock->Now()));
  c.set_municipality_oin(caller.party->oin());
  c.set_origin(v1::CASE_ORIGIN_CLIENT_REQUEST);
  c.set_phase(v1::CASE_PHASE_RESEARCH);
  // The client asked for help: informed by definition.
  c.set_client_informed(true);
  v1::CaseClient* client = c.add_clients();
  client->set_primary(true);
  client->set_agreed(true);
  WAMS_ASSIGN_OR_RETURN(std::string pseudonym, Pseudonym(request.client_bsn()));
  client->set_subject_pseudonym(std::move(pseudonym));
  SetNow(client->mutable_agreed_at());
  *c.mutable_social_laws() = request.social_laws();
  *c.mutable_scope() = request.scope();
  *c.mutable_adjacent_domains() = request.adjacent_domains();
  SetNow(c.mutable_opened_at());
  std::string detail =
      absl::StrCat("opened on the client's request (R01); client scope (R04): ", ScopeSummary(c));
  WAMS_ASSIGN_OR_RETURN(
      v1::CaseResponse response,
      CommitOpened(caller, std::move(c), std::move(detail), request.request_id(), digest));
  *response.mutable_decision() = std::move(decision);
  return response;
}

absl::StatusOr<v1::CaseResponse> CaseManager::OpenProfessionalCase(
    const Caller& caller, const v1::OpenProfessionalCaseRequest& request) {
  constexpr v1::ReceiptKind kKind = v1::RECEIPT_KIND_CASE_EVENT;
  absl::Status valid = RequireText(request.request_id(), "request_id");
  if (valid.ok()) valid = base::ParseBsn(request.client_bsn(), "client_bsn").status();
  const v1::Party* municipality = deps_.registry->Find(request.municipality_oin());
  if (valid.ok() &&
      (municipality == nullptr || municipality->role() != v1::PARTY_ROLE_MUNICIPALITY)) {
    valid = absl::InvalidArgumentError(absl::StrCat(
        "municipality_oin: ", request.municipality_oin(), " is not a configured municipality"));
  }
  if (!valid.ok()) return Refuse(caller, "", kKind, valid);

  v1::Decision decision =
      deps_.policy->DecideProfessionalRequest({.requester = caller.party,
                                               .professional_id = caller.professional_id,
                                               .grounds = request.grounds(),
                                               .language = v1::LANGUAGE_ENGLISH});
  if (!decision.allowed()) {
    return Refuse(caller, "", kKind, policy::RefusalStatus(decision), &decision);
  }
  WAMS_ASSIGN_OR_RETURN(const std::string digest, OpeningDigest(caller, "case-open-professional",
                                                                request.client_bsn(), request));
  absl::MutexLock lock(&LockFor(CaseStore::OpenKey(caller.party->oin(), request.request_id())));
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::CaseResponse> earlier,
                        OpenedBefore(caller, request.request_id(), digest));
  if (earlier.has_value()) return *std::move(earlier);

  v1::Case c;
  c.set_case_id(base::NewUuidV7(deps_.clock->Now()));
  c.set_municipality_oin(request.municipality_oin());
  c.set_origin(v1::CASE_ORIGIN_PROFESSIONAL_REQUEST);
  c.set_phase(v1::CASE_PHASE_AWAITING_DECISION);
  v1::CaseClient* client = c.add_clients();
  client->set_primary(true);
  WAMS_ASSIGN_OR_RETURN(std::string pseudonym, Pseudonym(request.client_bsn()));
  client->set_subject_pseudonym(std::move(pseudonym));
  v1::ProfessionalRequest* professional = c.mutable_professional_request();
  professional->set_requester_oin(caller.party->oin());
  professional->set_professional_id(caller.professional_id);
  *professional->mutable_grounds() = request.grounds();
  SetNow(c.mutable_opened_at());
  WAMS_ASSIGN_OR_RETURN(v1::CaseResponse response,
                        CommitOpened(caller, std::move(c), "professional request received (R02)",
                                     request.request_id(), digest));
  *response.mutable_decision() = std::move(decision);
  return response;
}

absl::StatusOr<v1::CaseResponse> CaseManager::DecideProfessionalRequest(
    const Caller& caller, const v1::DecideProfessionalRequestRequest& request) {
  return ChangeCase(
      caller, request.case_id(), v1::RECEIPT_KIND_CASE_EVENT,
      [&](v1::Case& c, std::optional<v1::Decision>& refusal) -> absl::StatusOr<std::string> {
        v1::Decision verdict =
            deps_.policy->DecideOnProfessionalRequest({.case_snapshot = c,
                                                       .requester = caller.party,
                                                       .professional_id = caller.professional_id,
                                                       .language = v1::LANGUAGE_ENGLISH});
        if (!verdict.allowed()) {
          refusal = std::move(verdict);
          return policy::RefusalStatus(*refusal);
        }
        WAMS_RETURN_IF_ERROR(RequireText(request.reason(), "reason"));
        WAMS_RETURN_IF_ERROR(ValidateLaws(request.social_laws(), "social_laws"));
        v1::ProfessionalRequestDecision* decision =
            c.mutable_professional_request()->mutable_decision();
        decision->set_accepted(request.accept());
        decision->set_reason(request.reason());
        SetNow(decision->mutable_decided_at());
        if (!request.accept()) {
          c.set_phase(v1::CASE_PHASE_DECLINED);
          return std::string("professional request declined (R02)");
        }
        c.set_phase(v1::CASE_PHASE_RESEARCH);
        *c.mutable_social_laws() = request.social_laws();
        return std::string("professional request accepted; research starts (R02)");
      });
}

absl::StatusOr<v1::CaseResponse> CaseManager::InformClient(const Caller& caller,
                                                           const v1::InformClientRequest& request) {
  return ChangeCase(caller, request.case_id(), v1::RECEIPT_KIND_CASE_EVENT,
                    [&](v1::Case& c, std::optional<v1::Decision>&) -> absl::StatusOr<std::string> {
                      WAMS_RETURN_IF_ERROR(RequireOpen(c));
                      WAMS_RETURN_IF_ERROR(RequireText(request.how(), "how"));
                      c.set_client_informed(true);
                      return absl::StrCat("client informed: ", request.how());
                    });
}

absl::StatusOr<v1::CaseResponse> CaseManager::RecordConsent(
    const Caller& caller, const v1::RecordConsentRequest& request) {
  return ChangeCase(
      caller, request.case_id(), v1::RECEIPT_KIND_CONSENT_EVENT,
      [&](v1::Case& c, std::optional<v1::Decision>& refusal) -> absl::StatusOr<std::string> {
        WAMS_RETURN_IF_ERROR(RequireOpen(c));
        WAMS_RETURN_IF_ERROR(base::ParseBsn(request.subject_bsn(), "subject_bsn").status());
        WAMS_ASSIGN_OR_RETURN(std::vector<std::string> pseudonyms,
                              Pseudonyms(request.subject_bsn()));
        const v1::CaseClient* subject = FindClient(c, pseudonyms);
        // The consent is stored under the pseudonym the client is stored under.
        const std::string pseudonym = subject != nullptr ? subject->subject_pseudonym() : "";
        v1::Decision verdict = deps_.policy->DecideRecordConsent(
            {.subject = subject, .language = v1::LANGUAGE_ENGLISH});
        if (!verdict.allowed()) {
          refusal = std::move(verdict);
          return policy::RefusalStatus(*refusal);
        }
        const v1::Party* provider = deps_.registry->Find(request.provider_oin());
        if (provider == nullptr || provider->role() != v1::PARTY_ROLE_PROVIDER) {
          return absl::InvalidArgumentError(absl::StrCat("provider_oin: ", request.provider_oin(),
                                                         " is not a configured provider"));
        }
        if (request.categories().empty()) {
          return absl::InvalidArgumentError("categories: name at least one category");
        }
        WAMS_RETURN_IF_ERROR(
            deps_.policy->catalogue().CheckKnown("categories", request.categories()));
        for (int i = 0; i < request.categories_size(); ++i) {
          if (!deps_.policy->catalogue().Offers(*provider, request.categories(i))) {
            return absl::InvalidArgumentError(
                absl::StrCat("categories[", i, "]: ", provider->name(), " does not offer \"",
                             request.categories(i), "\""));
          }
        }
        v1::Consent* consent = c.add_consents();
        consent->set_consent_id(base::NewUuidV7(deps_.clock->Now()));
        if (pseudonym.empty()) {
          WAMS_ASSIGN_OR_RETURN(std::string own, Pseudonym(request.subject_bsn()));
          consent->set_subject_pseudonym(std::move(own));
        } else {
          consent->set_subject_pseudonym(pseudonym);
        }
        consent->set_provider_oin(request.provider_oin());
        *consent->mutable_categories() = request.categories();
        SetNow(consent->mutable_given_at());
        return absl::StrCat("consent ", consent->consent_id(), " recorded for ", provider->name(),
                            ": ", absl::StrJoin(request.categories(), ", "));
      });
}

absl::StatusOr<v1::CaseResponse> CaseManager::WithdrawConsent(
    const Caller& caller, const v1::WithdrawConsentRequest& request) {
  return ChangeCase(caller, request.case_id(), v1::RECEIPT_KIND_CONSENT_EVENT,
                    [&](v1::Case& c, std::optional<v1::Decision>&) -> absl::StatusOr<std::string> {
                      for (v1::Consent& consent : *c.mutable_consents()) {
                        if (consent.consent_id() != request.consent_id()) continue;
                        if (consent.has_withdrawn_at()) {
                          return absl::FailedPreconditionError(absl::StrCat(
                              "consent_id: ", request.consent_id(), " is already withdrawn"));
                        }
                        SetNow(consent.mutable_withdrawn_at());
                        return absl::StrCat("consent ", consent.consent_id(), " withdrawn");
                      }
                      return absl::NotFoundError(absl::StrCat(
                          "consent_id: no consent ", request.consent_id(), " in this case"));
                    });
}

absl::StatusOr<v1::CaseResponse> CaseManager::SetClientScope(
    const Caller& caller, const v1::SetClientScopeRequest& request) {
  return ChangeCase(
      caller, request.case_id(), v1::RECEIPT_KIND_CASE_EVENT,
      [&](v1::Case& c, std::optional<v1::Decision>&) -> absl::StatusOr<std::string> {
        WAMS_RETURN_IF_ERROR(RequireOpen(c));
        WAMS_RETURN_IF_ERROR(ValidateScope(request.scope(), request.adjacent_domains()));
        *c.mutable_scope() = request.scope();
        *c.mutable_adjacent_domains() = request.adjacent_domains();
        return absl::StrCat("client scope set (R04): ", ScopeSummary(c));
      });
}

absl::StatusOr<v1::CaseResponse> CaseManager::AddFamilyMember(
    const Caller& caller, const v1::AddFamilyMemberRequest& request) {
  return ChangeCase(
      caller, request.case_id(), v1::RECEIPT_KIND_CASE_EVENT,
      [&](v1::Case& c, std::optional<v1::Decision>&) -> absl::StatusOr<std::string> {
        WAMS_RETURN_IF_ERROR(RequireOpen(c));
        WAMS_RETURN_IF_ERROR(base::ParseBsn(request.bsn(), "bsn").status());
        WAMS_ASSIGN_OR_RETURN(std::vector<std::string> pseudonyms, Pseudonyms(request.bsn()));
        auto existing = std::find_if(c.mutable_clients()->begin(), c.mutable_clients()->end(),
                                     [&](const v1::CaseClient& client) {
                                       return IsOneOf(client.subject_pseudonym(), pseudonyms);
                                     });
        if (existing != c.mutable_clients()->end() && (existing->primary() || existing->agreed())) {
          return absl::AlreadyExistsError("bsn: already a client of this case");
        }
        // A family member discussed with the client but not (yet) agreeing is
        // recorded as such: requests about them are refused citing R11.
        // A new member is stored under their own key's pseudonym; one found
        // keeps the pseudonym they are stored under.
        v1::CaseClient* member = nullptr;
        if (existing != c.mutable_clients()->end()) {
          member = &*existing;
        } else {
          WAMS_ASSIGN_OR_RETURN(std::string pseudonym, Pseudonym(request.bsn()));
          member = c.add_clients();
          member->set_subject_pseudonym(std::move(pseudonym));
        }
        member->set_agreed(request.agreed());
        if (!request.agreed()) {
          return std::string("family member recorded as not agreeing: not a client (R11)");
        }
        SetNow(member->mutable_agreed_at());
        return std::string("family member agreed to be involved and is a client (R11)");
      });
}

absl::StatusOr<v1::CaseResponse> CaseManager::StartCoordination(
    const Caller& caller, const v1::StartCoordinationRequest& request) {
  return ChangeCase(
      caller, request.case_id(), v1::RECEIPT_KIND_CASE_EVENT,
      [&](v1::Case& c, std::optional<v1::Decision>& decision) -> absl::StatusOr<std::string> {
        // The phase too is the policy's (R10): the refusal cites it.
        decision = deps_.policy->DecideStartCoordination({.case_snapshot = c,
                                                          .requester = caller.party,
                                                          .professional_id = caller.professional_id,
                                                          .coordination = request.coordination(),
                                                          .language = v1::LANGUAGE_ENGLISH});
        if (!decision->allowed()) {
          return policy::RefusalStatus(*decision);
        }
        *c.mutable_coordination() = request.coordination();
        c.set_phase(v1::CASE_PHASE_COORDINATION);
        SetCoordinationFacts(c);
        // The receipt says in words what the case's fields say as data.
        const std::string ground = absl::StrCat(
            "coordination started, ", v1::CoordinationGround_Name(c.coordination_ground()),
            " (R12); ", v1::CoordinatorKind_Name(c.coordinator_kind()), " (R13)");
        if (request.coordination().has_self()) {
          return absl::StrCat(ground, ": by ", request.coordination().self().by(),
                              "; no coordination requests pass the broker");
        }
        return absl::StrCat(ground, ": coordinator ",
                            request.coordination().designated().professional_id(), " of ",
                            request.coordination().designated().party_oin());
      });
}

absl::StatusOr<v1::CaseResponse> CaseManager::CloseCase(const Caller& caller,
                                                        const v1::CloseCaseRequest& request) {
  return ChangeCase(caller, request.case_id(), v1::RECEIPT_KIND_CASE_EVENT,
                    [&](v1::Case& c, std::optional<v1::Decision>&) -> absl::StatusOr<std::string> {
                      WAMS_RETURN_IF_ERROR(RequireOpen(c));
                      WAMS_RETURN_IF_ERROR(RequireText(request.reason(), "reason"));
                      c.set_phase(v1::CASE_PHASE_CLOSED);
                      SetNow(c.mutable_closed_at());
                      return absl::StrCat("case closed (R10): ", request.reason());
                    });
}

absl::StatusOr<v1::CaseResponse> CaseManager::GetCase(const Caller& caller,
                                                      const v1::GetCaseRequest& request) {
  constexpr v1::ReceiptKind kKind = v1::RECEIPT_KIND_CASE_EVENT;
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found, deps_.store->Get(request.case_id()));
  std::optional<v1::Case> view;
  if (found.has_value()) view = ReadableView(caller, *std::move(found));
  if (!view.has_value()) {
    // A case the caller may not read is answered like none at all.
    return Refuse(caller, request.case_id(), kKind, NoSuchCase(request.case_id(), "read"));
  }
  v1::Receipt receipt = receipts::NewReceipt(kKind, caller, view->case_id(), *deps_.clock);
  receipt.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  receipt.set_detail("case read");
  WAMS_ASSIGN_OR_RETURN(v1::SignedReceipt stored, deps_.ledger->Append(receipt));
  v1::CaseResponse response;
  *response.mutable_case_() = *std::move(view);
  *response.mutable_receipt() = std::move(stored);
  return response;
}

absl::StatusOr<std::optional<v1::Case>> CaseManager::Snapshot(const std::string& case_id,
                                                              absl::string_view subject_bsn) const {
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found, deps_.store->Get(case_id));
  if (!found.has_value() || subject_bsn.empty()) return found;
  WAMS_ASSIGN_OR_RETURN(std::vector<std::string> pseudonyms, Pseudonyms(subject_bsn));
  for (v1::CaseClient& client : *found->mutable_clients()) {
    if (IsOneOf(client.subject_pseudonym(), pseudonyms)) client.set_bsn(std::string(subject_bsn));
  }
  for (v1::Consent& consent : *found->mutable_consents()) {
    if (IsOneOf(consent.subject_pseudonym(), pseudonyms)) {
      consent.set_subject_bsn(std::string(subject_bsn));
    }
  }
  return found;
}

absl::StatusOr<v1::SignedReceipt> CaseManager::AppendInvolving(const std::string& case_id,
                                                               const std::string& party_oin,
                                                               const v1::Receipt& decision) {
  absl::MutexLock lock(&LockFor(case_id));
  WAMS_ASSIGN_OR_RETURN(std::optional<v1::Case> found, deps_.store->Get(case_id));
  if (!found.has_value()) return absl::NotFoundError(absl::StrCat("no case ", case_id));
  const auto& involved = found->involved_party_oins();
  const bool already = std::find(involved.begin(), involved.end(), party_oin) != involved.end();
  if (!already) {
    found->add_involved_party_oins(party_oin);
    found->set_version(found->version() + 1);
  }
  return deps_.ledger->Append(decision, [&](const v1::SignedReceipt&) {
    storage::WriteBatch records;
    if (!already) records.Append(CaseStore::Record(*found));
    return records;
  });
}

}  // namespace wams::cases
