// export_verifier.h: offline verification of an auditor export, with public
// keys only, and of one checkpoint extending another. The engine behind
// `wams-audit verify` and `wams-audit consistency` (see broker/tools/README.md).
//
//   VerifyReport r = VerifyExport("/exports/2024-06");
//   if (!r.status.ok()) std::cerr << r.status << " first bad index " << *r.first_bad_index;
//
//   ConsistencyReport c = CheckConsistency("/exports/2024-05/checkpoint", "/exports/2024-06");
#ifndef WAMS_BROKER_TOOLS_AUDITOR_EXPORT_VERIFIER_H_
#define WAMS_BROKER_TOOLS_AUDITOR_EXPORT_VERIFIER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/note/note.h"

namespace wams::auditor {

struct VerifyOptions {
  // Threads verifying receipt signatures (the main thread is one of them).
  // Default: 0 = std::thread::hardware_concurrency().
  int threads = 0;
  // Receipts parsed per batch before the threads verify it. Default: 4096.
  size_t batch_size = 4096;
  // Also report the root of the first `prefix_size` receipts. Default: none.
  std::optional<uint64_t> prefix_size;
  // Perfect-subtree nodes (level, index) to keep while streaming, so a
  // consistency proof can be built offline in O(log n) memory. Default: none.
  std::vector<std::pair<int, uint64_t>> capture_nodes;
  // Trust these keys instead of the export's own `keys` file. Not owned; must
  // outlive the call. Default: null (read DIR/keys).
  const ledger_export::KeyRing* keys = nullptr;
};

struct VerifyReport {
  // OK when every receipt signature verified, the receipts are exactly
  // leaves 0..size-1 of the checkpoint, the recomputed root equals the
  // checkpoint's root, and the checkpoint is signed by a key in `keys`.
  // Otherwise a message saying what failed, with a code by kind of failure:
  //   UNAUTHENTICATED  a signature fails: a receipt or the checkpoint is
  //                    signed by no key in `keys`, or its signature by a
  //                    known key does not verify. A flipped byte in a
  //                    receipt's bytes or its signature lands here: the
  //                    verifier cannot tell an altered receipt from a forged
  //                    one, only that no trusted key signed these bytes;
  //   DATA_LOSS        every signature verifies but the export is not the
  //                    log: a receipt missing, extra or out of order, a line
  //                    cut off or malformed, or the root differs from the
  //                    checkpoint's;
  //   INVALID_ARGUMENT the checkpoint verifies but its body does not parse;
  //   NOT_FOUND        the directory or a file of it is missing;
  //   INTERNAL         reading the receipts file failed part way (I/O).
  // The first failure in file order decides the code and first_bad_index.
  absl::Status status;
  // The first receipt (0-based leaf index = line number) found bad, when
  // the failure can be pinned to one: a bad line, a wrong index, an unknown
  // key, a bad signature, a missing or extra receipt.
  std::optional<uint64_t> first_bad_index;
  uint64_t receipts_verified = 0;     // receipts whose signature verified
  ledger::CheckpointBody checkpoint;  // meaningful once the checkpoint opened
  std::vector<std::string> checkpoint_signed_by;
  ledger::Digest computed_root{};  // root over all receipts read
  std::map<std::string, uint64_t> receipts_by_key;
  std::optional<ledger::Digest> prefix_root;
  std::map<std::pair<int, uint64_t>, ledger::Digest> captured_nodes;
  double seconds = 0;
};

// Verifies the export directory `dir`. Never throws; the result says all.
VerifyReport VerifyExport(const std::string& dir, const VerifyOptions& options = {});

struct ConsistencyReport {
  // OK when the old checkpoint (signed by a trusted key) is a prefix of the
  // new export: same origin, old size <= new size, and the RFC 9162
  // consistency proof computed from the new export's receipts verifies
  // between the two checkpoints. The new export is verified in full.
  // Otherwise UNAUTHENTICATED when a checkpoint is not signed by a trusted
  // key, FAILED_PRECONDITION for two different logs, DATA_LOSS when the old
  // log is not a prefix of the new one, and the new export's own code.
  absl::Status status;
  // When the old export's receipts are at hand (OLD is a directory), the
  // first leaf where old and new differ; else the new export's bad index.
  std::optional<uint64_t> first_bad_index;
  ledger::CheckpointBody old_checkpoint;
  ledger::CheckpointBody new_checkpoint;
  std::vector<ledger::Digest> proof;  // the consistency proof, old -> new
  VerifyReport new_export;
};

// `old_path`: an older export directory or just its `checkpoint` file (what a
// witness keeps). `new_dir`: the newer export directory. Keys come from
// options.keys if set, else from new_dir/keys (keys are only ever added on
// rotation, so the newer list holds the older keys too).
ConsistencyReport CheckConsistency(const std::string& old_path, const std::string& new_dir,
                                   const VerifyOptions& options = {});

}  // namespace wams::auditor

#endif  // WAMS_BROKER_TOOLS_AUDITOR_EXPORT_VERIFIER_H_
