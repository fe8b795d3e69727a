// witness_server.h: the witness side of the C2SP tlog-witness protocol
// (https://c2sp.org/tlog-witness), served by `wams-audit witness-serve`.
//
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<Witness> witness,
//                         Witness::Create({.name = "w1.example/witness", .key = key,
//                                          .log_keys = keys_text, .state_dir = dir}));
//   HttpAnswer answer = witness->AddCheckpoint(request_body);   // the protocol, no HTTP
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<WitnessServer> server,
//                         WitnessServer::Start(*witness, "127.0.0.1", 0, cert, key_file));
//
// For each known log (origin = the name of its verifier keys) the witness
// keeps the size and root it last cosigned in a state file of its own in
// state_dir (written atomically and fsynced before it answers), so a
// restart remembers. It cosigns a checkpoint signed by a key of that log
// only when it is consistent with that state; a fork (409 for another root
// at the same size, 422 for a proof that does not verify) is logged as an
// ALARM and not cosigned. Answers: 200 cosignature line; 400 malformed;
// 403 no valid signature by a known key; 404 unknown origin; 409 (with
// text/x.tlog.size) old size is not its size; 422 the proof fails; 500
// the state could not be written.
//
// Thread-safe: requests are checked and the state updated under one lock,
// so a smaller checkpoint can never overwrite a larger one (the spec's race).
#ifndef WAMS_BROKER_TOOLS_AUDITOR_WITNESS_SERVER_H_
#define WAMS_BROKER_TOOLS_AUDITOR_WITNESS_SERVER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/http/serving_thread.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/note/note.h"

namespace wams::auditor {

struct WitnessConfig {
  // The witness's cosignature name and private key.
  std::string name;
  ledger::Ed25519PrivateKey key;
  // The known logs: note verifier key lines "origin+hash+base64(0x01||pubkey)"
  // (an export's `keys` file); several keys of one origin are all trusted.
  std::string log_keys;
  // Where the per-origin state files live (created 0700 when missing).
  std::string state_dir;
};

struct HttpAnswer {
  int status = 0;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class Witness {
 public:
  // INVALID_ARGUMENT for a bad name or log key line, or none; the state
  // directory's errors; DATA_LOSS for a state file that does not parse.
  static absl::StatusOr<std::unique_ptr<Witness>> Create(WitnessConfig config);

  // One add-checkpoint request body; never fails otherwise than by status.
  HttpAnswer AddCheckpoint(std::string_view body);

 private:
  struct LogState {
    uint64_t size = 0;
    ledger::Digest root{};
  };
  explicit Witness(WitnessConfig config);
  std::string StatePath(std::string_view origin) const;
  absl::Status SaveState(std::string_view origin, const LogState& state) const;
  absl::StatusOr<LogState> LoadState(std::string_view origin) const;

  const WitnessConfig config_;
  std::map<std::string, std::vector<ledger::NoteVerifier>, std::less<>> logs_;

  absl::Mutex mu_;
  std::map<std::string, LogState, std::less<>> states_ ABSL_GUARDED_BY(mu_);
};

// HTTPS in front of a Witness: POST /add-checkpoint, bodies bounded to 64 KiB.
class WitnessServer {
 public:
  // Borrows `witness`. Reads the certificate and the key file (refused,
  // FAILED_PRECONDITION, when group or others may read it); port 0 picks
  // one. UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<WitnessServer>> Start(Witness& witness,
                                                              const std::string& host, int port,
                                                              const std::string& cert_file,
                                                              const std::string& key_file);
  ~WitnessServer();
  int port() const { return port_; }
  // Stops listening and joins the thread. Idempotent.
  void Stop();

 private:
  WitnessServer() = default;
  std::unique_ptr<httplib::SSLServer> server_;
  std::unique_ptr<http::ServingThread> serving_;
  int port_ = 0;
};

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_WITNESS_SERVER_H_
