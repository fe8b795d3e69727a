// Claiming another party's professional role: the professional id in
// `x-wams-professional-id` is only the caller's say-so, so a role bound to a
// professional (the designated coordinator, R10 and R22; a privacy officer,
// who may read disclosure overviews) must count only together with the
// party whose certificate carries it. Each misuse below is tried with a
// valid certificate of another party and refused; each has a control call by
// the rightful party that succeeds, so the refusal is about the party.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/testing/status_matchers.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::Contains;
using ::wams::testing::StatusIs;

constexpr char kPrivacyOfficer[] = "fg-officer-1";

class RoleMisuseTest : public ExchangeFlowTest {
 protected:
  void SetUp() override {
    WriteFile(broker_.config_path(), ReadFile(broker_.config_path()) + "\nprivacy_officer_ids: \"" +
                                         kPrivacyOfficer + "\"\n");
    ExchangeFlowTest::SetUp();
  }

  // A case in coordination, kCoordinator of the neighbourhood team designated.
  std::string CaseInCoordination() {
    v1::Case opened =
        OpenCase({v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE}, {});
    v1::DataResponse answer;
    // The team becomes involved by answering, as in the walkthrough.
    CallResult team =
        RequestData(NewRequest(opened.case_id(), kTeamOin, {"support_plan"}), &answer);
    EXPECT_TRUE(team.status.ok()) << team.status.error_message();
    v1::StartCoordinationRequest start;
    start.set_case_id(opened.case_id());
    start.mutable_coordination()->mutable_designated()->set_party_oin(kTeamOin);
    start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
    EXPECT_EQ(CaseCall([&](auto& stub, auto* context, auto* response) {
                return stub.StartCoordination(context, start, response);
              })
                  .case_()
                  .phase(),
              v1::CASE_PHASE_COORDINATION);
    return opened.case_id();
  }

  CallResult Convene(const std::string& case_id, const std::string& cert_name,
                     const std::string& professional_id) {
    v1::ConveneRequest request;
    request.set_request_id(absl::StrCat("convene-", ++next_request_));
    request.set_case_id(case_id);
    request.set_subject("Afstemming aanpak");
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    v1::ConferenceResponse response;
    return ResultOf(v1::ConferenceService::NewStub(broker_.Channel(cert_name))
                        ->Convene(&context, request, &response));
  }

  grpc::Status DisclosureOverview(const std::string& cert_name,
                                  const std::string& professional_id) {
    v1::DisclosureRequest request;
    request.set_subject_bsn(kClientBsn);
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    v1::DisclosureResponse response;
    return v1::AuditService::NewStub(broker_.Channel(cert_name))
        ->GetDisclosureOverview(&context, request, &response);
  }
};

TEST_F(RoleMisuseTest, ProviderClaimingTheCoordinatorsIdMayNotRequestForCoordination) {
  const std::string case_id = CaseInCoordination();
  v1::DataResponse answer;

  // GGZ's valid certificate, the team's coordinator's professional id.
  CallResult impostor =
      RequestData(NewRequest(case_id, kSchoolOin, {"attendance"}, v1::PURPOSE_COORDINATION),
                  &answer, "ggz", kCoordinator);
  EXPECT_EQ(impostor.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(impostor), Contains("R10"));

  // The municipality is no coordinator either, whatever id it sends.
  CallResult municipality =
      RequestData(NewRequest(case_id, kSchoolOin, {"attendance"}, v1::PURPOSE_COORDINATION),
                  &answer, "municipality", kCoordinator);
  // Only R10 fails, a rule of phase: FAILED_PRECONDITION (proto/README.md, "One error model").
  EXPECT_THAT(municipality.status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(FailedRules(municipality), Contains("R10"));

  EXPECT_EQ(school_->Received().size(), 0u) << "a refused request reached the provider";

  // Control: the designated coordinator's own party.
  CallResult coordinator =
      RequestData(NewRequest(case_id, kSchoolOin, {"attendance"}, v1::PURPOSE_COORDINATION),
                  &answer, "neighbourhood-team", kCoordinator);
  EXPECT_TRUE(coordinator.status.ok()) << coordinator.status.error_message();
}

TEST_F(RoleMisuseTest, ProviderClaimingTheCoordinatorsIdMayNotConvene) {
  const std::string case_id = CaseInCoordination();

  CallResult impostor = Convene(case_id, "school", kCoordinator);
  EXPECT_EQ(impostor.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(impostor), Contains("R22"));

  CallResult coordinator = Convene(case_id, "neighbourhood-team", kCoordinator);
  EXPECT_TRUE(coordinator.status.ok()) << coordinator.status.error_message();
}

TEST_F(RoleMisuseTest, ProviderClaimingThePrivacyOfficersIdMayNotReadDisclosureOverviews) {
  OpenCase({v1::DOMAIN_EDUCATION}, {});

  for (const char* provider : {"ggz", "neighbourhood-team", "police"}) {
    grpc::Status status = DisclosureOverview(provider, kPrivacyOfficer);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << provider;
  }

  // Control: the municipality's privacy officer.
  grpc::Status officer = DisclosureOverview("municipality", kPrivacyOfficer);
  EXPECT_TRUE(officer.ok()) << officer.error_message();
}

}  // namespace
}  // namespace wams::testing
