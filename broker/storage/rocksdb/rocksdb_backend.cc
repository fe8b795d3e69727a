// The RocksDB backend: options, open-time checks, the WAL guard, the
// recovery thread after a failed write, and reads at a snapshot.
#include "broker/storage/rocksdb/rocksdb_backend.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/base/logging/log.h"
#include "broker/base/status_macros.h"
#include "broker/storage/key_codec.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

namespace wams::storage {
namespace {

// Families that take point lookups get a Bloom filter; the indexes are
// only scanned.
bool IsPointLookupFamily(Family family) {
  return family == Family::kMeta || family == Family::kReceipts || family == Family::kNodes ||
         family == Family::kCheckpoints || family == Family::kCases ||
         family == Family::kIdempotency || family == Family::kSubjectKeys;
}

// Families added to layout version 1 after it shipped: an existing database
// without one gets it, empty, at open (no data can be missing from a family
// the database never had). Any other missing family is lost data.
bool IsAddedFamily(std::string_view name) { return name == FamilyName(Family::kSubjectKeys); }

// The WAL guard: a key in the otherwise unused default family, written
// without the WAL (memtable only), so that some memtable always holds data.
// Why: after a WAL append fails, RocksDB 7.8's WAL writer refuses every
// further append, and DB::Resume() replaces the WAL only when it flushes a
// non-empty memtable. With every memtable empty (right after a flush), Resume
// succeeds without a new WAL and the next write aborts the process (Debian's
// build has assertions on; without them it would fail forever). The guard
// makes Resume flush, and so switch to a fresh WAL, every time.
constexpr std::string_view kWalGuardKey = "wal-guard";

// RocksDB's info log, forwarded to the broker's log: warnings and errors only
// (background errors, recovery, damaged files). No file in the data
// directory, which could fill up with the rest of it.
class LogForwarder : public rocksdb::Logger {
 public:
  LogForwarder() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  // RocksDB calls this one for INFO-level headers; they stay out.
  void Logv(const char* /*format*/, va_list /*ap*/) override {}

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char buffer[1024];
    va_list copy;
    va_copy(copy, ap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int n = std::vsnprintf(buffer, sizeof(buffer), format, copy);
#pragma GCC diagnostic pop
    va_end(copy);
    if (n < 0) return;
    std::string message = absl::StrCat("rocksdb: ", absl::string_view(buffer));
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      logging::LogError(message);
    } else {
      logging::LogWarning(message);
    }
  }
};

// Whether a failed write means the database stopped accepting writes (as
// opposed to a bad batch).
bool IsWriteFailure(const rocksdb::Status& status) {
  return status.IsIOError() || status.IsCorruption() ||
         status.severity() >= rocksdb::Status::Severity::kHardError;
}

}  // namespace

std::vector<std::string> RocksDbColumnFamilyNames() {
  std::vector<std::string> names = {std::string(kRocksDbDefaultFamily)};
  for (const FamilySpec& spec : FamilyTable()) names.emplace_back(spec.name);
  return names;
}

// Watches RocksDB: turns off its own recovery from a full disk (it polls
// every 5 s and wants the size of a whole memtable free, 64 MiB by default;
// the recovery thread below resumes sooner), and notes when the default
// family's memtable was sealed, so the next write puts the WAL guard back.
class RocksDbBackend::Listener : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "WamsStorageListener"; }

  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/, rocksdb::Status /*bg_error*/,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

  void OnMemTableSealed(const rocksdb::MemTableInfo& info) override {
    if (info.cf_name == rocksdb::kDefaultColumnFamilyName) guard_needed.store(true);
  }

  std::atomic<bool> guard_needed{true};
};

absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsIOError() || status.IsBusy() || status.IsTimedOut() || status.IsTryAgain() ||
      status.IsShutdownInProgress() || status.IsIncomplete()) {
    return absl::UnavailableError(message);
  }
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::InternalError(message);
}

namespace {

// An open that failed, for the operator: damage is DATA_LOSS (RocksDB's
// message names the file), a lock held by another process UNAVAILABLE.
absl::Status OpenError(const rocksdb::Status& status, const std::string& path) {
  const std::string reason = status.ToString();
  if (status.IsCorruption()) {
    return absl::DataLossError(absl::StrCat("the database at ", path, " is damaged: ", reason,
                                            " (restore the data directory from a backup)"));
  }
  if (status.IsIOError() &&
      (absl::StrContains(reason, "No such file") || absl::StrContains(reason, "Is a directory"))) {
    return absl::DataLossError(absl::StrCat("the database at ", path, " is incomplete: ", reason,
                                            " (restore the data directory from a backup)"));
  }
  if (status.IsIOError() && absl::StrContains(reason, "lock")) {
    return absl::UnavailableError(
        absl::StrCat("the database at ", path, " is in use by another process (", reason, ")"));
  }
  return FromRocks(status, absl::StrCat("open database at ", path));
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbBackend>> RocksDbBackend::Open(
    const std::string& path, const RocksDbOptions& options) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_directory(path, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the data directory ", path, " is not a directory"));
  }
  if (options.create_if_missing) std::filesystem::create_directories(path, error);
  auto listener = std::make_shared<Listener>();
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.paranoid_checks = true;
  db_options.info_log = std::make_shared<LogForwarder>();
  // Every acknowledged write is in the synced WAL; the only memtable-only
  // data is the WAL guard, which need not survive. A clean close flushes
  // explicitly (~RocksDbBackend); Close() itself must not, after a failed write.
  db_options.avoid_flush_during_shutdown = true;
  db_options.max_total_wal_size = options.max_wal_bytes;
  db_options.db_write_buffer_size = options.memtable_budget_bytes;
  db_options.listeners.push_back(listener);
  if (options.env != nullptr) db_options.env = options.env;
  db_options.IncreaseParallelism(std::max(1, options.background_threads));
  db_options.max_background_jobs = std::max(2, options.background_threads);
  // A torn last WAL record after a crash is an unacknowledged write: drop it
  // and open at the last complete batch.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  const std::vector<std::string> family_names = RocksDbColumnFamilyNames();
  for (size_t i = 0; i < family_names.size(); ++i) {
    // Handle 0 is "default"; handle i is Family i - 1.
    const bool is_family = i > 0;
    const Family family = static_cast<Family>(is_family ? i - 1 : 0);
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.write_buffer_size = options.write_buffer_bytes;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    if (is_family && IsPointLookupFamily(family) && options.bloom_bits_per_key > 0) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(options.bloom_bits_per_key));
    }
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    if (is_family && family == Family::kNodes) {
      // Hashes do not compress.
      cf_options.compression = rocksdb::kNoCompression;
    }
    descriptors.emplace_back(family_names[i], cf_options);
  }

  // A database made by someone else (or a future layout) must not be opened
  // silently: every existing family must be one of ours. And a family of
  // ours that is gone must not be recreated empty: its data would be lost
  // without a word. Families are created only with a new database.
  const bool exists = std::filesystem::exists(std::filesystem::path(path) / "CURRENT", error);
  db_options.create_missing_column_families = !exists && options.create_if_missing;
  if (exists) {
    std::vector<std::string> existing;
    rocksdb::Status list = rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
    if (!list.ok()) return OpenError(list, path);
    std::vector<std::string> unknown;
    for (const std::string& name : existing) {
      if (std::find(family_names.begin(), family_names.end(), name) == family_names.end()) {
        unknown.push_back(name);
      }
    }
    if (!unknown.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database at ", path, " has unknown column families: ", absl::StrJoin(unknown, ", ")));
    }
    std::vector<std::string> missing;
    for (const std::string& name : family_names) {
      if (std::find(existing.begin(), existing.end(), name) == existing.end()) {
        if (IsAddedFamily(name)) {
          db_options.create_missing_column_families = true;
        } else {
          missing.push_back(name);
        }
      }
    }
    if (!missing.empty()) {
      return absl::DataLossError(
          absl::StrCat("the database at ", path, " lacks the column families ",
                       absl::StrJoin(missing, ", "), ": its data is gone (restore from a backup)"));
    }
  }

  rocksdb::DB* raw_db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw_db);
  if (!opened.ok()) return OpenError(opened, path);
  std::unique_ptr<RocksDbBackend> storage(
      new RocksDbBackend(path, options, std::unique_ptr<rocksdb::DB>(raw_db), std::move(handles),
                         std::move(listener)));
  if (options.verify_checksums_on_open) {
    rocksdb::Status verified = storage->db()->VerifyChecksum();
    if (!verified.ok()) return OpenError(verified, path);
  }

  storage->WriteWalGuardIfNeeded();

  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> version,
                        storage->Get(Family::kMeta, kMetaLayoutVersion));
  if (!version.has_value()) {
    WriteBatch batch;
    batch.Put(Family::kMeta, std::string(kMetaLayoutVersion), LeafKey(kLayoutVersion));
    WAMS_RETURN_IF_ERROR(storage->Write(batch));
  } else {
    absl::StatusOr<uint64_t> v = DecodeBigEndian64(*version);
    if (!v.ok() || *v != kLayoutVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat("database at ", path, " has layout version ",
                       v.ok() ? absl::StrCat(*v) : std::string("(malformed)"),
                       "; this build reads version ", kLayoutVersion));
    }
  }
  return storage;
}

RocksDbBackend::RocksDbBackend(std::string path, const RocksDbOptions& options,
                               std::unique_ptr<rocksdb::DB> db,
                               std::vector<rocksdb::ColumnFamilyHandle*> handles,
                               std::shared_ptr<Listener> listener)
    : path_(std::move(path)),
      initial_backoff_(std::max(options.recovery_initial_backoff, absl::Milliseconds(1))),
      max_backoff_(std::max(options.recovery_max_backoff, options.recovery_initial_backoff)),
      min_free_bytes_(options.min_free_bytes),
      db_(std::move(db)),
      handles_(std::move(handles)),
      listener_(std::move(listener)) {
  recoverer_ = std::thread([this] { RecoveryLoop(); });
}

RocksDbBackend::~RocksDbBackend() {
  // A clean close flushes every memtable, so the next start replays no
  // write-ahead log. Not after a failed write or on a (nearly) full disk:
  // RocksDB 7.8 may then refuse or hang, and the synced log holds every
  // acknowledged write anyway.
  if (db_ != nullptr && WriteHealth().ok() && CheckFreeSpace().ok()) {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    if (rocksdb::Status flushed = db_->Flush(flush, handles_); !flushed.ok()) {
      logging::LogWarning(absl::StrCat("closing the database without a final flush (",
                                       flushed.ToString(), "); the next start replays the log"));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  // A resume under way waits for flushes; this makes it return.
  if (db_ != nullptr) rocksdb::CancelAllBackgroundWork(db_.get(), /*wait=*/false);
  if (recoverer_.joinable()) recoverer_.join();
  if (db_ == nullptr) return;
  // No final FlushWAL: every acknowledged write was synced already, and after
  // a failed sync Debian's (assertion-enabled) RocksDB aborts on another one.
  for (rocksdb::ColumnFamilyHandle* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
  (void)db_->Close();
}

void RocksDbBackend::WriteWalGuardIfNeeded() const {
  if (!listener_->guard_needed.exchange(false)) return;
  rocksdb::WriteOptions options;
  options.disableWAL = true;
  rocksdb::WriteBatch guard;
  guard.Put(handles_[0], kWalGuardKey, "");
  // Memtable only: fails just when the database is stopped already.
  if (!db_->Write(options, &guard).ok()) listener_->guard_needed.store(true);
}

absl::Status RocksDbBackend::CheckFreeSpace() const {
  if (min_free_bytes_ == 0) return absl::OkStatus();
  uint64_t free_bytes = 0;
  // One statvfs(2), ~4.5 us here (a synced write takes milliseconds). A
  // file system that cannot tell is not checked.
  if (!db_->GetEnv()->GetFreeSpace(path_, &free_bytes).ok() || free_bytes >= min_free_bytes_) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(absl::StrCat("the disk is (almost) full: ", free_bytes,
                                             " bytes free for ", path_, ", writes need ",
                                             min_free_bytes_));
}

absl::Status RocksDbBackend::Write(const WriteBatch& batch) const {
  if (failed_.load(std::memory_order_acquire)) {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return failure_;
  }
  if (absl::Status room = CheckFreeSpace(); !room.ok()) {
    NoteWriteFailure(room);
    absl::MutexLock lock(&mu_);
    return failure_;
  }
  rocksdb::WriteBatch rocks_batch;
  for (const WriteBatch::Op& op : batch.ops()) {
    rocksdb::Status added = op.value.has_value() ? rocks_batch.Put(cf(op.family), op.key, *op.value)
                                                 : rocks_batch.Delete(cf(op.family), op.key);
    WAMS_RETURN_IF_ERROR(FromRocks(added, "write batch"));
  }
  WriteWalGuardIfNeeded();
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status written = db_->Write(options, &rocks_batch);
  absl::Status status = FromRocks(written, "write batch");
  if (!written.ok() && IsWriteFailure(written)) NoteWriteFailure(status);
  return status;
}

void RocksDbBackend::NoteWriteFailure(const absl::Status& failure) const {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return;
  failure_ = absl::UnavailableError(
      absl::StrCat("database unavailable: ", failure.message(), "; retrying"));
  failed_.store(true, std::memory_order_release);
  logging::LogError(absl::StrCat("storage: writes are refused until the database can write again: ",
                                 failure.message()));
}

absl::Status RocksDbBackend::WriteHealth() const {
  // A resume that takes this long is stuck (see min_free_bytes).
  constexpr absl::Duration kStuck = absl::Seconds(30);
  absl::Status failure;
  {
    absl::MutexLock lock(&mu_);
    failure = failure_;
  }
  const int64_t started = resume_started_ms_.load();
  if (!failure.ok() && started != 0 && absl::Now() - absl::FromUnixMillis(started) > kStuck) {
    return absl::UnavailableError(absl::StrCat(
        failure.message(), "; RocksDB has been resuming for over ", absl::FormatDuration(kStuck),
        ": restart the broker (everything acknowledged is in the synced WAL)"));
  }
  return failure;
}

bool RocksDbBackend::AwaitWritable(absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(absl::Condition(
                            +[](const RocksDbBackend* s) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                              return s->failure_.ok() || s->stopping_;
                            },
                            this),
                        deadline);
  return failure_.ok();
}

absl::Status RocksDbBackend::PurgeDeleted(Family family, std::string_view begin,
                                          std::string_view end) const {
  WAMS_RETURN_IF_ERROR(WriteHealth());
  // Every memtable, not only the family's: a write-ahead log file is deleted
  // only once no family's memtable still needs it, and the logs hold the
  // deleted values as written.
  rocksdb::FlushOptions flush;
  flush.wait = true;
  WAMS_RETURN_IF_ERROR(FromRocks(db_->Flush(flush, handles_), "flush before purge"));
  WriteWalGuardIfNeeded();
  // Forced: the bottommost level is rewritten too, so the deleted values and
  // their tombstones leave the table files (RocksDB otherwise skips a
  // bottommost level without deletions to drop from a lower level).
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  const rocksdb::Slice from(begin.data(), begin.size());
  const rocksdb::Slice to(end.data(), end.size());
  return FromRocks(db_->CompactRange(compact, cf(family), begin.empty() ? nullptr : &from,
                                     end.empty() ? nullptr : &to),
                   absl::StrCat("compact ", std::string(FamilyName(family))));
}

uint64_t RocksDbBackend::recoveries() const {
  absl::MutexLock lock(&mu_);
  return recoveries_;
}

void RocksDbBackend::RecoveryLoop() {
  absl::Duration backoff = initial_backoff_;
  int attempts = 0;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](RocksDbBackend* s)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return !s->failure_.ok() || s->stopping_; },
          this));
      if (stopping_) return;
      // Give the disk a moment (and the operator time to free space)
      // before each attempt; stop at once on shutdown.
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff)) return;
    }
    ++attempts;
    // Resume() returns at once when RocksDB itself did not stop (the write
    // was refused for lack of space before it reached RocksDB).
    absl::Status room = CheckFreeSpace();
    rocksdb::Status resumed = rocksdb::Status::NoSpace(std::string(room.message()));
    if (room.ok()) {
      resume_started_ms_.store(absl::ToUnixMillis(absl::Now()));
      resumed = db_->Resume();
      resume_started_ms_.store(0);
    }
    if (resumed.ok()) {
      // Resume flushed every memtable, the guard's too: put it back before
      // any other write can run (they are all refused until failure_ clears).
      listener_->guard_needed.store(true);
      WriteWalGuardIfNeeded();
      absl::MutexLock lock(&mu_);
      logging::LogInfo(absl::StrCat("storage: the database resumed after ", attempts,
                                    attempts == 1 ? " attempt" : " attempts",
                                    "; writes are accepted again"));
      failure_ = absl::OkStatus();
      failed_.store(false, std::memory_order_release);
      ++recoveries_;
      backoff = initial_backoff_;
      attempts = 0;
      continue;
    }
    const bool fatal = resumed.severity() >= rocksdb::Status::Severity::kFatalError;
    std::string reason = absl::StrCat(
        "database unavailable: ", resumed.ToString(),
        fatal ? "; RocksDB cannot resume after this error: restart the broker" : "; retrying");
    absl::MutexLock lock(&mu_);
    if (attempts == 1 || std::string(failure_.message()) != reason || attempts % 20 == 0) {
      logging::LogWarning(
          absl::StrCat("storage: resume attempt ", attempts, " failed: ", resumed.ToString()));
    }
    failure_ = absl::UnavailableError(reason);
    backoff = std::min(backoff * 2, max_backoff_);
  }
}

// A RocksDB snapshot, released when destroyed.
class RocksDbBackend::SnapshotReader : public Reader {
 public:
  explicit SnapshotReader(const RocksDbBackend& backend)
      : backend_(backend), snapshot_(backend.db_->GetSnapshot()) {}
  ~SnapshotReader() override { backend_.db_->ReleaseSnapshot(snapshot_); }
  SnapshotReader(const SnapshotReader&) = delete;
  SnapshotReader& operator=(const SnapshotReader&) = delete;

  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override {
    return backend_.GetAt(family, key, snapshot_);
  }
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override {
    return backend_.ScanAt(family, range, snapshot_);
  }

 private:
  const RocksDbBackend& backend_;
  const rocksdb::Snapshot* const snapshot_;
};

absl::StatusOr<std::unique_ptr<Reader>> RocksDbBackend::Snapshot() const {
  return std::make_unique<SnapshotReader>(*this);
}

absl::StatusOr<std::optional<std::string>> RocksDbBackend::Get(Family family,
                                                               std::string_view key) const {
  return GetAt(family, key, nullptr);
}

absl::StatusOr<std::vector<KeyValue>> RocksDbBackend::Scan(Family family,
                                                           const ScanRange& range) const {
  return ScanAt(family, range, nullptr);
}

absl::StatusOr<std::optional<std::string>> RocksDbBackend::GetAt(
    Family family, std::string_view key, const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->Get(options, cf(family), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  WAMS_RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read ", std::string(FamilyName(family)))));
  return value;
}

absl::StatusOr<std::vector<KeyValue>> RocksDbBackend::ScanAt(
    Family family, const ScanRange& range, const rocksdb::Snapshot* snapshot) const {
  std::vector<KeyValue> rows;
  if (range.limit == 0 || (!range.end.empty() && range.end <= range.begin)) return rows;
  // The bounds make the iterator stop at the range's ends by itself, in
  // both directions.
  const rocksdb::Slice lower(range.begin);
  const rocksdb::Slice upper(range.end);
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  options.iterate_lower_bound = &lower;
  if (!range.end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, cf(family)));
  if (range.reverse) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid() && rows.size() < range.limit; range.reverse ? it->Prev() : it->Next()) {
    rows.push_back({it->key().ToString(), it->value().ToString()});
  }
  WAMS_RETURN_IF_ERROR(
      FromRocks(it->status(), absl::StrCat("scan ", std::string(FamilyName(family)))));
  return rows;
}

}  // namespace wams::storage
