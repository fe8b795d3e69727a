// Coordination as data, through CaseService on a real broker process over
// mTLS (with real provider servers, so a party can become involved):
//   - whether coordination is a duty or a power (R12) and who coordinates
//     (R13) are fields of the case, shown by GetCase to the municipality and
//     the designated coordinator, and in the StartCoordination answer with
//     its Decision;
//   - a case opened without any social-domain law is refused citing R01, in
//     the Decision and in the receipt;
//   - adjacent domains can be given when the case is opened, checked as in
//     SetClientScope.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"

namespace wams::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CaseCoordinationTest : public ExchangeFlowTest {
 protected:
  v1::OpenClientCaseRequest OpenRequest(const std::vector<v1::SocialLaw>& laws,
                                        const std::vector<v1::Domain>& adjacent = {}) {
    v1::OpenClientCaseRequest request;
    request.set_request_id(absl::StrCat("open-", ++next_request_));
    request.set_client_bsn(kClientBsn);
    for (v1::SocialLaw law : laws) request.add_social_laws(law);
    for (v1::Domain domain : adjacent) request.add_adjacent_domains(domain);
    request.mutable_scope()->add_domains_in(v1::DOMAIN_WELFARE);
    return request;
  }

  CallResult Open(const v1::OpenClientCaseRequest& request, v1::CaseResponse* response) {
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    return ResultOf(Cases()->OpenClientCase(&context, request, response));
  }

  CallResult Get(const std::string& case_id, const std::string& cert_name,
                 const std::string& professional_id, v1::CaseResponse* response) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    return ResultOf(Cases(cert_name)->GetCase(&context, request, response));
  }

  CallResult StartCoordination(const std::string& case_id, const v1::Coordination& coordination,
                               v1::CaseResponse* response) {
    v1::StartCoordinationRequest request;
    request.set_case_id(case_id);
    *request.mutable_coordination() = coordination;
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    return ResultOf(Cases()->StartCoordination(&context, request, response));
  }

  static v1::Coordination Designated(const std::string& party_oin) {
    v1::Coordination coordination;
    coordination.mutable_designated()->set_party_oin(party_oin);
    coordination.mutable_designated()->set_professional_id(kCoordinator);
    return coordination;
  }

  // The outcome (PASSED, FAILED, ...) of `rule_id` in `decision`.
  static v1::RuleOutcome OutcomeOf(const v1::Decision& decision, const std::string& rule_id) {
    for (const v1::RuleResult& rule : decision.rules()) {
      if (rule.rule_id() == rule_id) return rule.outcome();
    }
    return v1::RULE_OUTCOME_UNSPECIFIED;
  }
};

TEST_F(CaseCoordinationTest, OpeningWithoutASocialDomainLawIsRefusedCitingR01) {
  v1::CaseResponse response;
  CallResult refused = Open(OpenRequest({}), &response);

  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << refused.status.error_message();
  EXPECT_THAT(refused.status.error_message(), HasSubstr("R01"));
  EXPECT_FALSE(refused.decision.allowed());
  EXPECT_THAT(FailedRules(refused), ElementsAre("R01"));
  ASSERT_EQ(refused.receipts.size(), 1u);
  EXPECT_EQ(refused.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(refused.receipts[0].failed_rule_ids(), ElementsAre("R01"));
  EXPECT_FALSE(refused.receipts[0].policy_version().empty());

  // The same opening under a law is granted, and says so with its decision.
  v1::CaseResponse opened;
  CallResult granted = Open(OpenRequest({v1::SOCIAL_LAW_WGS}), &opened);
  ASSERT_TRUE(granted.status.ok()) << granted.status.error_message();
  EXPECT_TRUE(opened.decision().allowed());
  EXPECT_EQ(OutcomeOf(opened.decision(), "R01"), v1::RULE_OUTCOME_PASSED);
}

TEST_F(CaseCoordinationTest, AdjacentDomainsGivenAtOpeningMakeCoordinationAPower) {
  v1::CaseResponse opened;
  CallResult open = Open(
      OpenRequest({v1::SOCIAL_LAW_WMO_2015}, {v1::DOMAIN_EDUCATION, v1::DOMAIN_HOUSING}), &opened);
  ASSERT_TRUE(open.status.ok()) << open.status.error_message();
  EXPECT_THAT(opened.case_().adjacent_domains(),
              ElementsAre(v1::DOMAIN_EDUCATION, v1::DOMAIN_HOUSING));
  EXPECT_EQ(opened.case_().coordination_ground(), v1::COORDINATION_GROUND_POWER);
  EXPECT_EQ(opened.case_().coordinator_kind(), v1::COORDINATOR_KIND_UNSPECIFIED);
  EXPECT_THAT(Decode(opened.receipt()).detail(),
              HasSubstr("adjacent domains (R12) [DOMAIN_EDUCATION, DOMAIN_HOUSING]"));

  v1::CaseResponse read;
  ASSERT_TRUE(Get(opened.case_().case_id(), "municipality", kCaseWorker, &read).status.ok());
  EXPECT_EQ(read.case_().coordination_ground(), v1::COORDINATION_GROUND_POWER);

  // Without the adjacent domains, one law gives no ground to coordinate.
  v1::CaseResponse one_law;
  ASSERT_TRUE(Open(OpenRequest({v1::SOCIAL_LAW_WMO_2015}), &one_law).status.ok());
  EXPECT_EQ(one_law.case_().coordination_ground(), v1::COORDINATION_GROUND_NONE);
}

TEST_F(CaseCoordinationTest, AdjacentDomainsAtOpeningAreCheckedLikeSetClientScope) {
  v1::CaseResponse response;
  CallResult refused =
      Open(OpenRequest({v1::SOCIAL_LAW_WMO_2015}, {v1::DOMAIN_EDUCATION, v1::DOMAIN_UNSPECIFIED}),
           &response);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.status.error_message(), HasSubstr("adjacent_domains[1]"));
  ASSERT_EQ(refused.receipts.size(), 1u);
  EXPECT_EQ(refused.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);

  // SetClientScope names the same field for the same mistake.
  v1::Case opened = OpenCase({v1::DOMAIN_WELFARE}, {});
  v1::SetClientScopeRequest scope;
  scope.set_case_id(opened.case_id());
  scope.add_adjacent_domains(v1::DOMAIN_EDUCATION);
  scope.add_adjacent_domains(v1::DOMAIN_UNSPECIFIED);
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::CaseResponse changed;
  grpc::Status status = Cases()->SetClientScope(&context, scope, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("adjacent_domains[1]"));
}

TEST_F(CaseCoordinationTest, StartCoordinationAnswersWithGroundCoordinatorAndDecision) {
  // Wmo 2015 and Jeugdwet: a duty. The team becomes involved by answering.
  v1::Case opened = OpenCase({v1::DOMAIN_WELFARE}, {});
  EXPECT_EQ(opened.coordination_ground(), v1::COORDINATION_GROUND_DUTY);
  v1::DataResponse answer;
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kTeamOin, {"support_plan"}), &answer).status.ok());

  v1::CaseResponse started;
  CallResult start = StartCoordination(opened.case_id(), Designated(kTeamOin), &started);
  ASSERT_TRUE(start.status.ok()) << start.status.error_message();
  EXPECT_EQ(started.case_().phase(), v1::CASE_PHASE_COORDINATION);
  EXPECT_EQ(started.case_().coordination_ground(), v1::COORDINATION_GROUND_DUTY);
  EXPECT_EQ(started.case_().coordinator_kind(), v1::COORDINATOR_KIND_INVOLVED_PARTY);
  EXPECT_TRUE(started.decision().allowed());
  EXPECT_EQ(OutcomeOf(started.decision(), "R12"), v1::RULE_OUTCOME_PASSED);
  EXPECT_EQ(OutcomeOf(started.decision(), "R13"), v1::RULE_OUTCOME_PASSED);
  EXPECT_THAT(Decode(started.receipt()).detail(),
              HasSubstr("COORDINATION_GROUND_DUTY (R12); COORDINATOR_KIND_INVOLVED_PARTY (R13)"));

  // GetCase shows both to the municipality and to the designated coordinator.
  v1::CaseResponse by_municipality;
  ASSERT_TRUE(Get(opened.case_id(), "municipality", kCaseWorker, &by_municipality).status.ok());
  EXPECT_EQ(by_municipality.case_().coordination_ground(), v1::COORDINATION_GROUND_DUTY);
  EXPECT_EQ(by_municipality.case_().coordinator_kind(), v1::COORDINATOR_KIND_INVOLVED_PARTY);
  v1::CaseResponse by_coordinator;
  CallResult coordinator_read =
      Get(opened.case_id(), "neighbourhood-team", kCoordinator, &by_coordinator);
  ASSERT_TRUE(coordinator_read.status.ok()) << coordinator_read.status.error_message();
  EXPECT_EQ(by_coordinator.case_().coordination_ground(), v1::COORDINATION_GROUND_DUTY);
  EXPECT_EQ(by_coordinator.case_().coordinator_kind(), v1::COORDINATOR_KIND_INVOLVED_PARTY);

  // Anyone else hears about no case at all.
  v1::CaseResponse by_school;
  EXPECT_EQ(Get(opened.case_id(), "school", "mentor-3", &by_school).status.error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(by_school.has_case_());
}

TEST_F(CaseCoordinationTest, MunicipalCoordinatorIsShownAsTheMunicipalitys) {
  v1::Case opened = OpenCase({v1::DOMAIN_WELFARE}, {});
  v1::CaseResponse started;
  CallResult start = StartCoordination(opened.case_id(), Designated(kMunicipalityOin), &started);
  ASSERT_TRUE(start.status.ok()) << start.status.error_message();
  EXPECT_EQ(started.case_().coordinator_kind(), v1::COORDINATOR_KIND_MUNICIPALITY);
}

TEST_F(CaseCoordinationTest, WithoutAGroundCoordinationIsRefusedThenAPowerOnceAnAdjacentDomain) {
  v1::CaseResponse opened;
  ASSERT_TRUE(Open(OpenRequest({v1::SOCIAL_LAW_WGS}), &opened).status.ok());
  const std::string case_id = opened.case_().case_id();
  v1::Coordination self;
  self.mutable_self()->set_by("mantelzorger");

  v1::CaseResponse refused_response;
  CallResult refused = StartCoordination(case_id, self, &refused_response);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(refused), Contains("R12"));
  ASSERT_EQ(refused.receipts.size(), 1u);
  EXPECT_THAT(refused.receipts[0].failed_rule_ids(), Contains("R12"));

  v1::SetClientScopeRequest scope;
  scope.set_case_id(case_id);
  scope.add_adjacent_domains(v1::DOMAIN_HOUSING);
  v1::CaseResponse widened = CaseCall([&](auto& stub, auto* context, auto* response) {
    return stub.SetClientScope(context, scope, response);
  });
  EXPECT_EQ(widened.case_().coordination_ground(), v1::COORDINATION_GROUND_POWER);

  v1::CaseResponse started;
  CallResult start = StartCoordination(case_id, self, &started);
  ASSERT_TRUE(start.status.ok()) << start.status.error_message();
  EXPECT_EQ(started.case_().coordination_ground(), v1::COORDINATION_GROUND_POWER);
  EXPECT_EQ(started.case_().coordinator_kind(), v1::COORDINATOR_KIND_SELF);
  EXPECT_EQ(started.case_().coordination().self().by(), "mantelzorger");
  EXPECT_EQ(OutcomeOf(started.decision(), "R12"), v1::RULE_OUTCOME_PASSED);
}

}  // namespace
}  // namespace wams::testing
