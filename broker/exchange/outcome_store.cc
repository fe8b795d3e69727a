#include "broker/exchange/outcome_store.h"

#include "absl/strings/str_cat.h"
#include "broker/common/log.h"
#include "rocksdb/write_batch.h"

namespace wams::exchange {

using ledger::store::Cf;

std::string OutcomeStore::Key(absl::string_view kind, absl::string_view caller_oin,
                              absl::string_view request_id) {
  return absl::StrCat(kind, "/", caller_oin, "/", request_id);
}

OutcomeStore::Claim OutcomeStore::Begin(const std::string& key, Waiter waiter) {
  google::rpc::Status stored_outcome;
  {
    absl::MutexLock lock(&mu_);
    auto in_flight = in_flight_.find(key);
    if (in_flight != in_flight_.end()) {
      in_flight->second.push_back(std::move(waiter));
      return Claim::kAnswered;
    }
    // Read under the lock so a request finishing now cannot slip between the
    // two checks; a point lookup takes microseconds.
    absl::StatusOr<std::optional<std::string>> stored = storage_.Get(Cf::kIdempotency, key);
    if (!stored.ok() || !stored->has_value() || !stored_outcome.ParseFromString(**stored)) {
      in_flight_[key].push_back(std::move(waiter));
      return Claim::kRun;
    }
  }
  std::move(waiter)(stored_outcome);
  return Claim::kAnswered;
}

void OutcomeStore::Finish(const std::string& key, const google::rpc::Status& outcome) {
  rocksdb::WriteBatch batch;
  batch.Put(storage_.cf(Cf::kIdempotency), key, outcome.SerializeAsString());
  if (absl::Status written = storage_.Write(&batch, /*sync=*/false); !written.ok()) {
    // The receipts still hold what happened; only a retry of this request
    // could run again.
    common::LogWarning(absl::StrCat("cannot store outcome of ", key, ": ", written.message()));
  }
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    auto in_flight = in_flight_.find(key);
    if (in_flight == in_flight_.end()) return;
    waiters = std::move(in_flight->second);
    in_flight_.erase(in_flight);
  }
  for (Waiter& waiter : waiters) std::move(waiter)(outcome);
}

}  // namespace wams::exchange
