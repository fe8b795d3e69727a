// The ledger fails closed: when the WAL cannot be synced, nothing is
// acknowledged. An fsync I/O error (EIO) is one RocksDB cannot resume from in
// place: the ledger keeps refusing, the storage says to restart, and a reopen
// finds every acknowledged receipt. (A full disk, which it recovers from in
// place, is recovery_test.cc.)
#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/wal_sync_fs.h"

namespace wams::ledger::store {
namespace {

using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

using testing::MakeReceipt;
using testing::SignerFromSeed;
using testing::TempDir;
using ::wams::testing::FakeClock;

using ::wams::testing::WalSyncFs;

TEST(FailClosedTest, AppendThatCannotBeMadeDurableIsNotAcknowledged) {
  TempDir dir;
  auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  FakeClock clock;
  uint64_t acknowledged = 0;
  {
    RocksDbOptions storage_options;
    storage_options.env = env.get();
    auto storage = RocksDbBackend::Open(dir.Sub("db"), storage_options);
    ASSERT_TRUE(storage.ok()) << storage.status();
    LedgerOptions options;
    options.origin = testing::kOrigin;
    options.clock = &clock;
    auto ledger = Ledger::Open(**storage, SignerFromSeed('a'), options);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*ledger)->Append(MakeReceipt(i)).ok());
    acknowledged = (*ledger)->TreeSize();

    fs->fail = true;
    auto failed = (*ledger)->Append(MakeReceipt(3));
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
    // Even with the disk back, RocksDB cannot resume after this error.
    fs->fail = false;
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!absl::StrContains((*storage)->WriteHealth().message(), "restart the broker") &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    EXPECT_TRUE(absl::StrContains((*storage)->WriteHealth().message(), "restart the broker"))
        << (*storage)->WriteHealth();
    auto refused = (*ledger)->Append(MakeReceipt(4));
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
    EXPECT_EQ((*ledger)->WriteHealth().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ((*ledger)->TreeSize(), acknowledged);
    ledger->reset();
  }
  // Reopened on a healthy disk: every acknowledged receipt is there, and the
  // tree is whole.
  auto storage = RocksDbBackend::Open(dir.Sub("db"), RocksDbOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  LedgerOptions options;
  options.origin = testing::kOrigin;
  options.clock = &clock;
  auto ledger = Ledger::Open(**storage, SignerFromSeed('a'), options);
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_GE((*ledger)->TreeSize(), acknowledged);
  EXPECT_TRUE((*ledger)->VerifyAll().ok());
  auto next = (*ledger)->Append(MakeReceipt(5));
  ASSERT_TRUE(next.ok()) << next.status();
}

}  // namespace
}  // namespace wams::ledger::store
