#include "broker/storage/postgres/pg_connection.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace wams::storage::postgres {
namespace {

constexpr unsigned int kByteaOid = 17;
constexpr unsigned int kByteaArrayOid = 1001;

void AppendBe32(std::string& out, uint32_t value) {
  uint32_t be = htonl(value);
  out.append(reinterpret_cast<const char*>(&be), sizeof(be));
}

absl::string_view Field(const PGresult* result, int field) {
  const char* value = PQresultErrorField(result, field);
  return value == nullptr ? absl::string_view() : absl::string_view(value);
}

}  // namespace

PgParam PgParam::ByteaArray(const std::vector<std::string_view>& elements) {
  size_t size = 20;
  for (std::string_view e : elements) size += 4 + e.size();
  std::string out;
  out.reserve(size);
  AppendBe32(out, 1);          // dimensions
  AppendBe32(out, 0);          // flags: no NULLs
  AppendBe32(out, kByteaOid);  // element type
  AppendBe32(out, static_cast<uint32_t>(elements.size()));
  AppendBe32(out, 1);  // lower bound
  for (std::string_view e : elements) {
    AppendBe32(out, static_cast<uint32_t>(e.size()));
    out.append(e);
  }
  return {std::move(out), true, kByteaArrayOid};
}

PgResult::PgResult(PGresult* result) : result_(result) {}
PgResult::PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}
PgResult::~PgResult() {
  if (result_ != nullptr) PQclear(result_);
}
int PgResult::rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }
absl::string_view PgResult::Value(int row, int column) const {
  return absl::string_view(PQgetvalue(result_, row, column),
                           static_cast<size_t>(PQgetlength(result_, row, column)));
}
bool PgResult::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string BoundedReason(absl::string_view text) {
  std::string line = absl::StrReplaceAll(absl::StripAsciiWhitespace(text), {{"\n", "; "}});
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (line.size() > 300) line = line.substr(0, 297) + "...";
  return line;
}

absl::Status ErrorFromServer(absl::string_view what, const PGresult* result) {
  absl::string_view state = Field(result, PG_DIAG_SQLSTATE);
  std::string message =
      absl::StrCat(what, ": ", BoundedReason(Field(result, PG_DIAG_MESSAGE_PRIMARY)), " (SQLSTATE ",
                   state.empty() ? "none" : state, ")");
  if (state == kNotTheWriterSqlState) {
    return absl::UnavailableError(
        absl::StrCat("not the writer: ", what, ": the writer lease has passed to another broker"));
  }
  absl::string_view cls = state.substr(0, 2);
  if (cls == "08" || cls == "57" || cls == "53" || cls == "40" || cls == "58" ||
      state == "25006" /* read_only_sql_transaction: a demoted primary */ ||
      state == "55P03" /* lock_not_available */) {
    return absl::UnavailableError(absl::StrCat("database unavailable: ", message));
  }
  if (cls == "23" || cls == "22" || cls == "XX") return absl::DataLossError(message);
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const ConnectionParams& params,
                                                                    Deadline deadline) {
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [k, v] : params) {
    keywords.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/0);
  if (conn == nullptr) return absl::ResourceExhaustedError("database: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = BoundedReason(PQerrorMessage(conn));
    PQfinish(conn);
    // OpenSSL's words for a certificate from another CA vary ("certificate
    // verify failed", or "EVP lib" when that CA has the same name): say
    // which setting to look at.
    bool verifies = std::any_of(params.begin(), params.end(),
                                [](const auto& p) { return p.first == "sslrootcert"; });
    if (verifies &&
        (absl::StrContains(reason, "SSL") || absl::StrContains(reason, "certificate"))) {
      absl::StrAppend(&reason,
                      " (is the server's certificate issued by the CA in "
                      "storage.postgres.server_ca_file, for this host name?)");
    }
    return absl::UnavailableError(absl::StrCat("database unavailable: ", reason));
  }
  std::unique_ptr<PgConnection> connection(new PgConnection(conn));
  if (PQsetnonblocking(conn, 1) != 0) {
    return connection->Abandon("connect", "cannot make the connection non-blocking");
  }
  PQsetNoticeReceiver(conn, &PgConnection::OnNotice, connection.get());
  // Never acknowledge what the synchronous standby lacks; and no server-side
  // timeout that could cancel a commit (the client bounds calls instead).
  // A transaction this client abandoned (closed after its deadline) should
  // not commit later when its lock frees: the server checks every second
  // whether the client is still there and aborts the transaction if not.
  absl::Status session = connection->ExecScript(
      "session settings",
      "SET synchronous_commit = on; SET statement_timeout = 0; SET lock_timeout = 0; "
      "SET idle_in_transaction_session_timeout = 0; SET client_connection_check_interval = 1000",
      deadline);
  if (!session.ok()) return session;
  return connection;
}

PgConnection::PgConnection(PGconn* conn) : conn_(conn) {}

PgConnection::~PgConnection() {
  if (conn_ != nullptr) PQfinish(conn_);
}

void PgConnection::OnNotice(void* self, const PGresult* result) {
  // "canceling wait for synchronous replication ..." is a WARNING sent with
  // a COMMIT that then reports success: the commit is only local.
  absl::string_view severity = Field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
  absl::string_view message = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (severity == "WARNING" && absl::StrContains(message, "synchronous replication")) {
    static_cast<PgConnection*>(self)->sync_rep_cancelled_ = true;
  }
}

absl::Status PgConnection::Abandon(absl::string_view what, absl::string_view why) {
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  return absl::UnavailableError(absl::StrCat("database unavailable: ", what, ": ", why));
}

absl::Status PgConnection::Lost(absl::string_view what) {
  std::string reason = conn_ != nullptr ? BoundedReason(PQerrorMessage(conn_)) : "";
  return Abandon(what, absl::StrCat("lost the connection",
                                    reason.empty() ? "" : absl::StrCat(" (", reason, ")")));
}

bool PgConnection::WaitSocket(bool for_write, Deadline deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd fd{PQsocket(conn_), static_cast<short>(POLLIN | (for_write ? POLLOUT : 0)), 0};
    int ready = ::poll(&fd, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 60'000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // let libpq report the error
  }
}

absl::Status PgConnection::Flush(absl::string_view what, Deadline deadline) {
  while (true) {
    int flushed = PQflush(conn_);
    if (flushed == 0) return absl::OkStatus();
    if (flushed < 0) return Lost(what);
    if (!WaitSocket(/*for_write=*/true, deadline)) {
      timed_out_ = true;
      return Abandon(what, "no answer within the deadline; connection closed, outcome unknown");
    }
    // The server may be blocked writing to us: drain what it sent.
    if (PQconsumeInput(conn_) == 0) return Lost(what);
  }
}

absl::Status PgConnection::AwaitResult(absl::string_view what, Deadline deadline) {
  while (PQisBusy(conn_) != 0) {
    if (!WaitSocket(/*for_write=*/false, deadline)) {
      timed_out_ = true;
      return Abandon(what, "no answer within the deadline; connection closed, outcome unknown");
    }
    if (PQconsumeInput(conn_) == 0) return Lost(what);
  }
  return absl::OkStatus();
}

absl::StatusOr<PgResult> PgConnection::Exec(absl::string_view what, absl::string_view sql,
                                            const std::vector<PgParam>& params, Deadline deadline,
                                            bool binary_results) {
  if (conn_ == nullptr) return Abandon(what, "not connected");
  sync_rep_cancelled_ = false;
  std::vector<unsigned int> types;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const PgParam& p : params) {
    types.push_back(p.type);
    values.push_back(p.bytes.data());
    lengths.push_back(static_cast<int>(p.bytes.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  std::string text(sql);
  if (PQsendQueryParams(conn_, text.c_str(), static_cast<int>(params.size()), types.data(),
                        values.data(), lengths.data(), formats.data(),
                        binary_results ? 1 : 0) == 0) {
    return Lost(what);
  }
  if (absl::Status sent = Flush(what, deadline); !sent.ok()) return sent;
  PgResult last;
  absl::Status error;
  while (true) {
    if (absl::Status ready = AwaitResult(what, deadline); !ready.ok()) return ready;
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      last = PgResult(result);
    } else {
      if (error.ok()) error = ErrorFromServer(what, result);
      PQclear(result);
    }
  }
  if (PQstatus(conn_) != CONNECTION_OK) return Lost(what);
  if (!error.ok()) return error;
  if (sync_rep_cancelled_) {
    return Abandon(what, "the wait for the synchronous standby was cancelled; not durable");
  }
  return last;
}

absl::Status PgConnection::Prepare(absl::string_view name, absl::string_view sql,
                                   Deadline deadline) {
  if (conn_ == nullptr) return Abandon("prepare", "not connected");
  std::string name_text(name);
  std::string sql_text(sql);
  if (PQsendPrepare(conn_, name_text.c_str(), sql_text.c_str(), 0, nullptr) == 0) {
    return Lost("prepare");
  }
  if (absl::Status sent = Flush("prepare", deadline); !sent.ok()) return sent;
  absl::Status error;
  while (true) {
    if (absl::Status ready = AwaitResult("prepare", deadline); !ready.ok()) return ready;
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    if (PQresultStatus(result) != PGRES_COMMAND_OK && error.ok()) {
      error = ErrorFromServer("prepare", result);
    }
    PQclear(result);
  }
  if (PQstatus(conn_) != CONNECTION_OK) return Lost("prepare");
  return error;
}

absl::Status PgConnection::ExecScript(absl::string_view what, absl::string_view sql,
                                      Deadline deadline) {
  if (conn_ == nullptr) return Abandon(what, "not connected");
  std::string text(sql);
  if (PQsendQuery(conn_, text.c_str()) == 0) return Lost(what);
  if (absl::Status sent = Flush(what, deadline); !sent.ok()) return sent;
  absl::Status error;
  while (true) {
    if (absl::Status ready = AwaitResult(what, deadline); !ready.ok()) return ready;
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) break;
    ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && error.ok()) {
      error = ErrorFromServer(what, result);
    }
    PQclear(result);
  }
  if (PQstatus(conn_) != CONNECTION_OK) return Lost(what);
  return error;
}

absl::Status PgConnection::Pipeline(absl::string_view what,
                                    const std::vector<PgStatement>& statements, Deadline deadline) {
  if (conn_ == nullptr) return Abandon(what, "not connected");
  sync_rep_cancelled_ = false;
  if (PQenterPipelineMode(conn_) == 0) return Lost(what);
  for (const PgStatement& statement : statements) {
    std::vector<unsigned int> types;
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const PgParam& p : statement.params) {
      types.push_back(p.type);
      values.push_back(p.bytes.data());
      lengths.push_back(static_cast<int>(p.bytes.size()));
      formats.push_back(p.binary ? 1 : 0);
    }
    int sent = statement.prepared.empty()
                   ? PQsendQueryParams(conn_, statement.sql.c_str(),
                                       static_cast<int>(statement.params.size()), types.data(),
                                       values.data(), lengths.data(), formats.data(), 1)
                   : PQsendQueryPrepared(conn_, statement.prepared.c_str(),
                                         static_cast<int>(statement.params.size()), values.data(),
                                         lengths.data(), formats.data(), 1);
    if (sent == 0) return Lost(what);
  }
  if (PQpipelineSync(conn_) == 0) return Lost(what);
  if (absl::Status sent = Flush(what, deadline); !sent.ok()) return sent;
  absl::Status error;
  bool after_null = false;
  while (true) {
    if (absl::Status ready = AwaitResult(what, deadline); !ready.ok()) return ready;
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      // One NULL ends each statement's results; two in a row, or a bad
      // status, mean the connection is gone.
      if (after_null || PQstatus(conn_) != CONNECTION_OK) return Lost(what);
      after_null = true;
      continue;
    }
    after_null = false;
    ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(result);
      break;
    }
    if (status == PGRES_FATAL_ERROR && error.ok()) error = ErrorFromServer(what, result);
    PQclear(result);
  }
  if (PQexitPipelineMode(conn_) == 0) return Lost(what);
  if (PQstatus(conn_) != CONNECTION_OK) return Lost(what);
  if (!error.ok()) return error;
  if (sync_rep_cancelled_) {
    return Abandon(what, "the wait for the synchronous standby was cancelled; not durable");
  }
  return absl::OkStatus();
}

}  // namespace wams::storage::postgres
