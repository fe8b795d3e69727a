// wal_sync_fs.h: a RocksDB file system that watches the write-ahead log's
// syncs (what is durable when, and in how many fsyncs) and fails them on
// demand (nothing unreceipted may be acknowledged or forwarded).
//
//   auto fs = std::make_shared<WalSyncFs>(rocksdb::FileSystem::Default());
//   std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
//   storage_options.env = env.get();
//   ... fs->syncs (WAL syncs so far), fs->unsynced (bytes appended since the last sync)
//   fs->fail = true;   // from now on every WAL sync reports an I/O error
//   fs->fail_after = 1;  // one more WAL sync succeeds, then every one fails
//
// Only Sync/Fsync fail: failing Append trips an assertion in Debian's
// RocksDB build (assertions on).
#ifndef WAMS_TESTS_TESTING_WAL_SYNC_FS_H_
#define WAMS_TESTS_TESTING_WAL_SYNC_FS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "rocksdb/file_system.h"

namespace wams::testing {

class WalSyncFs : public rocksdb::FileSystemWrapper {
 public:
  explicit WalSyncFs(std::shared_ptr<rocksdb::FileSystem> target)
      : rocksdb::FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "WalSyncFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok() && name.ends_with(".log")) {
      *result = std::make_unique<File>(std::move(*result), this);
    }
    return status;
  }

  std::atomic<int> syncs{0};          // WAL syncs that succeeded
  std::atomic<uint64_t> unsynced{0};  // WAL bytes appended since the last sync
  std::atomic<bool> fail{false};      // fail every WAL sync from now on
  std::atomic<int> fail_after{-1};    // when >= 0: syncs left before `fail` is set

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, WalSyncFs* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      fs_->unsynced.fetch_add(data.size());
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      fs_->unsynced.fetch_add(data.size());
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (Failing()) return rocksdb::IOStatus::IOError("injected WAL sync failure");
      return Synced(target()->Sync(options, dbg));
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (Failing()) return rocksdb::IOStatus::IOError("injected WAL fsync failure");
      return Synced(target()->Fsync(options, dbg));
    }

   private:
    // Whether this sync fails; counts down `fail_after`.
    bool Failing() {
      if (fs_->fail) return true;
      if (fs_->fail_after.load() < 0) return false;
      if (fs_->fail_after.fetch_sub(1) == 0) fs_->fail = true;
      return fs_->fail;
    }
    rocksdb::IOStatus Synced(rocksdb::IOStatus status) {
      if (status.ok()) {
        fs_->unsynced.store(0);
        ++fs_->syncs;
      }
      return status;
    }
    WalSyncFs* fs_;
  };
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_WAL_SYNC_FS_H_
