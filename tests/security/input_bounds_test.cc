// Unbounded strings (issue 15, item 2) against a real broker over mTLS: every
// string and list of every request has a maximum (field_rules.proto),
// enforced before anything is receipted. A refused call is receipted in
// bounded form (field, length, SHA-256), so sixteen categories of 240 KB no
// longer make a 6.4 MB receipt, and a provider's oversized answer is blocked.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/security/security_test_util.h"
#include "wams/broker/v1/audit.grpc.pb.h"
#include "wams/broker/v1/conference.grpc.pb.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr size_t kOneKiB = 1024;

// Bytes of all files under `dir`.
uintmax_t DirBytes(const std::filesystem::path& dir) {
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

class InputBoundsTest : public ExchangeFlowTest {
 protected:
  std::filesystem::path data_dir() const { return broker_.root() / "dev-data"; }

  // The one receipt a refusal carries, checked to be small and to hold no
  // run of the attacker's filler.
  void ExpectOneBoundedReceipt(const CallResult& result, char filler) {
    ASSERT_THAT(result.receipts, SizeIs(1)) << result.status.error_message();
    const v1::Receipt& receipt = result.receipts[0];
    EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_REFUSED);
    EXPECT_LE(receipt.ByteSizeLong(), kOneKiB) << receipt.ShortDebugString();
    EXPECT_THAT(receipt.SerializeAsString(), Not(HasSubstr(std::string(32, filler))));
    EXPECT_THAT(receipt.detail(), HasSubstr("sha256 "));
  }
};

TEST_F(InputBoundsTest, SixteenCategoriesOf240KbAreRefusedAndReceiptedInBoundedForm) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  std::vector<std::string> huge(16, std::string(240 * 1000, 'c'));
  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, huge);
  v1::DataResponse response;

  uintmax_t before = DirBytes(data_dir());
  constexpr int kCalls = 5;
  for (int i = 0; i < kCalls; ++i) {
    request.set_request_id(absl::StrCat("huge-", i));
    CallResult result = RequestData(request, &response);
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << result.status.error_message();
    EXPECT_EQ(result.status.error_message(), "categories[0]: longer than 64 bytes");
    ASSERT_NO_FATAL_FAILURE(ExpectOneBoundedReceipt(result, 'c'));
    EXPECT_THAT(result.receipts[0].detail(),
                HasSubstr("DataRequest: categories[0]: longer than 64 bytes; 240000 bytes"));
    EXPECT_EQ(result.receipts[0].request_id(), request.request_id());
    if (i == 0) {
      RecordProperty("refusal_receipt_bytes", static_cast<int>(result.receipts[0].ByteSizeLong()));
    }
  }
  uintmax_t growth = DirBytes(data_dir()) - before;
  // Everything RocksDB wrote for them (WAL, index entries, tree nodes),
  // with room for one flush's bookkeeping.
  EXPECT_LE(growth, kCalls * 2 * kOneKiB) << "data dir grew by " << growth << " bytes";
  RecordProperty("data_dir_growth_bytes_per_refused_call", static_cast<int>(growth / kCalls));
  EXPECT_TRUE(school_->Received().empty());
}

TEST_F(InputBoundsTest, TheConfiguredLimitsStillApplyBelowTheHardCaps) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  std::vector<std::string> seventeen;
  for (int i = 0; i < 17; ++i) seventeen.push_back(absl::StrCat("category_", i));
  v1::DataResponse response;
  CallResult result = RequestData(NewRequest(opened.case_id(), kSchoolOin, seventeen), &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(result.status.error_message(), HasSubstr("limits.max_categories"));

  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  request.set_justification(std::string(20000, 'j'));  // over the hard cap of 16384
  result = RequestData(request, &response);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(result.status.error_message(), "justification: longer than 16384 bytes");
  ASSERT_NO_FATAL_FAILURE(ExpectOneBoundedReceipt(result, 'j'));
}

TEST_F(InputBoundsTest, EveryServiceRefusesOversizedTextBeforeItsCore) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  const std::string big(100 * 1000, 'r');

  v1::CloseCaseRequest close;
  close.set_case_id(opened.case_id());
  close.set_reason(big);
  grpc::ClientContext close_context;
  Prepare(&close_context, kCaseWorker);
  v1::CaseResponse case_response;
  CallResult closed = ResultOf(Cases()->CloseCase(&close_context, close, &case_response));
  EXPECT_EQ(closed.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(closed.status.error_message(), "reason: longer than 4096 bytes");
  ASSERT_NO_FATAL_FAILURE(ExpectOneBoundedReceipt(closed, 'r'));
  EXPECT_EQ(closed.receipts[0].kind(), v1::RECEIPT_KIND_CASE_EVENT);
  EXPECT_EQ(closed.receipts[0].case_id(), opened.case_id());

  v1::ConveneRequest convene;
  convene.set_request_id("convene-big");
  convene.set_case_id(opened.case_id());
  convene.set_subject(big);
  grpc::ClientContext convene_context;
  Prepare(&convene_context, kCaseWorker);
  v1::ConferenceResponse conference;
  CallResult convened = ResultOf(v1::ConferenceService::NewStub(broker_.Channel("municipality"))
                                     ->Convene(&convene_context, convene, &conference));
  EXPECT_EQ(convened.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(convened.status.error_message(), "subject: longer than 512 bytes");
  ASSERT_NO_FATAL_FAILURE(ExpectOneBoundedReceipt(convened, 'r'));
  EXPECT_EQ(convened.receipts[0].kind(), v1::RECEIPT_KIND_CONFERENCE_EVENT);

  v1::AddCosignatureRequest cosign;
  cosign.set_tree_size(1);
  cosign.set_cosignature_line(big);
  grpc::ClientContext cosign_context;
  Prepare(&cosign_context, "fg-1");
  v1::AddCosignatureResponse cosigned;
  CallResult audit = ResultOf(v1::AuditService::NewStub(broker_.Channel("auditor"))
                                  ->AddCosignature(&cosign_context, cosign, &cosigned));
  EXPECT_EQ(audit.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(audit.status.error_message(), "cosignature_line: longer than 1024 bytes");
  ASSERT_NO_FATAL_FAILURE(ExpectOneBoundedReceipt(audit, 'r'));
  EXPECT_EQ(audit.receipts[0].kind(), v1::RECEIPT_KIND_AUDIT_QUERY);
}

TEST_F(InputBoundsTest, TooManyItemsAreRefusedNamingTheListAndTheLimit) {
  v1::ShareItemRequest request;
  request.set_request_id("item-many");
  request.set_conference_id("01890000-0000-7000-8000-000000000001");
  request.mutable_item()->set_title("Afspraken");
  for (int i = 0; i < 65; ++i) request.mutable_item()->add_audience_oins(kSchoolOin);
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::ShareItemResponse response;
  CallResult result = ResultOf(v1::ConferenceService::NewStub(broker_.Channel("municipality"))
                                   ->ShareItem(&context, request, &response));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(result.status.error_message(), "item.audience_oins: at most 64 items, got 65");
  ASSERT_THAT(result.receipts, SizeIs(1));
  EXPECT_THAT(result.receipts[0].detail(), HasSubstr("65 items, sha256 "));
}

TEST_F(InputBoundsTest, AnOversizedProviderAnswerIsBlockedAndReceiptedBounded) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  school_->SetHandler([](const v1::ProviderRequest& request, v1::ProviderResponse* answer) {
    grpc::Status provided = TestProvider::ProvideAll(request, answer);
    answer->add_conditions(std::string(200 * 1000, 'k'));
    return provided;
  });
  v1::DataResponse response;
  CallResult result =
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(result.status.error_message(),
              AllOf(HasSubstr("blocked"), HasSubstr("conditions[0]: longer than 1024 bytes")));
  ASSERT_THAT(result.receipts, SizeIs(1));
  const v1::Receipt& blocked = result.receipts[0];
  EXPECT_EQ(blocked.outcome(), v1::RECEIPT_OUTCOME_BLOCKED);
  EXPECT_THAT(blocked.conditions(), IsEmpty());
  EXPECT_LE(blocked.ByteSizeLong(), kOneKiB);
  EXPECT_THAT(blocked.detail(), HasSubstr("200000 bytes, sha256 "));
  EXPECT_TRUE(response.data().empty());
}

}  // namespace
}  // namespace wams::testing
