// export_stream.h: the AuditService.Export stream and the watchdog that ends
// idle ones.
//
// An ExportReactor streams keys, receipts [from_index, checkpoint size) and
// the checkpoint, one message per write; the next receipt is read when the
// previous write completes, so memory stays one receipt whatever the log
// size. The stream holds its party's call slot and an export-stream slot
// (limits.per_party_export_streams) until it finishes.
//
// A client that stops taking chunks stalls the stream's writes for good:
// gRPC keeps the stream, its buffers and the party's slots. The watchdog
// (one thread per ExportWatchdog) cancels a stream whose write has been
// outstanding for limits.export_idle_timeout without completing; the client
// then gets CANCELLED and its slots are free again. A stream waiting for the
// broker (its audit receipt being made durable) is never idle.
//
//   ExportWatchdog watchdog(absl::Seconds(60));
//   new ExportReactor(gate, core, pool, watchdog, context, *request);  // deletes itself
//
// Thread-safe. The watchdog must outlive every reactor registered with it
// (the server is shut down first).
#ifndef WAMS_BROKER_SERVICES_EXPORT_STREAM_H_
#define WAMS_BROKER_SERVICES_EXPORT_STREAM_H_

#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/audit/audit_core.h"
#include "broker/base/worker_pool.h"
#include "broker/services/call_handler.h"
#include "grpcpp/support/server_callback.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::services {

namespace v1 = ::wams::broker::v1;

class ExportReactor;

// Default of limits.export_idle_timeout.
inline constexpr absl::Duration kDefaultExportIdleTimeout = absl::Seconds(60);

class ExportWatchdog {
 public:
  explicit ExportWatchdog(absl::Duration idle_timeout);
  ~ExportWatchdog();  // stops the thread
  ExportWatchdog(const ExportWatchdog&) = delete;
  ExportWatchdog& operator=(const ExportWatchdog&) = delete;

  absl::Duration idle_timeout() const { return idle_timeout_; }
  // Streams cancelled for idleness so far.
  uint64_t cancelled() const;

 private:
  friend class ExportReactor;
  void Register(ExportReactor* reactor);
  // Called from the reactor's OnDone: after it returns, the watchdog never
  // touches `reactor` again.
  void Unregister(ExportReactor* reactor);
  void Loop();

  const absl::Duration idle_timeout_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<ExportReactor*> reactors_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t cancelled_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

// One Export call. Deletes itself in OnDone.
class ExportReactor final : public grpc::ServerWriteReactor<v1::ExportChunk> {
 public:
  ExportReactor(const CallGate& gate, audit::AuditCore& core, base::WorkerPool& pool,
                ExportWatchdog& watchdog, grpc::CallbackServerContext* context,
                const v1::ExportRequest& request);

  void OnWriteDone(bool ok) override;
  void OnDone() override;

 private:
  friend class ExportWatchdog;

  // Gives the party's slots back and finishes the stream, once; later calls
  // do nothing.
  void Done(const grpc::Status& status);
  void WriteNext();
  // Watchdog, with its lock held: when a write has been outstanding since
  // before `idle_since`, marks the stream finished (so nothing else finishes
  // it, and OnDone cannot run before CancelClaimed) and returns true.
  bool ClaimIfIdle(absl::Time idle_since);
  // Watchdog, without its lock (gRPC may run reactions inline): cancels the
  // claimed stream, gives its slots back and finishes it.
  void CancelClaimed();

  audit::AuditCore& core_;
  ExportWatchdog& watchdog_;
  grpc::CallbackServerContext* const context_;
  Admission::Ticket ticket_;
  audit::ExportPlan plan_;
  size_t next_key_ = 0;
  uint64_t next_leaf_ = 0;
  bool checkpoint_sent_ = false;
  v1::ExportChunk chunk_;

  absl::Mutex mu_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // When the outstanding write started; InfiniteFuture while none is.
  absl::Time write_started_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
};

}  // namespace wams::services

#endif  // WAMS_BROKER_SERVICES_EXPORT_STREAM_H_
