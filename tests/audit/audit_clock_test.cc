// The audit core reads the time only from the clock it is given: its
// audit-query receipts carry the FakeClock's instant, and the disclosure
// overview withholds police entries until the clock reaches the configured
// date, not the machine's. The real parts on real RocksDB in a temp dir.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "broker/audit/audit_core.h"
#include "broker/config/config_loader.h"
#include "broker/identity/party_registry.h"
#include "broker/receipts/receipt_builder.h"
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

// Police entries are shown again from this day on (UTC midnight).
constexpr char kUntilDate[] = "2026-07-01";
const absl::Time kUntil = absl::FromUnixSeconds(1'782'864'000);  // 2026-07-01T00:00:00Z

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

class AuditClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakeDevPki(dir_.path() / "pki");
    absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(absl::StrCat(
        absl::StrReplaceAll(ReadFile(SourcePath("deploy/config/broker.example.textproto")),
                            {{"../dev-pki/", (dir_.path() / "pki/").string()}}),
        "\ndisclosure_withholding { regime: SECRECY_REGIME_POLICE_WPG until_date: \"", kUntilDate,
        "\" reason: \"Lopend onderzoek\" }\n"));
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<testing::CoreParts> parts =
        testing::OpenCoreParts(*config, dir_.File("db"), &clock_);
    ASSERT_TRUE(parts.ok()) << parts.status();
    parts_ = *std::move(parts);
    auto core = audit::AuditCore::Create(audit::AuditDeps{.ledger = parts_.ledger.get(),
                                                          .storage = parts_.storage.get(),
                                                          .subject_keys = parts_.subject_keys.get(),
                                                          .registry = parts_.registry.get(),
                                                          .policy = parts_.policy.get(),
                                                          .clock = &clock_},
                                         *config);
    ASSERT_TRUE(core.ok()) << core.status();
    core_ = *std::move(core);
  }

  identity::Caller Auditor() const {
    return {.party = parts_.registry->Find(kAuditorOin),
            .certificate_oin = kAuditorOin,
            .professional_id = "auditor-1"};
  }

  // Receipts a delivered police answer about the client, as the exchange does.
  void ReceiptPoliceAnswer() {
    const identity::Caller municipality{.party = parts_.registry->Find(kMunicipalityOin),
                                        .certificate_oin = kMunicipalityOin,
                                        .professional_id = "wmo-consulent-12"};
    v1::Receipt receipt =
        receipts::NewReceipt(v1::RECEIPT_KIND_PROVIDER_ANSWER, municipality, "case-1", clock_);
    receipt.set_outcome(v1::RECEIPT_OUTCOME_DELIVERED);
    receipt.set_target_oin(kPoliceOin);
    receipt.set_purpose(v1::PURPOSE_RESEARCH);
    receipt.add_categories("police_contacts");
    receipt.set_subject_pseudonym(*parts_.subject_keys->Pseudonymize(kClientBsn));
    absl::StatusOr<v1::SignedReceipt> stored = parts_.ledger->Append(receipt);
    ASSERT_TRUE(stored.ok()) << stored.status();
  }

  absl::StatusOr<v1::DisclosureResponse> Overview() const {
    v1::DisclosureRequest request;
    request.set_subject_bsn(kClientBsn);
    request.set_language(v1::LANGUAGE_ENGLISH);
    return core_->GetDisclosureOverview(Auditor(), request);
  }

  FakeClock clock_{kUntil - absl::Hours(24 * 30)};
  TempDir dir_;
  testing::CoreParts parts_;
  std::unique_ptr<audit::AuditCore> core_;
};

TEST_F(AuditClockTest, AuditQueryReceiptCarriesTheInjectedInstant) {
  ASSERT_NO_FATAL_FAILURE(ReceiptPoliceAnswer());
  const absl::Time asked_at = kUntil - absl::Seconds(1) + absl::Nanoseconds(42);
  clock_.Set(asked_at);
  ASSERT_TRUE(Overview().ok());

  ASSERT_EQ(parts_.ledger->TreeSize(), 2u) << "the answer, then the audit query's receipt";
  absl::StatusOr<v1::SignedReceipt> query = parts_.ledger->GetReceipt(1);
  ASSERT_TRUE(query.ok()) << query.status();
  v1::Receipt receipt;
  ASSERT_TRUE(receipt.ParseFromString(query->receipt_bytes()));
  EXPECT_EQ(receipt.kind(), v1::RECEIPT_KIND_AUDIT_QUERY);
  EXPECT_EQ(TimeOf(receipt.time()), asked_at);
}

TEST_F(AuditClockTest, PoliceEntriesAreWithheldUntilTheClockReachesTheDate) {
  ASSERT_NO_FATAL_FAILURE(ReceiptPoliceAnswer());

  clock_.Set(kUntil - absl::Nanoseconds(1));
  absl::StatusOr<v1::DisclosureResponse> before = Overview();
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->entries_size(), 0);
  ASSERT_EQ(before->withheld_size(), 1);
  EXPECT_EQ(before->withheld(0).entries(), 1u);

  clock_.Set(kUntil);
  absl::StatusOr<v1::DisclosureResponse> after = Overview();
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->entries_size(), 1);
  EXPECT_EQ(after->entries(0).target_oin(), kPoliceOin);
  EXPECT_EQ(after->withheld_size(), 0);
}

}  // namespace
}  // namespace wams::testing
