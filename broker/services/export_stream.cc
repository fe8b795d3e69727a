#include "broker/services/export_stream.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker/base/logging/log.h"
#include "broker/services/grpc_status.h"

namespace wams::services {

ExportWatchdog::ExportWatchdog(absl::Duration idle_timeout)
    : idle_timeout_(idle_timeout), thread_([this] { Loop(); }) {}

ExportWatchdog::~ExportWatchdog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

uint64_t ExportWatchdog::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

void ExportWatchdog::Register(ExportReactor* reactor) {
  absl::MutexLock lock(&mu_);
  reactors_.insert(reactor);
}

void ExportWatchdog::Unregister(ExportReactor* reactor) {
  absl::MutexLock lock(&mu_);
  reactors_.erase(reactor);
}

void ExportWatchdog::Loop() {
  // A quarter of the timeout between looks: a stream is cancelled between
  // 1 and 1.25 timeouts after its write stalled.
  const absl::Duration period = std::max(idle_timeout_ / 4, absl::Milliseconds(10));
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), period)) {
    const absl::Time idle_since = absl::Now() - idle_timeout_;
    std::vector<ExportReactor*> claimed;
    for (ExportReactor* reactor : reactors_) {
      if (reactor->ClaimIfIdle(idle_since)) claimed.push_back(reactor);
    }
    if (claimed.empty()) continue;
    cancelled_ += claimed.size();
    mu_.Unlock();
    // A claimed reactor stays alive until its Finish: OnDone cannot run before.
    for (ExportReactor* reactor : claimed) reactor->CancelClaimed();
    logging::LogWarning(absl::StrCat(
        "export: cancelled ", claimed.size(), " stream(s) whose client took no chunk for ",
        absl::FormatDuration(idle_timeout_), " (limits.export_idle_timeout)"));
    mu_.Lock();
  }
}

ExportReactor::ExportReactor(const CallGate& gate, audit::AuditCore& core, base::WorkerPool& pool,
                             ExportWatchdog& watchdog, grpc::CallbackServerContext* context,
                             const v1::ExportRequest& request)
    : core_(core), watchdog_(watchdog), context_(context) {
  absl::StatusOr<AdmittedCall> call = gate.Enter(*context, Admission::CallKind::kExportStream);
  if (!call.ok()) {
    Done(ToGrpcStatus(call.status()));
    return;
  }
  // The party's slots are held for the whole stream.
  ticket_ = std::move(call->ticket);
  watchdog_.Register(this);
  pool.Schedule([this, caller = std::move(call->caller), request]() {
    absl::StatusOr<audit::ExportPlan> plan = core_.BeginExport(caller, request);
    if (!plan.ok()) {
      Done(ToGrpcStatus(plan.status()));
      return;
    }
    plan_ = *std::move(plan);
    next_leaf_ = plan_.from_index;
    WriteNext();
  });
}

void ExportReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    write_started_ = absl::InfiniteFuture();
    if (finished_) return;
  }
  if (!ok) {
    Done(grpc::Status(grpc::StatusCode::CANCELLED, "the export stream broke off"));
    return;
  }
  WriteNext();
}

void ExportReactor::OnDone() {
  watchdog_.Unregister(this);
  delete this;
}

void ExportReactor::Done(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
  }
  ticket_.Release();
  Finish(status);
}

void ExportReactor::WriteNext() {
  chunk_.Clear();
  if (next_key_ < plan_.keys.size()) {
    chunk_.set_key(plan_.keys[next_key_++]);
  } else if (next_leaf_ < plan_.checkpoint.tree_size()) {
    absl::StatusOr<v1::SignedReceipt> receipt = core_.ReadReceipt(next_leaf_);
    if (!receipt.ok()) {
      Done(ToGrpcStatus(receipt.status()));
      return;
    }
    *chunk_.mutable_receipt() = *std::move(receipt);
    chunk_.mutable_receipt()->set_leaf_index(next_leaf_++);
  } else if (!checkpoint_sent_) {
    *chunk_.mutable_checkpoint() = plan_.checkpoint;
    checkpoint_sent_ = true;
  } else {
    Done(grpc::Status::OK);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;  // the watchdog cancelled it meanwhile
    write_started_ = absl::Now();
  }
  StartWrite(&chunk_);
}

bool ExportReactor::ClaimIfIdle(absl::Time idle_since) {
  absl::MutexLock lock(&mu_);
  if (finished_ || write_started_ > idle_since) return false;
  finished_ = true;
  return true;
}

void ExportReactor::CancelClaimed() {
  // Cancelling fails the stalled write (OnWriteDone(false), which sees
  // finished_) and resets the stream; Finish is still owed for OnDone.
  context_->TryCancel();
  ticket_.Release();
  Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                      "limits.export_idle_timeout: the client took no chunk in time"));
}

}  // namespace wams::services
