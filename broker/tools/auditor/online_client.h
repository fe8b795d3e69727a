// online_client.h: the pieces wams-audit's online commands (online.cc) are
// built from: the AuditService client over mutual TLS, the streamed export,
// the trusted keys and checkpoints, and a failure as a command reports it.
//
//   WAMS_ASSIGN_OR_RETURN(online::Client client, online::Client::Connect(flags));
//   if (std::optional<online::Failure> failed = online::Fetch(client, dir, &checkpoint)) ...
//
// A Client may be used from several threads (gRPC stubs are thread-safe);
// the rest is plain functions and data.
#ifndef WAMS_BROKER_TOOLS_AUDITOR_ONLINE_CLIENT_H_
#define WAMS_BROKER_TOOLS_AUDITOR_ONLINE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/ledger/note/note.h"
#include "broker/tools/auditor/export_verifier.h"
#include "broker/tools/auditor/online.h"
#include "broker/tools/auditor/online_result.h"
#include "grpcpp/client_context.h"
#include "wams/broker/v1/audit.grpc.pb.h"

namespace wams::auditor::online {

// An export may be large; proofs and checkpoints are small.
inline constexpr std::chrono::minutes kExportDeadline(30);
inline constexpr std::chrono::seconds kCallDeadline(30);

// A failure to report: `alarm` marks a detected fork, rollback or rewrite.
struct Failure {
  Failure(bool is_alarm, std::string text, std::optional<uint64_t> bad = std::nullopt)
      : alarm(is_alarm), message(std::move(text)), first_bad_index(bad) {}
  bool alarm;
  std::string message;
  std::optional<uint64_t> first_bad_index;
};
Failure Error(const absl::Status& status);
// "<what>: the broker answered code N: message".
Failure Error(const grpc::Status& status, const char* what);
Failure Alarm(std::string message);

// Records `failure` in `result`; returns false, for `return Fail(...)`.
bool Fail(OnlineResult& result, Failure failure);

CheckpointSummary Summary(const ledger::CheckpointBody& body);

// The auditor's AuditService client.
class Client {
 public:
  // Reads --ca, --cert and --key (the key must be private to the user).
  static absl::StatusOr<Client> Connect(const OnlineFlags& flags);

  // Sets the deadline and the professional id (if any) on `context`.
  void Prepare(grpc::ClientContext* context,
               std::chrono::system_clock::duration deadline = kCallDeadline) const;
  wams::broker::v1::AuditService::Stub& stub() const { return *stub_; }

 private:
  std::shared_ptr<wams::broker::v1::AuditService::Stub> stub_;
  std::string professional_id_;
};

// Which part of the log a fetch asks for.
struct FetchRange {
  // Continue the export in `dir`, whose checkpoint has size from_index.
  bool continuing = false;
  uint64_t from_index = 0;
  // End at the stored checkpoint of this size; 0: a fresh one.
  uint64_t tree_size = 0;
};

// Streams the broker's export into `dir` (the offline export format, the
// checkpoint file with the witnesses' cosignature lines); on success fills
// `out` and `receipts` (how many were written), if given. Continuing, the
// new checkpoint must extend the old one (a consistency proof from the
// broker, checked with the streamed keys; else an alarm), and the directory
// is left as it was on any failure but a crash while finishing.
std::optional<Failure> Fetch(const Client& client, const std::string& dir,
                             wams::broker::v1::Checkpoint* out, uint64_t* receipts = nullptr,
                             const FetchRange& range = {});

// The log's trusted verifier keys (--keys). INVALID_ARGUMENT without --keys.
absl::StatusOr<ledger_export::KeyRing> LoadKeys(const OnlineFlags& flags);

// A checkpoint note opened with the trusted keys.
struct Verified {
  std::string note;
  ledger::CheckpointBody body;
};
absl::StatusOr<Verified> OpenCheckpoint(const ledger_export::KeyRing& ring, std::string note);

// The newest checkpoint `b` against the saved `a`: same origin, not smaller,
// the same root at the same size, the served receipts' root at the saved
// size (when known) the saved root, and the broker's consistency proof
// verified. An alarm when any fails.
std::optional<Failure> CheckExtends(const Client& client, const ledger::CheckpointBody& a,
                                    const ledger::CheckpointBody& b,
                                    const std::optional<ledger::Digest>& served_prefix_root);

}  // namespace wams::auditor::online

#endif  // WAMS_BROKER_TOOLS_AUDITOR_ONLINE_CLIENT_H_
