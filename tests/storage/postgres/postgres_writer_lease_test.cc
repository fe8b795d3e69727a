// The writer lease over a real PostgreSQL: one writer among brokers sharing
// a database, fencing of a writer that lost the lease, takeover.
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/postgres/postgres_suite.h"

namespace wams::storage::postgres {
namespace {

using ::testing::HasSubstr;

class PostgresWriterLeaseTest : public PostgresSuite {};

WriteBatch OneRow(std::string key) {
  WriteBatch batch;
  batch.Put(Family::kReceipts, std::move(key), "r");
  return batch;
}

TEST_F(PostgresWriterLeaseTest, OnlyOneOfTwoBrokersWrites) {
  auto a = Open(Options("node-a"));
  auto b = Open(Options("node-b"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(a->WriteHealth().ok()) << a->WriteHealth();
  absl::Status standby = b->WriteHealth();
  EXPECT_EQ(standby.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(standby.message()), HasSubstr("not the writer"));
  EXPECT_THAT(std::string(standby.message()), HasSubstr("node-a"));
  EXPECT_TRUE(a->Write(OneRow("from-a")).ok());
  absl::Status refused = b->Write(OneRow("from-b"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("not the writer"));
  // Reads work on every broker.
  EXPECT_EQ(b->Get(Family::kReceipts, "from-a").value(), std::optional<std::string>("r"));
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "1");
}

TEST_F(PostgresWriterLeaseTest, AReadOnlyToolNeverTakesTheLeaseEvenUnderTheWritersName) {
  auto broker = Open(Options("node-a"));
  ASSERT_NE(broker, nullptr);
  ASSERT_TRUE(broker->WriteHealth().ok()) << broker->WriteHealth();
  const uint64_t epoch = broker->writer_epoch();
  const std::string lease_before = Query("SELECT holder || '/' || epoch FROM wams.writer_lease");
  // The offline export run with the live broker's own config: same node name.
  PostgresOptions tool_options = Options("node-a");
  tool_options.writer = false;
  auto tool = Open(tool_options);
  ASSERT_NE(tool, nullptr);
  absl::Status refused = tool->Write(OneRow("from-tool"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("read only"));
  tool.reset();  // closing it releases nothing either
  EXPECT_EQ(Query("SELECT holder || '/' || epoch FROM wams.writer_lease"), lease_before);
  EXPECT_EQ(broker->writer_epoch(), epoch);
  EXPECT_TRUE(broker->Write(OneRow("from-broker")).ok());
}

TEST_F(PostgresWriterLeaseTest, StandbyTakesOverWhenTheWriterShutsDown) {
  auto a = Open(Options("node-a"));
  auto b = Open(Options("node-b"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  uint64_t a_epoch = a->writer_epoch();
  a.reset();  // a clean shutdown releases the lease
  ASSERT_TRUE(b->AwaitWritable(absl::Now() + absl::Seconds(10))) << b->WriteHealth();
  EXPECT_GT(b->writer_epoch(), a_epoch);
  EXPECT_TRUE(b->Write(OneRow("from-b")).ok());
}

TEST_F(PostgresWriterLeaseTest, StandbyTakesOverAnExpiredLease) {
  auto a = Open(Options("node-a"));
  ASSERT_NE(a, nullptr);
  // A writer that died without releasing: its lease row, expired.
  a.reset();
  Query("UPDATE wams.writer_lease SET holder = 'dead-node', expires_at = now() - interval '1 s'");
  auto b = Open(Options("node-b"));
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(b->AwaitWritable(absl::Now() + absl::Seconds(10))) << b->WriteHealth();
  EXPECT_EQ(Query("SELECT holder FROM wams.writer_lease"), "node-b");
}

TEST_F(PostgresWriterLeaseTest, PausedWriterWhoseLeaseWasTakenWritesNothing) {
  auto a = Open(Options("node-a"));
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->WriteHealth().ok());
  // While `a` still counts itself the writer (as a paused process would),
  // another broker takes the lease.
  Query(
      "UPDATE wams.writer_lease SET holder = 'node-b', epoch = epoch + 1, "
      "expires_at = now() + interval '1 hour'");
  absl::Status written = a->Write(OneRow("late"));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(written.message()), HasSubstr("not the writer"));
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "0");
  absl::Status health = a->WriteHealth();
  EXPECT_EQ(health.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(health.message()), HasSubstr("not the writer"));
}

TEST_F(PostgresWriterLeaseTest, TakeoverWaitsForTheWriteInFlight) {
  auto a = Open(Options("node-a"));
  ASSERT_NE(a, nullptr);
  // Hold the receipts table so that a's write stops after its fence.
  SqlSession blocker(server().Conninfo(database()));
  blocker.Run("BEGIN");
  blocker.Run("LOCK TABLE wams.receipts IN ACCESS EXCLUSIVE MODE");
  absl::Status written;
  std::thread writer([&] { written = a->Write(OneRow("in-flight")); });
  ASSERT_TRUE(Eventually([&] { return BrokerWaitsForALock(); }));
  // Another broker's takeover now waits for a's transaction (FOR SHARE).
  std::thread thief([&] {
    Query(
        "UPDATE wams.writer_lease SET holder = 'node-b', epoch = epoch + 1, "
        "expires_at = now() + interval '1 hour'");
  });
  ASSERT_TRUE(Eventually([&] {
    return Query(
               "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND "
               "query LIKE 'UPDATE wams.writer_lease%'") == "1";
  }));
  EXPECT_EQ(Query("SELECT holder FROM wams.writer_lease"), "node-a");
  blocker.Run("ROLLBACK");
  writer.join();
  thief.join();
  EXPECT_TRUE(written.ok()) << written;  // fenced before the takeover: durable
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "1");
  EXPECT_EQ(Query("SELECT holder FROM wams.writer_lease"), "node-b");
  EXPECT_EQ(a->Write(OneRow("after")).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "1");
}

TEST_F(PostgresWriterLeaseTest, WriterWhoseRenewalsStallStopsBeforeItsLeaseExpires) {
  PostgresOptions options = Options("node-a");
  options.lease_ttl = absl::Seconds(1);
  auto a = Open(options);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(a->WriteHealth().ok());
  // Renewals block behind this lock; the lease must lapse on a's own clock.
  SqlSession blocker(server().Conninfo(database()));
  blocker.Run("BEGIN");
  blocker.Run("LOCK TABLE wams.writer_lease IN ACCESS EXCLUSIVE MODE");
  ASSERT_TRUE(Eventually([&] { return !a->WriteHealth().ok(); }, absl::Seconds(10)));
  EXPECT_THAT(std::string(a->WriteHealth().message()), HasSubstr("not the writer"));
  uint64_t epoch = a->writer_epoch();
  blocker.Run("ROLLBACK");
  // It takes the lease again, with a new epoch (the ledger reloads its state).
  ASSERT_TRUE(a->AwaitWritable(absl::Now() + absl::Seconds(10))) << a->WriteHealth();
  EXPECT_GT(a->writer_epoch(), epoch);
  EXPECT_GE(a->recoveries(), 1u);
}

}  // namespace
}  // namespace wams::storage::postgres
