// rocksdb_backend.h: the embedded storage backend (the default): one RocksDB
// database, one column family per storage::Family, plus RocksDB's required
// "default" family (it holds only the WAL guard, rocksdb_backend.cc).
//
// RocksDbBackend is the only place that knows RocksDB options. Everything
// above broker/storage reaches it through storage::Backend; only tests that
// inject a file system or look at the files include this header.
//
//   RocksDbOptions options;
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<RocksDbBackend> backend,
//                         RocksDbBackend::Open("/var/lib/wams/db", options));
//   storage::WriteBatch batch;
//   batch.Put(Family::kCases, key, value);
//   WAMS_RETURN_IF_ERROR(backend->Write(batch));      // WAL fsync
//
// The on-disk layout (column family names incl. "default", layout version 1,
// the key codec) is a contract, documented in broker/storage/README.md. Open
// refuses a database with an unknown or a missing column family or another
// layout version, and names what it found when RocksDB reports the files
// damaged.
//
// A failed write (disk full, I/O error) does not need a restart: RocksDB
// stops accepting writes, and the backend's recovery thread resumes the
// database (DB::Resume(), with a backoff of 100 ms doubling to 5 s) once the
// file system has room again. Writes are refused before that too, while the
// disk has less than RocksDbOptions::min_free_bytes free. In between every
// Write fails at once with UNAVAILABLE and WriteHealth() says why;
// AwaitWritable() waits for the end of it. The writer role is RocksDB's lock
// file: writer_epoch() is always 1.
//
// RocksDB's own info log goes to the broker's log (warnings and errors
// only), not to a LOG file in the data directory: a LOG file that hits a full
// disk aborts the process in Debian's RocksDB build (its assertions are on).
//
// Thread-safe. A Snapshot() must not outlive the backend.
#ifndef WAMS_BROKER_STORAGE_ROCKSDB_ROCKSDB_BACKEND_H_
#define WAMS_BROKER_STORAGE_ROCKSDB_ROCKSDB_BACKEND_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/storage/backend.h"
#include "rocksdb/db.h"

namespace wams::storage {

// RocksDB's required family: holds only the WAL guard. On disk; never
// visible through storage::Backend.
inline constexpr std::string_view kRocksDbDefaultFamily = "default";

// The column families on disk, in handle order: "default", then one per
// Family in Family order (for tests and tools that open the files directly).
std::vector<std::string> RocksDbColumnFamilyNames();

// Options for opening the database.
struct RocksDbOptions {
  // Create the database (and missing column families) when absent.
  // Default: true.
  bool create_if_missing = true;
  // Size of the block cache shared by all column families, in bytes.
  // Default: 64 MiB (with the memtable budget below, the broker stays under
  // 256 MB of RSS; the tree's upper nodes are cached by the ledger apart).
  size_t block_cache_bytes = size_t{64} << 20;
  // Background threads for flush and compaction. Default: 2.
  int background_threads = 2;
  // Bloom filter bits per key on the point-lookup families (receipts,
  // nodes, checkpoints, meta, cases, idempotency: every request looks up an
  // idempotency key that is usually absent). Default: 10.
  int bloom_bits_per_key = 10;
  // Size of each memtable, in bytes. Default: 64 MiB.
  size_t write_buffer_bytes = size_t{64} << 20;
  // Most memory all memtables together hold; beyond it RocksDB flushes the
  // largest. Nine families take writes with every receipt, so without this
  // budget they could hold 9 x write_buffer_bytes. Default: 128 MiB (at 64
  // MiB, flushes and compactions took 15% of the broker's CPU under load).
  size_t memtable_budget_bytes = size_t{128} << 20;
  // Most bytes of write-ahead log kept: beyond it RocksDB flushes the
  // memtables holding the oldest log, so a start after a crash replays at
  // most this much (RocksDB's own default, 4 x all write buffers, let the log
  // grow to 6 GB at 10 M receipts: a 170 s start). A clean close flushes
  // every memtable, so a start after it replays nothing. Default: 256 MiB.
  uint64_t max_wal_bytes = uint64_t{256} << 20;
  // RocksDB environment; borrowed, must outlive the backend. Tests inject a
  // fault-injecting file system here. Default: nullptr (rocksdb::Env::Default()).
  rocksdb::Env* env = nullptr;
  // After a failed write, the first attempt to resume the database waits
  // this long; every failed attempt doubles the wait, up to
  // recovery_max_backoff. Default: 100 ms.
  absl::Duration recovery_initial_backoff = absl::Milliseconds(100);
  // Default: 5 s.
  absl::Duration recovery_max_backoff = absl::Seconds(5);
  // Writes are refused (UNAVAILABLE) while the file system holding the
  // database has less free space than this, and a stopped database is
  // resumed only once it has this much again. The reserve keeps RocksDB's
  // own flushes and compactions from running out of space: in RocksDB 7.8 a
  // flush that fails for lack of space can leave a later DB::Resume() hanging
  // (a restart is then the way out). 0 disables the check. Default: 64 MiB
  // (one full memtable of the default write_buffer_bytes).
  uint64_t min_free_bytes = uint64_t{64} << 20;
  // Verify the checksum of every block of every table file at open (reads
  // every table file: ~4 s per GB measured here, 17.7 MB in 73 ms). Damage
  // is otherwise found when the damaged block is read (every read checks).
  // Default: false.
  bool verify_checksums_on_open = false;
};

// Converts a RocksDB status at the edge: OK -> OK; NotFound -> NOT_FOUND;
// Corruption -> DATA_LOSS; IOError, Busy, TimedOut, TryAgain, ShutdownInProgress
// -> UNAVAILABLE; InvalidArgument -> INVALID_ARGUMENT; others -> INTERNAL.
// The message names `what` and RocksDB's reason.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what);

class RocksDbBackend : public Backend {
 public:
  // Opens (or creates) the database at `path`:
  //   FAILED_PRECONDITION `path` is not a directory, or the database has an
  //                       unknown column family or another layout version;
  //   DATA_LOSS           RocksDB finds the files damaged (a MANIFEST,
  //                       CURRENT or table file unreadable, truncated or
  //                       failing its checksum), or a column family of the
  //                       table is missing; the message names what it found;
  //   UNAVAILABLE         RocksDB cannot open it for another reason (e.g.
  //                       locked by another process).
  static absl::StatusOr<std::unique_ptr<RocksDbBackend>> Open(const std::string& path,
                                                              const RocksDbOptions& options);

  RocksDbBackend(const RocksDbBackend&) = delete;
  RocksDbBackend& operator=(const RocksDbBackend&) = delete;
  // Stops the recovery thread and closes the database.
  ~RocksDbBackend() override;

  const std::string& path() const { return path_; }
  // For tests that look at RocksDB itself (e.g. its background error).
  rocksdb::DB* db() const { return db_.get(); }

  // Reader: the latest state.
  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override;
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override;

  // Backend.
  std::string_view name() const override { return "rocksdb"; }
  // Writes `batch` atomically; returns only after the WAL is fsynced.
  // UNAVAILABLE when the write cannot be made durable: then nothing of the
  // batch is visible to reads, and until the database has resumed every
  // Write fails at once with the same reason.
  absl::Status Write(const WriteBatch& batch) const override;
  absl::StatusOr<std::unique_ptr<Reader>> Snapshot() const override;
  // OK while writes can be made durable; after a failed write, or while
  // the disk has less than min_free_bytes free, UNAVAILABLE ("database
  // unavailable: <reason>; retrying") until the database accepts writes again.
  absl::Status WriteHealth() const override;
  bool AwaitWritable(absl::Time deadline) const override;
  uint64_t writer_epoch() const override { return 1; }
  // How often the database resumed after a failed write.
  uint64_t recoveries() const override;
  // Flushes every memtable, then compacts [begin, end) of `family` to the
  // bottommost level, forced (backend.h).
  absl::Status PurgeDeleted(Family family, std::string_view begin,
                            std::string_view end) const override;

 private:
  class Listener;
  class SnapshotReader;

  RocksDbBackend(std::string path, const RocksDbOptions& options, std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles,
                 std::shared_ptr<Listener> listener);

  rocksdb::ColumnFamilyHandle* cf(Family family) const {
    return handles_[static_cast<int>(family) + 1];
  }
  absl::StatusOr<std::optional<std::string>> GetAt(Family family, std::string_view key,
                                                   const rocksdb::Snapshot* snapshot) const;
  absl::StatusOr<std::vector<KeyValue>> ScanAt(Family family, const ScanRange& range,
                                               const rocksdb::Snapshot* snapshot) const;
  // Keeps a memtable non-empty (see rocksdb_backend.cc) when a flush emptied it.
  void WriteWalGuardIfNeeded() const;
  // OK, or UNAVAILABLE when the disk has less than min_free_bytes_ free.
  absl::Status CheckFreeSpace() const;
  // Records a failed write and wakes the recovery thread.
  void NoteWriteFailure(const absl::Status& failure) const;
  void RecoveryLoop();

  const std::string path_;
  const absl::Duration initial_backoff_;
  const absl::Duration max_backoff_;
  const uint64_t min_free_bytes_;
  std::unique_ptr<rocksdb::DB> db_;
  // [0] is "default", then one per Family in Family order; owned.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::shared_ptr<Listener> listener_;  // also owned by the DB's options

  mutable absl::Mutex mu_;
  mutable absl::Status failure_ ABSL_GUARDED_BY(mu_);  // OK, or why writes fail
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t recoveries_ ABSL_GUARDED_BY(mu_) = 0;
  mutable std::atomic<bool> failed_{false};  // failure_ is set: the fast path of Write
  // When the DB::Resume() under way started (unix ms), 0 when none is.
  std::atomic<int64_t> resume_started_ms_{0};
  std::thread recoverer_;
};

}  // namespace wams::storage

#endif  // WAMS_BROKER_STORAGE_ROCKSDB_ROCKSDB_BACKEND_H_
