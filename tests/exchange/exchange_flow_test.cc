// The data-request flow end to end: a real broker process, real provider
// servers over mTLS, real RocksDB; every refusal checked for its rule ID,
// every step for its receipts.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"

namespace wams::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

bool HasObligation(const v1::ProviderRequest& request, v1::ObligationKind kind) {
  return std::any_of(request.obligations().begin(), request.obligations().end(),
                     [&](const v1::Obligation& o) { return o.kind() == kind; });
}

grpc::Status ProvideWithGoodCareStatement(const v1::ProviderRequest& request,
                                          v1::ProviderResponse* response) {
  TestProvider::ProvideAll(request, response);
  response->set_good_care_statement(
      "Verstrekking is vanuit goed hulpverlenerschap noodzakelijk: acuut risico op uitval.");
  return grpc::Status::OK;
}

TEST_F(ExchangeFlowTest, ClientInitiatedResearchThenCoordinationThenClosing) {
  v1::Case opened = OpenCase({v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE},
                             {v1::DOMAIN_POLICE});
  ASSERT_EQ(opened.phase(), v1::CASE_PHASE_RESEARCH);

  // Research: two providers answer.
  v1::DataResponse school_answer;
  CallResult school = RequestData(
      NewRequest(opened.case_id(), kSchoolOin, {"attendance", "support_needs"}), &school_answer);
  ASSERT_TRUE(school.status.ok()) << school.status.error_message();
  EXPECT_EQ(school_answer.status(), v1::PROVIDER_ANSWER_STATUS_PROVIDED);
  EXPECT_EQ(school_answer.data_size(), 2);
  EXPECT_EQ(Decode(school_answer.decision_receipt()).outcome(), v1::RECEIPT_OUTCOME_GRANTED);
  v1::Receipt answer_receipt = Decode(school_answer.answer_receipt());
  EXPECT_EQ(answer_receipt.outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
  EXPECT_EQ(answer_receipt.payload_sha256().size(), 32u);
  EXPECT_EQ(answer_receipt.decision_leaf_index(), school_answer.decision_receipt().leaf_index());

  v1::DataResponse team_answer;
  ASSERT_TRUE(RequestData(NewRequest(opened.case_id(), kTeamOin, {"support_plan"}), &team_answer)
                  .status.ok());
  ASSERT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(school_->Received()[0].subject_bsn(), kClientBsn);
  EXPECT_EQ(school_->Received()[0].requester_oin(), kMunicipalityOin);
  EXPECT_EQ(school_->Received()[0].professional_id(), kCaseWorker);
  EXPECT_FALSE(school_->Received()[0].transaction_id().empty());

  // Coordination by a professional of the neighbourhood team (involved above).
  v1::StartCoordinationRequest start;
  start.set_case_id(opened.case_id());
  start.mutable_coordination()->mutable_designated()->set_party_oin(kTeamOin);
  start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
  v1::CaseResponse coordinating = CaseCall([&](auto& stub, auto* context, auto* response) {
    return stub.StartCoordination(context, start, response);
  });
  EXPECT_EQ(coordinating.case_().phase(), v1::CASE_PHASE_COORDINATION);

  v1::DataResponse coordination_answer;
  CallResult coordination = RequestData(
      NewRequest(opened.case_id(), kSchoolOin, {"attendance"}, v1::PURPOSE_COORDINATION),
      &coordination_answer, "neighbourhood-team", kCoordinator);
  ASSERT_TRUE(coordination.status.ok()) << coordination.status.error_message();
  EXPECT_EQ(school_->Received().size(), 2u);

  v1::CloseCaseRequest close;
  close.set_case_id(opened.case_id());
  close.set_reason("Aanpak loopt; coordinatie niet langer nodig.");
  EXPECT_EQ(CaseCall([&](auto& stub, auto* context, auto* response) {
              return stub.CloseCase(context, close, response);
            })
                .case_()
                .phase(),
            v1::CASE_PHASE_CLOSED);

  // Every step above is in the log, and the exported log verifies offline.
  ASSERT_EQ(broker_.Stop(), 0);
  TempDir export_dir;
  std::string output;
  EXPECT_EQ(broker_.ExportAndVerify(export_dir.path() / "export", &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("verified"));
}

TEST_F(ExchangeFlowTest, RefusesDomainOutsideClientScopeCitingR04) {
  v1::Case opened = OpenCase({v1::DOMAIN_MENTAL_HEALTH}, {v1::DOMAIN_POLICE});
  v1::DataResponse response;
  CallResult result =
      RequestData(NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"}), &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(result), Contains("R04"));
  EXPECT_THAT(result.status.error_message(), HasSubstr("R04"));
  // The refusal is receipted, and nothing reached the police.
  ASSERT_EQ(result.receipts.size(), 1u);
  EXPECT_EQ(result.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(result.receipts[0].failed_rule_ids(), Contains("R04"));
  EXPECT_THAT(police_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, RefusesFraudControlCitingR08) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse response;
  CallResult result = RequestData(
      NewRequest(opened.case_id(), kSchoolOin, {"attendance"}, v1::PURPOSE_FRAUD_CONTROL),
      &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(result), Contains("R08"));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, RefusesSubjectWhoIsNotAClientCitingR09) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  request.set_subject_bsn(kOtherPersonBsn);
  v1::DataResponse response;
  CallResult result = RequestData(request, &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(result), Contains("R09"));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, RefusesFishingRequestWithoutCaseCitingR09) {
  v1::DataResponse response;
  CallResult result = RequestData(
      NewRequest("01890000-0000-7000-8000-000000000000", kSchoolOin, {"attendance"}), &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(result), Contains("R09"));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, RefusesCoordinationRequestDuringResearchCitingR10) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse response;
  CallResult result = RequestData(
      NewRequest(opened.case_id(), kSchoolOin, {"attendance"}, v1::PURPOSE_COORDINATION), &response,
      "neighbourhood-team", kCoordinator);
  EXPECT_THAT(FailedRules(result), Contains("R10"));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, RefusesFamilyMemberWhoDidNotAgreeCitingR11) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::AddFamilyMemberRequest family;
  family.set_case_id(opened.case_id());
  family.set_bsn(kFamilyBsn);
  family.set_agreed(false);
  CaseCall([&](auto& stub, auto* context, auto* response) {
    return stub.AddFamilyMember(context, family, response);
  });

  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  request.set_subject_bsn(kFamilyBsn);
  v1::DataResponse response;
  CallResult refused = RequestData(request, &response);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(refused), Contains("R11"));

  // Once they agree, the same kind of request passes.
  family.set_agreed(true);
  CaseCall([&](auto& stub, auto* context, auto* changed) {
    return stub.AddFamilyMember(context, family, changed);
  });
  request.set_request_id("after-agreement");
  EXPECT_TRUE(RequestData(request, &response).status.ok());
  EXPECT_EQ(school_->Received().size(), 1u);
}

TEST_F(ExchangeFlowTest, RefusesRequestAfterClosingCitingR10) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::CloseCaseRequest close;
  close.set_case_id(opened.case_id());
  close.set_reason("Client verhuisd.");
  CaseCall([&](auto& stub, auto* context, auto* response) {
    return stub.CloseCase(context, close, response);
  });
  v1::DataResponse response;
  CallResult result =
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(result), Contains("R10"));
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, GgzWithoutConsentNeedsGoodCareStatementUntilConsentIsRecorded) {
  v1::Case opened = OpenCase({v1::DOMAIN_MENTAL_HEALTH}, {});

  // No consent: forwarded with the R17 obligation; an answer without a
  // good-care statement is blocked and receipted as blocked.
  v1::DataResponse response;
  CallResult blocked =
      RequestData(NewRequest(opened.case_id(), kGgzOin, {"treatment_status"}), &response);
  ASSERT_EQ(ggz_->Received().size(), 1u);
  EXPECT_TRUE(HasObligation(ggz_->Received()[0], v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  EXPECT_EQ(blocked.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(blocked), Contains("R17"));
  ASSERT_EQ(blocked.receipts.size(), 1u);
  EXPECT_EQ(blocked.receipts[0].outcome(), v1::RECEIPT_OUTCOME_BLOCKED);
  EXPECT_THAT(blocked.receipts[0].failed_rule_ids(), Contains("R17"));

  // With a good-care statement the answer is delivered.
  ggz_->SetHandler(ProvideWithGoodCareStatement);
  CallResult delivered =
      RequestData(NewRequest(opened.case_id(), kGgzOin, {"treatment_status"}), &response);
  ASSERT_TRUE(delivered.status.ok()) << delivered.status.error_message();
  EXPECT_THAT(response.good_care_statement(), HasSubstr("goed hulpverlenerschap"));
  v1::Receipt decision = Decode(response.decision_receipt());
  ASSERT_EQ(decision.consent_basis_size(), 1);
  EXPECT_FALSE(decision.consent_basis(0).explicit_consent());

  // With explicit consent on record: no obligation, the plain answer passes.
  v1::RecordConsentRequest consent;
  consent.set_case_id(opened.case_id());
  consent.set_subject_bsn(kClientBsn);
  consent.set_provider_oin(kGgzOin);
  consent.add_categories("treatment_status");
  v1::CaseResponse with_consent = CaseCall(
      [&](auto& stub, auto* context, auto* r) { return stub.RecordConsent(context, consent, r); });
  ASSERT_EQ(with_consent.case_().consents_size(), 1);
  ggz_->SetHandler(TestProvider::ProvideAll);
  ASSERT_TRUE(RequestData(NewRequest(opened.case_id(), kGgzOin, {"treatment_status"}), &response)
                  .status.ok());
  EXPECT_FALSE(HasObligation(ggz_->Received().back(), v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  decision = Decode(response.decision_receipt());
  ASSERT_EQ(decision.consent_basis_size(), 1);
  EXPECT_TRUE(decision.consent_basis(0).explicit_consent());
  EXPECT_EQ(decision.consent_basis(0).consent_id(), with_consent.case_().consents(0).consent_id());

  // Withdrawn: the obligation is back.
  v1::WithdrawConsentRequest withdraw;
  withdraw.set_case_id(opened.case_id());
  withdraw.set_consent_id(with_consent.case_().consents(0).consent_id());
  CaseCall([&](auto& stub, auto* context, auto* r) {
    return stub.WithdrawConsent(context, withdraw, r);
  });
  CallResult after_withdrawal =
      RequestData(NewRequest(opened.case_id(), kGgzOin, {"treatment_status"}), &response);
  EXPECT_TRUE(HasObligation(ggz_->Received().back(), v1::OBLIGATION_KIND_GOOD_CARE_STATEMENT));
  EXPECT_THAT(FailedRules(after_withdrawal), Contains("R17"));
}

TEST_F(ExchangeFlowTest, PoliceAnswerWithoutWpgBasisIsBlockedCitingR18) {
  v1::Case opened = OpenCase({v1::DOMAIN_POLICE}, {});
  v1::DataResponse response;
  CallResult blocked =
      RequestData(NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"}), &response);
  ASSERT_EQ(police_->Received().size(), 1u);
  EXPECT_TRUE(HasObligation(police_->Received()[0], v1::OBLIGATION_KIND_LEGAL_BASIS));
  EXPECT_EQ(blocked.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(blocked), Contains("R18"));

  police_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* answer) {
    TestProvider::ProvideAll(request, answer);
    answer->set_legal_basis("art. 19 Wpg");
    return grpc::Status::OK;
  });
  ASSERT_TRUE(RequestData(NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"}), &response)
                  .status.ok());
  EXPECT_EQ(response.legal_basis(), "art. 19 Wpg");
}

TEST_F(ExchangeFlowTest, IdempotentRetryReachesTheProviderOnce) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"enrolment"});
  v1::DataResponse first, second;
  ASSERT_TRUE(RequestData(request, &first).status.ok());
  ASSERT_TRUE(RequestData(request, &second).status.ok());

  EXPECT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(first.answer_receipt().leaf_index(), second.answer_receipt().leaf_index());
  EXPECT_EQ(first.transaction_id(), second.transaction_id());
  // The broker keeps no payload: the retry gets the answer without the data.
  EXPECT_EQ(first.data_size(), 1);
  EXPECT_FALSE(first.data_not_kept());
  EXPECT_EQ(second.data_size(), 0);
  EXPECT_TRUE(second.data_not_kept());
  EXPECT_EQ(second.status(), first.status());
}

TEST_F(ExchangeFlowTest, ProviderThatIsDownGivesUnavailableAndANotDeliveredReceipt) {
  v1::Case opened = OpenCase({v1::DOMAIN_PROBATION}, {});
  v1::DataResponse response;
  CallResult result =
      RequestData(NewRequest(opened.case_id(), kProbationOin, {"supervision_status"}), &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  ASSERT_EQ(result.receipts.size(), 1u);
  EXPECT_EQ(result.receipts[0].outcome(), v1::RECEIPT_OUTCOME_NOT_DELIVERED);
  EXPECT_EQ(result.receipts[0].target_oin(), kProbationOin);
}

TEST_F(ExchangeFlowTest, BadFieldIsInvalidArgumentNamingTheField) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  request.set_subject_bsn("123456789");  // fails the elfproef
  v1::DataResponse response;
  CallResult bad_bsn = RequestData(request, &response);
  EXPECT_EQ(bad_bsn.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_bsn.status.error_message(), HasSubstr("subject_bsn"));
  EXPECT_THAT(bad_bsn.status.error_message(), ::testing::Not(HasSubstr("123456789")));

  request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  request.clear_justification();
  // No justification breaks R06 (step by step): a refusal citing it, in the
  // answer and in the receipt (issue 16 point 3).
  CallResult no_justification = RequestData(request, &response);
  EXPECT_EQ(no_justification.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(FailedRules(no_justification), ElementsAre("R06"));
  ASSERT_EQ(no_justification.receipts.size(), 1u);
  EXPECT_EQ(no_justification.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(no_justification.receipts[0].failed_rule_ids(), ElementsAre("R06"));

  // A category in no catalogue is bad input naming the field and the value
  // (issue 16 point 4), receipted as refused.
  request = NewRequest(opened.case_id(), kSchoolOin, {"attendance", "foo"});
  CallResult unknown = RequestData(request, &response);
  EXPECT_EQ(unknown.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(unknown.status.error_message(), "categories[1]: \"foo\" is in no catalogue");
  ASSERT_EQ(unknown.receipts.size(), 1u);
  EXPECT_EQ(unknown.receipts[0].outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(school_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, MunicipalityResearchRequestDuringCoordinationIsFailedPrecondition) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE}, {});
  v1::DataResponse response;
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kTeamOin, {"support_plan"}), &response).status.ok());
  v1::StartCoordinationRequest start;
  start.set_case_id(opened.case_id());
  start.mutable_coordination()->mutable_designated()->set_party_oin(kTeamOin);
  start.mutable_coordination()->mutable_designated()->set_professional_id(kCoordinator);
  CaseCall([&](auto& stub, auto* context, auto* r) {
    return stub.StartCoordination(context, start, r);
  });

  CallResult result =
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response);
  // The case must change phase first (R10), so the caller sees FAILED_PRECONDITION.
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(FailedRules(result), ElementsAre("R10"));
}

TEST_F(ExchangeFlowTest, MunicipalitySharesWithAnInvolvedPartyCitingR21) {
  v1::ShareResponse shared;
  grpc::Status status = ShareWithInvolvedSchool(&shared);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(shared.acknowledged());
  ASSERT_EQ(school_->Received().size(), 2u);
  v1::ProviderRequest delivery = school_->Received().back();
  EXPECT_TRUE(delivery.is_share());
  ASSERT_EQ(delivery.shared_data_size(), 1);
  EXPECT_EQ(delivery.shared_data(0).category(), "wmo_services");
  v1::Receipt receipt = Decode(shared.delivery_receipt());
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
  EXPECT_EQ(receipt.payload_sha256().size(), 32u);
}

TEST_F(ExchangeFlowTest, AShareIsAcknowledgedOnlyWhenTheRecipientAcceptsIt) {
  // A recipient that answers the share without accepting it: a partial
  // answer, as to a data request, is no acknowledgement.
  school_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* answer) {
    if (!request.is_share()) return TestProvider::ProvideAll(request, answer);
    answer->set_status(v1::PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED);
    return grpc::Status::OK;
  });
  v1::ShareResponse shared;
  grpc::Status status = ShareWithInvolvedSchool(&shared);

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(shared.acknowledged());
  v1::Receipt receipt = Decode(shared.delivery_receipt());
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_PROVIDER_REFUSED);
  EXPECT_THAT(receipt.detail(), HasSubstr("PROVIDER_ANSWER_STATUS_PARTLY_PROVIDED"));
}

TEST_F(ExchangeFlowTest, ShareWithAPartyNotInvolvedIsRefusedCitingR21) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION, v1::DOMAIN_MENTAL_HEALTH}, {});
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::ShareResponse shared;
  grpc::Status status =
      Exchange()->ShareData(&context, NewShareRequest(opened.case_id(), kGgzOin), &shared);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("R21"));
  EXPECT_THAT(ggz_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, CheckRequestGivesTheDecisionWithoutForwarding) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {v1::DOMAIN_POLICE});
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::CheckResponse granted;
  ASSERT_TRUE(Exchange()
                  ->CheckRequest(&context, NewRequest(opened.case_id(), kSchoolOin, {"attendance"}),
                                 &granted)
                  .ok());
  EXPECT_TRUE(granted.decision().allowed());

  grpc::ClientContext refused_context;
  Prepare(&refused_context, kCaseWorker);
  v1::CheckResponse refused;
  ASSERT_TRUE(Exchange()
                  ->CheckRequest(&refused_context,
                                 NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"}),
                                 &refused)
                  .ok());
  EXPECT_FALSE(refused.decision().allowed());
  EXPECT_THAT(refused.decision().failed_rule_ids(), Contains("R04"));
  EXPECT_THAT(school_->Received(), IsEmpty());
  EXPECT_THAT(police_->Received(), IsEmpty());
}

TEST_F(ExchangeFlowTest, ProviderMayNotRequestData) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse response;
  CallResult result = RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}),
                                  &response, "ggz", "behandelaar-3");
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(school_->Received(), IsEmpty());
}

}  // namespace
}  // namespace wams::testing
