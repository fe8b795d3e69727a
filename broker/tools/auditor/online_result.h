// online_result.h: what one of wams-audit's online commands found, and its
// two renderings: the text lines (unchanged since the commands were written:
// tests and deploy/walkthrough.sh read them) and one JSON object (--json).
// The commands (online.h) fill the result; they print nothing themselves.
//
//   OnlineResult result = RunOnline("monitor", flags);
//   int code = PrintOnlineText(result, std::cout, std::cerr);
//   // or, with --json: print OnlineResultJson(result); code = result.exit_code()
//
// The JSON fields per command are listed in broker/tools/README.md ("--json
// of the online commands"). Roots are hex, as in the offline commands.
// Plain data: thread-compatible.
#ifndef WAMS_BROKER_TOOLS_AUDITOR_ONLINE_RESULT_H_
#define WAMS_BROKER_TOOLS_AUDITOR_ONLINE_RESULT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "broker/tools/auditor/witness_check.h"
#include "google/protobuf/struct.pb.h"

namespace wams::auditor {

// A checkpoint as the commands report it.
struct CheckpointSummary {
  std::string origin;
  uint64_t tree_size = 0;
  // The Merkle root, 64 hex digits.
  std::string root_hex;
  // Witness cosignatures the broker served with it. Absent for a checkpoint
  // read from the state file.
  std::optional<uint64_t> cosignatures;
};

// fetch: where the export went and how many receipts it holds.
struct FetchFound {
  std::string dir;
  // Receipts written by this run (from `from_index` on when continuing).
  uint64_t receipts = 0;
  // fetch --from: the size of the checkpoint the directory held before.
  std::optional<uint64_t> from_index;
};

// monitor and witness: the newest checkpoint against the saved one.
struct MonitorFound {
  bool quick = false;
  std::string state_file;
  // Receipts verified one by one (absent with --quick, or when the fetch or
  // the verification failed).
  std::optional<uint64_t> receipts_verified;
  // The checkpoint the state file held before this run; absent: no state
  // file, the newest checkpoint is trusted from now on.
  std::optional<CheckpointSummary> saved;
  // Every check against `saved` (or its absence) passed.
  bool checked = false;
  // The newest checkpoint was written to the state file.
  bool state_saved = false;
};

// witness: the cosignature handed to the broker.
struct WitnessFound {
  std::string name;
  bool cosigned = false;
};

// inclusion: the held receipt proved against the latest checkpoint.
struct InclusionFound {
  uint64_t leaf_index = 0;
  bool signature_verified = false;
  bool included = false;
  uint64_t proof_hashes = 0;
};

struct OnlineResult {
  // "fetch", "monitor", "witness", "inclusion", "witness-key".
  std::string command;
  // Empty: the command did what it should. Otherwise what went wrong (no
  // "FAILED:"/"ALARM:" prefix: `alarm` says which).
  std::string error;
  // A detected fork, rollback or rewrite (or a checkpoint or proof from the
  // broker that does not verify).
  bool alarm = false;
  // The command line was wrong (exit 2) rather than the check failing.
  bool usage_error = false;
  // The lowest receipt index that failed verification, when there is one.
  std::optional<uint64_t> first_bad_index;

  // fetch: the export's checkpoint; monitor, witness: the newest verified
  // one; inclusion: the one the proof was checked against.
  std::optional<CheckpointSummary> checkpoint;
  std::optional<FetchFound> fetch;
  std::optional<MonitorFound> monitor;
  std::optional<WitnessFound> witness;
  std::optional<InclusionFound> inclusion;
  // monitor, inclusion with --witness-key: the cosignatures by trusted
  // witnesses on `checkpoint`.
  std::optional<WitnessCheck> witnesses;
  // witness-key: the verifier key line for the broker's config.
  std::string verifier_key;

  bool ok() const { return error.empty(); }
  // 0 done, 1 failed (or alarm), 2 usage error.
  int exit_code() const { return ok() ? 0 : usage_error ? 2 : 1; }
};

// Prints the text lines on `out` and a failure on `err` ("ALARM: ..." or
// "FAILED: ..."); returns result.exit_code().
int PrintOnlineText(const OnlineResult& result, std::ostream& out, std::ostream& err);

// The result as one JSON object's fields ("ok", "error", "alarm", the
// command's own; README).
google::protobuf::Struct OnlineResultJson(const OnlineResult& result);

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_ONLINE_RESULT_H_
