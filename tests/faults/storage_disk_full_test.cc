// Disk full, with the real broker process: its data directory is a small
// tmpfs the test mounts and fills with a ballast file. While the disk is
// full the broker answers UNAVAILABLE, forwards nothing and reports
// NOT_SERVING; once the ballast is gone it serves again by itself (no
// restart), and the auditor's export verifies with every acknowledged
// receipt in it. (The RocksDB-level path, where RocksDB's own write runs out
// of space and is resumed in place, is tests/ledger/store/recovery_test.cc.)
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/faults/storage_fault_util.h"

namespace wams::testing {
namespace {

// Long enough for the broker's recovery backoff (at most 5 s) several times.
constexpr absl::Duration kRecoveryDeadline = absl::Seconds(60);
// Room for RocksDB's WAL preallocation (~70 MiB) and the broker's 64 MiB
// free-space reserve, with a little data.
constexpr int kDiskMib = 256;

class StorageDiskFullTest : public ExchangeFlowTest {
 protected:
  void SetUp() override {
    disk_ = std::make_unique<SmallFileSystem>(broker_.root() / "dev-data", kDiskMib);
    if (!disk_->mounted()) GTEST_SKIP() << disk_->why();
    ExchangeFlowTest::SetUp();
  }
  void TearDown() override {
    if (broker_.port() != 0) broker_.Stop();
    disk_.reset();  // unmounted before the temp dir goes
  }

  // Polls `ready` (a few times a second) until it holds or the deadline.
  static bool Eventually(const std::function<bool()>& ready) {
    const absl::Time deadline = absl::Now() + kRecoveryDeadline;
    while (absl::Now() < deadline) {
      if (ready()) return true;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return ready();
  }

  std::unique_ptr<SmallFileSystem> disk_;
};

TEST_F(StorageDiskFullTest, RefusesWhileFullForwardsNothingAndRecoversWithoutARestart) {
  std::vector<v1::SignedReceipt> acknowledged;
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataResponse first;
  CallResult ok = RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &first);
  ASSERT_TRUE(ok.status.ok()) << ok.status.error_message();
  acknowledged.push_back(first.decision_receipt());
  acknowledged.push_back(first.answer_receipt());
  ASSERT_EQ(school_->Received().size(), 1u);
  EXPECT_EQ(HealthOf(broker_.Channel("auditor")), "SERVING");

  disk_->Fill();
  ASSERT_LT(disk_->FreeBytes(), uint64_t{1} << 20);

  v1::DataRequest during = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  v1::DataResponse refused_response;
  CallResult refused = RequestData(during, &refused_response);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.status.error_message();
  EXPECT_THAT(refused.status.error_message(), ::testing::HasSubstr("nothing was forwarded"));
  EXPECT_EQ(school_->Received().size(), 1u) << "a request reached the provider without a receipt";
  EXPECT_TRUE(Eventually([&] { return HealthOf(broker_.Channel("auditor")) == "NOT_SERVING"; }));
  // Not ready, but alive (a liveness probe must not restart it for a full
  // disk), and audit reads go on.
  EXPECT_EQ(HealthOf(broker_.Channel("auditor"), "wams.broker.v1.ExchangeService"), "NOT_SERVING");
  EXPECT_EQ(HealthOf(broker_.Channel("auditor"), "liveness"), "SERVING");
  EXPECT_EQ(HealthOf(broker_.Channel("auditor"), "wams.broker.v1.AuditService"), "SERVING");
  // Case changes are refused too, with the same reason.
  {
    grpc::ClientContext context;
    Prepare(&context, kCaseWorker);
    v1::OpenClientCaseRequest open;
    open.set_request_id("open-while-full");
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
    v1::CaseResponse response;
    grpc::Status status = Cases()->OpenClientCase(&context, open, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  }

  disk_->Free();
  // The same request id again: a refusal for a full disk is not remembered,
  // so the retry runs, now that the broker writes again.
  v1::DataResponse retried;
  ASSERT_TRUE(Eventually([&] {
    retried.Clear();
    return RequestData(during, &retried).status.ok();
  })) << "the broker did not recover by itself";
  acknowledged.push_back(retried.decision_receipt());
  acknowledged.push_back(retried.answer_receipt());
  EXPECT_EQ(school_->Received().size(), 2u);
  EXPECT_EQ(HealthOf(broker_.Channel("auditor")), "SERVING");
  v1::DataResponse after;
  ASSERT_TRUE(
      RequestData(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}), &after).status.ok());
  acknowledged.push_back(after.decision_receipt());
  acknowledged.push_back(after.answer_receipt());

  ASSERT_EQ(broker_.Stop(), 0) << ReadFile(broker_.log_path());
  std::string output;
  ASSERT_EQ(broker_.ExportAndVerify(broker_.root() / "export", &output), 0) << output;
  auto exported = ReadExportedReceipts(broker_.root() / "export");
  for (const v1::SignedReceipt& receipt : acknowledged) {
    EXPECT_TRUE(ContainsReceipt(exported, receipt))
        << "acknowledged receipt " << receipt.leaf_index() << " is not in the export";
  }
  std::string log = ReadFile(broker_.log_path());
  EXPECT_THAT(log, ::testing::HasSubstr("full"));
  EXPECT_THAT(log, ::testing::HasSubstr("recovered"));
}

}  // namespace
}  // namespace wams::testing
