// receipt_fuzzer.cc: an auditor export as wams-audit reads it from a broker
// it does not trust: the receipts.jsonl line parser, the receipt protobuf
// inside each line, and the whole offline verification (VerifyExport) of a
// checkpoint with its receipts against the fuzz log's public key.
//
// Input: a `checkpoint` file followed by a `receipts.jsonl` file; the
// receipts start at the first line that begins with '{'. The seeds are real
// exports of the fuzz world's log (make_seeds.cc), so the fuzzer starts from
// receipts and checkpoints that verify.
//
// Invariants (a crash when broken):
//   - a line that parses formats back to a line that parses to the same
//     receipt (index, exact bytes, signature, key id);
//   - VerifyExport fails only with DATA_LOSS, UNAUTHENTICATED or
//     INVALID_ARGUMENT, never counts more receipts than there are lines, and
//     points at most one past the last line;
//   - an export VerifyExport accepts passes an independent check: the
//     checkpoint opens with the key, there is one receipt per leaf of its
//     tree size, each line holds its own index and a signature by the key
//     over its exact bytes, those bytes are a canonical Receipt, and the
//     leaves hash to the checkpoint's root.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "broker/base/deterministic_bytes.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/tools/auditor/export_verifier.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/fuzz_support.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::fuzz {
namespace {

namespace v1 = ::wams::broker::v1;

// A per-process export directory, removed at exit.
class ExportDir {
 public:
  ExportDir() {
    // Every run rewrites two files: on tmpfs when there is one.
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    std::string pattern = (base / "wams-fuzz-export-XXXXXX").string();
    WAMS_FUZZ_CHECK(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~ExportDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  void Write(const char* name, std::string_view contents) const {
    std::ofstream file(path_ + "/" + name, std::ios::binary | std::ios::trunc);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    WAMS_FUZZ_CHECK(file.good());
  }

 private:
  std::string path_;
};

const ledger_export::KeyRing& Ring() {
  static const ledger_export::KeyRing* const ring = [] {
    absl::StatusOr<ledger_export::KeyRing> parsed = ledger_export::KeyRing::Parse(
        ledger::VerifierKeyLine(kLogOrigin, FixedKey(kLogKeySeedHex).PublicKey()) + "\n");
    WAMS_FUZZ_CHECK(parsed.ok());
    return new ledger_export::KeyRing(*std::move(parsed));
  }();
  return *ring;
}

// The lines of receipts.jsonl as VerifyExport reads them; `terminated`
// says whether the last one ended in "\n".
std::vector<std::string_view> Lines(std::string_view text, bool* terminated) {
  std::vector<std::string_view> lines;
  *terminated = true;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) {
      *terminated = false;
      break;
    }
    text.remove_prefix(nl + 1);
  }
  return lines;
}

bool Same(const ledger_export::ExportedReceipt& a, const ledger_export::ExportedReceipt& b) {
  return a.index == b.index && a.receipt == b.receipt && a.signature == b.signature &&
         a.key_id == b.key_id;
}

void FuzzLine(std::string_view line) {
  ledger_export::ExportedReceipt parsed;
  absl::Status status = ledger_export::ParseReceiptLine(line, parsed);
  if (!status.ok()) {
    WAMS_FUZZ_CHECK_MSG(status.code() == absl::StatusCode::kInvalidArgument, status.ToString());
    return;
  }
  std::string formatted = ledger_export::FormatReceiptLine(parsed);
  WAMS_FUZZ_CHECK(!formatted.empty() && formatted.back() == '\n');
  formatted.pop_back();
  ledger_export::ExportedReceipt again;
  absl::Status reparsed = ledger_export::ParseReceiptLine(formatted, again);
  WAMS_FUZZ_CHECK_MSG(reparsed.ok(), reparsed.ToString());
  WAMS_FUZZ_CHECK(Same(parsed, again));
  // What an auditor's tools do next with the bytes (the report decodes them).
  v1::Receipt receipt;
  (void)receipt.ParseFromString(parsed.receipt);
}

// The independent check of an export VerifyExport accepted.
void CheckAccepted(const auditor::VerifyReport& report, std::string_view checkpoint,
                   std::string_view receipts) {
  absl::StatusOr<ledger_export::OpenedNote> opened = Ring().OpenNote(checkpoint);
  WAMS_FUZZ_CHECK(opened.ok());
  absl::StatusOr<ledger::CheckpointBody> body = ledger::ParseCheckpointBody(opened->text);
  WAMS_FUZZ_CHECK(body.ok());
  WAMS_FUZZ_CHECK(report.checkpoint.origin == body->origin);
  WAMS_FUZZ_CHECK(report.checkpoint.tree_size == body->tree_size);
  WAMS_FUZZ_CHECK(report.checkpoint.root_hash == body->root_hash);

  bool terminated = false;
  std::vector<std::string_view> lines = Lines(receipts, &terminated);
  WAMS_FUZZ_CHECK(terminated);
  WAMS_FUZZ_CHECK(lines.size() == body->tree_size);
  WAMS_FUZZ_CHECK(report.receipts_verified == body->tree_size);
  ledger::CompactRange range;
  for (size_t i = 0; i < lines.size(); ++i) {
    ledger_export::ExportedReceipt r;
    WAMS_FUZZ_CHECK(ledger_export::ParseReceiptLine(lines[i], r).ok());
    WAMS_FUZZ_CHECK(r.index == i);
    const ledger::NoteVerifier* key = Ring().Find(r.key_id);
    WAMS_FUZZ_CHECK(key != nullptr);
    WAMS_FUZZ_CHECK(key->key().Verify(r.receipt, r.signature));
    // Sign what you store: the signed bytes are the canonical serialisation.
    v1::Receipt receipt;
    WAMS_FUZZ_CHECK(receipt.ParseFromString(r.receipt));
    WAMS_FUZZ_CHECK(base::DeterministicBytes(receipt) == r.receipt);
    range.Append(ledger::LeafHash(r.receipt));
  }
  WAMS_FUZZ_CHECK(range.Root() == body->root_hash);
  WAMS_FUZZ_CHECK(report.computed_root == body->root_hash);
}

int FuzzOne(const uint8_t* data, size_t size) {
  // Each receipt costs a signature verification (~150 us); 64 KiB is about
  // a hundred receipts.
  if (size > 64 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = 0;
  if (!input.empty() && input.front() != '{') {
    const size_t brace = input.find("\n{");
    split = brace == std::string_view::npos ? input.size() : brace + 1;
  }
  const std::string_view checkpoint = input.substr(0, split);
  const std::string_view receipts = input.substr(split);

  bool terminated = false;
  const std::vector<std::string_view> lines = Lines(receipts, &terminated);
  for (std::string_view line : lines) FuzzLine(line);

  static const ExportDir dir;
  dir.Write(ledger_export::kCheckpointFile, checkpoint);
  dir.Write(ledger_export::kReceiptsFile, receipts);
  auditor::VerifyOptions options;
  options.threads = 1;
  // Small batches: the export's receipts span several, as a large export's
  // do (and the default 4096-item batch would dominate each run).
  options.batch_size = 4;
  options.keys = &Ring();
  const auditor::VerifyReport report = auditor::VerifyExport(dir.path(), options);
  const absl::StatusCode code = report.status.code();
  WAMS_FUZZ_CHECK_MSG(code == absl::StatusCode::kOk || code == absl::StatusCode::kDataLoss ||
                          code == absl::StatusCode::kUnauthenticated ||
                          code == absl::StatusCode::kInvalidArgument,
                      report.status.ToString());
  WAMS_FUZZ_CHECK(report.receipts_verified <= lines.size());
  if (report.first_bad_index.has_value()) {
    WAMS_FUZZ_CHECK(*report.first_bad_index <= lines.size());
  }
  if (report.status.ok()) CheckAccepted(report, checkpoint, receipts);
  return 0;
}

}  // namespace
}  // namespace wams::fuzz

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Protobuf logs every invalid string it parses; the fuzzer makes millions.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return wams::fuzz::FuzzOne(data, size);
}
