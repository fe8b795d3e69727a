// Durable request outcomes (idempotency): an acknowledged outcome is on disk
// (WAL synced) before its caller hears it, so a retry after a crash gets the
// same outcome and the provider is not asked again; an outcome that cannot
// be stored (disk full) is still answered, kept in memory, and written when
// space returns; a refusal that means "nothing happened" is not remembered.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "broker/exchange/outcome_store.h"
#include "broker/ledger/store/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/exchange/exchange_test_fixture.h"
#include "tests/ledger/store/full_disk_fs.h"

namespace wams::testing {
namespace {

using exchange::OutcomeStore;
using exchange::OutcomeStoreOptions;
using ledger::store::Storage;
using ledger::store::StorageOptions;

// Counts WAL bytes appended but not yet synced.
class SyncTrackingFs : public rocksdb::FileSystemWrapper {
 public:
  explicit SyncTrackingFs(std::shared_ptr<rocksdb::FileSystem> target)
      : rocksdb::FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "SyncTrackingFs"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok() && name.ends_with(".log")) {
      *result = std::make_unique<File>(std::move(*result), &unsynced);
    }
    return status;
  }
  std::atomic<uint64_t> unsynced{0};

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, std::atomic<uint64_t>* unsynced)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), unsynced_(unsynced) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      unsynced_->fetch_add(data.size());
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      unsynced_->fetch_add(data.size());
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = target()->Sync(options, dbg);
      if (s.ok()) unsynced_->store(0);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = target()->Fsync(options, dbg);
      if (s.ok()) unsynced_->store(0);
      return s;
    }

   private:
    std::atomic<uint64_t>* unsynced_;
  };
};

google::rpc::Status Outcome(int code, const std::string& message) {
  google::rpc::Status status;
  status.set_code(code);
  status.set_message(message);
  return status;
}

// Finishes one request and returns the WAL bytes still unsynced at the
// moment its waiter heard the outcome.
uint64_t UnsyncedWhenAnswered(bool sync) {
  TempDir dir;
  auto fs = std::make_shared<SyncTrackingFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  StorageOptions storage_options;
  storage_options.env = env.get();
  auto storage = Storage::Open(dir.File("db"), storage_options);
  EXPECT_TRUE(storage.ok()) << storage.status();
  OutcomeStoreOptions options;
  options.sync = sync;
  OutcomeStore outcomes(**storage, options);
  absl::Notification answered;
  uint64_t unsynced = 0;
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");
  EXPECT_EQ(outcomes.Begin(key,
                           [&](const google::rpc::Status&) {
                             unsynced = fs->unsynced.load();
                             answered.Notify();
                           }),
            OutcomeStore::Claim::kRun);
  outcomes.Finish(key, Outcome(0, "data"));
  EXPECT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  return unsynced;
}

TEST(StorageOutcomeTest, OutcomeIsSyncedBeforeItsWaiterHearsIt) {
  EXPECT_EQ(UnsyncedWhenAnswered(/*sync=*/true), 0u);
  // The control: without the synced write the outcome is not durable yet.
  EXPECT_GT(UnsyncedWhenAnswered(/*sync=*/false), 0u);
}

TEST(StorageOutcomeTest, UnstorableOutcomeIsAnsweredKeptAndWrittenWhenSpaceReturns) {
  TempDir dir;
  auto fs = std::make_shared<ledger::store::testing::FullDiskFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  StorageOptions storage_options;
  storage_options.env = env.get();
  storage_options.min_free_bytes = 1 << 20;
  storage_options.recovery_initial_backoff = absl::Milliseconds(5);
  storage_options.recovery_max_backoff = absl::Milliseconds(50);
  auto storage = Storage::Open(dir.File("db"), storage_options);
  ASSERT_TRUE(storage.ok()) << storage.status();
  OutcomeStoreOptions options;
  options.retry_initial_backoff = absl::Milliseconds(5);
  options.retry_max_backoff = absl::Milliseconds(50);
  OutcomeStore outcomes(**storage, options);
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");

  fs->full = true;
  absl::Notification answered;
  ASSERT_EQ(outcomes.Begin(key, [&](const google::rpc::Status&) { answered.Notify(); }),
            OutcomeStore::Claim::kRun);
  outcomes.Finish(key, Outcome(0, "data"));
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(outcomes.UnstoredCount(), 1u);
  // A retry in this process gets it from memory.
  std::string retried;
  EXPECT_EQ(outcomes.Begin(key, [&](const google::rpc::Status& s) { retried = s.message(); }),
            OutcomeStore::Claim::kAnswered);
  EXPECT_EQ(retried, "data");

  fs->full = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (outcomes.UnstoredCount() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(outcomes.UnstoredCount(), 0u);
  auto stored = (*storage)->Get(ledger::store::Cf::kIdempotency, key);
  ASSERT_TRUE(stored.ok() && stored->has_value());
}

TEST(StorageOutcomeTest, AbandonedOutcomeIsNotRemembered) {
  TempDir dir;
  auto storage = Storage::Open(dir.File("db"), StorageOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  OutcomeStore outcomes(**storage);
  const std::string key = OutcomeStore::Key("request", "00000001001234567000", "req-1");
  int code = -1;
  ASSERT_EQ(outcomes.Begin(key, [&](const google::rpc::Status& s) { code = s.code(); }),
            OutcomeStore::Claim::kRun);
  outcomes.Abandon(key, Outcome(14, "the receipt log cannot write"));
  EXPECT_EQ(code, 14);
  EXPECT_EQ(outcomes.Begin(key, [](const google::rpc::Status&) {}), OutcomeStore::Claim::kRun);
}

// The cost of durable outcomes (not a test; run it by name with
// --gtest_also_run_disabled_tests): one outcome at a time (latency, each its
// own fsync) and 64 at once (throughput, group-committed), synced and not.
TEST(StorageOutcomeTest, DISABLED_MeasureOutcomeCost) {
  for (bool sync : {false, true}) {
    TempDir dir;
    auto storage = Storage::Open(dir.File("db"), StorageOptions());
    ASSERT_TRUE(storage.ok()) << storage.status();
    OutcomeStoreOptions options;
    options.sync = sync;
    OutcomeStore outcomes(**storage, options);
    const google::rpc::Status outcome = Outcome(0, std::string(2000, 'x'));  // a typical answer
    int n = 0;
    auto run = [&](int in_flight, int rounds) {
      const absl::Time start = absl::Now();
      for (int r = 0; r < rounds; ++r) {
        absl::Mutex mu;
        int left = in_flight;
        for (int i = 0; i < in_flight; ++i) {
          const std::string key = OutcomeStore::Key("request", "oin", absl::StrCat("req-", ++n));
          outcomes.Begin(key, [&](const google::rpc::Status&) {
            absl::MutexLock lock(&mu);
            --left;
          });
          outcomes.Finish(key, outcome);
        }
        absl::MutexLock lock(&mu);
        mu.Await(absl::Condition(
            +[](int* l) { return *l == 0; }, &left));
      }
      return (absl::Now() - start) / (in_flight * rounds);
    };
    absl::Duration one = run(1, 500);
    absl::Duration many = run(64, 50);
    std::cout << (sync ? "synced  " : "unsynced") << ": one at a time " << one
              << " per outcome; 64 in flight " << many << " per outcome ("
              << static_cast<int>(absl::Seconds(1) / many) << "/s)\n";
  }
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
    EXPECT_EQ(again.data_size(), answers[i].data_size());
  }
  EXPECT_EQ(school_->Received().size(), 3u) << "a retried request reached the provider again";
}

}  // namespace
}  // namespace wams::testing
