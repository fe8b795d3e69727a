// The dry run must not be an oracle (issue 15, item 6). The school saw a
// case id in a request delivered to it; asking the broker about that case
// (CheckRequest, a refused RequestData, GetCase) must tell it nothing it may
// not know: not whether a BSN is a client of the case, not which consents
// exist (a GGZ consent reveals a mental-health relationship), not which
// domains the client excluded, not even whether the case exists. Only the
// case's municipality and its coordinator's party learn the case's facts. And
// every dry run is receipted as a consultation (R27). Real broker process,
// real provider servers over mTLS.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/testing/status_matchers.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kMentor[] = "mentor-3";
// A case id of the broker's form that names no case.
constexpr char kRandomCaseId[] = "01938c2e-7f00-7abc-8def-0123456789ab";

// Byte-equal decisions; on a difference, the failed rules and messages of both.
::testing::AssertionResult Same(const v1::Decision& a, const v1::Decision& b) {
  if (a.SerializeAsString() == b.SerializeAsString()) return ::testing::AssertionSuccess();
  auto summary = [](const v1::Decision& d) {
    std::string text;
    for (const v1::RuleResult& rule : d.rules()) {
      if (rule.outcome() == v1::RULE_OUTCOME_FAILED) {
        absl::StrAppend(&text, "\n    ", rule.rule_id(), ": ", rule.message());
      }
    }
    absl::StrAppend(&text, "\n    consent basis entries: ", d.consent_basis_size());
    return text;
  };
  return ::testing::AssertionFailure()
         << "the decisions differ:\n  one:" << summary(a) << "\n  other:" << summary(b);
}

class DryRunOracleTest : public ExchangeFlowTest {
 protected:
  // The walkthrough's situation: a client case with GGZ and the school in
  // scope and the police excluded, a consent for GGZ on record, and a request
  // delivered to the school, which so learned the case id.
  void SetUp() override {
    ExchangeFlowTest::SetUp();
    v1::Case opened =
        OpenCase({v1::DOMAIN_MENTAL_HEALTH, v1::DOMAIN_EDUCATION}, {v1::DOMAIN_POLICE});
    case_id_ = opened.case_id();
    v1::RecordConsentRequest consent;
    consent.set_case_id(case_id_);
    consent.set_subject_bsn(kClientBsn);
    consent.set_provider_oin(kGgzOin);
    consent.add_categories("treatment_status");
    consent_id_ = CaseCall([&](auto& stub, auto* context, auto* response) {
                    return stub.RecordConsent(context, consent, response);
                  })
                      .case_()
                      .consents(0)
                      .consent_id();
    v1::DataResponse answer;
    ASSERT_TRUE(RequestData(NewRequest(case_id_, kSchoolOin, {"attendance"}), &answer).status.ok());
    ASSERT_EQ(school_->Received().back().case_id(), case_id_);
  }

  v1::DataRequest Probe(const std::string& case_id, const std::string& bsn,
                        const std::string& provider_oin, const std::string& category) {
    v1::DataRequest request = NewRequest(case_id, provider_oin, {category});
    request.set_subject_bsn(bsn);
    return request;
  }

  CallResult Check(const v1::DataRequest& request, v1::CheckResponse* response,
                   const std::string& cert_name = "school",
                   const std::string& professional_id = kMentor) {
    grpc::ClientContext context;
    Prepare(&context, professional_id);
    return ResultOf(Exchange(cert_name)->CheckRequest(&context, request, response));
  }

  // The status message with the case id the caller sent taken out.
  static std::string Message(const CallResult& result, const std::string& case_id) {
    return absl::StrReplaceAll(result.status.error_message(), {{case_id, "<case>"}});
  }

  // Every receipt naming the school, as the auditor lists them.
  std::vector<v1::Receipt> SchoolReceipts() {
    std::vector<v1::Receipt> all;
    v1::ListReceiptsRequest request;
    request.set_party_oin(kSchoolOin);
    request.set_page_size(1000);
    auto audit = v1::AuditService::NewStub(broker_.Channel("auditor"));
    do {
      grpc::ClientContext context;
      Prepare(&context, "accountant-1");
      v1::ListReceiptsResponse page;
      grpc::Status status = audit->ListReceipts(&context, request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::SignedReceipt& receipt : page.receipts()) all.push_back(Decode(receipt));
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  std::string case_id_;
  std::string consent_id_;
};

TEST_F(DryRunOracleTest, CheckRequestTellsAnOutsiderNothingAboutTheCase) {
  v1::CheckResponse client, stranger, no_case, police_client, police_no_case;
  ASSERT_TRUE(Check(Probe(case_id_, kClientBsn, kGgzOin, "treatment_status"), &client).status.ok());
  ASSERT_TRUE(
      Check(Probe(case_id_, kOtherPersonBsn, kGgzOin, "treatment_status"), &stranger).status.ok());
  ASSERT_TRUE(
      Check(Probe(kRandomCaseId, kClientBsn, kGgzOin, "treatment_status"), &no_case).status.ok());
  ASSERT_TRUE(Check(Probe(case_id_, kClientBsn, kPoliceOin, "police_contacts"), &police_client)
                  .status.ok());
  ASSERT_TRUE(
      Check(Probe(kRandomCaseId, kClientBsn, kPoliceOin, "police_contacts"), &police_no_case)
          .status.ok());

  EXPECT_FALSE(client.decision().allowed());
  EXPECT_THAT(client.decision().consent_basis(), IsEmpty()) << "the consent (id) is revealed";
  EXPECT_EQ(client.decision().DebugString().find(consent_id_), std::string::npos);
  EXPECT_THAT(client.decision().failed_rule_ids(), ElementsAre("R09", "R10"));
  // Client or not, case or none: the same answer.
  EXPECT_TRUE(Same(client.decision(), stranger.decision()));
  EXPECT_TRUE(Same(client.decision(), no_case.decision()));
  // The excluded domain (police) shows no more than a random case does.
  EXPECT_TRUE(Same(police_client.decision(), police_no_case.decision()));
}

TEST_F(DryRunOracleTest, TheCasesMunicipalityStillSeesTheWholeDecision) {
  v1::CheckResponse full;
  ASSERT_TRUE(Check(Probe(case_id_, kClientBsn, kGgzOin, "treatment_status"), &full, "municipality",
                    kCaseWorker)
                  .status.ok());
  EXPECT_TRUE(full.decision().allowed());
  ASSERT_EQ(full.decision().consent_basis_size(), 1);
  EXPECT_EQ(full.decision().consent_basis(0).consent_id(), consent_id_);
}

TEST_F(DryRunOracleTest, EveryDryRunIsReceiptedAsAConsultation) {
  constexpr int kDryRuns = 50;
  for (int i = 0; i < kDryRuns; ++i) {
    v1::CheckResponse response;
    ASSERT_TRUE(
        Check(Probe(case_id_, kClientBsn, kGgzOin, "treatment_status"), &response).status.ok());
  }
  // By name: the kind is new, and an unknown kind must count as none.
  std::vector<v1::Receipt> consultations;
  for (const v1::Receipt& receipt : SchoolReceipts()) {
    if (v1::ReceiptKind_Name(receipt.kind()) == "RECEIPT_KIND_CONSULTATION") {
      consultations.push_back(receipt);
    }
  }
  ASSERT_EQ(consultations.size(), static_cast<size_t>(kDryRuns)) << "dry runs left no receipt";
  for (const v1::Receipt& consultation : consultations) {
    EXPECT_EQ(consultation.requester_oin(), kSchoolOin);
    EXPECT_EQ(consultation.professional_id(), kMentor);
    EXPECT_EQ(consultation.case_id(), case_id_);
    EXPECT_EQ(consultation.target_oin(), kGgzOin);
    EXPECT_FALSE(consultation.subject_pseudonym().empty());
    // The auditor may know the full decision's failed rules.
    EXPECT_THAT(consultation.failed_rule_ids(), ::testing::Contains("R10"));
    EXPECT_EQ(consultation.SerializeAsString().find(kClientBsn), std::string::npos);
  }
}

TEST_F(DryRunOracleTest, RefusedRequestDataTellsAnOutsiderNothingAboutTheCase) {
  v1::DataResponse answer;
  CallResult client = RequestData(Probe(case_id_, kClientBsn, kGgzOin, "treatment_status"), &answer,
                                  "school", kMentor);
  CallResult stranger = RequestData(Probe(case_id_, kOtherPersonBsn, kGgzOin, "treatment_status"),
                                    &answer, "school", kMentor);
  CallResult no_case = RequestData(Probe(kRandomCaseId, kClientBsn, kGgzOin, "treatment_status"),
                                   &answer, "school", kMentor);
  CallResult police = RequestData(Probe(case_id_, kClientBsn, kPoliceOin, "police_contacts"),
                                  &answer, "school", kMentor);
  CallResult police_no_case = RequestData(
      Probe(kRandomCaseId, kClientBsn, kPoliceOin, "police_contacts"), &answer, "school", kMentor);

  EXPECT_EQ(client.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  for (const CallResult* other : {&stranger, &no_case}) {
    const std::string& other_case = other == &no_case ? kRandomCaseId : case_id_;
    EXPECT_EQ(other->status.error_code(), client.status.error_code());
    EXPECT_EQ(Message(*other, other_case), Message(client, case_id_));
    EXPECT_TRUE(Same(other->decision, client.decision));
  }
  EXPECT_EQ(Message(police, case_id_), Message(police_no_case, kRandomCaseId));
  EXPECT_TRUE(Same(police.decision, police_no_case.decision));
  EXPECT_THAT(client.decision.consent_basis(), IsEmpty());
  // Whatever receipt travels back reveals no more than the decision does.
  for (const CallResult* result : {&client, &stranger, &no_case, &police}) {
    for (const v1::Receipt& receipt : result->receipts) {
      EXPECT_THAT(receipt.consent_basis(), IsEmpty());
      EXPECT_THAT(receipt.failed_rule_ids(), ElementsAre("R09", "R10")) << receipt.DebugString();
    }
  }
  EXPECT_EQ(ggz_->Received().size(), 0u);
}

TEST_F(DryRunOracleTest, GetCaseOfAnExistingCaseLooksLikeNoCase) {
  auto get = [&](const std::string& case_id) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    grpc::ClientContext context;
    Prepare(&context, kMentor);
    v1::CaseResponse response;
    CallResult result = ResultOf(Cases("school")->GetCase(&context, request, &response));
    EXPECT_FALSE(response.has_case_());
    return result;
  };
  CallResult existing = get(case_id_);
  CallResult random = get(kRandomCaseId);
  // NOT_FOUND, as for a case that does not exist (case_manager.h).
  EXPECT_THAT(existing.status, StatusIs(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(existing.status.error_code(), random.status.error_code())
      << existing.status.error_message() << " | " << random.status.error_message();
  EXPECT_EQ(Message(existing, case_id_), Message(random, kRandomCaseId));

  // Control: the case's municipality reads it.
  v1::GetCaseRequest request;
  request.set_case_id(case_id_);
  EXPECT_EQ(CaseCall([&](auto& stub, auto* context, auto* response) {
              return stub.GetCase(context, request, response);
            })
                .case_()
                .case_id(),
            case_id_);
}

}  // namespace
}  // namespace wams::testing
