#include "broker/retention/retention_job.h"

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/receipts/receipt_builder.h"
#include "broker/retention/retention_planner.h"

namespace wams::retention {
namespace {

namespace v1 = ::wams::broker::v1;

}  // namespace

RetentionJob::RetentionJob(RetentionJobDeps deps, RetentionOptions options)
    : deps_(deps), options_(options) {}

RetentionJob::~RetentionJob() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RetentionJob::Start() {
  if (!options_.enabled) return;
  // The first deadline is taken here, not on the thread, so that time moved
  // after Start() returns counts towards it.
  const absl::Time first = deps_.clock->Now() + options_.run_interval;
  thread_ = std::thread([this, first] { Loop(first); });
}

void RetentionJob::Loop(absl::Time next) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      deps_.clock->AwaitWithDeadline(mu_, absl::Condition(&stop_), next);
      if (stop_) return;
      if (deps_.clock->Now() < next) continue;  // woken early: wait on
    }
    // The outcome is in stats() and the run's receipt; a failed run is
    // retried at the next interval.
    (void)RunOnce();
    next = deps_.clock->Now() + options_.run_interval;
  }
}

bool RetentionJob::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stop_;
}

absl::StatusOr<RemovalCounts> RetentionJob::Remove() {
  WAMS_ASSIGN_OR_RETURN(std::unique_ptr<storage::Reader> snapshot, deps_.backend->Snapshot());
  WAMS_ASSIGN_OR_RETURN(CaseIndex index, CaseIndex::Read(*snapshot));
  snapshot.reset();
  std::vector<CaseFacts> facts;
  facts.reserve(index.cases.size());
  for (const v1::Case& c : index.cases) facts.push_back(CaseFactsOf(c));
  RetentionPlan plan = PlanRetention(facts, deps_.clock->Now(), options_.case_data_term);

  RemovalCounts counts;
  CaseDataRemover remover(*deps_.backend, options_.batch_size);
  for (const std::string& pseudonym : plan.pseudonyms_to_shred) {
    WAMS_RETURN_IF_ERROR(remover.RemoveSubjectEntries(pseudonym, counts));
  }
  // One batch: the key table makes each shred physical with a purge.
  WAMS_RETURN_IF_ERROR(deps_.keys->ShredAll(plan.pseudonyms_to_shred));
  counts.keys_shredded += plan.pseudonyms_to_shred.size();
  std::set<std::string> expired(plan.expired_case_ids.begin(), plan.expired_case_ids.end());
  for (const v1::Case& c : index.cases) {
    // A shutdown stops a run between cases; the next run goes on.
    if (Stopping()) break;
    if (expired.contains(c.case_id())) WAMS_RETURN_IF_ERROR(remover.RemoveCase(c, index, counts));
  }
  WAMS_RETURN_IF_ERROR(remover.Finish());
  return counts;
}

absl::StatusOr<RemovalCounts> RetentionJob::RunOnce() {
  absl::MutexLock run_lock(&run_mu_);
  absl::StatusOr<RemovalCounts> counts = Remove();

  // The run's receipt: the broker itself acts (no requester), counts only.
  v1::Receipt receipt =
      receipts::NewReceipt(v1::RECEIPT_KIND_RETENTION, identity::Caller{}, "", *deps_.clock);
  receipt.set_outcome(counts.ok() ? v1::RECEIPT_OUTCOME_GRANTED : v1::RECEIPT_OUTCOME_REFUSED);
  receipt.set_detail(absl::StrCat(
      "retention run, term ", absl::FormatDuration(options_.case_data_term), ": ",
      counts.ok() ? counts->Summary()
                  : absl::StrCat("stopped (", absl::StatusCodeToString(counts.status().code()),
                                 "); the next run goes on")));
  absl::Status recorded = deps_.ledger->Append(receipt).status();

  absl::MutexLock lock(&mu_);
  ++stats_.runs;
  stats_.last_run = deps_.clock->Now();
  if (!counts.ok() || !recorded.ok()) ++stats_.failed_runs;
  if (counts.ok()) stats_.items_removed += counts->Total();
  if (!counts.ok()) return counts.status();
  if (!recorded.ok()) return recorded;
  return counts;
}

RetentionJob::Stats RetentionJob::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

bool RetentionJob::AwaitRuns(uint64_t runs, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto done = [this, runs]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stats_.runs >= runs; };
  return mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
}

}  // namespace wams::retention
