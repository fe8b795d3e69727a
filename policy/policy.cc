#include "policy/policy.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "policy/base/status_macros.h"
#include "policy/bsn.h"
#include "policy/internal/messages.h"
#include "policy/internal/names.h"
#include "policy/rules.h"
#include "proto/wire/subject_details.h"

namespace wams::policy {
namespace {

using internal::FastEquals;
using internal::HasContent;
using internal::Msg;

constexpr v1::RuleOutcome kPassed = v1::RULE_OUTCOME_PASSED;
constexpr v1::RuleOutcome kFailed = v1::RULE_OUTCOME_FAILED;
constexpr v1::RuleOutcome kNotApplicable = v1::RULE_OUTCOME_NOT_APPLICABLE;

v1::Language Normalise(v1::Language language) {
  return language == v1::LANGUAGE_ENGLISH ? v1::LANGUAGE_ENGLISH : v1::LANGUAGE_DUTCH;
}

// Accumulates one Decision. Messages come from static tables; only a failure
// with a detail (a category, a domain) formats a string.
class Builder {
 public:
  // Fills `*out`, which is cleared first. When `out` lives on an arena, or is
  // a reused message, its memory is reused: the cheap path for hot callers.
  Builder(v1::Decision* out, v1::Language language, const std::string& version)
      : language_(Normalise(language)), decision_(*out) {
    decision_.Clear();
    decision_.set_policy_version(version);
    decision_.set_language(language_);
  }

  void Add(RuleId rule, v1::RuleOutcome outcome, Msg msg, absl::string_view detail = {}) {
    const RuleInfo& info = GetRule(rule);
    v1::RuleResult* result = decision_.add_rules();
    result->set_rule_id(info.id.data(), info.id.size());
    result->set_article(info.article.data(), info.article.size());
    result->set_outcome(outcome);
    if (detail.empty()) {
      const absl::string_view text = internal::Text(msg, language_);
      result->set_message(text.data(), text.size());
    } else {
      result->set_message(absl::StrCat(internal::Text(msg, language_), ": \"", detail, "\""));
    }
    if (outcome == kFailed) decision_.add_failed_rule_ids(info.id.data(), info.id.size());
  }
  void Pass(RuleId rule, Msg msg) { Add(rule, kPassed, msg); }
  void Fail(RuleId rule, Msg msg, absl::string_view detail = {}) {
    Add(rule, kFailed, msg, detail);
  }
  void NotApplicable(RuleId rule, Msg msg) { Add(rule, kNotApplicable, msg); }

  v1::Obligation* AddObligation(v1::ObligationKind kind, RuleId rule, Msg msg) {
    v1::Obligation* obligation = decision_.add_obligations();
    obligation->set_kind(kind);
    const absl::string_view id = GetRule(rule).id;
    const absl::string_view text = internal::Text(msg, language_);
    obligation->set_rule_id(id.data(), id.size());
    obligation->set_message(text.data(), text.size());
    return obligation;
  }

  void AddConsentBasis(absl::string_view category, const std::string* consent_id) {
    v1::ConsentBasis* basis = decision_.add_consent_basis();
    basis->set_category(category.data(), category.size());
    if (consent_id != nullptr) {
      basis->set_explicit_consent(true);
      basis->set_consent_id(*consent_id);
    }
  }

  // Deny by default: allowed only when rules were checked and none failed.
  // Obligations only travel with a granted request.
  void Finish() {
    const bool allowed = decision_.rules_size() > 0 && decision_.failed_rule_ids_size() == 0;
    decision_.set_allowed(allowed);
    if (!allowed) decision_.clear_obligations();
  }

 private:
  v1::Language language_;
  v1::Decision& decision_;
};

// --- Facts about the case -----------------------------------------------------

bool IsOpen(const v1::Case& c) {
  return c.phase() == v1::CASE_PHASE_AWAITING_DECISION || c.phase() == v1::CASE_PHASE_RESEARCH ||
         c.phase() == v1::CASE_PHASE_COORDINATION;
}

bool IsMunicipalityOf(const v1::Case& c, const v1::Party& party) {
  return party.role() == v1::PARTY_ROLE_MUNICIPALITY && !party.oin().empty() &&
         party.oin() == c.municipality_oin();
}

bool IsDesignatedCoordinator(const v1::Case& c, const v1::Party& party,
                             absl::string_view professional_id) {
  if (!c.coordination().has_designated() || professional_id.empty()) return false;
  const v1::DesignatedCoordinator& designated = c.coordination().designated();
  return designated.party_oin() == party.oin() && designated.professional_id() == professional_id;
}

bool IsInvolved(const v1::Case& c, absl::string_view oin) {
  for (int i = 0; i < c.involved_party_oins_size(); ++i) {
    if (FastEquals(c.involved_party_oins(i), oin)) return true;
  }
  return false;
}

// True when `party` lists `name` among the categories it offers.
bool Lists(const v1::Party& party, absl::string_view name) {
  for (int i = 0; i < party.data_categories_size(); ++i) {
    if (FastEquals(party.data_categories(i), name)) return true;
  }
  return false;
}

// The catalogue entry of each requested category in the offering party's
// domain (nullptr: not in the catalogue), looked up once and shared by R06 and
// R17/R18.
using CategoryEntries = absl::InlinedVector<const v1::DataCategory*, 16>;

bool ContainsDomain(const google::protobuf::RepeatedField<int>& domains, v1::Domain domain) {
  return std::find(domains.begin(), domains.end(), static_cast<int>(domain)) != domains.end();
}

const v1::CaseClient* FindPerson(const v1::Case& c, absl::string_view bsn) {
  for (const v1::CaseClient& client : c.clients()) {
    if (FastEquals(client.bsn(), bsn)) return &client;
  }
  return nullptr;
}

const v1::CaseClient* PrimaryClient(const v1::Case& c) {
  for (const v1::CaseClient& client : c.clients()) {
    if (client.primary()) return &client;
  }
  return nullptr;
}

bool IsAllowedPurpose(v1::Purpose purpose) {
  return purpose == v1::PURPOSE_RESEARCH || purpose == v1::PURPOSE_COORDINATION ||
         purpose == v1::PURPOSE_CASE_CONFERENCE;
}

// The phase a purpose belongs to. A case conference is held for research or
// coordination, whichever phase the case is in.
enum class Track { kNone, kResearch, kCoordination };

Track TrackOf(v1::Purpose purpose, const v1::Case* c) {
  switch (purpose) {
    case v1::PURPOSE_RESEARCH:
      return Track::kResearch;
    case v1::PURPOSE_COORDINATION:
      return Track::kCoordination;
    case v1::PURPOSE_CASE_CONFERENCE:
      return (c != nullptr && c->phase() == v1::CASE_PHASE_COORDINATION) ? Track::kCoordination
                                                                         : Track::kResearch;
    default:
      return Track::kNone;
  }
}

// The distinct known social-domain laws in `laws` (R01, R12); unknown
// numbers and repeats do not count.
int DistinctSocialLaws(const google::protobuf::RepeatedField<int>& laws) {
  bool seen[v1::SocialLaw_ARRAYSIZE] = {};
  int count = 0;
  for (int law : laws) {
    if (law <= v1::SOCIAL_LAW_UNSPECIFIED || law >= v1::SocialLaw_ARRAYSIZE || seen[law]) continue;
    seen[law] = true;
    ++count;
  }
  return count;
}

bool NeedsConsentOrGoodCare(v1::SecrecyRegime regime) {
  // An unset regime (a party that bypassed the validated registry) gets the
  // stricter consent rule rather than none.
  return regime == v1::SECRECY_REGIME_MEDICAL || regime == v1::SECRECY_REGIME_YOUTH_CARE_SKJ ||
         regime == v1::SECRECY_REGIME_UNSPECIFIED;
}

bool NeedsLegalBasis(v1::SecrecyRegime regime) {
  return regime == v1::SECRECY_REGIME_POLICE_WPG || regime == v1::SECRECY_REGIME_JUSTICE_WJSG;
}

// The explicit, unwithdrawn consents of one subject for one provider. Filtering
// once keeps the per-category lookup short even in a case with many consents.
using ConsentList = absl::InlinedVector<const v1::Consent*, 8>;

ConsentList ConsentsOf(const v1::Case& c, absl::string_view subject_bsn,
                       absl::string_view provider_oin) {
  ConsentList out;
  if (subject_bsn.empty()) return out;
  for (const v1::Consent& consent : c.consents()) {
    if (consent.has_withdrawn_at()) continue;
    if (!FastEquals(consent.subject_bsn(), subject_bsn) ||
        !FastEquals(consent.provider_oin(), provider_oin)) {
      continue;
    }
    out.push_back(&consent);
  }
  return out;
}

// consent_ids[i] = the id of the first consent in `consents` covering
// categories[i], or nullptr. Small requests compare directly; larger ones index
// the requested categories once so each covered category costs one hash lookup
// instead of a scan (a case can hold hundreds of consents).
using ConsentIds = absl::InlinedVector<const std::string*, 16>;

template <typename Categories>
ConsentIds ResolveConsents(const ConsentList& consents, const Categories& categories,
                           std::size_t count) {
  ConsentIds ids(count, nullptr);
  if (consents.empty() || count == 0) return ids;
  constexpr std::size_t kLinearLimit = 4;
  if (count <= kLinearLimit) {
    for (std::size_t i = 0; i < count; ++i) {
      const absl::string_view category = categories[i];
      for (const v1::Consent* consent : consents) {
        // Index loops: RepeatedPtrField<std::string>::begin() is not inlined.
        for (int j = 0; j < consent->categories_size() && ids[i] == nullptr; ++j) {
          if (FastEquals(consent->categories(j), category)) ids[i] = &consent->consent_id();
        }
        if (ids[i] != nullptr) break;
      }
    }
    return ids;
  }
  absl::flat_hash_map<absl::string_view, std::size_t> index;
  index.reserve(count);
  for (std::size_t i = 0; i < count; ++i) index.try_emplace(categories[i], i);
  // A 64-bit mask over a cheap signature (length, last character) of the
  // categories still unresolved: most covered categories of most consents miss
  // it and skip the hash lookup, and it shrinks as categories resolve.
  auto signature = [](absl::string_view name) -> uint64_t {
    const unsigned mix = static_cast<unsigned>(name.size()) * 31u +
                         (name.empty() ? 0u : static_cast<unsigned char>(name.back()));
    return uint64_t{1} << (mix % 64u);
  };
  auto unresolved_mask = [&] {
    uint64_t mask = 0;
    for (const auto& [name, i] : index) {
      if (ids[i] == nullptr) mask |= signature(name);
    }
    return mask;
  };
  std::size_t unresolved = index.size();
  uint64_t mask = unresolved_mask();
  for (const v1::Consent* consent : consents) {
    for (int j = 0; j < consent->categories_size(); ++j) {
      const absl::string_view covered = consent->categories(j);
      if ((signature(covered) & mask) == 0) continue;
      auto it = index.find(covered);
      if (it == index.end() || ids[it->second] != nullptr) continue;
      ids[it->second] = &consent->consent_id();
      if (--unresolved == 0) break;
      mask = unresolved_mask();
    }
    if (unresolved == 0) break;
  }
  // A category named twice (refused by R06 anyway) reports the same consent.
  for (std::size_t i = 0; i < count; ++i) {
    if (ids[i] == nullptr) ids[i] = ids[index.find(categories[i])->second];
  }
  return ids;
}

// --- Rules shared by several decisions ----------------------------------------

// R27 for the acting party alone.
void CheckActor(Builder& b, const v1::Party* actor, absl::string_view professional_id) {
  if (actor == nullptr || actor->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownRequester);
  } else if (actor->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR27, Msg::kR27AuditorRequester);
  } else if (professional_id.empty()) {
    b.Fail(RuleId::kR27, Msg::kR27NoProfessional);
  } else {
    b.Pass(RuleId::kR27, Msg::kR27RequesterOk);
  }
}

// R09 for steps that need only an open case.
void CheckCaseOpen(Builder& b, const v1::Case& c) {
  if (c.phase() == v1::CASE_PHASE_CLOSED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseClosed);
  } else if (c.phase() == v1::CASE_PHASE_DECLINED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseDeclined);
  } else if (!IsOpen(c)) {
    b.Fail(RuleId::kR09, Msg::kR09NoCase);
  } else {
    b.Pass(RuleId::kR09, Msg::kR09CaseOpen);
  }
}

// R02 on the case: a professional-initiated case must be accepted and the client
// informed before anything goes out.
void CheckProfessionalCase(Builder& b, const v1::Case* c) {
  if (c == nullptr) {
    b.NotApplicable(RuleId::kR02, Msg::kR04NoCase);
  } else if (c->origin() != v1::CASE_ORIGIN_PROFESSIONAL_REQUEST) {
    b.NotApplicable(RuleId::kR02, Msg::kR02ClientCase);
  } else if (!c->professional_request().has_decision() ||
             !c->professional_request().decision().accepted()) {
    b.Fail(RuleId::kR02, Msg::kR02NotAccepted);
  } else if (!c->client_informed()) {
    b.Fail(RuleId::kR02, Msg::kR02ClientNotInformed);
  } else {
    b.Pass(RuleId::kR02, Msg::kR02Ok);
  }
}

void CheckCoordinationGround(Builder& b, const v1::Case& c) {
  switch (CoordinationGroundOf(c)) {
    case v1::COORDINATION_GROUND_DUTY:
      b.Pass(RuleId::kR12, Msg::kR12Duty);
      break;
    case v1::COORDINATION_GROUND_POWER:
      b.Pass(RuleId::kR12, Msg::kR12Power);
      break;
    default:
      b.Fail(RuleId::kR12, Msg::kR12WamsDoesNotApply);
      break;
  }
}

// R22: who may act for a conference in the case's current phase.
void CheckConvener(Builder& b, const v1::Case& c, const v1::Party* actor,
                   absl::string_view professional_id) {
  if (c.phase() == v1::CASE_PHASE_RESEARCH) {
    if (actor != nullptr && IsMunicipalityOf(c, *actor)) {
      b.Pass(RuleId::kR22, Msg::kR22ResearchOk);
    } else {
      b.Fail(RuleId::kR22, Msg::kR22ResearchNotMunicipality);
    }
  } else if (c.phase() == v1::CASE_PHASE_COORDINATION) {
    if (actor != nullptr && IsDesignatedCoordinator(c, *actor, professional_id)) {
      b.Pass(RuleId::kR22, Msg::kR22CoordinationOk);
    } else {
      b.Fail(RuleId::kR22, Msg::kR22CoordinationNotCoordinator);
    }
  } else {
    b.Fail(RuleId::kR22, Msg::kR22WrongPhase);
  }
}

bool IsParticipant(const v1::Conference& conference, absl::string_view oin) {
  if (oin.empty()) return false;
  if (conference.convener_oin() == oin) return true;
  return std::any_of(conference.invitations().begin(), conference.invitations().end(),
                     [oin](const v1::Invitation& inv) { return inv.party_oin() == oin; });
}

// --- The data request / share rules, one function per rule ---------------------

void CheckR04(Builder& b, const DecisionInput& in) {
  const v1::Case* c = in.case_snapshot;
  if (c == nullptr || in.target == nullptr) {
    b.NotApplicable(RuleId::kR04, Msg::kR04NoCase);
    return;
  }
  const v1::Domain domain = in.target->domain();
  // Excluded domains always win, whoever started the case: the client can
  // narrow the scope at any time.
  if (ContainsDomain(c->scope().domains_out(), domain)) {
    b.Fail(RuleId::kR04, Msg::kR04Excluded, v1::Domain_Name(domain));
    return;
  }
  if (c->origin() == v1::CASE_ORIGIN_PROFESSIONAL_REQUEST) {
    b.Pass(RuleId::kR04, Msg::kR04ProfessionalCase);
  } else if (domain == v1::DOMAIN_SOCIAL) {
    // The client asked for help under a social-domain law: that domain is in
    // scope unless excluded (domains_in lists adjacent domains).
    b.Pass(RuleId::kR04, Msg::kR04SocialDomain);
  } else if (ContainsDomain(c->scope().domains_in(), domain)) {
    b.Pass(RuleId::kR04, Msg::kR04InScope);
  } else {
    b.Fail(RuleId::kR04, Msg::kR04NotInScope, v1::Domain_Name(domain));
  }
}

void CheckR06(Builder& b, const DecisionInput& in, const CategoryEntries& entries) {
  const bool is_share = in.kind == RequestKind::kShareData;
  const v1::Party* offerer = is_share ? in.requester : in.target;
  const CategoryList& categories = in.categories;
  if (categories.empty()) {
    b.Fail(RuleId::kR06, Msg::kR06NoCategories);
    return;
  }
  for (std::size_t i = 0; i < categories.size(); ++i) {
    const absl::string_view name = categories[i];
    if (name.empty()) {
      b.Fail(RuleId::kR06, Msg::kR06EmptyCategory);
      return;
    }
    if (internal::IsWildcardCategory(name)) {
      b.Fail(RuleId::kR06, Msg::kR06Wildcard, name);
      return;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (FastEquals(categories[j], name)) {
        b.Fail(RuleId::kR06, Msg::kR06Duplicate, name);
        return;
      }
    }
    // An unknown offerer fails R27; here it simply offers nothing.
    if (offerer == nullptr || entries[i] == nullptr || !Lists(*offerer, name)) {
      b.Fail(RuleId::kR06, is_share ? Msg::kR06NotOfferedByRequester : Msg::kR06NotOfferedByTarget,
             name);
      return;
    }
  }
  if (!HasContent(in.justification)) {
    b.Fail(RuleId::kR06, Msg::kR06NoJustification);
    return;
  }
  b.Pass(RuleId::kR06, Msg::kR06Ok);
}

void CheckR07(Builder& b, v1::Purpose purpose) {
  if (IsAllowedPurpose(purpose)) {
    b.Pass(RuleId::kR07, Msg::kR07Ok);
  } else if (purpose == v1::PURPOSE_CRIMINAL_INVESTIGATION ||
             purpose == v1::PURPOSE_FRAUD_CONTROL) {
    b.Fail(RuleId::kR07, Msg::kR07NotAllowed);
  } else {
    b.Fail(RuleId::kR07, Msg::kR07Unspecified);
  }
}

void CheckR08(Builder& b, v1::Purpose purpose) {
  if (purpose == v1::PURPOSE_CRIMINAL_INVESTIGATION) {
    b.Fail(RuleId::kR08, Msg::kR08Investigation);
  } else if (purpose == v1::PURPOSE_FRAUD_CONTROL) {
    b.Fail(RuleId::kR08, Msg::kR08Fraud);
  } else {
    b.Pass(RuleId::kR08, Msg::kR08Ok);
  }
}

void CheckR09(Builder& b, const DecisionInput& in, const v1::CaseClient* person) {
  const v1::Case* c = in.case_snapshot;
  if (c == nullptr) {
    b.Fail(RuleId::kR09, Msg::kR09NoCase);
  } else if (c->phase() == v1::CASE_PHASE_CLOSED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseClosed);
  } else if (c->phase() == v1::CASE_PHASE_DECLINED) {
    b.Fail(RuleId::kR09, Msg::kR09CaseDeclined);
  } else if (!IsOpen(*c)) {
    b.Fail(RuleId::kR09, Msg::kR09NoCase);
  } else if (in.subject_bsn.empty()) {
    b.Fail(RuleId::kR09, Msg::kR09NoSubject);
  } else if (!IsValidBsn(in.subject_bsn)) {
    b.Fail(RuleId::kR09, Msg::kR09SubjectNotOnePerson);
  } else if (person == nullptr) {
    b.Fail(RuleId::kR09, Msg::kR09NotInCase);
  } else {
    b.Pass(RuleId::kR09, Msg::kR09Ok);
  }
}

void CheckR10(Builder& b, const DecisionInput& in, Track track) {
  const v1::Case* c = in.case_snapshot;
  const v1::Party* requester = in.requester;
  if (c == nullptr || requester == nullptr || track == Track::kNone) {
    b.NotApplicable(RuleId::kR10, Msg::kR10NotJudged);
    return;
  }
  switch (c->phase()) {
    case v1::CASE_PHASE_CLOSED:
      b.Fail(RuleId::kR10, Msg::kR10Closed);
      return;
    case v1::CASE_PHASE_DECLINED:
      b.Fail(RuleId::kR10, Msg::kR10Declined);
      return;
    case v1::CASE_PHASE_AWAITING_DECISION:
      b.Fail(RuleId::kR10, Msg::kR10AwaitingDecision);
      return;
    default:
      break;
  }
  const bool is_share = in.kind == RequestKind::kShareData;
  if (track == Track::kResearch) {
    if (c->phase() != v1::CASE_PHASE_RESEARCH) {
      b.Fail(RuleId::kR10, Msg::kR10ResearchWrongPhase);
    } else if (!IsMunicipalityOf(*c, *requester)) {
      b.Fail(RuleId::kR10,
             is_share ? Msg::kR10ShareNotMunicipality : Msg::kR10ResearchNotMunicipality);
    } else {
      b.Pass(RuleId::kR10, is_share ? Msg::kR10ShareOk : Msg::kR10ResearchOk);
    }
    return;
  }
  if (c->phase() != v1::CASE_PHASE_COORDINATION) {
    b.Fail(RuleId::kR10, Msg::kR10CoordinationWrongPhase);
  } else if (is_share) {
    // Sharing stays with the municipality (R21) in either phase.
    if (IsMunicipalityOf(*c, *requester)) {
      b.Pass(RuleId::kR10, Msg::kR10ShareOk);
    } else {
      b.Fail(RuleId::kR10, Msg::kR10ShareNotMunicipality);
    }
  } else if (!IsDesignatedCoordinator(*c, *requester, in.professional_id)) {
    b.Fail(RuleId::kR10, Msg::kR10NotCoordinator);
  } else {
    b.Pass(RuleId::kR10, Msg::kR10CoordinatorOk);
  }
}

void CheckR11(Builder& b, const v1::CaseClient* person) {
  if (person == nullptr) {
    b.NotApplicable(RuleId::kR11, Msg::kR11NotJudged);
  } else if (person->primary()) {
    b.NotApplicable(RuleId::kR11, Msg::kR11Primary);
  } else if (person->agreed()) {
    b.Pass(RuleId::kR11, Msg::kR11Agreed);
  } else {
    b.Fail(RuleId::kR11, Msg::kR11NotAgreed);
  }
}

void CheckR13(Builder& b, const v1::Case& c) {
  if (c.coordination().has_designated()) {
    b.Pass(RuleId::kR13, Msg::kR13Designated);
  } else if (c.coordination().has_self()) {
    b.Fail(RuleId::kR13, Msg::kR13Self);
  } else {
    b.Fail(RuleId::kR13, Msg::kR13None);
  }
}

// R16, R17, R18 for a data request: obligations on the provider, plus the
// consent basis per category for the auditor and for CheckAnswer.
void CheckProviderRules(Builder& b, const DecisionInput& in, const CategoryEntries& entries) {
  const v1::Case* c = in.case_snapshot;
  const v1::Party* target = in.target;
  if (in.kind == RequestKind::kShareData) {
    b.NotApplicable(RuleId::kR16, Msg::kProviderRulesShare);
    b.NotApplicable(RuleId::kR17, Msg::kProviderRulesShare);
    b.NotApplicable(RuleId::kR18, Msg::kProviderRulesShare);
    return;
  }
  b.Pass(RuleId::kR16, Msg::kR16Obligations);
  b.AddObligation(v1::OBLIGATION_KIND_CONDITIONS_ALLOWED, RuleId::kR16, Msg::kObConditions);
  b.AddObligation(v1::OBLIGATION_KIND_WEIGHTY_REASONS_ALLOWED, RuleId::kR16,
                  Msg::kObWeightyReasons);

  ConsentList consents;
  if (c != nullptr && target != nullptr) consents = ConsentsOf(*c, in.subject_bsn, target->oin());
  v1::Obligation* good_care = nullptr;
  v1::Obligation* legal_basis = nullptr;
  bool any_secrecy = false;
  const ConsentIds consent_ids = ResolveConsents(consents, in.categories, in.categories.size());
  for (std::size_t i = 0; i < in.categories.size(); ++i) {
    const absl::string_view category = in.categories[i];
    const std::string* consent_id = consent_ids[i];
    b.AddConsentBasis(category, consent_id);
    if (target == nullptr) continue;
    // For a data request the offering party is the target, so entries[i] is the
    // target's catalogue entry: same answer as Catalogue::EffectiveRegime.
    const v1::DataCategory* entry = entries[i];
    const v1::SecrecyRegime regime =
        (entry != nullptr && entry->regime() != v1::SECRECY_REGIME_UNSPECIFIED)
            ? entry->regime()
            : target->secrecy_regime();
    if (NeedsConsentOrGoodCare(regime)) {
      any_secrecy = true;
      if (consent_id == nullptr) {
        if (good_care == nullptr) {
          good_care = b.AddObligation(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                                      Msg::kObGoodCare);
        }
        good_care->add_categories(category.data(), category.size());
      }
    } else if (NeedsLegalBasis(regime)) {
      if (legal_basis == nullptr) {
        legal_basis =
            b.AddObligation(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, Msg::kR18LegalBasis);
      }
      legal_basis->add_categories(category.data(), category.size());
    }
  }
  if (!any_secrecy) {
    b.NotApplicable(RuleId::kR17, Msg::kR17NoSecrecy);
  } else {
    b.Pass(RuleId::kR17, good_care != nullptr ? Msg::kR17GoodCare : Msg::kR17Consent);
  }
  if (legal_basis == nullptr) {
    b.NotApplicable(RuleId::kR18, Msg::kR18NoPoliceData);
  } else {
    b.Pass(RuleId::kR18, Msg::kR18LegalBasis);
  }
}

// R19: the BSN goes only to a party that may process it; any other party
// finds the person by the identifying details the requester supplied, and
// the request is refused without enough of them (the party could not tell
// whom it is about).
void CheckR19(Builder& b, const DecisionInput& in) {
  const v1::Party* target = in.target;
  const v1::SubjectDetails& details =
      in.subject_details != nullptr ? *in.subject_details : v1::SubjectDetails::default_instance();
  if (target == nullptr) {
    b.NotApplicable(RuleId::kR19, Msg::kR19NoTarget);
  } else if (target->may_process_bsn()) {
    b.Pass(RuleId::kR19,
           wire::HasSubjectDetails(details) ? Msg::kR19ForwardDetailsDropped : Msg::kR19Forward);
  } else if (const std::vector<absl::string_view> missing = wire::MissingSubjectDetails(details);
             !missing.empty()) {
    // Field names only: the details themselves never enter a decision.
    b.Fail(RuleId::kR19, Msg::kR19NoDetails, absl::StrJoin(missing, ", "));
  } else {
    b.Pass(RuleId::kR19, Msg::kR19Details);
  }
}

void CheckR21(Builder& b, const DecisionInput& in) {
  const v1::Case* c = in.case_snapshot;
  if (in.kind != RequestKind::kShareData) {
    b.NotApplicable(RuleId::kR21, Msg::kR21NotShare);
  } else if (c == nullptr || in.requester == nullptr || in.target == nullptr) {
    b.NotApplicable(RuleId::kR21, Msg::kR04NoCase);
  } else if (!IsMunicipalityOf(*c, *in.requester)) {
    b.Fail(RuleId::kR21, Msg::kR21NotMunicipality);
  } else if (!IsInvolved(*c, in.target->oin())) {
    b.Fail(RuleId::kR21, Msg::kR21NotInvolved);
  } else {
    b.Pass(RuleId::kR21, Msg::kR21Ok);
  }
}

void CheckR27(Builder& b, const DecisionInput& in) {
  const v1::Party* requester = in.requester;
  const v1::Party* target = in.target;
  if (requester == nullptr || requester->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownRequester);
  } else if (requester->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR27, Msg::kR27AuditorRequester);
  } else if (in.professional_id.empty()) {
    b.Fail(RuleId::kR27, Msg::kR27NoProfessional);
  } else if (target == nullptr || target->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownTarget);
  } else if (target->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR27, Msg::kR27AuditorTarget);
  } else {
    b.Pass(RuleId::kR27, Msg::kR27Ok);
  }
}

absl::StatusOr<std::string> Sha256Hex(absl::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("SHA-256 of the policy failed in OpenSSL");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), static_cast<std::size_t>(length)));
}

}  // namespace

v1::CoordinationGround CoordinationGroundOf(const v1::Case& c) {
  const int laws = DistinctSocialLaws(c.social_laws());
  if (laws >= 2) return v1::COORDINATION_GROUND_DUTY;
  const bool adjacent =
      std::any_of(c.adjacent_domains().begin(), c.adjacent_domains().end(), [](int domain) {
        return domain != v1::DOMAIN_UNSPECIFIED && domain != v1::DOMAIN_SOCIAL &&
               v1::Domain_IsValid(domain);
      });
  if (laws == 1 && adjacent) return v1::COORDINATION_GROUND_POWER;
  return v1::COORDINATION_GROUND_NONE;
}

v1::CoordinatorKind CoordinatorKindOf(const v1::Case& c) {
  if (c.coordination().has_self()) return v1::COORDINATOR_KIND_SELF;
  if (!c.coordination().has_designated()) return v1::COORDINATOR_KIND_UNSPECIFIED;
  return c.coordination().designated().party_oin() == c.municipality_oin()
             ? v1::COORDINATOR_KIND_MUNICIPALITY
             : v1::COORDINATOR_KIND_INVOLVED_PARTY;
}

bool ForwardsBsn(const v1::Decision& decision, const v1::Party& target) {
  return decision.allowed() && target.may_process_bsn();
}

bool ForwardsSubjectDetails(const v1::Decision& decision, const v1::Party& target) {
  return decision.allowed() && !target.may_process_bsn();
}

Policy::Policy(Catalogue catalogue, std::string digest_hex)
    : catalogue_(std::move(catalogue)),
      digest_hex_(std::move(digest_hex)),
      version_(absl::StrCat(kEngineRevision, "/", digest_hex_.substr(0, 16))) {}

absl::StatusOr<Policy> Policy::Create(const v1::BrokerConfig& config) {
  return Create(config.catalogs(), config.parties());
}

absl::StatusOr<Policy> Policy::Create(
    const google::protobuf::RepeatedPtrField<v1::CategoryCatalog>& catalogs,
    const google::protobuf::RepeatedPtrField<v1::Party>& parties) {
  WAMS_ASSIGN_OR_RETURN(Catalogue catalogue, Catalogue::Create(catalogs, parties));
  std::string text = absl::StrCat(kEngineRevision, "\n");
  for (const RuleInfo& rule : RuleTable()) absl::StrAppend(&text, rule.id, " ", rule.article, "\n");
  text += catalogue.canonical_text();
  WAMS_ASSIGN_OR_RETURN(std::string digest, Sha256Hex(text));
  return Policy(std::move(catalogue), std::move(digest));
}

v1::Decision Policy::Decide(const DecisionInput& in) const {
  v1::Decision decision;
  Decide(in, &decision);
  return decision;
}

void Policy::Decide(const DecisionInput& in, v1::Decision* out) const {
  Builder b(out, in.language, version_);
  const v1::Case* c = in.case_snapshot;
  const v1::CaseClient* person = c != nullptr ? FindPerson(*c, in.subject_bsn) : nullptr;
  const Track track = IsAllowedPurpose(in.purpose) ? TrackOf(in.purpose, c) : Track::kNone;
  const v1::Party* offerer = in.kind == RequestKind::kShareData ? in.requester : in.target;
  CategoryEntries entries(in.categories.size(), nullptr);
  if (offerer != nullptr) {
    for (std::size_t i = 0; i < in.categories.size(); ++i) {
      entries[i] = catalogue_.Find(offerer->domain(), in.categories[i]);
    }
  }

  CheckProfessionalCase(b, c);  // R02
  CheckR04(b, in);
  CheckR06(b, in, entries);
  CheckR07(b, in.purpose);
  CheckR08(b, in.purpose);
  CheckR09(b, in, person);
  CheckR10(b, in, track);
  CheckR11(b, person);
  if (c == nullptr || track != Track::kCoordination) {
    b.NotApplicable(RuleId::kR12, Msg::kR12NotCoordination);
    b.NotApplicable(RuleId::kR13, Msg::kR13NotCoordination);
  } else {
    CheckCoordinationGround(b, *c);  // R12
    CheckR13(b, *c);
  }
  CheckProviderRules(b, in, entries);  // R16, R17, R18
  CheckR19(b, in);
  CheckR21(b, in);
  CheckR27(b, in);
  b.Finish();
}

v1::Decision Policy::CheckAnswer(const v1::Decision& decision, const v1::ProviderResponse& answer,
                                 v1::Language language) const {
  v1::Decision verdict;
  CheckAnswer(decision, answer, language, &verdict);
  return verdict;
}

void Policy::CheckAnswer(const v1::Decision& decision, const v1::ProviderResponse& answer,
                         v1::Language language, v1::Decision* out) const {
  Builder b(out, language, version_);
  const auto& requested = decision.consent_basis();
  auto was_requested = [&requested](absl::string_view category) {
    return std::any_of(
        requested.begin(), requested.end(),
        [category](const v1::ConsentBasis& basis) { return basis.category() == category; });
  };
  auto was_provided = [&answer](absl::string_view category) {
    return std::any_of(
        answer.data().begin(), answer.data().end(),
        [category](const v1::CategoryData& data) { return data.category() == category; });
  };

  // R16: the answer is one of the three outcomes, well-formed.
  [&] {
    if (!decision.allowed()) return b.Fail(RuleId::kR16, Msg::kR16NotGranted);
    const v1::ProviderAnswerStatus status = answer.status();
    if (status != v1::PROVIDER_ANSWER_STATUS_PROVIDED &&
        status != v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED &&
        status != v1::PROVIDER_ANSWER_STATUS_REFUSED) {
      return b.Fail(RuleId::kR16, Msg::kR16StatusMissing);
    }
    if (status == v1::PROVIDER_ANSWER_STATUS_REFUSED) {
      if (answer.data_size() > 0) return b.Fail(RuleId::kR16, Msg::kR16RefusalWithData);
      if (!HasContent(answer.refusal_reasons())) {
        return b.Fail(RuleId::kR16, Msg::kR16RefusalNoReasons);
      }
      return b.Pass(RuleId::kR16, Msg::kR16Refused);
    }
    for (int i = 0; i < answer.data_size(); ++i) {
      const std::string& category = answer.data(i).category();
      if (!was_requested(category)) return b.Fail(RuleId::kR16, Msg::kR16NotRequested, category);
      for (int j = 0; j < i; ++j) {
        if (answer.data(j).category() == category) {
          return b.Fail(RuleId::kR16, Msg::kR16DuplicateData, category);
        }
      }
    }
    const bool partly = status == v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED;
    if (!partly && answer.withheld_categories_size() > 0) {
      return b.Fail(RuleId::kR16, Msg::kR16WithheldInFullAnswer);
    }
    if (partly) {
      if (answer.withheld_categories_size() == 0) {
        return b.Fail(RuleId::kR16, Msg::kR16PartialNoWithheld);
      }
      for (const std::string& withheld : answer.withheld_categories()) {
        if (!was_requested(withheld)) {
          return b.Fail(RuleId::kR16, Msg::kR16WithheldNotRequested, withheld);
        }
        if (was_provided(withheld)) {
          return b.Fail(RuleId::kR16, Msg::kR16WithheldAndProvided, withheld);
        }
      }
      if (!HasContent(answer.refusal_reasons())) {
        return b.Fail(RuleId::kR16, Msg::kR16PartialNoReasons);
      }
    }
    for (const v1::ConsentBasis& basis : requested) {
      const bool withheld =
          std::find(answer.withheld_categories().begin(), answer.withheld_categories().end(),
                    basis.category()) != answer.withheld_categories().end();
      if (!withheld && !was_provided(basis.category())) {
        return b.Fail(RuleId::kR16, Msg::kR16Unaccounted, basis.category());
      }
    }
    return b.Pass(RuleId::kR16, partly ? Msg::kR16PartlyProvided : Msg::kR16Provided);
  }();

  // R17 and R18: where the decision placed the obligation and such a category
  // was actually provided, the statement must be there.
  auto check_statement = [&](v1::ObligationKind kind, RuleId rule, absl::string_view statement,
                             Msg no_obligation, Msg not_provided, Msg given, Msg missing) {
    const v1::Obligation* obligation = nullptr;
    for (const v1::Obligation& candidate : decision.obligations()) {
      if (candidate.kind() == kind) obligation = &candidate;
    }
    if (obligation == nullptr) return b.NotApplicable(rule, no_obligation);
    bool covered_provided = false;
    for (const v1::CategoryData& data : answer.data()) {
      // An obligation without categories covers every requested category.
      if (obligation->categories().empty() ||
          std::find(obligation->categories().begin(), obligation->categories().end(),
                    data.category()) != obligation->categories().end()) {
        covered_provided = true;
        break;
      }
    }
    if (!covered_provided) return b.Pass(rule, not_provided);
    if (HasContent(statement)) return b.Pass(rule, given);
    return b.Fail(rule, missing);
  };
  check_statement(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                  answer.good_care_statement(), Msg::kR17NoObligation, Msg::kR17NotProvided,
                  Msg::kR17StatementGiven, Msg::kR17StatementMissing);
  check_statement(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, answer.legal_basis(),
                  Msg::kR18NoObligation, Msg::kR18NotProvided, Msg::kR18BasisGiven,
                  Msg::kR18BasisMissing);
  b.Finish();
}

v1::Decision Policy::DecideProfessionalRequest(const v1::Party* requester,
                                               absl::string_view professional_id,
                                               const v1::ProfessionalGrounds& grounds,
                                               v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  if (!grounds.coordinated_approach_expected()) {
    b.Fail(RuleId::kR02, Msg::kR02GroundsNoC);
  } else if (!grounds.persistent_problems() && !grounds.nuisance_or_danger()) {
    b.Fail(RuleId::kR02, Msg::kR02GroundsNoAOrB);
  } else if (!HasContent(grounds.reasons())) {
    b.Fail(RuleId::kR02, Msg::kR02GroundsNoReasons);
  } else {
    b.Pass(RuleId::kR02, Msg::kR02GroundsOk);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideClientRequest(const v1::Party* requester,
                                         absl::string_view professional_id,
                                         const google::protobuf::RepeatedField<int>& social_laws,
                                         v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  if (DistinctSocialLaws(social_laws) == 0) {
    b.Fail(RuleId::kR01, Msg::kR01NoLaw);
  } else {
    b.Pass(RuleId::kR01, Msg::kR01Ok);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideOnProfessionalRequest(const v1::Case& case_snapshot,
                                                 const v1::Party* requester,
                                                 absl::string_view professional_id,
                                                 v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  if (case_snapshot.origin() == v1::CASE_ORIGIN_PROFESSIONAL_REQUEST &&
      case_snapshot.phase() == v1::CASE_PHASE_AWAITING_DECISION) {
    b.Pass(RuleId::kR02, Msg::kR02AwaitsDecision);
  } else {
    b.Fail(RuleId::kR02, Msg::kR02NotAwaitingDecision);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideRecordConsent(const v1::CaseClient* subject,
                                         v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  if (subject == nullptr) {
    b.Fail(RuleId::kR11, Msg::kR11NotClient);
  } else {
    b.Pass(RuleId::kR11, Msg::kR11Client);
  }
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideStartCoordination(const v1::Case& case_snapshot,
                                             const v1::Party* requester,
                                             absl::string_view professional_id,
                                             const v1::Coordination& coordination,
                                             v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  const v1::Case& c = case_snapshot;
  CheckProfessionalCase(b, &c);  // R02
  CheckCaseOpen(b, c);           // R09
  if (requester == nullptr || !IsMunicipalityOf(c, *requester)) {
    b.Fail(RuleId::kR10, Msg::kR10StartNotMunicipality);
  } else if (c.phase() != v1::CASE_PHASE_RESEARCH) {
    b.Fail(RuleId::kR10, Msg::kR10StartNotResearch);
  } else {
    b.Pass(RuleId::kR10, Msg::kR10StartOk);
  }
  CheckCoordinationGround(b, c);  // R12
  if (coordination.has_designated()) {
    const v1::DesignatedCoordinator& designated = coordination.designated();
    if (designated.party_oin().empty() || designated.professional_id().empty()) {
      b.Fail(RuleId::kR13, Msg::kR13CoordinatorIncomplete);
    } else if (designated.party_oin() != c.municipality_oin() &&
               !IsInvolved(c, designated.party_oin())) {
      b.Fail(RuleId::kR13, Msg::kR13CoordinatorNotInvolved);
    } else {
      b.Pass(RuleId::kR13, Msg::kR13Designated);
    }
  } else if (coordination.has_self()) {
    b.Pass(RuleId::kR13, Msg::kR13SelfChosen);
  } else {
    b.Fail(RuleId::kR13, Msg::kR13None);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideRole(const v1::Party* actor, bool role_fits,
                                v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  if (actor == nullptr || actor->role() == v1::PARTY_ROLE_UNSPECIFIED) {
    b.Fail(RuleId::kR27, Msg::kR27UnknownRequester);
  } else if (!role_fits) {
    b.Fail(RuleId::kR27, Msg::kR27WrongRole);
  } else {
    b.Pass(RuleId::kR27, Msg::kR27RoleOk);
  }
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideConvene(const v1::Case& case_snapshot, const v1::Party* requester,
                                   absl::string_view professional_id, v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  CheckCaseOpen(b, case_snapshot);                              // R09
  CheckConvener(b, case_snapshot, requester, professional_id);  // R22
  CheckActor(b, requester, professional_id);                    // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideInvite(const v1::Case& case_snapshot, const v1::Conference& conference,
                                  const v1::Party* requester, absl::string_view professional_id,
                                  const v1::Invitation& invitation, const v1::Party* invitee,
                                  v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  CheckCaseOpen(b, case_snapshot);  // R09
  if (requester == nullptr || requester->oin() != conference.convener_oin()) {
    b.Fail(RuleId::kR22, Msg::kR22NotConvener);
  } else {
    CheckConvener(b, case_snapshot, requester, professional_id);
  }
  if (invitee == nullptr || invitee->oin().empty() || invitee->oin() != invitation.party_oin()) {
    b.Fail(RuleId::kR23, Msg::kR23UnknownInvitee);
  } else if (invitee->role() == v1::PARTY_ROLE_AUDITOR) {
    b.Fail(RuleId::kR23, Msg::kR23AuditorInvitee);
  } else if (!HasContent(invitation.necessity_reason())) {
    b.Fail(RuleId::kR23, Msg::kR23NoReason);
  } else {
    b.Pass(RuleId::kR23, Msg::kR23Ok);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideClientInvitation(const v1::Case& case_snapshot,
                                            const v1::Conference& conference,
                                            const v1::Party* requester,
                                            absl::string_view professional_id, bool invited,
                                            absl::string_view weighty_interests,
                                            v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  CheckCaseOpen(b, case_snapshot);  // R09
  if (requester == nullptr || requester->oin() != conference.convener_oin()) {
    b.Fail(RuleId::kR22, Msg::kR22NotConvener);
  } else {
    CheckConvener(b, case_snapshot, requester, professional_id);
  }
  if (invited) {
    b.Pass(RuleId::kR23, Msg::kR23ClientInvited);
  } else if (HasContent(weighty_interests)) {
    b.Pass(RuleId::kR23, Msg::kR23ClientNotInvitedWithReason);
  } else {
    b.Fail(RuleId::kR23, Msg::kR23ClientNotInvitedNoReason);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideShareItem(const v1::Case& case_snapshot,
                                     const v1::Conference& conference, const v1::Party* supplier,
                                     absl::string_view professional_id,
                                     const v1::ConferenceItem& item, v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  const v1::Case& c = case_snapshot;
  // R06: the categories an item names are ones its supplier offers.
  [&] {
    if (item.categories().empty()) return b.NotApplicable(RuleId::kR06, Msg::kR06NoItemCategories);
    for (const std::string& name : item.categories()) {
      if (supplier == nullptr || !catalogue_.Offers(*supplier, name)) {
        return b.Fail(RuleId::kR06, Msg::kR06NotOfferedBySupplier, name);
      }
    }
    b.Pass(RuleId::kR06, Msg::kR06SupplierOffers);
  }();
  CheckCaseOpen(b, c);  // R09

  // R25: the supplier takes part, and the item goes to a named, invited audience.
  [&] {
    if (supplier == nullptr || !IsParticipant(conference, supplier->oin())) {
      return b.Fail(RuleId::kR25, Msg::kR25SupplierNotParticipant);
    }
    if (item.audience_oins().empty()) return b.Fail(RuleId::kR25, Msg::kR25NoAudience);
    for (const std::string& oin : item.audience_oins()) {
      if (!IsParticipant(conference, oin)) {
        return b.Fail(RuleId::kR25, Msg::kR25AudienceNotInvited, oin);
      }
    }
    return b.Pass(RuleId::kR25, Msg::kR25Ok);
  }();

  // R26: assent given with the item is for recipients of it only.
  [&] {
    if (item.onward_use_assented_oins().empty()) {
      return b.NotApplicable(RuleId::kR26, Msg::kR26NoAssentsGiven);
    }
    for (const std::string& oin : item.onward_use_assented_oins()) {
      if (std::find(item.audience_oins().begin(), item.audience_oins().end(), oin) ==
          item.audience_oins().end()) {
        return b.Fail(RuleId::kR26, Msg::kR26AssentOutsideAudience);
      }
    }
    return b.Pass(RuleId::kR26, Msg::kR26AssentsInAudience);
  }();

  // R24 with R17/R18: what care, police and justice suppliers share carries the
  // same obligations as an answer to a data request. Consent is that of the
  // case's primary client for this supplier.
  v1::Obligation* good_care = nullptr;
  v1::Obligation* legal_basis = nullptr;
  bool any_secrecy = false;
  if (supplier != nullptr) {
    const v1::CaseClient* primary = PrimaryClient(c);
    const ConsentList consents =
        ConsentsOf(c, primary != nullptr ? absl::string_view(primary->bsn()) : absl::string_view(),
                   supplier->oin());
    if (item.categories().empty()) {
      // No categories named: the supplier's own regime covers the whole item.
      const v1::SecrecyRegime regime = supplier->secrecy_regime();
      if (NeedsConsentOrGoodCare(regime)) {
        any_secrecy = true;
        good_care = b.AddObligation(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                                    Msg::kObGoodCare);
      } else if (NeedsLegalBasis(regime)) {
        legal_basis =
            b.AddObligation(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, Msg::kR18LegalBasis);
      }
    }
    const ConsentIds consent_ids = ResolveConsents(
        consents, item.categories(), static_cast<std::size_t>(item.categories_size()));
    for (int i = 0; i < item.categories_size(); ++i) {
      const std::string& category = item.categories(i);
      const std::string* consent_id = consent_ids[static_cast<std::size_t>(i)];
      b.AddConsentBasis(category, consent_id);
      const v1::SecrecyRegime regime = catalogue_.EffectiveRegime(*supplier, category);
      if (NeedsConsentOrGoodCare(regime)) {
        any_secrecy = true;
        if (consent_id != nullptr) continue;
        if (good_care == nullptr) {
          good_care = b.AddObligation(v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, RuleId::kR17,
                                      Msg::kObGoodCare);
        }
        good_care->add_categories(category);
      } else if (NeedsLegalBasis(regime)) {
        if (legal_basis == nullptr) {
          legal_basis =
              b.AddObligation(v1::OBLIGATION_KIND_LEGAL_BASIS, RuleId::kR18, Msg::kR18LegalBasis);
        }
        legal_basis->add_categories(category);
      }
    }
  }
  if (any_secrecy || legal_basis != nullptr) {
    b.Pass(RuleId::kR24, Msg::kR24Applies);
  } else {
    b.NotApplicable(RuleId::kR24, Msg::kR24NotApplicable);
  }
  if (!any_secrecy) {
    b.NotApplicable(RuleId::kR17, Msg::kR17NoSecrecy);
  } else {
    b.Pass(RuleId::kR17, good_care != nullptr ? Msg::kR17GoodCare : Msg::kR17Consent);
  }
  if (legal_basis == nullptr) {
    b.NotApplicable(RuleId::kR18, Msg::kR18NoPoliceData);
  } else {
    b.Pass(RuleId::kR18, Msg::kR18LegalBasis);
  }
  CheckActor(b, supplier, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideFetchItems(const v1::Case& case_snapshot,
                                      const v1::Conference& conference, const v1::Party* requester,
                                      absl::string_view professional_id,
                                      v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  CheckCaseOpen(b, case_snapshot);  // R09: nothing is shared after a case ends
  if (requester != nullptr && IsParticipant(conference, requester->oin())) {
    b.Pass(RuleId::kR25, Msg::kR25Participant);
  } else {
    b.Fail(RuleId::kR25, Msg::kR25Outsider);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideAssentOnwardUse(const v1::ConferenceItem& item,
                                           const v1::Party* requester,
                                           absl::string_view professional_id,
                                           absl::string_view party_oin,
                                           v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  const bool is_supplier =
      requester != nullptr && !requester->oin().empty() && requester->oin() == item.supplier_oin();
  // Who the audience was is the supplier's to know, not another party's.
  if (!is_supplier) {
    b.NotApplicable(RuleId::kR25, Msg::kR25NotJudged);
  } else if (std::find(item.audience_oins().begin(), item.audience_oins().end(), party_oin) !=
             item.audience_oins().end()) {
    b.Pass(RuleId::kR25, Msg::kR25PartyInAudience);
  } else {
    b.Fail(RuleId::kR25, Msg::kR25PartyNotInAudience);
  }
  if (is_supplier) {
    b.Pass(RuleId::kR26, Msg::kR26Supplier);
  } else {
    b.Fail(RuleId::kR26, Msg::kR26NotSupplier);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

v1::Decision Policy::DecideOnwardUse(const v1::ConferenceItem& item, const v1::Party* requester,
                                     absl::string_view professional_id,
                                     v1::Language language) const {
  v1::Decision decision;
  Builder b(&decision, language, version_);
  const absl::string_view oin =
      requester != nullptr ? absl::string_view(requester->oin()) : absl::string_view();
  const bool in_audience =
      !oin.empty() && std::find(item.audience_oins().begin(), item.audience_oins().end(), oin) !=
                          item.audience_oins().end();
  if (in_audience) {
    b.Pass(RuleId::kR25, Msg::kR25InAudience);
  } else {
    b.Fail(RuleId::kR25, Msg::kR25NotInAudience);
  }
  const bool assented = !oin.empty() && std::find(item.onward_use_assented_oins().begin(),
                                                  item.onward_use_assented_oins().end(),
                                                  oin) != item.onward_use_assented_oins().end();
  if (assented) {
    b.Pass(RuleId::kR26, Msg::kR26Assent);
  } else {
    b.Fail(RuleId::kR26, Msg::kR26NoAssent);
  }
  CheckActor(b, requester, professional_id);  // R27
  b.Finish();
  return decision;
}

}  // namespace wams::policy
