// Limits from the config (BrokerConfig.limits) against a real broker over
// mTLS: the message size, categories and justification length of one
// request, and the per-party rate and concurrency limits, each refused with
// a status naming the limit, while other parties go on unaffected.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
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
using ::testing::Not;

// The example config's limits block, which each fixture rewrites.
constexpr char kExampleLimits[] = "max_categories: 16\n  max_justification_bytes: 4096\n";
// Its per-party rate and concurrency lines (up to their comments).
constexpr char kExamplePerPartyLimits[] =
    "per_party_rate: 5000                # calls a second per party (token bucket)\n"
    "  per_party_burst: 5000               # calls at once after being idle\n"
    "  per_party_concurrency: 256          # calls in flight per party\n";

// ExchangeFlowTest (a broker with test providers) with `limits` in place of
// the example config's category and justification limits.
class LimitsTest : public ExchangeFlowTest {
 protected:
  explicit LimitsTest(std::string limits) : limits_(std::move(limits)) {}

  void SetUp() override {
    // The example's per-party limits give way to the test's own.
    ASSERT_EQ(broker_.ReplaceInConfig(kExamplePerPartyLimits, ""), 1);
    ASSERT_EQ(broker_.ReplaceInConfig(kExampleLimits, limits_), 1);
    ExchangeFlowTest::SetUp();
  }

 private:
  std::string limits_;
};

class RequestLimitsTest : public LimitsTest {
 protected:
  RequestLimitsTest()
      : LimitsTest(
            "max_message_bytes: 65536\n  max_categories: 2\n  max_justification_bytes: 64\n") {}
};

TEST_F(RequestLimitsTest, MessageOverMaxMessageBytesIsResourceExhausted) {
  v1::DataRequest request =
      NewRequest("01890000-0000-7000-8000-000000000000", kSchoolOin, {"attendance"});
  request.set_justification(std::string(70 * 1024, 'x'));
  v1::DataResponse response;
  CallResult result = RequestData(request, &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << result.status.error_message();
  EXPECT_TRUE(school_->Received().empty());
  // The connection and the party are fine afterwards.
  EXPECT_TRUE(WhoAmI(broker_.Channel("municipality")).ok());
}

TEST_F(RequestLimitsTest, TooManyCategoriesAreRefusedNamingTheField) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse response;
  CallResult result = RequestData(
      NewRequest(opened.case_id(), kSchoolOin, {"enrolment", "attendance", "support_needs"}),
      &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(result.status.error_message(), AllOf(HasSubstr("categories"), HasSubstr("at most 2"),
                                                   HasSubstr("limits.max_categories")));
  EXPECT_TRUE(school_->Received().empty());

  CallResult two =
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"enrolment", "attendance"}), &response);
  EXPECT_TRUE(two.status.ok()) << two.status.error_message();
}

TEST_F(RequestLimitsTest, TooLongJustificationIsRefusedNamingTheField) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  request.set_justification(std::string(65, 'j'));
  v1::DataResponse response;
  CallResult result = RequestData(request, &response);

  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(result.status.error_message(),
              AllOf(HasSubstr("justification"), HasSubstr("longer than 64 bytes"),
                    HasSubstr("limits.max_justification_bytes")));
  EXPECT_TRUE(school_->Received().empty());
}

TEST_F(RequestLimitsTest, ConferenceItemWithTooManyCategoriesIsRefusedNamingTheField) {
  v1::ShareItemRequest request;
  request.set_request_id("share-1");
  request.set_conference_id("01890000-0000-7000-8000-000000000001");
  request.mutable_item()->set_title("Afspraken");
  request.mutable_item()->set_content("Afspraken over de aanpak.");
  request.mutable_item()->add_audience_oins(kSchoolOin);
  for (const char* category : {"wmo_services", "youth_services", "debt_relief_status"}) {
    request.mutable_item()->add_categories(category);
  }
  grpc::ClientContext context;
  Prepare(&context, kCaseWorker);
  v1::ShareItemResponse response;
  grpc::Status status = v1::ConferenceService::NewStub(broker_.Channel("municipality"))
                            ->ShareItem(&context, request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), AllOf(HasSubstr("item.categories"), HasSubstr("at most 2"),
                                            HasSubstr("limits.max_categories")));
}

class RateLimitTest : public LimitsTest {
 protected:
  static constexpr int kRate = 1;
  static constexpr int kBurst = 2;
  RateLimitTest()
      : LimitsTest(absl::StrCat(kExampleLimits, "  per_party_rate: ", kRate,
                                "\n  per_party_burst: ", kBurst, "\n")) {}
};

TEST_F(RateLimitTest, CallsBeyondTheRateAreResourceExhaustedAndOtherPartiesAreNot) {
  constexpr int kCalls = 12;
  int admitted = 0;
  std::vector<grpc::Status> refused;
  absl::Time start = absl::Now();
  for (int i = 0; i < kCalls; ++i) {
    grpc::Status status = WhoAmI(broker_.Channel("municipality"));
    if (status.ok()) {
      ++admitted;
    } else {
      refused.push_back(status);
    }
  }
  double elapsed_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // A token bucket admits at most its size plus what it refilled meanwhile,
  // however fast or slow this machine made the calls.
  EXPECT_LE(admitted, kBurst + static_cast<int>(elapsed_seconds * kRate))
      << "in " << elapsed_seconds << " s";
  ASSERT_FALSE(refused.empty()) << kCalls << " calls took " << elapsed_seconds << " s";
  for (const grpc::Status& status : refused) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(),
                AllOf(HasSubstr("limits.per_party_rate"), HasSubstr(kMunicipalityOin)));
  }

  // Each party has its own bucket.
  grpc::Status ggz = WhoAmI(broker_.Channel("ggz"));
  EXPECT_TRUE(ggz.ok()) << ggz.error_message();
  EXPECT_THAT(ReadFile(broker_.log_path()),
              AllOf(HasSubstr("limits: refused calls of Gemeente Voorbeeldstad"),
                    HasSubstr("over limits.per_party_rate")));
}

TEST_F(RateLimitTest, RateLimitedCallsLeaveNoReceipt) {
  constexpr int kOpens = 6;
  int opened = 0;
  for (int i = 0; i < kOpens; ++i) {
    v1::OpenClientCaseRequest request;
    request.set_request_id(absl::StrCat("open-", i));
    request.set_client_bsn(kClientBsn);
    request.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    v1::CaseResponse response;
    grpc::Status status = Cases()->OpenClientCase(&context, request, &response);
    if (status.ok()) {
      ++opened;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    }
  }
  ASSERT_LT(opened, kOpens);

  // The auditor (a party of its own, with its own bucket) lists the log.
  v1::ListReceiptsRequest list;
  list.set_party_oin(kMunicipalityOin);
  list.set_page_size(1000);
  grpc::ClientContext context;
  Prepare(&context, "fg-1");
  v1::ListReceiptsResponse receipts;
  grpc::Status status = v1::AuditService::NewStub(broker_.Channel("auditor"))
                            ->ListReceipts(&context, list, &receipts);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int by_municipality = 0;
  for (const v1::SignedReceipt& receipt : receipts.receipts()) {
    if (Decode(receipt).requester_oin() == kMunicipalityOin) ++by_municipality;
  }
  EXPECT_EQ(by_municipality, opened) << "one receipt per opened case, none for a refusal";
}

class ConcurrencyLimitTest : public LimitsTest {
 protected:
  static constexpr int kConcurrency = 2;
  ConcurrencyLimitTest()
      : LimitsTest(absl::StrCat(kExampleLimits, "  per_party_concurrency: ", kConcurrency, "\n",
                                // ExchangeFlowTest turns this example deadline into 2 s; the
                                // held requests need longer, so the real one comes first.
                                "  provider_deadline { seconds: 60 }\n  #")) {}
};

TEST_F(ConcurrencyLimitTest, SlotsAreHeldUntilTheProviderAnswersAndOtherPartiesAreNotLimited) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});

  // The school answers only when released: its requests stay in flight.
  absl::Mutex mu;
  int arrived = 0;
  absl::Notification release;
  school_->SetHandler([&](const v1::ProviderRequest& request, v1::ProviderResponse* response) {
    {
      absl::MutexLock lock(&mu);
      ++arrived;
    }
    release.WaitForNotificationWithTimeout(absl::Seconds(50));
    return TestProvider::ProvideAll(request, response);
  });
  std::vector<CallResult> results(kConcurrency);
  std::vector<std::thread> callers;
  absl::Cleanup join = [&] {
    if (!release.HasBeenNotified()) release.Notify();
    for (std::thread& caller : callers) caller.join();
  };
  for (int i = 0; i < kConcurrency; ++i) {
    v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
    callers.emplace_back([this, request, &results, i] {
      v1::DataResponse response;
      results[i] = RequestData(request, &response);
    });
  }
  {
    absl::MutexLock lock(&mu);
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(
                                        +[](int* n) { return *n == kConcurrency; }, &arrived),
                                    absl::Seconds(30)))
        << "the requests did not reach the provider";
  }

  grpc::Status third = WhoAmI(broker_.Channel("municipality"));
  EXPECT_EQ(third.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(third.error_message(),
              AllOf(HasSubstr("limits.per_party_concurrency"), HasSubstr(kMunicipalityOin)));
  grpc::Status ggz = WhoAmI(broker_.Channel("ggz"));
  EXPECT_TRUE(ggz.ok()) << "another party is limited too: " << ggz.error_message();

  release.Notify();
  for (std::thread& caller : callers) caller.join();
  callers.clear();
  for (const CallResult& result : results) {
    EXPECT_TRUE(result.status.ok()) << result.status.error_message();
  }
  // Both slots came back when the provider had answered.
  grpc::Status after = WhoAmI(broker_.Channel("municipality"));
  EXPECT_TRUE(after.ok()) << after.error_message();
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("over limits.per_party_concurrency"));
  EXPECT_THAT(ReadFile(broker_.log_path()), Not(HasSubstr(kClientBsn)));
}

}  // namespace
}  // namespace wams::testing
