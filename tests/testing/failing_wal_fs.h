// failing_wal_fs.h: a RocksDB file system whose WAL syncs fail on demand,
// to show that nothing unreceipted is acknowledged or forwarded.
//
//   auto fs = std::make_shared<FailingWalFs>(rocksdb::FileSystem::Default());
//   std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
//   storage_options.env = env.get();
//   fs->fail = true;   // from now on every WAL sync reports an I/O error
//
// Only Sync/Fsync fail: failing Append trips an assertion in Debian's
// RocksDB build (assertions on).
#ifndef WAMS_TESTS_TESTING_FAILING_WAL_FS_H_
#define WAMS_TESTS_TESTING_FAILING_WAL_FS_H_

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace wams::testing {

class FailingWalFs : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingWalFs(std::shared_ptr<rocksdb::FileSystem> target)
      : rocksdb::FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "FailingWalFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, dbg);
    if (status.ok() && name.ends_with(".log")) {
      *result = std::make_unique<File>(std::move(*result), &fail);
    }
    return status;
  }

  std::atomic<bool> fail{false};

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, std::atomic<bool>* fail)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(target)), fail_(fail) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (*fail_) return rocksdb::IOStatus::IOError("injected WAL sync failure");
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (*fail_) return rocksdb::IOStatus::IOError("injected WAL fsync failure");
      return target()->Fsync(options, dbg);
    }

   private:
    std::atomic<bool>* fail_;
  };
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_FAILING_WAL_FS_H_
