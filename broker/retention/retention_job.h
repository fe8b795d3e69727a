// retention_job.h: the retention job. On its own thread, every
// `run_interval` by the injected clock, it removes what the broker holds
// about cases that ended longer ago than the term (retention_planner.h,
// case_data_remover.h), shreds the subject key of every person no kept case
// names, and receipts the run (RECEIPT_KIND_RETENTION, counts only).
//
//   RetentionJob job(RetentionJobDeps{.backend = ..., .ledger = ..., .keys = ...,
//                                     .clock = &clock}, options);
//   job.Start();                                   // background thread
//   WAMS_ASSIGN_OR_RETURN(RemovalCounts counts, job.RunOnce());  // or now
//   RetentionJob::Stats stats = job.stats();       // metrics
//
// Order within a run, so that a run that stops half-way is finished by the
// next: first the pseudonyms' remaining index entries and keys, then each
// expired case (its record last); deletions are written in order, so until
// a case's record is gone the next run plans it, and its pseudonyms, again. Appends are never
// blocked for longer than one write of `batch_size` deletions: the job takes no ledger lock, and
// its receipt is one ordinary append.
//
// Thread-safe. RunOnce calls are serialised; the destructor stops the thread
// (a run in progress stops after the case it is removing).
#ifndef WAMS_BROKER_RETENTION_RETENTION_JOB_H_
#define WAMS_BROKER_RETENTION_RETENTION_JOB_H_

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/ledger/store/ledger.h"
#include "broker/retention/case_data_remover.h"
#include "broker/retention/retention_options.h"
#include "broker/storage/backend.h"
#include "broker/subjects/subject_keys.h"

namespace wams::retention {

// Everything is borrowed and must outlive the job.
struct RetentionJobDeps {
  const storage::Backend* backend = nullptr;
  ledger::store::Ledger* ledger = nullptr;
  subjects::SubjectKeys* keys = nullptr;
  const base::Clock* clock = nullptr;
};

class RetentionJob {
 public:
  struct Stats {
    uint64_t runs = 0;
    uint64_t failed_runs = 0;
    uint64_t items_removed = 0;                  // RemovalCounts::Total() summed over runs
    absl::Time last_run = absl::InfinitePast();  // when the last run ended
  };

  RetentionJob(RetentionJobDeps deps, RetentionOptions options);
  RetentionJob(const RetentionJob&) = delete;
  RetentionJob& operator=(const RetentionJob&) = delete;
  ~RetentionJob();

  // Starts the periodic thread (first run one interval from now); nothing
  // when options.enabled is false. Call at most once.
  void Start();

  // One run now. Returns what it removed; UNAVAILABLE when storage or the
  // log could not be written (what was removed stays removed; the next run
  // goes on), DATA_LOSS for a stored record that does not parse.
  absl::StatusOr<RemovalCounts> RunOnce();

  Stats stats() const;
  // Waits (real time) until `runs` runs have ended; false at `deadline`.
  // For tests, which must not sleep to synchronise.
  bool AwaitRuns(uint64_t runs, absl::Time deadline) const;

 private:
  absl::StatusOr<RemovalCounts> Remove();
  // True once the destructor asked the thread to stop.
  bool Stopping() const;
  // Runs at `next`, then every run_interval after a run ends, until stopped.
  void Loop(absl::Time next);

  const RetentionJobDeps deps_;
  const RetentionOptions options_;
  absl::Mutex run_mu_;  // serialises runs
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace wams::retention

#endif  // WAMS_BROKER_RETENTION_RETENTION_JOB_H_
