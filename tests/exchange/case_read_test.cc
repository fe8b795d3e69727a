// The exchange's contract with the case room (cases/case_reader.h): a case
// that cannot be read is UNAVAILABLE, nothing decided, receipted or
// forwarded, and a retry runs anew; a case that does not exist is the
// policy's R09 refusal, receipted. At the seam with a fake CaseReader, and
// once with a real CaseManager over storage whose case reads fail. The rest
// is real: the policy, a RocksDB ledger in a temp dir, the outcome store; the
// provider transport is a fake that counts deliveries.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_replace.h"
#include "absl/synchronization/notification.h"
#include "broker/base/clock.h"
#include "broker/base/status_details.h"
#include "broker/cases/case_manager.h"
#include "broker/cases/case_reader.h"
#include "broker/cases/case_store.h"
#include "broker/config/config_loader.h"
#include "broker/exchange/exchange_core.h"
#include "broker/exchange/outcome_store.h"
#include "broker/identity/party_registry.h"
#include "broker/routing/provider_transport.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "policy/policy.h"
#include "tests/storage/forwarding_backend.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/call_result.h"
#include "tests/testing/core_parts.h"
#include "tests/testing/dev_parties.h"
#include "tests/testing/dev_pki_suite.h"
#include "tests/testing/status_matchers.h"

namespace wams::testing {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCaseWorker[] = "wmo-consulent-12";

// What the fake reader answers: a status, or the case (nullopt: none).
class FakeCaseReader : public cases::CaseReader {
 public:
  absl::StatusOr<std::optional<v1::Case>> Snapshot(const std::string&,
                                                   absl::string_view) const override {
    ++reads_;
    return answer_;
  }
  absl::StatusOr<std::optional<v1::Case>> answer_ = std::optional<v1::Case>();
  mutable std::atomic<int> reads_ = 0;
};

// Never reached in these tests: only a grant records involvement.
class UnexpectedInvolvement : public cases::InvolvementRecorder {
 public:
  absl::StatusOr<v1::SignedReceipt> AppendInvolving(const std::string&, const std::string&,
                                                    const v1::Receipt&) override {
    ADD_FAILURE() << "involvement recorded without a grant";
    return absl::InternalError("unexpected");
  }
};

class CountingTransport : public routing::ProviderTransport {
 public:
  void Deliver(const v1::Party&, const v1::ProviderRequest&, absl::Duration, Done done) override {
    ++deliveries_;
    std::move(done)(absl::UnavailableError("not in this test"));
  }
  std::atomic<int> deliveries_ = 0;
};

// Fails every read of the "cases" family while `fail` is set.
class FailingCaseReads : public ::wams::storage::testing::ForwardingBackend {
 public:
  using ForwardingBackend::ForwardingBackend;
  absl::StatusOr<std::optional<std::string>> Get(::wams::storage::Family family,
                                                 std::string_view key) const override {
    if (fail && family == ::wams::storage::Family::kCases) {
      return absl::UnavailableError("injected read fault");
    }
    return inner_.Get(family, key);
  }
  std::atomic<bool> fail = false;
};

class CaseReadTest : public DevPkiSuite {
 protected:
  void SetUp() override {
    const std::string text =
        absl::StrReplaceAll(ReadFile(SourcePath("deploy/config/broker.example.textproto")),
                            {{"../dev-pki/", (pki_dir() / "").string()}});
    absl::StatusOr<v1::BrokerConfig> config = config::ParseBrokerConfig(text);
    ASSERT_TRUE(config.ok()) << config.status();
    absl::StatusOr<testing::CoreParts> parts =
        testing::OpenCoreParts(*config, dir_.File("db"), nullptr);
    ASSERT_TRUE(parts.ok()) << parts.status();
    parts_ = *std::move(parts);
    outcomes_ = std::make_unique<exchange::OutcomeStore>(*parts_.storage);
    UseReader(&reader_, &no_involvement_);
    municipality_ = {.party = parts_.registry->Find(kMunicipalityOin),
                     .certificate_oin = kMunicipalityOin,
                     .professional_id = kCaseWorker};
  }

  void UseReader(const cases::CaseReader* reader, cases::InvolvementRecorder* involvement) {
    core_ = std::make_unique<exchange::ExchangeCore>(
        exchange::ExchangeDeps{.cases = reader,
                               .involvement = involvement,
                               .ledger = parts_.ledger.get(),
                               .subject_keys = parts_.subject_keys.get(),
                               .policy = parts_.policy.get(),
                               .registry = parts_.registry.get(),
                               .transport = &transport_,
                               .outcomes = outcomes_.get(),
                               .clock = &clock_},
        exchange::ExchangeOptions());
  }

  static v1::DataRequest Request(const std::string& case_id, const std::string& request_id) {
    v1::DataRequest request;
    request.set_request_id(request_id);
    request.set_case_id(case_id);
    request.set_subject_bsn(kClientBsn);
    request.set_provider_oin(kSchoolOin);
    request.set_purpose(v1::PURPOSE_RESEARCH);
    request.add_categories("attendance");
    request.set_justification("Verzuim hangt mogelijk samen met de thuissituatie.");
    return request;
  }

  absl::Status RequestData(const v1::DataRequest& request) {
    absl::Notification done;
    absl::Status result;
    core_->RequestData(municipality_, request, {}, [&](absl::StatusOr<v1::DataResponse> answer) {
      result = answer.status();
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }
  absl::Status ShareData(const v1::ShareRequest& request) {
    absl::Notification done;
    absl::Status result;
    core_->ShareData(municipality_, request, {}, [&](absl::StatusOr<v1::ShareResponse> answer) {
      result = answer.status();
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }
  absl::Status CheckRequest(const v1::DataRequest& request) {
    absl::Notification done;
    absl::Status result;
    core_->CheckRequest(municipality_, request, {}, [&](absl::StatusOr<v1::CheckResponse> answer) {
      result = answer.status();
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  v1::Receipt LastReceipt() const {
    absl::StatusOr<v1::SignedReceipt> last =
        parts_.ledger->GetReceipt(parts_.ledger->TreeSize() - 1);
    EXPECT_TRUE(last.ok()) << last.status();
    return last.ok() ? Decode(*last) : v1::Receipt();
  }

  TempDir dir_;
  testing::CoreParts parts_;
  std::unique_ptr<exchange::OutcomeStore> outcomes_;
  base::SystemClock clock_;
  FakeCaseReader reader_;
  UnexpectedInvolvement no_involvement_;
  CountingTransport transport_;
  std::unique_ptr<exchange::ExchangeCore> core_;
  identity::Caller municipality_;
};

TEST_F(CaseReadTest, AFailedCaseReadIsUnavailableAndNothingIsReceiptedOrForwarded) {
  reader_.answer_ = absl::UnavailableError("disk busy");
  const uint64_t before = parts_.ledger->TreeSize();

  const absl::Status result = RequestData(Request("case-1", "req-1"));

  EXPECT_THAT(result, StatusIs(absl::StatusCode::kUnavailable,
                               AllOf(HasSubstr("cannot read case case-1"), HasSubstr("retry"))));
  v1::Decision decision;
  EXPECT_FALSE(base::ReadDetail(result, &decision)) << "a failed read is no decision";
  EXPECT_EQ(parts_.ledger->TreeSize(), before) << "a failed read was receipted";
  EXPECT_EQ(transport_.deliveries_, 0);
}

TEST_F(CaseReadTest, ARetryAfterAFailedCaseReadRunsAnew) {
  reader_.answer_ = absl::UnavailableError("disk busy");
  ASSERT_THAT(RequestData(Request("case-1", "req-1")), StatusIs(absl::StatusCode::kUnavailable));

  reader_.answer_ = std::optional<v1::Case>();  // the read works again: no such case
  EXPECT_THAT(RequestData(Request("case-1", "req-1")),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(reader_.reads_, 2) << "the failed read's outcome was kept for the retry";
}

TEST_F(CaseReadTest, NoSuchCaseIsTheReceiptedR09Refusal) {
  const uint64_t before = parts_.ledger->TreeSize();

  const absl::Status result = RequestData(Request("case-1", "req-1"));

  EXPECT_THAT(result, StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("R09")));
  v1::Decision shown;
  ASSERT_TRUE(base::ReadDetail(result, &shown));
  EXPECT_FALSE(shown.allowed());
  EXPECT_THAT(shown.failed_rule_ids(), Contains("R09"));
  ASSERT_EQ(parts_.ledger->TreeSize(), before + 1);
  const v1::Receipt receipt = LastReceipt();
  EXPECT_EQ(receipt.outcome(), v1::RECEIPT_OUTCOME_REFUSED);
  EXPECT_THAT(receipt.failed_rule_ids(), Contains("R09"));
  EXPECT_EQ(transport_.deliveries_, 0);
}

TEST_F(CaseReadTest, AStoredCaseThatDoesNotParseKeepsDataLoss) {
  reader_.answer_ = absl::DataLossError("case-1 does not parse");
  const uint64_t before = parts_.ledger->TreeSize();

  EXPECT_THAT(RequestData(Request("case-1", "req-1")),
              StatusIs(absl::StatusCode::kDataLoss, Not(HasSubstr("retry"))));
  EXPECT_EQ(parts_.ledger->TreeSize(), before);
}

TEST_F(CaseReadTest, ADryRunOnAnUnreadableCaseIsUnavailableAndNotReceipted) {
  reader_.answer_ = absl::UnavailableError("disk busy");
  const uint64_t before = parts_.ledger->TreeSize();

  EXPECT_THAT(CheckRequest(Request("case-1", "dry-1")),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("retry")));
  EXPECT_EQ(parts_.ledger->TreeSize(), before);

  // The same dry run on a case that does not exist is decided and receipted.
  reader_.answer_ = std::optional<v1::Case>();
  EXPECT_THAT(CheckRequest(Request("case-1", "dry-1")), StatusIs(absl::StatusCode::kOk));
  EXPECT_EQ(parts_.ledger->TreeSize(), before + 1);
  EXPECT_THAT(LastReceipt().failed_rule_ids(), Contains("R09"));
}

TEST_F(CaseReadTest, AShareOnAnUnreadableCaseIsUnavailableAndNotReceipted) {
  reader_.answer_ = absl::UnavailableError("disk busy");
  const uint64_t before = parts_.ledger->TreeSize();
  v1::ShareRequest share;
  share.set_request_id("share-1");
  share.set_case_id("case-1");
  share.set_subject_bsn(kClientBsn);
  share.set_recipient_oin(kSchoolOin);
  share.set_purpose(v1::PURPOSE_RESEARCH);
  share.add_categories("wmo_services");
  share.set_justification("De school begeleidt het kind dagelijks.");

  EXPECT_THAT(ShareData(share), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("retry")));
  EXPECT_EQ(parts_.ledger->TreeSize(), before);
  EXPECT_EQ(transport_.deliveries_, 0);
}

// The same through the real case manager: a storage fault on the case read,
// not the fake, and the case exists.
TEST_F(CaseReadTest, AStorageFaultOnTheCaseReadIsUnavailableThroughTheCaseManager) {
  FailingCaseReads reads(*parts_.storage);
  cases::CaseStore store(reads);
  cases::CaseManager manager({.store = &store,
                              .ledger = parts_.ledger.get(),
                              .subject_keys = parts_.subject_keys.get(),
                              .policy = parts_.policy.get(),
                              .registry = parts_.registry.get(),
                              .clock = &clock_});
  UseReader(&manager, &manager);
  v1::OpenClientCaseRequest open;
  open.set_request_id("open-1");
  open.set_client_bsn(kClientBsn);
  open.add_social_laws(v1::SOCIAL_LAW_WMO_2015);
  open.mutable_scope()->add_domains_in(v1::DOMAIN_EDUCATION);
  absl::StatusOr<v1::CaseResponse> opened = manager.OpenClientCase(municipality_, open);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const std::string case_id = opened->case_().case_id();
  const uint64_t before = parts_.ledger->TreeSize();

  reads.fail = true;
  EXPECT_THAT(RequestData(Request(case_id, "req-1")),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("injected read fault"), HasSubstr("retry"))));
  EXPECT_EQ(parts_.ledger->TreeSize(), before) << "a failed read was receipted as a refusal";
  EXPECT_EQ(transport_.deliveries_, 0);

  // Once the read works the same request id runs anew and is granted (then
  // not delivered: the fake transport answers UNAVAILABLE).
  reads.fail = false;
  EXPECT_THAT(RequestData(Request(case_id, "req-1")), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_GT(parts_.ledger->TreeSize(), before);
  absl::StatusOr<v1::SignedReceipt> decided = parts_.ledger->GetReceipt(before);
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_EQ(Decode(*decided).outcome(), v1::RECEIPT_OUTCOME_GRANTED);
  EXPECT_EQ(transport_.deliveries_, 1);
}

}  // namespace
}  // namespace wams::testing
