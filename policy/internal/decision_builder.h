// decision_builder.h (internal): accumulates one v1::Decision, rule by rule.
//
// Every decision function opens a DecisionBuilder on its output, adds one
// result per rule it checks (in the documented order), maybe obligations and
// consent basis entries, and calls Finish(), which applies deny by default.
// Messages come from the static tables in messages.h; only a failure with a
// detail (a category, a domain) formats a string. Not part of the public API.
//
//   DecisionBuilder b(&decision, language, policy_version);
//   b.Pass(RuleId::kR09, Msg::kR09CaseOpen);
//   b.Fail(RuleId::kR06, Msg::kR06Wildcard, category);
//   b.Finish();
//
// Thread-safety: one builder per decision, used by one thread.
#ifndef WAMS_POLICY_INTERNAL_DECISION_BUILDER_H_
#define WAMS_POLICY_INTERNAL_DECISION_BUILDER_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "policy/internal/messages.h"
#include "policy/rules.h"
#include "wams/broker/v1/common.pb.h"

namespace wams::policy::internal {

namespace v1 = ::wams::broker::v1;

// Kept inline: the data request path adds 16 results per decision, and the
// builder was written to cost no more than the protobuf writes it makes.
class DecisionBuilder {
 public:
  // Fills `*out`, which is cleared first. When `out` lives on an arena, or is
  // a reused message, its memory is reused: the cheap path for hot callers.
  // LANGUAGE_UNSPECIFIED (or any unknown value) becomes Dutch.
  DecisionBuilder(v1::Decision* out, v1::Language language, const std::string& version)
      : language_(language == v1::LANGUAGE_ENGLISH ? v1::LANGUAGE_ENGLISH : v1::LANGUAGE_DUTCH),
        decision_(*out) {
    decision_.Clear();
    decision_.set_policy_version(version);
    decision_.set_language(language_);
  }

  DecisionBuilder(const DecisionBuilder&) = delete;
  DecisionBuilder& operator=(const DecisionBuilder&) = delete;

  // One rule result; a failure also lands in failed_rule_ids. A non-empty
  // `detail` is quoted after the message (never a BSN or a payload).
  void Add(RuleId rule, v1::RuleOutcome outcome, Msg msg, absl::string_view detail = {}) {
    const RuleInfo& info = GetRule(rule);
    v1::RuleResult* result = decision_.add_rules();
    result->set_rule_id(info.id.data(), info.id.size());
    result->set_article(info.article.data(), info.article.size());
    result->set_outcome(outcome);
    if (detail.empty()) {
      const absl::string_view text = Text(msg, language_);
      result->set_message(text.data(), text.size());
    } else {
      result->set_message(absl::StrCat(Text(msg, language_), ": \"", detail, "\""));
    }
    if (outcome == v1::RULE_OUTCOME_FAILED) {
      decision_.add_failed_rule_ids(info.id.data(), info.id.size());
    }
  }
  void Pass(RuleId rule, Msg msg) { Add(rule, v1::RULE_OUTCOME_PASSED, msg); }
  void Fail(RuleId rule, Msg msg, absl::string_view detail = {}) {
    Add(rule, v1::RULE_OUTCOME_FAILED, msg, detail);
  }
  void NotApplicable(RuleId rule, Msg msg) { Add(rule, v1::RULE_OUTCOME_NOT_APPLICABLE, msg); }

  // An obligation on the provider; the caller may add categories to it. It
  // survives only when the decision is allowed (Finish).
  v1::Obligation* AddObligation(v1::ObligationKind kind, RuleId rule, Msg msg) {
    v1::Obligation* obligation = decision_.add_obligations();
    obligation->set_kind(kind);
    const absl::string_view id = GetRule(rule).id;
    const absl::string_view text = Text(msg, language_);
    obligation->set_rule_id(id.data(), id.size());
    obligation->set_message(text.data(), text.size());
    return obligation;
  }

  // The consent relied on for one category; `consent_id` nullptr: none.
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

}  // namespace wams::policy::internal

#endif  // WAMS_POLICY_INTERNAL_DECISION_BUILDER_H_
