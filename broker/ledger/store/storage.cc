#include "broker/ledger/store/storage.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "broker/ledger/store/key_codec.h"
#include "policy/base/status_macros.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace wams::ledger::store {
namespace {

constexpr std::array<CfSpec, kCfCount> kTable = {{
    {Cf::kDefault, "default", "unused; RocksDB requires it"},
    {Cf::kMeta, "meta", "layout version, tree size, verifier keys seen"},
    {Cf::kReceipts, "receipts", "leaf index -> SignedReceipt (exact signed bytes)"},
    {Cf::kNodes, "nodes", "(level, index) -> subtree hash of a complete subtree"},
    {Cf::kCheckpoints, "checkpoints", "tree size -> Checkpoint (signed note), every one kept"},
    {Cf::kIdxCase, "idx_case", "case id, leaf index -> ''"},
    {Cf::kIdxSubject, "idx_subject", "subject pseudonym, leaf index -> ''"},
    {Cf::kIdxParty, "idx_party", "party OIN, leaf index -> role bits"},
    {Cf::kIdxTime, "idx_time", "receipt time, leaf index -> ''"},
    {Cf::kCases, "cases", "reserved for the case store"},
    {Cf::kIdempotency, "idempotency", "reserved for request dedup"},
}};

bool IsPointLookupFamily(Cf cf) {
  return cf == Cf::kMeta || cf == Cf::kReceipts || cf == Cf::kNodes || cf == Cf::kCheckpoints;
}

}  // namespace

const std::array<CfSpec, kCfCount>& ColumnFamilyTable() { return kTable; }

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

absl::StatusOr<std::unique_ptr<Storage>> Storage::Open(const std::string& path,
                                                       const StorageOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.paranoid_checks = true;
  if (options.env != nullptr) db_options.env = options.env;
  db_options.IncreaseParallelism(std::max(1, options.background_threads));
  db_options.max_background_jobs = std::max(2, options.background_threads);
  // A torn last WAL record after a crash is an unacknowledged write: drop it
  // and open at the last complete batch.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const CfSpec& spec : kTable) {
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.write_buffer_size = options.write_buffer_bytes;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    if (IsPointLookupFamily(spec.cf) && options.bloom_bits_per_key > 0) {
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(options.bloom_bits_per_key));
    }
    cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    if (spec.cf == Cf::kNodes) {
      // Hashes do not compress.
      cf_options.compression = rocksdb::kNoCompression;
    }
    descriptors.emplace_back(std::string(spec.name), cf_options);
  }

  // A database made by someone else (or a future layout) must not be opened
  // silently: every existing family must be one of ours.
  std::vector<std::string> existing;
  rocksdb::Status list = rocksdb::DB::ListColumnFamilies(db_options, path, &existing);
  if (list.ok()) {
    std::vector<std::string> unknown;
    for (const std::string& name : existing) {
      if (std::none_of(kTable.begin(), kTable.end(),
                       [&](const CfSpec& s) { return s.name == name; })) {
        unknown.push_back(name);
      }
    }
    if (!unknown.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database at ", path, " has unknown column families: ", absl::StrJoin(unknown, ", ")));
    }
  }

  rocksdb::DB* raw_db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  WAMS_RETURN_IF_ERROR(
      FromRocks(rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw_db),
                absl::StrCat("open database at ", path)));
  std::unique_ptr<Storage> storage(
      new Storage(path, std::unique_ptr<rocksdb::DB>(raw_db), std::move(handles)));

  WAMS_ASSIGN_OR_RETURN(std::optional<std::string> version,
                        storage->Get(Cf::kMeta, kMetaLayoutVersion));
  if (!version.has_value()) {
    rocksdb::WriteBatch batch;
    batch.Put(storage->cf(Cf::kMeta), kMetaLayoutVersion, LeafKey(kLayoutVersion));
    WAMS_RETURN_IF_ERROR(storage->Write(&batch, /*sync=*/true));
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

Storage::Storage(std::string path, std::unique_ptr<rocksdb::DB> db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : path_(std::move(path)), db_(std::move(db)), handles_(std::move(handles)) {}

Storage::~Storage() {
  if (db_ == nullptr) return;
  // No final FlushWAL: every acknowledged write was synced already, and after
  // a failed sync Debian's (assertion-enabled) RocksDB aborts on another one.
  for (rocksdb::ColumnFamilyHandle* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
  (void)db_->Close();
}

absl::Status Storage::Write(rocksdb::WriteBatch* batch, bool sync) const {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(db_->Write(options, batch), "write batch");
}

absl::StatusOr<std::optional<std::string>> Storage::Get(Cf cf, std::string_view key,
                                                        const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  std::string value;
  rocksdb::Status s = db_->Get(options, handles_[static_cast<int>(cf)], key, &value);
  if (s.IsNotFound()) return std::nullopt;
  WAMS_RETURN_IF_ERROR(
      FromRocks(s, absl::StrCat("read ", std::string(kTable[static_cast<int>(cf)].name))));
  return value;
}

std::unique_ptr<rocksdb::Iterator> Storage::NewIterator(Cf cf,
                                                        const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  return std::unique_ptr<rocksdb::Iterator>(
      db_->NewIterator(options, handles_[static_cast<int>(cf)]));
}

}  // namespace wams::ledger::store
