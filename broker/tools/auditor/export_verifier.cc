#include "broker/tools/auditor/export_verifier.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "broker/base/status_macros.h"
#include "broker/ledger/merkle/merkle.h"

namespace wams::auditor {
namespace {

using ledger::Digest;

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Reads a receipts.jsonl file line by line (POSIX getline, 1 MiB buffer).
class LineReader {
 public:
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rbe");
    if (f == nullptr) {
      return absl::NotFoundError(absl::StrCat("cannot open ", path));
    }
    std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
    return std::unique_ptr<LineReader>(new LineReader(f));
  }
  ~LineReader() {
    std::fclose(f_);
    std::free(buf_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // False at end of file. `terminated` says whether the line ended in "\n".
  bool Next(std::string_view& line, bool& terminated) {
    ssize_t n = ::getline(&buf_, &cap_, f_);
    if (n < 0) return false;
    line = std::string_view(buf_, static_cast<size_t>(n));
    terminated = !line.empty() && line.back() == '\n';
    if (terminated) line.remove_suffix(1);
    return true;
  }
  bool failed() const { return std::ferror(f_) != 0; }

 private:
  explicit LineReader(std::FILE* f) : f_(f) {}
  std::FILE* f_;
  char* buf_ = nullptr;
  size_t cap_ = 0;
};

// Streams leaf hashes into the tree's right edge ("peaks"), keeping the
// nodes asked for; the same append logic the receipt store uses.
class StreamingTree {
 public:
  explicit StreamingTree(const std::vector<std::pair<int, uint64_t>>& wanted)
      : wanted_(wanted.begin(), wanted.end()) {}

  void Append(const Digest& leaf) {
    // The left siblings NodesCompletedByAppend asks for are exactly the
    // lowest peaks: level L is the (L+1)-th peak from the right.
    ledger::NodeReader reader = [this](int level, uint64_t) -> absl::StatusOr<Digest> {
      return peaks_[peaks_.size() - 1 - static_cast<size_t>(level)];
    };
    absl::StatusOr<std::vector<ledger::NodeWrite>> writes =
        ledger::NodesCompletedByAppend(reader, size_, leaf);
    if (!writes.ok()) std::abort();  // the reader above cannot fail
    for (const ledger::NodeWrite& w : *writes) {
      if (!wanted_.empty() && wanted_.count({w.level, w.index}) > 0) {
        captured_[{w.level, w.index}] = w.hash;
      }
    }
    peaks_.resize(peaks_.size() - (writes->size() - 1));
    peaks_.push_back(writes->back().hash);
    ++size_;
  }
  uint64_t size() const { return size_; }
  Digest Root() const {
    if (peaks_.empty()) return ledger::EmptyRoot();
    Digest root = peaks_.back();
    for (size_t i = peaks_.size() - 1; i-- > 0;) root = ledger::NodeHash(peaks_[i], root);
    return root;
  }
  std::map<std::pair<int, uint64_t>, Digest>& captured() { return captured_; }

 private:
  std::set<std::pair<int, uint64_t>> wanted_;
  std::map<std::pair<int, uint64_t>, Digest> captured_;
  std::vector<Digest> peaks_;
  uint64_t size_ = 0;
};

struct Item {
  ledger_export::ExportedReceipt r;
  const ledger::NoteVerifier* verifier = nullptr;
  Digest leaf{};
  bool signature_ok = false;
};

// Hashes and verifies items [0, n) on `threads` threads (this one included).
void VerifyBatch(std::vector<Item>& items, size_t n, int threads) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    constexpr size_t kChunk = 16;
    for (;;) {
      size_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
      if (begin >= n) return;
      for (size_t i = begin; i < std::min(n, begin + kChunk); ++i) {
        Item& it = items[i];
        it.leaf = ledger::LeafHash(it.r.receipt);
        it.signature_ok = it.verifier->key().Verify(it.r.receipt, it.r.signature);
      }
    }
  };
  std::vector<std::thread> pool;
  const size_t extra = n < 64 ? 0 : static_cast<size_t>(std::max(threads, 1) - 1);
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

absl::StatusOr<ledger::CheckpointBody> OpenCheckpoint(const ledger_export::KeyRing& ring,
                                                      const std::string& path,
                                                      std::vector<std::string>* signed_by) {
  absl::StatusOr<std::string> note = ledger_export::ReadSmallFile(path);
  if (!note.ok()) return absl::NotFoundError(absl::StrCat("checkpoint: ", note.status().message()));
  absl::StatusOr<ledger_export::OpenedNote> opened = ring.OpenNote(*note);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat("checkpoint ", path, ": ", opened.status().message()));
  }
  absl::StatusOr<ledger::CheckpointBody> body = ledger::ParseCheckpointBody(opened->text);
  if (!body.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", body.status().message()));
  }
  if (signed_by != nullptr) *signed_by = std::move(opened->signed_by);
  return body;
}

// The first index at which two receipts files differ (by receipt bytes),
// or nullopt when one is a prefix of the other.
std::optional<uint64_t> FirstDifference(const std::string& a_path, const std::string& b_path) {
  absl::StatusOr<std::unique_ptr<LineReader>> a = LineReader::Open(a_path);
  absl::StatusOr<std::unique_ptr<LineReader>> b = LineReader::Open(b_path);
  if (!a.ok() || !b.ok()) return std::nullopt;
  ledger_export::ExportedReceipt ra, rb;
  std::string_view la, lb;
  bool ta = false, tb = false;
  for (uint64_t i = 0;; ++i) {
    if (!(*a)->Next(la, ta)) return std::nullopt;
    if (!(*b)->Next(lb, tb)) return std::nullopt;
    if (!ledger_export::ParseReceiptLine(la, ra).ok() ||
        !ledger_export::ParseReceiptLine(lb, rb).ok() || ra.receipt != rb.receipt) {
      return i;
    }
  }
}

}  // namespace

VerifyReport VerifyExport(const std::string& dir, const VerifyOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  VerifyReport report;
  auto finish = [&](absl::Status status, std::optional<uint64_t> bad = std::nullopt) {
    report.status = std::move(status);
    report.first_bad_index = bad;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
  };
  if (!IsDirectory(dir)) return finish(absl::NotFoundError(absl::StrCat("no directory ", dir)));

  // Keys, then the checkpoint: nothing else is trusted before they are.
  std::optional<ledger_export::KeyRing> own_ring;
  if (options.keys == nullptr) {
    absl::StatusOr<std::string> keys_text =
        ledger_export::ReadSmallFile(dir + "/" + ledger_export::kKeysFile);
    if (!keys_text.ok()) return finish(keys_text.status());
    absl::StatusOr<ledger_export::KeyRing> ring = ledger_export::KeyRing::Parse(*keys_text);
    if (!ring.ok()) return finish(ring.status());
    own_ring = *std::move(ring);
  }
  const ledger_export::KeyRing& ring = options.keys != nullptr ? *options.keys : *own_ring;
  absl::StatusOr<ledger::CheckpointBody> checkpoint = OpenCheckpoint(
      ring, dir + "/" + ledger_export::kCheckpointFile, &report.checkpoint_signed_by);
  if (!checkpoint.ok()) return finish(checkpoint.status());
  report.checkpoint = *checkpoint;
  const uint64_t tree_size = checkpoint->tree_size;

  absl::StatusOr<std::unique_ptr<LineReader>> reader =
      LineReader::Open(dir + "/" + ledger_export::kReceiptsFile);
  if (!reader.ok()) return finish(reader.status());

  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t batch_size = std::max<size_t>(options.batch_size, 1);
  StreamingTree tree(options.capture_nodes);
  if (options.prefix_size == 0) report.prefix_root = ledger::EmptyRoot();
  std::vector<Item> batch(batch_size);
  uint64_t next_index = 0;  // index of the next line
  bool eof = false;

  while (!eof) {
    // Parse up to one batch; stop at the first structural problem.
    size_t n = 0;
    absl::Status structural;
    for (; n < batch_size; ++n) {
      std::string_view line;
      bool terminated = false;
      if (!(*reader)->Next(line, terminated)) {
        eof = true;
        if ((*reader)->failed()) {
          structural = absl::InternalError(absl::StrCat("read error at receipt ", next_index + n));
        }
        break;
      }
      const uint64_t index = next_index + n;
      Item& item = batch[n];
      if (!terminated) {
        structural = absl::DataLossError(absl::StrCat(
            "receipt ", index, ": the last line is cut off (no final newline): truncated file"));
        break;
      }
      if (index >= tree_size) {
        structural = absl::DataLossError(absl::StrCat(
            "receipt ", index, ": extra receipt, the checkpoint's tree size is ", tree_size));
        break;
      }
      if (absl::Status s = ledger_export::ParseReceiptLine(line, item.r); !s.ok()) {
        structural =
            absl::DataLossError(absl::StrCat("receipt ", index, ": malformed line: ", s.message()));
        break;
      }
      if (item.r.index != index) {
        structural = absl::DataLossError(
            absl::StrCat("receipt ", index, ": line ", index + 1, " holds index ", item.r.index,
                         " (a receipt is missing, extra or out of order)"));
        break;
      }
      item.verifier = ring.Find(item.r.key_id);
      if (item.verifier == nullptr) {
        structural = absl::UnauthenticatedError(absl::StrCat(
            "receipt ", index, ": signed by unknown key \"", item.r.key_id, "\" (not in keys)"));
        break;
      }
    }

    VerifyBatch(batch, n, threads);
    for (size_t i = 0; i < n; ++i) {
      const Item& item = batch[i];
      if (!item.signature_ok) {
        return finish(
            absl::UnauthenticatedError(absl::StrCat("receipt ", next_index + i, ": signature by ",
                                                    item.r.key_id, " does not verify")),
            next_index + i);
      }
      ++report.receipts_verified;
      ++report.receipts_by_key[item.r.key_id];
      tree.Append(item.leaf);
      if (options.prefix_size == tree.size()) report.prefix_root = tree.Root();
    }
    if (!structural.ok()) {
      std::optional<uint64_t> bad;
      if (structural.code() != absl::StatusCode::kInternal) bad = next_index + n;
      return finish(structural, bad);
    }
    next_index += n;
  }

  report.computed_root = tree.Root();
  report.captured_nodes = std::move(tree.captured());
  if (tree.size() < tree_size) {
    return finish(
        absl::DataLossError(absl::StrCat("receipt ", tree.size(), ": missing, the checkpoint has ",
                                         tree_size, " receipts and the export ", tree.size())),
        tree.size());
  }
  if (report.computed_root != checkpoint->root_hash) {
    return finish(absl::DataLossError(absl::StrCat(
        "root mismatch: the receipts hash to ", ledger::DigestHex(report.computed_root),
        " but the checkpoint commits to ", ledger::DigestHex(checkpoint->root_hash),
        " (receipts reordered or replaced with their index fields rewritten)")));
  }
  return finish(absl::OkStatus());
}

ConsistencyReport CheckConsistency(const std::string& old_path, const std::string& new_dir,
                                   const VerifyOptions& options) {
  ConsistencyReport report;
  auto fail = [&](absl::Status status) {
    report.status = std::move(status);
    return report;
  };
  std::optional<ledger_export::KeyRing> own_ring;
  if (options.keys == nullptr) {
    absl::StatusOr<std::string> keys_text =
        ledger_export::ReadSmallFile(new_dir + "/" + ledger_export::kKeysFile);
    if (!keys_text.ok()) return fail(keys_text.status());
    absl::StatusOr<ledger_export::KeyRing> ring = ledger_export::KeyRing::Parse(*keys_text);
    if (!ring.ok()) return fail(ring.status());
    own_ring = *std::move(ring);
  }
  const ledger_export::KeyRing& ring = options.keys != nullptr ? *options.keys : *own_ring;

  const bool old_is_dir = IsDirectory(old_path);
  const std::string old_checkpoint_path =
      old_is_dir ? old_path + "/" + ledger_export::kCheckpointFile : old_path;
  absl::StatusOr<ledger::CheckpointBody> old_cp =
      OpenCheckpoint(ring, old_checkpoint_path, nullptr);
  if (!old_cp.ok()) {
    return fail(
        absl::Status(old_cp.status().code(), absl::StrCat("old ", old_cp.status().message())));
  }
  report.old_checkpoint = *old_cp;
  absl::StatusOr<ledger::CheckpointBody> new_cp =
      OpenCheckpoint(ring, new_dir + "/" + ledger_export::kCheckpointFile, nullptr);
  if (!new_cp.ok()) {
    return fail(
        absl::Status(new_cp.status().code(), absl::StrCat("new ", new_cp.status().message())));
  }
  report.new_checkpoint = *new_cp;
  if (old_cp->origin != new_cp->origin) {
    return fail(absl::FailedPreconditionError(absl::StrCat(
        "different logs: old origin \"", old_cp->origin, "\", new \"", new_cp->origin, "\"")));
  }
  if (old_cp->tree_size > new_cp->tree_size) {
    return fail(absl::DataLossError(absl::StrCat("the old checkpoint (size ", old_cp->tree_size,
                                                 ") is larger than the new one (size ",
                                                 new_cp->tree_size, "): the log shrank")));
  }

  // Which stored nodes the proof needs: ask the proof builder with a
  // recording reader, then capture exactly those while verifying NEW.
  std::vector<std::pair<int, uint64_t>> wanted;
  ledger::NodeReader recorder = [&wanted](int level, uint64_t index) -> absl::StatusOr<Digest> {
    wanted.emplace_back(level, index);
    return Digest{};
  };
  if (absl::StatusOr<std::vector<Digest>> dry =
          ledger::ConsistencyProof(recorder, old_cp->tree_size, new_cp->tree_size);
      !dry.ok()) {
    return fail(dry.status());
  }
  VerifyOptions new_options = options;
  new_options.keys = &ring;
  new_options.prefix_size = old_cp->tree_size;
  new_options.capture_nodes = wanted;
  report.new_export = VerifyExport(new_dir, new_options);
  if (!report.new_export.status.ok()) {
    report.first_bad_index = report.new_export.first_bad_index;
    return fail(absl::Status(report.new_export.status.code(),
                             absl::StrCat("new export: ", report.new_export.status.message())));
  }

  const auto& captured = report.new_export.captured_nodes;
  ledger::NodeReader reader = [&captured](int level, uint64_t index) -> absl::StatusOr<Digest> {
    auto it = captured.find({level, index});
    if (it == captured.end()) return absl::InternalError("consistency: node not captured");
    return it->second;
  };
  absl::StatusOr<std::vector<Digest>> proof =
      ledger::ConsistencyProof(reader, old_cp->tree_size, new_cp->tree_size);
  if (!proof.ok()) return fail(proof.status());
  report.proof = *proof;
  absl::Status consistent = ledger::VerifyConsistency(
      old_cp->tree_size, new_cp->tree_size, old_cp->root_hash, new_cp->root_hash, report.proof);
  if (!consistent.ok()) {
    if (old_is_dir) {
      report.first_bad_index = FirstDifference(old_path + "/" + ledger_export::kReceiptsFile,
                                               new_dir + "/" + ledger_export::kReceiptsFile);
    }
    return fail(absl::DataLossError(absl::StrCat(
        "not consistent: the first ", old_cp->tree_size, " receipts of the new export hash to ",
        ledger::DigestHex(report.new_export.prefix_root.value_or(Digest{})),
        ", the old checkpoint commits to ", ledger::DigestHex(old_cp->root_hash), " (",
        consistent.message(), ")")));
  }
  report.status = absl::OkStatus();
  return report;
}

}  // namespace wams::auditor
