// postgres_backend.h: wams::storage::Backend on a PostgreSQL cluster (libpq),
// for several brokers sharing one replicated database.
//
// One table per family in the configured schema (migrations.h). Writes go
// over one writer connection, each batch one transaction sent as a libpq
// pipeline: the fence (the writer lease at this broker's epoch, locked FOR
// SHARE), the upserts and deletes as one multi-row statement per family
// with binary bytea[] parameters, COMMIT. Reads use a pool of connections;
// a Snapshot() holds one in a REPEATABLE READ READ ONLY transaction.
//
// A lease thread keeps the writer lease (acquire when free or expired,
// renew every lease_ttl/3) and reconnects after failures with backoff. This
// broker counts itself the writer only until lease_ttl after it last sent a
// renewal that succeeded (monotonic clock), so it stops before any other
// broker can take the lease; the fence makes even a late write harmless.
//
//   WAMS_ASSIGN_OR_RETURN(PostgresOptions options, PostgresOptionsFromConfig(cfg));
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresBackend> db, PostgresBackend::Create(options));
//
// Thread-safe: every method may be called from any thread. Destroying it
// stops the lease thread and releases the lease, so a standby takes over at
// once; Snapshot() readers must be destroyed before it.
#ifndef WAMS_BROKER_STORAGE_POSTGRES_POSTGRES_BACKEND_H_
#define WAMS_BROKER_STORAGE_POSTGRES_POSTGRES_BACKEND_H_

#include <array>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/backend.h"
#include "broker/storage/postgres/pg_connection.h"
#include "broker/storage/postgres/postgres_options.h"
#include "broker/storage/postgres/read_pool.h"

namespace wams::storage::postgres {

// Keys longer than this are refused (INVALID_ARGUMENT): a btree entry must
// fit a third of a page.
inline constexpr size_t kMaxKeyBytes = 2048;

struct Statements;  // the SQL, built once for the schema (postgres_backend.cc)

class PostgresBackend final : public Backend {
 public:
  // Connects, applies the migrations (migrations.h) and makes a first attempt
  // at the writer lease before returning, then keeps trying in the background.
  //   INVALID_ARGUMENT  options wrong (naming the field)
  //   UNAVAILABLE       the database cannot be reached
  //   FAILED_PRECONDITION the database schema is newer than this binary
  static absl::StatusOr<std::unique_ptr<PostgresBackend>> Create(const PostgresOptions& options);
  ~PostgresBackend() override;

  std::string_view name() const override { return "postgres"; }
  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override;
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override;
  absl::Status Write(const WriteBatch& batch) const override;
  absl::StatusOr<std::unique_ptr<Reader>> Snapshot() const override;
  absl::Status WriteHealth() const override;
  bool AwaitWritable(absl::Time deadline) const override;
  uint64_t writer_epoch() const override;
  uint64_t recoveries() const override;
  // VACUUM of the family's table, on the writer's connection (backend.h).
  // The dead row versions are gone from the table's pages then; the
  // PostgreSQL WAL (and its archive, and base backups) keep them until they
  // are recycled. `begin` and `end` are ignored: the whole table is vacuumed.
  absl::Status PurgeDeleted(Family family, std::string_view begin,
                            std::string_view end) const override;

 private:
  PostgresBackend(PostgresOptions options, ConnectionParams writer_params,
                  ConnectionParams reader_params);

  // The writer connection, its statements prepared.
  absl::StatusOr<std::unique_ptr<PgConnection>> ConnectWriter() const;
  void LeaseLoop();
  // One round of the lease thread: connections, then acquire or renew.
  // Returns whether it went well (else the next round backs off).
  bool LeaseRound();
  bool AcquireOrRenew(Deadline started);
  void ReleaseLease();
  // The connections failed: remember why, drop the idle ones.
  void MarkDatabaseDown(const absl::Status& why);
  absl::Status WriteHealthLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool WritableLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void NoteHealthLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Deadline StatementDeadline() const;

  const PostgresOptions options_;
  const ConnectionParams writer_params_;
  const std::unique_ptr<const Statements> sql_;
  mutable ReadPool pool_;

  // Serialises writes: one writer connection, one transaction at a time.
  mutable absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  mutable absl::Mutex mu_;
  // The writer connection, absent while a write uses it or after a failure.
  mutable std::unique_ptr<PgConnection> writer_conn_ ABSL_GUARDED_BY(mu_);
  mutable bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // OK, or why the database cannot take writes now ("database unavailable: ...").
  mutable absl::Status db_status_ ABSL_GUARDED_BY(mu_);
  // The lease: this broker holds `epoch_` until `lease_valid_until_`.
  mutable bool holds_lease_ ABSL_GUARDED_BY(mu_) = false;
  mutable uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 0;
  mutable Deadline lease_valid_until_ ABSL_GUARDED_BY(mu_);
  // Why this broker is not the writer, for WriteHealth().
  mutable std::string not_writer_reason_ ABSL_GUARDED_BY(mu_);
  mutable bool was_writable_ ABSL_GUARDED_BY(mu_) = false;
  mutable bool ever_writable_ ABSL_GUARDED_BY(mu_) = false;
  mutable uint64_t recoveries_ ABSL_GUARDED_BY(mu_) = 0;
  mutable bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // Used by the lease thread only.
  std::unique_ptr<PgConnection> lease_conn_;
  std::thread lease_thread_;
};

// The backend `config` names (BrokerConfig.storage.postgres): options
// validated (errors name the field), password file read, then Create().
// Without `writer` it never takes the writer lease (tools that only read).
absl::StatusOr<std::unique_ptr<Backend>> OpenPostgresBackend(
    const wams::broker::v1::PostgresStorage& config, bool writer = true);

}  // namespace wams::storage::postgres

#endif  // WAMS_BROKER_STORAGE_POSTGRES_POSTGRES_BACKEND_H_
