// PostgresBackend when the database misbehaves: a commit that does not
// return, a connection killed by the server, the server stopped.
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/postgres/postgres_suite.h"
#include "tests/testing/status_matchers.h"

namespace wams::storage::postgres {
namespace {

using ::testing::HasSubstr;
using ::wams::testing::StatusIs;

class PostgresFaultTest : public PostgresSuite {
 protected:
  void SetUp() override {
    PostgresSuite::SetUp();
    PostgresOptions options = Options("node-a");
    options.commit_timeout = absl::Seconds(1);
    backend_ = Open(options);
    ASSERT_NE(backend_, nullptr);
    ASSERT_TRUE(backend_->WriteHealth().ok()) << backend_->WriteHealth();
  }
  static WriteBatch OneRow(std::string key) {
    WriteBatch batch;
    batch.Put(Family::kReceipts, std::move(key), "r");
    return batch;
  }
  // Makes every commit wait for a synchronous standby that does not exist;
  // returns once that is in effect (the server's processes reload it in
  // their own time: a probe commit then waits).
  void RequireAnAbsentSynchronousStandby() {
    Query("CREATE TABLE probe (x integer)");
    Query("ALTER SYSTEM SET synchronous_standby_names = 'absent_standby'");
    Query("SELECT pg_reload_conf()");
    ASSERT_TRUE(Eventually([&] {
      auto probe = PgConnection::Connect({{"host", "127.0.0.1"},
                                          {"port", absl::StrCat(server().port())},
                                          {"user", "postgres"},
                                          {"dbname", database()},
                                          {"application_name", "probe"}},
                                         Clock::now() + std::chrono::seconds(5));
      if (!probe.ok()) return false;
      auto inserted = (*probe)->Exec("probe", "INSERT INTO probe VALUES (1)", {},
                                     Clock::now() + std::chrono::milliseconds(300));
      return !inserted.ok() && (*probe)->timed_out();
    }));
  }
  void ForgetTheSynchronousStandby() {
    Query("ALTER SYSTEM RESET synchronous_standby_names");
    Query("SELECT pg_reload_conf()");
  }
  std::unique_ptr<PostgresBackend> backend_;
};

TEST_F(PostgresFaultTest, CommitThatDoesNotReturnIsAbandonedAsUnavailable) {
  ASSERT_TRUE(backend_->Write(OneRow("before")).ok());
  SqlSession blocker(server().Conninfo(database()));
  blocker.Run("BEGIN");
  blocker.Run("LOCK TABLE wams.receipts IN ACCESS EXCLUSIVE MODE");
  absl::Status written = backend_->Write(OneRow("blocked"));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(written.message()), HasSubstr("outcome unknown"));
  // The server notices the abandoned session and ends it: the write does
  // not commit later, when the lock frees.
  ASSERT_TRUE(Eventually([&] { return !BrokerWaitsForALock(); }));
  blocker.Run("ROLLBACK");
  EXPECT_EQ(backend_->Get(Family::kReceipts, "blocked").value(), std::nullopt);
  ASSERT_TRUE(backend_->AwaitWritable(absl::Now() + absl::Seconds(10))) << backend_->WriteHealth();
  EXPECT_TRUE(backend_->Write(OneRow("after")).ok());
  EXPECT_EQ(backend_->Get(Family::kReceipts, "after").value(), std::optional<std::string>("r"));
  EXPECT_GE(backend_->recoveries(), 1u);
}

TEST_F(PostgresFaultTest, FenceThatBlocksIsAbandonedAsUnavailable) {
  SqlSession blocker(server().Conninfo(database()));
  blocker.Run("BEGIN");
  blocker.Run("LOCK TABLE wams.writer_lease IN ACCESS EXCLUSIVE MODE");
  absl::Status written = backend_->Write(OneRow("blocked"));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(Eventually([&] { return !BrokerWaitsForALock("SELECT wams.fence"); }));
  blocker.Run("ROLLBACK");
  EXPECT_EQ(Query("SELECT count(*) FROM wams.receipts"), "0");
  ASSERT_TRUE(backend_->AwaitWritable(absl::Now() + absl::Seconds(10))) << backend_->WriteHealth();
  EXPECT_TRUE(backend_->Write(OneRow("after")).ok());
}

TEST_F(PostgresFaultTest, KilledConnectionsAreUnavailableThenRecover) {
  ASSERT_TRUE(backend_->Write(OneRow("before")).ok());
  uint64_t recoveries = backend_->recoveries();
  EXPECT_NE(Query("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                  "WHERE application_name LIKE 'wams-broker%'"),
            "0");
  absl::Status written = backend_->Write(OneRow("lost"));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  EXPECT_THAT(std::string(written.message()), HasSubstr("database unavailable"));
  ASSERT_TRUE(backend_->AwaitWritable(absl::Now() + absl::Seconds(10))) << backend_->WriteHealth();
  EXPECT_GT(backend_->recoveries(), recoveries);
  EXPECT_TRUE(backend_->Write(OneRow("after")).ok());
  EXPECT_EQ(backend_->Get(Family::kReceipts, "before").value(), std::optional<std::string>("r"));
}

TEST_F(PostgresFaultTest, StoppedServerIsUnavailableThenRecoversAfterRestart) {
  ASSERT_TRUE(backend_->Write(OneRow("acknowledged")).ok());
  ASSERT_TRUE(server().Stop(/*immediate=*/true).ok());
  absl::Status written = backend_->Write(OneRow("while down"));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(Eventually([&] {
    absl::Status health = backend_->WriteHealth();
    return absl::StartsWith(health.message(), "database unavailable");
  }));
  EXPECT_EQ(backend_->Get(Family::kReceipts, "acknowledged").status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server().Restart().ok());
  ASSERT_TRUE(backend_->AwaitWritable(absl::Now() + absl::Seconds(20))) << backend_->WriteHealth();
  EXPECT_TRUE(backend_->Write(OneRow("after")).ok());
  // Acknowledged before the crash: still there.
  EXPECT_EQ(backend_->Get(Family::kReceipts, "acknowledged").value(),
            std::optional<std::string>("r"));
}

// A server that turned read-only under the broker's sessions (as a demoted
// primary does) while new sessions can write (as on the new primary): the
// broker must drop its sessions and reconnect, not retry on them forever.
TEST_F(PostgresFaultTest, SessionsOnAServerThatTurnedReadOnlyAreReplaced) {
  ASSERT_TRUE(backend_->Write(OneRow("before")).ok());
  Query("ALTER SYSTEM SET default_transaction_read_only = on");
  Query("SELECT pg_reload_conf()");
  int64_t attempt = 0;
  ASSERT_TRUE(Eventually([&] {
    absl::Status written = backend_->Write(OneRow(absl::StrCat("probe-", ++attempt)));
    return !written.ok() && absl::StrContains(written.message(), "read-only");
  }));
  // New sessions of this database may write again; the old ones may not.
  SqlSession admin(absl::StrCat(server().Conninfo(database()),
                                " options='-c default_transaction_read_only=off'"));
  admin.Run(
      absl::StrCat("ALTER DATABASE ", database(), " SET default_transaction_read_only = off"));
  bool recovered = Eventually([&] {
    return backend_->AwaitWritable(absl::Now() + absl::Seconds(1)) &&
           backend_->Write(OneRow("after")).ok();
  });
  admin.Run("ALTER SYSTEM RESET default_transaction_read_only");
  admin.Run("SELECT pg_reload_conf()");
  EXPECT_TRUE(recovered) << backend_->WriteHealth();
}

// The synchronous standby is gone: commits wait for it. The writer gives up
// after commit_timeout and refuses (never acknowledges a receipt the standby
// may lack), then recovers when the standby is back.
TEST_F(PostgresFaultTest, CommitWaitingForAnAbsentStandbyTimesOutUnacknowledged) {
  RequireAnAbsentSynchronousStandby();
  absl::Status written = backend_->Write(OneRow("unreplicated"));
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  EXPECT_THAT(std::string(written.message()), HasSubstr("outcome unknown"));
  EXPECT_THAT(backend_->WriteHealth(), StatusIs(absl::StatusCode::kUnavailable));
  ForgetTheSynchronousStandby();
  ASSERT_TRUE(backend_->AwaitWritable(absl::Now() + absl::Seconds(20))) << backend_->WriteHealth();
  EXPECT_TRUE(backend_->Write(OneRow("after")).ok());
}

// A commit waits for a synchronous standby that never answers, and someone
// cancels the wait: PostgreSQL then reports success with a WARNING although
// the standby lacks the transaction. That must not be acknowledged.
TEST_F(PostgresFaultTest, CommitWhoseStandbyWaitWasCancelledIsNotAcknowledged) {
  backend_.reset();
  PostgresOptions options = Options("node-a");
  options.commit_timeout = absl::Seconds(30);
  // Renewals wait for the standby too: the lease must outlast the set-up.
  options.lease_ttl = absl::Seconds(30);
  auto backend = Open(options);
  ASSERT_NE(backend, nullptr);
  ASSERT_TRUE(backend->WriteHealth().ok());
  RequireAnAbsentSynchronousStandby();
  std::thread canceller([&] {
    EXPECT_TRUE(Eventually([&] {
      return Query(
                 "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE "
                 "wait_event = 'SyncRep' AND query LIKE 'INSERT INTO wams.receipts%'") != "0";
    }));
  });
  absl::Status written = backend->Write(OneRow("local only"));
  canceller.join();
  ForgetTheSynchronousStandby();
  EXPECT_EQ(written.code(), absl::StatusCode::kUnavailable) << written;
  EXPECT_THAT(std::string(written.message()), HasSubstr("not durable"));
  ASSERT_TRUE(backend->AwaitWritable(absl::Now() + absl::Seconds(20))) << backend->WriteHealth();
  EXPECT_TRUE(backend->Write(OneRow("after")).ok());
}

}  // namespace
}  // namespace wams::storage::postgres
