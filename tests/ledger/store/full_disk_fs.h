// full_disk_fs.h: a RocksDB file system that behaves like a full disk on
// demand: while `full` is set, appending to or syncing any file RocksDB
// writes (WAL, table files, MANIFEST) fails with NoSpace (ENOSPC), as a real
// full file system does, and the free space is 0 (unless `hide_fullness`);
// reads and everything else pass through.
//
//   auto fs = std::make_shared<FullDiskFs>(rocksdb::FileSystem::Default());
//   std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
//   storage_options.env = env.get();
//   fs->full = true;    // the disk is full
//   fs->full = false;   // space is back
//
// Unlike tests/testing/wal_sync_fs.h (an I/O error RocksDB cannot resume
// from), a full disk is an error RocksDB can resume from in place.
#ifndef WAMS_TESTS_LEDGER_STORE_FULL_DISK_FS_H_
#define WAMS_TESTS_LEDGER_STORE_FULL_DISK_FS_H_

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace wams::ledger::store::testing {

class FullDiskFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFs(std::shared_ptr<rocksdb::FileSystem> target)
      : rocksdb::FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "FullDiskFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok()) *result = std::make_unique<File>(std::move(*result), this);
    return status;
  }

  // What a full disk reports as free: nothing, unless told to hide it.
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* free, rocksdb::IODebugContext* dbg) override {
    if (full.load() && !hide_fullness.load()) {
      *free = 0;
      return rocksdb::IOStatus::OK();
    }
    return target()->GetFreeSpace(path, options, free, dbg);
  }

  std::atomic<bool> full{false};
  // Report the real free space even while full: a disk that fills between
  // the storage's free-space check and RocksDB's write, so RocksDB itself
  // runs out of space.
  std::atomic<bool> hide_fullness{false};
  // Appends and syncs refused so far.
  std::atomic<int> refused{0};

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, FullDiskFs* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fs_(fs) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (Full()) return NoSpace();
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (Full()) return NoSpace();
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override {
      if (Full()) return NoSpace();
      return target()->PositionedAppend(data, offset, options, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (Full()) return NoSpace();
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (Full()) return NoSpace();
      return target()->Fsync(options, dbg);
    }

   private:
    bool Full() const { return fs_->full.load(); }
    rocksdb::IOStatus NoSpace() const {
      fs_->refused.fetch_add(1);
      return rocksdb::IOStatus::NoSpace("injected: no space left on device");
    }
    FullDiskFs* fs_;
  };
};

}  // namespace wams::ledger::store::testing

#endif  // WAMS_TESTS_LEDGER_STORE_FULL_DISK_FS_H_
