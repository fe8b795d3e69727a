// retention_planner.h: which cases are past their retention term and which
// subject keys may then be shredded. Pure functions over what the job read
// from the cases family, so the rules are tested without storage or time.
//
//   std::vector<CaseFacts> facts;                     // one per stored case
//   facts.push_back(CaseFactsOf(stored_case));
//   RetentionPlan plan = PlanRetention(facts, clock.Now(), options.case_data_term);
//   // remove plan.expired_case_ids, then shred plan.pseudonyms_to_shred
//
// The rules:
//   - a case has ended when it is CLOSED (at closed_at) or DECLINED (at the
//     decision's decided_at); it expires when now >= ended + term;
//   - a pseudonym (a client, family member or consenting subject of an
//     expired case) is shredded only when no case that is kept (open, or
//     ended within the term) names it: a person with a case the broker
//     still holds must stay findable (their disclosure overview, R29).
//
// Thread-safe: pure functions.
#ifndef WAMS_BROKER_RETENTION_RETENTION_PLANNER_H_
#define WAMS_BROKER_RETENTION_RETENTION_PLANNER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "wams/broker/v1/case.pb.h"

namespace wams::retention {

// What retention needs of one stored case.
struct CaseFacts {
  std::string case_id;
  std::string municipality_oin;
  // When the case ended; nullopt while it is open.
  std::optional<absl::Time> ended_at;
  // Every subject pseudonym the case names (clients and consents), each once.
  std::vector<std::string> pseudonyms;
};

struct RetentionPlan {
  // Cases past their term, in the order given.
  std::vector<std::string> expired_case_ids;
  // Pseudonyms of expired cases that no kept case names, sorted.
  std::vector<std::string> pseudonyms_to_shred;
};

// The facts of `c`. A CLOSED case without closed_at (or a DECLINED one
// without a decision time) counts as ended at the Unix epoch, so it is not
// kept for ever.
CaseFacts CaseFactsOf(const wams::broker::v1::Case& c);

// The plan for `cases` at `now` with `term`.
RetentionPlan PlanRetention(const std::vector<CaseFacts>& cases, absl::Time now,
                            absl::Duration term);

}  // namespace wams::retention

#endif  // WAMS_BROKER_RETENTION_RETENTION_PLANNER_H_
