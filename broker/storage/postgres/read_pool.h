// read_pool.h: a small pool of read connections (read_connections of them),
// opened on demand and reopened after a failure.
//
//   WAMS_ASSIGN_OR_RETURN(ReadPool::Lease conn, pool.Acquire(deadline));
//   conn->Exec(...);  // returned to the pool when `conn` goes; dropped if broken
//
// Thread-safe.
#ifndef WAMS_BROKER_STORAGE_POSTGRES_READ_POOL_H_
#define WAMS_BROKER_STORAGE_POSTGRES_READ_POOL_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/storage/postgres/pg_connection.h"

namespace wams::storage::postgres {

class ReadPool {
 public:
  // A connection lent to one caller.
  class Lease {
   public:
    Lease(ReadPool* pool, std::unique_ptr<PgConnection> conn, bool fresh);
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection* operator->() const { return conn_.get(); }
    PgConnection& operator*() const { return *conn_; }
    // Opened for this caller (not reused from the pool).
    bool fresh() const { return fresh_; }

   private:
    ReadPool* pool_;
    std::unique_ptr<PgConnection> conn_;
    bool fresh_;
  };

  ReadPool(ConnectionParams params, int size);

  // An idle connection, or a new one while fewer than `size` exist.
  // UNAVAILABLE when the database cannot be reached, or when all `size`
  // are lent out until `deadline` ("all read_connections (N) in use").
  absl::StatusOr<Lease> Acquire(Deadline deadline);
  // Closes the idle connections (after the database was found down, so the
  // next reads connect afresh instead of failing on a dead socket).
  void DropIdle();

 private:
  void Return(std::unique_ptr<PgConnection> conn);

  const ConnectionParams params_;
  const int size_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int lent_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wams::storage::postgres

#endif  // WAMS_BROKER_STORAGE_POSTGRES_READ_POOL_H_
