// pg_connection.h: one libpq connection driven asynchronously, every call
// bounded by a deadline measured on the monotonic clock.
//
// A call that has not finished by its deadline closes the connection; it is
// never cancelled. Cancelling a COMMIT that waits for the synchronous standby
// commits it locally and reports success with a WARNING, so the only safe
// way to stop waiting is to walk away and report the outcome as unknown.
//
//   WAMS_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(params, "writer"));
//   WAMS_ASSIGN_OR_RETURN(PgResult rows, conn->Exec(sql, {PgParam::Binary(key)}, deadline));
//
// Not thread-safe: one thread uses a connection at a time.
#ifndef WAMS_BROKER_STORAGE_POSTGRES_PG_CONNECTION_H_
#define WAMS_BROKER_STORAGE_POSTGRES_PG_CONNECTION_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "broker/storage/postgres/postgres_options.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace wams::storage::postgres {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

// A statement parameter: text (numbers, names) or binary (bytea, bytea[]).
struct PgParam {
  std::string bytes;
  bool binary = false;
  unsigned int type = 0;  // Oid; 0: inferred from the statement's cast

  static PgParam Text(std::string text) { return {std::move(text), false, 0}; }
  static PgParam Binary(std::string bytes) { return {std::move(bytes), true, 17}; }  // bytea
  // A one-dimensional bytea[] without NULLs, in the binary array format.
  static PgParam ByteaArray(const std::vector<std::string_view>& elements);
};

// The rows of one statement's result. Owns the PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result);
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  ~PgResult();

  int rows() const;
  // The value's bytes (binary or text as requested); "" for NULL.
  absl::string_view Value(int row, int column) const;
  bool IsNull(int row, int column) const;

 private:
  PGresult* result_ = nullptr;
};

// One statement of a pipeline: `sql`, or the statement prepared on the
// connection under `prepared` (Prepare()).
struct PgStatement {
  std::string sql;
  std::vector<PgParam> params;
  std::string prepared;
};

class PgConnection {
 public:
  // Connects (libpq applies connect_timeout per host) and sets the session:
  // synchronous_commit = on, no statement, lock or idle timeout. UNAVAILABLE
  // "database unavailable: <libpq reason>" when no host accepts.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const ConnectionParams& params,
                                                               Deadline deadline);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with parameters. Binary results when
  // `binary_results`. A server error maps to a code by its SQLSTATE
  // (ErrorFromServer); `what` prefixes messages.
  absl::StatusOr<PgResult> Exec(absl::string_view what, absl::string_view sql,
                                const std::vector<PgParam>& params, Deadline deadline,
                                bool binary_results = true);
  // Prepares `sql` as the named statement `name` for this connection's
  // life (parameter types from the statement's casts).
  absl::Status Prepare(absl::string_view name, absl::string_view sql, Deadline deadline);
  // Runs a script of statements without parameters (simple query protocol).
  absl::Status ExecScript(absl::string_view what, absl::string_view sql, Deadline deadline);
  // Sends all statements in one pipeline (one round trip) followed by a
  // sync, and waits for all results. The first error wins; the statements
  // after it were not run. UNAVAILABLE when a WARNING said a wait for
  // synchronous replication was cancelled (not durable on the standby).
  absl::Status Pipeline(absl::string_view what, const std::vector<PgStatement>& statements,
                        Deadline deadline);

  // True once the connection is unusable (lost, or closed after a deadline).
  bool broken() const { return conn_ == nullptr; }
  // True when it broke because a deadline passed (the server may be alive).
  bool timed_out() const { return timed_out_; }

 private:
  explicit PgConnection(PGconn* conn);
  static void OnNotice(void* self, const PGresult* result);

  // Closes the connection (never cancels what runs on it) and returns
  // UNAVAILABLE naming `what` and `why`.
  absl::Status Abandon(absl::string_view what, absl::string_view why);
  // Sends everything buffered, reading input meanwhile.
  absl::Status Flush(absl::string_view what, Deadline deadline);
  // Waits until a result can be read without blocking.
  absl::Status AwaitResult(absl::string_view what, Deadline deadline);
  // Waits for the socket; false when the deadline passed.
  bool WaitSocket(bool for_write, Deadline deadline);
  absl::Status Lost(absl::string_view what);

  PGconn* conn_;
  bool sync_rep_cancelled_ = false;
  bool timed_out_ = false;
};

// The status for a server error in `result`, by SQLSTATE class: connection,
// shutdown, read-only, resources, serialization → UNAVAILABLE; the writer
// fence → UNAVAILABLE "not the writer"; integrity → DATA_LOSS; otherwise
// INTERNAL. Only the primary message and the SQLSTATE are kept (the detail
// may quote key values).
absl::Status ErrorFromServer(absl::string_view what, const PGresult* result);

// libpq's message, on one line, at most 300 characters.
std::string BoundedReason(absl::string_view text);

// The SQLSTATE the fence function raises when this broker is not the writer.
inline constexpr absl::string_view kNotTheWriterSqlState = "WL001";

}  // namespace wams::storage::postgres

#endif  // WAMS_BROKER_STORAGE_POSTGRES_PG_CONNECTION_H_
