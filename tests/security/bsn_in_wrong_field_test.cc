// A BSN typed into the wrong field (issue 15, item 4), against a real broker
// with test providers: as provider_oin, as a consent's provider, inside a
// category name or a justification, and in a provider's conditions. Each is
// refused (or the answer blocked) with a message that does not echo it, and
// afterwards the BSN is nowhere at rest: not in a receipt, not in any file of
// the data dir (RocksDB keys, WAL, MANIFEST, SST), not in the broker's log,
// the export or the HTML audit report.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/security/security_test_util.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// A valid BSN of nobody in the case: wherever it shows up, it came from the
// wrong field.
constexpr char kStrayBsn[] = "123456782";

class BsnInWrongFieldTest : public ExchangeFlowTest {
 protected:
  void SetUp() override {
    ExchangeFlowTest::SetUp();
    if (HasFatalFailure()) return;
    case_id_ = OpenCase({v1::DOMAIN_EDUCATION}, {}).case_id();
  }

  static void ExpectNotEchoed(const CallResult& result) {
    EXPECT_THAT(result.status.error_message(), Not(HasSubstr(kStrayBsn)));
    for (const v1::Receipt& receipt : result.receipts) {
      EXPECT_THAT(receipt.SerializeAsString(), Not(HasSubstr(kStrayBsn)))
          << receipt.ShortDebugString();
    }
  }

  // Stops the broker, then scans its log and every file at rest.
  void ExpectBsnNowhereAtRest() {
    ASSERT_EQ(broker_.Stop(), 0);
    std::vector<std::filesystem::path> files = FilesAtRest(broker_);
    files.push_back(broker_.log_path());
    ASSERT_GT(files.size(), 5u);
    std::vector<BsnSighting> sightings = FindBsns(files, {kStrayBsn});
    EXPECT_THAT(sightings, IsEmpty()) << Describe(sightings);
  }

  std::string case_id_;
};

TEST_F(BsnInWrongFieldTest, ABsnAsProviderOinIsRefusedAsNoOin) {
  v1::DataResponse response;
  CallResult result = RequestData(NewRequest(case_id_, kStrayBsn, {"attendance"}), &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(result.status.error_message(), "provider_oin: must be an OIN: exactly 20 digits");
  ASSERT_NO_FATAL_FAILURE(ExpectNotEchoed(result));
  ASSERT_THAT(result.receipts, SizeIs(1));
  EXPECT_EQ(result.receipts[0].target_oin(), "");
  ASSERT_NO_FATAL_FAILURE(ExpectBsnNowhereAtRest());
}

TEST_F(BsnInWrongFieldTest, ABsnAsAConsentsProviderIsRefusedAsNoOin) {
  v1::RecordConsentRequest consent;
  consent.set_case_id(case_id_);
  consent.set_subject_bsn(kClientBsn);
  consent.set_provider_oin(kStrayBsn);
  consent.add_categories("attendance");
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::CaseResponse response;
  CallResult result = ResultOf(Cases()->RecordConsent(&context, consent, &response));

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(result.status.error_message(), HasSubstr("provider_oin: must be an OIN"));
  ASSERT_NO_FATAL_FAILURE(ExpectNotEchoed(result));
  ASSERT_NO_FATAL_FAILURE(ExpectBsnNowhereAtRest());
}

TEST_F(BsnInWrongFieldTest, ABsnInACategoryNameIsRefused) {
  v1::DataResponse response;
  CallResult result = RequestData(
      NewRequest(case_id_, kSchoolOin, {"attendance", absl::StrCat("pupil_", kStrayBsn)}),
      &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(result.status.error_message(),
              HasSubstr("categories[1]: holds a nine-digit number that passes the elfproef"));
  ASSERT_NO_FATAL_FAILURE(ExpectNotEchoed(result));
  EXPECT_TRUE(school_->Received().empty());
  ASSERT_NO_FATAL_FAILURE(ExpectBsnNowhereAtRest());
}

TEST_F(BsnInWrongFieldTest, ABsnInTheJustificationIsRefused) {
  v1::DataRequest request = NewRequest(case_id_, kSchoolOin, {"attendance"});
  request.set_justification(absl::StrCat("Leerling met BSN ", kStrayBsn, " verzuimt vaak."));
  v1::DataResponse response;
  CallResult result = RequestData(request, &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(result.status.error_message(),
              AllOf(HasSubstr("justification: holds a nine-digit number"),
                    HasSubstr("refer to the person as \"the client\"")));
  ASSERT_NO_FATAL_FAILURE(ExpectNotEchoed(result));
  // Not forwarded: the school would have had the BSN in the justification.
  EXPECT_TRUE(school_->Received().empty());
  ASSERT_NO_FATAL_FAILURE(ExpectBsnNowhereAtRest());
}

TEST_F(BsnInWrongFieldTest, ABsnInAProvidersConditionsBlocksTheAnswer) {
  school_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* answer) {
    grpc::Status provided = TestProvider::ProvideAll(request, answer);
    answer->add_conditions(absl::StrCat("Bespreek met de mentor van leerling ", kStrayBsn, "."));
    return provided;
  });
  v1::DataResponse response;
  CallResult result = RequestData(NewRequest(case_id_, kSchoolOin, {"attendance"}), &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(result.status.error_message(),
              AllOf(HasSubstr("blocked"), HasSubstr("conditions[0]: holds a nine-digit number")));
  ASSERT_NO_FATAL_FAILURE(ExpectNotEchoed(result));
  ASSERT_THAT(result.receipts, SizeIs(1));
  EXPECT_EQ(result.receipts[0].outcome(), v1::RECEIPT_OUTCOME_BLOCKED);
  EXPECT_THAT(result.receipts[0].conditions(), IsEmpty());
  EXPECT_TRUE(response.data().empty());
  ASSERT_NO_FATAL_FAILURE(ExpectBsnNowhereAtRest());
}

}  // namespace
}  // namespace wams::testing
