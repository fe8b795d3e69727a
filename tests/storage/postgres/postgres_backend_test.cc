// PostgresBackend against a real PostgreSQL 15: migrations, writes, reads
// and snapshots.
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/storage/postgres/migrations.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/postgres/postgres_suite.h"
#include "tests/testing/status_matchers.h"

namespace wams::storage::postgres {
namespace {

using ::testing::HasSubstr;
using ::wams::testing::StatusIs;

class PostgresMigrationTest : public PostgresSuite {};

TEST_F(PostgresMigrationTest, FreshDatabaseGetsEveryFamilyAndTheLatestVersion) {
  auto backend = Open(Options("node-a"));
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(Query("SELECT max(version) FROM wams.schema_migrations"),
            absl::StrCat(LatestSchemaVersion()));
  for (const FamilySpec& spec : FamilyTable()) {
    EXPECT_EQ(Query(absl::StrCat("SELECT count(*) FROM wams.", std::string(spec.name))), "0")
        << spec.name;
  }
  EXPECT_EQ(Query("SELECT count(*) FROM wams.writer_lease"), "1");
}

TEST_F(PostgresMigrationTest, SecondStartFindsThemApplied) {
  { ASSERT_NE(Open(Options("node-a")), nullptr); }
  auto again = Open(Options("node-a"));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(Query("SELECT count(*) FROM wams.schema_migrations"),
            absl::StrCat(Migrations().size()));
}

TEST_F(PostgresMigrationTest, BrokersStartingTogetherApplyEachMigrationOnce) {
  constexpr int kBrokers = 4;
  std::vector<absl::StatusOr<std::unique_ptr<PostgresBackend>>> opened(kBrokers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBrokers; ++i) {
    threads.emplace_back(
        [&, i] { opened[i] = PostgresBackend::Create(Options(absl::StrCat("node-", i))); });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& backend : opened) EXPECT_TRUE(backend.ok()) << backend.status();
  EXPECT_EQ(Query("SELECT count(*) FROM wams.schema_migrations"),
            absl::StrCat(Migrations().size()));
}

TEST_F(PostgresMigrationTest, RefusesADatabaseNewerThanTheBinary) {
  { ASSERT_NE(Open(Options("node-a")), nullptr); }
  Query(absl::StrCat("INSERT INTO wams.schema_migrations (version, description) VALUES (",
                     LatestSchemaVersion() + 1, ", 'from the future')"));
  auto refused = PostgresBackend::Create(Options("node-a"));
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("newer than this broker knows"));
}

TEST_F(PostgresMigrationTest, SchemaIsConfigurable) {
  PostgresOptions options = Options("node-a");
  options.schema = "broker_two";
  auto backend = Open(options);
  ASSERT_NE(backend, nullptr);
  WriteBatch batch;
  batch.Put(Family::kCases, "case", "v");
  ASSERT_TRUE(backend->Write(batch).ok());
  EXPECT_EQ(Query("SELECT count(*) FROM broker_two.cases"), "1");
}

class PostgresReadWriteTest : public PostgresSuite {
 protected:
  void SetUp() override {
    PostgresSuite::SetUp();
    backend_ = Open(Options("node-a"));
    ASSERT_NE(backend_, nullptr);
    ASSERT_TRUE(backend_->WriteHealth().ok()) << backend_->WriteHealth();
  }
  std::unique_ptr<PostgresBackend> backend_;
};

TEST_F(PostgresReadWriteTest, ReadsBackWhatItWrote) {
  WriteBatch batch;
  std::string binary_key("\x00\xff\x01", 3);
  std::string binary_value("\x00\x01\xfe\xff", 4);
  batch.Put(Family::kReceipts, binary_key, binary_value);
  batch.Put(Family::kMeta, "size", "1");
  ASSERT_TRUE(backend_->Write(batch).ok());
  auto got = backend_->Get(Family::kReceipts, binary_key);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, binary_value);
  auto missing = backend_->Get(Family::kReceipts, "absent");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // Families are separate tables.
  auto other = backend_->Get(Family::kNodes, binary_key);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
}

TEST_F(PostgresReadWriteTest, ScansInBytewiseOrderBothWays) {
  WriteBatch batch;
  for (std::string key : {std::string("a\x80", 2), std::string("a\x01", 2), std::string("b"),
                          std::string("a"), std::string("a\x00", 2)}) {
    batch.Put(Family::kIdxCase, key, "");
  }
  ASSERT_TRUE(backend_->Write(batch).ok());
  auto all = backend_->Scan(Family::kIdxCase, ScanRange::From("", 10));
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> keys;
  for (const KeyValue& kv : *all) keys.push_back(kv.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", std::string("a\x00", 2), std::string("a\x01", 2),
                                            std::string("a\x80", 2), "b"}));
  auto prefix = backend_->Scan(Family::kIdxCase, ScanRange::Prefix("a", 2));
  ASSERT_TRUE(prefix.ok());
  ASSERT_EQ(prefix->size(), 2u);
  EXPECT_EQ((*prefix)[1].key, std::string("a\x00", 2));
  ScanRange reverse = ScanRange::Prefix("a", 10);
  reverse.reverse = true;
  auto down = backend_->Scan(Family::kIdxCase, reverse);
  ASSERT_TRUE(down.ok());
  ASSERT_EQ(down->size(), 4u);
  EXPECT_EQ(down->front().key, std::string("a\x80", 2));
  EXPECT_EQ(down->back().key, "a");
}

TEST_F(PostgresReadWriteTest, LastOperationOnAKeyInABatchWins) {
  WriteBatch first;
  first.Put(Family::kCases, "kept", "old");
  first.Put(Family::kCases, "deleted", "old");
  ASSERT_TRUE(backend_->Write(first).ok());
  WriteBatch batch;
  batch.Put(Family::kCases, "kept", "1");
  batch.Delete(Family::kCases, "kept");
  batch.Put(Family::kCases, "kept", "2");
  batch.Put(Family::kCases, "deleted", "1");
  batch.Delete(Family::kCases, "deleted");
  ASSERT_TRUE(backend_->Write(batch).ok());
  EXPECT_EQ(backend_->Get(Family::kCases, "kept").value(), std::optional<std::string>("2"));
  EXPECT_EQ(backend_->Get(Family::kCases, "deleted").value(), std::nullopt);
}

TEST_F(PostgresReadWriteTest, SnapshotKeepsItsViewWhileOthersWrite) {
  WriteBatch before;
  before.Put(Family::kMeta, "size", "1");
  ASSERT_TRUE(backend_->Write(before).ok());
  auto snapshot = backend_->Snapshot();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  WriteBatch after;
  after.Put(Family::kMeta, "size", "2");
  after.Put(Family::kReceipts, "leaf", "r");
  ASSERT_TRUE(backend_->Write(after).ok());
  EXPECT_EQ((*snapshot)->Get(Family::kMeta, "size").value(), std::optional<std::string>("1"));
  EXPECT_TRUE((*snapshot)->Scan(Family::kReceipts, ScanRange::From("", 10)).value().empty());
  EXPECT_EQ(backend_->Get(Family::kMeta, "size").value(), std::optional<std::string>("2"));
}

TEST_F(PostgresReadWriteTest, FailedBatchWritesNothing) {
  // A statement late in the transaction fails: the earlier ones roll back.
  Query("DROP TABLE wams.idx_time");
  WriteBatch batch;
  batch.Put(Family::kReceipts, "leaf", "r");
  batch.Put(Family::kIdxTime, "t", "");
  absl::Status written = backend_->Write(batch);
  // undefined_table: a server error no retry mends (Backend::Write).
  EXPECT_THAT(written, StatusIs(absl::StatusCode::kInternal, HasSubstr("SQLSTATE 42P01")));
  EXPECT_THAT(std::string(written.message()), ::testing::Not(HasSubstr("leaf")));
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "0");
  // The connection survives a server error.
  WriteBatch next;
  next.Put(Family::kReceipts, "leaf", "r");
  EXPECT_TRUE(backend_->Write(next).ok());
}

TEST_F(PostgresReadWriteTest, RefusesAKeyOverTheLimitNamingTheFamily) {
  WriteBatch batch;
  batch.Put(Family::kIdxSubject, std::string(kMaxKeyBytes + 1, 'k'), "");
  absl::Status written = backend_->Write(batch);
  EXPECT_EQ(written.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(written.message()), HasSubstr("idx_subject"));
}

TEST_F(PostgresReadWriteTest, GroupCommitOfAThousandReceiptsIsOneTransaction) {
  // The ledger's largest group: 1024 receipts of about 8 rows each.
  WriteBatch batch;
  for (int leaf = 0; leaf < 1024; ++leaf) {
    std::string key = absl::StrCat("leaf-", 100000 + leaf);
    batch.Put(Family::kReceipts, key, std::string(600, 'r'));
    batch.Put(Family::kNodes, key, std::string(32, 'h'));
    batch.Put(Family::kNodes, key + "/1", std::string(32, 'h'));
    batch.Put(Family::kIdxCase, key, "");
    batch.Put(Family::kIdxSubject, key, "");
    batch.Put(Family::kIdxParty, key, "\x01");
    batch.Put(Family::kIdxParty, key + "/2", "\x02");
    batch.Put(Family::kIdxTime, key, "");
  }
  batch.Put(Family::kMeta, "size", "1024");
  absl::Time start = absl::Now();
  ASSERT_TRUE(backend_->Write(batch).ok());
  absl::Duration took = absl::Now() - start;
  std::cout << "[ figure ] one batch of " << batch.size() << " rows committed in " << took << " ("
            << static_cast<int64_t>(batch.size() / absl::ToDoubleSeconds(took)) << " rows/s)\n";
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "1024");
  EXPECT_EQ(Query("SELECT count(*) FROM wams.idx_party"), "2048");
}

}  // namespace
}  // namespace wams::storage::postgres
