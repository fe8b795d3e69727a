#include "broker/storage/postgres/postgres_backend.h"

#include <charconv>
#include <unordered_map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "broker/base/logging/log.h"
#include "broker/base/status_macros.h"
#include "broker/storage/postgres/migrations.h"

namespace wams::storage::postgres {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

struct Statements {
  struct PerFamily {
    std::string get;
    std::string scan[2][2];  // [reverse][has end]
    std::string upsert;
    std::string remove;
  };
  std::array<PerFamily, kFamilyCount> family;
  std::string fence, acquire, renew, release, holder;

  explicit Statements(std::string_view schema_name) {
    absl::string_view schema = Av(schema_name);
    for (const FamilySpec& spec : FamilyTable()) {
      PerFamily& f = family[static_cast<int>(spec.family)];
      std::string table = absl::StrCat(schema, ".", Av(spec.name));
      f.get = absl::StrCat("SELECT v FROM ", table, " WHERE k = $1");
      for (int reverse = 0; reverse < 2; ++reverse) {
        for (int has_end = 0; has_end < 2; ++has_end) {
          f.scan[reverse][has_end] = absl::StrCat(
              "SELECT k, v FROM ", table, " WHERE k >= $1", has_end ? " AND k < $2" : "",
              " ORDER BY k", reverse ? " DESC" : "", " LIMIT $", has_end ? 3 : 2, "::bigint");
        }
      }
      f.upsert = absl::StrCat("INSERT INTO ", table,
                              " (k, v) SELECT * FROM unnest($1::bytea[], $2::bytea[]) "
                              "ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v");
      f.remove = absl::StrCat("DELETE FROM ", table, " WHERE k = ANY($1::bytea[])");
    }
    std::string lease = absl::StrCat(schema, ".writer_lease");
    fence = absl::StrCat("SELECT ", schema, ".fence($1, $2::bigint)");
    // Free, expired, or ours from an earlier life: take it with a new epoch.
    // The UPDATE waits for writes in flight (they hold the row FOR SHARE).
    acquire = absl::StrCat(
        "UPDATE ", lease,
        " SET holder = $1, epoch = epoch + 1, expires_at = now() + $2::bigint * interval '1 "
        "millisecond', acquired_at = now() WHERE id = 1 AND (holder IS NULL OR holder = $1 OR "
        "expires_at <= now()) RETURNING epoch");
    renew = absl::StrCat("UPDATE ", lease,
                         " SET expires_at = now() + $3::bigint * interval '1 millisecond' "
                         "WHERE id = 1 AND holder = $1 AND epoch = $2::bigint RETURNING epoch");
    release = absl::StrCat("UPDATE ", lease,
                           " SET holder = NULL, expires_at = '-infinity' "
                           "WHERE id = 1 AND holder = $1 AND epoch = $2::bigint");
    holder = absl::StrCat("SELECT coalesce(holder, ''), expires_at > now() FROM ", lease,
                          " WHERE id = 1");
  }
};

namespace {

// The writer connection's prepared statements (ConnectWriter): parsed and
// planned once per connection, not once per write.
constexpr absl::string_view kFencePrepared = "wams_fence";
std::string UpsertPrepared(int family) { return absl::StrCat("wams_upsert_", family); }
std::string DeletePrepared(int family) { return absl::StrCat("wams_delete_", family); }

const Statements::PerFamily& For(const Statements& sql, Family family) {
  return sql.family[static_cast<int>(family)];
}

std::string ReadWhat(Family family) { return absl::StrCat("read ", Av(FamilyName(family))); }

absl::StatusOr<std::optional<std::string>> ReadOne(PgConnection& conn, const Statements& sql,
                                                   Family family, std::string_view key,
                                                   Deadline deadline) {
  WAMS_ASSIGN_OR_RETURN(PgResult result, conn.Exec(ReadWhat(family), For(sql, family).get,
                                                   {PgParam::Binary(std::string(key))}, deadline));
  if (result.rows() == 0) return std::nullopt;
  return std::string(result.Value(0, 0));
}

absl::StatusOr<std::vector<KeyValue>> ReadRange(PgConnection& conn, const Statements& sql,
                                                Family family, const ScanRange& range,
                                                Deadline deadline) {
  std::vector<PgParam> params = {PgParam::Binary(range.begin)};
  bool has_end = !range.end.empty();
  if (has_end) params.push_back(PgParam::Binary(range.end));
  params.push_back(PgParam::Text(absl::StrCat(range.limit)));
  WAMS_ASSIGN_OR_RETURN(
      PgResult result,
      conn.Exec(ReadWhat(family), For(sql, family).scan[range.reverse ? 1 : 0][has_end ? 1 : 0],
                params, deadline));
  std::vector<KeyValue> rows;
  rows.reserve(static_cast<size_t>(result.rows()));
  for (int i = 0; i < result.rows(); ++i) {
    rows.push_back({std::string(result.Value(i, 0)), std::string(result.Value(i, 1))});
  }
  return rows;
}

// A Snapshot(): one pooled connection inside a REPEATABLE READ READ ONLY
// transaction, ended when the reader goes. Thread-safe (calls serialised).
class SnapshotReader final : public Reader {
 public:
  SnapshotReader(ReadPool::Lease conn, const Statements& sql, absl::Duration timeout)
      : conn_(std::move(conn)), sql_(sql), timeout_(timeout) {}
  ~SnapshotReader() override {
    absl::MutexLock lock(&mu_);
    // A failure breaks the connection, and the pool drops it.
    conn_->ExecScript("end snapshot", "ROLLBACK", Deadline()).IgnoreError();
  }

  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override {
    absl::MutexLock lock(&mu_);
    return ReadOne(*conn_, sql_, family, key, Deadline());
  }
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override {
    absl::MutexLock lock(&mu_);
    return ReadRange(*conn_, sql_, family, range, Deadline());
  }

 private:
  postgres::Deadline Deadline() const { return Clock::now() + absl::ToChronoNanoseconds(timeout_); }

  mutable absl::Mutex mu_;
  ReadPool::Lease conn_ ABSL_GUARDED_BY(mu_);
  const Statements& sql_;
  const absl::Duration timeout_;
};

absl::StatusOr<uint64_t> ParseEpoch(absl::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return absl::DataLossError("writer_lease: epoch is not a number");
  }
  return value;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresBackend>> PostgresBackend::Create(
    const PostgresOptions& options) {
  WAMS_RETURN_IF_ERROR(ValidatePostgresOptions(options));
  std::string application = absl::StrCat("wams-broker ", options.node_name);
  WAMS_ASSIGN_OR_RETURN(ConnectionParams writer_params,
                        BuildConnectionParams(options, application));
  WAMS_ASSIGN_OR_RETURN(ConnectionParams reader_params,
                        BuildConnectionParams(options, application));
  {
    // Migrations may wait for another broker applying them.
    Deadline deadline = Clock::now() + absl::ToChronoNanoseconds(
                                           std::max(options.commit_timeout, absl::Minutes(2)));
    WAMS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                          PgConnection::Connect(writer_params, deadline));
    WAMS_RETURN_IF_ERROR(Migrate(*conn, options.schema, deadline));
  }
  std::unique_ptr<PostgresBackend> backend(
      new PostgresBackend(options, std::move(writer_params), std::move(reader_params)));
  if (!options.writer) {
    absl::MutexLock lock(&backend->mu_);
    // Reads have their own pool; the database answered the migrations.
    backend->db_status_ = absl::OkStatus();
    backend->not_writer_reason_ = "opened to read only (a tool), never the writer";
    return backend;
  }
  // A lone broker is the writer as soon as it is created.
  backend->LeaseRound();
  backend->lease_thread_ = std::thread([raw = backend.get()] { raw->LeaseLoop(); });
  return backend;
}

PostgresBackend::PostgresBackend(PostgresOptions options, ConnectionParams writer_params,
                                 ConnectionParams reader_params)
    : options_(std::move(options)),
      writer_params_(std::move(writer_params)),
      sql_(std::make_unique<Statements>(options_.schema)),
      pool_(std::move(reader_params), options_.read_connections),
      db_status_(absl::UnavailableError("database unavailable: not connected yet")),
      not_writer_reason_("the writer lease is not acquired yet") {}

PostgresBackend::~PostgresBackend() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (lease_thread_.joinable()) lease_thread_.join();
}

Deadline PostgresBackend::StatementDeadline() const {
  return Clock::now() + absl::ToChronoNanoseconds(options_.commit_timeout);
}

absl::StatusOr<std::optional<std::string>> PostgresBackend::Get(Family family,
                                                                std::string_view key) const {
  absl::StatusOr<std::optional<std::string>> value;
  bool retry = false;
  {
    WAMS_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_.Acquire(StatementDeadline()));
    value = ReadOne(*conn, *sql_, family, key, StatementDeadline());
    // A pooled connection that died while idle (a restart, a failover):
    // once more on a fresh one.
    retry = !value.ok() && conn->broken() && !conn.fresh();
  }
  if (!retry) return value;
  WAMS_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_.Acquire(StatementDeadline()));
  return ReadOne(*conn, *sql_, family, key, StatementDeadline());
}

absl::StatusOr<std::vector<KeyValue>> PostgresBackend::Scan(Family family,
                                                            const ScanRange& range) const {
  absl::StatusOr<std::vector<KeyValue>> rows;
  bool retry = false;
  {
    WAMS_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_.Acquire(StatementDeadline()));
    rows = ReadRange(*conn, *sql_, family, range, StatementDeadline());
    retry = !rows.ok() && conn->broken() && !conn.fresh();
  }
  if (!retry) return rows;
  WAMS_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_.Acquire(StatementDeadline()));
  return ReadRange(*conn, *sql_, family, range, StatementDeadline());
}

absl::StatusOr<std::unique_ptr<Reader>> PostgresBackend::Snapshot() const {
  for (int attempt = 0;; ++attempt) {
    WAMS_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool_.Acquire(StatementDeadline()));
    absl::Status begun =
        conn->ExecScript("snapshot", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT 1",
                         StatementDeadline());
    if (begun.ok()) {
      return std::make_unique<SnapshotReader>(std::move(conn), *sql_, options_.commit_timeout);
    }
    if (!conn->broken() || conn.fresh() || attempt > 0) return begun;
  }
}

absl::Status PostgresBackend::Write(const WriteBatch& batch) const {
  for (const WriteBatch::Op& op : batch.ops()) {
    if (op.key.size() > kMaxKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat("key in family ", Av(FamilyName(op.family)),
                                                     " is ", op.key.size(), " bytes; the limit is ",
                                                     kMaxKeyBytes));
    }
  }
  // The last operation on a key decides its state (as applying them in
  // order would); one statement must not touch a row twice.
  std::array<std::unordered_map<std::string_view, const WriteBatch::Op*>, kFamilyCount> last;
  for (const WriteBatch::Op& op : batch.ops()) last[static_cast<int>(op.family)][op.key] = &op;

  absl::MutexLock write_lock(&write_mu_);
  std::unique_ptr<PgConnection> conn;
  uint64_t epoch = 0;
  {
    absl::MutexLock lock(&mu_);
    WAMS_RETURN_IF_ERROR(WriteHealthLocked());
    conn = std::move(writer_conn_);
    epoch = epoch_;
    write_in_flight_ = true;
  }
  // One implicit transaction up to the pipeline's sync: the fence first,
  // then one upsert and one delete statement per family.
  std::vector<PgStatement> statements;
  statements.push_back({"",
                        {PgParam::Text(options_.node_name), PgParam::Text(absl::StrCat(epoch))},
                        std::string(kFencePrepared)});
  for (int f = 0; f < kFamilyCount; ++f) {
    std::vector<std::string_view> put_keys, put_values, delete_keys;
    for (const auto& [key, op] : last[f]) {
      if (op->value.has_value()) {
        put_keys.push_back(key);
        put_values.push_back(*op->value);
      } else {
        delete_keys.push_back(key);
      }
    }
    if (!put_keys.empty()) {
      statements.push_back({"",
                            {PgParam::ByteaArray(put_keys), PgParam::ByteaArray(put_values)},
                            UpsertPrepared(f)});
    }
    if (!delete_keys.empty()) {
      statements.push_back({"", {PgParam::ByteaArray(delete_keys)}, DeletePrepared(f)});
    }
  }
  absl::Status written = conn->Pipeline("write", statements, StatementDeadline());

  const bool fenced =
      absl::IsUnavailable(written) && absl::StartsWith(written.message(), "not the writer");
  std::unique_ptr<PgConnection> closed;
  absl::MutexLock lock(&mu_);
  write_in_flight_ = false;
  // A connection that broke, or whose server cannot take writes now (e.g.
  // read-only: a demoted primary), is replaced by the lease thread.
  if (!conn->broken() && (written.ok() || !absl::IsUnavailable(written) || fenced)) {
    writer_conn_ = std::move(conn);
  } else {
    closed = std::move(conn);
    db_status_ =
        written.ok() ? absl::UnavailableError("database unavailable: connection lost") : written;
    wake_ = true;
  }
  if (fenced) {
    holds_lease_ = false;
    not_writer_reason_ = "the writer lease has passed to another broker";
    wake_ = true;
  }
  NoteHealthLocked();
  return written;
}

absl::Status PostgresBackend::WriteHealth() const {
  absl::MutexLock lock(&mu_);
  return WriteHealthLocked();
}

absl::Status PostgresBackend::WriteHealthLocked() const {
  // A lapsed lease first: the writer role ends at once, whatever else.
  if (holds_lease_ && Clock::now() >= lease_valid_until_) {
    return absl::UnavailableError(
        "not the writer: the writer lease could not be renewed within lease_ttl");
  }
  if (!db_status_.ok()) return db_status_;
  if (!holds_lease_) {
    return absl::UnavailableError(absl::StrCat("not the writer: ", not_writer_reason_));
  }
  if (writer_conn_ == nullptr && !write_in_flight_) {
    return absl::UnavailableError("database unavailable: reconnecting");
  }
  return absl::OkStatus();
}

bool PostgresBackend::WritableLocked() const { return WriteHealthLocked().ok(); }

bool PostgresBackend::AwaitWritable(absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto writable = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return WritableLocked(); };
  // The state changes under mu_ only, so the condition is rechecked when it
  // may have become true; it can turn false by time alone, hence the recheck.
  mu_.AwaitWithDeadline(absl::Condition(&writable), deadline);
  return WritableLocked();
}

uint64_t PostgresBackend::writer_epoch() const {
  absl::MutexLock lock(&mu_);
  return epoch_;
}

absl::Status PostgresBackend::PurgeDeleted(Family family, std::string_view /*begin*/,
                                           std::string_view /*end*/) const {
  absl::MutexLock write_lock(&write_mu_);
  std::unique_ptr<PgConnection> conn;
  {
    absl::MutexLock lock(&mu_);
    WAMS_RETURN_IF_ERROR(WriteHealthLocked());
    conn = std::move(writer_conn_);
    write_in_flight_ = true;
  }
  // VACUUM cannot run in a transaction block: one simple statement alone.
  absl::Status vacuumed = conn->ExecScript(
      "purge", absl::StrCat("VACUUM ", Av(options_.schema), ".", Av(FamilyName(family))),
      StatementDeadline());
  std::unique_ptr<PgConnection> closed;
  absl::MutexLock lock(&mu_);
  write_in_flight_ = false;
  if (!conn->broken()) {
    writer_conn_ = std::move(conn);
  } else {
    closed = std::move(conn);
    db_status_ = absl::UnavailableError("database unavailable: connection lost");
    wake_ = true;
  }
  NoteHealthLocked();
  return vacuumed;
}

uint64_t PostgresBackend::recoveries() const {
  absl::MutexLock lock(&mu_);
  return recoveries_;
}

void PostgresBackend::NoteHealthLocked() const {
  bool writable = WritableLocked();
  if (writable && !was_writable_) {
    if (ever_writable_) ++recoveries_;
    ever_writable_ = true;
  }
  was_writable_ = writable;
}

void PostgresBackend::MarkDatabaseDown(const absl::Status& why) {
  std::unique_ptr<PgConnection> idle_writer;
  {
    absl::MutexLock lock(&mu_);
    bool was_ok = db_status_.ok();
    db_status_ =
        absl::IsUnavailable(why)
            ? why
            : absl::UnavailableError(absl::StrCat("database unavailable: ", why.message()));
    idle_writer = std::move(writer_conn_);
    NoteHealthLocked();
    if (was_ok) logging::LogWarning(std::string(db_status_.message()));
  }
  lease_conn_.reset();
  pool_.DropIdle();
}

absl::StatusOr<std::unique_ptr<PgConnection>> PostgresBackend::ConnectWriter() const {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn,
                        PgConnection::Connect(writer_params_, StatementDeadline()));
  WAMS_RETURN_IF_ERROR(conn->Prepare(kFencePrepared, sql_->fence, StatementDeadline()));
  for (int f = 0; f < kFamilyCount; ++f) {
    WAMS_RETURN_IF_ERROR(
        conn->Prepare(UpsertPrepared(f), sql_->family[f].upsert, StatementDeadline()));
    WAMS_RETURN_IF_ERROR(
        conn->Prepare(DeletePrepared(f), sql_->family[f].remove, StatementDeadline()));
  }
  return conn;
}

bool PostgresBackend::LeaseRound() {
  Deadline started = Clock::now();
  if (lease_conn_ == nullptr || lease_conn_->broken()) {
    auto conn = PgConnection::Connect(writer_params_, StatementDeadline());
    if (!conn.ok()) {
      MarkDatabaseDown(conn.status());
      return false;
    }
    lease_conn_ = std::move(*conn);
  }
  bool need_writer;
  {
    absl::MutexLock lock(&mu_);
    need_writer = writer_conn_ == nullptr && !write_in_flight_;
  }
  if (need_writer) {
    auto conn = ConnectWriter();
    if (!conn.ok()) {
      MarkDatabaseDown(conn.status());
      return false;
    }
    absl::MutexLock lock(&mu_);
    writer_conn_ = std::move(*conn);
  }
  return AcquireOrRenew(started);
}

bool PostgresBackend::AcquireOrRenew(Deadline started) {
  const std::string ttl_ms = absl::StrCat(absl::ToInt64Milliseconds(options_.lease_ttl));
  // Counted from before the statement was sent, so before the database's
  // now(): this broker stops before any other can see the lease expired.
  // The tenth absorbs clock rate differences.
  const Deadline valid_until =
      started + absl::ToChronoNanoseconds(options_.lease_ttl - options_.lease_ttl / 10);
  bool holding;
  uint64_t epoch;
  Deadline renew_by;
  {
    absl::MutexLock lock(&mu_);
    if (holds_lease_ && started >= lease_valid_until_) {
      holds_lease_ = false;
      not_writer_reason_ = "the writer lease could not be renewed within lease_ttl";
      logging::LogWarning(absl::StrCat("storage: ", not_writer_reason_, " (epoch ", epoch_, ")"));
      NoteHealthLocked();
    }
    holding = holds_lease_;
    epoch = epoch_;
    renew_by = lease_valid_until_;
  }
  auto failed = [this](const absl::Status& status) {
    if ((lease_conn_->broken() && !lease_conn_->timed_out()) ||
        (!lease_conn_->broken() && absl::IsUnavailable(status))) {
      // The server went away, or cannot take writes (read-only: a demoted
      // primary): reconnect everything, to whichever host now accepts them.
      MarkDatabaseDown(status);
    } else {
      if (lease_conn_->broken()) lease_conn_.reset();  // hung: try a new one
      logging::LogWarning(absl::StrCat("storage: writer lease: ", status.message()));
    }
    return false;
  };
  auto db_ok_locked = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writer_conn_ != nullptr || write_in_flight_) db_status_ = absl::OkStatus();
  };
  if (holding) {
    // Past renew_by the lease may be another's: stop waiting then.
    auto renewed = lease_conn_->Exec("renew the writer lease", sql_->renew,
                                     {PgParam::Text(options_.node_name),
                                      PgParam::Text(absl::StrCat(epoch)), PgParam::Text(ttl_ms)},
                                     renew_by, /*binary_results=*/false);
    if (!renewed.ok()) return failed(renewed.status());
    absl::MutexLock lock(&mu_);
    db_ok_locked();
    if (renewed->rows() == 0) {
      holds_lease_ = false;
      not_writer_reason_ = "the writer lease was taken over by another broker";
      logging::LogWarning(absl::StrCat("storage: ", not_writer_reason_, " (epoch ", epoch, ")"));
    } else {
      lease_valid_until_ = valid_until;
    }
    NoteHealthLocked();
    return true;
  }
  auto acquired = lease_conn_->Exec("acquire the writer lease", sql_->acquire,
                                    {PgParam::Text(options_.node_name), PgParam::Text(ttl_ms)},
                                    StatementDeadline(), /*binary_results=*/false);
  if (!acquired.ok()) return failed(acquired.status());
  if (acquired->rows() == 1) {
    absl::StatusOr<uint64_t> new_epoch = ParseEpoch(acquired->Value(0, 0));
    if (!new_epoch.ok()) return failed(new_epoch.status());
    absl::MutexLock lock(&mu_);
    db_ok_locked();
    epoch_ = *new_epoch;
    holds_lease_ = true;
    lease_valid_until_ = valid_until;
    logging::LogInfo(absl::StrCat("storage: this broker (", options_.node_name,
                                  ") is the writer, epoch ", epoch_));
    NoteHealthLocked();
    return true;
  }
  auto holder = lease_conn_->Exec("read the writer lease", sql_->holder, {}, StatementDeadline(),
                                  /*binary_results=*/false);
  if (!holder.ok()) return failed(holder.status());
  absl::MutexLock lock(&mu_);
  db_ok_locked();
  holds_lease_ = false;
  not_writer_reason_ = holder->rows() == 1 && !holder->Value(0, 0).empty()
                           ? absl::StrCat("the writer lease is held by ", holder->Value(0, 0))
                           : "the writer lease is held by another broker";
  NoteHealthLocked();
  return true;
}

void PostgresBackend::LeaseLoop() {
  const absl::Duration renew_every = options_.lease_ttl / 3;
  absl::Duration backoff = absl::Milliseconds(100);
  bool last_ok = true;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || wake_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken), last_ok ? renew_every : backoff);
      if (stopping_) break;
      wake_ = false;
    }
    last_ok = LeaseRound();
    backoff = last_ok ? absl::Milliseconds(100) : std::min(backoff * 2, renew_every);
  }
  ReleaseLease();
}

void PostgresBackend::ReleaseLease() {
  uint64_t epoch;
  {
    absl::MutexLock lock(&mu_);
    if (!holds_lease_ || Clock::now() >= lease_valid_until_) return;
    holds_lease_ = false;
    epoch = epoch_;
  }
  if (lease_conn_ == nullptr || lease_conn_->broken()) return;
  absl::Status released =
      lease_conn_
          ->Exec("release the writer lease", sql_->release,
                 {PgParam::Text(options_.node_name), PgParam::Text(absl::StrCat(epoch))},
                 StatementDeadline(), /*binary_results=*/false)
          .status();
  if (released.ok()) {
    logging::LogInfo(absl::StrCat("storage: released the writer lease (epoch ", epoch, ")"));
  } else {
    logging::LogWarning(absl::StrCat("storage: releasing the writer lease: ", released.message()));
  }
}

absl::StatusOr<std::unique_ptr<Backend>> OpenPostgresBackend(
    const wams::broker::v1::PostgresStorage& config, bool writer) {
  WAMS_ASSIGN_OR_RETURN(PostgresOptions options, PostgresOptionsFromConfig(config));
  options.writer = writer;
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<PostgresBackend> backend, PostgresBackend::Create(options));
  return std::unique_ptr<Backend>(std::move(backend));
}

}  // namespace wams::storage::postgres
