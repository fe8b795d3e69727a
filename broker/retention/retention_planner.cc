#include "broker/retention/retention_planner.h"

#include <algorithm>
#include <set>

namespace wams::retention {
namespace {

namespace v1 = ::wams::broker::v1;

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

CaseFacts CaseFactsOf(const v1::Case& c) {
  CaseFacts facts;
  facts.case_id = c.case_id();
  facts.municipality_oin = c.municipality_oin();
  if (c.phase() == v1::CASE_PHASE_CLOSED) {
    facts.ended_at = c.has_closed_at() ? TimeOf(c.closed_at()) : absl::UnixEpoch();
  } else if (c.phase() == v1::CASE_PHASE_DECLINED) {
    const v1::ProfessionalRequestDecision& decision = c.professional_request().decision();
    facts.ended_at = c.has_closed_at()           ? TimeOf(c.closed_at())
                     : decision.has_decided_at() ? TimeOf(decision.decided_at())
                                                 : absl::UnixEpoch();
  }
  std::set<std::string> pseudonyms;
  for (const v1::CaseClient& client : c.clients()) {
    if (!client.subject_pseudonym().empty()) pseudonyms.insert(client.subject_pseudonym());
  }
  for (const v1::Consent& consent : c.consents()) {
    if (!consent.subject_pseudonym().empty()) pseudonyms.insert(consent.subject_pseudonym());
  }
  facts.pseudonyms.assign(pseudonyms.begin(), pseudonyms.end());
  return facts;
}

RetentionPlan PlanRetention(const std::vector<CaseFacts>& cases, absl::Time now,
                            absl::Duration term) {
  RetentionPlan plan;
  std::set<std::string> kept;
  std::set<std::string> expired;
  for (const CaseFacts& c : cases) {
    bool expires = c.ended_at.has_value() && now >= *c.ended_at + term;
    if (expires) plan.expired_case_ids.push_back(c.case_id);
    (expires ? expired : kept).insert(c.pseudonyms.begin(), c.pseudonyms.end());
  }
  std::set_difference(expired.begin(), expired.end(), kept.begin(), kept.end(),
                      std::back_inserter(plan.pseudonyms_to_shred));
  return plan;
}

}  // namespace wams::retention
