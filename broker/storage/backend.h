// backend.h: the broker's one storage interface. Every durable byte of the
// broker (the receipt log, cases, conferences, idempotency outcomes,
// cosignatures) goes through a Backend; two implement it: RocksDB (embedded,
// the default) and PostgreSQL (a replicated cluster, several brokers).
//
// The model is deliberately small: a fixed set of families (tables), each an
// ordered map from byte-string keys to byte-string values, keys compared
// bytewise (key_codec.h makes numbers sort). A write is one atomic, durable
// batch; reads are point lookups and bounded range scans, either at the
// latest state or at a snapshot.
//
//   storage::WriteBatch batch;
//   batch.Put(Family::kCases, case_id, bytes);
//   WAMS_RETURN_IF_ERROR(backend.Write(batch));          // durable or UNAVAILABLE
//   WAMS_ASSIGN_OR_RETURN(std::unique_ptr<Reader> snap, backend.Snapshot());
//   WAMS_ASSIGN_OR_RETURN(auto rows,
//                         snap->Scan(Family::kReceipts, ScanRange::From(LeafKey(0), 100)));
//
// Writer role: at most one process writes at a time. RocksDB's lock file
// gives that on one machine; PostgreSQL gives it with a lease row whose
// epoch is checked inside every write transaction (a fenced writer), so a
// process that lost the lease never writes again, however long it paused.
// A backend that is not (or no longer) the writer answers WriteHealth() and
// Write() with UNAVAILABLE naming why ("not the writer: ..."); reads still
// work. Losing and regaining the writer role looks to users exactly like a
// failed write and a recovery: WriteHealth() goes bad, then good, and
// writer_epoch() changes, so whoever keeps state derived from the stored
// data (the ledger's tree size and right edge) reloads it first.
//
// Thread-safe: every method may be called from any thread.
#ifndef WAMS_BROKER_STORAGE_BACKEND_H_
#define WAMS_BROKER_STORAGE_BACKEND_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace wams::storage {

// The families. The numeric values are indexes into FamilyTable(); the
// names are on disk (RocksDB column families, PostgreSQL tables) and never
// change.
enum class Family : int {
  kMeta = 0,     // "meta": layout version, tree size, cosignatures
  kReceipts,     // "receipts": be64(leaf) -> SignedReceipt (leaf_index omitted)
  kNodes,        // "nodes": u8(level) be64(index) -> 32-byte subtree hash
  kCheckpoints,  // "checkpoints": be64(tree_size) -> Checkpoint
  kIdxCase,      // "idx_case": str(case_id) be64(leaf) -> ""
  kIdxSubject,   // "idx_subject": str(pseudonym) be64(leaf) -> ""
  kIdxParty,     // "idx_party": str(oin) be64(leaf) -> role bits
  kIdxTime,      // "idx_time": time8 be64(leaf) -> ""
  kCases,        // "cases": cases, conferences and their items
  kIdempotency,  // "idempotency": request id -> outcome, bound to the request
  kSubjectKeys,  // "subject_keys": per-subject pseudonym keys (broker/subjects)
};
inline constexpr int kFamilyCount = 11;

struct FamilySpec {
  Family family;
  std::string_view name;
  // A log family belongs to the receipt log: only the ledger writes it.
  // The others hold the broker's records, written with the receipt of their
  // change (Ledger companions) or alone.
  bool log;
  std::string_view purpose;
};
// The fixed table, in Family order.
const std::array<FamilySpec, kFamilyCount>& FamilyTable();
std::string_view FamilyName(Family family);

// Puts and deletes applied atomically by Backend::Write: all or none.
class WriteBatch {
 public:
  struct Op {
    Family family;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };

  void Put(Family family, std::string key, std::string value);
  void Delete(Family family, std::string key);
  // Moves `other`'s operations to the end of this batch.
  void Append(WriteBatch&& other);

  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  // Key and value bytes of all operations.
  size_t ByteSize() const { return bytes_; }
  // True when an operation touches a log family (FamilySpec::log).
  bool TouchesLog() const;

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

struct KeyValue {
  std::string key;
  std::string value;
};

// A bounded range scan: keys in [begin, end), ascending (or descending with
// `reverse`), at most `limit` of them. An empty `end` means "to the end of
// the family".
struct ScanRange {
  std::string begin;
  std::string end;
  size_t limit = 1000;
  bool reverse = false;

  // Every key starting with `prefix`.
  static ScanRange Prefix(std::string_view prefix, size_t limit);
  // Keys >= `begin`.
  static ScanRange From(std::string begin, size_t limit);
};

// The smallest key greater than every key starting with `prefix`; empty
// when there is none (prefix all 0xff).
std::string PrefixEnd(std::string_view prefix);

// Point and range reads. A Snapshot() is a Reader whose reads all see one
// state; the Backend itself reads the latest state.
//   NOT_FOUND is never returned for a missing key (nullopt / fewer rows);
//   DATA_LOSS   the stored bytes are damaged (checksum);
//   UNAVAILABLE the database cannot be read now (I/O error, lost connection).
class Reader {
 public:
  virtual ~Reader() = default;
  virtual absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                         std::string_view key) const = 0;
  virtual absl::StatusOr<std::vector<KeyValue>> Scan(Family family,
                                                     const ScanRange& range) const = 0;
};

// Calls `visit` for every key in `range` (range.limit is the chunk size),
// reading in chunks; stops at the first error from the reader or `visit`.
absl::Status ScanAll(const Reader& reader, Family family, ScanRange range,
                     absl::FunctionRef<absl::Status(const KeyValue&)> visit);

class Backend : public Reader {
 public:
  using HealthObserver = absl::AnyInvocable<void(const absl::Status&)>;

  // "rocksdb" or "postgres", for logs and metrics.
  virtual std::string_view name() const = 0;

  // Applies `batch` atomically and durably (RocksDB: WAL fsync; PostgreSQL:
  // commit acknowledged by the synchronous standby). OK means durable.
  //   UNAVAILABLE  not durable: disk full, I/O error, lost connection, not
  //                the writer. Nothing of the batch may be assumed written
  //                or not written; the writer must reread what it derives
  //                state from before its next write.
  //   INVALID_ARGUMENT the batch is malformed (a key over the backend's limit).
  //   DATA_LOSS    (PostgreSQL) the database refused the batch's data: an
  //                integrity or data error (SQLSTATE classes 22, 23, XX).
  //   INTERNAL     (PostgreSQL) any other server error, which no retry mends:
  //                the schema is not the one the broker migrated (e.g. a
  //                dropped table). The message names the SQLSTATE.
  //   For DATA_LOSS and INTERNAL the transaction rolled back: nothing of the
  //   batch was written, and the connection stays usable.
  virtual absl::Status Write(const WriteBatch& batch) const = 0;

  // A consistent read view, released when destroyed. UNAVAILABLE when the
  // database cannot be reached.
  virtual absl::StatusOr<std::unique_ptr<Reader>> Snapshot() const = 0;

  // OK while this process is the writer and writes can be made durable;
  // otherwise UNAVAILABLE naming why ("database unavailable: ...",
  // "not the writer: ..."), until that ends.
  virtual absl::Status WriteHealth() const = 0;
  // Waits until WriteHealth() is OK or `deadline`; returns whether it is.
  virtual bool AwaitWritable(absl::Time deadline) const = 0;
  // Changes every time this process becomes the writer (RocksDB: always 1).
  // Compare before and after a wait to know whether others wrote meanwhile.
  virtual uint64_t writer_epoch() const = 0;
  // How often writes resumed after a failure or a lost writer role.
  virtual uint64_t recoveries() const = 0;

  // Makes the deletions already written in [begin, end) of `family` (empty
  // `end`: to the end of the family) physical, so the deleted values are no
  // longer in the database's live files (crypto-shredding of subject keys).
  // RocksDB: flushes every memtable (so no write-ahead log still holds the
  // values), then compacts the range down to the bottommost level, forced;
  // PostgreSQL: VACUUM of the family's table. What may remain elsewhere
  // (PostgreSQL's WAL archive, backups, freed disk blocks) is named in
  // broker/ledger/README.md. A value still held by an open Snapshot() stays
  // until the snapshot is released. Slow (seconds): not for the request path.
  // UNAVAILABLE when the database cannot do it now; UNIMPLEMENTED by a
  // backend that cannot.
  virtual absl::Status PurgeDeleted(Family family, std::string_view begin,
                                    std::string_view end) const;
};

}  // namespace wams::storage

#endif  // WAMS_BROKER_STORAGE_BACKEND_H_
