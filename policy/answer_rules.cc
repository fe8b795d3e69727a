// answer_rules.cc: a provider's answer checked against the decision that
// granted its request (Policy::CheckAnswer): R16 the answer is well-formed,
// R17 and R18 the statements the decision's obligations ask for.
#include <algorithm>

#include "policy/internal/decision_builder.h"
#include "policy/internal/messages.h"
#include "policy/internal/names.h"
#include "policy/policy.h"
#include "policy/rules.h"

namespace wams::policy {
namespace {

using internal::DecisionBuilder;
using internal::HasContent;
using internal::Msg;

bool WasRequested(const v1::Decision& decision, absl::string_view category) {
  // The decision's consent basis holds one entry per requested category.
  return std::any_of(
      decision.consent_basis().begin(), decision.consent_basis().end(),
      [category](const v1::ConsentBasis& basis) { return basis.category() == category; });
}

bool WasProvided(const v1::ProviderResponse& answer, absl::string_view category) {
  return std::any_of(
      answer.data().begin(), answer.data().end(),
      [category](const v1::CategoryData& data) { return data.category() == category; });
}

bool WasWithheld(const v1::ProviderResponse& answer, absl::string_view category) {
  return std::find(answer.withheld_categories().begin(), answer.withheld_categories().end(),
                   category) != answer.withheld_categories().end();
}

// R16: the answer is one of the three outcomes (provided, partly provided,
// refused), well-formed: a refusal has reasons and no data; data only for
// requested categories, each once; a partial answer lists what it withholds
// (requested, not also provided) with reasons; every requested category is
// provided or withheld. Adds exactly one R16 result: the first fault found,
// else a pass.
void CheckR16Answer(DecisionBuilder& b, const v1::Decision& decision,
                    const v1::ProviderResponse& answer) {
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
    if (!WasRequested(decision, category)) {
      return b.Fail(RuleId::kR16, Msg::kR16NotRequested, category);
    }
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
      if (!WasRequested(decision, withheld)) {
        return b.Fail(RuleId::kR16, Msg::kR16WithheldNotRequested, withheld);
      }
      if (WasProvided(answer, withheld)) {
        return b.Fail(RuleId::kR16, Msg::kR16WithheldAndProvided, withheld);
      }
    }
    if (!HasContent(answer.refusal_reasons())) {
      return b.Fail(RuleId::kR16, Msg::kR16PartialNoReasons);
    }
  }
  for (const v1::ConsentBasis& basis : decision.consent_basis()) {
    if (!WasWithheld(answer, basis.category()) && !WasProvided(answer, basis.category())) {
      return b.Fail(RuleId::kR16, Msg::kR16Unaccounted, basis.category());
    }
  }
  return b.Pass(RuleId::kR16, partly ? Msg::kR16PartlyProvided : Msg::kR16Provided);
}

// One statement an obligation asks for (R17's good-care statement, R18's
// legal basis), with the messages for each outcome.
struct StatementRule {
  v1::ObligationKind kind;
  RuleId rule;
  Msg no_obligation;  // the decision placed no such obligation
  Msg not_provided;   // no category it covers was provided
  Msg given;          // provided, and the statement is there
  Msg missing;        // provided, and the statement is not
};

constexpr StatementRule kGoodCare = {v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT,
                                     RuleId::kR17,
                                     Msg::kR17NoObligation,
                                     Msg::kR17NotProvided,
                                     Msg::kR17StatementGiven,
                                     Msg::kR17StatementMissing};
constexpr StatementRule kLegalBasis = {v1::OBLIGATION_KIND_LEGAL_BASIS,
                                       RuleId::kR18,
                                       Msg::kR18NoObligation,
                                       Msg::kR18NotProvided,
                                       Msg::kR18BasisGiven,
                                       Msg::kR18BasisMissing};

// R17 and R18: where the decision placed the obligation and a category it
// covers was actually provided, the statement must be there.
void CheckStatement(DecisionBuilder& b, const StatementRule& rule, const v1::Decision& decision,
                    const v1::ProviderResponse& answer, absl::string_view statement) {
  const v1::Obligation* obligation = nullptr;
  for (const v1::Obligation& candidate : decision.obligations()) {
    if (candidate.kind() == rule.kind) obligation = &candidate;
  }
  if (obligation == nullptr) return b.NotApplicable(rule.rule, rule.no_obligation);
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
  if (!covered_provided) return b.Pass(rule.rule, rule.not_provided);
  if (HasContent(statement)) return b.Pass(rule.rule, rule.given);
  return b.Fail(rule.rule, rule.missing);
}

}  // namespace

v1::Decision Policy::CheckAnswer(const v1::Decision& decision, const v1::ProviderResponse& answer,
                                 v1::Language language) const {
  v1::Decision verdict;
  CheckAnswer(decision, answer, language, &verdict);
  return verdict;
}

void Policy::CheckAnswer(const v1::Decision& decision, const v1::ProviderResponse& answer,
                         v1::Language language, v1::Decision* out) const {
  DecisionBuilder b(out, language, version_);
  CheckR16Answer(b, decision, answer);
  CheckStatement(b, kGoodCare, decision, answer, answer.good_care_statement());
  CheckStatement(b, kLegalBasis, decision, answer, answer.legal_basis());
  b.Finish();
}

}  // namespace wams::policy
