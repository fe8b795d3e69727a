#include "broker/exchange/outcome_store.h"

#include <optional>
#include <utility>

#include "broker/storage/record_keys.h"

namespace wams::exchange {

using storage::Family;

namespace {
std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }
}  // namespace

std::string OutcomeStore::Key(absl::string_view kind, absl::string_view caller_oin,
                              absl::string_view request_id) {
  return storage::OutcomeKey(Sv(kind), Sv(caller_oin), Sv(request_id));
}

OutcomeStore::Claim OutcomeStore::Begin(const std::string& key, absl::string_view digest,
                                        Waiter& waiter, base::Reuse* reuse) {
  google::rpc::Status stored_outcome;
  {
    absl::MutexLock lock(&mu_);
    auto in_flight = in_flight_.find(key);
    if (in_flight != in_flight_.end()) {
      // Join only the same request: another one never gets this outcome.
      if (in_flight->second.digest != digest) {
        if (reuse != nullptr) *reuse = base::Reuse::kOtherRequestInFlight;
        return Claim::kReused;
      }
      in_flight->second.waiters.push_back(std::move(waiter));
      return Claim::kAnswered;
    }
    // Read under the lock so a request finishing now cannot slip between the
    // checks (it leaves in_flight_ only once its outcome is durable); a point
    // lookup takes microseconds.
    absl::StatusOr<std::optional<std::string>> stored = backend_.Get(Family::kIdempotency, key);
    bool answered = false;
    if (stored.ok() && stored->has_value()) {
      base::BoundValue bound = base::UnbindValue(**stored);
      if (std::optional<base::Reuse> other = base::ReuseOf(bound, digest)) {
        if (reuse != nullptr) *reuse = *other;
        return Claim::kReused;
      }
      answered = stored_outcome.ParseFromString(bound.value);
    }
    if (!answered) {
      InFlight& running = in_flight_[key];
      running.digest = std::string(digest);
      running.waiters.push_back(std::move(waiter));
      return Claim::kRun;
    }
  }
  std::move(waiter)(stored_outcome);
  return Claim::kAnswered;
}

storage::WriteBatch OutcomeStore::Stored(std::string key, absl::string_view digest,
                                         const google::rpc::Status& kept) {
  storage::WriteBatch batch;
  batch.Put(Family::kIdempotency, std::move(key),
            base::BindValue(digest, kept.SerializeAsString()));
  return batch;
}

void OutcomeStore::Finish(const std::string& key, const google::rpc::Status& outcome) {
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    auto in_flight = in_flight_.find(key);
    if (in_flight == in_flight_.end()) return;
    waiters = std::move(in_flight->second.waiters);
    in_flight_.erase(in_flight);
  }
  for (Waiter& waiter : waiters) std::move(waiter)(outcome);
}

void OutcomeStore::Abandon(const std::string& key, const google::rpc::Status& outcome) {
  // Nothing was stored, so telling the waiters is all there is to do.
  Finish(key, outcome);
}

}  // namespace wams::exchange
