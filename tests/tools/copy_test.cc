// storage::CopyAll over an in-memory Backend (a fake at the seam; the real
// backends are copied by wams_storage_test): every family in key order, in
// bounded batches, a non-empty destination refused, a failed write named.
#include "broker/storage/copy.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wams::storage {
namespace {

using ::testing::HasSubstr;

using Tables = std::array<std::map<std::string, std::string>, kFamilyCount>;

class MemoryReader : public Reader {
 public:
  explicit MemoryReader(Tables tables) : tables_(std::move(tables)) {}
  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override {
    const auto& table = tables_[static_cast<int>(family)];
    auto it = table.find(std::string(key));
    if (it == table.end()) return std::nullopt;
    return it->second;
  }
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override {
    std::vector<KeyValue> rows;
    const auto& table = tables_[static_cast<int>(family)];
    for (auto it = table.lower_bound(range.begin);
         it != table.end() && (range.end.empty() || it->first < range.end) &&
         rows.size() < range.limit;
         ++it) {
      rows.push_back({it->first, it->second});
    }
    return rows;
  }

 protected:
  Tables tables_;
};

// Keeps its tables in memory; `fail_after` writes succeed, then every one
// fails with UNAVAILABLE. Records every batch's size.
class MemoryBackend : public Backend {
 public:
  std::string_view name() const override { return "memory"; }
  absl::Status Write(const WriteBatch& batch) const override {
    absl::MutexLock lock(&mu_);
    if (fail_after >= 0 && writes_ >= fail_after) {
      return absl::UnavailableError("injected write failure");
    }
    ++writes_;
    batch_sizes.push_back(batch.size());
    batch_bytes.push_back(batch.ByteSize());
    for (const WriteBatch::Op& op : batch.ops()) {
      auto& table = tables_[static_cast<int>(op.family)];
      if (op.value.has_value()) {
        table[op.key] = *op.value;
      } else {
        table.erase(op.key);
      }
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<std::string>> Get(Family family,
                                                 std::string_view key) const override {
    return Current().Get(family, key);
  }
  absl::StatusOr<std::vector<KeyValue>> Scan(Family family, const ScanRange& range) const override {
    return Current().Scan(family, range);
  }
  absl::StatusOr<std::unique_ptr<Reader>> Snapshot() const override {
    absl::MutexLock lock(&mu_);
    return std::make_unique<MemoryReader>(tables_);
  }
  absl::Status WriteHealth() const override { return absl::OkStatus(); }
  bool AwaitWritable(absl::Time) const override { return true; }
  uint64_t writer_epoch() const override { return 1; }
  uint64_t recoveries() const override { return 0; }

  Tables tables() const {
    absl::MutexLock lock(&mu_);
    return tables_;
  }

  int fail_after = -1;
  mutable std::vector<size_t> batch_sizes;
  mutable std::vector<size_t> batch_bytes;

 private:
  MemoryReader Current() const {
    absl::MutexLock lock(&mu_);
    return MemoryReader(tables_);
  }
  mutable absl::Mutex mu_;
  mutable Tables tables_;
  mutable int writes_ = 0;
};

// `rows` keys in every family, values of `value_bytes` bytes.
void Fill(MemoryBackend& backend, int rows, size_t value_bytes) {
  for (int f = 0; f < kFamilyCount; ++f) {
    WriteBatch batch;
    for (int i = 0; i < rows; ++i) {
      batch.Put(static_cast<Family>(f), absl::StrCat("key-", f, "-", 100000 + i),
                std::string(value_bytes, static_cast<char>('a' + f)));
    }
    ASSERT_TRUE(backend.Write(batch).ok());
  }
}

TEST(CopyAllTest, CopiesEveryFamilyInBoundedBatches) {
  MemoryBackend from;
  MemoryBackend to;
  Fill(from, 2500, 10);
  CopyOptions options;
  options.max_batch_rows = 1000;
  int progress_calls = 0;
  absl::StatusOr<CopyCounts> counts =
      CopyAll(from, to, options, [&](const CopyCounts&) { ++progress_calls; });
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(to.tables(), from.tables());
  for (int f = 0; f < kFamilyCount; ++f) EXPECT_EQ(counts->rows[f], 2500u) << f;
  EXPECT_EQ(counts->batches, 3u * kFamilyCount);  // 1000 + 1000 + 500 per family
  EXPECT_EQ(progress_calls, 3 * kFamilyCount);
  for (size_t size : to.batch_sizes) EXPECT_LE(size, 1000u);
}

TEST(CopyAllTest, BatchesStayUnderTheByteLimitButHoldAtLeastOneRow) {
  MemoryBackend from;
  MemoryBackend to;
  Fill(from, 20, 1000);
  CopyOptions options;
  options.max_batch_bytes = 3000;  // two rows of ~1 KB fit, not three
  absl::StatusOr<CopyCounts> counts = CopyAll(from, to, options);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(to.tables(), from.tables());
  for (size_t bytes : to.batch_bytes) EXPECT_LE(bytes, 3000u);

  // A row larger than the limit still goes, alone.
  MemoryBackend big_from;
  MemoryBackend big_to;
  Fill(big_from, 3, 5000);
  counts = CopyAll(big_from, big_to, options);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(big_to.tables(), big_from.tables());
  for (size_t size : big_to.batch_sizes) EXPECT_EQ(size, 1u);
}

TEST(CopyAllTest, RefusesANonEmptyDestinationAndWritesNothing) {
  MemoryBackend from;
  MemoryBackend to;
  Fill(from, 10, 10);
  WriteBatch one;
  one.Put(Family::kIdempotency, "left-over", "x");
  ASSERT_TRUE(to.Write(one).ok());
  const Tables before = to.tables();
  absl::StatusOr<CopyCounts> counts = CopyAll(from, to, CopyOptions());
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(counts.status().message(), HasSubstr("family idempotency"));
  EXPECT_EQ(to.tables(), before);
}

TEST(CopyAllTest, AFailedWriteIsNamedWithTheFamilyAndRowsCopied) {
  MemoryBackend from;
  MemoryBackend to;
  Fill(from, 10, 10);
  to.fail_after = 2;
  CopyOptions options;
  options.max_batch_rows = 10;
  absl::StatusOr<CopyCounts> counts = CopyAll(from, to, options);
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(counts.status().message(),
              HasSubstr("writing family nodes after 0 rows: injected write failure"));
}

TEST(CopyAllTest, TheLayoutVersionAFreshDatabaseHasIsNoContent) {
  MemoryBackend from;
  MemoryBackend to;
  Fill(from, 3, 10);
  WriteBatch stamp;
  stamp.Put(Family::kMeta, "layout_version", std::string("\0\0\0\0\0\0\0\1", 8));
  ASSERT_TRUE(to.Write(stamp).ok());
  ASSERT_TRUE(CopyAll(from, to, CopyOptions()).ok());
  EXPECT_EQ(to.tables()[static_cast<int>(Family::kMeta)].count("layout_version"), 1u);
  // Anything besides it is content.
  MemoryBackend used;
  ASSERT_TRUE(used.Write(stamp).ok());
  WriteBatch tree;
  tree.Put(Family::kMeta, "tree_size", "x");
  ASSERT_TRUE(used.Write(tree).ok());
  EXPECT_EQ(CopyAll(from, used, CopyOptions()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CopyAllTest, AnEmptySourceCopiesNothing) {
  MemoryBackend from;
  MemoryBackend to;
  absl::StatusOr<CopyCounts> counts = CopyAll(from, to, CopyOptions());
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->batches, 0u);
}

}  // namespace
}  // namespace wams::storage
