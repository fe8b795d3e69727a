// storage.h: the one owner of the broker's RocksDB database.
//
// Storage opens the database with a fixed column-family table (below) and is
// the only place that knows RocksDB options. The receipt log (Ledger), and
// later the case store and request dedup, borrow it; it must outlive them.
//
//   StorageOptions options;
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<Storage> storage,
//                         Storage::Open("/var/lib/wams/db", options));
//   rocksdb::WriteBatch batch;
//   batch.Put(storage->cf(Cf::kCases), key, value);
//   WAMS_RETURN_IF_ERROR(storage->Write(&batch, /*sync=*/true));
//
// The column-family table and the key codec (key_codec.h) are an on-disk
// contract, documented in broker/ledger/README.md. Open refuses a database
// with an unknown column family or another layout version.
//
// Thread-safe: RocksDB is; Storage itself is immutable after Open.
#ifndef WAMS_BROKER_LEDGER_STORE_STORAGE_H_
#define WAMS_BROKER_LEDGER_STORE_STORAGE_H_

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace wams::ledger::store {

// The column families. The numeric values index Storage's handle table; the
// names are on disk and never change.
enum class Cf : int {
  kDefault = 0,  // "default": unused (RocksDB requires it)
  kMeta,         // "meta": layout version, tree size, verifier keys seen
  kReceipts,     // "receipts": be64(leaf) -> SignedReceipt (leaf_index omitted)
  kNodes,        // "nodes": u8(level) be64(index) -> 32-byte subtree hash
  kCheckpoints,  // "checkpoints": be64(tree_size) -> Checkpoint
  kIdxCase,      // "idx_case": str(case_id) be64(leaf) -> ""
  kIdxSubject,   // "idx_subject": str(pseudonym) be64(leaf) -> ""
  kIdxParty,     // "idx_party": str(oin) be64(leaf) -> role bits
  kIdxTime,      // "idx_time": time8 be64(leaf) -> ""
  kCases,        // "cases": reserved for the case store
  kIdempotency,  // "idempotency": reserved for request dedup
};
inline constexpr int kCfCount = 11;

struct CfSpec {
  Cf cf;
  std::string_view name;
  std::string_view purpose;
};
// The fixed table, in Cf order.
const std::array<CfSpec, kCfCount>& ColumnFamilyTable();

// Options for opening the database.
struct StorageOptions {
  // Create the database (and missing column families) when absent.
  // Default: true.
  bool create_if_missing = true;
  // Size of the block cache shared by all column families, in bytes.
  // Default: 256 MiB (1 M receipts' tree nodes fit in about 100 MiB).
  size_t block_cache_bytes = size_t{256} << 20;
  // Background threads for flush and compaction. Default: 2.
  int background_threads = 2;
  // Bloom filter bits per key on the point-lookup families (receipts,
  // nodes, checkpoints, meta). Default: 10.
  int bloom_bits_per_key = 10;
  // Size of each memtable, in bytes. Default: 64 MiB.
  size_t write_buffer_bytes = size_t{64} << 20;
  // RocksDB environment; borrowed, must outlive the Storage. Tests inject a
  // fault-injecting file system here. Default: nullptr (rocksdb::Env::Default()).
  rocksdb::Env* env = nullptr;
};

// Converts a RocksDB status at the edge: OK -> OK; NotFound -> NOT_FOUND;
// Corruption -> DATA_LOSS; IOError, Busy, TimedOut, TryAgain, ShutdownInProgress
// -> UNAVAILABLE; InvalidArgument -> INVALID_ARGUMENT; others -> INTERNAL.
// The message names `what` and RocksDB's reason.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what);

class Storage {
 public:
  // Opens (or creates) the database at `path`. FAILED_PRECONDITION for a
  // database with an unknown column family or layout version; UNAVAILABLE when
  // RocksDB cannot open it (e.g. locked by another process).
  static absl::StatusOr<std::unique_ptr<Storage>> Open(const std::string& path,
                                                       const StorageOptions& options);

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  // Closes the database.
  ~Storage();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf cf) const { return handles_[static_cast<int>(cf)]; }
  const std::string& path() const { return path_; }

  // Writes `batch` atomically; with `sync` the call returns only after the
  // WAL is fsynced. UNAVAILABLE when the write cannot be made durable.
  absl::Status Write(rocksdb::WriteBatch* batch, bool sync) const;

  // The value at `key`, std::nullopt when absent. `snapshot` may be null.
  absl::StatusOr<std::optional<std::string>> Get(Cf cf, std::string_view key,
                                                 const rocksdb::Snapshot* snapshot = nullptr) const;

  // A new iterator over `cf`; `snapshot` may be null.
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf cf,
                                                 const rocksdb::Snapshot* snapshot = nullptr) const;

 private:
  Storage(std::string path, std::unique_ptr<rocksdb::DB> db,
          std::vector<rocksdb::ColumnFamilyHandle*> handles);

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Cf, owned
};

// A RocksDB snapshot released on destruction. Not thread-safe to share
// while being destroyed; reads through it are thread-safe.
class ScopedSnapshot {
 public:
  explicit ScopedSnapshot(const Storage& storage)
      : db_(storage.db()), snapshot_(db_->GetSnapshot()) {}
  ~ScopedSnapshot() { db_->ReleaseSnapshot(snapshot_); }
  ScopedSnapshot(const ScopedSnapshot&) = delete;
  ScopedSnapshot& operator=(const ScopedSnapshot&) = delete;
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_STORAGE_H_
