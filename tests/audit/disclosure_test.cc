// The client's disclosure overview (AVG art. 15) after real exchanges: the
// school's answer is listed with names, categories, purpose and outcome; the
// police answer is withheld with the configured date and reason; the
// privacy officer may read it, other municipality staff may not.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::wams::testing::StatusIs;

constexpr char kOfficer[] = "fg-officer-1";

class DisclosureTest : public ExchangeFlowTest {
 protected:
  void SetUp() override {
    AppendToConfig(broker_, std::string("privacy_officer_ids: \"") + kOfficer + "\"\n" +
                                "disclosure_withholding { regime: SECRECY_REGIME_POLICE_WPG "
                                "until_date: \"2099-01-01\" reason: \"Lopend politieonderzoek "
                                "(art. 27 Wpg)\" }");
    ExchangeFlowTest::SetUp();
  }

  grpc::Status Overview(const std::string& cert, const std::string& professional,
                        v1::Language language, v1::DisclosureResponse* response) {
    grpc::ClientContext context;
    PrepareContext(&context, professional);
    v1::DisclosureRequest request;
    request.set_subject_bsn(kClientBsn);
    request.set_language(language);
    return AuditStub(broker_, cert)->GetDisclosureOverview(&context, request, response);
  }
};

TEST_F(DisclosureTest, ListsExchangesAndWithholdsPoliceEntriesWithTheReason) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION, v1::DOMAIN_POLICE}, {});
  v1::DataResponse answer;
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &answer).status.ok());
  police_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* response) {
    TestProvider::ProvideAll(request, response);
    response->set_legal_basis("art. 19 Wpg");
    return grpc::Status::OK;
  });
  ASSERT_TRUE(RequestData(NewRequest(opened.case_id(), kPoliceOin, {"police_contacts"}), &answer)
                  .status.ok());

  v1::DisclosureResponse overview;
  grpc::Status status = Overview("municipality", kOfficer, v1::LANGUAGE_DUTCH, &overview);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // One entry per exchange: the granted decision and its answer are one.
  ASSERT_EQ(overview.entries_size(), 1);
  const v1::DisclosureEntry& school = overview.entries(0);
  EXPECT_EQ(school.requester_oin(), kMunicipalityOin);
  EXPECT_EQ(school.requester_name(), "Gemeente Voorbeeldstad");
  EXPECT_EQ(school.target_oin(), kSchoolOin);
  EXPECT_EQ(school.target_name(), "Voorbeeldcollege");
  EXPECT_THAT(school.categories(), ElementsAre("attendance"));
  EXPECT_EQ(school.purpose(), v1::PURPOSE_RESEARCH);
  EXPECT_EQ(school.outcome(), v1::RECEIPT_OUTCOME_DELIVERED);
  EXPECT_EQ(school.case_id(), opened.case_id());
  EXPECT_GT(school.time().seconds(), 0);

  ASSERT_EQ(overview.withheld_size(), 1);
  EXPECT_EQ(overview.withheld(0).entries(), 1u);
  EXPECT_EQ(overview.withheld(0).reason(), "Lopend politieonderzoek (art. 27 Wpg)");
  EXPECT_EQ(overview.withheld(0).until().seconds(), 4070908800);  // 2099-01-01

  EXPECT_THAT(overview.document(), HasSubstr("Voorbeeldcollege"));
  EXPECT_THAT(overview.document(), HasSubstr("attendance"));
  EXPECT_THAT(overview.document(), HasSubstr("gegevens verstrekt"));
  EXPECT_THAT(overview.document(), HasSubstr("tot 2099-01-01"));
  EXPECT_THAT(overview.document(), HasSubstr("Lopend politieonderzoek"));
  EXPECT_THAT(overview.document(), Not(HasSubstr("Politie Eenheid")));
  EXPECT_THAT(overview.document(), Not(HasSubstr(kClientBsn)));

  v1::DisclosureResponse english;
  ASSERT_TRUE(Overview("auditor", "", v1::LANGUAGE_ENGLISH, &english).ok());
  EXPECT_THAT(english.document(), HasSubstr("Overview of disclosures"));
  EXPECT_THAT(english.document(), HasSubstr("data delivered"));
  EXPECT_EQ(english.entries_size(), 1);

  // Other municipality staff may not read it.
  v1::DisclosureResponse denied;
  EXPECT_EQ(Overview("municipality", kCaseWorker, v1::LANGUAGE_DUTCH, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DisclosureTest, RefusedRequestIsListedWithItsOutcome) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse answer;
  // Fraud control is never a ground (R08): refused, and the client may know.
  CallResult refused = RequestData(
      NewRequest(opened.case_id(), kSchoolOin, {"attendance"}, v1::PURPOSE_FRAUD_CONTROL), &answer);
  ASSERT_THAT(refused.status, StatusIs(absl::StatusCode::kPermissionDenied));
  v1::DisclosureResponse overview;
  ASSERT_TRUE(Overview("auditor", "", v1::LANGUAGE_ENGLISH, &overview).ok());
  ASSERT_EQ(overview.entries_size(), 1);
  EXPECT_EQ(overview.entries(0).outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_EQ(overview.entries(0).purpose(), v1::PURPOSE_FRAUD_CONTROL);
  EXPECT_THAT(overview.document(), HasSubstr("refused"));
  EXPECT_EQ(overview.withheld_size(), 0);
}

}  // namespace
}  // namespace wams::testing
