#include "adapters/sdk/answer_policy.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "adapters/sdk/share_policy.h"
#include "broker/base/status_macros.h"
#include "proto/wire/text_checks.h"

namespace wams::adapters {
namespace {

bool NeedsConsent(v1::SecrecyRegime regime) {
  return regime == v1::SECRECY_REGIME_MEDICAL || regime == v1::SECRECY_REGIME_YOUTH_CARE_SKJ;
}

bool NeedsLegalBasis(v1::SecrecyRegime regime) {
  return regime == v1::SECRECY_REGIME_POLICE_WPG || regime == v1::SECRECY_REGIME_JUSTICE_WJSG;
}

absl::Status ValidateCategory(const CategoryPolicy& category, absl::string_view field) {
  if (category.name.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, ".name: required"));
  if (category.regime == v1::SECRECY_REGIME_UNSPECIFIED ||
      !v1::SecrecyRegime_IsValid(category.regime)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".regime: required"));
  }
  if (NeedsConsent(category.regime) && category.without_consent == WithoutConsent::kNotSet) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".without_consent: required for a category under medical secrecy or SKJ (R17)"));
  }
  if (category.without_consent == WithoutConsent::kProvideWithGoodCareStatement &&
      category.good_care_statement.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".good_care_statement: required to provide without consent (R17)"));
  }
  if (NeedsLegalBasis(category.regime) && category.legal_basis.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".legal_basis: required for Wpg or Wjsg data (R18)"));
  }
  for (const std::string& condition : category.conditions) {
    if (condition.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".conditions: empty condition"));
    }
  }
  return absl::OkStatus();
}

// Whether `obligation` covers `category`: an empty list means every category.
bool Covers(const v1::Obligation& obligation, absl::string_view category) {
  return obligation.categories().empty() ||
         std::find(obligation.categories().begin(), obligation.categories().end(), category) !=
             obligation.categories().end();
}

bool HasObligation(const v1::ProviderRequest& request, v1::ObligationKind kind,
                   absl::string_view category) {
  return std::any_of(
      request.obligations().begin(), request.obligations().end(),
      [&](const v1::Obligation& o) { return o.kind() == kind && Covers(o, category); });
}

bool HasExplicitConsent(const v1::ProviderRequest& request, absl::string_view category) {
  return std::any_of(
      request.consent_basis().begin(), request.consent_basis().end(),
      [&](const v1::ConsentBasis& c) { return c.category() == category && c.explicit_consent(); });
}

}  // namespace

absl::StatusOr<AnswerPolicy> AnswerPolicy::Create(PartyPolicy policy) {
  if (policy.party_name.empty()) return absl::InvalidArgumentError("party_name: required");
  if (policy.categories.empty()) {
    return absl::InvalidArgumentError("categories: the party must offer at least one");
  }
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < policy.categories.size(); ++i) {
    const CategoryPolicy& category = policy.categories[i];
    std::string field = absl::StrCat("categories[", i, "]");
    if (absl::Status status = ValidateCategory(category, field); !status.ok()) return status;
    if (!seen.insert(category.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".name: '", category.name, "' is listed twice"));
    }
  }
  WAMS_RETURN_IF_ERROR(ValidateShareCategories(policy.share_categories));
  return AnswerPolicy(std::move(policy));
}

AnswerPolicy::AnswerPolicy(PartyPolicy policy) : policy_(std::move(policy)) {
  for (size_t i = 0; i < policy_.categories.size(); ++i) index_[policy_.categories[i].name] = i;
}

Answer AnswerPolicy::Respond(const v1::ProviderRequest& request, Backend& backend) const {
  Answer answer;
  if (request.is_share()) return ReceiveShare(policy_, request, backend);
  if (request.request_id().empty()) {
    answer.status = absl::InvalidArgumentError("request_id: required");
    return answer;
  }
  if (request.categories().empty()) {
    answer.status = absl::InvalidArgumentError("categories: at least one is required");
    return answer;
  }
  // The BSN itself never goes into the message: it may be the wrong person's.
  if (!request.subject_bsn().empty() && !wire::IsValidBsn(request.subject_bsn())) {
    answer.status = absl::InvalidArgumentError("subject_bsn: not a valid BSN (eleven test)");
    return answer;
  }

  v1::ProviderResponse& response = answer.response;
  std::vector<std::string> reasons;
  std::vector<std::string> good_care;
  std::vector<std::string> legal_bases;
  std::vector<std::string> unavailable;
  absl::flat_hash_set<std::string> asked;
  int provided = 0;
  int distinct = 0;

  auto withhold = [&](const std::string& category, absl::string_view tag,
                      absl::string_view reason) {
    response.add_withheld_categories(category);
    reasons.push_back(absl::StrCat(category, ": ", reason));
    answer.outcomes.emplace_back(category, std::string(tag));
  };

  for (const std::string& category : request.categories()) {
    if (!asked.insert(category).second) continue;  // asked twice: answered once
    ++distinct;
    auto it = index_.find(category);
    if (it == index_.end()) {
      withhold(category, "not_offered",
               absl::StrCat("not a category ", policy_.party_name, " offers"));
      continue;
    }
    const CategoryPolicy& rule = policy_.categories[it->second];

    // R17: a good-care obligation from the broker, or (for the party's own
    // consent regime) no explicit consent in the basis, both mean "without
    // consent". The party checks for itself rather than relying on the broker
    // having placed the obligation.
    bool without_consent =
        HasObligation(request, v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT, category) ||
        (NeedsConsent(rule.regime) && !HasExplicitConsent(request, category));
    if (without_consent && rule.without_consent == WithoutConsent::kRefuse) {
      withhold(category, "no_consent",
               absl::StrCat(policy_.party_name,
                            " provides it only with the client's explicit consent, and none is "
                            "on record (R17)"));
      continue;
    }
    if (without_consent && rule.without_consent == WithoutConsent::kNotSet) {
      withhold(category, "no_good_care_judgement",
               absl::StrCat(policy_.party_name,
                            " has no good-care judgement for it and no explicit consent is on "
                            "record (R17)"));
      continue;
    }
    // R18: never provide where a legal basis is demanded and none is known.
    if (HasObligation(request, v1::OBLIGATION_KIND_LEGAL_BASIS, category) &&
        rule.legal_basis.empty()) {
      withhold(category, "no_legal_basis",
               absl::StrCat(policy_.party_name,
                            " names no Wpg or Wjsg legal basis for it, so it may not provide it "
                            "(R18)"));
      continue;
    }

    CategoryAnswer data = backend.Fetch(request, category);
    switch (data.kind) {
      case CategoryAnswer::Kind::kData: {
        v1::CategoryData* out = response.add_data();
        out->set_category(category);
        out->set_content(std::move(data.content));
        out->set_content_type(data.content_type.empty() ? "application/json" : data.content_type);
        if (without_consent)
          good_care.push_back(absl::StrCat(category, ": ", rule.good_care_statement));
        if (!rule.legal_basis.empty())
          legal_bases.push_back(absl::StrCat(category, ": ", rule.legal_basis));
        for (const std::string& condition : rule.conditions) {
          response.add_conditions(absl::StrCat(category, ": ", condition));
        }
        answer.outcomes.emplace_back(category, "provided");
        ++provided;
        break;
      }
      case CategoryAnswer::Kind::kNotHeld:
        withhold(category, "not_held",
                 absl::StrCat(policy_.party_name, " holds none for this person"));
        break;
      case CategoryAnswer::Kind::kWithheld:
        withhold(category, "withheld",
                 data.reason.empty() ? "withheld for weighty reasons (R16)" : data.reason);
        break;
      case CategoryAnswer::Kind::kUnavailable: {
        std::string reason = absl::StrCat(policy_.party_name, "'s system could not answer (",
                                          data.reason, "); ask again later");
        unavailable.push_back(absl::StrCat(category, ": ", reason));
        withhold(category, "unavailable", reason);
        break;
      }
    }
  }

  if (provided == 0 && !unavailable.empty()) {
    // Nothing to give and the cause is an outage: a retry may succeed, and an
    // outage must not be recorded as a refusal for weighty reasons.
    answer.status = absl::UnavailableError(absl::StrJoin(unavailable, "; "));
    return answer;
  }
  response.set_status(provided == distinct ? v1::PROVIDER_ANSWER_STATUS_PROVIDED
                      : provided > 0       ? v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED
                                           : v1::PROVIDER_ANSWER_STATUS_REFUSED);
  response.set_refusal_reasons(absl::StrJoin(reasons, "; "));
  response.set_good_care_statement(absl::StrJoin(good_care, "\n"));
  response.set_legal_basis(absl::StrJoin(legal_bases, "\n"));
  return answer;
}

}  // namespace wams::adapters
