// forwarding_backend.h: test-only storage::Backend decorators, seams for the
// conformance suite (backend_conformance_test.cc):
//   ForwardingBackend   forwards every call to another backend (a base);
//   GatedBackend        counts writes and the receipts in each, and can hold
//                       writes at a gate (to see a group commit form);
//   WriterRoleBackend   can lose and regain the writer role like a
//                       PostgreSQL broker losing its lease, while "another
//                       broker" writes through WriteAsOther().
// Thread-safe, like the backends they wrap. The wrapped backend must outlive
// the decorator.
#ifndef WAMS_TESTS_STORAGE_FORWARDING_BACKEND_H_
#define WAMS_TESTS_STORAGE_FORWARDING_BACKEND_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/storage/backend.h"

namespace wams::storage::testing {

class ForwardingBackend : public Backend {
 public:
  explicit ForwardingBackend(const Backend& inner) : inner_(inner) {}

  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override {
    return inner_.Get(family, key);
  }
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override {
    return inner_.Scan(family, range);
  }
  std::string_view name() const override { return inner_.name(); }
  absl::Status Write(const WriteBatch& batch) const override { return inner_.Write(batch); }
  absl::StatusOr<std::unique_ptr<Reader>> Snapshot() const override { return inner_.Snapshot(); }
  absl::Status WriteHealth() const override { return inner_.WriteHealth(); }
  bool AwaitWritable(absl::Time deadline) const override { return inner_.AwaitWritable(deadline); }
  uint64_t writer_epoch() const override { return inner_.writer_epoch(); }
  uint64_t recoveries() const override { return inner_.recoveries(); }
  absl::Status PurgeDeleted(Family family, std::string_view begin,
                            std::string_view end) const override {
    return inner_.PurgeDeleted(family, begin, end);
  }

 protected:
  const Backend& inner_;
};

class GatedBackend : public ForwardingBackend {
 public:
  using ForwardingBackend::ForwardingBackend;

  absl::Status Write(const WriteBatch& batch) const override {
    size_t receipts = 0;
    for (const WriteBatch::Op& op : batch.ops()) receipts += op.family == Family::kReceipts;
    {
      absl::MutexLock lock(&mu_);
      ++writes_waiting_;
      mu_.Await(absl::Condition(&open_));
      --writes_waiting_;
      if (receipts > 0) receipts_per_write_.push_back(receipts);
    }
    return inner_.Write(batch);
  }

  void Close() {
    absl::MutexLock lock(&mu_);
    open_ = false;
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  // Waits until a write is held at the closed gate.
  void AwaitWriteHeld() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* waiting) { return *waiting > 0; }, &writes_waiting_));
  }
  // The number of receipts of every write that held any, in order.
  std::vector<size_t> receipts_per_write() const {
    absl::MutexLock lock(&mu_);
    return receipts_per_write_;
  }

 private:
  mutable absl::Mutex mu_;
  mutable bool open_ ABSL_GUARDED_BY(mu_) = true;
  mutable int writes_waiting_ ABSL_GUARDED_BY(mu_) = 0;
  mutable std::vector<size_t> receipts_per_write_ ABSL_GUARDED_BY(mu_);
};

class WriterRoleBackend : public ForwardingBackend {
 public:
  using ForwardingBackend::ForwardingBackend;

  // Loses the writer role: writes are refused ("not the writer: ...").
  void LoseRole() {
    absl::MutexLock lock(&mu_);
    writer_ = false;
  }
  // Regains it under a new epoch, as a broker taking the lease over.
  void RegainRole() {
    absl::MutexLock lock(&mu_);
    writer_ = true;
    ++epoch_;
  }
  // Writes as the broker that holds the role meanwhile.
  absl::Status WriteAsOther(const WriteBatch& batch) const { return inner_.Write(batch); }

  absl::Status Write(const WriteBatch& batch) const override {
    if (absl::Status health = WriteHealth(); !health.ok()) return health;
    return inner_.Write(batch);
  }
  absl::Status WriteHealth() const override {
    absl::MutexLock lock(&mu_);
    if (!writer_) return absl::UnavailableError("not the writer: another broker holds the lease");
    return inner_.WriteHealth();
  }
  bool AwaitWritable(absl::Time deadline) const override {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithDeadline(absl::Condition(&writer_), deadline)) return false;
    return inner_.WriteHealth().ok();
  }
  uint64_t writer_epoch() const override {
    absl::MutexLock lock(&mu_);
    return epoch_;
  }

 private:
  mutable absl::Mutex mu_;
  mutable bool writer_ ABSL_GUARDED_BY(mu_) = true;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace wams::storage::testing

#endif  // WAMS_TESTS_STORAGE_FORWARDING_BACKEND_H_
