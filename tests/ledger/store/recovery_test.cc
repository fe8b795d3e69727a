// In-place recovery from a full disk: while no write can be made durable,
// the storage and the ledger refuse at once with UNAVAILABLE and acknowledge
// nothing; when space returns they resume by themselves (no reopen), append
// where the durable tree ends, and a reopen finds every acknowledged receipt.
// The disk is a RocksDB file system that answers ENOSPC on demand
// (full_disk_fs.h); tests/faults/storage_disk_full_test.cc does the same with
// a real full file system and the real broker process.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "tests/ledger/store/full_disk_fs.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/fake_clock.h"

namespace wams::ledger::store {
namespace {

using ::wams::storage::Family;
using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

using testing::FullDiskFs;
using testing::MakeReceipt;
using testing::SignerFromSeed;
using testing::TempDir;
using wams::broker::v1::SignedReceipt;
using ::wams::testing::FakeClock;

// Generous: only a broken recovery gets near it.
constexpr absl::Duration kRecoveryDeadline = absl::Seconds(30);

// Every change of the ledger's write health, in order.
class HealthLog {
 public:
  Ledger::HealthObserver Observer() {
    return [this](const absl::Status& health) {
      absl::MutexLock lock(&mu_);
      states_.push_back(health.ok());
    };
  }
  // Waits until the latest state is `ok`.
  bool AwaitLatest(bool ok) {
    absl::MutexLock lock(&mu_);
    struct Args {
      HealthLog* log;
      bool ok;
    } args{this, ok};
    return mu_.AwaitWithTimeout(absl::Condition(
                                    +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                      return !a->log->states_.empty() &&
                                             a->log->states_.back() == a->ok;
                                    },
                                    &args),
                                kRecoveryDeadline);
  }
  std::vector<bool> states() {
    absl::MutexLock lock(&mu_);
    return states_;
  }

 private:
  absl::Mutex mu_;
  std::vector<bool> states_ ABSL_GUARDED_BY(mu_);
};

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FullDiskFs>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    Open();
  }

  void Open() {
    RocksDbOptions storage_options;
    storage_options.env = env_.get();
    // Fast retries keep the test short; the schedule itself is not under test.
    storage_options.recovery_initial_backoff = absl::Milliseconds(5);
    storage_options.recovery_max_backoff = absl::Milliseconds(50);
    storage_options.min_free_bytes = 1 << 20;
    auto storage = RocksDbBackend::Open(dir_.Sub("db"), storage_options);
    ASSERT_TRUE(storage.ok()) << storage.status();
    storage_ = *std::move(storage);
    LedgerOptions options;
    options.origin = testing::kOrigin;
    options.clock = &clock_;
    auto ledger = Ledger::Open(*storage_, SignerFromSeed('a'), options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    ledger_ = *std::move(ledger);
  }

  void Close() {
    ledger_.reset();
    storage_.reset();
  }

  // Appends receipt `n` and remembers it when acknowledged.
  absl::Status Append(uint64_t n) {
    absl::StatusOr<SignedReceipt> stored = ledger_->Append(MakeReceipt(n));
    if (stored.ok()) acknowledged_.push_back(*stored);
    return stored.status();
  }

  // After a reopen: every acknowledged receipt is stored byte for byte at its
  // index, and the whole tree verifies.
  void ExpectEveryAcknowledgedReceipt() {
    Close();
    fs_->full = false;
    Open();
    ASSERT_GE(ledger_->TreeSize(), acknowledged_.size());
    for (const SignedReceipt& acked : acknowledged_) {
      absl::StatusOr<SignedReceipt> stored = ledger_->GetReceipt(acked.leaf_index());
      ASSERT_TRUE(stored.ok()) << "acknowledged receipt " << acked.leaf_index() << " is gone";
      EXPECT_EQ(stored->receipt_bytes(), acked.receipt_bytes()) << acked.leaf_index();
      EXPECT_EQ(stored->signature(), acked.signature()) << acked.leaf_index();
    }
    absl::Status verified = ledger_->VerifyAll();
    EXPECT_TRUE(verified.ok()) << verified;
  }

  TempDir dir_;
  FakeClock clock_;  // the checkpoint timer stays quiet
  std::shared_ptr<FullDiskFs> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<RocksDbBackend> storage_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<SignedReceipt> acknowledged_;
};

TEST_F(RecoveryTest, StorageRefusesWritesWhileTheDiskIsFullAndAcceptsThemWhenSpaceReturns) {
  ledger_.reset();  // the storage alone
  ::wams::storage::WriteBatch before;
  before.Put(Family::kCases, "case-1", "v1");
  ASSERT_TRUE(storage_->Write(before).ok());

  fs_->full = true;
  const int refused_by_disk = fs_->refused.load();
  ::wams::storage::WriteBatch during;
  during.Put(Family::kCases, "case-2", "v2");
  absl::Status refused = storage_->Write(during);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "full")) << refused;
  // Refused before RocksDB tried: RocksDB never ran out of space.
  EXPECT_EQ(fs_->refused.load(), refused_by_disk);
  EXPECT_EQ(storage_->WriteHealth().code(), absl::StatusCode::kUnavailable);

  fs_->full = false;
  ASSERT_TRUE(storage_->AwaitWritable(absl::Now() + kRecoveryDeadline)) << storage_->WriteHealth();
  ASSERT_TRUE(storage_->Write(during).ok());
  Close();
  Open();
  EXPECT_EQ(storage_->Get(Family::kCases, "case-1")->value_or(""), "v1");
  EXPECT_EQ(storage_->Get(Family::kCases, "case-2")->value_or(""), "v2");
}

// The disk fills between the free-space check and the write: RocksDB's own
// write fails, RocksDB stops, and the storage resumes it in place.
TEST_F(RecoveryTest, StorageResumesRocksDbAfterAWriteRanOutOfSpace) {
  ledger_.reset();  // the storage alone
  fs_->hide_fullness = true;
  ::wams::storage::WriteBatch before;
  before.Put(Family::kCases, "case-1", "v1");
  ASSERT_TRUE(storage_->Write(before).ok());

  fs_->full = true;
  ::wams::storage::WriteBatch during;
  during.Put(Family::kCases, "case-2", "v2");
  absl::Status failed = storage_->Write(during);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_EQ(storage_->WriteHealth().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(storage_->WriteHealth().message(), "retrying"))
      << storage_->WriteHealth();
  absl::Status refused = storage_->Write(during);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  // Nothing of a failed batch is visible.
  EXPECT_FALSE(storage_->Get(Family::kCases, "case-2")->has_value());

  fs_->full = false;
  ASSERT_TRUE(storage_->AwaitWritable(absl::Now() + kRecoveryDeadline)) << storage_->WriteHealth();
  EXPECT_GE(storage_->recoveries(), 1u);
  ::wams::storage::WriteBatch after;
  after.Put(Family::kCases, "case-3", "v3");
  ASSERT_TRUE(storage_->Write(after).ok());

  Close();
  Open();
  EXPECT_EQ(storage_->Get(Family::kCases, "case-1")->value_or(""), "v1");
  EXPECT_FALSE(storage_->Get(Family::kCases, "case-2")->has_value());
  EXPECT_EQ(storage_->Get(Family::kCases, "case-3")->value_or(""), "v3");
}

TEST_F(RecoveryTest, LedgerRefusesWhileFullAndAppendsAgainWithoutAReopen) {
  fs_->hide_fullness = true;  // RocksDB's write fails, the harder case
  HealthLog health;
  ledger_->SetHealthObserver(health.Observer());
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(Append(i).ok());

  fs_->full = true;
  absl::Status failed = Append(3);
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_TRUE(absl::StrContains(failed.message(), "receipt log unavailable")) << failed;
  EXPECT_TRUE(absl::StrContains(failed.message(), "retrying")) << failed;
  ASSERT_TRUE(health.AwaitLatest(false));
  absl::Status refused = Append(4);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable) << refused;
  EXPECT_EQ(ledger_->TreeSize(), 3u);

  fs_->full = false;
  ASSERT_TRUE(health.AwaitLatest(true)) << ledger_->WriteHealth();
  EXPECT_TRUE(ledger_->WriteHealth().ok());
  EXPECT_GE(ledger_->recoveries(), 1u);
  // The log goes on where the durable tree ends.
  ASSERT_TRUE(Append(5).ok());
  EXPECT_EQ(acknowledged_.back().leaf_index(), 3u);
  EXPECT_EQ(health.states(), (std::vector<bool>{true, false, true}));
  ExpectEveryAcknowledgedReceipt();
}

// Right after an open every memtable is empty (RocksDB flushed what it
// replayed); RocksDB 7.8 then resumes without a new WAL and the next write
// would abort the process, unless the storage's WAL guard keeps a memtable
// non-empty. Three rounds, so that the guard is put back after each resume
// too.
TEST_F(RecoveryTest, RecoversWhenRocksDbRunsOutOfSpaceRightAfterAnOpen) {
  fs_->hide_fullness = true;
  uint64_t n = 0;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(Append(n++).ok());
    Close();
    Open();
    HealthLog health;
    ledger_->SetHealthObserver(health.Observer());
    fs_->full = true;
    EXPECT_EQ(Append(n++).code(), absl::StatusCode::kUnavailable);
    ASSERT_TRUE(health.AwaitLatest(false));
    fs_->full = false;
    ASSERT_TRUE(health.AwaitLatest(true)) << "round " << round << ": " << ledger_->WriteHealth();
    ASSERT_TRUE(Append(n++).ok()) << "round " << round;
  }
  EXPECT_EQ(acknowledged_.size(), 6u);
  ExpectEveryAcknowledgedReceipt();
}

// Many appenders while the disk fills and frees three times: whatever was
// acknowledged is there after a reopen, and the tree has no gap.
TEST_F(RecoveryTest, ConcurrentAppendsAcrossFullDisksLoseNothingAcknowledged) {
  HealthLog health;
  ledger_->SetHealthObserver(health.Observer());
  constexpr int kThreads = 8;
  constexpr int kMaxPerThread = 20000;  // a bound, should the rounds hang
  absl::Mutex mu;
  std::vector<SignedReceipt> acked;
  std::atomic<int> refused{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kMaxPerThread && !stop.load(); ++i) {
        absl::StatusOr<SignedReceipt> stored =
            ledger_->Append(MakeReceipt(static_cast<uint64_t>(t * kMaxPerThread + i)));
        if (stored.ok()) {
          absl::MutexLock lock(&mu);
          acked.push_back(*stored);
        } else {
          EXPECT_EQ(stored.status().code(), absl::StatusCode::kUnavailable) << stored.status();
          refused.fetch_add(1);
          absl::SleepFor(absl::Milliseconds(1));  // a client backs off too
        }
      }
    });
  }
  // Waits until `more` further appends were acknowledged.
  auto await_acks = [&](size_t more) {
    absl::MutexLock lock(&mu);
    struct Args {
      std::vector<SignedReceipt>* acked;
      size_t want;
    } args{&acked, acked.size() + more};
    return mu.AwaitWithTimeout(absl::Condition(
                                   +[](Args* a) { return a->acked->size() >= a->want; }, &args),
                               kRecoveryDeadline);
  };
  for (int round = 0; round < 3; ++round) {
    bool appending = await_acks(20);
    fs_->full = true;
    bool failed = appending && health.AwaitLatest(false);
    fs_->full = false;
    bool recovered = failed && health.AwaitLatest(true);
    if (!recovered) {
      stop = true;
      for (std::thread& t : threads) t.join();
      FAIL() << "round " << round << ": appending " << appending << ", failed " << failed
             << ", recovered " << recovered;
    }
  }
  EXPECT_TRUE(await_acks(20));
  stop = true;
  for (std::thread& t : threads) t.join();
  EXPECT_GT(refused.load(), 0);
  acknowledged_ = acked;
  EXPECT_FALSE(acknowledged_.empty());
  ExpectEveryAcknowledgedReceipt();
}

TEST_F(RecoveryTest, HealthObserverStopsWhenRemoved) {
  HealthLog health;
  ledger_->SetHealthObserver(health.Observer());
  EXPECT_EQ(health.states(), std::vector<bool>{true});  // told the current state at once
  ledger_->SetHealthObserver(nullptr);
  fs_->full = true;
  EXPECT_EQ(Append(0).code(), absl::StatusCode::kUnavailable);
  fs_->full = false;
  HealthLog after;
  ledger_->SetHealthObserver(after.Observer());
  ASSERT_TRUE(after.AwaitLatest(true));
  EXPECT_EQ(health.states(), std::vector<bool>{true});
}

}  // namespace
}  // namespace wams::ledger::store
