#include "broker/exchange/outcome_store.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/common/log.h"
#include "rocksdb/write_batch.h"

namespace wams::exchange {

using ledger::store::Cf;

OutcomeStore::OutcomeStore(const ledger::store::Storage& storage, OutcomeStoreOptions options)
    : storage_(storage), options_(options) {
  writer_ = std::thread([this] { WriterLoop(); });
}

OutcomeStore::~OutcomeStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
  absl::MutexLock lock(&mu_);
  if (!unstored_.empty()) {
    common::LogWarning(absl::StrCat("outcome store closing with ", unstored_.size(),
                                    " outcomes it could not write; retries of those requests "
                                    "will run again"));
  }
}

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
    auto unstored = unstored_.find(key);
    if (unstored != unstored_.end()) {
      stored_outcome = unstored->second;
    } else {
      // Read under the lock so a request finishing now cannot slip between
      // the checks; a point lookup takes microseconds.
      absl::StatusOr<std::optional<std::string>> stored = storage_.Get(Cf::kIdempotency, key);
      if (!stored.ok() || !stored->has_value() || !stored_outcome.ParseFromString(**stored)) {
        in_flight_[key].push_back(std::move(waiter));
        return Claim::kRun;
      }
    }
  }
  std::move(waiter)(stored_outcome);
  return Claim::kAnswered;
}

void OutcomeStore::Finish(const std::string& key, const google::rpc::Status& outcome) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.emplace_back(key, outcome);
      return;
    }
  }
  // Closing: the writer thread may be gone; write here.
  std::vector<Entry> entries = {{key, outcome}};
  Complete(entries, Store(entries));
}

void OutcomeStore::Abandon(const std::string& key, const google::rpc::Status& outcome) {
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

size_t OutcomeStore::UnstoredCount() const {
  absl::MutexLock lock(&mu_);
  return unstored_.size();
}

bool OutcomeStore::Store(const std::vector<Entry>& entries) {
  rocksdb::WriteBatch batch;
  for (const Entry& entry : entries) {
    batch.Put(storage_.cf(Cf::kIdempotency), entry.first, entry.second.SerializeAsString());
  }
  absl::Status written = storage_.Write(&batch, options_.sync);
  if (!written.ok()) {
    // The receipts still hold what happened; the outcomes stay in memory.
    common::LogWarning(absl::StrCat("cannot store ", entries.size(), " request outcome(s) (first ",
                                    entries.front().first, "): ", written.message(),
                                    "; kept in memory and retried"));
  }
  return written.ok();
}

void OutcomeStore::Complete(std::vector<Entry>& entries, bool stored) {
  std::vector<std::pair<std::vector<Waiter>, const google::rpc::Status*>> calls;
  {
    absl::MutexLock lock(&mu_);
    for (Entry& entry : entries) {
      // Into memory before the key leaves in_flight_, so that Begin always
      // finds the outcome in one of them.
      if (!stored) unstored_[entry.first] = entry.second;
      auto in_flight = in_flight_.find(entry.first);
      if (in_flight == in_flight_.end()) continue;
      calls.emplace_back(std::move(in_flight->second), &entry.second);
      in_flight_.erase(in_flight);
    }
  }
  for (auto& [waiters, outcome] : calls) {
    for (Waiter& waiter : waiters) std::move(waiter)(*outcome);
  }
}

void OutcomeStore::WriterLoop() {
  absl::Duration backoff = options_.retry_initial_backoff;
  absl::Time next_retry = absl::InfiniteFuture();
  for (;;) {
    std::vector<Entry> batch;
    std::vector<Entry> retry;
    {
      absl::MutexLock lock(&mu_);
      auto ready = +[](OutcomeStore* s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return !s->queue_.empty() || s->stopping_;
      };
      mu_.AwaitWithDeadline(absl::Condition(ready, this),
                            unstored_.empty() ? absl::InfiniteFuture() : next_retry);
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
      if (!unstored_.empty() && absl::Now() >= next_retry) {
        retry.assign(unstored_.begin(), unstored_.end());
      }
    }
    if (!retry.empty()) {
      if (Store(retry)) {
        absl::MutexLock lock(&mu_);
        for (const Entry& entry : retry) unstored_.erase(entry.first);
        common::LogInfo(
            absl::StrCat("stored ", retry.size(), " request outcome(s) kept in memory"));
        backoff = options_.retry_initial_backoff;
        next_retry = absl::InfiniteFuture();
      } else {
        backoff = std::min(backoff * 2, options_.retry_max_backoff);
        next_retry = absl::Now() + backoff;
      }
    }
    if (batch.empty()) continue;
    const bool stored = Store(batch);
    if (!stored && next_retry == absl::InfiniteFuture()) next_retry = absl::Now() + backoff;
    Complete(batch, stored);
  }
}

}  // namespace wams::exchange
