// Durable request outcomes (idempotency): an outcome is written in the batch
// of the request's last receipt and is on disk (WAL synced) before its caller
// hears it, so a retry after a crash gets the same outcome and the provider is
// not asked again; a failed write stores neither receipt nor outcome; a
// refusal that means "nothing happened" is not remembered; and what is kept
// holds no payload (the broker is a conduit, not a data store). Each outcome
// is kept with its request's digest and given only to the same request.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "broker/base/request_binding.h"
#include "broker/exchange/outcome_store.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/write_batch.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/ledger/store/full_disk_fs.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/wal_sync_fs.h"

namespace wams::testing {
namespace {

using exchange::OutcomeStore;
using ledger::store::Ledger;
using ledger::store::LedgerOptions;
using ledger::store::testing::MakeReceipt;
using ledger::store::testing::SignerFromSeed;
using ::wams::storage::Family;
using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

// The digest of the request the tests run (any 32 bytes do: the store
// compares, it does not compute).
const std::string kDigest(32, 'd');

google::rpc::Status Outcome(int code, const std::string& message) {
  google::rpc::Status status;
  status.set_code(code);
  status.set_message(message);
  return status;
}

std::unique_ptr<Ledger> OpenLedger(const ::wams::storage::Backend& storage) {
  LedgerOptions options;
  options.origin = ledger::store::testing::kOrigin;
  options.checkpoint_interval = absl::ZeroDuration();
  auto ledger = Ledger::Open(storage, SignerFromSeed('o'), options);
  EXPECT_TRUE(ledger.ok()) << ledger.status();
  return ledger.ok() ? *std::move(ledger) : nullptr;
}

// Runs one request's last step as the exchange does: the receipt is appended
// with the outcome as its companion (the outcome names the receipt's leaf),
// then the waiters hear it, or, when the append fails, the outcome is
// abandoned.
void AppendWithOutcome(Ledger& ledger, OutcomeStore& outcomes, const std::string& key) {
  ledger.AppendAsync(
      MakeReceipt(1),
      [key](const wams::broker::v1::SignedReceipt& receipt) {
        return OutcomeStore::Stored(key, kDigest,
                                    Outcome(0, absl::StrCat("leaf ", receipt.leaf_index())));
      },
      [&outcomes, key](absl::StatusOr<wams::broker::v1::SignedReceipt> stored) {
        if (stored.ok()) {
          outcomes.Finish(key, Outcome(0, absl::StrCat("leaf ", stored->leaf_index())));
        } else {
          outcomes.Abandon(key, Outcome(14, std::string(stored.status().message())));
        }
      });
}

TEST(StorageOutcomeTest, OutcomeIsSyncedWithItsReceiptBeforeItsWaiterHearsIt) {
  TempDir dir;
  auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDbOptions storage_options;
  storage_options.env = env.get();
  auto storage = RocksDbBackend::Open(dir.File("db"), storage_options);
  ASSERT_TRUE(storage.ok()) << storage.status();
  std::unique_ptr<Ledger> ledger = OpenLedger(**storage);
  ASSERT_NE(ledger, nullptr);
  OutcomeStore outcomes(**storage);
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");

  absl::Notification answered;
  uint64_t unsynced = 1;
  std::optional<std::string> stored_when_answered;
  OutcomeStore::Waiter waiter = [&](const google::rpc::Status&) {
    unsynced = fs->unsynced.load();
    auto stored = (*storage)->Get(Family::kIdempotency, key);
    if (stored.ok()) stored_when_answered = *stored;
    answered.Notify();
  };
  ASSERT_EQ(outcomes.Begin(key, kDigest, waiter), OutcomeStore::Claim::kRun);
  AppendWithOutcome(*ledger, outcomes, key);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));

  EXPECT_EQ(unsynced, 0u) << "the waiter heard an outcome that was not synced yet";
  ASSERT_TRUE(stored_when_answered.has_value()) << "the waiter heard an outcome not stored";
  const base::BoundValue bound = base::UnbindValue(*stored_when_answered);
  EXPECT_EQ(bound.digest, kDigest) << "the outcome is kept with its request's digest";
  google::rpc::Status kept;
  ASSERT_TRUE(kept.ParseFromString(bound.value));
  EXPECT_EQ(kept.message(), "leaf 0");  // the companion saw the leaf index assigned
  EXPECT_EQ(ledger->TreeSize(), 1u);
  // A retry of the same request gets the kept outcome from the store.
  std::string retried;
  OutcomeStore::Waiter retry = [&](const google::rpc::Status& s) { retried = s.message(); };
  EXPECT_EQ(outcomes.Begin(key, kDigest, retry), OutcomeStore::Claim::kAnswered);
  EXPECT_EQ(retried, "leaf 0");
  // Another request with the same key is refused, and not handed the outcome.
  bool answered_other = false;
  OutcomeStore::Waiter other = [&](const google::rpc::Status&) { answered_other = true; };
  base::Reuse reuse = base::Reuse::kUnbound;
  EXPECT_EQ(outcomes.Begin(key, std::string(32, 'x'), other, &reuse), OutcomeStore::Claim::kReused);
  EXPECT_EQ(reuse, base::Reuse::kOtherRequest);
  EXPECT_FALSE(answered_other);
}

TEST(StorageOutcomeTest, AnotherRequestNeverJoinsOneInFlight) {
  TempDir dir;
  auto storage = RocksDbBackend::Open(dir.File("db"), RocksDbOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  OutcomeStore outcomes(**storage);
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");
  int heard = 0;
  OutcomeStore::Waiter first = [&](const google::rpc::Status&) { ++heard; };
  ASSERT_EQ(outcomes.Begin(key, kDigest, first), OutcomeStore::Claim::kRun);
  OutcomeStore::Waiter other = [&](const google::rpc::Status&) { ++heard; };
  base::Reuse reuse = base::Reuse::kOtherRequest;
  EXPECT_EQ(outcomes.Begin(key, std::string(32, 'x'), other, &reuse), OutcomeStore::Claim::kReused);
  EXPECT_EQ(reuse, base::Reuse::kOtherRequestInFlight);
  OutcomeStore::Waiter same = [&](const google::rpc::Status&) { ++heard; };
  EXPECT_EQ(outcomes.Begin(key, kDigest, same), OutcomeStore::Claim::kAnswered);
  outcomes.Finish(key, Outcome(0, "done"));
  EXPECT_EQ(heard, 2) << "only the first call and its true retry hear the outcome";
}

// An outcome an older broker stored has no digest: nothing tells whether a
// retry is the same request, so it is never handed out.
TEST(StorageOutcomeTest, OutcomeStoredWithoutADigestIsNeverHandedOut) {
  TempDir dir;
  auto storage = RocksDbBackend::Open(dir.File("db"), RocksDbOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");
  ::wams::storage::WriteBatch batch;
  batch.Put(Family::kIdempotency, key, Outcome(0, "old").SerializeAsString());
  ASSERT_TRUE((*storage)->Write(batch).ok());
  OutcomeStore outcomes(**storage);
  bool answered = false;
  OutcomeStore::Waiter waiter = [&](const google::rpc::Status&) { answered = true; };
  base::Reuse reuse = base::Reuse::kOtherRequest;
  EXPECT_EQ(outcomes.Begin(key, kDigest, waiter, &reuse), OutcomeStore::Claim::kReused);
  EXPECT_EQ(reuse, base::Reuse::kUnbound);
  EXPECT_FALSE(answered);
  EXPECT_THAT(std::string(base::ReusedRequestId(reuse).message()),
              ::testing::StartsWith("request_id: "));
}

TEST(StorageOutcomeTest, FailedWriteKeepsNeitherReceiptNorOutcomeAndTheRetryRuns) {
  TempDir dir;
  auto fs = std::make_shared<ledger::store::testing::FullDiskFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDbOptions storage_options;
  storage_options.env = env.get();
  storage_options.min_free_bytes = 0;  // let the write itself fail
  storage_options.recovery_initial_backoff = absl::Milliseconds(5);
  storage_options.recovery_max_backoff = absl::Milliseconds(50);
  auto storage = RocksDbBackend::Open(dir.File("db"), storage_options);
  ASSERT_TRUE(storage.ok()) << storage.status();
  std::unique_ptr<Ledger> ledger = OpenLedger(**storage);
  ASSERT_NE(ledger, nullptr);
  OutcomeStore outcomes(**storage);
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");

  fs->full = true;
  absl::Notification answered;
  int code = -1;
  OutcomeStore::Waiter waiter = [&](const google::rpc::Status& s) {
    code = s.code();
    answered.Notify();
  };
  ASSERT_EQ(outcomes.Begin(key, kDigest, waiter), OutcomeStore::Claim::kRun);
  AppendWithOutcome(*ledger, outcomes, key);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(code, 14);  // UNAVAILABLE
  fs->full = false;

  EXPECT_EQ(ledger->TreeSize(), 0u);
  auto stored = (*storage)->Get(Family::kIdempotency, key);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->has_value()) << "an outcome was kept without its receipt";
  OutcomeStore::Waiter retry = [](const google::rpc::Status&) {};
  EXPECT_EQ(outcomes.Begin(key, kDigest, retry), OutcomeStore::Claim::kRun);
}

TEST(StorageOutcomeTest, AbandonedOutcomeIsNotRemembered) {
  TempDir dir;
  auto storage = RocksDbBackend::Open(dir.File("db"), RocksDbOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  OutcomeStore outcomes(**storage);
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");
  int code = -1;
  OutcomeStore::Waiter waiter = [&](const google::rpc::Status& s) { code = s.code(); };
  ASSERT_EQ(outcomes.Begin(key, kDigest, waiter), OutcomeStore::Claim::kRun);
  outcomes.Abandon(key, Outcome(14, "the receipt log cannot write"));
  EXPECT_EQ(code, 14);
  OutcomeStore::Waiter retry = [](const google::rpc::Status&) {};
  EXPECT_EQ(outcomes.Begin(key, kDigest, retry), OutcomeStore::Claim::kRun);
}

// The real broker, killed with SIGKILL right after it answered: the retry
// after the restart gets the very same answer (same receipts) and the
// provider hears nothing more.
class StorageOutcomeCrashTest : public ExchangeFlowTest {};

TEST_F(StorageOutcomeCrashTest, RetryAfterKill9GetsTheSameOutcomeWithoutAskingTheProviderAgain) {
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  std::vector<v1::DataRequest> requests;
  std::vector<v1::DataResponse> answers;
  for (int i = 0; i < 3; ++i) {
    requests.push_back(NewRequest(opened.case_id(), kSchoolOin, {"attendance"}));
    v1::DataResponse response;
    CallResult result = RequestData(requests.back(), &response);
    ASSERT_TRUE(result.status.ok()) << result.status.error_message();
    answers.push_back(response);
  }
  ASSERT_EQ(school_->Received().size(), 3u);
  ASSERT_EQ(broker_.process().Stop(SIGKILL), 128 + SIGKILL);

  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  for (size_t i = 0; i < requests.size(); ++i) {
    v1::DataResponse again;
    CallResult result = RequestData(requests[i], &again);
    ASSERT_TRUE(result.status.ok()) << result.status.error_message();
    EXPECT_EQ(again.answer_receipt().leaf_index(), answers[i].answer_receipt().leaf_index());
    EXPECT_EQ(again.answer_receipt().signature(), answers[i].answer_receipt().signature());
    EXPECT_EQ(again.decision_receipt().signature(), answers[i].decision_receipt().signature());
    EXPECT_EQ(again.status(), answers[i].status());
    // The data went to the first call only: the broker keeps no payload.
    EXPECT_EQ(answers[i].data_size(), 1);
    EXPECT_FALSE(answers[i].data_not_kept());
    EXPECT_EQ(again.data_size(), 0);
    EXPECT_TRUE(again.data_not_kept());
  }
  EXPECT_EQ(school_->Received().size(), 3u) << "a retried request reached the provider again";
}

// Every key and value the broker stored, read back with RocksDB after it
// stopped (so compression cannot hide a payload from the scan).
std::vector<std::string> EverythingStored(const std::filesystem::path& data_dir) {
  RocksDbOptions options;
  options.create_if_missing = false;
  auto storage = RocksDbBackend::Open(data_dir.string(), options);
  EXPECT_TRUE(storage.ok()) << storage.status();
  std::vector<std::string> stored;
  if (!storage.ok()) return stored;
  for (const ::wams::storage::FamilySpec& family : ::wams::storage::FamilyTable()) {
    EXPECT_TRUE(::wams::storage::ScanAll(**storage, family.family,
                                         ::wams::storage::ScanRange::From("", 1000),
                                         [&](const ::wams::storage::KeyValue& row) {
                                           stored.push_back(row.key);
                                           stored.push_back(row.value);
                                           return absl::OkStatus();
                                         })
                    .ok());
  }
  return stored;
}

bool AnyContains(const std::vector<std::string>& stored, const std::string& needle) {
  return std::any_of(stored.begin(), stored.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

TEST_F(StorageOutcomeCrashTest, NoPayloadIsKeptInTheDataDir) {
  const std::string payload = "payload-4f1c9a: attendance 93%, two warnings";
  school_->SetHandler([&](const v1::ProviderRequest& request, v1::ProviderResponse* answer) {
    answer->set_status(v1::PROVIDER_ANSWER_STATUS_PROVIDED);
    v1::CategoryData* data = answer->add_data();
    data->set_category(request.categories(0));
    data->set_content(payload);
    return grpc::Status::OK;
  });
  v1::Case opened = OpenCase({v1::DOMAIN_EDUCATION}, {});
  v1::DataRequest request = NewRequest(opened.case_id(), kSchoolOin, {"attendance"});
  v1::DataResponse first, retried;
  ASSERT_TRUE(RequestData(request, &first).status.ok());
  ASSERT_EQ(first.data_size(), 1);
  EXPECT_EQ(first.data(0).content(), payload);
  ASSERT_TRUE(RequestData(request, &retried).status.ok());
  EXPECT_TRUE(retried.data_not_kept());
  ASSERT_EQ(broker_.Stop(), 0);

  std::vector<std::string> stored = EverythingStored(broker_.root() / "dev-data" / "broker");
  // The scan sees what the broker keeps: the request's outcome is there.
  EXPECT_TRUE(AnyContains(stored, request.request_id()));
  EXPECT_TRUE(AnyContains(stored, first.answer_receipt().signature()));
  EXPECT_FALSE(AnyContains(stored, payload)) << "the provider's payload was stored";
}

}  // namespace
}  // namespace wams::testing
