// LogWriter's failure and recovery: refusing appends after a failed write
// or while the backend is not writable (another broker is the writer), the
// health observer, and the recovery thread that waits for the backend and
// reloads the tree. See log_writer.h.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "broker/base/logging/log.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/store/log_rows.h"
#include "broker/ledger/store/log_writer.h"

namespace wams::ledger::store {

using wams::broker::v1::Checkpoint;

void LogWriter::FailLocked(absl::string_view reason) {
  if (!failed_.ok()) return;
  // The storage's reasons say "; retrying" already.
  absl::ConsumeSuffix(&reason, "; retrying");
  failed_ = absl::UnavailableError(absl::StrCat("receipt log unavailable: ", reason, "; retrying"));
}

absl::Status LogWriter::RefusalLocked() const {
  // While the backend is down (or not the writer) its reason is the current
  // one (it may have changed since the write failed, e.g. to "restart the
  // broker"). Its reason already ends in "retrying" or "restart the broker".
  absl::Status backend = backend_.WriteHealth();
  if (backend.ok()) return failed_;
  return absl::UnavailableError(absl::StrCat("receipt log unavailable: ", backend.message()));
}

absl::Status LogWriter::AdmitLocked() {
  if (failed_.ok()) {
    // Not writable (e.g. another broker is the writer): refuse at once and
    // let the recovery thread wait for the role, like after a failed write.
    absl::Status backend = backend_.WriteHealth();
    if (backend.ok()) return backend;
    FailLocked(backend.message());
  }
  return RefusalLocked();
}

absl::Status LogWriter::WriteHealth() const {
  absl::MutexLock lock(&mu_);
  return RefusalLocked();
}

uint64_t LogWriter::recoveries() const {
  absl::MutexLock lock(&mu_);
  return recoveries_;
}

void LogWriter::SetHealthObserver(WriteHealthObserver observer) {
  {
    absl::MutexLock lock(&observer_mu_);
    observer_ = std::move(observer);
    observed_ok_.reset();
  }
  NotifyHealth();
}

void LogWriter::NotifyHealth() {
  absl::MutexLock lock(&observer_mu_);
  if (observer_ == nullptr) return;
  // Read under observer_mu_: whichever thread calls last reports the latest
  // state, so a failure and a recovery racing cannot leave it stale.
  absl::Status health = WriteHealth();
  if (observed_ok_.has_value() && *observed_ok_ == health.ok()) return;
  observed_ok_ = health.ok();
  observer_(health);
}

bool LogWriter::AwaitFailure() {
  // How often a healthy ledger looks at the backend: it may stop being
  // writable (the writer role lost) or change its writer epoch without any
  // append failing here.
  constexpr absl::Duration kWatch = absl::Milliseconds(100);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(
                                   +[](LogWriter* l) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                     return !l->failed_.ok() || l->stopping_;
                                   },
                                   this),
                               kWatch)) {
        return !stopping_;
      }
    }
    absl::Status backend = backend_.WriteHealth();
    const bool epoch_changed = backend_.writer_epoch() != loaded_epoch_.load();
    if (backend.ok() && !epoch_changed) continue;
    absl::MutexLock lock(&mu_);
    FailLocked(backend.ok() ? "the writer epoch changed; reloading the tree" : backend.message());
  }
}

void LogWriter::RecoveryLoop() {
  // How long to wait for the backend between looks at stopping_.
  constexpr absl::Duration kBackendWait = absl::Milliseconds(100);
  // While not writable, how often the read view follows the writer.
  constexpr absl::Duration kReadViewRefresh = absl::Seconds(1);
  absl::Duration backoff = options_.recovery_initial_backoff;
  bool reported = false;
  bool told_restart = false;
  absl::Time next_refresh = absl::InfinitePast();
  for (;;) {
    if (!AwaitFailure()) return;
    if (!reported) {
      // Appenders learn of the failure from their own calls; the observer
      // (the health service) from here.
      reported = true;
      NotifyHealth();
    }
    // The backend resumes the database (or regains the writer role) by
    // itself; this wakes as soon as it has.
    if (!backend_.AwaitWritable(absl::Now() + kBackendWait)) {
      absl::Status backend = backend_.WriteHealth();
      if (!told_restart && absl::StrContains(backend.message(), "restart the broker")) {
        told_restart = true;  // once per failure
        logging::LogError(absl::StrCat("ledger: ", backend.message()));
      }
      if (absl::Now() >= next_refresh) {
        next_refresh = absl::Now() + kReadViewRefresh;
        // A standby serves reads and proofs of what the writer wrote; a
        // database that cannot be read now is tried again next time.
        (void)RefreshReadView();
      }
      continue;
    }
    {
      // Take over the committing-thread state (edge_, next_index_).
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](LogWriter* l)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return !l->committing_ || l->stopping_; },
          this));
      if (stopping_) return;
      committing_ = true;
    }
    // The failed batch may or may not have reached the database, and another
    // writer may have appended meanwhile: what is there is the truth. (A
    // backend applies a batch whole or not at all.)
    absl::Status reloaded = LoadState();
    {
      absl::MutexLock lock(&mu_);
      committing_ = false;
      if (reloaded.ok()) {
        logging::LogInfo(absl::StrCat("ledger: recovered (", failed_.message(),
                                      "); accepting appends again at tree size ", tree_size_));
        failed_ = absl::OkStatus();
        ++recoveries_;
        backoff = options_.recovery_initial_backoff;
      } else {
        failed_ = absl::UnavailableError(
            absl::StrCat("receipt log unavailable: cannot read the tree back: ", reloaded.message(),
                         "; retrying"));
        logging::LogError(std::string(failed_.message()));
      }
    }
    if (reloaded.ok()) {
      reported = false;
      told_restart = false;
      next_refresh = absl::InfinitePast();
      NotifyHealth();
      continue;
    }
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff)) return;
    backoff = std::min(backoff * 2, options_.recovery_max_backoff);
  }
}

absl::Status LogWriter::RefreshReadView() {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, backend_.Snapshot());
  WAMS_ASSIGN_OR_RETURN(uint64_t size, ReadTreeSize(*snapshot));
  WAMS_ASSIGN_OR_RETURN(std::optional<Checkpoint> latest, ReadLatestCheckpoint(*snapshot));
  checkpoints_.Advance(std::move(latest));
  absl::MutexLock lock(&mu_);
  // Only forward: a log never shrinks.
  tree_size_ = std::max(tree_size_, size);
  return absl::OkStatus();
}

}  // namespace wams::ledger::store
