#include "broker/storage/postgres/read_pool.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace wams::storage::postgres {

ReadPool::Lease::Lease(ReadPool* pool, std::unique_ptr<PgConnection> conn, bool fresh)
    : pool_(pool), conn_(std::move(conn)), fresh_(fresh) {}

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), fresh_(other.fresh_) {}

ReadPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Return(std::move(conn_));
}

ReadPool::ReadPool(ConnectionParams params, int size) : params_(std::move(params)), size_(size) {}

absl::StatusOr<ReadPool::Lease> ReadPool::Acquire(Deadline deadline) {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || lent_ + static_cast<int>(idle_.size()) < size_;
    };
    absl::Duration wait = absl::FromChrono(deadline - Clock::now());
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), wait)) {
      return absl::UnavailableError(
          absl::StrCat("database busy: all read_connections (", size_, ") in use"));
    }
    ++lent_;
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn), /*fresh=*/false);
    }
  }
  absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(params_, deadline);
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --lent_;
    return conn.status();
  }
  return Lease(this, std::move(*conn), /*fresh=*/true);
}

void ReadPool::Return(std::unique_ptr<PgConnection> conn) {
  absl::MutexLock lock(&mu_);
  --lent_;
  if (!conn->broken()) idle_.push_back(std::move(conn));
}

void ReadPool::DropIdle() {
  std::vector<std::unique_ptr<PgConnection>> dropped;
  absl::MutexLock lock(&mu_);
  dropped.swap(idle_);
}

}  // namespace wams::storage::postgres
