// The retention planner (broker/retention/retention_planner.h) as a table:
// which cases are past their term at a given instant, and which pseudonyms
// may then be shredded. Times come from a FakeClock; no storage.
#include "broker/retention/retention_planner.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"

namespace wams::retention {
namespace {

namespace v1 = ::wams::broker::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kClosed = absl::FromUnixSeconds(1'767'259'800);  // 2026-01-01T09:30Z
const absl::Duration kTerm = absl::Hours(24 * 365);

CaseFacts Open(std::string id, std::vector<std::string> pseudonyms) {
  CaseFacts facts;
  facts.case_id = std::move(id);
  facts.pseudonyms = std::move(pseudonyms);
  return facts;
}
CaseFacts Ended(std::string id, absl::Time at, std::vector<std::string> pseudonyms) {
  CaseFacts facts = Open(std::move(id), std::move(pseudonyms));
  facts.ended_at = at;
  return facts;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  ts->set_seconds(absl::ToUnixSeconds(t));
}

TEST(RetentionPlannerTest, KeepsACaseUntilItsTermHasPassed) {
  testing::FakeClock clock(kClosed + kTerm - absl::Nanoseconds(1));
  std::vector<CaseFacts> cases = {Ended("c1", kClosed, {"p1"})};
  RetentionPlan plan = PlanRetention(cases, clock.Now(), kTerm);
  EXPECT_THAT(plan.expired_case_ids, IsEmpty());
  EXPECT_THAT(plan.pseudonyms_to_shred, IsEmpty());

  clock.Advance(absl::Nanoseconds(1));
  plan = PlanRetention(cases, clock.Now(), kTerm);
  EXPECT_THAT(plan.expired_case_ids, ElementsAre("c1"));
  EXPECT_THAT(plan.pseudonyms_to_shred, ElementsAre("p1"));
}

TEST(RetentionPlannerTest, NeverExpiresAnOpenCase) {
  testing::FakeClock clock(kClosed + 100 * kTerm);
  RetentionPlan plan = PlanRetention({Open("c1", {"p1"})}, clock.Now(), kTerm);
  EXPECT_THAT(plan.expired_case_ids, IsEmpty());
  EXPECT_THAT(plan.pseudonyms_to_shred, IsEmpty());
}

TEST(RetentionPlannerTest, KeepsTheKeyOfAPersonWithAnOpenCase) {
  testing::FakeClock clock(kClosed + kTerm);
  RetentionPlan plan =
      PlanRetention({Ended("c1", kClosed, {"p1", "p2"}), Open("c2", {"p2"})}, clock.Now(), kTerm);
  EXPECT_THAT(plan.expired_case_ids, ElementsAre("c1"));
  EXPECT_THAT(plan.pseudonyms_to_shred, ElementsAre("p1"));
}

TEST(RetentionPlannerTest, KeepsTheKeyOfAPersonWithACaseStillWithinItsTerm) {
  testing::FakeClock clock(kClosed + kTerm);
  RetentionPlan plan =
      PlanRetention({Ended("c1", kClosed, {"p1"}), Ended("c2", kClosed + absl::Hours(1), {"p1"})},
                    clock.Now(), kTerm);
  EXPECT_THAT(plan.expired_case_ids, ElementsAre("c1"));
  EXPECT_THAT(plan.pseudonyms_to_shred, IsEmpty());
}

TEST(RetentionPlannerTest, ShredsAPseudonymOfSeveralExpiredCasesOnce) {
  testing::FakeClock clock(kClosed + 2 * kTerm);
  RetentionPlan plan = PlanRetention(
      {Ended("c1", kClosed, {"p1", "p2"}), Ended("c2", kClosed + kTerm, {"p2", "p3"})}, clock.Now(),
      kTerm);
  EXPECT_THAT(plan.expired_case_ids, ElementsAre("c1", "c2"));
  EXPECT_THAT(plan.pseudonyms_to_shred, ElementsAre("p1", "p2", "p3"));
}

TEST(RetentionPlannerTest, FactsOfAClosedCaseNameClientsAndConsentsOnce) {
  v1::Case c;
  c.set_case_id("c1");
  c.set_phase(v1::CASE_PHASE_CLOSED);
  SetTime(kClosed, c.mutable_closed_at());
  c.add_clients()->set_subject_pseudonym("p1");
  c.add_clients()->set_subject_pseudonym("p2");
  c.add_consents()->set_subject_pseudonym("p1");
  CaseFacts facts = CaseFactsOf(c);
  EXPECT_EQ(facts.ended_at, kClosed);
  EXPECT_THAT(facts.pseudonyms, ElementsAre("p1", "p2"));
}

TEST(RetentionPlannerTest, ADeclinedCaseEndsAtItsDecision) {
  v1::Case c;
  c.set_phase(v1::CASE_PHASE_DECLINED);
  SetTime(kClosed, c.mutable_professional_request()->mutable_decision()->mutable_decided_at());
  EXPECT_EQ(CaseFactsOf(c).ended_at, kClosed);
}

TEST(RetentionPlannerTest, ACaseInResearchIsOpen) {
  v1::Case c;
  c.set_phase(v1::CASE_PHASE_RESEARCH);
  EXPECT_EQ(CaseFactsOf(c).ended_at, std::nullopt);
}

TEST(RetentionPlannerTest, AClosedCaseWithoutATimeIsNotKeptForEver) {
  v1::Case c;
  c.set_phase(v1::CASE_PHASE_CLOSED);
  EXPECT_EQ(CaseFactsOf(c).ended_at, absl::UnixEpoch());
}

}  // namespace
}  // namespace wams::retention
