// export_format.h: the auditor export format (a directory with `checkpoint`,
// `receipts.jsonl` and `keys`), its writer, and its line and key parsers.
// Shared by the ledger (which writes exports) and wams-audit (which reads
// them), so it sits below both: the log does not depend on its auditor's
// tool. (Namespace wams::audit, as before the move.) See
// broker/tools/README.md for the format an auditor reads.
//
//   WAMS_ASSIGN_OR_RETURN(auto writer, ExportWriter::Create("/exports/2024-06"));
//   for (...) WAMS_RETURN_IF_ERROR(writer->AddReceipt({index, bytes, sig, key_name}));
//   WAMS_RETURN_IF_ERROR(writer->Finish({signer.VerifierKey()}, checkpoint_note));
//
//   WAMS_ASSIGN_OR_RETURN(KeyRing ring, KeyRing::Parse(keys_text));
//   WAMS_ASSIGN_OR_RETURN(OpenedNote cp, ring.OpenNote(checkpoint_note));
#ifndef WAMS_BROKER_LEDGER_EXPORT_EXPORT_FORMAT_H_
#define WAMS_BROKER_LEDGER_EXPORT_EXPORT_FORMAT_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/ledger/note/note.h"

namespace wams::ledger_export {

// The three files of an export directory.
inline constexpr char kCheckpointFile[] = "checkpoint";
inline constexpr char kReceiptsFile[] = "receipts.jsonl";
inline constexpr char kKeysFile[] = "keys";

// One line of receipts.jsonl: a wams.broker.v1.SignedReceipt without protobuf.
struct ExportedReceipt {
  uint64_t index = 0;     // leaf index, equal to the 0-based line number
  std::string receipt;    // the exact signed bytes (deterministic Receipt serialisation)
  std::string signature;  // Ed25519 signature over `receipt`, 64 bytes
  std::string key_id;     // note key name "name+hash" of the signing key
};

// Appends one receipts.jsonl line, final "\n" included:
//   {"index":N,"receipt":"<base64>","signature":"<base64>","key_id":"<name+hash>"}
void AppendReceiptLine(const ExportedReceipt& receipt, std::string& out);
std::string FormatReceiptLine(const ExportedReceipt& receipt);

// Parses one receipts.jsonl line (without its "\n") into `out`. The object
// must hold exactly the four fields above, once each, in any order; white
// space between tokens is allowed; base64 is strict (ledger::Base64Decode).
// INVALID_ARGUMENT naming the field on anything else.
absl::Status ParseReceiptLine(std::string_view line, ExportedReceipt& out);

// Writes an export directory. Receipts are streamed to receipts.jsonl as
// they come; `keys` and `checkpoint` are written by Finish(), so an export
// whose writer did not finish has no checkpoint and never verifies. Not
// thread-safe.
class ExportWriter {
 public:
  // Creates `dir` (parents too) and receipts.jsonl in it. FAILED_PRECONDITION
  // if `dir` already holds any of the three files; INTERNAL on I/O errors.
  static absl::StatusOr<std::unique_ptr<ExportWriter>> Create(std::string dir);
  // Continues the finished export in `dir` (`wams-audit fetch --from N`):
  // receipts from index `from_index` on go to receipts.jsonl.part, and
  // Finish() appends them to receipts.jsonl and replaces `keys` and
  // `checkpoint` (the checkpoint last). FAILED_PRECONDITION unless
  // receipts.jsonl holds exactly `from_index` receipts; NOT_FOUND when it is
  // absent. A crash inside Finish() can leave more receipts than the old
  // checkpoint covers: `verify` then fails, it never passes silently.
  static absl::StatusOr<std::unique_ptr<ExportWriter>> Continue(std::string dir,
                                                                uint64_t from_index);
  ~ExportWriter();
  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;

  // Appends the next receipt. INVALID_ARGUMENT unless receipt.index is the
  // number of receipts added so far (an export starts at leaf 0 and has no
  // gaps), the signature is 64 bytes and key_id is a "name+hash";
  // FAILED_PRECONDITION after Finish().
  absl::Status AddReceipt(const ExportedReceipt& receipt);
  uint64_t receipts_written() const { return count_; }

  // Writes `keys` (one C2SP verifier key per line: every key that signed a
  // receipt or the checkpoint, older keys included) and `checkpoint` (the
  // signed note, byte for byte, with any witness cosignature lines after the
  // log's own signature: see CosignedNote), then flushes and fsyncs all three
  // files. The writer is unusable afterwards.
  absl::Status Finish(const std::vector<std::string>& verifier_keys,
                      std::string_view checkpoint_note);

 private:
  ExportWriter(std::string dir, std::FILE* receipts, bool continuing);
  // Continue(): moves receipts.jsonl.part onto the end of receipts.jsonl.
  absl::Status AppendPart();
  std::string dir_;
  std::FILE* receipts_;  // owned; null after Finish()
  bool continuing_ = false;
  uint64_t count_ = 0;
  std::string line_;  // reused buffer
};

// The checkpoint note with the witnesses' cosignature lines appended to its
// signature block (C2SP signed-note: one note, several signature lines), as
// an export's `checkpoint` file holds it. Lines without a final "\n" get one.
std::string CosignedNote(std::string_view note, const std::vector<std::string>& cosignature_lines);

// A note opened by a KeyRing.
struct OpenedNote {
  std::string text;
  std::vector<std::string> signed_by;  // key names ("name+hash") whose signature verified
};

// The verifier keys of an export (the `keys` file). Immutable after Parse();
// thread-safe.
class KeyRing {
 public:
  // One verifier key "name+hash+base64(0x01||pubkey)" per line, each line
  // ending in "\n". INVALID_ARGUMENT naming the line for a malformed or
  // duplicate key, or an empty file.
  static absl::StatusOr<KeyRing> Parse(std::string_view keys_text);

  // The verifier for a "name+hash" key id, or null when unknown.
  const ledger::NoteVerifier* Find(std::string_view key_name) const;
  size_t size() const { return verifiers_.size(); }

  // Opens a signed note: every signature line by a key of the ring must
  // verify, and at least one must be present. Lines by other keys
  // (witnesses' cosignatures) are ignored. INVALID_ARGUMENT for a malformed
  // note, UNAUTHENTICATED for a bad or missing signature.
  absl::StatusOr<OpenedNote> OpenNote(std::string_view note) const;

 private:
  std::map<std::string, ledger::NoteVerifier, std::less<>> verifiers_;
};

// Reads a whole (small) file. NOT_FOUND when absent, INTERNAL on I/O errors.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path);

}  // namespace wams::ledger_export

#endif  // WAMS_BROKER_LEDGER_EXPORT_EXPORT_FORMAT_H_
