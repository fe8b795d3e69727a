// The case manager reads the time only from the clock it is given: a case's
// record (opened_at, agreed_at, closed_at) and the receipts of its changes
// carry exactly the FakeClock's instant, and move when it moves. The real
// parts on real RocksDB in a temp dir.
#include <memory>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_store.h"
#include "broker/config/config_loader.h"
#include "broker/identity/party_registry.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/core_parts.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

namespace v1 = ::wams::broker::v1;

// 2026-01-01T09:30:00.000000250Z.
const absl::Time kOpened = absl::FromUnixNanos(1'767'259'800'000'000'250);

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

// The receipt a SignedReceipt holds, as it was signed.
v1::Receipt Signed(const v1::SignedReceipt& signed_receipt) {
  v1::Receipt receipt;
  EXPECT_TRUE(receipt.ParseFromString(signed_receipt.receipt_bytes()));
  return receipt;
}

class CaseClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDevPki(dir_.path() / "pki");
    absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(
        absl::StrReplaceAll(ReadFile(SourcePath("deploy/config/broker.example.textproto")),
                            {{"../dev-pki/", (dir_.path() / "pki/").string()}}));
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<testing::CoreParts> parts =
        testing::OpenCoreParts(*config, dir_.File("db"), &clock_);
    ASSERT_TRUE(parts.ok()) << parts.status();
    parts_ = *std::move(parts);
    store_ = std::make_unique<cases::CaseStore>(*parts_.storage);
    cases_ = std::make_unique<cases::CaseManager>(
        cases::CaseManagerDeps{.store = store_.get(),
                               .ledger = parts_.ledger.get(),
                               .subject_keys = parts_.subject_keys.get(),
                               .policy = parts_.policy.get(),
                               .registry = parts_.registry.get(),
                               .clock = &clock_});
  }

  identity::Caller Municipality() const {
    return {.party = parts_.registry->Find(kMunicipalityOin),
            .certificate_oin = kMunicipalityOin,
            .professional_id = "wmo-consulent-12"};
  }

  absl::StatusOr<v1::CaseResponse> Open() {
    v1::OpenClientCaseRequest open;
    open.set_request_id("open-1");
    open.set_client_bsn(kClientBsn);
    open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
    open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
    return cases_->OpenClientCase(Municipality(), open);
  }

  FakeClock clock_{kOpened};
  TempDir dir_;
  testing::CoreParts parts_;
  std::unique_ptr<cases::CaseStore> store_;
  std::unique_ptr<cases::CaseManager> cases_;
};

TEST_F(CaseClockTest, OpeningCarriesTheInjectedInstantInRecordAndReceipt) {
  absl::StatusOr<v1::CaseResponse> opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status();

  EXPECT_EQ(TimeOf(opened->case_().opened_at()), kOpened);
  ASSERT_EQ(opened->case_().clients_size(), 1);
  EXPECT_EQ(TimeOf(opened->case_().clients(0).agreed_at()), kOpened);
  EXPECT_EQ(TimeOf(Signed(opened->receipt()).time()), kOpened);

  absl::StatusOr<std::optional<v1::Case>> stored = store_->Get(opened->case_().case_id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(TimeOf((*stored)->opened_at()), kOpened);
}

TEST_F(CaseClockTest, LaterChangesFollowTheClockAndKeepEarlierTimes) {
  absl::StatusOr<v1::CaseResponse> opened = Open();
  ASSERT_TRUE(opened.ok()) << opened.status();
  const absl::Time closed_at = kOpened + absl::Hours(24 * 90) + absl::Milliseconds(7);
  clock_.Set(closed_at);

  v1::CloseCaseRequest close;
  close.set_case_id(opened->case_().case_id());
  close.set_reason("Hulp afgerond");
  absl::StatusOr<v1::CaseResponse> closed = cases_->CloseCase(Municipality(), close);
  ASSERT_TRUE(closed.ok()) << closed.status();

  EXPECT_EQ(TimeOf(closed->case_().closed_at()), closed_at);
  EXPECT_EQ(TimeOf(closed->case_().opened_at()), kOpened);
  EXPECT_EQ(TimeOf(Signed(closed->receipt()).time()), closed_at);
  absl::StatusOr<std::optional<v1::Case>> stored = store_->Get(opened->case_().case_id());
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(TimeOf((*stored)->closed_at()), closed_at);
}

TEST_F(CaseClockTest, RefusalReceiptsCarryTheInjectedInstantToo) {
  const absl::Time refused_at = kOpened + absl::Minutes(5);
  clock_.Set(refused_at);
  v1::CloseCaseRequest close;
  close.set_case_id("no-such-case");
  close.set_reason("Hulp afgerond");
  absl::StatusOr<v1::CaseResponse> closed = cases_->CloseCase(Municipality(), close);
  EXPECT_EQ(closed.status().code(), absl::StatusCode::kNotFound);

  ASSERT_EQ(parts_.ledger->TreeSize(), 1u) << "the refusal is receipted";
  absl::StatusOr<v1::SignedReceipt> refusal = parts_.ledger->GetReceipt(0);
  ASSERT_TRUE(refusal.ok()) << refusal.status();
  EXPECT_EQ(Signed(*refusal).outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_EQ(TimeOf(Signed(*refusal).time()), refused_at);
}

}  // namespace
}  // namespace wams::testing
